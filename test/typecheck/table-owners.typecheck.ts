/**
 * Compile-time proof of issue 12's rule "a module reading another module's table is a compile error": `tsc` (CI's
 * type check) compiles this file; nothing runs it. Each `@ts-expect-error` must meet an error, so if a module's
 * handle ever widens to a foreign table, or a query names a column the schema does not have, `tsc` fails here with
 * "Unused '@ts-expect-error' directive".
 */
import type { AccountsDb } from '../../src/server/modules/accounts/accounts.db.js';
import type { ActivitiesDb } from '../../src/server/modules/activities/activities.db.js';
import type { CommerceDb } from '../../src/server/modules/commerce/commerce.db.js';
import type { CustomersDb } from '../../src/server/modules/customers/customers.db.js';
import type { SalesDb } from '../../src/server/modules/sales/sales.db.js';

declare const sales: SalesDb;
declare const commerce: CommerceDb;
declare const activities: ActivitiesDb;
declare const customers: CustomersDb;
declare const accounts: AccountsDb;

export function ownTablesCompile() {
  return [
    sales.selectFrom('deals').select(['id', 'title', 'amount']),
    commerce.selectFrom('orders').select(['id', 'person_id']),
    activities.selectFrom('activities').select(['id', 'kind']),
    customers.selectFrom('people').select(['id', 'family_name']),
    accounts.selectFrom('users').select(['id', 'name']),
  ];
}

export function foreignTablesDoNot() {
  return [
    // @ts-expect-error sales does not own people (customers' ports: recordNames, customerVisible)
    sales.selectFrom('people'),
    // @ts-expect-error commerce does not own products (sales' port: lookupProducts)
    commerce.selectFrom('products'),
    // @ts-expect-error activities does not own users (accounts' ports: userNames, userSummaries)
    activities.selectFrom('users'),
    // @ts-expect-error customers does not own deals
    customers.selectFrom('deals'),
    // @ts-expect-error accounts does not own people
    accounts.selectFrom('people'),
  ];
}

export function missingColumnsDoNot() {
  return [
    // @ts-expect-error deals has no column "price"
    sales.selectFrom('deals').select('price'),
    // @ts-expect-error people has no column "name" (family_name, given_name)
    customers.selectFrom('people').where('name', '=', 'x'),
  ];
}
