import { Button, Fieldset, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Session } from '../../../shared/contracts/accounts';
import { type Role, type Visibility, visibilities } from '../../../shared/permissions';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ErrorAlert } from '../../ui/error-alert';
import { PageLoader } from '../../ui/page-loader';
import { timeZones, WORKSPACE_CURRENCIES } from '../../ui/workspace-options';

type Workspace = Session['workspace'];
/** Administrators always see every record; the other roles' visibility is the workspace's choice. */
const ROLES_WITH_CHOICE: Role[] = ['manager', 'member', 'readonly'];

/** Settings → Workspace (administrators): name, time zone, default language, currency and record visibility per role. */
export function WorkspaceForm() {
  const workspace = useQuery({ queryKey: keys.workspace, queryFn: () => http.get<Workspace>('/api/v1/workspace') });
  if (!workspace.data) return workspace.isError ? <ErrorAlert error={workspace.error} /> : <PageLoader />;
  // A new key per version: after a save (or someone else's, pushed over realtime) the form starts from the stored values.
  return <WorkspaceFields key={workspace.data.version} workspace={workspace.data} />;
}

function WorkspaceFields({ workspace }: { workspace: Workspace }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const zones = useMemo(timeZones, []);
  const [form, setForm] = useState({
    name: workspace.name,
    timeZone: workspace.timeZone,
    locale: workspace.locale,
    currency: workspace.currency,
    visibility: workspace.visibility,
  });
  const save = useMutation({
    mutationFn: () =>
      http.patch<Workspace>('/api/v1/workspace', {
        version: workspace.version,
        name: form.name,
        timeZone: form.timeZone,
        locale: form.locale,
        ...(form.currency !== workspace.currency ? { currency: form.currency } : {}),
        visibility: form.visibility,
      }),
    onSuccess: () => notifications.show({ color: 'teal', message: t('common.saved') }),
    onSettled: () => Promise.all([keys.session, keys.workspace].map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const setVisibility = (role: Role, v: string | null) =>
    setForm((f) => ({ ...f, visibility: { ...f.visibility, [role]: (v ?? 'all') as Visibility } }));
  const changed =
    form.name !== workspace.name ||
    form.timeZone !== workspace.timeZone ||
    form.locale !== workspace.locale ||
    form.currency !== workspace.currency ||
    ROLES_WITH_CHOICE.some((r) => form.visibility[r] !== workspace.visibility[r]);

  return (
    <form onSubmit={submit} noValidate>
      <Stack maw={720} gap="lg">
        <ErrorAlert error={save.error} />
        <Fieldset legend={t('workspaceSettings.basics')}>
          <Stack>
            <TextInput
              label={t('workspaceSettings.name')}
              required
              value={form.name}
              onChange={(e) => {
                const name = e.currentTarget.value;
                setForm((f) => ({ ...f, name }));
              }}
            />
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select
                label={t('workspaceSettings.timeZone')}
                data={zones}
                searchable
                allowDeselect={false}
                value={form.timeZone}
                onChange={(v) => setForm((f) => ({ ...f, timeZone: v ?? f.timeZone }))}
              />
              <Select
                label={t('workspaceSettings.language')}
                description={t('workspaceSettings.languageHint')}
                data={[
                  { value: 'ja', label: t('language.ja') },
                  { value: 'en', label: t('language.en') },
                ]}
                allowDeselect={false}
                value={form.locale}
                onChange={(v) => setForm((f) => ({ ...f, locale: v === 'en' ? 'en' : 'ja' }))}
              />
              <Select
                label={t('workspaceSettings.currency')}
                description={workspace.currencyLocked ? t('workspaceSettings.currencyLocked') : t('workspaceSettings.currencyHint')}
                data={WORKSPACE_CURRENCIES}
                searchable
                allowDeselect={false}
                disabled={workspace.currencyLocked}
                value={form.currency}
                onChange={(v) => setForm((f) => ({ ...f, currency: v ?? f.currency }))}
              />
            </SimpleGrid>
          </Stack>
        </Fieldset>
        <Fieldset legend={t('workspaceSettings.visibility')}>
          <Stack>
            <Text size="sm">{t('workspaceSettings.visibilityIntro')}</Text>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              {ROLES_WITH_CHOICE.map((role) => (
                <Select
                  key={role}
                  label={t(`roles.${role}`)}
                  data={visibilities.map((v) => ({ value: v, label: t(`workspaceSettings.visibilities.${v}`) }))}
                  allowDeselect={false}
                  value={form.visibility[role] ?? 'all'}
                  onChange={(v) => setVisibility(role, v)}
                />
              ))}
            </SimpleGrid>
            <Text size="sm">{t('workspaceSettings.adminSeesAll')}</Text>
          </Stack>
        </Fieldset>
        <Button type="submit" w="fit-content" loading={save.isPending} disabled={!changed || !form.name.trim()}>
          {t('common.save')}
        </Button>
      </Stack>
    </form>
  );
}
