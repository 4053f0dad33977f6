import { Badge, Button, Group, Select, SimpleGrid, Stack, Tabs } from '@mantine/core';
import { IconCalendar, IconChecklist, IconPlus, IconSettings } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useCan, useSession } from '../../app/session';
import { EmptyState } from '../../ui/empty-state';
import { PageHeader } from '../../ui/page-header';
import { useUsers } from '../customers/customers-api';
import { type Task, useTask, useTaskSummary } from './tasks-api';
import { TaskSection } from './tasks-list';
import { TaskModal } from './tasks-modal';

/**
 * マイタスク: overdue, today, upcoming and undated open tasks (days in the user's time zone), and done ones. Someone
 * who may see others' records (a manager with team visibility, an admin) can show a teammate's tasks or everyone's
 * they may see instead (`?assignee=`), each task naming its assignee.
 */
export function TasksPage() {
  const { t } = useTranslation();
  const can = useCan();
  const { user, workspace } = useSession();
  const [params, setParams] = useSearchParams();
  const seesOthers = user.role === 'admin' || workspace.visibility[user.role] !== 'own';
  const assignee = (seesOthers && params.get('assignee')) || 'me';
  const users = useUsers();
  const chooseAssignee = (value: string | null) => {
    if (!value || value === 'me') params.delete('assignee');
    else params.set('assignee', value);
    setParams(params, { replace: true });
  };
  const summary = useTaskSummary(assignee);
  const [tab, setTab] = useState<string | null>('open');
  const [creating, setCreating] = useState(false);
  const openId = params.get('task');
  const opened = useTask(openId);
  const [editing, setEditing] = useState<Task | null>(null);
  const current = editing ?? (openId ? (opened.data ?? null) : null);

  const open = (task: Task) => setEditing(task);
  const close = () => {
    setEditing(null);
    setCreating(false);
    if (openId) {
      params.delete('task');
      setParams(params, { replace: true });
    }
  };
  const counts = summary.data?.counts;
  const none = counts && counts.overdue + counts.today + counts.upcoming + counts.nodate === 0;

  return (
    <>
      <PageHeader title={t('tasks.title')}>
        <Group gap="xs">
          {seesOthers && (
            <Select
              aria-label={t('tasks.whose.label')}
              value={assignee}
              onChange={chooseAssignee}
              allowDeselect={false}
              w={{ base: '100%', xs: 220 }}
              data={[
                { value: 'me', label: t('tasks.whose.me') },
                { value: 'any', label: t('tasks.whose.any') },
                ...(users.data ?? []).filter((u) => u.id !== user.id && u.status === 'active').map((u) => ({ value: u.id, label: u.name })),
              ]}
            />
          )}
          <Button component={Link} to="/tasks/calendar" variant="default" leftSection={<IconCalendar size={16} />}>
            {t('tasks.calendar')}
          </Button>
          <Button component={Link} to="/settings?tab=notifications" variant="default" leftSection={<IconSettings size={16} />}>
            {t('tasks.settingsButton')}
          </Button>
          {can('records.write') && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              {t('tasks.add')}
            </Button>
          )}
        </Group>
      </PageHeader>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab
            value="open"
            rightSection={
              counts && counts.overdue > 0 ? (
                <Badge size="sm" color="red" variant="filled">
                  {counts.overdue}
                </Badge>
              ) : undefined
            }
          >
            {assignee === 'me' ? t('tasks.list') : t('tasks.openTasks')}
          </Tabs.Tab>
          <Tabs.Tab value="done">{t('tasks.buckets.done')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="open">
          <Stack>
            {none && (
              <EmptyState message={t('tasks.emptyState')} icon={<IconChecklist size={24} />}>
                {can('records.write') && (
                  <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
                    {t('tasks.emptyAdd')}
                  </Button>
                )}
              </EmptyState>
            )}
            {counts && counts.overdue > 0 && (
              <TaskSection
                testId="tasks-overdue"
                title={t('tasks.buckets.overdue')}
                color="red"
                overdue
                query={{ bucket: 'overdue', assignee }}
                empty={t('tasks.empty.overdue')}
                onOpen={open}
              />
            )}
            <SimpleGrid cols={{ base: 1, lg: 2 }}>
              <TaskSection
                testId="tasks-today"
                title={t('tasks.buckets.today')}
                color="blue"
                query={{ bucket: 'today', assignee }}
                empty={t('tasks.empty.today')}
                onOpen={open}
              />
              <TaskSection
                testId="tasks-upcoming"
                title={t('tasks.buckets.upcoming')}
                query={{ bucket: 'upcoming', assignee }}
                empty={t('tasks.empty.upcoming')}
                onOpen={open}
              />
            </SimpleGrid>
            <TaskSection
              testId="tasks-nodate"
              title={t('tasks.buckets.nodate')}
              query={{ bucket: 'nodate', assignee }}
              empty={t('tasks.empty.nodate')}
              onOpen={open}
            />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="done">
          <TaskSection
            testId="tasks-done"
            title={t('tasks.buckets.done')}
            query={{ bucket: 'done', assignee }}
            empty={t('tasks.empty.done')}
            onOpen={open}
          />
        </Tabs.Panel>
      </Tabs>
      <TaskModal opened={creating || Boolean(current)} onClose={close} task={creating ? null : current} />
    </>
  );
}
