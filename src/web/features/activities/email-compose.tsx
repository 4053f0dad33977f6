import {
  ActionIcon,
  Button,
  Chip,
  FileButton,
  Group,
  Loader,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconMail, IconPaperclip, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mergeFields } from '../../../shared/contracts/mail';
import { ErrorAlert } from '../../ui/error-alert';
import { usePerson } from '../customers/customers-api';
import { discardDraftAttachment, previewEmail, uploadDraftAttachment, useSendEmail, useTemplates } from './mail-api';

/** A file picked in the compose dialog: uploading, uploaded (a draft attachment with its id) or refused. */
interface PickedFile {
  key: string;
  name: string;
  size: number;
  id?: string;
  error?: string;
}

export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** 添付ファイル: pick or drop files; each is uploaded at once (size and type checked by the server), removable before sending. */
function ComposeAttachments({ files, setFiles }: { files: PickedFile[]; setFiles: (f: (prev: PickedFile[]) => PickedFile[]) => void }) {
  const { t } = useTranslation();
  const [dragging, setDragging] = useState(false);
  const add = (picked: File[]) => {
    for (const file of picked) {
      const key = `${Date.now()}-${Math.random()}`;
      setFiles((prev) => [...prev, { key, name: file.name, size: file.size }]);
      uploadDraftAttachment(file).then(
        (stored) => setFiles((prev) => prev.map((f) => (f.key === key ? { ...f, id: stored.id, name: stored.filename } : f))),
        (err: Error) => setFiles((prev) => prev.map((f) => (f.key === key ? { ...f, error: err.message } : f))),
      );
    }
  };
  const remove = (file: PickedFile) => {
    setFiles((prev) => prev.filter((f) => f.key !== file.key));
    if (file.id) void discardDraftAttachment(file.id).catch(() => undefined);
  };
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        {t('mail.compose.attachments')}
      </Text>
      <Paper
        withBorder
        p="sm"
        radius="md"
        style={{ borderStyle: 'dashed', background: dragging ? 'var(--mantine-color-blue-light)' : undefined }}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          add([...e.dataTransfer.files]);
        }}
        data-testid="compose-attachments"
      >
        <Group gap="sm">
          <FileButton multiple onChange={(picked) => add(picked)}>
            {(props) => (
              <Button {...props} variant="default" size="xs" leftSection={<IconPaperclip size={14} />}>
                {t('mail.compose.attach')}
              </Button>
            )}
          </FileButton>
          <Text size="xs" c="dimmed">
            {t('mail.compose.attachHelp')}
          </Text>
        </Group>
        {files.length > 0 && (
          <Stack gap={2} mt="xs" aria-label={t('mail.compose.attachments')}>
            {files.map((f) => (
              <Group key={f.key} gap="xs" wrap="nowrap">
                {f.id || f.error ? <IconPaperclip size={14} /> : <Loader size={14} />}
                <Text size="sm" truncate style={{ flex: 1 }} c={f.error ? 'red' : undefined}>
                  {f.name}{' '}
                  <Text span size="xs" c="dimmed">
                    ({formatFileSize(f.size)})
                  </Text>
                  {f.error && (
                    <Text span size="xs" c="red">
                      {' '}
                      {t('mail.compose.attachFailed', { reason: f.error })}
                    </Text>
                  )}
                </Text>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  size="sm"
                  onClick={() => remove(f)}
                  aria-label={t('mail.compose.removeAttachment', { name: f.name })}
                >
                  <IconX size={14} />
                </ActionIcon>
              </Group>
            ))}
          </Stack>
        )}
      </Paper>
    </Stack>
  );
}

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
  const [files, setFiles] = useState<PickedFile[]>([]);
  const uploading = files.some((f) => !f.id && !f.error);
  /** Closing without sending discards the uploaded drafts. */
  const cancel = () => {
    for (const f of files) if (f.id) void discardDraftAttachment(f.id).catch(() => undefined);
    onClose();
  };
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
        attachmentIds: files.flatMap((f) => (f.id ? [f.id] : [])),
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
    <Modal opened onClose={cancel} size="xl" title={t('mail.compose.title', { name: person.data?.displayName ?? '' })}>
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
          <ComposeAttachments files={files} setFiles={setFiles} />
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
            <Button variant="default" onClick={cancel}>
              {t('common.cancel')}
            </Button>
            <Button
              type="submit"
              loading={send.isPending}
              disabled={uploading}
              leftSection={<IconMail size={16} />}
              data-testid="compose-send"
            >
              {t('mail.compose.send')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
