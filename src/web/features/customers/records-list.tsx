import { Box, Button, Checkbox, Collapse, Group, Loader, Paper, Table, Text, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconFilter } from '@tabler/icons-react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Filter } from '../../../shared/filter';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ErrorState } from '../../ui/error-state';
import { BulkBar } from './bulk-bar';
import { ColumnMenu } from './column-menu';
import { type EntityType, filterParam, pathOf, type SavedView, type SortKey, sortParam, useCustomFields } from './customers-api';
import { ExportMenu } from './export-menu';
import { FilterBuilder } from './filter-builder';
import { type DraftCondition, filterFields, fromFilter, toFilter } from './filter-fields';
import { ViewsMenu } from './views-menu';

export interface Column<T> {
  key: string;
  /** i18n key */
  label: string;
  /** the list's sort field, when the column sorts */
  sort?: string;
  render: (row: T) => ReactNode;
  width?: number;
}

const PAGE = 50;

/** A filtered, sorted, cursor-paged list with selection, bulk actions and saved views. */
export function RecordsList<T extends { id: string }>({
  entity,
  columns,
  rowLabel,
  toolbar,
  trash = false,
  rowAction,
}: {
  entity: EntityType;
  columns: Column<T>[];
  rowLabel: (row: T) => string;
  toolbar?: ReactNode;
  /** list the deleted records (ゴミ箱) instead of the live ones: no selection, bulk actions or export */
  trash?: boolean;
  /** a button at the end of each row */
  rowAction?: (row: T) => ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const custom = useCustomFields(entity);
  const fields = useMemo(
    () => filterFields(entity, custom.data ?? [], i18n.resolvedLanguage ?? 'ja'),
    [entity, custom.data, i18n.resolvedLanguage],
  );
  const [draft, setDraft] = useState<DraftCondition[]>([]);
  const [filter, setFilter] = useState<Filter | null>(null);
  const [sort, setSort] = useState<SortKey[]>([{ field: 'updatedAt', dir: 'desc' }]);
  const [viewId, setViewId] = useState<string | null>(null);
  const [filterOpen, setFilterOpen] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [visible, setVisible] = useState<string[]>(() => columns.map((c) => c.key));
  const shown = columns.filter((c) => visible.includes(c.key));
  const base = entity === 'person' ? keys.people : keys.companies;
  const path = `/api/v1/${pathOf(entity)}`;

  const list = useInfiniteQuery({
    queryKey: [...base, 'list', filter, sort, trash],
    queryFn: ({ pageParam }) =>
      http.get<{ data: T[]; nextCursor: string | null }>(path, {
        filter: filterParam(filter),
        sort: sortParam(sort),
        cursor: pageParam,
        limit: PAGE,
        trash: trash ? 'true' : undefined,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const count = useQuery({
    queryKey: [...base, 'count', filter, trash],
    queryFn: () => http.get<{ count: number }>(`${path}/count`, { filter: filterParam(filter), trash: trash ? 'true' : undefined }),
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);

  // Infinite scroll: the row after the last one asks for the next page when it comes into view.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries[0]?.isIntersecting && list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [list.hasNextPage, list.isFetchingNextPage, list.fetchNextPage]);

  const applyFilter = (conditions: DraftCondition[]) => {
    setFilter(toFilter(conditions, fields));
    setSelected(new Set());
  };
  const chooseView = (view: SavedView | null) => {
    setViewId(view?.id ?? null);
    setFilter(view?.filter ?? null);
    setDraft(fromFilter(view?.filter ?? null));
    setSort(view?.sort.length ? view.sort : [{ field: 'updatedAt', dir: 'desc' }]);
    setVisible(
      view?.columns.length ? columns.map((c) => c.key).filter((k) => k === 'name' || view.columns.includes(k)) : columns.map((c) => c.key),
    );
    setSelected(new Set());
  };
  const toggleSort = (field: string) => setSort((s) => [{ field, dir: s[0]?.field === field && s[0].dir === 'asc' ? 'desc' : 'asc' }]);
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allChecked = rows.length > 0 && rows.every((r) => selected.has(r.id));

  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;

  return (
    <Box>
      <Group justify="space-between" mb="sm" gap="xs">
        <Group gap="xs">
          <ViewsMenu entity={entity} viewId={viewId} onChoose={chooseView} current={{ filter, sort, columns: visible }} />
          <Button variant={filter ? 'light' : 'default'} leftSection={<IconFilter size={16} />} onClick={() => setFilterOpen((o) => !o)}>
            {filter ? t('customers.filter.active', { count: draft.length }) : t('customers.filter.title')}
          </Button>
        </Group>
        <Group gap="xs">
          <Text size="sm" c="dimmed" data-testid="record-count">
            {count.data ? t('customers.count', { count: count.data.count }) : ''}
          </Text>
          <ColumnMenu columns={columns} visible={visible} onChange={setVisible} />
          {!trash && <ExportMenu entity={entity} filter={filter} sort={sort} />}
          {toolbar}
        </Group>
      </Group>
      <Collapse in={filterOpen}>
        <Paper withBorder p="sm" mb="sm">
          <FilterBuilder fields={fields} rows={draft} onChange={setDraft} onApply={applyFilter} />
        </Paper>
      </Collapse>
      {!trash && selected.size > 0 && <BulkBar entity={entity} ids={[...selected]} onDone={() => setSelected(new Set())} />}
      <Table.ScrollContainer minWidth={900}>
        <Table striped highlightOnHover stickyHeader data-testid={`${entity}-table`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36}>
                {!trash && (
                  <Checkbox
                    aria-label={t('customers.selectAll')}
                    checked={allChecked}
                    indeterminate={selected.size > 0 && !allChecked}
                    onChange={() => setSelected(allChecked ? new Set() : new Set(rows.map((r) => r.id)))}
                  />
                )}
              </Table.Th>
              {shown.map((c) => (
                <Table.Th
                  key={c.key}
                  w={c.width}
                  aria-sort={sort[0]?.field === c.sort ? (sort[0]?.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  {c.sort ? (
                    <UnstyledButton
                      onClick={() => toggleSort(c.sort as string)}
                      aria-label={t('customers.sortBy', { field: t(c.label) })}
                      fw={600}
                      fz="sm"
                    >
                      <Group gap={4} wrap="nowrap">
                        {t(c.label)}
                        {sort[0]?.field === c.sort && (sort[0].dir === 'asc' ? <IconArrowUp size={14} /> : <IconArrowDown size={14} />)}
                      </Group>
                    </UnstyledButton>
                  ) : (
                    t(c.label)
                  )}
                </Table.Th>
              ))}
              {rowAction && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.id} data-selected={selected.has(row.id) || undefined}>
                <Table.Td>
                  {!trash && (
                    <Checkbox
                      aria-label={t('customers.selectRow', { name: rowLabel(row) })}
                      checked={selected.has(row.id)}
                      onChange={() => toggle(row.id)}
                    />
                  )}
                </Table.Td>
                {shown.map((c) => (
                  <Table.Td key={c.key}>{c.render(row)}</Table.Td>
                ))}
                {rowAction && <Table.Td>{rowAction(row)}</Table.Td>}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {list.isPending && <Loader m="md" />}
      {!list.isPending && rows.length === 0 && (
        <Text c="dimmed" p="md">
          {t('customers.empty')}
        </Text>
      )}
      <div ref={sentinel} />
      {list.hasNextPage && (
        <Group justify="center" p="sm">
          <Button variant="default" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        </Group>
      )}
    </Box>
  );
}
