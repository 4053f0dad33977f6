import { Paper, Stack, Text, Textarea, UnstyledButton } from '@mantine/core';
import { type KeyboardEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { User } from '../../../shared/contracts/accounts';

const fold = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
/** The "@query" right before the caret, if the user is typing a mention (Japanese text has no space before "@"; an email address does not count). */
const MENTION_AT_CARET = /(^|[^A-Za-z0-9._%+-])@([^\s@]{0,30})$/;

/** Which of the picked users are still mentioned in the text (a deleted "@name" notifies nobody). */
export function mentionedIn(text: string, users: Pick<User, 'id' | 'name'>[], picked: string[]): string[] {
  return picked.filter((id) => {
    const u = users.find((x) => x.id === id);
    return u ? text.includes(`@${u.name}`) : false;
  });
}

/** A textarea where "@" opens a list of teammates; picking one writes "@名前" and remembers who was mentioned. */
export function MentionTextarea(props: {
  label: string;
  description: string;
  value: string;
  onChange: (value: string) => void;
  users: Pick<User, 'id' | 'name' | 'email'>[];
  onMention: (userId: string) => void;
  autoFocus?: boolean;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const matches =
    query === null
      ? []
      : props.users.filter((u) => fold(u.name).includes(fold(query)) || fold(u.email).startsWith(fold(query))).slice(0, 6);

  const track = (value: string, caret: number) => {
    const m = MENTION_AT_CARET.exec(value.slice(0, caret));
    setQuery(m ? (m[2] ?? '') : null);
    setActive(0);
  };

  const pick = (user: Pick<User, 'id' | 'name'>) => {
    const el = ref.current;
    const caret = el?.selectionStart ?? props.value.length;
    const before = props.value.slice(0, caret).replace(/@([^\s@]{0,30})$/, `@${user.name} `);
    const next = before + props.value.slice(caret);
    props.onChange(next);
    props.onMention(user.id);
    setQuery(null);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(before.length, before.length);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!matches.length) return;
    if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, matches.length - 1));
    else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
    else if (e.key === 'Enter' || e.key === 'Tab') {
      const chosen = matches[active];
      if (chosen) pick(chosen);
    } else if (e.key === 'Escape') setQuery(null);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div style={{ position: 'relative' }}>
      <Textarea
        ref={ref}
        label={props.label}
        description={props.description}
        value={props.value}
        autosize
        minRows={3}
        maxRows={12}
        data-autofocus={props.autoFocus || undefined}
        onChange={(e) => {
          props.onChange(e.currentTarget.value);
          track(e.currentTarget.value, e.currentTarget.selectionStart);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setQuery(null), 150)}
        aria-autocomplete="list"
        aria-expanded={matches.length > 0}
        aria-controls="mention-list"
      />
      {matches.length > 0 && (
        <Paper
          shadow="md"
          withBorder
          p={4}
          style={{ position: 'absolute', zIndex: 400, left: 0, right: 0, top: '100%' }}
          id="mention-list"
          role="listbox"
          aria-label={t('activities.log.mentionList')}
        >
          <Stack gap={0}>
            {matches.map((u, i) => (
              <UnstyledButton
                key={u.id}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(u);
                }}
                p={6}
                bdrs="sm"
                bg={i === active ? 'var(--mantine-primary-color-light)' : undefined}
              >
                <Text size="sm">
                  {u.name}{' '}
                  <Text span size="xs" c="dimmed">
                    {u.email}
                  </Text>
                </Text>
              </UnstyledButton>
            ))}
          </Stack>
        </Paper>
      )}
    </div>
  );
}
