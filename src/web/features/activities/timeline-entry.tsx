import { ActionIcon, Anchor, Badge, Group, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import {
  IconBriefcase,
  IconCalendarEvent,
  IconChecklist,
  IconForms,
  IconHistory,
  IconMail,
  IconMessage,
  IconMessages,
  IconNote,
  IconPaperclip,
  IconPencil,
  IconPhone,
  IconPoint,
  IconShoppingCart,
  IconTicket,
  IconUserPlus,
} from '@tabler/icons-react';
import type { ComponentType, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useFormatDateTime } from '../../ui/format';
import { useMoney } from '../../ui/money';
import type { TimelineEntry } from './activities-api';
import { describeChange, type FieldChange } from './change-format';
import { useChangeContext } from './use-change-context';

const icons: Record<string, ComponentType<{ size?: number }>> = {
  note: IconNote,
  call: IconPhone,
  meeting: IconCalendarEvent,
  sms: IconMessage,
  chat: IconMessages,
  form: IconForms,
  change: IconHistory,
  task: IconChecklist,
  email: IconMail,
  deal: IconBriefcase,
  lead: IconUserPlus,
  purchase: IconShoppingCart,
  ticket: IconTicket,
};
const colors: Record<string, string> = { call: 'teal', meeting: 'grape', email: 'blue', task: 'orange', change: 'gray', note: 'yellow' };

type Summary = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));

function useKindLabel() {
  const { t } = useTranslation();
  return (kind: string) => t(`activities.kinds.${kind}`, { defaultValue: kind });
}

/** A record's change: what was done, then each field as "label: before → after" or the tags added and removed. */
function ChangeBody({ entry }: { entry: TimelineEntry }) {
  const { t } = useTranslation();
  const s = entry.summary as Summary;
  const ctx = useChangeContext(entry.sourceType ?? entry.entityType);
  const action = str(s.action);
  const key = ['created', 'updated', 'deleted', 'restored', 'merged', 'consent_changed', 'purpose_changed'].includes(action)
    ? action
    : 'other';
  const enumLabel = (v: unknown) => (v ? t(`customers.enums.${str(v)}`, { defaultValue: str(v) }) : '');
  const changes = Array.isArray(s.changes) ? (s.changes as FieldChange[]) : [];
  return (
    <Stack gap={2}>
      <Text size="sm" fw={500}>
        {t(`activities.change.${key}`, {
          action,
          channel: s.channel ? t(`customers.record.channels.${str(s.channel)}`, { defaultValue: str(s.channel) }) : '',
          status: enumLabel(s.status),
          purpose: str(s.purpose),
        })}
      </Text>
      {changes.map((c) => {
        const view = describeChange(c, ctx);
        return (
          <Text key={c.field} size="sm" style={{ wordBreak: 'break-word' }} data-testid="timeline-change">
            <Text span c="dimmed">
              {view.label}:
            </Text>{' '}
            {view.text}
          </Text>
        );
      })}
    </Stack>
  );
}

