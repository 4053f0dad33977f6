import { Button, Group, Modal, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mergeFields, unknownMergeFields } from '../../../shared/contracts/mail';
import { useCan } from '../../app/session';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { PageLoader } from '../../ui/page-loader';
import { type EmailTemplate, useDeleteTemplate, useSaveTemplate, useTemplates } from './mail-api';

type Draft = { id?: string; version?: number; name: string; subject: string; body: string };

/** Templates with merge fields: list, create, edit, delete. */
export function MailTemplatesPanel() {
  const { t } = useTranslation();
  const can = useCan();
  const templates = useTemplates();
  const remove = useDeleteTemplate();
  const [draft, setDraft] = useState<Draft | null>(null);
  const canWrite = can('records.write');
  if (templates.isPending) return <PageLoader />;
  if (templates.error) return <ErrorState error={templates.error} onRetry={() => void templates.refetch()} />;
  const edit = (x: EmailTemplate) => setDraft({ id: x.id, version: x.version, name: x.name, subject: x.subject, body: x.body });
  return (
    <Stack>
      <Group justify="space-between">
        <Text fw={600}>{t('mail.templates.title')}</Text>
        {canWrite && (
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => setDraft({ name: '', subject: '', body: '' })}
            data-testid="template-add"
          >
            {t('mail.templates.add')}
          </Button>
        )}
      </Group>
      {templates.data.length === 0 ? (
        <Text c="dimmed">{t('mail.templates.empty')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={480}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('mail.templates.name')}</Table.Th>
                <Table.Th>{t('mail.templates.subject')}</Table.Th>
                {canWrite && <Table.Th>{t('common.actions')}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {templates.data.map((x) => (
                <Table.Tr key={x.id}>
                  <Table.Td>{x.name}</Table.Td>
                  <Table.Td>{x.subject}</Table.Td>
                  {canWrite && (
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button size="xs" variant="light" onClick={() => edit(x)}>
                          {t('mail.templates.edit')}
                        </Button>
                        <ConfirmButton
                          message={t('common.confirmDelete', { name: x.name })}
                          confirmLabel={t('common.delete')}
                          onConfirm={() =>
                            remove.mutate(x.id, {
                              onSuccess: () => notifications.show({ color: 'teal', message: t('mail.templates.deleted') }),
                            })
                          }
                        >
                          {t('common.delete')}
                        </ConfirmButton>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {draft && <TemplateModal draft={draft} onClose={() => setDraft(null)} />}
    </Stack>
  );
}

function TemplateModal({ draft: initial, onClose }: { draft: Draft; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const save = useSaveTemplate();
  const [draft, setDraft] = useState(initial);
  const unknown = unknownMergeFields(draft.subject, draft.body);
  const en = i18n.resolvedLanguage === 'en';
  return (
    <Modal opened onClose={onClose} size="lg" title={initial.id ? t('mail.templates.edit') : t('mail.templates.add')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(draft, {
            onSuccess: () => {
              notifications.show({ color: 'teal', message: t('mail.templates.saved') });
              onClose();
            },
          });
        }}
      >
        <Stack>
          <TextInput
            label={t('mail.templates.name')}
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
            required
          />
          <TextInput
            label={t('mail.templates.subject')}
            value={draft.subject}
            onChange={(e) => setDraft({ ...draft, subject: e.currentTarget.value })}
            required
          />
          <Textarea
            label={t('mail.templates.body')}
            value={draft.body}
            onChange={(e) => setDraft({ ...draft, body: e.currentTarget.value })}
            autosize
            minRows={8}
            required
            error={unknown.length ? t('mail.templates.unknownFields', { fields: unknown.join(', ') }) : undefined}
          />
          <Text size="xs" c="dimmed">
            {t('mail.compose.mergeFields')}:{' '}
            {mergeFields
              .map((f) => `{{${en ? (f.names.find((n) => /^[a-z_]+$/.test(n)) ?? f.key) : f.names[0]}}} ${t(`mail.fields.${f.key}`)}`)
              .join('  ')}
          </Text>
          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="template-save">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
