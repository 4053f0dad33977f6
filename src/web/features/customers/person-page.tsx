import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { toWareki } from '../../../shared/jp-text';
import { useCan } from '../../app/session';
import { ErrorState } from '../../ui/error-state';
import { PageLoader } from '../../ui/page-loader';
import { RecordActivity } from '../activities/record-activity';
import { CustomerCommerce } from '../commerce/customer-commerce';
import { type Person, usePerson, useUsers } from './customers-api';
import { ConsentsPanel, DuplicatesPanel, EmploymentsPanel } from './person-panels';
import { RecordEditor } from './record-dialogs';
import { RecordHistory } from './record-history';

/** 顧客詳細: who they are, how to reach them, and what happened to the record. Refreshes live. */
export function PersonPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const can = useCan();
  const person = usePerson(id);
  const [editing, setEditing] = useState(false);
  const [tab, setTab] = useState<string | null>('details');

  if (person.isPending) return <PageLoader />;
  if (person.error) return <ErrorState error={person.error} onRetry={() => void person.refetch()} />;
  const p = person.data;
  const kana = [p.familyNameKana, p.givenNameKana].filter(Boolean).join(' ');

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          {kana && (
            <Text size="sm" c="dimmed" data-testid="person-kana">
              {kana}
            </Text>
          )}
          <Title order={1} size="h2">
            {p.displayName}
          </Title>
          <Group gap="xs" mt={4}>
            {p.company && (
              <Anchor component={Link} to={`/companies/${p.company.id}`}>
                {p.company.name}
              </Anchor>
            )}
            {p.title && <Text data-testid="person-title">{p.title}</Text>}
            {p.deletedAt && <Badge color="red">{t('customers.record.deleted')}</Badge>}
            {p.emails[0] && (
              <Anchor href={`mailto:${p.emails[0].address}`} size="sm">
                {p.emails[0].address}
              </Anchor>
            )}
            {p.phones[0] && (
              <Anchor href={`tel:${p.phones[0].e164}`} size="sm">
                {p.phones[0].number}
              </Anchor>
            )}
            {p.tags.map((tag) => (
              <Badge key={tag} variant="light">
                {tag}
              </Badge>
            ))}
          </Group>
        </div>
        {can('records.write') && !editing && (
          <Button
            leftSection={<IconPencil size={16} />}
            onClick={() => {
              setTab('details');
              setEditing(true);
            }}
          >
            {t('customers.record.edit')}
          </Button>
        )}
      </Group>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="details">{t('customers.record.details')}</Tabs.Tab>
          <Tabs.Tab value="history">{t('customers.record.history')}</Tabs.Tab>
          <Tabs.Tab value="employments">{t('customers.record.employments')}</Tabs.Tab>
          <Tabs.Tab value="consents">{t('customers.record.consents')}</Tabs.Tab>
          <Tabs.Tab value="duplicates">{t('customers.record.duplicates')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="details">
          {editing ? (
            <Paper withBorder p="md" maw={900}>
              <RecordEditor key={p.id} entity="person" record={p} onDone={() => setEditing(false)} />
            </Paper>
          ) : (
            <PersonDetails person={p} />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <RecordHistory entity="person" id={p.id} />
        </Tabs.Panel>
        <Tabs.Panel value="employments">
          <EmploymentsPanel personId={p.id} />
        </Tabs.Panel>
        <Tabs.Panel value="consents">
          <ConsentsPanel personId={p.id} />
        </Tabs.Panel>
        <Tabs.Panel value="duplicates">
          <DuplicatesPanel personId={p.id} />
        </Tabs.Panel>
      </Tabs>
      <CustomerCommerce entityType="person" entityId={p.id} />
      <RecordActivity entityType="person" entityId={p.id} />
    </Stack>
  );
}

function PersonDetails({ person: p }: { person: Person }) {
  const { t } = useTranslation();
  const users = useUsers();
  const owner = users.data?.find((u) => u.id === p.ownerId)?.name;
  let era = '';
  try {
    era = p.birthday ? toWareki(p.birthday).label : '';
  } catch {
    era = '';
  }
  const address = [p.postalCode ? `〒${p.postalCode}` : '', `${p.prefecture ?? ''}${p.city ?? ''}${p.town ?? ''}${p.addressLine ?? ''}`]
    .filter(Boolean)
    .join(' ');
  const rows: Array<[string, ReactNode]> = [
    [
      t('customers.fields.email'),
      p.emails.map((e) => <Text key={e.address} size="sm">{`${e.address} (${t(`customers.enums.${e.label}`)})`}</Text>),
    ],
    [
      t('customers.fields.phone'),
      p.phones.map((ph) => <Text key={ph.e164 + ph.number} size="sm">{`${ph.number} (${t(`customers.enums.${ph.label}`)})`}</Text>),
    ],
    [t('customers.fields.address'), address],
    [t('customers.fields.birthday'), p.birthday ? `${p.birthday}（${era}）` : ''],
    [t('customers.fields.gender'), p.gender ? t(`customers.enums.${p.gender}`) : ''],
    [t('customers.fields.title'), p.title],
    [t('customers.fields.emailPermission'), t(`customers.enums.${p.emailPermission}`)],
    [t('customers.fields.dmPermission'), t(`customers.enums.${p.dmPermission}`)],
    [t('customers.fields.owner'), owner],
    [
      t('customers.fields.household'),
      householdOf(p).map((h, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: household members have no id; the list is shown as saved
        <Text key={i} size="sm" data-testid="household-member">
          {[h.relation, h.name, h.birthday ? `${h.birthday}（${wareki(h.birthday)}）` : '', h.note].filter(Boolean).join(' · ')}
        </Text>
      )),
    ],
    [
      t('customers.fields.preferences'),
      p.preferences ? (
        <Text key="preferences" size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="person-preferences">
          {p.preferences}
        </Text>
      ) : null,
    ],
    [
      t('customers.fields.notes'),
      p.notes ? (
        <Text key="notes" size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="person-notes">
          {p.notes}
        </Text>
      ) : null,
    ],
  ];
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs" verticalSpacing="xs" maw={900} data-testid="person-details">
      {rows.map(([label, value]) => (
        <Group key={label} gap="md" wrap="nowrap" align="flex-start">
          <Text size="sm" c="dimmed" w={140} style={{ flexShrink: 0 }}>
            {label}
          </Text>
          <div>
            {isEmpty(value) ? (
              <Text size="sm">{t('common.none')}</Text>
            ) : typeof value === 'string' ? (
              <Text size="sm">{value}</Text>
            ) : (
              value
            )}
          </div>
        </Group>
      ))}
    </SimpleGrid>
  );
}

interface HouseholdMember {
  relation: string;
  name?: string | null;
  birthday?: string | null;
  note?: string | null;
}

/** 家族構成 as saved (the API types it loosely): members with a relation. */
function householdOf(p: Person): HouseholdMember[] {
  return p.household.filter(
    (h): h is HouseholdMember => typeof h === 'object' && h !== null && typeof (h as HouseholdMember).relation === 'string',
  );
}

function wareki(date: string): string {
  try {
    return toWareki(date).label;
  } catch {
    return '';
  }
}

const isEmpty = (v: ReactNode) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
