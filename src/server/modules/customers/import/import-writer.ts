import type pg from 'pg';
import { companyNameKey } from '../../../../shared/jp-text.js';
import { newId } from '../../../platform/ids.js';
import { copyInto, copyLine, copyValue, ensureStage } from '../../../platform/import/copy.js';
import type { RejectedRow } from '../../../platform/import/import.repository.js';
import type { CustomFieldDef } from '../custom-fields.js';
import type { StoredEmail, StoredPhone } from '../records/indexing.js';
import { contactPoints, indexCompany } from '../records/indexing.js';
import * as repo from './import.repository.js';
import {
  type Cell,
  type CompanyInput,
  companyColumns,
  type PersonInput,
  personColumns,
  type Reason,
  readCompany,
  readPerson,
} from './import-rows.js';

/** One chunk of rows: read and normalised in JS, then written with COPY inside the caller's transaction. */

export type Mode = 'create' | 'update_matching' | 'skip_duplicates';
export type MatchOn = 'email' | 'phone' | 'id';

export interface ChunkContext {
  client: pg.PoolClient;
  workspaceId: string;
  userId: string | null;
  entityType: 'person' | 'company';
  mode: Mode;
  matchOn: MatchOn;
  defs: CustomFieldDef[];
  /** the workspace's user ids, when a custom field holds users: a cell must name one of them */
  users?: ReadonlySet<string>;
  columnOf: Map<string, number>;
}

export interface PreparedRow {
  rowNumber: number;
  cells: Cell[];
  reasons: Reason[];
  person?: PersonInput;
  company?: CompanyInput;
  key: string | null;
  /** Index columns, computed while the previous chunk is being written. */
  columns?: Record<string, unknown>;
  /** For a new person: id, its COPY line around company_id/department_id, and its contact point lines, built ahead. */
  pre?: { id: string; head: string; tail: string; points: string[]; custom: Record<string, unknown>; customReasons: Reason[] };
}

/** The jsonb columns of the rows written: COPY takes them as JSON, other arrays as text[]. */
const JSON_COLUMNS: ReadonlySet<string> = new Set(['emails', 'phones', 'custom']);
const COMPANY_AT = repo.PEOPLE_COLUMNS.indexOf('company_id');
const HEAD_COLUMNS = repo.PEOPLE_COLUMNS.slice(0, COMPANY_AT);
const TAIL_COLUMNS = repo.PEOPLE_COLUMNS.slice(COMPANY_AT + 2);

function pointLines(workspaceId: string, entityType: 'person' | 'company', id: string, emails: StoredEmail[], phones: StoredPhone[]) {
  return contactPoints(workspaceId, entityType, id, emails, phones).map(
    (cp) => `${cp.workspace_id}\t${cp.kind}\t${copyValue(cp.value)}\t${cp.entity_type}\t${cp.entity_id}`,
  );
}

export interface ChunkCounts {
  created: number;
  updated: number;
  skipped: number;
  companies: number;
}

function keyOf(matchOn: MatchOn, x: { emails: StoredEmail[]; phones: StoredPhone[]; id: string | null }): string | null {
  if (matchOn === 'email') return x.emails[0]?.normalized ?? null;
  if (matchOn === 'phone') return x.phones[0]?.e164 ?? null;
  return x.id;
}

/** CPU part: read, validate and index one row (no database). */
export function prepareRow(
  ctx: Pick<ChunkContext, 'entityType' | 'columnOf' | 'matchOn' | 'defs' | 'users' | 'workspaceId' | 'userId'>,
  cells: Cell[],
  rowNumber: number,
): PreparedRow {
  if (ctx.entityType === 'person') {
    const { input, reasons } = readPerson(cells, ctx.columnOf);
    const row: PreparedRow = { rowNumber, cells, reasons, person: input, key: keyOf(ctx.matchOn, input) };
    if (input.familyName && !reasons.length) {
      const columns = personColumns(input as PersonInput & { familyName: string });
      const id = newId();
      const before = input.reader.reasons.length;
      const custom = input.reader.custom(ctx.defs, null, ctx.users);
      const customReasons = input.reader.reasons.splice(before);
      const values: Record<string, unknown> = {
        ...columns,
        workspace_id: ctx.workspaceId,
        id,
        emails: input.emails,
        phones: input.phones,
        owner_id: ctx.userId,
        custom,
        created_by: ctx.userId,
        updated_by: ctx.userId,
      };
      row.columns = columns;
      row.pre = {
        id,
        head: copyLine(HEAD_COLUMNS, values, JSON_COLUMNS),
        tail: copyLine(TAIL_COLUMNS, values, JSON_COLUMNS),
        points: pointLines(ctx.workspaceId, 'person', id, input.emails, input.phones),
        custom,
        customReasons,
      };
    }
    return row;
  }
  const { input, reasons } = readCompany(cells, ctx.columnOf);
  return { rowNumber, cells, reasons, company: input, key: keyOf(ctx.matchOn, input) };
}

