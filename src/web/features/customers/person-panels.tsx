import { Anchor, Badge, Button, Group, Select, Stack, Table, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { useFormatDateTime } from '../../ui/format';
import { PageLoader } from '../../ui/page-loader';
import { RecordDuplicates } from './record-duplicates';

interface Employment {
  id: string;
  companyId: string;
  companyName: string;
  departmentName: string | null;
  title: string | null;
  startedOn: string | null;
  endedOn: string | null;
}
interface Consent {
  id: string;
  channel: string;
  status: string;
  method: string;
  wording: string | null;
  recordedAt: string;
}

export function EmploymentsPanel({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: [...keys.people, 'employments', personId],
    queryFn: () => http.get<{ data: Employment[] }>(`/api/v1/people/${personId}/employments`),
  });
  if (q.isPending) return <PageLoader />;
  const rows = q.data?.data ?? [];
  if (rows.length === 0) return <Text c="dimmed">{t('customers.record.noEmployments')}</Text>;
  return (
    <Table>
      <Table.Tbody>
        {rows.map((e) => (
          <Table.Tr key={e.id}>
            <Table.Td>
              <Anchor component={Link} to={`/companies/${e.companyId}`}>
                {e.companyName}
              </Anchor>
            </Table.Td>
            <Table.Td>{[e.departmentName, e.title].filter(Boolean).join(' / ')}</Table.Td>
            <Table.Td>
              {t('customers.record.period', { from: e.startedOn ?? '', to: e.endedOn ?? '' })}
              {!e.endedOn && (
                <Badge ml="xs" size="sm" variant="light">
                  {t('customers.record.current')}
                </Badge>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const channels = ['email', 'dm', 'phone', 'sms'] as const;
const methods = ['web_form', 'paper', 'verbal', 'email', 'import', 'other'] as const;

export function ConsentsPanel({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ channel: 'email', status: 'granted', method: 'web_form', wording: '' });
  const q = useQuery({
    queryKey: [...keys.people, 'consents', personId],
    queryFn: () => http.get<{ data: Consent[] }>(`/api/v1/people/${personId}/consents`),
  });
  const record = useMutation({
    mutationFn: () => http.post(`/api/v1/people/${personId}/consents`, { ...form, wording: form.wording || null }),
    onSuccess: () => {
      setForm((f) => ({ ...f, wording: '' }));
      void queryClient.invalidateQueries({ queryKey: keys.people });
    },
  });
  const rows = q.data?.data ?? [];
  return (
    <Stack>
      {rows.length === 0 ? (
        <Text c="dimmed">{t('customers.record.noConsents')}</Text>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('customers.record.recordedAt')}</Table.Th>
              <Table.Th>{t('customers.record.channel')}</Table.Th>
              <Table.Th>{t('customers.record.status')}</Table.Th>
              <Table.Th>{t('customers.record.method')}</Table.Th>
              <Table.Th>{t('customers.record.wording')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{formatDateTime(c.recordedAt)}</Table.Td>
                <Table.Td>{t(`customers.record.channels.${c.channel}`, { defaultValue: c.channel })}</Table.Td>
                <Table.Td>
                  <Badge color={c.status === 'granted' ? 'green' : 'red'} variant="light">
                    {t(`customers.enums.${c.status}`, { defaultValue: c.status })}
                  </Badge>
                </Table.Td>
                <Table.Td>{t(`customers.record.methods.${c.method}`, { defaultValue: c.method })}</Table.Td>
                <Table.Td>{c.wording}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {can('records.write') && (
        <Group align="flex-end" gap="xs">
          <Select
            label={t('customers.record.channel')}
            w={140}
            allowDeselect={false}
            value={form.channel}
            data={channels.map((c) => ({ value: c, label: t(`customers.record.channels.${c}`) }))}
            onChange={(v) => setForm({ ...form, channel: v ?? 'email' })}
          />
          <Select
            label={t('customers.record.status')}
            w={120}
            allowDeselect={false}
            value={form.status}
            data={['granted', 'withdrawn'].map((s) => ({ value: s, label: t(`customers.enums.${s}`) }))}
            onChange={(v) => setForm({ ...form, status: v ?? 'granted' })}
          />
          <Select
            label={t('customers.record.method')}
            w={150}
            allowDeselect={false}
            value={form.method}
            data={methods.map((m) => ({ value: m, label: t(`customers.record.methods.${m}`) }))}
            onChange={(v) => setForm({ ...form, method: v ?? 'web_form' })}
          />
          <Textarea
            label={t('customers.record.wording')}
            autosize
            minRows={1}
            style={{ flex: 1, minWidth: 200 }}
            value={form.wording}
            onChange={(e) => setForm({ ...form, wording: e.currentTarget.value })}
          />
          <Button loading={record.isPending} onClick={() => record.mutate()}>
            {t('customers.record.recordConsent')}
          </Button>
        </Group>
      )}
      <ErrorAlert error={record.error} />
    </Stack>
  );
}

/** Open duplicate pairs that mention this person. */
export function DuplicatesPanel({ personId }: { personId: string }) {
  return <RecordDuplicates entity="person" recordId={personId} />;
}
