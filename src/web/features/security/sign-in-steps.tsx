import { Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { AuthCard } from '../../ui/auth-card';
import { ErrorAlert } from '../../ui/error-alert';
import { PageLoader } from '../../ui/page-loader';
import { RecoveryCodes } from './recovery-codes';
import type { TotpSetup } from './security-api';
import { CodeInput, TotpSetupView } from './totp-setup-view';

/** After the password: a code from the app, or one of the recovery codes. */
export function TotpStep({ challenge, onDone, onRestart }: { challenge: string; onDone: () => void; onRestart: () => void }) {
  const { t } = useTranslation();
  const [recovery, setRecovery] = useState(false);
  const [value, setValue] = useState('');
  const verify = useMutation({
    mutationFn: () => http.post('/api/v1/auth/login/totp', recovery ? { challenge, recoveryCode: value } : { challenge, code: value }),
    onSuccess: onDone,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate();
  };
  return (
    <AuthCard title={t('security.signIn.totpTitle')} intro={recovery ? t('security.signIn.recoveryIntro') : t('security.signIn.totpIntro')}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={verify.error} />
          {recovery ? (
            <TextInput
              label={t('security.signIn.recoveryCode')}
              autoComplete="off"
              required
              autoFocus
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
            />
          ) : (
            <CodeInput value={value} onChange={setValue} autoFocus />
          )}
          <Button type="submit" loading={verify.isPending} fullWidth>
            {t('security.signIn.verify')}
          </Button>
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              setRecovery(!recovery);
              setValue('');
              verify.reset();
            }}
          >
            {recovery ? t('security.signIn.useCode') : t('security.signIn.useRecovery')}
          </Anchor>
          <Anchor component="button" type="button" size="sm" c="dimmed" onClick={onRestart}>
            {t('security.signIn.back')}
          </Anchor>
        </Stack>
      </form>
    </AuthCard>
  );
}

/** The workspace requires two-step verification and this user has none yet: set it up before the first session. */
export function EnrolStep({ challenge, onDone, onRestart }: { challenge: string; onDone: () => void; onRestart: () => void }) {
  const { t } = useTranslation();
  const [codes, setCodes] = useState<string[] | null>(null);
  const start = useMutation({ mutationFn: () => http.post<TotpSetup>('/api/v1/auth/login/enrol', { challenge }) });
  const confirm = useMutation({
    mutationFn: (code: string) => http.post<{ recoveryCodes: string[] }>('/api/v1/auth/login/enrol/confirm', { challenge, code }),
    onSuccess: (r) => setCodes(r.recoveryCodes),
  });
  const { mutate } = start;
  useEffect(() => mutate(), [mutate]);

  return (
    <AuthCard title={t('security.signIn.enrolTitle')} intro={codes ? undefined : t('security.signIn.enrolIntro')} width={520}>
      <Stack>
        <ErrorAlert error={start.error} />
        {start.isPending && <PageLoader />}
        {codes ? (
          <>
            <RecoveryCodes codes={codes} onDone={onDone} />
            <Button onClick={onDone} fullWidth>
              {t('security.signIn.continue')}
            </Button>
          </>
        ) : (
          start.data && (
            <TotpSetupView
              setup={start.data}
              onConfirm={(code) => confirm.mutate(code)}
              pending={confirm.isPending}
              error={confirm.error}
            />
          )
        )}
        {!codes && (
          <Text size="sm">
            <Anchor component="button" type="button" c="dimmed" onClick={onRestart}>
              {t('security.signIn.back')}
            </Anchor>
          </Text>
        )}
      </Stack>
    </AuthCard>
  );
}
