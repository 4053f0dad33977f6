import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSchemaTypes, SCHEMA_FILE } from '../../../../scripts/db-types.js';
import { createTestDatabase } from '../../../../test/helpers.js';

describe('the generated database types', () => {
  it('match the migrations (run `npx tsx scripts/db-types.ts` after changing one)', async () => {
    const url = await createTestDatabase();
    const generated = await generateSchemaTypes(url);
    const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
    expect(generated === committed, 'src/server/platform/db/schema.ts is stale: run `npx tsx scripts/db-types.ts`').toBe(true);
    expect(committed).toContain('export interface DB {');
    expect(committed).toMatch(/audit_chain_heads: AuditChainHeads;/);
  });
});
