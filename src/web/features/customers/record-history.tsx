import { Accordion, Code, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { useFormatDateTime } from '../../ui/format';
import { PageLoader } from '../../ui/page-loader';
import { changedFields, describeChange } from '../activities/change-format';
import { useChangeContext } from '../activities/use-change-context';
import { type EntityType, type HistoryEntry, pathOf, recordKeys } from './customers-api';

// Bookkeeping that changes with every write, and ids shown through the reference beside them (company, parent).
const IGNORED = ['version', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'searchText', 'displayName', 'companyId', 'parentId'];

/** Every change of a record: who, when, and each field's before and after. */
export function RecordHistory({ entity, id }: { entity: EntityType; id: string }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const ctx = useChangeContext(entity);
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
        const changed = changedFields(e.before ?? {}, e.after ?? {}, IGNORED).map((c) => ({ field: c.field, ...describeChange(c, ctx) }));
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
                  {changed.map((c) => (
                    <Table.Tr key={c.field}>
                      <Table.Td>{c.label}</Table.Td>
                      <Table.Td style={{ wordBreak: 'break-word' }}>{c.before}</Table.Td>
                      <Table.Td style={{ wordBreak: 'break-word' }}>{c.after}</Table.Td>
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