function union<T>(a: T[], b: T[], id: (x: T) => string): T[] {
  const seen = new Set(a.map(id));
  return [...a, ...b.filter((x) => !seen.has(id(x)))];
}

/** A stored record's values in the shape of a row read from the file (without the row's reader). */
type StoredPersonInput = Omit<PersonInput, 'reader'>;
type StoredCompanyInput = Omit<CompanyInput, 'reader'>;

/** Imported values win where the cell is not empty; emails, phones and tags are added to the stored ones. */
function mergePerson(base: StoredPersonInput, add: PersonInput): PersonInput {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(add)) {
    if (k === 'reader' || k === 'emails' || k === 'phones' || k === 'tags' || k === 'id') continue;
    if (v !== null && v !== undefined) out[k] = v;
  }
  out.emails = union(base.emails, add.emails, (e) => e.normalized);
  out.phones = union(base.phones, add.phones, (p) => p.e164);
  out.tags = [...new Set([...base.tags, ...add.tags])];
  out.reader = add.reader;
  return out as unknown as PersonInput;
}

function mergeCompany(base: StoredCompanyInput, add: CompanyInput): CompanyInput {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(add)) {
    if (k === 'reader' || k === 'emails' || k === 'phones' || k === 'tags' || k === 'id') continue;
    if (v !== null && v !== undefined) out[k] = v;
  }
  out.emails = union(base.emails, add.emails, (e) => e.normalized);
  out.phones = union(base.phones, add.phones, (p) => p.e164);
  out.tags = [...new Set([...base.tags, ...add.tags])];
  out.reader = add.reader;
  return out as unknown as CompanyInput;
}

function personFromRow(r: repo.StoredPerson): StoredPersonInput {
  return {
    familyName: r.family_name,
    givenName: r.given_name,
    familyNameKana: r.family_name_kana,
    givenNameKana: r.given_name_kana,
    emails: r.emails as unknown as StoredEmail[],
    phones: r.phones as unknown as StoredPhone[],
    postalCode: r.postal_code,
    prefecture: r.prefecture,
    city: r.city,
    town: r.town,
    addressLine: r.address_line,
    companyName: r.company_name,
    department: r.department_name,
    title: r.title,
    birthday: r.birthday,
    gender: r.gender,
    tags: r.tags,
    notes: r.notes,
    id: r.id,
  };
}

function companyFromRow(r: repo.StoredCompany): StoredCompanyInput {
  return {
    name: r.name,
    nameKana: r.name_kana,
    corporateNumber: r.corporate_number,
    industry: r.industry,
    employeeCount: r.employee_count,
    fiscalMonth: r.fiscal_month,
    website: r.website,
    emails: r.emails as unknown as StoredEmail[],
    phones: r.phones as unknown as StoredPhone[],
    postalCode: r.postal_code,
    prefecture: r.prefecture,
    city: r.city,
    town: r.town,
    addressLine: r.address_line,
    tags: r.tags,
    notes: r.notes,
    id: r.id,
  };
}

interface Target {
  row: PreparedRow;
  id: string;
  existing: repo.StoredRecord | null;
  custom?: Record<string, unknown>;
}

const storedPerson = (t: Target) => (t.existing && repo.isStoredPerson(t.existing) ? t.existing : null);
/** The stored custom values (a jsonb object: the API only ever writes objects there). */
const storedCustom = (r: repo.StoredRecord) => (r.custom ?? {}) as Record<string, unknown>;

