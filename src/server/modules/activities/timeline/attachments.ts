import fs from 'node:fs/promises';
import path from 'node:path';
import type { Actor } from '../../../platform/actor.js';
import type { Config } from '../../../platform/config.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import type { ActivitiesDb, ActivitiesTx } from '../activities.db.js';
import { openContent, writeContent } from './attachment-content.js';

export type AttachmentOwnerType = 'activity' | 'email';

export interface StoredAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string;
}

/** May the actor see the owner of an attachment? Each owner type registers its own check (email: the mail colleague). */
export type OwnerVisibility = (db: ActivitiesDb, actor: Actor, ownerId: string) => Promise<boolean>;
const ownerChecks = new Map<AttachmentOwnerType, OwnerVisibility>();
export function registerAttachmentOwner(ownerType: AttachmentOwnerType, check: OwnerVisibility): void {
  ownerChecks.set(ownerType, check);
}

/** Leading bytes of executables: refused whatever the file is called. */
const EXECUTABLE_MAGIC = [Buffer.from('MZ'), Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.from([0xcf, 0xfa, 0xed, 0xfe])];
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f"<>|:*?]/g;

/** Undo percent-encoding (also twice-encoded, x.js%2520), leaving a stray `%` as it is. */
function percentDecoded(name: string): string {
  let s = name;
  for (let i = 0; i < 3; i++) {
    const next = s.replace(/(?:%[0-9a-f]{2})+/gi, (seq) => {
      try {
        return decodeURIComponent(seq);
      } catch {
        return seq;
      }
    });
    if (next === s) break;
    s = next;
  }
  return s;
}

/**
 * The name as Windows would save it: percent-encoding undone, no path, no NTFS stream (x.js::$DATA, x.js:name),
 * no invisible format characters (a right-to-left override that disguises the extension), no control
 * characters, no trailing dots or spaces (Windows drops them: x.js. is x.js), at most 255 characters.
 */
function windowsName(name: string, form: 'NFC' | 'NFKC'): string {
  let base = percentDecoded(name.normalize(form)).normalize(form).split(/[\\/]/).pop() ?? '';
  base = base.replace(/\p{Cf}/gu, '');
  const colon = base.indexOf(':');
  // name:stream or name::$DATA — a stream name has no dot; "議事録 10:30.txt" is a name with a colon in it
  if (colon >= 0 && !base.slice(colon + 1).includes('.')) base = base.slice(0, colon);
  const cleaned = base
    .replace(UNSAFE_CHARACTERS, '_')
    .replace(/[\s.]+$/u, '')
    .trim();
  return (cleaned || 'file').slice(0, 255).replace(/[\s.]+$/u, '') || 'file';
}

/**
 * A file name safe to store and show. NFC, not NFKC: NFKC would rewrite the full-width brackets and digits of
 * Japanese names (お見積書（2026年度）.pdf); the type check reads the NFKC form instead (blockedExtension).
 */
export function cleanFilename(name: string): string {
  return windowsName(name, 'NFC');
}

/** The extension that decides how a file opens, lower case: what follows the last dot (".js" alone is a .js file too). */
function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot >= 0 ? filename.slice(dot + 1).toLowerCase() : '';
}

export interface NewAttachment {
  workspaceId: string;
  ownerType: AttachmentOwnerType;
  ownerId: string;
  filename: string;
  contentType: string;
  /** The bytes: a buffer (a parsed mail's part) or a stream (an upload), never read whole into memory. */
  content: Buffer | AsyncIterable<Buffer>;
  createdBy?: string | null;
}

/** Refuses a name whose extension is blocked: checked before any byte of the file is read. */
export function checkAttachmentName(config: Pick<Config, 'attachments'>, name: string): string {
  const filename = cleanFilename(name);
  if (blockedExtension(config, filename)) {
    throw new AppError('attachment_type_blocked', { filename, extension: extensionOf(windowsName(filename, 'NFKC')) });
  }
  return filename;
}

/** Check name, size and type while the content streams into its storage (attachment-content.ts), then record it. */
export async function storeAttachment(
  trx: ActivitiesTx,
  config: Pick<Config, 'attachments'>,
  input: NewAttachment,
): Promise<StoredAttachment> {
  const { maxBytes } = config.attachments;
  const filename = checkAttachmentName(config, input.filename);
  const type = input.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const contentType = CONTENT_TYPE.test(type) ? type : 'application/octet-stream';
  const id = newId();
  const storageKey = `${input.workspaceId}/${id}`;
  const content = Buffer.isBuffer(input.content) ? [input.content] : input.content;
  const stored = await writeContent(trx, config, { workspaceId: input.workspaceId, id, storageKey }, content, (size) => {
    if (size > maxBytes) throw new AppError('attachment_too_large', { maxBytes });
  });
  const refuse = async (err: AppError) => {
    // The parts roll back with the caller's transaction; a file in the folder is removed here.
    if (stored.storage === 'disk') await removeFiles(config, [storageKey]);
    throw err;
  };
  if (stored.size === 0) await refuse(new AppError('validation_failed', { issues: [{ path: 'body', code: 'empty_file' }] }));
  if (EXECUTABLE_MAGIC.some((m) => stored.head.subarray(0, m.length).equals(m))) {
    await refuse(new AppError('attachment_type_blocked', { filename, extension: extensionOf(windowsName(filename, 'NFKC')) || null }));
  }
  await trx
    .insertInto('attachments')
    .values({
      workspace_id: input.workspaceId,
      id,
      owner_type: input.ownerType,
      owner_id: input.ownerId,
      filename,
      content_type: contentType,
      size: stored.size,
      sha256: stored.sha256,
      storage: stored.storage,
      storage_key: storageKey,
      created_by: input.createdBy ?? null,
    })
    .execute();
  return { id, filename, size: stored.size, contentType };
}

