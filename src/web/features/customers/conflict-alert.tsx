import { Alert, Button, Group, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface ConflictRow {
  key: string;
  label: string;
  theirs: ReactNode;
  mine: ReactNode;
}

/** Plain text of a payload value, to compare and show both sides of a conflict. */
export const showValue = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** Fields whose saved value differs from the form's, with the saved and the typed value side by side. */
export function conflictRows<P extends Record<string, unknown>>(
  mine: P,
  theirs: P,
  label: (key: keyof P & string) => string,
  display: (key: keyof P & string, side: 'theirs' | 'mine') => ReactNode = (k, side) => showValue(side === 'mine' ? mine[k] : theirs[k]),
): ConflictRow[] {
  return (Object.keys(mine) as Array<keyof P & string>)
    .filter((k) => showValue(mine[k]) !== showValue(theirs[k]))
    .map((k) => ({ key: k, label: label(k), theirs: display(k, 'theirs'), mine: display(k, 'mine') }));
}

/**
 * Someone saved the record while it was being edited (409 with their version): both versions side by side,
 * then the user takes theirs into the form or saves their own over it.
 */
export function ConflictAlert({ rows, onReload, onReapply }: { rows: ConflictRow[]; onReload: () => void; onReapply: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert color="orange" title={t('customers.record.conflictTitle')} role="alert" data-testid="conflict">
      <Text size="sm" mb="xs">
        {t('customers.record.conflictBody')}
      </Text>
      <Table withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('audit.field')}</Table.Th>
            <Table.Th>{t('customers.record.theirs')}</Table.Th>
            <Table.Th>{t('customers.record.yours')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.key}>
              <Table.Td>{r.label}</Table.Td>
              <Table.Td>{r.theirs}</Table.Td>
              <Table.Td>{r.mine}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group mt="sm">
        <Button variant="default" onClick={onReload}>
          {t('customers.record.reload')}
        </Button>
        <Button color="orange" onClick={onReapply}>
          {t('customers.record.reapply')}
        </Button>
      </Group>
    </Alert>
  );
}
