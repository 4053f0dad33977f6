import { Alert, Anchor, Button, FileButton, Group, Modal, Progress, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { IconFileImport } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrderImportErrors, OrderImportJob } from '../../../shared/contracts/commerce';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ErrorAlert } from '../../ui/error-alert';
import { importFinished, useFollowedImport, useOnImportFinished } from '../../ui/followed-import';
import { RecentImports } from '../../ui/recent-imports';
import { commerceKeys } from './commerce-api';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The kind of order jobs in the import engine (the list of recent imports). */
const IMPORT_KIND = 'orders';
const SHOWN_ERRORS = 100;

/** 注文のインポート: the file is uploaded and imported by a background job; the dialog follows its progress. */
export function OrderImportButton() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [encoding, setEncoding] = useState<'utf8' | 'cp932'>('utf8');
  const [jobId, setJobId] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: (file: File) => {
      const name = file.name.toLowerCase();
      const xlsx = name.endsWith('.xlsx');
      const format = xlsx ? 'xlsx' : name.endsWith('.tsv') ? 'tsv' : 'csv';
      return http.upload<OrderImportJob>('/api/v1/orders/imports', file, xlsx ? XLSX : 'text/csv', {
        format,
        encoding,
        filename: file.name.slice(0, 255),
      });
    },
    onSuccess: (job) => {
      setJobId(job.id);
      void queryClient.invalidateQueries({ queryKey: keys.imports });
    },
  });
  const reset = () => {
    setJobId(null);
    upload.reset();
  };
  return (
    <>
      <Button variant="default" leftSection={<IconFileImport size={16} />} onClick={() => setOpened(true)}>
        {t('commerce.import.button')}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={t('commerce.import.title')} size="xl">
        <Stack>
          <Text size="sm" c="dimmed">
            {t('commerce.import.hint')}
          </Text>
          {jobId ? (
            <ImportProgress jobId={jobId} onAnother={reset} />
          ) : (
            <>
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
              <FileButton onChange={(f) => f && upload.mutate(f)} accept=".csv,.tsv,.txt,.xlsx">
                {(props) => (
                  <Button {...props} loading={upload.isPending} w="fit-content">
                    {t('commerce.import.choose')}
                  </Button>
                )}
              </FileButton>
              {upload.error && <ErrorAlert error={upload.error} />}
            </>
          )}
          <RecentImports
            kind={IMPORT_KIND}
            ns="commerce.import"
            summary={(job) => t('commerce.import.recent.summary', { inserted: job.counts.inserted ?? 0, skipped: job.counts.skipped ?? 0 })}
            reportHref={(job) => `/api/v1/orders/imports/${job.id}/errors.csv`}
          />
        </Stack>
      </Modal>
    </>
  );
}

/** Follows the job by its pushed progress (no polling); once it is done, lists the first rejected rows with their reasons. */
function ImportProgress({ jobId, onAnother }: { jobId: string; onAnother: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const job = useFollowedImport<OrderImportJob>(IMPORT_KIND, `/api/v1/orders/imports/${jobId}`, jobId);
  const j = job.data;
  const finished = importFinished(j?.status);
  // The job's queries live under keys.imports, so refreshing the orders tree does not refetch them.
  useOnImportFinished(j?.status, () => {
    void queryClient.invalidateQueries({ queryKey: commerceKeys.all });
    void queryClient.invalidateQueries({ queryKey: keys.people });
    void queryClient.invalidateQueries({ queryKey: keys.companies });
  });
  const errors = useQuery({
    queryKey: [...keys.imports, IMPORT_KIND, jobId, 'errors'],
    queryFn: () => http.get<OrderImportErrors>(`/api/v1/orders/imports/${jobId}/errors`, { limit: SHOWN_ERRORS }),
    enabled: finished && (j?.rejected ?? 0) > 0,
  });
  if (!j) return <ErrorAlert error={job.error} />;
  const reason = (code: string) => t(`commerce.import.reasons.${code}`, { defaultValue: code });
  return (
    <Stack data-testid="order-import-progress" data-status={j.status}>
      <Text fw={500}>{t(`commerce.import.status.${j.status}`)}</Text>
      <Progress
        value={finished ? 100 : Math.round(j.progress * 100)}
        animated={!finished}
        color={j.status === 'failed' ? 'red' : undefined}
      />
      <Alert color={j.status === 'failed' ? 'red' : j.rejected ? 'yellow' : 'green'} data-testid="order-import-result">
        {t('commerce.import.counts', { processed: j.processed, orders: j.inserted, skipped: j.skipped, rejected: j.rejected })}
        {j.failure && <Text size="sm">{j.failure}</Text>}
      </Alert>
      {j.rejected > 0 && (
        <Anchor href={`/api/v1/orders/imports/${j.id}/errors.csv`} download>
          {t('commerce.import.errorReport')}
        </Anchor>
      )}
      {errors.data && errors.data.data.length > 0 && (
        <Table data-testid="order-import-rejected">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('commerce.import.row')}</Table.Th>
              <Table.Th>{t('commerce.orders.columns.number')}</Table.Th>
              <Table.Th>{t('commerce.import.reason')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {errors.data.data.map((x) => (
              <Table.Tr key={x.row}>
                <Table.Td>{x.row}</Table.Td>
                <Table.Td>{x.orderNumber}</Table.Td>
                <Table.Td>{x.reasons.map(reason).join(t('commerce.import.reasonSeparator'))}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {errors.data?.nextAfterRow && (
        <Text size="sm" c="dimmed">
          {t('commerce.import.moreInReport', { shown: SHOWN_ERRORS })}
        </Text>
      )}
      {finished && (
        <Group>
          <Button variant="default" onClick={onAnother}>
            {t('commerce.import.another')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
