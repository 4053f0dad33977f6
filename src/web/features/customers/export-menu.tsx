import { Button, Menu } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { Filter } from '../../../shared/filter';
import { useCan } from '../../app/session';
import { type EntityType, filterParam, pathOf, type SortKey, sortParam } from './customers-api';

/** Download the current list (its filter and sort) as CSV, Shift_JIS CSV for Excel, XLSX, or vCard. */
export function ExportMenu({ entity, filter, sort }: { entity: EntityType; filter: Filter | null; sort: SortKey[] }) {
  const { t } = useTranslation();
  const can = useCan();
  if (!can('records.export')) return null;
  const href = (format: string, path = `/api/v1/exports/${pathOf(entity)}`) => {
    const params = new URLSearchParams();
    const f = filterParam(filter);
    if (f) params.set('filter', f);
    if (sort.length) params.set('sort', sortParam(sort));
    if (format) params.set('format', format);
    return `${path}?${params}`;
  };
  const item = (label: string, url: string) => (
    <Menu.Item component="a" href={url} download>
      {label}
    </Menu.Item>
  );
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button variant="default" leftSection={<IconDownload size={16} />}>
          {t('customers.export.label')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {item(t('customers.export.csv'), href('csv'))}
        {item(t('customers.export.cp932'), href('csv_cp932'))}
        {item(t('customers.export.xlsx'), href('xlsx'))}
        {entity === 'person' && item(t('customers.export.vcard'), href('', '/api/v1/exports/people.vcf'))}
      </Menu.Dropdown>
    </Menu>
  );
}
