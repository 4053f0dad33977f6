import { Button, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/** A full-page message with a way back home (not found, not allowed). */
export function MessagePage({ title, message }: { title: string; message: string }) {
  const { t } = useTranslation();
  return (
    <Stack align="flex-start" py="xl" maw={560}>
      <Title order={2}>{title}</Title>
      <Text c="dimmed">{message}</Text>
      <Button component={Link} to="/" variant="light">
        {t('errors.backHome')}
      </Button>
    </Stack>
  );
}
