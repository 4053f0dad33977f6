import { Accordion, Badge, Button, Center, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { actionKey, entityKey, type AuditFilters as Filters, useAuditLog } from './audit-api';
import { AuditDiff } from './audit-diff';
import { AuditFilters, type AuditFilterValues, emptyFilters } from './audit-filters';
import { AuditVerifyButton, AuditVerifyResult, useAuditVerify } from './audit-verify';

/** Date inputs are days in the user's local calendar; the range is inclusive of the "to" day. */
function toQuery(v: AuditFilterValues): Filters {
  return {
    action: v.action ?? undefined,
    entityType: v.entityType ?? undefined,
    actorId: v.actorId ?? undefined,
    from: v.from ? new Date(`${v.from}T00:00:00`).toISOString() : undefined,
    to: v.to ? new Date(`${v.to}T23:59:59.999`).toISOString() : undefined,
  };
}

export function AuditPage() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<AuditFilterValues>(emptyFilters);
  const log = useAuditLog(toQuery(filters));
  const formatDate = useFormatDateTime();
  const entries = log.data?.pages.flatMap((p) => p.data) ?? [];
  const verify = useAuditVerify();

  return (
    <>
      <PageHeader title={t('audit.title')}>
        <AuditVerifyButton state={verify} />
      </PageHeader>
      <AuditVerifyResult state={verify} />
      <AuditFilters value={filters} onChange={setFilters} />
      {log.isPending && <PageLoader />}
      {log.isError && <ErrorState error={log.error} onRetry={() => void log.refetch()} />}
      {log.isSuccess && entries.length === 0 && <Text c="dimmed">{t('audit.empty')}</Text>}
      <Accordion variant="separated" chevronPosition="left" data-testid="audit-list">
        {entries.map((e) => (
          <Accordion.Item key={e.id} value={e.id}>
            <Accordion.Control aria-label={`${t('audit.showDiff')}: ${t(actionKey(e.action), { defaultValue: e.action })}`}>
              <Group gap="sm" wrap="wrap" justify="space-between">
                <Group gap="sm" wrap="wrap">
                  <Text size="sm" fw={600}>
                    {t(actionKey(e.action), { defaultValue: e.action })}
                  </Text>
                  <Badge variant="light" size="sm">
                    {t(entityKey(e.entityType), { defaultValue: e.entityType })}
                  </Badge>
                  <Text size="sm">{e.actorName ?? t('audit.system')}</Text>
                </Group>
                <Text size="xs" c="dimmed">
                  {formatDate(e.createdAt)}
                </Text>
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              <Stack gap="xs">
                <AuditDiff before={e.before} after={e.after} />
                {e.ip && (
                  <Text size="xs" c="dimmed">
                    {t('audit.ip')}: {e.ip}
                  </Text>
                )}
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
      {log.hasNextPage && (
        <Center mt="md">
          <Button variant="default" loading={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        </Center>
      )}
    </>
  );
}
