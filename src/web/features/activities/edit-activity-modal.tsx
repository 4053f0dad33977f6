import { Alert, Anchor, Button, FileInput, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http, isApiError } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorAlert } from '../../ui/error-alert';
import { PageLoader } from '../../ui/page-loader';
import { type Activity, uploadAttachment } from './activities-api';

/** 活動の編集: subject and text of a logged activity (version-checked: a stale edit shows the latest), or delete it. */
export function EditActivityModal({ activityId, onClose }: { activityId: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const activity = useQuery({
    queryKey: [...keys.timeline, 'activity', activityId],
    queryFn: () => http.get<Activity>(`/api/v1/activities/${activityId}`),
    enabled: activityId !== null,
    staleTime: 0,
  });
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [loadedId, setLoadedId] = useState<string | null>(null);
  // Fill the form once per activity: a refetch after a conflict must not wipe what the user typed.
  useEffect(() => {
    if (!activity.data || loadedId === activity.data.id) return;
    setLoadedId(activity.data.id);
    setSubject(activity.data.subject ?? '');
    setBody(activity.data.body);
  }, [activity.data, loadedId]);

  const done = (message: string) => {
    notifications.show({ message });
    void queryClient.invalidateQueries({ queryKey: keys.timeline });
    onClose();
  };
  const [files, setFiles] = useState<File[]>([]);
  const save = useMutation({
    mutationFn: async () => {
      const saved = await http.patch<Activity>(`/api/v1/activities/${activityId}`, { version: activity.data?.version, subject, body });
      for (const file of files) await uploadAttachment(saved.id, file);
      setFiles([]);
      return saved;
    },
    onSuccess: () => done(t('common.saved')),
    // Someone else saved first (or a file was refused after the text was saved): show the latest, keep the form open.
    onError: () => void activity.refetch(),
  });
  const remove = useMutation({
    mutationFn: () => http.delete(`/api/v1/activities/${activityId}`),
    onSuccess: () => done(t('activities.edit.deleted')),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  return (
    <Modal opened={activityId !== null} onClose={onClose} title={t('activities.edit.title')} size="lg">
      {activity.isPending ? (
        <PageLoader />
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <ErrorAlert error={activity.error} />
            <TextInput label={t('activities.log.subject')} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} />
            <Textarea
              label={t('activities.log.body')}
              value={body}
              onChange={(e) => setBody(e.currentTarget.value)}
              autosize
              minRows={3}
              maxRows={14}
              data-autofocus
            />
            {(activity.data?.attachments.length ?? 0) > 0 && (
              <Group gap="xs" aria-label={t('activities.timeline.attachments')}>
                {activity.data?.attachments.map((f) => (
                  <Anchor key={f.id} href={`/api/v1/attachments/${f.id}`} size="sm" download={f.filename}>
                    {f.filename}
                  </Anchor>
                ))}
              </Group>
            )}
            <FileInput label={t('activities.log.files')} multiple clearable value={files} onChange={setFiles} />
            <ErrorAlert error={save.error ?? remove.error} />
            {isApiError(save.error, 'conflict') && activity.data && (
              <Alert color="yellow" title={t('activities.edit.latest')} data-testid="activity-latest">
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {[activity.data.subject, activity.data.body].filter(Boolean).join('\n')}
                </Text>
              </Alert>
            )}
            <Group justify="space-between">
              <ConfirmButton
                message={t('activities.edit.confirmDelete')}
                confirmLabel={t('common.delete')}
                onConfirm={() => remove.mutate()}
                loading={remove.isPending}
              >
                {t('common.delete')}
              </ConfirmButton>
              <Group>
                <Button variant="default" onClick={onClose}>
                  {t('common.cancel')}
                </Button>
                <Button type="submit" loading={save.isPending} disabled={!activity.data}>
                  {t('common.save')}
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
