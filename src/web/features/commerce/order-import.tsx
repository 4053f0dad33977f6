import { Alert, Button, FileButton, Group, Modal, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { IconFileImport } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrderImportResult } from '../../../shared/contracts/commerce';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ErrorAlert } from '../../ui/error-alert';
import { commerceKeys } from './commerce-api';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** 注文のインポート: a CSV/TSV/XLSX file straight to the import API; the answer lists the rejected rows and why. */
export function OrderImportButton() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [encoding, setEncoding] = useState<'utf8' | 'cp932'>('utf8');
  const run = useMutation({
    mutationFn: (file: File) => {
      const xlsx = file.name.toLowerCase().endsWith('.xlsx');
      const format = xlsx ? 'xlsx' : file.name.toLowerCase().endsWith('.tsv') ? 'tsv' : 'csv';
      return http.upload<OrderImportResult>('/api/v1/orders/import', file, xlsx ? XLSX : 'text/csv', { format, encoding });
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: commerceKeys.all });
      void queryClient.invalidateQueries({ queryKey: keys.people });
    },
  });
  const r = run.data;
  const reason = (code: string) => t(`commerce.import.reasons.${code}`, { defaultValue: code });
  return (
    <>
      <Button variant="default" leftSection={<IconFileImport size={16} />} onClick={() => setOpened(true)}>
        {t('commerce.import.button')}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={t('commerce.import.title')} size="lg">
        <Stack>
          <Text size="sm" c="dimmed">
            {t('commerce.import.hint')}
          </Text>
          <Group>
            <Text size="sm">{t('commerce.import.encoding')}</Text>
            <SegmentedControl
              value={encoding}
              onChange={(v) => setEncoding(v as 'utf8' | 'cp932')}
              data={[
                { value: 'utf8', label: 'UTF-8' },
                { value: 'cp932', label: 'Shift_JIS' },
              ]}
            />
          </Group>
          <FileButton onChange={(f) => f && run.mutate(f)} accept=".csv,.tsv,.txt,.xlsx">
            {(props) => (
              <Button {...props} loading={run.isPending} w="fit-content">
                {t('commerce.import.choose')}
              </Button>
            )}
          </FileButton>
          {run.error && <ErrorAlert error={run.error} />}
          {r && (
            <Alert color={r.rejectedCount ? 'yellow' : 'green'} data-testid="order-import-result">
              {t('commerce.import.result', { orders: r.orders, rows: r.rows, skipped: r.skipped, rejected: r.rejectedCount })}
            </Alert>
          )}
          {r && r.rejected.length > 0 && (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('commerce.import.row')}</Table.Th>
                  <Table.Th>{t('commerce.orders.columns.number')}</Table.Th>
                  <Table.Th>{t('commerce.import.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.rejected.map((x) => (
                  <Table.Tr key={x.row}>
                    <Table.Td>{x.row}</Table.Td>
                    <Table.Td>{x.orderNumber}</Table.Td>
                    <Table.Td>{x.reasons.map(reason).join('、')}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      </Modal>
    </>
  );
}
