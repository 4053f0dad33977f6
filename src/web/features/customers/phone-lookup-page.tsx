import { Alert, Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconBuilding, IconPhoneCall, IconSearch, IconUserPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { normalizePhone } from '../../../shared/jp-text';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { useFormatDateTime } from '../../ui/format';
import { PageHeader } from '../../ui/page-header';
import { type Company, type Person, useUsers } from './customers-api';
import { RecordCreateModal } from './record-dialogs';

interface LookupResult {
  e164: string | null;
  people: Person[];
  companies: Company[];
}

const MOBILE = /^0[789]0/;

/**
 * 着信ポップアップ: `/lookup?phone=…` shows who is calling from a number written in any format
 * (full-width digits, hyphens, +81). A telephony system can open this address on an incoming call.
 */
export function PhoneLookupPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const phone = params.get('phone')?.trim() ?? '';
  const [typed, setTyped] = useState(phone);
  const [creating, { open, close }] = useDisclosure(false);
  const lookup = useQuery({
    queryKey: [...keys.people, 'lookup', phone],
    queryFn: () => http.get<LookupResult>('/api/v1/lookup/phone', { number: phone }),
    enabled: phone.length > 0,
  });
  const national = useMemo(() => normalizePhone(phone)?.national ?? phone, [phone]);
  const data = lookup.data;
  const found = data ? data.people.length + data.companies.length : 0;

  return (
    <Stack>
      <PageHeader title={t('customers.lookup.title')} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const next = typed.trim();
          setParams(next ? { phone: next } : {});
        }}
      >
        <Group align="flex-end" gap="xs">
          <TextInput
            label={t('customers.lookup.phone')}
            description={t('customers.lookup.hint')}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            leftSection={<IconPhoneCall size={16} />}
            inputMode="tel"
            maxLength={40}
            w={320}
            data-autofocus
          />
          <Button type="submit" leftSection={<IconSearch size={16} />}>
            {t('customers.lookup.submit')}
          </Button>
        </Group>
      </form>
      <ErrorAlert error={lookup.error} />
      {data && !data.e164 && (
        <Alert color="yellow" data-testid="lookup-invalid">
          {t('customers.lookup.invalid', { phone })}
        </Alert>
      )}
      {data?.e164 && (
        <Stack gap="sm" data-testid="lookup-result">
          <Text c="dimmed" size="sm">
            {t('customers.lookup.searched', { national, e164: data.e164, count: found })}
          </Text>
          {found === 0 && (
            <Alert color="gray" title={t('customers.lookup.noMatch')}>
              {can('records.write') && (
                <Button mt="xs" leftSection={<IconUserPlus size={16} />} onClick={open}>
                  {t('customers.lookup.createPerson')}
                </Button>
              )}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {data.people.map((p) => (
              <PersonCard key={p.id} person={p} />
            ))}
            {data.companies.map((c) => (
              <CompanyCard key={c.id} company={c} />
            ))}
          </SimpleGrid>
        </Stack>
      )}
      {creating && (
        <RecordCreateModal
          entity="person"
          onClose={close}
          initial={{ phones: [{ label: MOBILE.test(national) ? 'mobile' : 'work', number: national }] }}
        />
      )}
    </Stack>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  if (children === null || children === undefined || children === '') return null;
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" w={96} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Group>
  );
}

function PersonCard({ person: p }: { person: Person }) {
  const { t } = useTranslation();
  const users = useUsers();
  const formatDateTime = useFormatDateTime();
  const owner = users.data?.find((u) => u.id === p.ownerId)?.name;
  const kana = [p.familyNameKana, p.givenNameKana].filter(Boolean).join(' ');
  return (
    <Card withBorder data-testid="lookup-person">
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <div>
            <Title order={2} size="h4">
              <Anchor component={Link} to={`/people/${p.id}`}>
                {p.displayName}
              </Anchor>
            </Title>
            {kana && (
              <Text size="xs" c="dimmed">
                {kana}
              </Text>
            )}
          </div>
          <Badge variant="light">{t('customers.search.people')}</Badge>
        </Group>
        <Fact label={t('customers.col.company')}>
          {p.company ? (
            <Anchor component={Link} to={`/companies/${p.company.id}`} size="sm">
              {p.company.name}
            </Anchor>
          ) : null}
          {p.title ? ` · ${p.title}` : ''}
        </Fact>
        <Fact label={t('customers.col.phone')}>
          {p.phones.map((x) => `${x.number} (${t(`customers.enums.${x.label}`, { defaultValue: x.label })})`).join('、')}
        </Fact>
        <Fact label={t('customers.col.email')}>{p.emails.map((x) => x.address).join('、')}</Fact>
        <Fact label={t('customers.col.prefecture')}>{[p.prefecture, p.city].filter(Boolean).join('')}</Fact>
        <Fact label={t('customers.col.owner')}>{owner}</Fact>
        <Fact label={t('customers.col.tags')}>
          {p.tags.length ? (
            <Group gap={4}>
              {p.tags.map((tag) => (
                <Badge key={tag} size="sm" variant="light">
                  {tag}
                </Badge>
              ))}
            </Group>
          ) : null}
        </Fact>
        <Fact label={t('customers.col.updated')}>{formatDateTime(p.updatedAt)}</Fact>
      </Stack>
    </Card>
  );
}

function CompanyCard({ company: c }: { company: Company }) {
  const { t } = useTranslation();
  return (
    <Card withBorder data-testid="lookup-company">
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <IconBuilding size={18} />
            <Title order={2} size="h4">
              <Anchor component={Link} to={`/companies/${c.id}`}>
                {c.name}
              </Anchor>
            </Title>
          </Group>
          <Badge variant="light" color="grape">
            {t('customers.search.companies')}
          </Badge>
        </Group>
        <Fact label={t('customers.col.industry')}>{c.industry}</Fact>
        <Fact label={t('customers.col.phone')}>{c.phones.map((x) => x.number).join('、')}</Fact>
        <Fact label={t('customers.col.prefecture')}>{[c.prefecture, c.city].filter(Boolean).join('')}</Fact>
        <Fact label={t('customers.col.employees')}>{c.employeeCount?.toLocaleString()}</Fact>
      </Stack>
    </Card>
  );
}
