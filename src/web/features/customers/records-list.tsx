import { Box, Button, Collapse, Group, Loader, Paper, Text } from '@mantine/core';
import { IconFilter } from '@tabler/icons-react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { countConditions, type Filter } from '../../../shared/filter';
import { http } from '../../app/api-client';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { ListSearchBox, useListSearch } from '../../ui/list-search';
import { purchaseColumns } from '../commerce/purchase-columns';
import { BulkBar } from './bulk-bar';
import { ColumnMenu } from './column-menu';
import { customColumns } from './custom-columns';
import {
  type EntityType,
  filterParam,
  pathOf,
  recordKeys,
  type SavedView,
  type SortKey,
  sortParam,
  useCustomFields,
  useUsers,
} from './customers-api';
import { ExportMenu } from './export-menu';
import { FilterBuilder } from './filter-builder';
import { type DraftGroup, emptyGroup, filterFields, fromFilter, toFilter } from './filter-fields';
import { type Column, RecordsTable } from './records-table';
import { ViewsMenu } from './views-menu';

export type { Column };

const PAGE = 100;

/** The search box narrows the view's filter (the view itself is saved without it); the server matches it as search does. */
function withSearch(filter: Filter | null, q: string): Filter | null {
  if (!q) return filter;
  const search: Filter = { field: 'search', op: 'contains', value: q };
  return filter ? { and: [filter, search] } : search;
}
const DEFAULT_SORT: SortKey[] = [{ field: 'updatedAt', dir: 'desc' }];

/**
 * A filtered, sorted list with selection, bulk actions and saved views. Keyset pages are fetched as the user
 * scrolls and only the rows in view are rendered, so a list of 100,000+ records stays light.
 */
