import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmButton } from '../../ui/confirm-button';
import { CopyField } from '../../ui/copy-field';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { PageLoader } from '../../ui/page-loader';
import { type MailSettings, useMailSettings, usePollImap, useTestImap, useTestSend, useUpdateMailSettings } from './mail-api';
import { CredentialFields, credentialsPatch, useMailCredentials } from './mail-credentials';

/** Administrators: outgoing SMTP (password write-only), a test message, the inbound BCC / forwarding address, IMAP polling. */
export function MailSettingsPanel() {
  const settings = useMailSettings();
  if (settings.isPending) return <PageLoader />;
  if (settings.error) return <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />;
  return (
    <Stack>
      <SmtpForm key={settings.data.version} settings={settings.data} />
      <TestSend disabled={!settings.data.smtp.configured} />
      <Inbound settings={settings.data} />
      <ImapForm key={`imap-${settings.data.version}`} settings={settings.data} />
    </Stack>
  );
}

function SmtpForm({ settings }: { settings: MailSettings }) {
  const { t } = useTranslation();
  const update = useUpdateMailSettings();
  const s = settings.smtp;
  const [host, setHost] = useState(s.host ?? '');
  const [port, setPort] = useState<number | string>(s.port ?? 587);
  const [security, setSecurity] = useState<string>(s.security);
  const credentials = useMailCredentials(s.user);
  const [fromAddress, setFromAddress] = useState(s.fromAddress ?? '');
  const [fromName, setFromName] = useState(s.fromName ?? '');
  const submit = () =>
    update.mutate(
      {
        version: settings.version,
        smtp: {
          host: host.trim() || null,
          port: typeof port === 'number' ? port : null,
          security: security as 'none' | 'starttls' | 'tls',
          fromAddress: fromAddress.trim() || null,
          fromName: fromName.trim() || null,
          ...credentialsPatch(credentials),
        },
      },
      { onSuccess: () => notifications.show({ color: 'teal', message: t('mail.settings.saved') }) },
    );
  return (
    <Paper withBorder p="md" radius="md" component="section">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          <Group justify="space-between">
            <Title order={2} size="h4">
              {t('mail.settings.smtpTitle')}
            </Title>
            <Badge color={s.configured ? 'teal' : 'gray'} variant="light" data-testid="smtp-status">
              {s.configured ? t('mail.settings.configured') : t('mail.settings.notConfigured')}
            </Badge>
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput
              label={t('mail.settings.host')}
              value={host}
              onChange={(e) => setHost(e.currentTarget.value)}
              placeholder="smtp.example.jp"
            />
            <NumberInput label={t('mail.settings.port')} value={port} onChange={setPort} min={1} max={65535} allowDecimal={false} />
            <Select
              label={t('mail.settings.security')}
              value={security}
              onChange={(v) => setSecurity(v ?? 'starttls')}
              allowDeselect={false}
              data={(['starttls', 'tls', 'none'] as const).map((v) => ({ value: v, label: t(`mail.settings.securityOptions.${v}`) }))}
            />
          </SimpleGrid>
          <CredentialFields
            credentials={credentials}
            hasPassword={s.hasPassword}
            userLabel={t('mail.settings.user')}
            passwordLabel={t('mail.settings.password')}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={t('mail.settings.fromAddress')}
              type="email"
              value={fromAddress}
              onChange={(e) => setFromAddress(e.currentTarget.value)}
              placeholder="sales@example.jp"
            />
            <TextInput label={t('mail.settings.fromName')} value={fromName} onChange={(e) => setFromName(e.currentTarget.value)} />
          </SimpleGrid>
          <ErrorAlert error={update.error} />
          <Group justify="flex-end">
            <Button type="submit" loading={update.isPending} data-testid="smtp-save">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function TestSend({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const test = useTestSend();
  const [to, setTo] = useState('');
  return (
    <Paper withBorder p="md" radius="md" component="section">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          test.mutate(to, { onSuccess: () => notifications.show({ color: 'teal', message: t('mail.settings.testSent') }) });
        }}
      >
        <Stack>
          <Title order={2} size="h4">
            {t('mail.settings.testTitle')}
          </Title>
          <Group align="flex-end">
            <TextInput
              label={t('mail.settings.testTo')}
              type="email"
              value={to}
              onChange={(e) => setTo(e.currentTarget.value)}
              required
              style={{ flex: 1 }}
            />
            <Button type="submit" variant="light" loading={test.isPending} disabled={disabled}>
              {t('mail.settings.testSend')}
            </Button>
          </Group>
          {test.isSuccess && (
            <Text size="sm" c="teal" role="status">
              {t('mail.settings.testSent')}
            </Text>
          )}
          <ErrorAlert error={test.error} />
        </Stack>
      </form>
    </Paper>
  );
}

function Inbound({ settings }: { settings: MailSettings }) {
  const { t } = useTranslation();
  const update = useUpdateMailSettings();
  return (
    <Paper withBorder p="md" radius="md" component="section">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            {t('mail.settings.inboundTitle')}
          </Title>
          <Badge color={settings.inbound.receiverRunning ? 'teal' : 'gray'} variant="light">
            {settings.inbound.receiverRunning ? t('mail.settings.receiverOn') : t('mail.settings.receiverOff')}
          </Badge>
        </Group>
        <Text size="sm" c="dimmed">
          {t('mail.settings.inboundHelp')}
        </Text>
        {settings.inbound.address ? (
          <CopyField label={t('mail.settings.inboundAddress')} value={settings.inbound.address} />
        ) : (
          <Alert color="yellow" title={t('mail.settings.inboundDomainMissingTitle')} data-testid="inbound-domain-missing">
            {t('mail.settings.inboundDomainMissing')}
          </Alert>
        )}
        <Group>
          <ConfirmButton
            message={t('mail.settings.regenerateConfirm')}
            confirmLabel={t('mail.settings.regenerate')}
            onConfirm={() => update.mutate({ version: settings.version, regenerateInboundToken: true })}
          >
            {t('mail.settings.regenerate')}
          </ConfirmButton>
        </Group>
        <ErrorAlert error={update.error} />
      </Stack>
    </Paper>
  );
}

function ImapForm({ settings }: { settings: MailSettings }) {
  const { t } = useTranslation();
  const update = useUpdateMailSettings();
  const s = settings.imap;
  const [enabled, setEnabled] = useState(s.enabled);
  const [host, setHost] = useState(s.host ?? '');
  const [port, setPort] = useState<number | string>(s.port ?? 993);
  const [tls, setTls] = useState(s.tls);
  const credentials = useMailCredentials(s.user);
  const [mailbox, setMailbox] = useState(s.mailbox);
  const submit = () =>
    update.mutate(
      {
        version: settings.version,
        imap: {
          enabled,
          host: host.trim() || null,
          port: typeof port === 'number' ? port : null,
          tls,
          mailbox: mailbox.trim(),
          ...credentialsPatch(credentials),
        },
      },
      { onSuccess: () => notifications.show({ color: 'teal', message: t('mail.settings.imap.saved') }) },
    );
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="imap-title">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          <Group justify="space-between">
            <Title order={2} size="h4" id="imap-title">
              {t('mail.settings.imap.title')}
            </Title>
            <Badge color={s.enabled ? 'teal' : 'gray'} variant="light" data-testid="imap-status">
              {s.enabled ? t('mail.settings.imap.on') : t('mail.settings.imap.off')}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed">
            {t('mail.settings.imap.help')}
          </Text>
          <Checkbox label={t('mail.settings.imap.enabled')} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput
              label={t('mail.settings.imap.host')}
              value={host}
              onChange={(e) => setHost(e.currentTarget.value)}
              placeholder="imap.example.jp"
            />
            <NumberInput label={t('mail.settings.imap.port')} value={port} onChange={setPort} min={1} max={65535} allowDecimal={false} />
            <TextInput label={t('mail.settings.imap.mailbox')} value={mailbox} onChange={(e) => setMailbox(e.currentTarget.value)} />
          </SimpleGrid>
          <Checkbox label={t('mail.settings.imap.tls')} checked={tls} onChange={(e) => setTls(e.currentTarget.checked)} />
          <CredentialFields
            credentials={credentials}
            hasPassword={s.hasPassword}
            userLabel={t('mail.settings.imap.user')}
            passwordLabel={t('mail.settings.imap.password')}
          />
          <ErrorAlert error={update.error} />
          <Group justify="flex-end">
            <Button type="submit" loading={update.isPending} data-testid="imap-save">
              {t('common.save')}
            </Button>
          </Group>
          <ImapStatus settings={settings} />
        </Stack>
      </form>
    </Paper>
  );
}

