import { useQuery } from '@tanstack/react-query';
import type { User } from '../../../shared/contracts/accounts';
import type { Company, Person } from '../../../shared/contracts/customers';
import type { Filter } from '../../../shared/filter';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';

export type { Company, Person };
export type EntityType = 'person' | 'company';
export type SortKey = { field: string; dir: 'asc' | 'desc' };

export interface CustomField {
  id: string;
  entityType: EntityType;
  key: string;
  type: string;
  labelJa: string;
  labelEn: string;
  required: boolean;
  options: Array<{ value: string; labelJa: string; labelEn: string }>;
  archived: boolean;
}

export interface SavedView {
  id: string;
  entityType: EntityType;
  name: string;
  shared: boolean;
  filter: Filter | null;
  sort: SortKey[];
  columns: string[];
  canEdit: boolean;
  version: number;
}

export interface PostalResult {
  postalCode: string;
  prefecture: string;
  city: string;
  town: string;
}

export interface HistoryEntry {
  id: string;
  action: string;
  actorName: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  createdAt: string;
}

export interface Department {
  id: string;
  name: string;
  parentId: string | null;
}

export const pathOf = (entity: EntityType) => (entity === 'person' ? 'people' : 'companies');
export const sortParam = (sort: SortKey[]) => sort.map((s) => (s.dir === 'desc' ? `-${s.field}` : s.field)).join(',');
export const filterParam = (filter: Filter | null) => (filter ? JSON.stringify(filter) : undefined);

export function useCustomFields(entityType: EntityType) {
  return useQuery({
    queryKey: [...keys.customFields, entityType],
    queryFn: () => http.get<{ data: CustomField[] }>('/api/v1/custom-fields', { entityType }),
    select: (r) => r.data,
    staleTime: 300_000,
  });
}

/** Everyone in the workspace, for owner names and the owner picker. */
export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: () => http.get<{ data: User[] }>('/api/v1/users'), select: (r) => r.data });
}

export function useViews(entityType: EntityType) {
  return useQuery({
    queryKey: [...keys.views, entityType],
    queryFn: () => http.get<{ data: SavedView[] }>('/api/v1/views', { entityType }),
    select: (r) => r.data,
  });
}

export function usePerson(id: string) {
  return useQuery({ queryKey: [...keys.people, 'one', id], queryFn: () => http.get<Person>(`/api/v1/people/${id}`) });
}

export function useCompany(id: string) {
  return useQuery({ queryKey: [...keys.companies, 'one', id], queryFn: () => http.get<Company>(`/api/v1/companies/${id}`) });
}

export function customLabel(field: CustomField, lang: string): string {
  return lang === 'en' ? field.labelEn : field.labelJa;
}
