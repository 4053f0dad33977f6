import { Anchor, Button, Checkbox, Group, Modal, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { http } from '../../app/api-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { PageLoader } from '../../ui/page-loader';
import { type EmailSummary, searchPeople, useDismissReviewed, useLinkReviewed, useReviewList } from './mail-api';

/** Mail from unknown senders: create the person, link to an existing one, or dismiss. */
export function MailReviewPanel() {
  const { t } = useTranslation();
  const list = useReviewList();
  const [creating, setCreating] = useState<EmailSummary | null>(null);
  const [linking, setLinking] = useState<EmailSummary | null>(null);
  if (list.isPending) return <PageLoader />;
  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  const rows = list.data.pages.flatMap((p) => p.data);
  return (
    <Stack>
      <Text fw={600}>{t('mail.review.title')}</Text>
      <Text size="sm" c="dimmed">
        {t('mail.review.intro')}
      </Text>
      {rows.length === 0 ? (
        <Text c="dimmed" data-testid="review-empty">
          {t('mail.review.empty')}
        </Text>
      ) : (
        rows.map((email) => <ReviewRow key={email.id} email={email} onCreate={setCreating} onLink={setLinking} />)
      )}
      {list.hasNextPage && (
        <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      )}
      {creating && <CreatePersonModal email={creating} onClose={() => setCreating(null)} />}
      {linking && <LinkPersonModal email={linking} onClose={() => setLinking(null)} />}
    </Stack>
  );
}

function ReviewRow({
  email,
  onCreate,
  onLink,
}: {
  email: EmailSummary;
  onCreate: (e: EmailSummary) => void;
  onLink: (e: EmailSummary) => void;
}) {
  const { t } = useTranslation();
  const can = useCan();
  const formatDateTime = useFormatDateTime();
  const dismiss = useDismissReviewed();
  return (
    <Paper withBorder p="sm" radius="md" data-testid="review-row">
      <Stack gap={4}>
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text fw={600}>{email.from.name ? `${email.from.name} <${email.from.address}>` : email.from.address}</Text>
          <Text size="sm" c="dimmed">
            {formatDateTime(email.sentAt)}
          </Text>
        </Group>
        <Anchor component={Link} to={`/emails/${email.id}`}>
          {email.subject || t('mail.email.noSubject')}
        </Anchor>
        <Text size="sm" c="dimmed" lineClamp={2}>
          {email.snippet}
        </Text>
        {can('records.write') && (
          <Group gap="xs" mt={4}>
            <Button size="xs" onClick={() => onCreate(email)}>
              {t('mail.review.createPerson')}
            </Button>
            <Button size="xs" variant="light" onClick={() => onLink(email)}>
              {t('mail.review.link')}
            </Button>
            <Button
              size="xs"
              variant="subtle"
              color="gray"
              loading={dismiss.isPending}
              onClick={() => dismiss.mutate(email.id, { onSuccess: () => notifications.show({ message: t('mail.review.dismissed') }) })}
            >
              {t('mail.review.dismiss')}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/** A person created with the sender's address may have claimed the mail already (0 newly linked). */
function linkedMessage(t: TFunction, count: number) {
  return count > 0 ? t('mail.review.linked', { count }) : t('mail.review.linkedDone');
}

/** "山田 太郎" → 山田 / 太郎; no display name → the address's local part as the family name. */
function splitName(email: EmailSummary): { family: string; given: string } {
  const name = (email.from.name ?? '').trim();
  if (!name) return { family: email.from.address.split('@')[0] ?? '', given: '' };
  const [family = '', ...rest] = name.split(/[\s　]+/);
  return { family, given: rest.join(' ') };
}

function CreatePersonModal({ email, onClose }: { email: EmailSummary; onClose: () => void }) {
  const { t } = useTranslation();
  const link = useLinkReviewed();
  const initial = splitName(email);
  const [family, setFamily] = useState(initial.family);
  const [given, setGiven] = useState(initial.given);
  const [address, setAddress] = useState(email.from.address);
  const create = useMutation({
    mutationFn: async () => {
      const person = await http.post<{ id: string }>('/api/v1/people', {
        familyName: family,
        givenName: given || null,
        emails: [{ label: 'work', address }],
        ignoreDuplicates: true,
      });
      return link.mutateAsync({ emailId: email.id, personId: person.id });
    },
    onSuccess: (r) => {
      notifications.show({ color: 'teal', message: linkedMessage(t, r.linked) });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('mail.review.createPerson')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <Group grow>
            <TextInput label={t('mail.review.familyName')} value={family} onChange={(e) => setFamily(e.currentTarget.value)} required />
            <TextInput label={t('mail.review.givenName')} value={given} onChange={(e) => setGiven(e.currentTarget.value)} />
          </Group>
          <TextInput label={t('mail.review.emailAddress')} value={address} onChange={(e) => setAddress(e.currentTarget.value)} required />
          <ErrorAlert error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} data-testid="review-create-submit">
              {t('mail.review.createAndLink')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function LinkPersonModal({ email, onClose }: { email: EmailSummary; onClose: () => void }) {
  const { t } = useTranslation();
  const link = useLinkReviewed();
  const [search, setSearch] = useState('');
  const [personId, setPersonId] = useState<string | null>(null);
  const [addAddress, setAddAddress] = useState(true);
  const [q] = useDebouncedValue(search, 250);
  const submit = useMutation({
    mutationFn: async (id: string) => {
      if (addAddress) {
        // The address joins the person's emails, so their next messages are matched on arrival.
        const person = await http.get<{ version: number; emails: { label: string; address: string }[] }>(`/api/v1/people/${id}`);
        if (!person.emails.some((e) => e.address.toLowerCase() === email.from.address)) {
          await http.patch(`/api/v1/people/${id}`, {
            version: person.version,
            emails: [...person.emails, { label: 'work', address: email.from.address }],
          });
        }
      }
      return link.mutateAsync({ emailId: email.id, personId: id });
    },
    onSuccess: (r) => {
      notifications.show({ color: 'teal', message: linkedMessage(t, r.linked) });
      onClose();
    },
  });
  const hits = useQuery({ queryKey: ['mail', 'person-search', q], queryFn: () => searchPeople(q), enabled: q.trim().length >= 1 });
  return (
    <Modal opened onClose={onClose} title={t('mail.review.link')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (personId) submit.mutate(personId);
        }}
      >
        <Stack>
          <Select
            label={t('mail.review.personSearch')}
            placeholder={t('mail.review.personSearchPlaceholder')}
            searchable
            searchValue={search}
            onSearchChange={setSearch}
            filter={({ options }) => options}
            data={(hits.data ?? []).map((p) => ({ value: p.id, label: [p.displayName, p.emails[0]?.address].filter(Boolean).join(' · ') }))}
            value={personId}
            onChange={setPersonId}
            nothingFoundMessage={q.trim().length >= 1 && !hits.isFetching ? t('common.noResults') : undefined}
            data-testid="review-person-search"
          />
          <Checkbox
            label={t('mail.review.addAddress', { address: email.from.address })}
            checked={addAddress}
            onChange={(e) => setAddAddress(e.currentTarget.checked)}
          />
          <ErrorAlert error={submit.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" disabled={!personId} loading={submit.isPending} data-testid="review-link-submit">
              {t('mail.review.linkButton')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