/** What happened, by kind: an activity's details, a change's fields, another module's subject or title. */
function EntryBody({ entry }: { entry: TimelineEntry }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const formatMoney = useMoney();
  const s = entry.summary as Summary;
  const details = (s.details ?? {}) as Summary;
  const lines: ReactNode[] = [];

  if (entry.kind === 'change') return <ChangeBody entry={entry} />;

  const title = str(s.subject) || str(s.title) || str(s.name) || (s.orderNumber ? `#${str(s.orderNumber)}` : '');
  if (title) {
    lines.push(
      <Text key="title" size="sm" fw={600}>
        {title}
      </Text>,
    );
  }
  if (entry.kind === 'call') {
    const parts = [
      details.direction ? t(`activities.log.directions.${str(details.direction)}`) : '',
      typeof details.durationSeconds === 'number' ? t('activities.call.minutes', { count: Math.round(details.durationSeconds / 60) }) : '',
      details.outcome ? t(`activities.log.outcomes.${str(details.outcome)}`) : '',
    ].filter(Boolean);
    if (parts.length)
      lines.push(
        <Text key="call" size="sm" c="dimmed">
          {parts.join(' · ')}
        </Text>,
      );
  }
  if (entry.kind === 'meeting') {
    const when = [formatDateTime(str(details.startAt)), details.endAt ? formatDateTime(str(details.endAt)) : '']
      .filter(Boolean)
      .join(' – ');
    const attendees = Array.isArray(details.attendees) ? (details.attendees as string[]).join('、') : '';
    lines.push(
      <Text key="meeting" size="sm" c="dimmed">
        {[when, details.place ? t('activities.meeting.at', { place: str(details.place) }) : '', attendees].filter(Boolean).join(' · ')}
      </Text>,
    );
  }
  if ((entry.kind === 'sms' || entry.kind === 'chat') && details.direction) {
    lines.push(
      <Text key="dir" size="sm" c="dimmed">
        {t(`activities.log.directions.${str(details.direction)}`)}
      </Text>,
    );
  }
  if (entry.kind === 'deal' || entry.kind === 'lead') {
    const action = str(s.action);
    const name = (v: unknown) => (v && typeof v === 'object' ? str((v as Summary).name) : str(v));
    const status = (v: unknown) => (v ? t(`sales.leads.status.${str(v)}`, { defaultValue: str(v) }) : '');
    const from = entry.kind === 'lead' ? status(s.from) : name(s.from);
    const to = entry.kind === 'lead' ? status(s.to) : name(s.to);
    lines.push(
      <Text key="action" size="sm" data-testid="timeline-action">
        {t(`activities.sales.${entry.kind}.${action}`, {
          defaultValue: action,
          from,
          to,
          rule: str(s.ruleName),
          assignee: str(s.assigneeName),
          minutes: typeof s.minutes === 'number' ? s.minutes : 0,
        })}
      </Text>,
    );
    const closing = [
      s.reason ? t('activities.sales.reason', { reason: str(s.reason) }) : '',
      s.competitor ? t('activities.sales.competitor', { competitor: str(s.competitor) }) : '',
      typeof s.amount === 'number' && s.currency ? formatMoney(s.amount, str(s.currency)) : '',
    ].filter(Boolean);
    if (closing.length)
      lines.push(
        <Text key="closing" size="sm" c="dimmed">
          {closing.join(' · ')}
        </Text>,
      );
  }
  const facts = [str(s.companyName), str(s.stage), typeof s.total === 'number' && s.currency ? formatMoney(s.total, str(s.currency)) : '']
    .filter(Boolean)
    .join(' · ');
  if (facts)
    lines.push(
      <Text key="facts" size="sm" c="dimmed">
        {facts}
      </Text>,
    );
  if (entry.kind === 'email') {
    const who = [str(s.from), str(s.to)].filter(Boolean).join(' → ');
    if (who)
      lines.push(
        <Text key="who" size="sm" c="dimmed">
          {who}
        </Text>,
      );
    if (s.emailId) {
      lines.push(
        <Anchor key="open" component={Link} to={`/emails/${str(s.emailId)}`} size="sm">
          {t('mail.email.open')}
        </Anchor>,
      );
    }
  }
  const body = str(s.body) || str(s.snippet);
  if (body) {
    lines.push(
      <Text key="body" size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {body}
      </Text>,
    );
  }
  if (s.status && entry.kind !== 'change')
    lines.push(
      <Badge key="status" size="sm" variant="light">
        {t(entry.kind === 'purchase' ? `commerce.statuses.${str(s.status)}` : `activities.taskStatus.${str(s.status)}`, {
          defaultValue: str(s.status),
        })}
      </Badge>,
    );
  const files = Array.isArray(s.attachments) ? (s.attachments as { id: string; filename: string; size: number }[]) : [];
  if (files.length) {
    lines.push(
      <Group key="files" gap="xs" aria-label={t('activities.timeline.attachments')}>
        {files.map((f) => (
          <Anchor key={f.id} href={`/api/v1/attachments/${f.id}`} size="sm" download={f.filename}>
            <Group gap={4} wrap="nowrap">
              <IconPaperclip size={14} />
              {f.filename}
            </Group>
          </Anchor>
        ))}
      </Group>,
    );
  }
  return <Stack gap={2}>{lines}</Stack>;
}

/** One entry of a timeline or of the feed. `recordLink` names the record (feed) — a timeline omits it. */
export function TimelineEntryCard({
  entry,
  recordLink,
  onEdit,
}: {
  entry: TimelineEntry;
  recordLink?: { label: string; to: string };
  /** offered on logged activities when the user may change them */
  onEdit?: (activityId: string) => void;
}) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const kindLabel = useKindLabel();
  const Icon = icons[entry.kind] ?? IconPoint;
  const s = entry.summary as Summary;
  return (
    <Paper withBorder p="sm" radius="md" data-testid="timeline-entry" data-kind={entry.kind}>
      <Group align="flex-start" wrap="nowrap" gap="sm">
        <ThemeIcon variant="light" color={colors[entry.kind] ?? 'blue'} radius="xl" aria-hidden>
          <Icon size={16} />
        </ThemeIcon>
        <Stack gap={4} style={{ flex: 1, minWidth: 0 }}>
          <Group gap="xs" wrap="wrap">
            <Badge variant="light" color={colors[entry.kind] ?? 'blue'} size="sm">
              {kindLabel(entry.kind)}
            </Badge>
            <Text size="sm" fw={500}>
              {entry.actorName ?? t('activities.timeline.system')}
            </Text>
            {recordLink && (
              <Anchor component={Link} to={recordLink.to} size="sm">
                {t('activities.feed.on', { label: recordLink.label })}
              </Anchor>
            )}
            {entry.via && (
              <Anchor component={Link} to={`/people/${entry.via.entityId}`} size="xs" c="dimmed">
                {t('activities.timeline.via', { name: str(s.viaLabel) || '…' })}
              </Anchor>
            )}
            <Text size="xs" c="dimmed" ml="auto">
              <time dateTime={entry.occurredAt}>{formatDateTime(entry.occurredAt)}</time>
            </Text>
            {onEdit && entry.sourceType === 'activity' && entry.sourceId && (
              <ActionIcon
                variant="subtle"
                size="sm"
                aria-label={t('activities.edit.title')}
                onClick={() => onEdit(entry.sourceId as string)}
                data-testid="edit-activity"
              >
                <IconPencil size={14} />
              </ActionIcon>
            )}
          </Group>
          <EntryBody entry={entry} />
        </Stack>
      </Group>
    </Paper>
  );
}
