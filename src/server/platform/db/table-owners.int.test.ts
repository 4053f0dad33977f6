import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/helpers.js';
import { accountsTables } from '../../modules/accounts/accounts.db.js';
import { activitiesTables } from '../../modules/activities/activities.db.js';
import { commerceTables } from '../../modules/commerce/commerce.db.js';
import { customersTables } from '../../modules/customers/customers.db.js';
import { salesTables } from '../../modules/sales/sales.db.js';
import { openDatabase } from './database.js';
import { platformTables } from './platform-tables.js';

const owners: Record<string, readonly string[]> = {
  platform: platformTables,
  accounts: accountsTables,
  customers: customersTables,
  activities: activitiesTables,
  sales: salesTables,
  commerce: commerceTables,
};

describe('table owners', () => {
  it('every migrated table has exactly one owner (a module or the platform)', async () => {
    const url = await createTestDatabase();
    const database = openDatabase(url, { poolSize: 1 });
    try {
      const { rows } = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`.execute(database.db);
      const ownersOf = new Map<string, string[]>();
      for (const [owner, tables] of Object.entries(owners)) {
        for (const t of tables) ownersOf.set(t, [...(ownersOf.get(t) ?? []), owner]);
      }
      const migrated = rows.map((r) => r.name);
      expect(
        migrated.filter((t) => !ownersOf.has(t)),
        'tables without an owner',
      ).toEqual([]);
      expect(
        [...ownersOf.keys()].filter((t) => !migrated.includes(t)),
        'owned tables that do not exist',
      ).toEqual([]);
      expect(
        [...ownersOf].filter(([, o]) => o.length > 1),
        'tables with two owners',
      ).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
