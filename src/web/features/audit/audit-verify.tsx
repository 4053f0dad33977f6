import { Alert, Button, List, Text } from '@mantine/core';
import { IconShieldCheck } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../ui/error-alert';
import { verifyAuditChain } from './audit-api';

/** "Verify integrity": walks the hash-chained audit log on the server and shows each break by entry number. */
export function useAuditVerify() {
  return useMutation({ mutationFn: verifyAuditChain });
}

export function AuditVerifyButton({ state }: { state: ReturnType<typeof useAuditVerify> }) {
  const { t } = useTranslation();
  return (
    <Button
      variant="default"
      leftSection={<IconShieldCheck size={16} aria-hidden />}
      loading={state.isPending}
      onClick={() => state.mutate()}
      title={t('audit.verify.help')}
      data-testid="audit-verify"
    >
      {t('audit.verify.button')}
    </Button>
  );
}

export function AuditVerifyResult({ state }: { state: ReturnType<typeof useAuditVerify> }) {
  const { t } = useTranslation();
  if (state.error) return <ErrorAlert error={state.error} />;
  const r = state.data;
  if (!r) return null;
  const breaks = r.problems.filter((p) => p.kind !== 'unsealed');
  return (
    <Alert
      mb="md"
      color={r.intact ? 'green' : 'red'}
      role="status"
      // The alert's default title colour on its light background is below 4.5:1; the darkest shade passes.
      styles={{ title: { color: `var(--mantine-color-${r.intact ? 'green' : 'red'}-9)` } }}
      title={r.intact ? t('audit.verify.intact', { rows: r.rows }) : t('audit.verify.broken', { count: breaks.length })}
      data-testid="audit-verify-result"
    >
      {r.problems.length > 0 ? (
        <List size="sm">
          {r.problems.map((p) => (
            <List.Item key={`${p.kind}-${p.seq ?? p.count}`}>{t(`audit.verify.${p.kind}`, { seq: p.seq, count: p.count })}</List.Item>
          ))}
        </List>
      ) : (
        <Text size="sm">{t('audit.verify.help')}</Text>
      )}
    </Alert>
  );
}
