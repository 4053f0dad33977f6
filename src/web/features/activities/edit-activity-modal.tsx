import { Alert, Button, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http, isApiError } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorAlert } from '../../ui/error-alert';
import { PageLoader } from '../../ui/page-loader';
import type { Activity } from './activities-api';

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
  const save = useMutation({
    mutationFn: () => http.patch<Activity>(`/api/v1/activities/${activityId}`, { version: activity.data?.version, subject, body }),
    onSuccess: () => done(t('common.saved')),
    onError: (err) => {
      // Someone else saved first: show what they saved, keep the form open.
      if (isApiError(err, 'conflict')) void activity.refetch();
    },
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
