import { Alert, Button, CopyButton, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** The recovery codes, shown once right after they are made. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert color="yellow" icon={<IconKey />} title={t('security.twoFactor.recoveryTitle')}>
      <Stack>
        <Text size="sm">{t('security.twoFactor.recoveryHint')}</Text>
        <SimpleGrid cols={2} spacing={4} data-testid="recovery-codes">
          {codes.map((c) => (
            <Text key={c} ff="monospace" size="sm">
              {c}
            </Text>
          ))}
        </SimpleGrid>
        <Group>
          <CopyButton value={codes.join('\n')}>
            {({ copied, copy }) => (
              <Button variant="default" size="xs" onClick={copy}>
                {copied ? t('common.copied') : t('common.copy')}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" onClick={onDone}>
            {t('security.twoFactor.recoveryDone')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
