import { Button, Paper, Stack, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import type { Company, Person } from '../customers/customers-api';
import { type Task, useTaskPages } from './tasks-api';
import { TaskItem } from './tasks-list';
import { TaskModal } from './tasks-modal';

interface RecordRef {
  entityType: 'person' | 'company';
  entityId: string;
  /** Shown on the link badge in the form; taken from the record page's cached record when not given. */
  name?: string;
}

function useRecordName(entityType: 'person' | 'company', entityId: string, name?: string): string | null {
  const qc = useQueryClient();
  if (name) return name;
  if (entityType === 'person') return qc.getQueryData<Person>([...keys.people, 'one', entityId])?.displayName ?? null;
  return qc.getQueryData<Company>([...keys.companies, 'one', entityId])?.name ?? null;
}

/** "タスク追加" for a record page: opens the task form already linked to the record. */
export function AddTaskButton({ entityType, entityId, name }: RecordRef) {
  const { t } = useTranslation();
  const can = useCan();
  const [open, setOpen] = useState(false);
  const label = useRecordName(entityType, entityId, name);
  if (!can('records.write')) return null;
  return (
    <>
      <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setOpen(true)} data-testid="add-task">
        {t('tasks.record.add')}
      </Button>
      <TaskModal opened={open} onClose={() => setOpen(false)} task={null} defaults={{ links: [{ entityType, entityId, name: label }] }} />
    </>
  );
}

/** The record's open tasks (anyone's the user may see); nothing at all when there are none. */
export function RecordTasks({ entityType, entityId }: { entityType: 'person' | 'company'; entityId: string }) {
  const { t } = useTranslation();
  const pages = useTaskPages({ assignee: 'any', bucket: 'open', entityType, entityId, limit: 20 });
  const [editing, setEditing] = useState<Task | null>(null);
  const tasks = pages.data?.pages.flatMap((p) => p.data) ?? [];
  if (tasks.length === 0) return null;
  return (
    <Paper withBorder p="sm" data-testid="record-tasks">
      <Text fw={600} size="sm" mb={4}>
        {t('tasks.record.title')}
      </Text>
      <Stack gap={0}>
        {tasks.map((task) => (
          <TaskItem key={task.id} task={task} onOpen={setEditing} />
        ))}
      </Stack>
      {pages.hasNextPage && (
        <Button variant="subtle" size="xs" onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      )}
      <TaskModal opened={Boolean(editing)} onClose={() => setEditing(null)} task={editing} />
    </Paper>
  );
}
