import { Anchor, Badge, Button, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { PageLoader } from '../../ui/page-loader';
import type { Company, EntityType, Person } from './customers-api';

interface Pair {
  id: string;
  aId: string;
  bId: string;
  reasons: string[];
  a: Person | Company;
  b: Person | Company;
}

const nameOf = (r: Person | Company) => ('displayName' in r ? r.displayName : r.name);

/** The record's open duplicate pairs (`GET /api/v1/duplicates?recordId=`), each linking to the other record. */
export function RecordDuplicates({ entity, recordId }: { entity: EntityType; recordId: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const q = useQuery({
    queryKey: [...keys.duplicates, entity, 'open', recordId],
    queryFn: () => http.get<{ data: Pair[] }>('/api/v1/duplicates', { entityType: entity, status: 'open', recordId, limit: 100 }),
  });
  if (q.isPending) return <PageLoader />;
  if (q.error) return <ErrorAlert error={q.error} />;
  const pairs = q.data.data;
  if (pairs.length === 0) return <Text c="dimmed">{t('customers.record.noDuplicates')}</Text>;
  return (
    <Stack gap="xs" data-testid="record-duplicates">
      {pairs.map((p) => {
        const other = p.aId === recordId ? p.b : p.a;
        return (
          <Group key={p.id} gap="xs">
            <Anchor component={Link} to={`/${entity === 'person' ? 'people' : 'companies'}/${other.id}`}>
              {nameOf(other)}
            </Anchor>
            {p.reasons.map((r) => (
              <Badge key={r} variant="light" size="sm">
                {t(`customers.duplicates.reasons.${r}`, { defaultValue: r })}
              </Badge>
            ))}
          </Group>
        );
      })}
      {can('records.write') && (
        <Group>
          <Button component={Link} to="/duplicates" variant="default" size="xs">
            {t('customers.record.reviewDuplicates')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
