import { z } from 'zod';
import { idParams } from '../../../../shared/contracts/accounts.js';
import {
  taskCreate,
  taskListQuery,
  taskPage,
  taskPatch,
  taskSchema,
  taskSummarySchema,
  versionBody,
} from '../../../../shared/contracts/tasks.js';
import type { Actor } from '../../../platform/actor.js';
import type { App, ModuleDeps } from '../../../platform/http/app.js';
import { activitiesDb } from '../activities.db.js';
import { makeReminderScheduler, registerTaskJobs } from './tasks.jobs.js';
import * as tasks from './tasks.service.js';

const summaryQuery = z.object({ assignee: z.union([z.literal('me'), z.literal('any'), z.uuid()]).default('me') });

/** Tasks and follow-ups: CRUD, complete/reopen, trash, "my tasks" buckets; reminders and the digest run as jobs. */
export async function tasksRoutes(app: App, { database, bus, config }: ModuleDeps) {
  const db = activitiesDb(database.db);
  const who = (a: Actor | null) => a as Actor;
  const scheduleReminder = makeReminderScheduler(bus);
  registerTaskJobs(bus, db, config);
  const ctx = (a: Actor | null) => ({ db, actor: who(a), scheduleReminder });

  app.get(
    '/api/v1/tasks',
    { config: { access: 'records.read' }, schema: { tags: ['tasks'], querystring: taskListQuery, response: { 200: taskPage } } },
    async (req) => tasks.listTasks({ db, actor: who(req.actor), query: req.query }),
  );
  app.get(
    '/api/v1/tasks/summary',
    { config: { access: 'records.read' }, schema: { tags: ['tasks'], querystring: summaryQuery, response: { 200: taskSummarySchema } } },
    async (req) => tasks.taskSummary({ db, actor: who(req.actor), assignee: req.query.assignee }),
  );
  app.post(
    '/api/v1/tasks',
    { config: { access: 'records.write' }, schema: { tags: ['tasks'], body: taskCreate, response: { 201: taskSchema } } },
    async (req, reply) => reply.status(201).send(await tasks.createTask({ ...ctx(req.actor), input: req.body })),
  );
  app.get(
    '/api/v1/tasks/:id',
    { config: { access: 'records.read' }, schema: { tags: ['tasks'], params: idParams, response: { 200: taskSchema } } },
    async (req) => tasks.getTask({ db, actor: who(req.actor), taskId: req.params.id }),
  );
  app.patch(
    '/api/v1/tasks/:id',
    { config: { access: 'records.write' }, schema: { tags: ['tasks'], params: idParams, body: taskPatch, response: { 200: taskSchema } } },
    async (req) => tasks.updateTask({ ...ctx(req.actor), taskId: req.params.id, patch: req.body }),
  );
  app.post(
    '/api/v1/tasks/:id/complete',
    {
      config: { access: 'records.write' },
      schema: { tags: ['tasks'], params: idParams, body: versionBody, response: { 200: taskSchema } },
    },
    async (req) => tasks.completeTask({ ...ctx(req.actor), taskId: req.params.id, version: req.body.version }),
  );
  app.post(
    '/api/v1/tasks/:id/reopen',
    {
      config: { access: 'records.write' },
      schema: { tags: ['tasks'], params: idParams, body: versionBody, response: { 200: taskSchema } },
    },
    async (req) => tasks.reopenTask({ ...ctx(req.actor), taskId: req.params.id, version: req.body.version }),
  );
  app.delete(
    '/api/v1/tasks/:id',
    { config: { access: 'records.write' }, schema: { tags: ['tasks'], params: idParams, response: { 200: taskSchema } } },
    async (req) => tasks.trashTask({ ...ctx(req.actor), taskId: req.params.id }),
  );
  app.post(
    '/api/v1/tasks/:id/restore',
    { config: { access: 'records.write' }, schema: { tags: ['tasks'], params: idParams, response: { 200: taskSchema } } },
    async (req) => tasks.trashTask({ ...ctx(req.actor), taskId: req.params.id, restore: true }),
  );
}
