import type { ModulePlugin } from '../../platform/http/app.js';
import { customersRoutes } from './customers.routes.js';
import { exportRoutes } from './export.routes.js';
import { importRoutes } from './import/import.routes.js';
import { privacyRoutes } from './privacy.routes.js';
import { duplicatesRoutes } from './records/duplicates.routes.js';
import { viewsRoutes } from './views.routes.js';

export { registerRecordFields } from './catalogs.js';
export { type CompanyAttribute, companyAttribute } from './company-attributes.js';
export { customerVisible } from './customers.policy.js';
export { normalizePhoneFast } from './import/import-phone.js';
export {
  type PersonalDataContext,
  type PersonalDataProvider,
  registerPersonalDataProvider,
  unregisterPersonalDataProvider,
} from './privacy.service.js';
export {
  contactPointsOf,
  describeRecords,
  findPeopleByContact,
  type PersonByContact,
  type PersonCard,
  personCard,
  type RecordLabel,
  type RecordName,
  type RecordRef,
  recordKey,
  recordNames,
} from './record-refs.js';
export { createCompany, createPerson, getCompany, getPerson } from './records/records.service.js';

export const customersModule: ModulePlugin = async (app, deps) => {
  for (const r of [customersRoutes, duplicatesRoutes, viewsRoutes, privacyRoutes, importRoutes, exportRoutes]) await r(app, deps);
};
