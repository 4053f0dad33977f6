import { Anchor, Badge, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Company, Person } from './customers-api';
import type { Column } from './records-table';

/** What columns need beyond the row: names of users, the user's date format. */
export interface ColumnContext {
  ownerName: (id: string) => string | undefined;
  formatDateTime: (iso: string) => string;
}

interface ListRow {
  id: string;
  phones: Array<{ number: string }>;
  prefecture: string | null;
  tags: string[];
  updatedAt: string;
}

/** The record's name linking to it, its reading (フリガナ) under it; `label` names it (氏名 for people, 会社名 for companies). */
const nameColumn = <T extends ListRow>(
  label: string,
  name: (row: T) => string,
  kana: (row: T) => string | null,
  href: (row: T) => string,
): Column<T> => ({
  key: 'name',
  label,
  sort: 'name',
  width: 200,
  render: (row) => (
    <Stack gap={0}>
      <Anchor component={Link} to={href(row)} fw={500} size="sm">
        {name(row)}
      </Anchor>
      {kana(row) && (
        <Text size="xs" c="dimmed">
          {kana(row)}
        </Text>
      )}
    </Stack>
  ),
});

const phoneColumn = <T extends ListRow>(): Column<T> => ({
  key: 'phone',
  label: 'customers.col.phone',
  render: (row) => row.phones[0]?.number,
});

const prefectureColumn = <T extends ListRow>(): Column<T> => ({
  key: 'prefecture',
  label: 'customers.col.prefecture',
  sort: 'prefecture',
  render: (row) => row.prefecture,
});

const tagsColumn = <T extends ListRow>(): Column<T> => ({
  key: 'tags',
  label: 'customers.col.tags',
  render: (row) => (
    <Group gap={4}>
      {row.tags.map((tag) => (
        <Badge key={tag} variant="light" size="sm">
          {tag}
        </Badge>
      ))}
    </Group>
  ),
});

const updatedColumn = <T extends ListRow>(formatDateTime: (iso: string) => string): Column<T> => ({
  key: 'updatedAt',
  label: 'customers.col.updated',
  sort: 'updatedAt',
  width: 180,
  render: (row) => <Text size="sm">{formatDateTime(row.updatedAt)}</Text>,
});

/** 顧客一覧's columns: name, company, first email and phone, prefecture, owner, tags, last change. */
export const personColumns = ({ ownerName, formatDateTime }: ColumnContext): Column<Person>[] => [
  nameColumn(
    'customers.col.name',
    (p) => p.displayName,
    (p) => [p.familyNameKana, p.givenNameKana].filter(Boolean).join(' ') || null,
    (p) => `/people/${p.id}`,
  ),
  {
    key: 'company.name',
    label: 'customers.col.company',
    sort: 'company.name',
    render: (p) =>
      p.company ? (
        <Anchor component={Link} to={`/companies/${p.company.id}`} size="sm">
          {p.company.name}
        </Anchor>
      ) : null,
  },
  { key: 'email', label: 'customers.col.email', render: (p) => p.emails[0]?.address },
  phoneColumn(),
  prefectureColumn(),
  { key: 'ownerId', label: 'customers.col.owner', render: (p) => (p.ownerId ? ownerName(p.ownerId) : null) },
  tagsColumn(),
  updatedColumn(formatDateTime),
];

/** 会社一覧's columns: name, industry, employees, first phone, prefecture, tags, last change. */
export const companyColumns = ({ formatDateTime }: ColumnContext): Column<Company>[] => [
  nameColumn(
    'customers.col.companyName',
    (c) => c.name,
    (c) => c.nameKana,
    (c) => `/companies/${c.id}`,
  ),
  { key: 'industry', label: 'customers.col.industry', sort: 'industry', render: (c) => c.industry },
  { key: 'employeeCount', label: 'customers.col.employees', sort: 'employeeCount', render: (c) => c.employeeCount?.toLocaleString() },
  phoneColumn(),
  prefectureColumn(),
  tagsColumn(),
  updatedColumn(formatDateTime),
];
