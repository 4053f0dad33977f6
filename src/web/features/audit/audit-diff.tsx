import { Code, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

function asRecord(value: unknown): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return value === null || value === undefined ? {} : { value };
}

function show(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Before/after of one audit entry, field by field; changed fields first and marked. */
export function AuditDiff({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();
  const b = asRecord(before);
  const a = asRecord(after);
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  if (fields.length === 0)
    return (
      <Text c="dimmed" size="sm">
        {t('audit.noDiff')}
      </Text>
    );
  const changed = (f: string) => show(b[f]) !== show(a[f]);
  fields.sort((x, y) => Number(changed(y)) - Number(changed(x)));

  return (
    <Table.ScrollContainer minWidth={420}>
      <Table withTableBorder withColumnBorders verticalSpacing={4} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="25%">{t('audit.field')}</Table.Th>
            <Table.Th>{t('audit.before')}</Table.Th>
            <Table.Th>{t('audit.after')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {fields.map((f) => (
            <Table.Tr key={f} bg={changed(f) ? 'var(--mantine-color-yellow-light)' : undefined}>
              <Table.Td>
                <Code>{f}</Code>
              </Table.Td>
              <Table.Td style={{ wordBreak: 'break-all' }}>
                {f in b ? (
                  <Text span size="sm" td={changed(f) ? 'line-through' : undefined}>
                    {show(b[f])}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td style={{ wordBreak: 'break-all' }}>{f in a ? show(a[f]) : null}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
