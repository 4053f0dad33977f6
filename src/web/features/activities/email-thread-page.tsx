import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconArrowBackUp, IconPaperclip, IconPhotoOff } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useCan } from '../../app/session';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { EmailComposeModal } from './email-compose';
import { type Email, useThread } from './mail-api';

/** Styles inside the sandboxed frame only; the frame runs no script and has no access to the app. */
const FRAME_STYLE =
  '<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">' +
  '<style>body{font-family:system-ui,"Noto Sans JP",sans-serif;font-size:14px;line-height:1.6;margin:8px;color:#222;word-break:break-word}img{max-width:100%;height:auto}table{max-width:100%}</style>';

/**
 * The sender's HTML (already sanitised by the server) in an iframe with `sandbox` and no permissions:
 * no scripts, no same-origin access, no forms, no top navigation; remote images are not loaded.
 */
function HtmlBody({ email }: { email: Email }) {
  const { t } = useTranslation();
  return (
    <iframe
      title={t('mail.email.htmlFrame')}
      sandbox=""
      srcDoc={`<!doctype html><html><head>${FRAME_STYLE}</head><body>${email.html ?? ''}</body></html>`}
      style={{ width: '100%', height: 360, resize: 'vertical', border: 0, background: 'white', borderRadius: 4 }}
      data-testid="email-html"
    />
  );
}

function Addresses({ list }: { list: { address: string; name: string | null }[] }) {
  return <>{list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ')}</>;
}

function Message({ email }: { email: Email }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  return (
    <Paper withBorder p="md" radius="md" component="article" data-testid="email-message">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={2} size="h4">
            {email.subject || t('mail.email.noSubject')}
          </Title>
          <Group gap="xs">
            {email.status !== 'sent' && (
              <Badge variant="light" color={email.status === 'failed' ? 'red' : 'yellow'} data-testid="email-status">
                {t(`mail.email.status.${email.status}`)}
              </Badge>
            )}
            <Badge variant="light" color={email.direction === 'out' ? 'blue' : 'teal'}>
              {t(`mail.email.direction.${email.direction}`)}
            </Badge>
          </Group>
        </Group>
        <Text size="sm">
          <Text span c="dimmed">
            {t('mail.email.from')}:{' '}
          </Text>
          <Addresses list={[email.from]} />
        </Text>
        <Text size="sm">
          <Text span c="dimmed">
            {t('mail.email.to')}:{' '}
          </Text>
          <Addresses list={email.to} />
        </Text>
        {email.cc.length > 0 && (
          <Text size="sm">
            <Text span c="dimmed">
              {t('mail.email.cc')}:{' '}
            </Text>
            <Addresses list={email.cc} />
          </Text>
        )}
        <Text size="sm">
          <Text span c="dimmed">
            {t('mail.email.date')}:{' '}
          </Text>
          {formatDateTime(email.sentAt)}
        </Text>
        {email.people.length > 0 && (
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              {t('mail.email.people')}:
            </Text>
            {email.people.map((p) => (
              <Anchor key={`${p.id}:${p.role}`} component={Link} to={`/people/${p.id}`} size="sm">
                {p.name}
              </Anchor>
            ))}
          </Group>
        )}
        {email.status === 'failed' && (
          <Alert color="red" py={6}>
            {t('mail.email.failedReason', { reason: email.error ?? '' })}
          </Alert>
        )}
        {email.hasRemoteImages && (
          <Alert color="gray" icon={<IconPhotoOff size={16} />} py={6}>
            {t('mail.email.remoteBlocked')}
          </Alert>
        )}
        {email.html ? (
          <HtmlBody email={email} />
        ) : (
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="email-text">
            {email.text || t('mail.email.noBody')}
          </Text>
        )}
        {email.attachments.length > 0 && (
          <Group gap="xs" aria-label={t('mail.email.attachments')}>
            {email.attachments.map((f) => (
              <Anchor key={f.id} href={`/api/v1/attachments/${f.id}`} size="sm" download={f.filename}>
                <Group gap={4} wrap="nowrap">
                  <IconPaperclip size={14} />
                  {f.filename}
                </Group>
              </Anchor>
            ))}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/** /emails/:id — the whole conversation the message belongs to, oldest first. */
export function EmailThreadPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const can = useCan();
  const thread = useThread(id);
  const [replying, { open, close }] = useDisclosure(false);
  if (thread.isPending) return <PageLoader />;
  if (thread.error) return <ErrorState error={thread.error} onRetry={() => void thread.refetch()} />;
  const last = thread.data.at(-1);
  // Reply to the newest message, on behalf of the first person it is linked to.
  const person = last?.people[0];
  return (
    <>
      <PageHeader title={t('mail.email.thread', { count: thread.data.length })}>
        {last && person && can('records.write') && (
          <Button leftSection={<IconArrowBackUp size={16} />} onClick={open} data-testid="email-reply">
            {t('mail.email.reply')}
          </Button>
        )}
      </PageHeader>
      {replying && last && person && (
        <EmailComposeModal personId={person.id} onClose={close} reply={{ emailId: last.id, subject: last.subject }} />
      )}
      <Stack>
        {thread.data.map((email) => (
          <Message key={email.id} email={email} />
        ))}
      </Stack>
    </>
  );
}
