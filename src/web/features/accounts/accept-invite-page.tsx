import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { http } from '../../app/api-client';
import { currentLanguage } from '../../app/i18n';
import { AuthCard } from '../../ui/auth-card';
import { ErrorAlert } from '../../ui/error-alert';
import { PageLoader } from '../../ui/page-loader';
import { EnrolStep } from '../security/sign-in-steps';
import { useSignInComplete } from './use-sign-in-complete';

interface InvitationInfo {
  email: string;
  role: string;
  workspaceName: string;
}

/** /invite/:token — the invitee chooses a name and password and is signed in. */
export function AcceptInvitePage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const info = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => http.get<InvitationInfo>(`/api/v1/invitations/by-token/${encodeURIComponent(token)}`),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const complete = useSignInComplete();
  const [enrolChallenge, setEnrolChallenge] = useState<string | null>(null);
  const enter = async () => {
    await complete();
    navigate('/', { replace: true });
  };
  const accept = useMutation({
    mutationFn: () =>
      http.post<{ status: string; challenge?: string }>('/api/v1/invitations/accept', { token, name, password, locale: currentLanguage() }),
    // The workspace requires two-step verification: set it up before the first session.
    onSuccess: (r) => (r.challenge ? setEnrolChallenge(r.challenge) : enter()),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMismatch(password !== confirm);
    if (password === confirm) accept.mutate();
  };

  if (enrolChallenge) return <EnrolStep challenge={enrolChallenge} onDone={enter} onRestart={() => navigate('/', { replace: true })} />;
  if (info.isPending) return <PageLoader />;
  if (info.isError) {
    return (
      <AuthCard title={t('errors.notFoundTitle')}>
        <Alert color="red" role="alert">
          {info.error.message || t('invite.invalid')}
        </Alert>
      </AuthCard>
    );
  }
  const { workspaceName, email, role } = info.data;
  return (
    <AuthCard title={t('invite.title', { workspace: workspaceName })} intro={t('invite.intro', { role: t(`roles.${role}`) })}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={accept.error} />
          <TextInput label={t('invite.email')} value={email} readOnly autoComplete="username" />
          <TextInput
            label={t('invite.name')}
            description={t('setup.adminNameHint')}
            required
            autoFocus
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <PasswordInput
            label={t('invite.password')}
            description={t('setup.passwordHint')}
            required
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <PasswordInput
            label={t('invite.confirm')}
            required
            autoComplete="new-password"
            value={confirm}
            error={mismatch ? t('errors.passwordMismatch') : undefined}
            onChange={(e) => setConfirm(e.currentTarget.value)}
          />
          <Button type="submit" loading={accept.isPending} fullWidth>
            {t('invite.submit')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
