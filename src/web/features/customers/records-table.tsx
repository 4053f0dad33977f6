import { Box, Checkbox, Group, Loader, Table, Text, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp } from '@tabler/icons-react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { SortKey } from './customers-api';

export interface Column<T> {
  key: string;
  /** i18n key, or the label itself when `literal` (custom fields carry their own ja/en labels) */
  label: string;
  literal?: boolean;
  /** the list's sort field, when the column sorts */
  sort?: string;
  render: (row: T) => ReactNode;
  width?: number;
}

/** Rows fetched ahead of the last one in view, so scrolling rarely waits for the next keyset page. */
const PREFETCH_ROWS = 20;
const ROW_HEIGHT = 49;

/**
 * The list's table, virtualised: only the rows in view (plus a few) are in the DOM, however many are loaded.
 * The header sticks to the top of its own scroll box; arrow keys, Page Up/Down, Home and End move between rows,
 * Enter opens the focused record and Space selects it.
 */
export function RecordsTable<T extends { id: string }>({
  testId,
  rows,
  total,
  columns,
  sort,
  onSort,
  selection,
  rowLabel,
  rowHref,
  rowAction,
  hasNextPage,
  fetchingNextPage,
  fetchNextPage,
}: {
  testId: string;
  rows: T[];
  /** every matching row, for assistive technology (aria-rowcount) */
  total: number | undefined;
  columns: Column<T>[];
  sort: SortKey[];
  onSort: (field: string) => void;
  /** absent: no checkboxes (trash view) */
  selection?: { selected: Set<string>; toggle: (id: string) => void; toggleAll: () => void };
  rowLabel: (row: T) => string;
  rowHref: (row: T) => string;
  rowAction?: (row: T) => ReactNode;
  hasNextPage: boolean;
  fetchingNextPage: boolean;
  fetchNextPage: () => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i) => rows[i]?.id ?? i,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasNextPage && !fetchingNextPage && lastIndex >= rows.length - PREFETCH_ROWS) fetchNextPage();
  }, [lastIndex, rows.length, hasNextPage, fetchingNextPage, fetchNextPage]);

  const label = (c: Column<T>) => (c.literal ? c.label : t(c.label));
  const selected = selection?.selected ?? new Set<string>();
  const allChecked = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const current = Math.min(active, Math.max(rows.length - 1, 0));

  const focusRow = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    // The row may only be rendered after the scroll: focus it on the next frames.
    const tryFocus = (attempt: number) => {
      const el = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${next}"]`);
      if (el) el.focus({ preventScroll: attempt > 0 });
      else if (attempt < 5) requestAnimationFrame(() => tryFocus(attempt + 1));
    };
    requestAnimationFrame(() => tryFocus(0));
  };
  const pageRows = () => Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);

  const onKeyDown = (e: KeyboardEvent<HTMLTableRowElement>, index: number, row: T) => {
    // Keys typed in a checkbox or a link inside the row keep their own meaning.
    if (e.target !== e.currentTarget) return;
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + pageRows(),
      PageUp: index - pageRows(),
      Home: 0,
      End: rows.length - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      focusRow(moves[e.key] as number);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      void navigate(rowHref(row));
    } else if (e.key === ' ' && selection) {
      e.preventDefault();
      selection.toggle(row.id);
    }
  };

  const first = items[0];
  const last = items.at(-1);
  const padTop = first?.start ?? 0;
  const padBottom = last ? virtualizer.getTotalSize() - last.end : 0;
  const span = columns.length + 1 + (rowAction ? 1 : 0);

  return (
    <Box ref={scrollRef} data-testid={`${testId}-scroll`} style={{ overflow: 'auto', maxHeight: 'max(360px, calc(100dvh - 260px))' }}>
      <Table
        highlightOnHover
        stickyHeader
        layout="fixed"
        miw={900}
        data-testid={testId}
        aria-rowcount={total !== undefined ? total + 1 : -1}
        data-loaded-rows={rows.length}
      >
        <Table.Thead style={{ zIndex: 2 }}>
          <Table.Tr aria-rowindex={1}>
            <Table.Th w={44}>
              {selection && (
                <Checkbox
                  aria-label={t('customers.selectAll')}
                  checked={allChecked}
                  indeterminate={selected.size > 0 && !allChecked}
                  onChange={selection.toggleAll}
                />
              )}
            </Table.Th>
            {columns.map((c) => (
              <Table.Th
                key={c.key}
                w={c.width}
                aria-sort={sort[0]?.field === c.sort ? (sort[0]?.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {c.sort ? (
                  <UnstyledButton
                    onClick={() => onSort(c.sort as string)}
                    aria-label={t('customers.sortBy', { field: label(c) })}
                    fw={600}
                    fz="sm"
                  >
                    <Group gap={4} wrap="nowrap">
                      <Text span inherit truncate>
                        {label(c)}
                      </Text>
                      {sort[0]?.field === c.sort && (sort[0].dir === 'asc' ? <IconArrowUp size={14} /> : <IconArrowDown size={14} />)}
                    </Group>
                  </UnstyledButton>
                ) : (
                  label(c)
                )}
              </Table.Th>
            ))}
            {rowAction && <Table.Th w={120} />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {padTop > 0 && (
            <tr data-spacer="">
              <td colSpan={span} style={{ height: padTop, padding: 0, border: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index] as T;
            return (
              <Table.Tr
                key={item.key}
                ref={virtualizer.measureElement}
                data-index={item.index}
                aria-rowindex={item.index + 2}
                tabIndex={item.index === current ? 0 : -1}
                data-selected={selected.has(row.id) || undefined}
                bg={selected.has(row.id) ? 'var(--mantine-primary-color-light)' : undefined}
                onFocus={() => setActive(item.index)}
                onKeyDown={(e) => onKeyDown(e, item.index, row)}
              >
                <Table.Td>
                  {selection && (
                    <Checkbox
                      aria-label={t('customers.selectRow', { name: rowLabel(row) })}
                      checked={selected.has(row.id)}
                      onChange={() => selection.toggle(row.id)}
                    />
                  )}
                </Table.Td>
                {columns.map((c) => (
                  <Table.Td key={c.key} style={{ overflowWrap: 'anywhere' }}>
                    {c.render(row)}
                  </Table.Td>
                ))}
                {rowAction && <Table.Td>{rowAction(row)}</Table.Td>}
              </Table.Tr>
            );
          })}
          {padBottom > 0 && (
            <tr data-spacer="">
              <td colSpan={span} style={{ height: padBottom, padding: 0, border: 0 }} />
            </tr>
          )}
        </Table.Tbody>
      </Table>
      {fetchingNextPage && (
        <Group justify="center" p="sm" data-testid="loading-more">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            {t('customers.loadingMore')}
          </Text>
        </Group>
      )}
    </Box>
  );
}
