import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Paper,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { CURRENCIES, MoneyInput } from '../../ui/money';
import { PageLoader } from '../../ui/page-loader';
import { RecordActivity } from '../activities/record-activity';
import { useUsers } from '../customers/customers-api';
import { LeadFormModal, leadStatusColor } from './leads-page';
import { type Lead, salesKeys, useLead } from './sales-api';

/** 見込み客の詳細: status, where it came from, and 取引開始 (convert) from any open status. */
export function LeadPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const can = useCan();
  const fmt = useFormatDateTime();
  const queryClient = useQueryClient();
  const lead = useLead(id);
  const users = useUsers();
  const [converting, setConverting] = useState(false);
  const [editing, setEditing] = useState(false);
  const setStatus = useMutation({
    mutationFn: (status: string) => http.patch<Lead>(`/api/v1/leads/${id}`, { version: lead.data?.version, status }),
    onSuccess: (l) => {
      queryClient.setQueryData(salesKeys.lead(id), l);
      void queryClient.invalidateQueries({ queryKey: salesKeys.leads });
    },
  });
  if (lead.isPending) return <PageLoader />;
  if (lead.error) return <ErrorState error={lead.error} onRetry={() => void lead.refetch()} />;
  const l = lead.data;
  const writable = can('records.write') && l.status !== 'converted';
  return (
    <Stack>
      <Anchor component={Link} to="/leads" size="sm">
        {t('sales.leads.title')}
      </Anchor>
      <Group justify="space-between">
        <Group>
          <Title order={1} size="h2">
            {l.displayName}
          </Title>
          <Badge color={leadStatusColor[l.status]}>{t(`sales.leads.status.${l.status}`)}</Badge>
        </Group>
        <Group>
          {writable && (
            <Select
              aria-label={t('sales.leads.field.status')}
              data={['new', 'working', 'qualified', 'disqualified'].map((s) => ({ value: s, label: t(`sales.leads.status.${s}`) }))}
              value={l.status}
              onChange={(s) => s && s !== l.status && setStatus.mutate(s)}
              allowDeselect={false}
              w={160}
            />
          )}
          {writable && (
            <Button variant="default" onClick={() => setEditing(true)}>
              {t('sales.leads.edit')}
            </Button>
          )}
          {writable && (
            <Button
              onClick={() => setConverting(true)}
              disabled={l.status === 'disqualified'}
              title={l.status === 'disqualified' ? t('sales.leads.onlyOpen') : undefined}
            >
              {t('sales.leads.convert')}
            </Button>
          )}
        </Group>
      </Group>
      <ErrorAlert error={setStatus.error} />
      {l.status === 'converted' && (
        <Alert color="grape" title={t('sales.leads.converted')}>
          <Group>
            {l.convertedPersonId && (
              <Anchor component={Link} to={`/people/${l.convertedPersonId}`}>
                {t('sales.leads.openPerson')}
              </Anchor>
            )}
            {l.convertedCompanyId && (
              <Anchor component={Link} to={`/companies/${l.convertedCompanyId}`}>
                {t('sales.leads.openCompany')}
              </Anchor>
            )}
            {l.convertedDealId && (
              <Anchor component={Link} to={`/deals/${l.convertedDealId}`}>
                {t('sales.leads.openDeal')}
              </Anchor>
            )}
          </Group>
        </Alert>
      )}
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
          <Field label={t('sales.leads.field.companyName')}>{l.companyName}</Field>
          <Field label={t('sales.leads.field.title')}>{l.title}</Field>
          <Field label={t('sales.leads.field.email')}>{l.email}</Field>
          <Field label={t('sales.leads.field.phone')}>{l.phone}</Field>
          <Field label={t('sales.leads.field.source')}>{t(`sales.leads.source.${l.source}`)}</Field>
          <Field label={t('sales.leads.field.channel')}>{l.channel}</Field>
          <Field label={t('assignment.leadFields.prefecture')}>{l.prefecture}</Field>
          <Field label={t('sales.leads.field.owner')}>{users.data?.find((u) => u.id === l.ownerId)?.name}</Field>
          <Field label={t('sales.leads.field.created')}>{fmt(l.createdAt)}</Field>
          <Field label={t('sales.leads.field.notes')}>{l.notes}</Field>
        </SimpleGrid>
      </Paper>
      <RecordActivity entityType="lead" entityId={l.id} />
      {converting && <ConvertDialog lead={l} onClose={() => setConverting(false)} />}
      {editing && <LeadFormModal lead={l} onClose={() => setEditing(false)} />}
    </Stack>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text component="div">{children || t('common.none')}</Text>
    </div>
  );
}

