import { Checkbox, PasswordInput, SimpleGrid, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The sign-in of a mail server (SMTP or IMAP): the password is write-only, so it is kept, replaced or cleared. */
export function useMailCredentials(storedUser: string | null) {
  const [user, setUser] = useState(storedUser ?? '');
  const [password, setPassword] = useState('');
  const [clearPassword, setClearPassword] = useState(false);
  return { user, setUser, password, setPassword, clearPassword, setClearPassword };
}
export type MailCredentials = ReturnType<typeof useMailCredentials>;

/** What a save sends: no password field at all keeps the stored one. */
export function credentialsPatch(c: MailCredentials): { user: string | null; password?: string | null } {
  return { user: c.user.trim() || null, ...(c.clearPassword ? { password: null } : c.password ? { password: c.password } : {}) };
}

export function CredentialFields({
  credentials: c,
  hasPassword,
  userLabel,
  passwordLabel,
}: {
  credentials: MailCredentials;
  hasPassword: boolean;
  userLabel: string;
  passwordLabel: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label={userLabel} value={c.user} onChange={(e) => c.setUser(e.currentTarget.value)} autoComplete="off" />
        <PasswordInput
          label={passwordLabel}
          description={hasPassword ? t('mail.settings.passwordKept') : undefined}
          value={c.password}
          onChange={(e) => c.setPassword(e.currentTarget.value)}
          autoComplete="new-password"
          disabled={c.clearPassword}
        />
      </SimpleGrid>
      {hasPassword && (
        <Checkbox
          label={t('mail.settings.passwordClear')}
          checked={c.clearPassword}
          onChange={(e) => c.setClearPassword(e.currentTarget.checked)}
        />
      )}
    </>
  );
}
