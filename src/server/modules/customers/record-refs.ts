import type { Kysely } from 'kysely';
import { formatJapaneseName } from '../../../shared/jp-text.js';
import type { Actor } from '../../platform/actor.js';
import { type CustomersDb, customersDb } from './customers.db.js';
import { visibleTo } from './customers.policy.js';

/**
 * Read ports for other modules (exported by index.ts): names of linked records and who owns a contact point.
 * Each takes any module's handle, its transaction included, and reads only this module's tables.
 */

export interface RecordRef {
  entityType: 'person' | 'company';
  entityId: string;
}

export interface RecordLabel extends RecordRef {
  name: string;
  deleted: boolean;
}

/** A record's display name with what a caller needs to apply its own visibility rules. */
export interface RecordName extends RecordLabel {
  ownerId: string | null;
  teamId: string | null;
  /** A person's current company; null for companies. */
  companyId: string | null;
}

export const recordKey = (r: RecordRef) => `${r.entityType}:${r.entityId}`;

async function readNames(
  db: CustomersDb,
  workspaceId: string,
  refs: readonly RecordRef[],
  actor?: Actor,
): Promise<Map<string, RecordName>> {
  const out = new Map<string, RecordName>();
  const idsOf = (t: RecordRef['entityType']) => [...new Set(refs.filter((r) => r.entityType === t).map((r) => r.entityId))];
  const personIds = idsOf('person');
  const companyIds = idsOf('company');
  if (personIds.length) {
    const q = db
      .selectFrom('people as r')
      .select(['r.id', 'r.family_name', 'r.given_name', 'r.deleted_at', 'r.owner_id', 'r.team_id', 'r.company_id'])
      .where('r.workspace_id', '=', workspaceId)
      .where('r.id', 'in', personIds);
    for (const r of await (actor ? visibleTo(q, actor, 'r') : q).execute()) {
      const name = formatJapaneseName({ family: r.family_name, given: r.given_name ?? '' }, 'ja');
      const ref = { entityType: 'person', entityId: r.id } as const;
      out.set(recordKey(ref), {
        ...ref,
        name,
        deleted: r.deleted_at !== null,
        ownerId: r.owner_id,
        teamId: r.team_id,
        companyId: r.company_id,
      });
    }
  }
  if (companyIds.length) {
    const q = db
      .selectFrom('companies as r')
      .select(['r.id', 'r.name', 'r.deleted_at', 'r.owner_id', 'r.team_id'])
      .where('r.workspace_id', '=', workspaceId)
      .where('r.id', 'in', companyIds);
    for (const r of await (actor ? visibleTo(q, actor, 'r') : q).execute()) {
      const ref = { entityType: 'company', entityId: r.id } as const;
      out.set(recordKey(ref), {
        ...ref,
        name: r.name,
        deleted: r.deleted_at !== null,
        ownerId: r.owner_id,
        teamId: r.team_id,
        companyId: null,
      });
    }
  }
  return out;
}

/**
 * Names of people and companies other modules link to (tasks, activities), in two queries whatever the
 * number of refs. Only records in the actor's workspace that the actor may see are returned; the key is
 * `<entityType>:<entityId>` (recordKey).
 */
export async function describeRecords<D>(db: Kysely<D>, actor: Actor, refs: RecordRef[]): Promise<Map<string, RecordLabel>> {
  const names = await readNames(customersDb(db), actor.workspaceId, refs, actor);
  return new Map([...names].map(([k, { entityType, entityId, name, deleted }]) => [k, { entityType, entityId, name, deleted }]));
}

/**
 * Names of people and companies by id, trashed ones included (flagged), whoever may see them: for lists whose own
 * module already decided visibility (deals, orders, the timeline) and show the linked customer's name.
 * Keyed by recordKey; unknown ids are absent.
 */
export function recordNames<D>(db: Kysely<D>, workspaceId: string, refs: readonly RecordRef[]): Promise<Map<string, RecordName>> {
  return readNames(customersDb(db), workspaceId, refs);
}

export interface PersonByContact {
  /** The normalised value matched (lower-case email, E.164 phone). */
  value: string;
  personId: string;
  companyId: string | null;
  ownerId: string | null;
  teamId: string | null;
}

/**
 * Live people (not trashed) having any of these normalised emails or E.164 phones (emails are compared lower-case),
 * ordered by value then person id, so `find` on the result picks the same person every time. Mail matching,
 * order import and webhooks attach to customers through this instead of reading contact points.
 */
export async function findPeopleByContact<D>(
  db: Kysely<D>,
  workspaceId: string,
  kind: 'email' | 'phone',
  values: readonly string[],
): Promise<PersonByContact[]> {
  const wanted = [...new Set(kind === 'email' ? values.map((v) => v.toLowerCase()) : values)];
  if (!wanted.length) return [];
  const rows = await customersDb(db)
    .selectFrom('contact_points as c')
    .innerJoin('people as p', (j) => j.onRef('p.workspace_id', '=', 'c.workspace_id').onRef('p.id', '=', 'c.entity_id'))
    .select(['c.value', 'p.id', 'p.company_id', 'p.owner_id', 'p.team_id'])
    .where('c.workspace_id', '=', workspaceId)
    .where('c.kind', '=', kind)
    .where('c.entity_type', '=', 'person')
    .where('c.value', 'in', wanted)
    .where('p.deleted_at', 'is', null)
    .orderBy('c.value')
    .orderBy('p.id')
    .execute();
  return rows.map((r) => ({ value: r.value, personId: r.id, companyId: r.company_id, ownerId: r.owner_id, teamId: r.team_id }));
}

/** A record's normalised contact points of one kind (lower-case emails, E.164 phones), e.g. a new person's addresses. */
export async function contactPointsOf<D>(db: Kysely<D>, workspaceId: string, ref: RecordRef, kind: 'email' | 'phone'): Promise<string[]> {
  const rows = await customersDb(db)
    .selectFrom('contact_points')
    .select('value')
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', ref.entityType)
    .where('entity_id', '=', ref.entityId)
    .where('kind', '=', kind)
    .orderBy('value')
    .execute();
  return rows.map((r) => r.value);
}

/** What a letter to a person needs (mail merge fields, the default recipient): a live person, else undefined. */
export interface PersonCard {
  id: string;
  familyName: string;
  givenName: string | null;
  familyNameKana: string | null;
  givenNameKana: string | null;
  title: string | null;
  /** Addresses in the person's order, the first the default recipient. */
  emails: string[];
  ownerId: string | null;
  teamId: string | null;
  companyName: string | null;
}

export async function personCard<D>(db: Kysely<D>, workspaceId: string, personId: string): Promise<PersonCard | undefined> {
  const r = await customersDb(db)
    .selectFrom('people as p')
    .leftJoin('companies as c', (j) => j.onRef('c.workspace_id', '=', 'p.workspace_id').onRef('c.id', '=', 'p.company_id'))
    .select(['p.id', 'p.family_name', 'p.given_name', 'p.family_name_kana', 'p.given_name_kana', 'p.title', 'p.emails'])
    .select(['p.owner_id', 'p.team_id', 'c.name as company_name'])
    .where('p.workspace_id', '=', workspaceId)
    .where('p.id', '=', personId)
    .where('p.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    id: r.id,
    familyName: r.family_name,
    givenName: r.given_name,
    familyNameKana: r.family_name_kana,
    givenNameKana: r.given_name_kana,
    title: r.title,
    emails: (r.emails as { address: string }[]).map((e) => e.address),
    ownerId: r.owner_id,
    teamId: r.team_id,
    companyName: r.company_name,
  };
}