/** Decide per row: insert, update (which record), skip or reject, following the mode. */
async function classify(ctx: ChunkContext, rows: PreparedRow[], counts: ChunkCounts, rejected: PreparedRow[]) {
  const valid = rows.filter((r) => {
    if (r.reasons.length) rejected.push(r);
    return !r.reasons.length;
  });
  const keys = [...new Set(valid.map((r) => r.key).filter((k): k is string => !!k))];
  const existing =
    ctx.mode === 'create'
      ? new Map<string, string>()
      : await repo.matchExisting(ctx.client, ctx.workspaceId, ctx.entityType, ctx.matchOn, keys);
  const inserts: Target[] = [];
  const updates = new Map<string, Target>();
  const pending = new Map<string, Target>();
  for (const row of valid) {
    const k = row.key;
    const matchId = k ? existing.get(k) : undefined;
    if (ctx.mode === 'skip_duplicates' && k && (matchId || pending.has(k))) {
      counts.skipped++;
      continue;
    }
    if (ctx.mode === 'update_matching' && k && matchId) {
      const earlier = updates.get(matchId);
      if (earlier) {
        mergeInto(earlier.row, row);
        counts.updated++;
      } else updates.set(matchId, { row, id: matchId, existing: null });
      continue;
    }
    if (ctx.mode === 'update_matching' && k && pending.has(k)) {
      mergeInto((pending.get(k) as Target).row, row);
      counts.updated++;
      continue;
    }
    if (ctx.mode === 'update_matching' && ctx.matchOn === 'id' && k) {
      rejected.push({ ...row, reasons: [{ field: 'id', code: 'not_found' }] });
      continue;
    }
    const t: Target = { row, id: row.pre?.id ?? newId(), existing: null };
    inserts.push(t);
    if (k) pending.set(k, t);
  }
  return { inserts, updates: [...updates.values()] };
}

function mergeInto(earlier: PreparedRow, later: PreparedRow) {
  if (earlier.person && later.person) earlier.person = mergePerson(earlier.person, later.person);
  if (earlier.company && later.company) earlier.company = mergeCompany(earlier.company, later.company);
  earlier.columns = undefined;
  earlier.pre = undefined;
}

/** Writes one batch in the caller's transaction on ctx.client; the rejected rows are returned for the report. */
export async function writeChunk(ctx: ChunkContext, rows: PreparedRow[]): Promise<ChunkCounts & { rejected: RejectedRow[] }> {
  const counts: ChunkCounts = { created: 0, updated: 0, skipped: 0, companies: 0 };
  const rejected: PreparedRow[] = [];
  const { inserts, updates } = await classify(ctx, rows, counts, rejected);
  const table = ctx.entityType === 'person' ? 'people' : 'companies';
  if (updates.length) {
    const stored = await repo.lockRecords(
      ctx.client,
      table,
      ctx.workspaceId,
      updates.map((u) => u.id),
    );
    for (const u of updates) {
      const s = stored.get(u.id) ?? null;
      u.existing = s;
      if (!s) continue;
      if (u.row.person && repo.isStoredPerson(s)) u.row.person = mergePerson(personFromRow(s), u.row.person);
      if (u.row.company && !repo.isStoredPerson(s)) u.row.company = mergeCompany(companyFromRow(s), u.row.company);
      u.row.columns = undefined;
      u.row.pre = undefined;
    }
  }
  // Custom fields: validated with the stored values on update, defaults filled on create.
  const accepted: Target[] = [];
  for (const t of [...inserts, ...updates]) {
    const input = t.row.person ?? t.row.company;
    if (!input) continue;
    const reasons: Reason[] = [];
    if (t.row.pre && !t.existing) {
      t.custom = t.row.pre.custom;
      reasons.push(...t.row.pre.customReasons);
    } else {
      const before = input.reader.reasons.length;
      t.custom = input.reader.custom(ctx.defs, t.existing ? storedCustom(t.existing) : null, ctx.users);
      reasons.push(...input.reader.reasons.slice(before));
    }
    if (t.row.person && !t.row.person.familyName) reasons.push({ field: 'familyName', code: 'required' });
    if (t.row.company && !t.row.company.name) reasons.push({ field: 'name', code: 'required' });
    if (reasons.length) rejected.push({ ...t.row, reasons });
    else accepted.push(t);
  }
  const ins = accepted.filter((t) => !t.existing);
  const upd = accepted.filter((t) => t.existing);
  counts.created = ins.length;
  counts.updated += upd.length;
  if (ctx.entityType === 'person') await writePeople(ctx, ins, upd, counts);
  else await writeCompanies(ctx, ins, upd);
  return {
    ...counts,
    rejected: rejected.map((r) => ({
      row: r.rowNumber,
      cells: r.cells.map((c) => (c instanceof Date ? c.toISOString() : (c ?? ''))),
      reasons: r.reasons,
    })),
  };
}

