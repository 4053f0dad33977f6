import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import { orderImportErrors, orderImportJob } from '../../../shared/contracts/commerce.js';
import type { Actor } from '../../platform/actor.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { requestLocale } from '../../platform/http/locale.js';
import { limitedBody, sendReport, serveImportKind, UPLOAD_TYPES, uploadScope } from '../../platform/import/import.routes.js';
import { getOrderImport, ordersImport, uploadOrderImport } from './import.service.js';
import { listImportErrors, orderImportErrorsCsv } from './import-report.js';

const uploadQuery = z.object({
  filename: z.string().trim().min(1).max(255).default('orders.csv'),
  format: z.enum(['csv', 'tsv', 'xlsx']).default('csv'),
  encoding: z.enum(['utf8', 'cp932']).default('utf8'),
});
const errorsQuery = z.object({
  afterRow: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Order import as a pg-boss job: upload (stored in PostgreSQL, queued), progress, rejected rows. */
export async function orderImportRoutes(app: App, deps: ModuleDeps) {
  const { database, bus, config } = deps;
  const { db } = database;
  const who = (a: Actor | null) => a as Actor;
  serveImportKind(app, deps, ordersImport);

  const maxBytes = config.imports.maxBytes;
  await uploadScope(app, UPLOAD_TYPES, (scope) =>
    scope.post(
      '/api/v1/orders/imports',
      {
        config: { access: 'records.write' },
        schema: {
          tags: ['orders'],
          description:
            'Upload a CSV/TSV (UTF-8 or Shift_JIS) or XLSX file of order lines as the raw body. The file is stored and ' +
            'imported by a background job (202); follow it with GET /orders/imports/:id.',
          querystring: uploadQuery,
          response: { 202: orderImportJob },
        },
      },
      async (req, reply) => {
        const body = limitedBody(req, maxBytes);
        const job = await uploadOrderImport({ database, boss: bus.jobs, actor: who(req.actor), ...req.query, body });
        return reply.status(202).send(job);
      },
    ),
  );
  app.get(
    '/api/v1/orders/imports/:id',
    { config: { access: 'records.write' }, schema: { tags: ['orders'], params: idParams, response: { 200: orderImportJob } } },
    async (req) => getOrderImport({ db, actor: who(req.actor), importId: req.params.id }),
  );
  app.get(
    '/api/v1/orders/imports/:id/errors',
    {
      config: { access: 'records.write' },
      schema: { tags: ['orders'], params: idParams, querystring: errorsQuery, response: { 200: orderImportErrors } },
    },
    async (req) => listImportErrors({ db, actor: who(req.actor), importId: req.params.id, ...req.query }),
  );
  app.get(
    '/api/v1/orders/imports/:id/errors.csv',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['orders'],
        params: idParams,
        description: 'Every rejected row: its cells, its row number and the reasons (UTF-8 with BOM).',
      },
    },
    async (req, reply) =>
      sendReport(
        reply,
        await orderImportErrorsCsv({ db, actor: who(req.actor), importId: req.params.id, locale: requestLocale(req) }),
        `order-import-errors-${req.params.id}.csv`,
      ),
  );
}
