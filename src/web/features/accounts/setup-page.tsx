import { Button, Fieldset, PasswordInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { applyLanguage, currentLanguage, type UiLanguage } from '../../app/i18n';
import { AuthCard } from '../../ui/auth-card';
import { ErrorAlert } from '../../ui/error-alert';
import { timeZones, WORKSPACE_CURRENCIES } from '../../ui/workspace-options';
import { useSignInComplete } from './use-sign-in-complete';

/** First run: the workspace and its first administrator; the admin is signed in afterwards. */
export function SetupPage() {
  const { t } = useTranslation();
  const [form, setForm] = useState({
    workspaceName: '',
    timeZone: 'Asia/Tokyo',
    locale: currentLanguage() as UiLanguage,
    currency: 'JPY',
    adminName: '',
    adminEmail: '',
    password: '',
  });
  const zones = useMemo(timeZones, []);
  const complete = useSignInComplete();
  const setup = useMutation({ mutationFn: () => http.post('/api/v1/setup', form), onSuccess: complete });
  const set = (field: keyof typeof form) => (value: string | null) => setForm((f) => ({ ...f, [field]: value ?? '' }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setup.mutate();
  };

  return (
    <AuthCard title={t('setup.title')} intro={t('setup.intro')} width={640}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={setup.error} />
          <Fieldset legend={t('setup.workspace')}>
            <Stack>
              <TextInput
                label={t('setup.companyName')}
                required
                autoFocus
                autoComplete="organization"
                value={form.workspaceName}
                onChange={(e) => set('workspaceName')(e.currentTarget.value)}
              />
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <Select
                  label={t('setup.timeZone')}
                  data={zones}
                  searchable
                  value={form.timeZone}
                  onChange={set('timeZone')}
                  allowDeselect={false}
                />
                <Select
                  label={t('setup.language')}
                  data={[
                    { value: 'ja', label: t('language.ja') },
                    { value: 'en', label: t('language.en') },
                  ]}
                  value={form.locale}
                  allowDeselect={false}
                  onChange={(v) => {
                    const locale = v === 'en' ? 'en' : 'ja';
                    setForm((f) => ({ ...f, locale }));
                    applyLanguage(locale);
                  }}
                />
                <Select
                  label={t('setup.currency')}
                  data={WORKSPACE_CURRENCIES}
                  searchable
                  value={form.currency}
                  onChange={set('currency')}
                  allowDeselect={false}
                />
              </SimpleGrid>
            </Stack>
          </Fieldset>
          <Fieldset legend={t('setup.admin')}>
            <Stack>
              <TextInput
                label={t('setup.adminName')}
                description={t('setup.adminNameHint')}
                required
                autoComplete="name"
                value={form.adminName}
                onChange={(e) => set('adminName')(e.currentTarget.value)}
              />
              <TextInput
                label={t('setup.email')}
                type="email"
                required
                autoComplete="email"
                value={form.adminEmail}
                onChange={(e) => set('adminEmail')(e.currentTarget.value)}
              />
              <PasswordInput
                label={t('setup.password')}
                description={t('setup.passwordHint')}
                required
                autoComplete="new-password"
                value={form.password}
                onChange={(e) => set('password')(e.currentTarget.value)}
              />
            </Stack>
          </Fieldset>
          <Button type="submit" loading={setup.isPending} size="md">
            {t('setup.submit')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
