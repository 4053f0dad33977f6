import { useQuery } from '@tanstack/react-query';
import type { User } from '../../../shared/contracts/accounts';
import type { Company, Person } from '../../../shared/contracts/customers';
import type { Filter } from '../../../shared/filter';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';

export type { Company, Person };
export type EntityType = 'person' | 'company';
/** The API's record of each entity type. */
export type RecordOf<E extends EntityType> = { person: Person; company: Company }[E];
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
/** The query-cache prefix of an entity type's lists, records and relations. */
export const recordKeys = (entity: EntityType) => (entity === 'person' ? keys.people : keys.companies);
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

/** One record, cached under its entity's prefix so that list changes refresh it too. */
export function useRecord<E extends EntityType>(entity: E, id: string) {
  return useQuery({
    queryKey: [...recordKeys(entity), 'one', id],
    queryFn: () => http.get<RecordOf<E>>(`/api/v1/${pathOf(entity)}/${id}`),
  });
}

export const usePerson = (id: string) => useRecord('person', id);
export const useCompany = (id: string) => useRecord('company', id);

export function customLabel(field: CustomField, lang: string): string {
  return lang === 'en' ? field.labelEn : field.labelJa;
}
