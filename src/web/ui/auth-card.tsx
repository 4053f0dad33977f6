import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** The centred card of the signed-out screens (set-up, login, invitation). */
export function AuthCard({
  title,
  intro,
  children,
  width = 420,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  width?: number;
}) {
  return (
    <Center mih="100dvh" p="md" bg="var(--mantine-color-gray-light)">
      <Paper withBorder shadow="sm" p={{ base: 'md', sm: 'xl' }} radius="lg" w="100%" maw={width} component="main">
        <Stack gap="xs" mb="lg">
          <Title order={1} size="h2">
            {title}
          </Title>
          {intro && <Text c="dimmed">{intro}</Text>}
        </Stack>
        {children}
      </Paper>
    </Center>
  );
}
