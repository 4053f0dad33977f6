import type { Actor } from '../../../platform/actor.js';
import type { FieldCatalog } from '../../../platform/filter/compile.js';
import type { CustomersDb } from '../customers.db.js';
import type { DuplicateCandidate } from './duplicates.js';
import type { EmailIn, PhoneIn, StoredEmail, StoredPhone } from './indexing.js';
import type { EntityType, RecordRow, RecordTable } from './records.repository.js';

/** The editable fields both kinds share, as a create or an edited view carries them. */
export interface BaseFields {
  emails?: EmailIn[];
  phones?: PhoneIn[];
  ownerId?: string | null;
  teamId?: string | null;
  tags?: string[];
  custom?: Record<string, unknown>;
}

/** The stored columns of a write, derived ones included, with the normalised contact points they came from. */
export interface Columns<C> {
  columns: C;
  emails: StoredEmail[];
  phones: StoredPhone[];
}

/**
 * What differs between people and companies (the handles may be transactions: a transaction is a handle too), as data for the one create / read / update / trash path of
 * records.service.ts: `T` the table (its rows are RecordRow<T>), `View` the API's shape, `Fields` what a create
 * or an edited view holds, `Cols` the columns a write stores.
 */
export interface RecordKind<
  T extends RecordTable,
  View extends { version: number },
  Fields extends BaseFields,
  Cols extends { owner_id: string | null },
> {
  table: T;
  entity: EntityType;
  /** Built-in filter and sort fields (other modules add theirs at start). */
  catalog: FieldCatalog;
  /** Checks of the input alone, before any query. */
  checkInput(input: Partial<Fields>): void;
  /** Referenced ids must exist in the workspace (selfId: the record being edited). */
  checkRefs(trx: CustomersDb, actor: Actor, input: Partial<Fields>, selfId?: string): Promise<void>;
  columns(trx: CustomersDb, actor: Actor, input: Fields): Promise<Columns<Cols>>;
  duplicates(trx: CustomersDb, workspaceId: string, c: Columns<Cols>): Promise<DuplicateCandidate[]>;
  insert(
    trx: CustomersDb,
    row: Cols & { workspace_id: string; id: string; custom: string; created_by: string | null; updated_by: string | null },
  ): Promise<RecordRow<T>>;
  update(
    trx: CustomersDb,
    workspaceId: string,
    id: string,
    set: Cols & { custom: string; updated_by: string | null },
  ): Promise<RecordRow<T>>;
  /** One record as the API shows it (names of linked records included). */
  view(db: CustomersDb, workspaceId: string, row: RecordRow<T>): Promise<View>;
  /** A page of records, the names of linked records in one query. */
  viewPage(db: CustomersDb, workspaceId: string, rows: RecordRow<T>[]): Promise<View[]>;
  /** An edit: the current view with the patch's defined values over it. */
  edited(before: View, changes: Partial<Fields>): Fields;
  /** Rows that follow a record's own (employment history, people's search text), in the same transaction. */
  afterWrite(trx: CustomersDb, actor: Actor, row: RecordRow<T>, before: RecordRow<T> | null): Promise<void>;
  /** Whether `<entity>.updated` names the changed fields (the duplicate check skips edits of other fields). */
  namesChangedFields: boolean;
}

/** The patch's values that are set, its version aside: `undefined` means "not sent", `null` clears. */
export function definedChanges<F extends object>(patch: Partial<F> & { version: number }): Partial<F> {
  const set: Partial<F> = {};
  for (const key of Object.keys(patch) as (keyof F & string)[]) {
    if (key !== 'version' && patch[key] !== undefined) set[key] = patch[key];
  }
  return set;
}
