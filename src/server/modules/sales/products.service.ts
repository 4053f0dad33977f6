import type { Kysely } from 'kysely';
import { currencyDigits, type ProductCreate, type ProductPatch } from '../../../shared/contracts/sales.js';
import type { Actor } from '../../platform/actor.js';
import { recordChange } from '../../platform/events/outbox.js';
import { decodeCursor, encodeCursor } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import * as repo from './products.repository.js';
import { type SalesDb, salesDb } from './sales.db.js';
import { presentProduct } from './sales.presenter.js';

export function checkCurrency(currency: string | undefined, path = 'currency') {
  if (currency !== undefined && currencyDigits(currency) === null) {
    throw new AppError('validation_failed', { issues: [{ path, code: 'unknown_currency' }] });
  }
}

export async function createProduct(options: { db: SalesDb; actor: Actor; input: ProductCreate }) {
  const { actor, input } = options;
  checkCurrency(input.currency);
  return options.db.transaction().execute(async (trx) => {
    if (await repo.skuTaken(trx, actor.workspaceId, input.sku)) throw new AppError('sku_taken', { sku: input.sku });
    const row = await repo.insertProduct(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      sku: input.sku,
      name: input.name,
      category: input.category ?? null,
      description: input.description ?? null,
      unit_price: input.unitPrice,
      cost: input.cost ?? null,
      currency: input.currency,
      active: input.active,
      created_by: actor.userId,
      updated_by: actor.userId,
    });
    const product = presentProduct(row);
    await recordChange(trx, actor, {
      audit: { action: 'product.created', entityType: 'product', entityId: product.id, after: product },
      event: { type: 'product.created', entityType: 'product', entityId: product.id },
    });
    return product;
  });
}

export async function getProduct(options: { db: SalesDb; actor: Actor; productId: string }) {
  const row = await repo.findProduct(options.db, options.actor.workspaceId, options.productId);
  if (!row) throw new AppError('not_found');
  return presentProduct(row);
}

export async function updateProduct(options: { db: SalesDb; actor: Actor; productId: string; patch: ProductPatch }) {
  const { actor, patch } = options;
  checkCurrency(patch.currency);
  return options.db.transaction().execute(async (trx) => {
    const before = await repo.findProduct(trx, actor.workspaceId, options.productId, { forUpdate: true });
    if (!before || before.deleted_at) throw new AppError('not_found');
    const beforeView = presentProduct(before);
    if (before.version !== patch.version) throw new AppError('conflict', { current: beforeView });
    if (patch.sku !== undefined && (await repo.skuTaken(trx, actor.workspaceId, patch.sku, before.id))) {
      throw new AppError('sku_taken', { sku: patch.sku });
    }
    const after = presentProduct(
      await repo.updateProduct(trx, actor.workspaceId, before.id, {
        updated_by: actor.userId,
        sku: patch.sku,
        name: patch.name,
        category: patch.category,
        description: patch.description,
        unit_price: patch.unitPrice,
        cost: patch.cost,
        currency: patch.currency,
        active: patch.active,
      }),
    );
    await recordChange(trx, actor, {
      audit: { action: 'product.updated', entityType: 'product', entityId: before.id, before: beforeView, after },
      event: { type: 'product.updated', entityType: 'product', entityId: before.id },
    });
    return after;
  });
}

export async function trashProduct(options: { db: SalesDb; actor: Actor; productId: string; restore?: boolean }) {
  const { actor } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await repo.findProduct(trx, actor.workspaceId, options.productId, { forUpdate: true });
    if (!before || !!before.deleted_at === !options.restore) throw new AppError('not_found');
    if (options.restore && (await repo.skuTaken(trx, actor.workspaceId, before.sku, before.id))) {
      throw new AppError('sku_taken', { sku: before.sku });
    }
    const row = await repo.updateProduct(trx, actor.workspaceId, before.id, {
      deleted_at: options.restore ? null : new Date(),
      deleted_by: options.restore ? null : actor.userId,
      updated_by: actor.userId,
    });
    const action = options.restore ? 'product.restored' : 'product.deleted';
    await recordChange(trx, actor, {
      audit: { action, entityType: 'product', entityId: before.id, before: presentProduct(before), after: presentProduct(row) },
      event: { type: action, entityType: 'product', entityId: before.id },
    });
  });
}

export async function listProducts(options: {
  db: SalesDb;
  actor: Actor;
  q?: string;
  active?: boolean;
  trash?: boolean;
  cursor?: string;
  limit: number;
}) {
  const after = options.cursor ? decodeCursor(options.cursor) : undefined;
  if (after && (after.length !== 2 || !after.every((v) => typeof v === 'string'))) {
    throw new AppError('validation_failed', { issues: [{ path: 'cursor', code: 'invalid' }] });
  }
  const rows = await repo.listProducts(options.db, options.actor.workspaceId, { ...options, after: after as [string, string] | undefined });
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    data: page.map(presentProduct),
    nextCursor: rows.length > options.limit && last ? encodeCursor([last.name, last.id]) : null,
  };
}

/** What another module reads of a product: an order line copies its SKU, name and price. */
export interface ProductRef {
  id: string;
  sku: string;
  name: string;
  unitPrice: number;
  currency: string;
  active: boolean;
  trashed: boolean;
}

/**
 * The product lookup port: products of the workspace by id or SKU (case-insensitive), ordered by (name, id), in the
 * caller's transaction or connection. Live products only unless `trashed`.
 */
export async function lookupProducts<D>(
  db: Kysely<D>,
  workspaceId: string,
  by: { ids?: readonly string[]; skus?: readonly string[] },
  opts: { trashed?: boolean } = {},
): Promise<ProductRef[]> {
  const rows = await repo.lookupProducts(
    salesDb(db),
    workspaceId,
    { ids: [...(by.ids ?? [])], skus: [...(by.skus ?? [])] },
    !!opts.trashed,
  );
  return rows.map((r) => ({
    id: r.id,
    sku: r.sku,
    name: r.name,
    unitPrice: Number(r.unit_price),
    currency: r.currency.trim(),
    active: r.active,
    trashed: r.deleted_at !== null,
  }));
}
