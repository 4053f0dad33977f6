import {
  Anchor,
  Box,
  Button,
  FileInput,
  Group,
  Paper,
  Progress,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ErrorAlert } from '../../ui/error-alert';
import { importFinished, useFollowedImport, useOnImportFinished } from '../../ui/followed-import';
import { PageHeader } from '../../ui/page-header';
import { RecentImports } from '../../ui/recent-imports';
import { type EntityType, useCustomFields } from './customers-api';
import { contentTypeOf, fileDescription, type ImportJob, type ImportUpload, importFields } from './import-api';

/** The kind of the customers' jobs in the import engine (the list of recent imports). */
const IMPORT_KIND = 'customers';

/** Import wizard: upload a file, map its columns, start, follow the progress, download the rejected rows; below, the recent imports. */
export function ImportPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [entity, setEntity] = useState<EntityType>('person');
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<ImportUpload | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const send = useMutation({
    mutationFn: (f: File) => http.upload<ImportUpload>('/api/v1/imports', f, contentTypeOf(f), { entityType: entity, filename: f.name }),
    onSuccess: (made) => {
      setUpload(made);
      void queryClient.invalidateQueries({ queryKey: keys.imports });
    },
  });
  const started = (id: string) => {
    setJobId(id);
    void queryClient.invalidateQueries({ queryKey: keys.imports });
  };
  const reset = () => {
    setUpload(null);
    setJobId(null);
    setFile(null);
    send.reset();
  };

  return (
    <>
      <PageHeader title={t('customers.import.title')} />
      {!upload && (
        <Paper withBorder p="md" maw={640}>
          <Stack>
            <SegmentedControl
              value={entity}
              onChange={(v) => setEntity(v as EntityType)}
              data={[
                { value: 'person', label: t('customers.people') },
                { value: 'company', label: t('customers.companies') },
              ]}
            />
            <FileInput
              label={t('customers.import.file')}
              description={t('customers.import.fileHint')}
              accept=".csv,.tsv,.txt,.xlsx,.vcf"
              value={file}
              onChange={setFile}
              leftSection={<IconUpload size={16} />}
            />
            <ErrorAlert error={send.error} />
            <Group justify="flex-end">
              <Button disabled={!file} loading={send.isPending} onClick={() => file && send.mutate(file)}>
                {t('customers.import.upload')}
              </Button>
            </Group>
          </Stack>
        </Paper>
      )}
      {upload && !jobId && <MappingStep upload={upload} onStarted={started} onCancel={reset} />}
      {jobId && <ProgressStep jobId={jobId} onAnother={reset} />}
      <Box mt="xl">
        <RecentImports
          kind={IMPORT_KIND}
          ns="customers.import"
          summary={(job) => t('customers.import.recent.summary', customerCounts(job.counts))}
          reportHref={(job) => `/api/v1/imports/${job.id}/errors.csv`}
        />
      </Box>
    </>
  );
}

/** The customers kind's tallies (counts of the engine's job), 0 for those a job has not reached yet. */
const customerCounts = (c: Record<string, number>) => ({
  created: c.created ?? 0,
  updated: c.updated ?? 0,
  skipped: c.skipped ?? 0,
});

