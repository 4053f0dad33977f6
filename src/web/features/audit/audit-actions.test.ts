import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../app/locales/en';
import { ja } from '../../app/locales/ja';
import { customersEn } from '../customers/locales/en';
import { customersJa } from '../customers/locales/ja';
import { actionKey, entityKey, knownActions, knownEntityTypes } from './audit-actions';

const dir = path.resolve(import.meta.dirname, '../../../server/modules/customers');
// The module's sub-folders (records/, import/) write audit rows too.
const source = fs
  .readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
  .join('\n');

/** Actions the server writes with a computed name, and what they expand to. */
const templates: Record<string, string[]> = {
  '`${entity}.bulk_${action.action}`': ['assign', 'tag', 'untag', 'set_team'].flatMap((a) => [`person.bulk_${a}`, `company.bulk_${a}`]),
  '`${entityType}.merged`': ['person.merged', 'company.merged'],
  '`${entityType}.merged_into`': ['person.merged_into', 'company.merged_into'],
  '`${o.entityType}.exported`': ['person.exported', 'company.exported'],
  '`consent.${consent.status}`': ['consent.granted', 'consent.withdrawn'],
  '`purpose.${input.status}`': ['purpose.agreed', 'purpose.notified', 'purpose.withdrawn'],
  '`${entity}.restored`': ['person.restored', 'company.restored'],
  '`${entity}.deleted`': ['person.deleted', 'company.deleted'],
  '`${entity}.created`': ['person.created', 'company.created'],
  '`${entity}.updated`': ['person.updated', 'company.updated'],
};

const lookup = (messages: unknown, key: string) =>
  key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), messages);

describe('audit log filter', () => {
  it('offers every action the customers module writes', () => {
    const literal = [
      ...source.matchAll(/action: '([a-z_]+\.[a-z_]+)'/g),
      ...source.matchAll(/audit\(trx, actor, '([a-z_]+\.[a-z_]+)'/g),
    ].map((m) => m[1] as string);
    expect(literal.length).toBeGreaterThan(10);
    // A computed action name the list above does not know fails here: add its expansion to `templates`.
    const computed = [
      ...source.matchAll(/(?:action: |const action = [^?]*\? )(`[^`]+`)/g),
      ...source.matchAll(/: (`\$\{entity\}\.deleted`)/g),
    ].map((m) => m[1] as string);
    for (const c of computed) expect(Object.keys(templates), c).toContain(c);
    for (const action of [...literal, ...Object.values(templates).flat()]) expect(knownActions, action).toContain(action);
  });

  it('labels every customers action and entity type in Japanese and English', () => {
    for (const action of knownActions.filter((a) => actionKey(a).startsWith('customers.'))) {
      const key = actionKey(action).replace(/^customers\./, '');
      expect(lookup(customersJa, key), `ja ${action}`).toEqual(expect.any(String));
      expect(lookup(customersEn, key), `en ${action}`).toEqual(expect.any(String));
    }
    for (const entity of knownEntityTypes.filter((e) => entityKey(e).startsWith('customers.'))) {
      const key = entityKey(entity).replace(/^customers\./, '');
      expect(lookup(customersJa, key), `ja ${entity}`).toEqual(expect.any(String));
      expect(lookup(customersEn, key), `en ${entity}`).toEqual(expect.any(String));
    }
  });
});

/** The other modules' server code: every audit action written with a literal name (also `cond ? 'a.b' : 'a.c'`). */
const moduleSource = ['activities', 'sales', 'commerce']
  .flatMap((m) => {
    const d = path.resolve(import.meta.dirname, `../../../server/modules/${m}`);
    return fs
      .readdirSync(d)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => fs.readFileSync(path.join(d, f), 'utf8'));
  })
  .join('\n');

describe('audit log labels of the activities, sales and commerce modules', () => {
  it('lists and labels in Japanese and English every action those modules write', () => {
    const written = [
      ...moduleSource.matchAll(/\baction: '([a-z_]+\.[a-z_]+)'/g),
      ...moduleSource.matchAll(/const action = [^?;]*\? '([a-z_]+\.[a-z_]+)' : '([a-z_]+\.[a-z_]+)'/g),
    ].flatMap((m) => m.slice(1) as string[]);
    expect(written.length).toBeGreaterThan(30);
    for (const action of new Set(written)) {
      expect(knownActions, action).toContain(action);
      const key = actionKey(action).replace(/^audit\./, '');
      expect(lookup(en.audit, key), `en ${action}`).toEqual(expect.any(String));
      expect(lookup(ja.audit, key), `ja ${action}`).toEqual(expect.any(String));
    }
    for (const entity of knownEntityTypes) {
      const key = entityKey(entity);
      const messages = key.startsWith('customers.') ? null : key.replace(/^audit\./, '');
      if (messages) expect(lookup(ja.audit, messages), `ja ${entity}`).toEqual(expect.any(String));
    }
  });
});