/** 取引開始: person (+ company) (+ deal) in one request; one transaction on the server. */
function ConvertDialog({ lead, onClose }: { lead: Lead; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [companyMode, setCompanyMode] = useState<'new' | 'none'>(lead.companyName ? 'new' : 'none');
  const [companyName, setCompanyName] = useState(lead.companyName ?? '');
  const [withDeal, setWithDeal] = useState(true);
  // the deal is named after the customer ("株式会社X 様 商談"); its amount is left for the rep to give, not ¥0
  const [dealTitle, setDealTitle] = useState(t('sales.leads.dealTitleDefault', { name: lead.companyName || lead.displayName }));
  const [amount, setAmount] = useState<number | null>(null);
  const [currency, setCurrency] = useState('JPY');
  const [ignoreDuplicates, setIgnoreDuplicates] = useState(false);
  const convert = useMutation({
    mutationFn: () =>
      http.post<{ personId: string; companyId: string | null; dealId: string | null }>(`/api/v1/leads/${lead.id}/convert`, {
        version: lead.version,
        person: { mode: 'new', ignoreDuplicates },
        company: companyMode === 'new' ? { mode: 'new', name: companyName, ignoreDuplicates } : { mode: 'none' },
        deal: withDeal ? { title: dealTitle, amount: amount ?? 0, currency } : null,
      }),
    onSuccess: (r) => {
      void queryClient.invalidateQueries({ queryKey: salesKeys.all });
      void queryClient.invalidateQueries({ queryKey: keys.people });
      void queryClient.invalidateQueries({ queryKey: keys.companies });
      onClose();
      navigate(r.dealId ? `/deals/${r.dealId}` : `/people/${r.personId}`);
    },
  });
  const duplicate = convert.error instanceof ApiError && convert.error.code === 'duplicate_suspected';
  return (
    <Modal opened onClose={onClose} title={t('sales.leads.convertTitle')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          convert.mutate();
        }}
      >
        <Stack>
          <Text size="sm">{t('sales.leads.convertHint')}</Text>
          <Text fw={600}>
            {t('sales.leads.personNew')}: {lead.displayName}
          </Text>
          <Radio.Group value={companyMode} onChange={(v) => setCompanyMode(v as 'new' | 'none')} label={t('sales.deals.field.company')}>
            <Group mt={4}>
              <Radio value="new" label={t('sales.leads.companyNew')} />
              <Radio value="none" label={t('sales.leads.companyNone')} />
            </Group>
          </Radio.Group>
          {companyMode === 'new' && (
            <TextInput
              label={t('sales.leads.field.companyName')}
              value={companyName}
              onChange={(e) => setCompanyName(e.currentTarget.value)}
              required
            />
          )}
          <Checkbox label={t('sales.leads.createDeal')} checked={withDeal} onChange={(e) => setWithDeal(e.currentTarget.checked)} />
          {withDeal && (
            <>
              <TextInput
                label={t('sales.leads.dealTitle')}
                value={dealTitle}
                onChange={(e) => setDealTitle(e.currentTarget.value)}
                required
              />
              <SimpleGrid cols={2}>
                <MoneyInput label={t('sales.deals.field.amount')} value={amount} onChange={setAmount} currency={currency} />
                <Select
                  label={t('sales.deals.field.currency')}
                  data={CURRENCIES}
                  value={currency}
                  onChange={(v) => setCurrency(v ?? 'JPY')}
                  allowDeselect={false}
                />
              </SimpleGrid>
            </>
          )}
          <ErrorAlert error={convert.error} />
          {duplicate && (
            <Checkbox
              label={t('sales.leads.ignoreDuplicates')}
              checked={ignoreDuplicates}
              onChange={(e) => setIgnoreDuplicates(e.currentTarget.checked)}
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={convert.isPending}>
              {t('sales.leads.convert')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
