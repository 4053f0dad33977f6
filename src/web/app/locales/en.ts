import { accountsEn } from '../../features/accounts/locales/en';
import { activitiesEn, notificationsEn } from '../../features/activities/locales/en';
import { mailEn } from '../../features/activities/locales/mail.en';
import { taskNotificationKindsEn, tasksEn } from '../../features/activities/locales/tasks.en';
import { auditEn } from '../../features/audit/locales/en';
import { commerceEn } from '../../features/commerce/locales/en';
import { customersEn } from '../../features/customers/locales/en';
import { homeEn } from '../../features/home/locales/en';
import { assignmentEn, assignmentNotificationKindsEn } from '../../features/sales/locales/assignment.en';
import { salesEn } from '../../features/sales/locales/en';
import { securityEn } from '../../features/security/locales/en';
import { settingsEn } from '../../features/settings/locales/en';
import type { Translation } from './translation';

/** English UI texts. `ja.ts` must have exactly the same keys (checked by the type below). */
export const en = {
  app: { name: 'CRM', loading: 'Loading…', skipToContent: 'Skip to content' },
  common: {
    save: 'Save',
    saved: 'Saved',
    cancel: 'Cancel',
    create: 'Create',
    delete: 'Delete',
    rename: 'Rename',
    revoke: 'Revoke',
    copy: 'Copy',
    copied: 'Copied',
    close: 'Close',
    none: '—',
    never: 'Never',
    optional: 'optional',
    retry: 'Retry',
    loadMore: 'Load more',
    noResults: 'Nothing found',
    actions: 'Actions',
    confirmDelete: 'Delete “{{name}}”? This cannot be undone.',
  },
  errors: {
    network: 'Cannot reach the server. Check your connection.',
    unexpected: 'Something unexpected happened.',
    forbiddenTitle: 'Not allowed',
    forbidden: 'You do not have permission to open this page.',
    notFoundTitle: 'Page not found',
    notFound: 'There is no page at this address.',
    backHome: 'Back to Home',
    passwordMismatch: 'The passwords do not match.',
    passwordTooShort: 'Use at least 10 characters.',
  },
  nav: {
    main: 'Main navigation',
    home: 'Home',
    users: 'Users & teams',
    audit: 'Audit log',
    settings: 'Settings',
    people: 'People',
    companies: 'Companies',
    duplicates: 'Duplicates',
    import: 'Import',
    toggle: 'Toggle navigation',
  },
  search: {
    placeholder: 'Search',
    label: 'Search pages, users and customers',
    shortcut: 'Ctrl+K',
    pages: 'Pages',
    users: 'Users',
    empty: 'No matches',
    hint: 'Type a page, a user, or a customer’s name, kana, email or phone',
  },
  /** The recent-imports panel (ui/recent-imports.tsx) of every import screen; each feature adds its title, empty text and tallies. */
  imports: {
    file: 'File',
    who: 'Imported by',
    when: 'Uploaded',
    status: 'Status',
    states: {
      uploading: 'Uploading',
      uploaded: 'Uploaded',
      queued: 'Queued',
      running: 'Importing',
      completed: 'Completed',
      failed: 'Failed',
    },
    result: 'Result',
    report: 'Rejected rows',
    reportLink: 'CSV',
    reportFor: 'Download the rejected rows of {{file}} (CSV)',
    counts: '{{processed}} rows: {{summary}}, {{rejected}} rejected',
  },
  live: { live: 'Live', offline: 'Offline', connecting: 'Connecting', title: 'Real-time updates: {{state}}' },
  userMenu: {
    open: 'User menu',
    profile: 'Profile & settings',
    language: 'Language',
    theme: 'Theme',
    signOut: 'Sign out',
  },
  language: { ja: '日本語', en: 'English', browser: 'Browser setting' },
  theme: { auto: 'Auto', light: 'Light', dark: 'Dark' },
  roles: { admin: 'Admin', manager: 'Manager', member: 'Member', readonly: 'Read-only' },
  status: { active: 'Active', disabled: 'Disabled' },
  ...accountsEn,
  ...homeEn,
  ...settingsEn,
  audit: { ...auditEn, actions: { ...auditEn.actions, ...securityEn.audit } },
  customers: customersEn,
  tasks: tasksEn,
  sales: salesEn,
  assignment: assignmentEn,
  commerce: commerceEn,
  activities: activitiesEn,
  notifications: {
    ...notificationsEn,
    kinds: { ...notificationsEn.kinds, ...mailEn.notifications, ...taskNotificationKindsEn, ...assignmentNotificationKindsEn },
  },
  mail: mailEn,
  security: securityEn,
};

export type Messages = Translation<typeof en>;