/** Companies named in person rows: found by normalised name (株式会社/(株)/width do not matter) or created. */
async function companyIds(ctx: ChunkContext, names: string[], counts: ChunkCounts) {
  const byKey = new Map<string, string>();
  for (const n of names) {
    const k = companyNameKey(n);
    if (!byKey.has(k)) byKey.set(k, n);
  }
  const found = await repo.companiesByNameKey(ctx.client, ctx.workspaceId, [...byKey.keys()]);
  const lines: string[] = [];
  for (const [key, name] of byKey) {
    if (found.has(key)) continue;
    const id = newId();
    found.set(key, id);
    const idx = indexCompany({ name, nameKana: null, emails: [], phones: [], corporateNumber: null });
    const row: Record<string, unknown> = {
      workspace_id: ctx.workspaceId,
      id,
      name,
      emails: [],
      phones: [],
      owner_id: ctx.userId,
      tags: [],
      custom: {},
      ...idx,
      created_by: ctx.userId,
      updated_by: ctx.userId,
    };
    lines.push(copyLine(repo.COMPANY_COLUMNS, row, JSON_COLUMNS));
  }
  counts.companies += lines.length;
  await copyInto(ctx.client, 'companies', repo.COMPANY_COLUMNS, lines);
  const byName = new Map(names.map((n) => [n, found.get(companyNameKey(n)) as string]));
  return (name: string) => byName.get(name) as string;
}

async function departmentIds(ctx: ChunkContext, pairs: [string, string][]) {
  if (!pairs.length) return () => null;
  const found = await repo.departmentsByName(ctx.client, ctx.workspaceId, [...new Set(pairs.map((p) => p[0]))]);
  const lines: string[] = [];
  for (const [companyId, name] of pairs) {
    const k = `${companyId}\u0001${name}`;
    if (found.has(k)) continue;
    const id = newId();
    found.set(k, id);
    lines.push([ctx.workspaceId, id, companyId, name, ctx.userId, ctx.userId].map(copyValue).join('\t'));
  }
  await copyInto(ctx.client, 'departments', repo.DEPARTMENT_COLUMNS, lines);
  return (companyId: string, name: string) => found.get(`${companyId}\u0001${name}`) ?? null;
}

async function writePeople(ctx: ChunkContext, ins: Target[], upd: Target[], counts: ChunkCounts) {
  const all = [...ins, ...upd];
  const names = [...new Set(all.map((t) => t.row.person?.companyName).filter((n): n is string => !!n))];
  const companyOf = names.length ? await companyIds(ctx, names, counts) : () => null;
  const deptPairs = new Map<string, [string, string]>();
  for (const t of all) {
    const p = t.row.person as PersonInput;
    const c = p.companyName ? companyOf(p.companyName) : null;
    if (c && p.department) deptPairs.set(`${c}\u0001${p.department}`, [c, p.department]);
  }
  const deptOf = await departmentIds(ctx, [...deptPairs.values()]);
  type Line = { t: Target; companyId: string | null; departmentId: string | null; title: string | null; line: string; points: string[] };
  const lines = (targets: Target[]): Line[] =>
    targets.map((t) => {
      const p = t.row.person as PersonInput & { familyName: string };
      const stored = storedPerson(t);
      const sameCompany = stored?.company_name && p.companyName && companyNameKey(stored.company_name) === companyNameKey(p.companyName);
      const companyId: string | null = sameCompany
        ? (stored?.company_id ?? null)
        : p.companyName
          ? companyOf(p.companyName)
          : (stored?.company_id ?? null);
      const departmentId =
        companyId && p.department
          ? deptOf(companyId, p.department)
          : companyId === stored?.company_id
            ? (stored?.department_id ?? null)
            : null;
      const pre = t.row.pre;
      if (pre && !t.existing) {
        const line = `${pre.head}\t${copyValue(companyId)}\t${copyValue(departmentId)}\t${pre.tail}`;
        return { t, companyId, departmentId, title: p.title, line, points: pre.points };
      }
      const row: Record<string, unknown> = {
        ...(t.row.columns ?? personColumns(p)),
        workspace_id: ctx.workspaceId,
        id: t.id,
        emails: p.emails,
        phones: p.phones,
        company_id: companyId,
        department_id: departmentId,
        owner_id: t.existing?.owner_id ?? ctx.userId,
        custom: t.custom ?? {},
        created_by: t.existing?.created_by ?? ctx.userId,
        updated_by: ctx.userId,
      };
      const points = pointLines(ctx.workspaceId, 'person', t.id, p.emails, p.phones);
      return { t, companyId, departmentId, title: p.title, line: copyLine(repo.PEOPLE_COLUMNS, row, JSON_COLUMNS), points };
    });
  const inserted = lines(ins);
  await copyInto(
    ctx.client,
    'people',
    repo.PEOPLE_COLUMNS,
    inserted.map((x) => x.line),
  );
  const points = (xs: Line[]) => xs.flatMap((x) => x.points);
  const employment = (xs: Line[]) =>
    xs
      .filter((x) => x.companyId)
      .map((x) => [ctx.workspaceId, newId(), x.t.id, x.companyId, x.departmentId, x.title, null, ctx.userId].map(copyValue).join('\t'));
  await copyInto(ctx.client, 'contact_points', repo.CONTACT_POINT_COLUMNS, points(inserted));
  await copyInto(ctx.client, 'employments', repo.EMPLOYMENT_COLUMNS, employment(inserted));
  if (!upd.length) return;
  const updated = lines(upd);
  await updateStaged(ctx, 'people', upd, updated, points(updated));
  const moved = updated.filter((x) => x.companyId !== storedPerson(x.t)?.company_id);
  await repo.endEmployments(
    ctx.client,
    ctx.workspaceId,
    moved.map(({ t }) => t.id),
  );
  await copyInto(ctx.client, 'employments', repo.EMPLOYMENT_COLUMNS, employment(moved));
}

