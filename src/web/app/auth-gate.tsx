import { lazy } from 'react';
import { ErrorState } from '../ui/error-state';
import { PageLoader } from '../ui/page-loader';
import { SessionContext, useSessionQuery, useSetupQuery } from './session';
import { SignedInApp } from './signed-in-app';

const SetupPage = lazy(() => import('../features/accounts/setup-page').then((m) => ({ default: m.SetupPage })));
const LoginPage = lazy(() => import('../features/accounts/login-page').then((m) => ({ default: m.LoginPage })));

/** First run: the set-up screen; signed out: the login screen (at any address, so sign-in lands where the user was going). */
export function AuthGate() {
  const setup = useSetupQuery();
  const needsSetup = setup.data?.needsSetup === true;
  const session = useSessionQuery();
  if (setup.isPending) return <PageLoader />;
  if (setup.isError) return <ErrorState error={setup.error} onRetry={() => void setup.refetch()} />;
  if (needsSetup) return <SetupPage />;
  if (session.isPending) return <PageLoader />;
  if (session.isError) return <ErrorState error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data) return <LoginPage />;
  return (
    <SessionContext.Provider value={session.data}>
      <SignedInApp />
    </SessionContext.Provider>
  );
}