/** Last check and its error, the connection test and "check now" (both use the saved settings). */
function ImapStatus({ settings }: { settings: MailSettings }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const test = useTestImap();
  const poll = usePollImap();
  const s = settings.imap;
  const result = poll.data;
  return (
    <Stack gap="xs">
      <Text size="sm" data-testid="imap-last-polled">
        {t('mail.settings.imap.lastPolled')}: {s.lastPolledAt ? formatDateTime(s.lastPolledAt) : t('mail.settings.imap.never')}
      </Text>
      {s.lastError && (
        <Alert color="red" title={t('mail.settings.imap.lastError')} data-testid="imap-last-error">
          {t(`mail.settings.imap.errors.${s.lastError.kind}`)}
          {s.lastError.detail ? ` (${s.lastError.detail})` : ''}
        </Alert>
      )}
      <Group>
        <Button variant="light" onClick={() => test.mutate()} loading={test.isPending} disabled={!s.configured}>
          {t('mail.settings.imap.test')}
        </Button>
        <Button variant="light" onClick={() => poll.mutate()} loading={poll.isPending} disabled={!s.configured}>
          {t('mail.settings.imap.pollNow')}
        </Button>
      </Group>
      {test.data && (
        <Text size="sm" c="teal" role="status">
          {t('mail.settings.imap.testOk', { mailbox: test.data.mailbox, count: test.data.messages })}
        </Text>
      )}
      <ErrorAlert error={test.error} />
      {result?.status === 'polled' && (
        <Text size="sm" c="teal" role="status">
          {t('mail.settings.imap.polled', { stored: result.stored, duplicates: result.duplicates, skipped: result.skipped })}
          {result.more ? ` ${t('mail.settings.imap.more')}` : ''}
        </Text>
      )}
      {result?.status === 'busy' && (
        <Text size="sm" c="orange" role="status">
          {t('mail.settings.imap.busy')}
        </Text>
      )}
      <ErrorAlert error={poll.error} />
    </Stack>
  );
}
