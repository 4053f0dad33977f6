import { Button, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { useProfileUpdate } from '../../app/use-profile-update';
import { ErrorAlert } from '../../ui/error-alert';

export function ProfileForm() {
  const { t } = useTranslation();
  const { user } = useSession();
  const [name, setName] = useState(user.name);
  const update = useProfileUpdate();
  const save = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ name }, { onSuccess: () => notifications.show({ color: 'teal', message: t('common.saved') }) });
  };
  const onError = (err: Error) => notifications.show({ color: 'red', message: err.message });

  return (
    <Stack maw={480} gap="lg">
      <form onSubmit={save} noValidate>
        <Stack>
          <ErrorAlert error={update.error} />
          <TextInput label={t('settings.email')} value={user.email} readOnly />
          <TextInput
            label={t('settings.name')}
            description={t('setup.adminNameHint')}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Button type="submit" loading={update.isPending} w="fit-content" disabled={name === user.name}>
            {t('common.save')}
          </Button>
        </Stack>
      </form>
      <div>
        <Text fw={500} size="sm" mb={4} id="language-label">
          {t('settings.language')}
        </Text>
        <SegmentedControl
          aria-labelledby="language-label"
          value={user.locale ?? 'browser'}
          onChange={(v) => update.mutate({ locale: v === 'browser' ? null : (v as 'ja' | 'en') }, { onError })}
          data={[
            { value: 'ja', label: t('language.ja') },
            { value: 'en', label: t('language.en') },
            { value: 'browser', label: t('language.browser') },
          ]}
        />
      </div>
      <div>
        <Text fw={500} size="sm" mb={4} id="theme-label">
          {t('settings.theme')}
        </Text>
        <SegmentedControl
          aria-labelledby="theme-label"
          value={user.theme}
          onChange={(v) => update.mutate({ theme: v as 'auto' | 'light' | 'dark' }, { onError })}
          data={[
            { value: 'auto', label: t('theme.auto') },
            { value: 'light', label: t('theme.light') },
            { value: 'dark', label: t('theme.dark') },
          ]}
        />
      </div>
    </Stack>
  );
}
