import { Stack } from '@mantine/core';
import { SessionsCard } from './sessions-card';
import { TwoFactorCard } from './two-factor-card';

/** Settings → Security: two-step verification and the sessions of the signed-in user. */
export function SecurityPanel() {
  return (
    <Stack gap="lg">
      <TwoFactorCard />
      <SessionsCard />
    </Stack>
  );
}
