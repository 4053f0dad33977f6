import { Alert, Badge, Button, Card, Group, PasswordInput, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { PageLoader } from '../../ui/page-loader';
import { RecoveryCodes } from './recovery-codes';
import {
  type TotpSetup,
  useDisableTotp,
  useEnableTotp,
  useRegenerateRecoveryCodes,
  useSecurityStatus,
  useStartTotpSetup,
} from './security-api';
import { CodeInput, TotpSetupView } from './totp-setup-view';

/** Settings → Security: turn two-step verification on (QR, confirm, recovery codes) or off, renew recovery codes. */
export function TwoFactorCard() {
  const { t } = useTranslation();
  const formatDate = useFormatDateTime();
  const status = useSecurityStatus();
  const start = useStartTotpSetup();
  const enable = useEnableTotp();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [action, setAction] = useState<'disable' | 'codes' | null>(null);

  if (status.isPending) return <PageLoader />;
  if (status.isError) return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  const s = status.data;

  return (
    <Card withBorder maw={640} data-testid="two-factor-card">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            {t('security.twoFactor.title')}
          </Title>
          <Badge color={s.twoFactorEnabled ? 'teal' : 'gray'} variant="light">
            {s.twoFactorEnabled ? t('security.twoFactor.on') : t('security.twoFactor.off')}
          </Badge>
        </Group>
        <Text size="sm" c="dimmed">
          {t('security.twoFactor.intro')}
        </Text>
        {s.twoFactorRequired && !s.twoFactorEnabled && <Alert color="yellow">{t('security.twoFactor.required')}</Alert>}
        {codes && (
          <RecoveryCodes
            codes={codes}
            onDone={() => {
              setCodes(null);
              setAction(null);
            }}
          />
        )}
        {!s.twoFactorEnabled && !setup && (
          <>
            <ErrorAlert error={start.error} />
            <Button w="fit-content" loading={start.isPending} onClick={() => start.mutate(undefined, { onSuccess: setSetup })}>
              {t('security.twoFactor.setUp')}
            </Button>
          </>
        )}
        {!s.twoFactorEnabled && setup && (
          <TotpSetupView
            setup={setup}
            pending={enable.isPending}
            error={enable.error}
            onConfirm={(code) =>
              enable.mutate(code, {
                onSuccess: (r) => {
                  setSetup(null);
                  setCodes(r.recoveryCodes);
                  notifications.show({ color: 'teal', message: t('security.twoFactor.enabled') });
                },
              })
            }
          />
        )}
        {s.twoFactorEnabled && !codes && (
          <>
            <Text size="sm">
              {s.twoFactorEnabledAt && t('security.twoFactor.since', { date: formatDate(s.twoFactorEnabledAt) })}
              {' · '}
              {t('security.twoFactor.codesLeft', { count: s.recoveryCodesLeft })}
            </Text>
            <Group>
              <Button variant="default" size="xs" onClick={() => setAction(action === 'codes' ? null : 'codes')}>
                {t('security.twoFactor.newCodes')}
              </Button>
              <Button variant="light" color="red" size="xs" onClick={() => setAction(action === 'disable' ? null : 'disable')}>
                {t('security.twoFactor.disable')}
              </Button>
            </Group>
            {action && <ConfirmWithSecondFactor key={action} action={action} onCodes={setCodes} onDone={() => setAction(null)} />}
          </>
        )}
      </Stack>
    </Card>
  );
}

/** Password plus a second factor, for turning two-step verification off or renewing the recovery codes. */
function ConfirmWithSecondFactor({
  action,
  onCodes,
  onDone,
}: {
  action: 'disable' | 'codes';
  onCodes: (codes: string[]) => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const disable = useDisableTotp();
  const regenerate = useRegenerateRecoveryCodes();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [kind, setKind] = useState<'code' | 'recovery'>('code');
  const mutation = action === 'disable' ? disable : regenerate;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (action === 'disable') {
      disable.mutate(kind === 'code' ? { password, code } : { password, recoveryCode: code }, {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: t('security.twoFactor.disabled') });
          onDone();
        },
      });
    } else {
      regenerate.mutate({ password, code }, { onSuccess: (r) => onCodes(r.recoveryCodes) });
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack maw={420}>
        <Text size="sm">{action === 'disable' ? t('security.twoFactor.disableIntro') : t('security.twoFactor.newCodesIntro')}</Text>
        <ErrorAlert error={mutation.error} />
        <PasswordInput
          label={t('security.twoFactor.password')}
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
        {action === 'disable' && (
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v as 'code' | 'recovery')}
            data={[
              { value: 'code', label: t('security.code') },
              { value: 'recovery', label: t('security.signIn.recoveryCode') },
            ]}
            w="fit-content"
          />
        )}
        {kind === 'code' || action === 'codes' ? (
          <CodeInput value={code} onChange={setCode} />
        ) : (
          <TextInput
            label={t('security.signIn.recoveryCode')}
            autoComplete="off"
            required
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
          />
        )}
        <Button type="submit" color={action === 'disable' ? 'red' : undefined} loading={mutation.isPending} w="fit-content">
          {action === 'disable' ? t('security.twoFactor.disable') : t('security.twoFactor.newCodes')}
        </Button>
      </Stack>
    </form>
  );
}
