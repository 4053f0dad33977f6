import {
  IconActivity,
  IconAddressBook,
  IconBriefcase,
  IconBuilding,
  IconChartBar,
  IconChecklist,
  IconCopy,
  IconFileImport,
  IconGauge,
  IconHome,
  IconListDetails,
  IconMail,
  IconPackage,
  IconPhoneCall,
  IconRoute,
  IconSettings,
  IconShoppingCart,
  IconUserPlus,
  IconUsers,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import type { Permission } from '../../shared/permissions';

export interface NavItem {
  /** i18n key of the label */
  label: string;
  path: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** shown when the user has any of these (none: everyone) */
  anyOf?: Permission[];
}

/** The modules that exist now; a module appears here when its screens are built. */
export const navItems: NavItem[] = [
  { label: 'nav.home', path: '/', icon: IconHome },
  { label: 'nav.people', path: '/people', icon: IconAddressBook, anyOf: ['records.read'] },
  { label: 'nav.companies', path: '/companies', icon: IconBuilding, anyOf: ['records.read'] },
  { label: 'sales.nav.leads', path: '/leads', icon: IconUserPlus, anyOf: ['records.read'] },
  { label: 'sales.nav.deals', path: '/deals', icon: IconBriefcase, anyOf: ['records.read'] },
  { label: 'sales.forecast.nav', path: '/forecast', icon: IconChartBar, anyOf: ['records.read'] },
  { label: 'sales.forecast.dashboard.nav', path: '/sales-dashboard', icon: IconGauge, anyOf: ['records.read'] },
  { label: 'sales.nav.products', path: '/products', icon: IconPackage, anyOf: ['records.read'] },
  { label: 'assignment.nav', path: '/assignment-rules', icon: IconRoute, anyOf: ['workspace.manage'] },
  { label: 'commerce.nav', path: '/orders', icon: IconShoppingCart, anyOf: ['records.read'] },
  { label: 'customers.lookup.nav', path: '/lookup', icon: IconPhoneCall, anyOf: ['records.read'] },
  { label: 'tasks.nav', path: '/tasks', icon: IconChecklist, anyOf: ['records.read'] },
  { label: 'activities.nav.feed', path: '/feed', icon: IconActivity, anyOf: ['records.read'] },
  { label: 'nav.duplicates', path: '/duplicates', icon: IconCopy, anyOf: ['records.write'] },
  { label: 'nav.import', path: '/import', icon: IconFileImport, anyOf: ['records.write'] },
  { label: 'nav.users', path: '/users', icon: IconUsers, anyOf: ['users.manage', 'teams.manage'] },
  { label: 'nav.audit', path: '/audit', icon: IconListDetails, anyOf: ['audit.read'] },
  { label: 'mail.nav', path: '/mail/review', icon: IconMail, anyOf: ['records.read'] },
  { label: 'nav.settings', path: '/settings', icon: IconSettings },
];

export function visibleNavItems(can: (p: Permission) => boolean): NavItem[] {
  return navItems.filter((item) => !item.anyOf || item.anyOf.some(can));
}
