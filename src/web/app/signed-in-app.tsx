import { useMantineColorScheme } from '@mantine/core';
import { lazy, Suspense, useEffect } from 'react';
import { Route, Routes } from 'react-router';
import { NotFound } from '../ui/not-found';
import { PageLoader } from '../ui/page-loader';
import { RequirePermission } from '../ui/require-permission';
import { AppLayout } from './app-layout';
import { applyLanguage } from './i18n';
import { RealtimeProvider } from './realtime';
import { useSession } from './session';

const HomePage = lazy(() => import('../features/home/home-page').then((m) => ({ default: m.HomePage })));
const UsersPage = lazy(() => import('../features/accounts/users-page').then((m) => ({ default: m.UsersPage })));
const AuditPage = lazy(() => import('../features/audit/audit-page').then((m) => ({ default: m.AuditPage })));
const SettingsPage = lazy(() => import('../features/settings/settings-page').then((m) => ({ default: m.SettingsPage })));

/** Everything behind sign-in: follows the user's language and theme, listens for changes, routes the screens. */
export function SignedInApp() {
  const { user } = useSession();
  const { setColorScheme } = useMantineColorScheme();
  useEffect(() => applyLanguage(user.locale), [user.locale]);
  useEffect(() => setColorScheme(user.theme), [user.theme, setColorScheme]);

  return (
    <RealtimeProvider>
      <AppLayout>
        <Suspense fallback={<PageLoader />}>
          <Routes>
            <Route index element={<HomePage />} />
            <Route
              path="users"
              element={
                <RequirePermission anyOf={['users.manage', 'teams.manage']}>
                  <UsersPage />
                </RequirePermission>
              }
            />
            <Route
              path="audit"
              element={
                <RequirePermission anyOf={['audit.read']}>
                  <AuditPage />
                </RequirePermission>
              }
            />
            <Route path="settings" element={<SettingsPage />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </AppLayout>
    </RealtimeProvider>
  );
}
