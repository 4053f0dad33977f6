import { z } from 'zod';
import { idParams } from '../../../../shared/contracts/accounts.js';
import {
  activityCreate,
  activityPatch,
  activitySchema,
  attachmentSchema,
  attachmentUploadQuery,
} from '../../../../shared/contracts/activities.js';
import type { Actor } from '../../../platform/actor.js';
import type { App, ModuleDeps } from '../../../platform/http/app.js';
import { activitiesDb } from '../activities.db.js';
import * as activities from './activities.service.js';
import { attachmentBody, attachmentUploads } from './attachment-upload.js';
import { contentDisposition, openAttachment } from './attachments.js';

const ok = z.object({ ok: z.literal(true) });

/** Activities (notes, calls, meetings, SMS and chat logs), their attachments and the attachment download. */
export async function activitiesRoutes(app: App, { database, config }: ModuleDeps) {
  const db = activitiesDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  app.post(
    '/api/v1/activities',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['activities'],
        description:
          'Log an activity on one or more records (people, companies). `mentionIds` notify those users. ' +
          'The timeline entry appears through the timeline consumer within about a second.',
        body: activityCreate,
        response: { 201: activitySchema },
      },
    },
    async (req, reply) => reply.status(201).send(await activities.createActivity({ db, actor: who(req.actor), input: req.body })),
  );
  app.get(
    '/api/v1/activities/:id',
    { config: { access: 'records.read' }, schema: { tags: ['activities'], params: idParams, response: { 200: activitySchema } } },
    async (req) => activities.getActivity({ db, actor: who(req.actor), activityId: req.params.id }),
  );
  app.patch(
    '/api/v1/activities/:id',
    {
      config: { access: 'records.write' },
      schema: { tags: ['activities'], params: idParams, body: activityPatch, response: { 200: activitySchema } },
    },
    async (req) => activities.updateActivity({ db, actor: who(req.actor), activityId: req.params.id, patch: req.body }),
  );
  app.delete(
    '/api/v1/activities/:id',
    { config: { access: 'records.write' }, schema: { tags: ['activities'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await activities.deleteActivity({ db, actor: who(req.actor), activityId: req.params.id });
      return { ok: true as const };
    },
  );

  await attachmentUploads(app, (scope) =>
    scope.post(
      '/api/v1/activities/:id/attachments',
      {
        config: { access: 'records.write' },
        schema: {
          tags: ['activities'],
          description: `Attach a file (raw request body, its type in Content-Type, its name in ?filename=). Limit ATTACHMENT_MAX_MB; executables are refused.`,
          params: idParams,
          querystring: attachmentUploadQuery,
          response: { 201: attachmentSchema },
        },
      },
      async (req, reply) => {
        const stored = await activities.attachToActivity({
          db,
          config,
          actor: who(req.actor),
          activityId: req.params.id,
          filename: req.query.filename,
          contentType: String(req.headers['content-type'] ?? 'application/octet-stream'),
          content: attachmentBody(req, config),
        });
        return reply.status(201).send(stored);
      },
    ),
  );

  app.get(
    '/api/v1/attachments/:id',
    {
      config: { access: 'records.read' },
      schema: { tags: ['activities'], description: 'Download an attachment (always as a download, never shown inline).', params: idParams },
    },
    async (req, reply) => {
      const file = await openAttachment(db, config, who(req.actor), req.params.id);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', contentDisposition(file.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .header('content-length', file.size)
        .send(file.content);
    },
  );
}
