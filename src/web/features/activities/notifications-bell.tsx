import {
  ActionIcon,
  Button,
  Divider,
  Group,
  Indicator,
  Popover,
  ScrollArea,
  Stack,
  Text,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconBell } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useFormatDateTime } from '../../ui/format';
import { type Notification, useMarkRead, useNotifications, useUnreadCount } from './activities-api';

/** A notification in the reader's language: `notifications.kinds.<kind>` with its params; unknown kinds read generically. */
function useNotificationText() {
  const { t, i18n } = useTranslation();
  return (n: Notification) => {
    const key = `notifications.kinds.${n.kind}`;
    const params = { ...n.params, actorName: n.actorName ?? t('activities.timeline.system') } as Record<string, unknown>;
    if (typeof params.activityKind === 'string') params.activityKind = t(`activities.kinds.${params.activityKind}`);
    return i18n.exists(key) ? t(key, params) : t('notifications.generic', { kind: n.kind });
  };
}

/** The header bell: unread count (live through realtime), the latest notifications, mark read / all read. */
export function NotificationsBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const formatDateTime = useFormatDateTime();
  const [opened, { toggle, close }] = useDisclosure(false);
  const unread = useUnreadCount();
  const list = useNotifications(opened);
  const markRead = useMarkRead();
  const text = useNotificationText();
  const count = unread.data ?? 0;

  const openOne = (n: Notification) => {
    if (!n.readAt) markRead.mutate(n.id);
    close();
    if (n.link?.startsWith('/')) navigate(n.link);
  };

  return (
    <Popover opened={opened} onChange={(o) => !o && close()} position="bottom-end" width={360} shadow="md" withinPortal>
      <Popover.Target>
        <Indicator label={count > 99 ? '99+' : count} size={16} disabled={count === 0} offset={6} color="red" data-testid="bell-count">
          <ActionIcon
            variant="subtle"
            size="lg"
            onClick={toggle}
            aria-label={count ? t('notifications.bellUnread', { count }) : t('notifications.bell')}
            data-testid="notifications-bell"
          >
            <IconBell size={20} />
          </ActionIcon>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown p="xs">
        <Group justify="space-between" mb={4}>
          <Text fw={600}>{t('notifications.title')}</Text>
          <Button size="compact-xs" variant="subtle" disabled={count === 0} onClick={() => markRead.mutate('all')}>
            {t('notifications.markAllRead')}
          </Button>
        </Group>
        <Divider mb={4} />
        <ScrollArea.Autosize mah={420}>
          {list.data?.data.length === 0 && (
            <Text c="dimmed" size="sm" p="sm">
              {t('notifications.empty')}
            </Text>
          )}
          <Stack gap={2} data-testid="notifications-list">
            {list.data?.data.map((n) => (
              <UnstyledButton
                key={n.id}
                onClick={() => openOne(n)}
                p="xs"
                bdrs="sm"
                bg={n.readAt ? undefined : 'var(--mantine-primary-color-light)'}
                data-unread={n.readAt ? undefined : 'true'}
              >
                <Text size="sm" style={{ wordBreak: 'break-word' }}>
                  {!n.readAt && <VisuallyHidden>{t('notifications.unread')}: </VisuallyHidden>}
                  {text(n)}
                </Text>
                <Text size="xs" c="dimmed">
                  {formatDateTime(n.createdAt)}
                </Text>
              </UnstyledButton>
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
