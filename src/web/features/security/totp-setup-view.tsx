import { Button, Group, Image, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyField } from '../../ui/copy-field';
import { ErrorAlert } from '../../ui/error-alert';
import type { TotpSetup } from './security-api';

/** Scan the QR code (or type the key), then confirm with a code from the app. Used in Settings and at sign-in. */
export function TotpSetupView({
  setup,
  onConfirm,
  pending,
  error,
}: {
  setup: TotpSetup;
  onConfirm: (code: string) => void;
  pending: boolean;
  error: unknown;
}) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onConfirm(code);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">{t('security.twoFactor.scan')}</Text>
        <Group align="flex-start">
          <Image src={setup.qrCode} alt={t('security.twoFactor.qrAlt')} w={180} h={180} bg="white" />
        </Group>
        <CopyField label={t('security.twoFactor.key')} value={setup.secret} />
        <Text size="sm">{t('security.twoFactor.confirmStep')}</Text>
        <ErrorAlert error={error} />
        <CodeInput value={code} onChange={setCode} autoFocus />
        <Button type="submit" loading={pending} w="fit-content">
          {t('security.twoFactor.enable')}
        </Button>
      </Stack>
    </form>
  );
}

/** Six digits from an authenticator app: numeric keyboard on phones, filled in by password managers. */
export function CodeInput({ value, onChange, autoFocus }: { value: string; onChange: (v: string) => void; autoFocus?: boolean }) {
  const { t } = useTranslation();
  return (
    <TextInput
      label={t('security.code')}
      description={t('security.codeHint')}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={7}
      required
      autoFocus={autoFocus}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      maw={220}
      styles={{ input: { fontFamily: 'monospace', letterSpacing: '0.2em' } }}
    />
  );
}