function MappingStep({ upload, onStarted, onCancel }: { upload: ImportUpload; onStarted: (id: string) => void; onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  const custom = useCustomFields(upload.entityType);
  const [mapping, setMapping] = useState<Record<string, string>>(upload.suggestedMapping);
  const [mode, setMode] = useState('create');
  const [matchOn, setMatchOn] = useState('email');
  const [encoding, setEncoding] = useState<string | null>(upload.encoding);
  const described = fileDescription(upload);
  const fieldOptions = [
    ...importFields[upload.entityType].map((f) => ({
      value: f,
      label: t(`customers.import.fields.${f}`, { defaultValue: t(`customers.fields.${f}`, { defaultValue: f }) }),
    })),
    ...(custom.data ?? []).map((f) => ({ value: `custom.${f.key}`, label: i18n.resolvedLanguage === 'en' ? f.labelEn : f.labelJa })),
  ];
  const start = useMutation({
    mutationFn: () =>
      http.post<ImportJob>(`/api/v1/imports/${upload.id}/start`, { mapping, mode, matchOn, ...(encoding ? { encoding } : {}) }),
    onSuccess: (job) => onStarted(job.id),
  });
  return (
    <Stack>
      <Text size="sm">
        {t(`customers.import.${described.key}`, { file: upload.filename, format: described.format, encoding: described.encoding })}
      </Text>
      <Table.ScrollContainer minWidth={600}>
        <Table withTableBorder data-testid="import-mapping">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('customers.import.column')}</Table.Th>
              <Table.Th>{t('customers.import.field')}</Table.Th>
              <Table.Th>{t('customers.import.preview')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {upload.header.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: columns are identified by their position in the file
              <Table.Tr key={`${i}-${h}`}>
                <Table.Td>{h}</Table.Td>
                <Table.Td>
                  <Select
                    aria-label={t('customers.import.fieldFor', { column: h })}
                    data={fieldOptions}
                    value={mapping[String(i)] ?? null}
                    clearable
                    searchable
                    placeholder={t('customers.import.ignore')}
                    onChange={(v) => {
                      const next = { ...mapping };
                      if (v) next[String(i)] = v;
                      else delete next[String(i)];
                      setMapping(next);
                    }}
                  />
                </Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {upload.preview
                      .slice(0, 3)
                      .map((row) => row[i] ?? '')
                      .filter(Boolean)
                      .join(' / ')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <SimpleGrid cols={{ base: 1, sm: 3 }} maw={900}>
        <Select
          label={t('customers.import.mode')}
          value={mode}
          onChange={(v) => setMode(v ?? 'create')}
          allowDeselect={false}
          data={['create', 'update_matching', 'skip_duplicates'].map((m) => ({ value: m, label: t(`customers.import.modes.${m}`) }))}
        />
        <Select
          label={t('customers.import.matchOn')}
          value={matchOn}
          onChange={(v) => setMatchOn(v ?? 'email')}
          allowDeselect={false}
          disabled={mode === 'create'}
          data={['email', 'phone', 'id'].map((m) => ({ value: m, label: t(`customers.import.match.${m}`) }))}
        />
        {encoding !== null && (
          <Select
            label={t('customers.import.encoding')}
            value={encoding}
            onChange={(v) => setEncoding(v ?? 'utf8')}
            allowDeselect={false}
            data={[
              { value: 'utf8', label: 'UTF-8' },
              { value: 'cp932', label: 'Shift_JIS (CP932)' },
            ]}
          />
        )}
      </SimpleGrid>
      <ErrorAlert error={start.error} />
      <Group>
        <Button variant="default" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
        <Button loading={start.isPending} disabled={Object.keys(mapping).length === 0} onClick={() => start.mutate()}>
          {t('customers.import.start')}
        </Button>
      </Group>
    </Stack>
  );
}

/** Follows the job by its pushed progress (no polling); the people or companies lists are refreshed once it is done. */
function ProgressStep({ jobId, onAnother }: { jobId: string; onAnother: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const job = useFollowedImport<ImportJob>(IMPORT_KIND, `/api/v1/imports/${jobId}`, jobId);
  const j = job.data;
  useOnImportFinished(j?.status, () => {
    void queryClient.invalidateQueries({ queryKey: j?.entityType === 'company' ? keys.companies : keys.people });
  });
  if (!j) return <ErrorAlert error={job.error} />;
  const finished = importFinished(j.status);
  return (
    <Paper withBorder p="md" maw={640} data-testid="import-progress" data-status={j.status}>
      <Stack>
        <Text fw={500}>{t(`customers.import.status.${j.status}`)}</Text>
        <Progress
          value={finished ? 100 : Math.round(j.progress * 100)}
          animated={!finished}
          color={j.status === 'failed' ? 'red' : undefined}
        />
        <Text size="sm">
          {t('customers.import.counts', {
            processed: j.processed,
            created: j.created,
            updated: j.updated,
            skipped: j.skipped,
            rejected: j.rejected,
          })}
        </Text>
        {j.failure && (
          <Text c="red" size="sm">
            {j.failure}
          </Text>
        )}
        {j.rejected > 0 && (
          <Anchor href={`/api/v1/imports/${j.id}/errors.csv`} download>
            {t('customers.import.errorReport')}
          </Anchor>
        )}
        {finished && (
          <Group>
            <Button variant="default" onClick={onAnother}>
              {t('customers.import.another')}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
