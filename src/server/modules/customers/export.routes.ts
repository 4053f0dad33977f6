import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import { filterParam, sortParam } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { customersDb } from './customers.db.js';
import { exportRecords, exportVCards, personVCard } from './export.service.js';

const exportQuery = z.object({
  filter: filterParam.optional(),
  sort: sortParam.default([]),
  format: z
    .enum(['csv', 'csv_cp932', 'xlsx'])
    .default('csv')
    .describe('csv: UTF-8 with BOM; csv_cp932: Shift_JIS for Excel (characters it cannot hold become ?)'),
  columns: z
    .string()
    .max(4000)
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean)
        : undefined,
    )
    .describe('comma-separated column names (default: all, custom fields as custom.<key>)'),
});

function attachment(filename: string) {
  return `attachment; filename="${filename}"`;
}

export async function exportRoutes(app: App, { database }: ModuleDeps) {
  const db = customersDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  for (const [path, entityType] of [
    ['people', 'person'],
    ['companies', 'company'],
  ] as const) {
    app.get(
      `/api/v1/exports/${path}`,
      {
        config: { access: 'records.export' },
        schema: {
          tags: ['exports'],
          querystring: exportQuery,
          description: `Stream the ${path} of a filtered view as CSV or XLSX. Cells a spreadsheet would run as a formula get a leading quote. Audited.`,
        },
      },
      async (req, reply) => {
        const out = await exportRecords({ db, actor: who(req.actor), entityType, ...req.query });
        return reply.type(out.contentType).header('content-disposition', attachment(out.filename)).send(out.stream);
      },
    );
  }
  app.get(
    '/api/v1/exports/people.vcf',
    {
      config: { access: 'records.export' },
      schema: {
        tags: ['exports'],
        querystring: exportQuery.pick({ filter: true, sort: true }),
        description: 'The people of a view as vCard 4.0. Audited.',
      },
    },
    async (req, reply) => {
      const stream = await exportVCards({ db, actor: who(req.actor), ...req.query });
      return reply.type('text/vcard; charset=utf-8').header('content-disposition', attachment('people.vcf')).send(stream);
    },
  );
  app.get(
    '/api/v1/people/:id/vcard',
    {
      config: { access: 'records.export' },
      schema: { tags: ['people'], params: idParams, description: 'One person as vCard 4.0. Audited.' },
    },
    async (req, reply) => {
      const { vcard } = await personVCard({ db, actor: who(req.actor), personId: req.params.id });
      return reply
        .type('text/vcard; charset=utf-8')
        .header('content-disposition', attachment(`${req.params.id}.vcf`))
        .send(vcard);
    },
  );
}
