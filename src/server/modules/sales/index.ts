import type { ModulePlugin } from '../../platform/http/app.js';
import { assignmentRoutes } from './assignment.routes.js';
import { forecastRoutes } from './forecast.routes.js';
import { salesRoutes } from './sales.routes.js';

export { lineTotal, weightedAmount } from '../../../shared/contracts/sales.js';
export { getDeal } from './deals.service.js';
export { getLead } from './leads.service.js';
export { lookupProducts, type ProductRef } from './products.service.js';

/** Sales (SFA): products, pipelines and stages, deals with line items and stage history, leads. */
export const salesModule: ModulePlugin = async (app, deps) => {
  await salesRoutes(app, deps);
  await forecastRoutes(app, deps);
  await assignmentRoutes(app, deps);
};
