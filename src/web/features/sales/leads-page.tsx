import { Anchor, Badge, Button, Group, Modal, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { IconPlus, IconUserPlus } from '@tabler/icons-react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { leadSources } from '../../../shared/contracts/sales';
import { PREFECTURES } from '../../../shared/prefectures';
import { http } from '../../app/api-client';
import { useCan } from '../../app/session';
import { EmptyState } from '../../ui/empty-state';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { ListSearchBox, useListSearch } from '../../ui/list-search';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { useUsers } from '../customers/customers-api';
import { type Lead, salesKeys } from './sales-api';

export const leadStatusColor: Record<string, string> = {
  new: 'blue',
  working: 'yellow',
  qualified: 'green',
  disqualified: 'gray',
  converted: 'grape',
};

/** 見込み客: newest first, by status; source and channel show where each came from. */
export function LeadsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const fmt = useFormatDateTime();
  const [status, setStatus] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const { text: searchText, setText: setSearchText, search } = useListSearch();
  const leads = useInfiniteQuery({
    queryKey: [...salesKeys.leads, status, search],
    queryFn: ({ pageParam }) =>
      http.get<{ data: Lead[]; nextCursor: string | null }>('/api/v1/leads', {
        status: status ?? undefined,
        filter: search ? JSON.stringify({ field: 'search', op: 'contains', value: search }) : undefined,
        limit: 50,
        cursor: pageParam,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const statuses = ['new', 'working', 'qualified', 'disqualified', 'converted'];
  return (
    <Stack>
      <PageHeader title={t('sales.leads.title')}>
        <Group>
          <ListSearchBox
            label={t('sales.leads.search.label')}
            placeholder={t('sales.leads.search.placeholder')}
            value={searchText}
            onChange={setSearchText}
            width={240}
          />
          <Select
            aria-label={t('sales.leads.field.status')}
            placeholder={t('sales.leads.allStatuses')}
            data={statuses.map((s) => ({ value: s, label: t(`sales.leads.status.${s}`) }))}
            value={status}
            onChange={setStatus}
            clearable
            w={180}
          />
          {can('records.write') && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              {t('sales.leads.new')}
            </Button>
          )}
        </Group>
      </PageHeader>
      {leads.isPending ? (
        <PageLoader />
      ) : leads.error ? (
        <ErrorState error={leads.error} onRetry={() => void leads.refetch()} />
      ) : (
        <>
          <Table.ScrollContainer minWidth={700}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('sales.leads.field.familyName')}</Table.Th>
                  <Table.Th>{t('sales.leads.field.companyName')}</Table.Th>
                  <Table.Th>{t('sales.leads.field.status')}</Table.Th>
                  <Table.Th>{t('sales.leads.field.source')}</Table.Th>
                  <Table.Th>{t('sales.leads.field.channel')}</Table.Th>
                  <Table.Th>{t('sales.leads.field.created')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {leads.data.pages
                  .flatMap((p) => p.data)
                  .map((l) => (
                    <Table.Tr key={l.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/leads/${l.id}`}>
                          {l.displayName}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{l.companyName ?? ''}</Table.Td>
                      <Table.Td>
                        <Badge color={leadStatusColor[l.status]} variant="light">
                          {t(`sales.leads.status.${l.status}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{t(`sales.leads.source.${l.source}`)}</Table.Td>
                      <Table.Td>{l.channel ?? ''}</Table.Td>
                      <Table.Td>{fmt(l.createdAt)}</Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {leads.data.pages[0]?.data.length === 0 &&
            (status || search ? (
              <Text c="dimmed" ta="center">
                {t('sales.leads.empty')}
              </Text>
            ) : (
              <EmptyState message={t('sales.leads.emptyState')} icon={<IconUserPlus size={24} />}>
                {can('records.write') && (
                  <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
                    {t('sales.leads.emptyAdd')}
                  </Button>
                )}
              </EmptyState>
            ))}
          {leads.hasNextPage && (
            <Button variant="subtle" onClick={() => void leads.fetchNextPage()} loading={leads.isFetchingNextPage}>
              {t('sales.deals.loadMore')}
            </Button>
          )}
        </>
      )}
      {creating && <LeadFormModal onClose={() => setCreating(false)} />}
    </Stack>
  );
}

/** 見込み客を登録 / 編集: the same form; an edit sends the version it started from (stale → 409 shown). */
export function LeadFormModal({ lead, onClose }: { lead?: Lead; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const users = useUsers();
  const [v, setV] = useState({
    familyName: lead?.familyName ?? '',
    givenName: lead?.givenName ?? '',
    companyName: lead?.companyName ?? '',
    title: lead?.title ?? '',
    email: lead?.email ?? '',
    phone: lead?.phone ?? '',
    source: lead?.source ?? 'manual',
    channel: lead?.channel ?? '',
    prefecture: lead?.prefecture ?? '',
    notes: lead?.notes ?? '',
  });
  const [ownerId, setOwnerId] = useState<string | null>(lead?.ownerId ?? null);
  const field = (k: keyof typeof v) => ({
    label: t(`sales.leads.field.${k}`),
    value: v[k],
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      const value = e.currentTarget.value;
      setV((x) => ({ ...x, [k]: value }));
    },
  });
  const create = useMutation({
    mutationFn: () => {
      const body = { ...Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === '' ? null : x])), ...(ownerId ? { ownerId } : {}) };
      return lead
        ? http.patch<Lead>(`/api/v1/leads/${lead.id}`, { version: lead.version, ...body })
        : http.post<Lead>('/api/v1/leads', body);
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: salesKeys.all });
      onClose();
      if (!lead) navigate(`/leads/${saved.id}`);
    },
  });
  return (
    <Modal opened onClose={onClose} title={t(lead ? 'sales.leads.edit' : 'sales.leads.new')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <SimpleGrid cols={2}>
            <TextInput {...field('familyName')} required data-autofocus />
            <TextInput {...field('givenName')} />
          </SimpleGrid>
          <SimpleGrid cols={2}>
            <TextInput {...field('companyName')} />
            <TextInput {...field('title')} />
          </SimpleGrid>
          <SimpleGrid cols={2}>
            <TextInput {...field('email')} type="email" />
            <TextInput {...field('phone')} />
          </SimpleGrid>
          <SimpleGrid cols={2}>
            <Select
              label={t('sales.leads.field.source')}
              data={leadSources.map((s) => ({ value: s, label: t(`sales.leads.source.${s}`) }))}
              value={v.source}
              onChange={(s) => setV((x) => ({ ...x, source: s ?? 'other' }))}
              allowDeselect={false}
            />
            <TextInput {...field('channel')} />
          </SimpleGrid>
          <Select
            label={t('assignment.leadFields.prefecture')}
            data={PREFECTURES.map((p) => ({ value: p.name, label: i18n.language === 'ja' ? p.name : `${p.en} (${p.name})` }))}
            value={v.prefecture || null}
            onChange={(p) => setV((x) => ({ ...x, prefecture: p ?? '' }))}
            searchable
            clearable
          />
          <Select
            label={t('sales.leads.field.owner')}
            data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
            value={ownerId}
            onChange={setOwnerId}
            searchable
          />
          <Textarea {...field('notes')} autosize minRows={2} />
          <ErrorAlert error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t(lead ? 'common.save' : 'common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