export function RecordsList<T extends { id: string; custom: Record<string, unknown> }>({
  entity,
  columns: builtIn,
  rowLabel,
  rowHref,
  toolbar,
  trash = false,
  rowAction,
  empty,
}: {
  entity: EntityType;
  columns: Column<T>[];
  rowLabel: (row: T) => string;
  rowHref: (row: T) => string;
  toolbar?: ReactNode;
  /** list the deleted records (ゴミ箱) instead of the live ones: no selection, bulk actions or export */
  trash?: boolean;
  /** a button at the end of each row */
  rowAction?: (row: T) => ReactNode;
  /** shown instead of the "nothing matches" line while there are no records at all (no filter or search, not the trash) */
  empty?: ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage ?? 'ja';
  const formatDateTime = useFormatDateTime();
  const custom = useCustomFields(entity);
  const users = useUsers();
  const fields = useMemo(() => filterFields(entity, custom.data ?? [], lang), [entity, custom.data, lang]);
  const columns = useMemo(() => {
    const names = new Map((users.data ?? []).map((u) => [u.id, u.name]));
    return [
      ...builtIn,
      ...customColumns<T>(custom.data ?? [], { lang, t, formatDateTime, userName: (id) => names.get(id) }),
      // Purchase metrics (commerce), like custom fields: offered in the column menu, hidden until chosen.
      ...purchaseColumns<T>(entity),
    ];
  }, [builtIn, custom.data, users.data, lang, t, formatDateTime, entity]);
  const [draft, setDraft] = useState<DraftGroup>(emptyGroup);
  const [filter, setFilter] = useState<Filter | null>(null);
  const [sort, setSort] = useState<SortKey[]>(DEFAULT_SORT);
  const [viewId, setViewId] = useState<string | null>(null);
  const [filterOpen, setFilterOpen] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // "All N matching the filter" chosen in the bulk bar: the bulk request sends the filter, not ids.
  const [allMatching, setAllMatching] = useState(false);
  // Custom fields and purchase metrics are offered in the column menu and start hidden.
  const [visible, setVisible] = useState<string[]>(() => builtIn.map((c) => c.key));
  const shown = columns.filter((c) => visible.includes(c.key));
  const base = recordKeys(entity);
  const path = `/api/v1/${pathOf(entity)}`;
  const { text: searchText, setText: setSearchText, search } = useListSearch();
  const listFilter = useMemo(() => withSearch(filter, search), [filter, search]);

  const list = useInfiniteQuery({
    queryKey: [...base, 'list', listFilter, sort, trash],
    queryFn: ({ pageParam }) =>
      http.get<{ data: T[]; nextCursor: string | null }>(path, {
        filter: filterParam(listFilter),
        sort: sortParam(sort),
        cursor: pageParam,
        limit: PAGE,
        trash: trash ? 'true' : undefined,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const count = useQuery({
    queryKey: [...base, 'count', listFilter, trash],
    queryFn: () => http.get<{ count: number }>(`${path}/count`, { filter: filterParam(listFilter), trash: trash ? 'true' : undefined }),
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const { fetchNextPage } = list;
  const nextPage = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const applyFilter = (root: DraftGroup) => {
    setFilter(toFilter(root, fields));
    clearSelection();
  };
  const chooseView = (view: SavedView | null) => {
    setViewId(view?.id ?? null);
    setFilter(view?.filter ?? null);
    setDraft(fromFilter(view?.filter ?? null));
    setSort(view?.sort.length ? view.sort : DEFAULT_SORT);
    setVisible(view?.columns.length ? ['name', ...view.columns.filter((k) => k !== 'name')] : builtIn.map((c) => c.key));
    clearSelection();
  };
  const toggleSort = (field: string) => setSort((s) => [{ field, dir: s[0]?.field === field && s[0].dir === 'asc' ? 'desc' : 'asc' }]);
  const toggle = (id: string) => {
    setAllMatching(false);
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  };
  const toggleAll = () => {
    setAllMatching(false);
    setSelected((s) => (rows.length > 0 && rows.every((r) => s.has(r.id)) ? new Set() : new Set(rows.map((r) => r.id))));
  };
  const clearSelection = () => {
    setAllMatching(false);
    setSelected(new Set());
  };
  // A new search is a new set of rows: what was chosen among the old ones is let go.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the search changes, nothing else
  useEffect(() => clearSelection(), [search]);
  // With every match chosen, rows loaded later by scrolling show as selected too.
  const shownSelected = useMemo(() => (allMatching ? new Set(rows.map((r) => r.id)) : selected), [allMatching, rows, selected]);
  const allLoadedSelected = rows.length > 0 && rows.every((r) => shownSelected.has(r.id));

  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;

  return (
    <Box>
      <Group justify="space-between" mb="sm" gap="xs">
        <Group gap="xs">
          <ViewsMenu entity={entity} viewId={viewId} onChoose={chooseView} current={{ filter, sort, columns: visible }} />
          <Button variant={filter ? 'light' : 'default'} leftSection={<IconFilter size={16} />} onClick={() => setFilterOpen((o) => !o)}>
            {filter ? t('customers.filter.active', { count: countConditions(filter) }) : t('customers.filter.title')}
          </Button>
          <ListSearchBox
            label={t('customers.listSearch.label')}
            placeholder={t('customers.listSearch.placeholder')}
            value={searchText}
            onChange={setSearchText}
            width={290}
          />
        </Group>
        <Group gap="xs">
          <Text size="sm" c="dimmed" data-testid="record-count">
            {count.data ? t('customers.count', { count: count.data.count }) : ''}
          </Text>
          <ColumnMenu columns={columns} visible={visible} onChange={setVisible} />
          {!trash && <ExportMenu entity={entity} filter={listFilter} sort={sort} />}
          {toolbar}
        </Group>
      </Group>
      <Collapse in={filterOpen}>
        <Paper withBorder p="sm" mb="sm">
          <FilterBuilder fields={fields} root={draft} onChange={setDraft} onApply={applyFilter} />
        </Paper>
      </Collapse>
      {!trash && shownSelected.size > 0 && (
        <BulkBar
          entity={entity}
          ids={[...shownSelected]}
          matching={
            allLoadedSelected && count.data
              ? { count: count.data.count, filter: listFilter, selected: allMatching, onSelect: setAllMatching }
              : undefined
          }
          onDone={clearSelection}
        />
      )}
      {list.isPending ? (
        <Loader m="md" />
      ) : (
        <RecordsTable
          testId={`${entity}-table`}
          rows={rows}
          total={count.data?.count}
          columns={shown}
          sort={sort}
          onSort={toggleSort}
          selection={trash ? undefined : { selected: shownSelected, toggle, toggleAll }}
          rowLabel={rowLabel}
          rowHref={rowHref}
          rowAction={rowAction}
          hasNextPage={list.hasNextPage}
          fetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={nextPage}
        />
      )}
      {!list.isPending &&
        rows.length === 0 &&
        (empty && !listFilter && !trash ? (
          empty
        ) : (
          <Text c="dimmed" p="md">
            {t('customers.empty')}
          </Text>
        ))}
    </Box>
  );
}
