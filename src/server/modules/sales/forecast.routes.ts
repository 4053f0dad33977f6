import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import {
  dashboardQuery,
  dashboardSchema,
  forecastQuery,
  forecastSchema,
  salesSettingsPut,
  salesSettingsSchema,
  salesTargetList,
  salesTargetSchema,
  salesTargetsPut,
  salesTargetsQuery,
} from '../../../shared/contracts/forecast.js';
import { fiscalYearRange } from '../../../shared/forecast-math.js';
import type { Actor } from '../../platform/actor.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import * as forecast from './forecast.service.js';
import { salesDb } from './sales.db.js';
import * as targets from './targets.service.js';

/** Forecast (売上予測), sales targets (目標), the fiscal year setting and the manager dashboard (営業ダッシュボード). */
export async function forecastRoutes(app: App, { database }: ModuleDeps) {
  const db = salesDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  app.get(
    '/api/v1/sales-settings',
    { config: { access: 'records.read' }, schema: { tags: ['forecast'], response: { 200: salesSettingsSchema } } },
    async (req) => forecast.getSalesSettings({ db, actor: who(req.actor) }),
  );
  app.put(
    '/api/v1/sales-settings',
    {
      config: { access: 'workspace.manage' },
      schema: {
        tags: ['forecast'],
        description:
          'The fiscal year start month (4 = April, 4月始まり) and whether won/lost deals must give a reason; a setting left out keeps its value.',
        body: salesSettingsPut,
        response: { 200: salesSettingsSchema },
      },
    },
    async (req) => forecast.updateSalesSettings({ db, actor: who(req.actor), ...req.body }),
  );

  app.get(
    '/api/v1/forecast',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['forecast'],
        description:
          'Weighted pipeline, commit, best case, closed won, win rate, average won amount, sales cycle and target ' +
          'attainment per period (month or fiscal quarter), group (owner, team, none) and currency.',
        querystring: forecastQuery,
        response: { 200: forecastSchema },
      },
    },
    async (req) => forecast.getForecast({ db, actor: who(req.actor), query: req.query }),
  );

  app.get(
    '/api/v1/sales-targets',
    {
      config: { access: 'records.read' },
      schema: { tags: ['forecast'], querystring: salesTargetsQuery, response: { 200: salesTargetList } },
    },
    async (req) => {
      const actor = who(req.actor);
      const settings = await forecast.getSalesSettings({ db, actor });
      const fiscalYear = req.query.fiscalYear ?? (await forecast.currentFiscalYear({ db, actor }));
      const range = fiscalYearRange(fiscalYear, settings.fiscalStartMonth);
      const data = await targets.visibleTargets(db, actor, { ...range, scope: req.query.scope });
      return { fiscalYear, fiscalStartMonth: settings.fiscalStartMonth, data };
    },
  );
  app.put(
    '/api/v1/sales-targets',
    {
      config: { access: 'sales.manage' },
      schema: {
        tags: ['forecast'],
        description: 'Set monthly targets of owners, teams or the workspace; `amount: null` removes one.',
        body: salesTargetsPut,
        response: { 200: z.object({ data: z.array(salesTargetSchema) }) },
      },
    },
    async (req) => ({ data: await targets.putTargets({ db, actor: who(req.actor), items: req.body.items }) }),
  );
  app.delete(
    '/api/v1/sales-targets/:id',
    {
      config: { access: 'sales.manage' },
      schema: { tags: ['forecast'], params: idParams, response: { 200: z.object({ ok: z.literal(true) }) } },
    },
    async (req) => {
      await targets.deleteTarget({ db, actor: who(req.actor), targetId: req.params.id });
      return { ok: true as const };
    },
  );

  app.get(
    '/api/v1/sales-dashboard',
    {
      config: { access: 'records.read' },
      schema: { tags: ['forecast'], querystring: dashboardQuery, response: { 200: dashboardSchema } },
    },
    async (req) => forecast.getDashboard({ db, actor: who(req.actor), pipelineId: req.query.pipelineId }),
  );
}
