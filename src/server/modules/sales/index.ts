import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import type { ModulePlugin } from '../../platform/http/app.js';
import { assignmentRoutes } from './assignment.routes.js';
import * as deals from './deals.service.js';
import { forecastRoutes } from './forecast.routes.js';
import * as leads from './leads.service.js';
import { salesDb } from './sales.db.js';
import { salesRoutes } from './sales.routes.js';

export { lineTotal, weightedAmount } from '../../../shared/contracts/sales.js';
export { lookupProducts, type ProductRef } from './products.service.js';

/** Read port: a deal as the actor may see it (404 otherwise), in any module's connection or transaction. */
export const getDeal = <D>(o: { db: Kysely<D>; actor: Actor; dealId: string }) => deals.getDeal({ ...o, db: salesDb(o.db) });

/** Read port: a lead as the actor may see it (404 otherwise), in any module's connection or transaction. */
export const getLead = <D>(o: { db: Kysely<D>; actor: Actor; leadId: string }) => leads.getLead({ ...o, db: salesDb(o.db) });

/** Sales (SFA): products, pipelines and stages, deals with line items and stage history, leads. */
export const salesModule: ModulePlugin = async (app, deps) => {
  await salesRoutes(app, deps);
  await forecastRoutes(app, deps);
  await assignmentRoutes(app, deps);
};
