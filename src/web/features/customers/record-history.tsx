import { Accordion, Code, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { useFormatDateTime } from '../../ui/format';
import { PageLoader } from '../../ui/page-loader';
import { type EntityType, type HistoryEntry, pathOf, recordKeys } from './customers-api';

const show = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** Every change of a record: who, when, and each field's before and after. */
export function RecordHistory({ entity, id }: { entity: EntityType; id: string }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const history = useQuery({
    queryKey: [...recordKeys(entity), 'history', id],
    queryFn: () => http.get<{ data: HistoryEntry[] }>(`/api/v1/${pathOf(entity)}/${id}/history`),
  });
  if (history.isPending) return <PageLoader />;
  const entries = history.data?.data ?? [];
  if (entries.length === 0) return <Text c="dimmed">{t('customers.record.noHistory')}</Text>;
  return (
    <Accordion variant="separated" data-testid="record-history">
      {entries.map((e) => {
        const before = e.before ?? {};
        const after = e.after ?? {};
        const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
          (k) => show(before[k]) !== show(after[k]) && !['version', 'updatedAt', 'updatedBy', 'searchText'].includes(k),
        );
        return (
          <Accordion.Item key={e.id} value={e.id}>
            <Accordion.Control>
              <Text size="sm">
                {formatDateTime(e.createdAt)} · {e.actorName ?? t('audit.system')} · <Code>{e.action}</Code>
              </Text>
            </Accordion.Control>
            <Accordion.Panel>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('audit.field')}</Table.Th>
                    <Table.Th>{t('audit.before')}</Table.Th>
                    <Table.Th>{t('audit.after')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {changed.map((k) => (
                    <Table.Tr key={k}>
                      <Table.Td>{t(`customers.fields.${k}`, { defaultValue: k })}</Table.Td>
                      <Table.Td style={{ wordBreak: 'break-word' }}>{show(before[k])}</Table.Td>
                      <Table.Td style={{ wordBreak: 'break-word' }}>{show(after[k])}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Accordion.Panel>
          </Accordion.Item>
        );
      })}
    </Accordion>
  );
}
