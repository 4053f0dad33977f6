import { Anchor, Badge, Button, Card, Group, Radio, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { useFormatDateTime } from '../../ui/format';
import { type Company, type EntityType, type Person, recordKeys } from './customers-api';

type AnyRecord = Person | Company;
export interface DuplicatePair {
  id: string;
  entityType: EntityType;
  reasons: string[];
  a: AnyRecord;
  b: AnyRecord;
}
type Choice = 'a' | 'b' | 'union';

const addr = (r: AnyRecord) =>
  [r.postalCode, `${r.prefecture ?? ''}${r.city ?? ''}${r.town ?? ''}${r.addressLine ?? ''}`].filter(Boolean).join(' ');
const list = (xs: string[]) => xs.join(', ');
const common: Array<[string, (r: AnyRecord) => string, boolean]> = [
  ['emails', (r) => list(r.emails.map((e) => e.address)), true],
  ['phones', (r) => list(r.phones.map((p) => p.number)), true],
  ['address', addr, false],
  ['tags', (r) => list(r.tags), true],
  ['notes', (r) => r.notes ?? '', true],
];
const p = (f: (r: Person) => string | null) => (r: AnyRecord) => f(r as Person) ?? '';
const c = (f: (r: Company) => string | number | null) => (r: AnyRecord) => String(f(r as Company) ?? '');
/** Mergeable fields: API name, how to show it, whether "both" (union) is allowed. */
const fieldsOf: Record<EntityType, Array<[string, (r: AnyRecord) => string, boolean]>> = {
  person: [
    ['familyName', p((r) => r.familyName), false],
    ['givenName', p((r) => r.givenName), false],
    ['familyNameKana', p((r) => r.familyNameKana), false],
    ['givenNameKana', p((r) => r.givenNameKana), false],
    ['birthday', p((r) => r.birthday), false],
    ['gender', p((r) => r.gender), false],
    ['company', p((r) => [r.company?.name, r.title].filter(Boolean).join(' / ')), false],
    ...common,
  ],
  company: [
    ['name', c((r) => r.name), false],
    ['nameKana', c((r) => r.nameKana), false],
    ['corporateNumber', c((r) => r.corporateNumber), false],
    ['industry', c((r) => r.industry), false],
    ['employeeCount', c((r) => r.employeeCount), false],
    ['website', c((r) => r.website), false],
    ...common,
  ],
};

const nameOf = (r: AnyRecord) => ('displayName' in r ? r.displayName : r.name);

/** One suspected pair side by side: dismiss it, or merge it choosing each differing field. */
export function DuplicatePairCard({ pair }: { pair: DuplicatePair }) {
  const { t } = useTranslation();
  const can = useCan();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const fields = fieldsOf[pair.entityType].filter(([, show]) => show(pair.a) !== '' || show(pair.b) !== '');
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [survivor, setSurvivor] = useState<'a' | 'b'>('a');
  const done = () => {
    void queryClient.invalidateQueries({ queryKey: keys.duplicates });
    void queryClient.invalidateQueries({ queryKey: recordKeys(pair.entityType) });
  };
  const dismiss = useMutation({ mutationFn: () => http.post(`/api/v1/duplicates/${pair.id}/dismiss`), onSuccess: done });
  const merge = useMutation({
    mutationFn: () => {
      const [s, m] = survivor === 'a' ? [pair.a, pair.b] : [pair.b, pair.a];
      const body: Record<string, string> = {};
      for (const [key, choice] of Object.entries(choices))
        body[key] = choice === 'union' ? 'union' : choice === survivor ? 'survivor' : 'merged';
      return http.post(`/api/v1/${pair.entityType === 'person' ? 'people' : 'companies'}/merge`, {
        survivorId: s.id,
        mergedId: m.id,
        survivorVersion: s.version,
        mergedVersion: m.version,
        fields: body,
      });
    },
    onSuccess: () => {
      notifications.show({ message: t('customers.duplicates.merged'), color: 'green' });
      done();
    },
  });
  const link = (r: AnyRecord) => (
    <Anchor component={Link} to={`/${pair.entityType === 'person' ? 'people' : 'companies'}/${r.id}`} fw={600}>
      {nameOf(r)}
    </Anchor>
  );

  return (
    <Card withBorder data-testid="duplicate-pair">
      <Group gap="xs" mb="xs">
        {pair.reasons.map((r) => (
          <Badge key={r} variant="light">
            {t(`customers.duplicates.reasons.${r}`, { defaultValue: r })}
          </Badge>
        ))}
      </Group>
      <Table layout="fixed">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={160}>{t('audit.field')}</Table.Th>
            {(['a', 'b'] as const).map((side) => (
              <Table.Th key={side}>
                <Radio
                  checked={survivor === side}
                  onChange={() => setSurvivor(side)}
                  label={
                    <>
                      {t('customers.duplicates.keep')}: {link(pair[side])}
                    </>
                  }
                  description={t('customers.duplicates.created', { date: formatDateTime(pair[side].createdAt) })}
                />
              </Table.Th>
            ))}
            <Table.Th w={90}>{t('customers.duplicates.both')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {fields.map(([key, show, union]) => {
            const chosen = choices[key] ?? survivor;
            const same = show(pair.a) === show(pair.b);
            return (
              <Table.Tr key={key}>
                <Table.Td>{t(`customers.fields.${key}`, { defaultValue: key })}</Table.Td>
                {(['a', 'b'] as const).map((side) => (
                  <Table.Td key={side}>
                    {same ? (
                      <Text size="sm">{show(pair[side])}</Text>
                    ) : (
                      <Radio
                        size="xs"
                        checked={chosen === side}
                        onChange={() => setChoices({ ...choices, [key]: side })}
                        label={show(pair[side]) || t('common.none')}
                      />
                    )}
                  </Table.Td>
                ))}
                <Table.Td>
                  {union && !same && (
                    <Radio
                      size="xs"
                      aria-label={t('customers.duplicates.both')}
                      checked={chosen === 'union'}
                      onChange={() => setChoices({ ...choices, [key]: 'union' })}
                    />
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <ErrorAlert error={merge.error ?? dismiss.error} />
      {can('records.write') && (
        <Group justify="flex-end" mt="sm">
          <Button variant="default" loading={dismiss.isPending} onClick={() => dismiss.mutate()}>
            {t('customers.duplicates.dismiss')}
          </Button>
          {can('records.delete') && (
            <Button loading={merge.isPending} onClick={() => merge.mutate()}>
              {t('customers.duplicates.merge')}
            </Button>
          )}
        </Group>
      )}
    </Card>
  );
}
