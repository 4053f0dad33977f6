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
const RecordsListPage = lazy(() => import('../features/customers/records-list-page').then((m) => ({ default: m.RecordsListPage })));
const PersonPage = lazy(() => import('../features/customers/person-page').then((m) => ({ default: m.PersonPage })));
const CompanyPage = lazy(() => import('../features/customers/company-page').then((m) => ({ default: m.CompanyPage })));
const DuplicatesPage = lazy(() => import('../features/customers/duplicates-page').then((m) => ({ default: m.DuplicatesPage })));
const ImportPage = lazy(() => import('../features/customers/import-page').then((m) => ({ default: m.ImportPage })));
const PhoneLookupPage = lazy(() => import('../features/customers/phone-lookup-page').then((m) => ({ default: m.PhoneLookupPage })));
const FeedPage = lazy(() => import('../features/activities/feed-page').then((m) => ({ default: m.FeedPage })));
const TasksPage = lazy(() => import('../features/activities/tasks-page').then((m) => ({ default: m.TasksPage })));
const TasksCalendarPage = lazy(() => import('../features/activities/tasks-calendar-page').then((m) => ({ default: m.TasksCalendarPage })));
const MailPage = lazy(() => import('../features/activities/mail-page').then((m) => ({ default: m.MailPage })));
const EmailThreadPage = lazy(() => import('../features/activities/email-thread-page').then((m) => ({ default: m.EmailThreadPage })));
const DealsPage = lazy(() => import('../features/sales/deals-page').then((m) => ({ default: m.DealsPage })));
const DealPage = lazy(() => import('../features/sales/deal-page').then((m) => ({ default: m.DealPage })));
const PipelineSettingsPage = lazy(() =>
  import('../features/sales/pipeline-settings-page').then((m) => ({ default: m.PipelineSettingsPage })),
);
const AssignmentRulesPage = lazy(() => import('../features/sales/assignment-rules-page').then((m) => ({ default: m.AssignmentRulesPage })));
const LeadsPage = lazy(() => import('../features/sales/leads-page').then((m) => ({ default: m.LeadsPage })));
const LeadPage = lazy(() => import('../features/sales/lead-page').then((m) => ({ default: m.LeadPage })));
const ForecastPage = lazy(() => import('../features/sales/forecast-page').then((m) => ({ default: m.ForecastPage })));
const SalesDashboardPage = lazy(() => import('../features/sales/sales-dashboard-page').then((m) => ({ default: m.SalesDashboardPage })));
const ProductsPage = lazy(() => import('../features/sales/products-page').then((m) => ({ default: m.ProductsPage })));
const OrdersPage = lazy(() => import('../features/commerce/orders-page').then((m) => ({ default: m.OrdersPage })));
const OrderPage = lazy(() => import('../features/commerce/order-page').then((m) => ({ default: m.OrderPage })));
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
              path="people"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <RecordsListPage key="person" entity="person" />
                </RequirePermission>
              }
            />
            <Route
              path="people/:id"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <PersonPage />
                </RequirePermission>
              }
            />
            <Route
              path="companies"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <RecordsListPage key="company" entity="company" />
                </RequirePermission>
              }
            />
            <Route
              path="companies/:id"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <CompanyPage />
                </RequirePermission>
              }
            />
            <Route
              path="lookup"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <PhoneLookupPage />
                </RequirePermission>
              }
            />
            <Route
              path="duplicates"
              element={
                <RequirePermission anyOf={['records.write']}>
                  <DuplicatesPage />
                </RequirePermission>
              }
            />
            <Route
              path="import"
              element={
                <RequirePermission anyOf={['records.write']}>
                  <ImportPage />
                </RequirePermission>
              }
            />
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
            <Route
              path="feed"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <FeedPage />
                </RequirePermission>
              }
            />
            <Route
              path="tasks"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <TasksPage />
                </RequirePermission>
              }
            />
            <Route
              path="tasks/calendar"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <TasksCalendarPage />
                </RequirePermission>
              }
            />
            <Route
              path="mail/:tab?"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <MailPage />
                </RequirePermission>
              }
            />
            <Route
              path="emails/:id"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <EmailThreadPage />
                </RequirePermission>
              }
            />
            <Route
              path="deals"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <DealsPage />
                </RequirePermission>
              }
            />
            <Route
              path="deals/settings"
              element={
                <RequirePermission anyOf={['workspace.manage']}>
                  <PipelineSettingsPage />
                </RequirePermission>
              }
            />
            <Route
              path="deals/:id"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <DealPage />
                </RequirePermission>
              }
            />
            <Route
              path="assignment-rules"
              element={
                <RequirePermission anyOf={['workspace.manage']}>
                  <AssignmentRulesPage />
                </RequirePermission>
              }
            />
            <Route
              path="leads"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <LeadsPage />
                </RequirePermission>
              }
            />
            <Route
              path="leads/:id"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <LeadPage />
                </RequirePermission>
              }
            />
            <Route
              path="forecast"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <ForecastPage />
                </RequirePermission>
              }
            />
            <Route
              path="sales-dashboard"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <SalesDashboardPage />
                </RequirePermission>
              }
            />
            <Route
              path="products"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <ProductsPage />
                </RequirePermission>
              }
            />
            <Route
              path="orders"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <OrdersPage />
                </RequirePermission>
              }
            />
            <Route
              path="orders/:id"
              element={
                <RequirePermission anyOf={['records.read']}>
                  <OrderPage />
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