async function writeCompanies(ctx: ChunkContext, ins: Target[], upd: Target[]) {
  const lines = (targets: Target[]) =>
    targets.map((t) => {
      const c = t.row.company as CompanyInput & { name: string };
      const row: Record<string, unknown> = {
        ...companyColumns(c),
        workspace_id: ctx.workspaceId,
        id: t.id,
        emails: c.emails,
        phones: c.phones,
        owner_id: t.existing?.owner_id ?? ctx.userId,
        custom: t.custom ?? {},
        created_by: t.existing?.created_by ?? ctx.userId,
        updated_by: ctx.userId,
      };
      return { t, row, line: copyLine(repo.COMPANY_COLUMNS, row, JSON_COLUMNS) };
    });
  const points = (xs: ReturnType<typeof lines>) =>
    xs.flatMap(({ t, row }) =>
      contactPoints(ctx.workspaceId, 'company', t.id, row.emails as StoredEmail[], row.phones as StoredPhone[]).map((cp) =>
        [cp.workspace_id, cp.kind, cp.value, cp.entity_type, cp.entity_id].map(copyValue).join('\t'),
      ),
    );
  const inserted = lines(ins);
  await copyInto(
    ctx.client,
    'companies',
    repo.COMPANY_COLUMNS,
    inserted.map((x) => x.line),
  );
  await copyInto(ctx.client, 'contact_points', repo.CONTACT_POINT_COLUMNS, points(inserted));
  if (!upd.length) return;
  const updated = lines(upd);
  await updateStaged(ctx, 'companies', upd, updated, points(updated));
}

const STAGED = {
  people: { columns: repo.PEOPLE_COLUMNS, entityType: 'person' },
  companies: { columns: repo.COMPANY_COLUMNS, entityType: 'company' },
} as const;

/**
 * Rows that already exist are rewritten through a staging table (one COPY and one UPDATE instead of a statement a
 * row); their contact points are replaced as a whole, since the imported row states them all.
 */
async function updateStaged(ctx: ChunkContext, table: keyof typeof STAGED, upd: Target[], updated: { line: string }[], points: string[]) {
  const { columns, entityType } = STAGED[table];
  await ensureStage(ctx.client, `import_stage_${table}`, table);
  await copyInto(
    ctx.client,
    `import_stage_${table}`,
    columns,
    updated.map((x) => x.line),
  );
  await repo.applyStagedUpdates(ctx.client, table, columns);
  await repo.replaceContactPointsOf(
    ctx.client,
    ctx.workspaceId,
    entityType,
    upd.map((t) => t.id),
  );
  await copyInto(ctx.client, 'contact_points', repo.CONTACT_POINT_COLUMNS, points);
}
