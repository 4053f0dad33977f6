import type { Kysely } from 'kysely';
import type { Actor } from '../../../platform/actor.js';
import type { DB } from '../../../platform/db/schema.js';
import { importErrorsCsv } from '../../../platform/import/import-report.js';
import { customersImport } from './import.service.js';
import { fieldLabel } from './import-mapping.js';
import { describeReasons, type Reason } from './import-rows.js';

/** The rejected rows as CSV: the reasons name a field by the file's own column header where it was mapped. */
export function customersErrorsCsv(options: { db: Kysely<DB>; actor: Actor; importId: string; locale: 'ja' | 'en' }) {
  const { locale } = options;
  return importErrorsCsv({
    ...options,
    kind: customersImport,
    describe: (reasons, job) => {
      const mapping = job.options.mapping;
      const label = (f: string) => {
        const i = mapping ? Object.entries(mapping).find(([, v]) => v === f)?.[0] : undefined;
        return i !== undefined ? (job.header[Number(i)] ?? fieldLabel(f, locale)) : fieldLabel(f, locale);
      };
      return describeReasons(reasons as Reason[], locale, label);
    },
  });
}
