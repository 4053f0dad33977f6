import type { ModulePlugin } from '../../platform/http/app.js';
import { registerMoneyHolder } from '../accounts/index.js';
import { registerPersonalDataProvider, registerRecordFields } from '../customers/index.js';
import { commerceDb } from './commerce.db.js';
import { makeMergeConsumer, personalOrders } from './commerce.events.js';
import { commerceRoutes } from './commerce.routes.js';
import { metricFields } from './metrics.service.js';
import { anyOrders } from './orders.repository.js';

export { orderImportTuning, ordersImport, uploadOrderImport } from './import.service.js';
export { createOrder } from './orders.service.js';
export { signWebhook } from './webhook.service.js';

/** Commerce: orders (購買履歴), the signed EC webhook, order import, customer metrics and cross-sell. */
export const commerceModule: ModulePlugin = async (app, deps) => {
  // Purchase metrics become filter/sort fields of the people and companies lists.
  registerRecordFields('person', metricFields('person'));
  registerRecordFields('company', metricFields('company'));
  registerPersonalDataProvider('orders', personalOrders);
  registerMoneyHolder('orders', anyOrders);
  deps.bus.subscribe('commerce-merge', ['person.merged', 'company.merged'], makeMergeConsumer(commerceDb(deps.database.db)));
  await commerceRoutes(app, deps);
};