export async function listAttachments(db: ActivitiesDb, workspaceId: string, ownerType: AttachmentOwnerType, ownerIds: string[]) {
  if (!ownerIds.length) return [];
  const rows = await db
    .selectFrom('attachments')
    .select(['id', 'owner_id', 'filename', 'size', 'content_type'])
    .where('workspace_id', '=', workspaceId)
    .where('owner_type', '=', ownerType)
    .where('owner_id', 'in', ownerIds)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ownerId: r.owner_id,
    id: r.id,
    filename: r.filename,
    size: Number(r.size),
    contentType: r.content_type,
  }));
}

/** The files of each owner by name, size and type: what a disclosure (個人情報の開示) lists, without contents. */
export async function attachmentNamesOf(db: ActivitiesDb, workspaceId: string, ownerType: AttachmentOwnerType, ownerIds: string[]) {
  const files = await listAttachments(db, workspaceId, ownerType, ownerIds);
  return (ownerId: string) =>
    files.filter((f) => f.ownerId === ownerId).map((f) => ({ filename: f.filename, size: f.size, contentType: f.contentType }));
}

/**
 * The stored files of one owner, oldest first, each as a stream of its bytes (the sender attaches them to outgoing
 * mail); null when a file is gone.
 */
export async function readAttachmentFiles(
  db: ActivitiesDb,
  config: Pick<Config, 'attachments'>,
  workspaceId: string,
  ownerType: AttachmentOwnerType,
  ownerId: string,
) {
  const rows = await db
    .selectFrom('attachments')
    .select(['workspace_id', 'id', 'filename', 'content_type', 'storage', 'storage_key', 'size'])
    .where('workspace_id', '=', workspaceId)
    .where('owner_type', '=', ownerType)
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const files = [];
  for (const r of rows) {
    const content = await openContent(db, config, r);
    if (!content) {
      for (const f of files) f.content.destroy();
      return null;
    }
    files.push({ filename: r.filename, contentType: r.content_type, content });
  }
  return files;
}

/**
 * Is this file name's extension refused? Read from the NFKC form of the name as Windows would save it (x．js, x.js.,
 * x.js::$DATA are .js files); also checked again when a stored draft is sent, for names stored before.
 */
export function blockedExtension(config: Pick<Config, 'attachments'>, filename: string): boolean {
  const ext = extensionOf(windowsName(filename, 'NFKC'));
  return Boolean(ext && config.attachments.blockedExtensions.includes(ext));
}

/** Delete these owners' attachment rows; returns the files to remove once the transaction has committed. */
export async function deleteAttachmentsOf(trx: ActivitiesTx, workspaceId: string, ownerType: AttachmentOwnerType, ownerIds: string[]) {
  if (!ownerIds.length) return [];
  const rows = await trx
    .deleteFrom('attachments')
    .where('workspace_id', '=', workspaceId)
    .where('owner_type', '=', ownerType)
    .where('owner_id', 'in', ownerIds)
    .returning('storage_key')
    .execute();
  return rows.map((r) => r.storage_key);
}

/** Files go after their rows: a crash in between leaves a stray file, never a row without its file. */
export async function removeFiles(config: Pick<Config, 'attachments'>, storageKeys: string[]) {
  for (const key of storageKeys) await fs.rm(path.join(config.attachments.dir, key), { force: true });
}

/** Types a browser could run or render as a page: always sent as opaque bytes. */
const ACTIVE_TYPES =
  /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/javascript|application\/javascript)$/;

/** The file to download, after checking the actor may see its owner; 404 otherwise (also for other workspaces). */
export async function openAttachment(db: ActivitiesDb, config: Pick<Config, 'attachments'>, actor: Actor, id: string) {
  const row = await db
    .selectFrom('attachments')
    .selectAll()
    .where('workspace_id', '=', actor.workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  const check = row ? ownerChecks.get(row.owner_type as AttachmentOwnerType) : undefined;
  if (!row || !check || !(await check(db, actor, row.owner_id))) throw new AppError('not_found');
  // A file kept on another instance's disk, not moved into the database yet, is not found here.
  const content = await openContent(db, config, row);
  if (!content) throw new AppError('not_found');
  const type = row.content_type;
  return {
    filename: row.filename,
    contentType: ACTIVE_TYPES.test(type) ? 'application/octet-stream' : type,
    size: Number(row.size),
    content,
  };
}

/** `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 5987). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
