import { Button, Checkbox, Menu, Stack } from '@mantine/core';
import { IconColumns } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** Show or hide list columns, custom fields included (a saved view remembers the visible ones). */
export function ColumnMenu({
  columns,
  visible,
  onChange,
}: {
  columns: Array<{ key: string; label: string; literal?: boolean }>;
  visible: string[];
  onChange: (visible: string[]) => void;
}) {
  const { t } = useTranslation();
  return (
    <Menu position="bottom-end" closeOnItemClick={false}>
      <Menu.Target>
        <Button variant="default" leftSection={<IconColumns size={16} />}>
          {t('customers.columns')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown p="sm" mah={420} style={{ overflowY: 'auto' }}>
        <Stack gap="xs">
          {columns.map((c) => (
            <Checkbox
              key={c.key}
              label={c.literal ? c.label : t(c.label)}
              checked={visible.includes(c.key)}
              disabled={c.key === 'name'}
              onChange={(e) =>
                onChange(
                  e.currentTarget.checked
                    ? columns.map((x) => x.key).filter((k) => k === c.key || visible.includes(k))
                    : visible.filter((k) => k !== c.key),
                )
              }
            />
          ))}
        </Stack>
      </Menu.Dropdown>
    </Menu>
  );
}
