import { Button, Checkbox, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LoginResult } from '../../../shared/contracts/security';
import { http } from '../../app/api-client';
import { AuthCard } from '../../ui/auth-card';
import { ErrorAlert } from '../../ui/error-alert';
import { EnrolStep, TotpStep } from '../security/sign-in-steps';
import { useSignInComplete } from './use-sign-in-complete';

type Step = { kind: 'password' } | { kind: 'totp' | 'enrol'; challenge: string };

export function LoginPage() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const complete = useSignInComplete();
  const login = useMutation({
    mutationFn: () => http.post<LoginResult>('/api/v1/auth/login', { email, password, remember }),
    onSuccess: (r) => {
      if (r.status === 'signed_in' || !r.challenge) return complete();
      setPassword('');
      setStep({ kind: r.status === 'totp_required' ? 'totp' : 'enrol', challenge: r.challenge });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  const restart = () => {
    login.reset();
    setStep({ kind: 'password' });
  };

  if (step.kind === 'totp') return <TotpStep challenge={step.challenge} onDone={complete} onRestart={restart} />;
  if (step.kind === 'enrol') return <EnrolStep challenge={step.challenge} onDone={complete} onRestart={restart} />;

  return (
    <AuthCard title={t('login.title')}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={login.error} />
          <TextInput
            label={t('login.email')}
            type="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <PasswordInput
            label={t('login.password')}
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Checkbox label={t('login.remember')} checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
          <Button type="submit" loading={login.isPending} fullWidth>
            {t('login.submit')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
