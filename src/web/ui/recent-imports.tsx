import { Anchor, Badge, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { User } from '../../shared/contracts/accounts';
import type { ImportStatus, ImportSummary } from '../../shared/contracts/imports';
import { http } from '../app/api-client';
import { keys } from '../app/query-client';
import { useFormatDateTime } from './format';

const LIMIT = 10;
// Names, dates and states stay on one line; the table scrolls sideways in a narrow dialog instead.
const NOWRAP = { whiteSpace: 'nowrap' } as const;
const colors: Record<ImportStatus, string> = {
  uploading: 'gray',
  uploaded: 'gray',
  queued: 'gray',
  running: 'blue',
  completed: 'green',
  failed: 'red',
};

export interface RecentImportsProps {
  /** The kind of import listed (GET /api/v1/imports?kind=). */
  kind: string;
  /** Where the feature keeps the panel's title, empty text and tallies (`<ns>.recent.*`); columns and states are the shell's `imports.*`. */
  ns: string;
  /** The kind's tallies in a few words, e.g. "created 3, updated 1". */
  summary: (job: ImportSummary) => string;
  /** The rejected-rows report of a job of this kind. */
  reportHref: (job: ImportSummary) => string;
}

/** The kind's most recent imports the user may see: file, who, when, state, tallies and the rejected rows' report. */
export function RecentImports({ kind, ns, summary, reportHref }: RecentImportsProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const formatDateTime = useFormatDateTime();
  // Who started each job: the workspace's users (the same query, and cache, as the other screens naming users).
  const users = useQuery({ queryKey: keys.users, queryFn: () => http.get<{ data: User[] }>('/api/v1/users'), select: (r) => r.data });
  // Marked stale by the jobs' pushed progress (keys.imports), like the job a screen follows.
  const list = useQuery({
    queryKey: [...keys.imports, 'recent', kind],
    queryFn: () => http.get<{ data: ImportSummary[] }>('/api/v1/imports', { kind, limit: LIMIT }),
    select: (r) => r.data,
  });
  const nameOf = (id: string | null) => users.data?.find((u) => u.id === id)?.name ?? t('common.none');
  const jobs = list.data ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={headingId} data-testid="recent-imports">
      <Stack gap="sm">
        <Title order={2} size="h4" id={headingId}>
          {t(`${ns}.recent.title`)}
        </Title>
        {list.isSuccess && jobs.length === 0 && (
          <Text size="sm" c="dimmed">
            {t(`${ns}.recent.empty`)}
          </Text>
        )}
        {jobs.length > 0 && (
          <Table.ScrollContainer minWidth={640}>
            <Table aria-labelledby={headingId} verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col" style={NOWRAP}>
                    {t(`imports.file`)}
                  </Table.Th>
                  <Table.Th scope="col" style={NOWRAP}>
                    {t(`imports.who`)}
                  </Table.Th>
                  <Table.Th scope="col" style={NOWRAP}>
                    {t(`imports.when`)}
                  </Table.Th>
                  <Table.Th scope="col" style={NOWRAP}>
                    {t(`imports.status`)}
                  </Table.Th>
                  <Table.Th scope="col" style={NOWRAP}>
                    {t(`imports.result`)}
                  </Table.Th>
                  <Table.Th scope="col" style={NOWRAP}>
                    {t(`imports.report`)}
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {jobs.map((job) => (
                  <Table.Tr key={job.id}>
                    <Table.Th scope="row" fw={500}>
                      {job.filename}
                    </Table.Th>
                    <Table.Td style={NOWRAP}>{nameOf(job.createdBy)}</Table.Td>
                    <Table.Td style={NOWRAP}>
                      <time dateTime={job.createdAt}>{formatDateTime(job.createdAt)}</time>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={colors[job.status]} styles={{ label: { overflow: 'visible' } }}>
                        {t(`imports.states.${job.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{t(`imports.counts`, { processed: job.processed, rejected: job.rejected, summary: summary(job) })}</Table.Td>
                    <Table.Td>
                      {job.rejected > 0 ? (
                        <Anchor href={reportHref(job)} download aria-label={t(`imports.reportFor`, { file: job.filename })}>
                          {t(`imports.reportLink`)}
                        </Anchor>
                      ) : (
                        t('common.none')
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
