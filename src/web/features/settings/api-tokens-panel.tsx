import { Alert, Badge, Button, Card, Checkbox, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type TokenScope, tokenScopes } from '../../../shared/permissions';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ConfirmButton } from '../../ui/confirm-button';
import { CopyField } from '../../ui/copy-field';
import { ErrorAlert } from '../../ui/error-alert';
import { useFormatDateTime } from '../../ui/format';

interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

const expiryChoices = ['30', '90', '365', 'never'];

export function ApiTokensPanel() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const formatDate = useFormatDateTime();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['read']);
  const [expiry, setExpiry] = useState('90');
  const [secret, setSecret] = useState<string | null>(null);
  const tokens = useQuery({
    queryKey: keys.tokens,
    queryFn: () => http.get<{ data: ApiToken[] }>('/api/v1/tokens'),
    select: (r) => r.data,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.tokens });
  const create = useMutation({
    mutationFn: () =>
      http.post<{ token: string; apiToken: ApiToken }>('/api/v1/tokens', {
        name,
        scopes,
        expiresInDays: expiry === 'never' ? null : Number(expiry),
      }),
    onSuccess: (r) => {
      setSecret(r.token);
      setName('');
    },
    onSettled: refresh,
  });
  const revoke = useMutation({ mutationFn: (id: string) => http.delete(`/api/v1/tokens/${id}`), onSettled: refresh });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <Stack gap="lg">
      <Text c="dimmed" maw={640}>
        {t('tokens.intro')}
      </Text>
      <Card withBorder maw={640}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <ErrorAlert error={create.error} />
            <TextInput label={t('tokens.name')} required value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <Checkbox.Group label={t('tokens.scopes')} value={scopes} onChange={(v) => setScopes(v as TokenScope[])}>
              <Group mt={6}>
                {tokenScopes.map((s) => (
                  <Checkbox key={s} value={s} label={t(`tokens.scope.${s}`)} />
                ))}
              </Group>
            </Checkbox.Group>
            <Select
              label={t('tokens.expiry')}
              data={expiryChoices.map((d) => ({
                value: d,
                label: d === 'never' ? t('tokens.never') : t('tokens.expiryDays', { count: Number(d) }),
              }))}
              value={expiry}
              onChange={(v) => v && setExpiry(v)}
              allowDeselect={false}
              maw={240}
            />
            <Button type="submit" loading={create.isPending} w="fit-content">
              {t('tokens.create')}
            </Button>
          </Stack>
        </form>
      </Card>
      {secret && (
        <Alert
          color="yellow"
          title={t('tokens.secretTitle')}
          withCloseButton
          closeButtonLabel={t('common.close')}
          onClose={() => setSecret(null)}
          maw={640}
        >
          <CopyField label={t('tokens.secret')} description={t('tokens.secretHint')} value={secret} />
        </Alert>
      )}
      {tokens.data?.length === 0 && <Text c="dimmed">{t('tokens.empty')}</Text>}
      {!!tokens.data?.length && (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('tokens.columns.name')}</Table.Th>
                <Table.Th>{t('tokens.columns.prefix')}</Table.Th>
                <Table.Th>{t('tokens.columns.scopes')}</Table.Th>
                <Table.Th>{t('tokens.columns.expires')}</Table.Th>
                <Table.Th>{t('tokens.columns.lastUsed')}</Table.Th>
                <Table.Th>{t('common.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.data.map((tk) => (
                <Table.Tr key={tk.id} opacity={tk.revokedAt ? 0.6 : 1}>
                  <Table.Td>{tk.name}</Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {tk.prefix}…
                    </Text>
                  </Table.Td>
                  <Table.Td>{tk.scopes.map((s) => t(`tokens.scope.${s}`, { defaultValue: s })).join(', ')}</Table.Td>
                  <Table.Td>{tk.expiresAt ? formatDate(tk.expiresAt) : t('tokens.never')}</Table.Td>
                  <Table.Td>{tk.lastUsedAt ? formatDate(tk.lastUsedAt) : t('common.never')}</Table.Td>
                  <Table.Td>
                    {tk.revokedAt ? (
                      <Badge color="gray">{t('tokens.revoked')}</Badge>
                    ) : (
                      <ConfirmButton
                        message={t('tokens.revokeConfirm', { name: tk.name })}
                        confirmLabel={t('common.revoke')}
                        onConfirm={() =>
                          revoke.mutate(tk.id, { onError: (err) => notifications.show({ color: 'red', message: err.message }) })
                        }
                      >
                        {t('common.revoke')}
                      </ConfirmButton>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
