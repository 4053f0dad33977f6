import { Button, Chip, Group, Modal, Paper, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconMail } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mergeFields } from '../../../shared/contracts/mail';
import { ErrorAlert } from '../../ui/error-alert';
import { usePerson } from '../customers/customers-api';
import { previewEmail, useSendEmail, useTemplates } from './mail-api';

/** 「メール作成」 on a person's timeline: opens the compose dialog. */
export function EmailComposeButton({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button variant="light" leftSection={<IconMail size={16} />} onClick={open} data-testid="compose-email">
        {t('mail.compose.button')}
      </Button>
      {opened && <EmailComposeModal personId={personId} onClose={close} />}
    </>
  );
}

/** The merge field's name in the user's language: {{姓}} in Japanese, {{family_name}} in English. */
function placeholderName(key: (typeof mergeFields)[number], lang: string) {
  return lang === 'en' ? (key.names.find((n) => /^[a-z_]+$/.test(n)) ?? key.key) : key.names[0];
}

/** The compose dialog; `reply` answers a message within its conversation (In-Reply-To / References). */
export function EmailComposeModal({
  personId,
  onClose,
  reply,
}: {
  personId: string;
  onClose: () => void;
  reply?: { emailId: string; subject: string };
}) {
  const { t, i18n } = useTranslation();
  const person = usePerson(personId);
  const templates = useTemplates();
  const send = useSendEmail();
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [to, setTo] = useState('');
  const [subject, setSubject] = useState(() => (reply ? (/^re:/i.test(reply.subject) ? reply.subject : `Re: ${reply.subject}`) : ''));
  const [body, setBody] = useState('');
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const [debounced] = useDebouncedValue({ subject, body }, 300);
  const preview = useQuery({
    queryKey: ['mail', 'preview', personId, debounced],
    queryFn: () => previewEmail({ personId, ...debounced }),
    enabled: Boolean(debounced.subject || debounced.body),
    retry: false,
  });

  const applyTemplate = (id: string | null) => {
    setTemplateId(id);
    const tpl = templates.data?.find((x) => x.id === id);
    if (tpl) {
      setSubject(tpl.subject);
      setBody(tpl.body);
    }
  };

  const insertField = (name: string) => {
    const el = bodyRef.current;
    const token = `{{${name}}}`;
    const at = el ? el.selectionStart : body.length;
    const end = el ? el.selectionEnd : body.length;
    setBody(body.slice(0, at) + token + body.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };

  const submit = () => {
    const recipients = to
      .split(/[,、\s]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    send.mutate(
      {
        personId,
        subject,
        body,
        templateId: templateId ?? undefined,
        to: recipients.length ? recipients : undefined,
        replyToEmailId: reply?.emailId,
      },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: t('mail.compose.sent') });
          onClose();
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} size="xl" title={t('mail.compose.title', { name: person.data?.displayName ?? '' })}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          <Select
            label={t('mail.compose.template')}
            placeholder={t('mail.compose.templatePlaceholder')}
            data={(templates.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            value={templateId}
            onChange={applyTemplate}
            clearable
            searchable
            data-testid="compose-template"
          />
          <TextInput
            label={t('mail.compose.to')}
            description={t('mail.compose.toHelp')}
            placeholder={preview.data?.to.join(', ') || person.data?.emails[0]?.address || ''}
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
          />
          <TextInput label={t('mail.compose.subject')} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} required />
          <Textarea
            ref={bodyRef}
            label={t('mail.compose.body')}
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            autosize
            minRows={8}
            maxRows={20}
            required
          />
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('mail.compose.mergeFields')}
            </Text>
            <Text size="xs" c="dimmed">
              {t('mail.compose.mergeFieldsHelp')}
            </Text>
            <Group gap={6}>
              {mergeFields.map((f) => (
                <Chip key={f.key} size="xs" checked={false} onChange={() => insertField(placeholderName(f, i18n.resolvedLanguage ?? 'ja'))}>
                  {t(`mail.fields.${f.key}`)}
                </Chip>
              ))}
            </Group>
          </Stack>
          <Paper withBorder p="sm" radius="md" data-testid="compose-preview">
            <Title order={3} size="h5" mb="xs">
              {t('mail.compose.preview')}
            </Title>
            {preview.error ? (
              <ErrorAlert error={preview.error} />
            ) : preview.data ? (
              <SimpleGrid cols={1} spacing={4}>
                <Text fw={600}>{preview.data.subject}</Text>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                  {preview.data.body}
                </Text>
              </SimpleGrid>
            ) : (
              <Text size="sm" c="dimmed">
                {t('mail.compose.previewEmpty')}
              </Text>
            )}
          </Paper>
          <ErrorAlert error={send.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={send.isPending} leftSection={<IconMail size={16} />} data-testid="compose-send">
              {t('mail.compose.send')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
