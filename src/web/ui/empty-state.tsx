import { Group, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A list or timeline with nothing in it yet: one sentence saying what to do next, and the buttons that do it.
 * (A list that is empty because of a filter says so instead: that is no first step.)
 */
export function EmptyState({ message, icon, children }: { message: string; icon?: ReactNode; children?: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="xl" data-testid="empty-state">
      <Stack align="center" gap="md">
        {icon && (
          <ThemeIcon variant="light" size={48} radius="xl" aria-hidden>
            {icon}
          </ThemeIcon>
        )}
        <Text ta="center" maw={560}>
          {message}
        </Text>
        {children && (
          <Group justify="center" gap="sm">
            {children}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
