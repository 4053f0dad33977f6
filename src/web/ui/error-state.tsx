import { Alert, Button, Center, Stack } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** A whole screen (or panel) that could not load, with a retry. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = error instanceof Error ? error.message : t('errors.unexpected');
  return (
    <Center p="md" mih={200}>
      <Stack align="center" maw={480}>
        <Alert color="red" icon={<IconAlertTriangle />} w="100%">
          {message}
        </Alert>
        {onRetry && <Button onClick={onRetry}>{t('common.retry')}</Button>}
      </Stack>
    </Center>
  );
}
