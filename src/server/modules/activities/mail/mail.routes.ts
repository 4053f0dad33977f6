import { z } from 'zod';
import { idParams } from '../../../../shared/contracts/accounts.js';
import {
  attachmentRef,
  composeBody,
  draftAttachmentQuery,
  emailListQuery,
  emailPage,
  emailQuery,
  emailSchema,
  imapPollResult,
  imapTestResult,
  mailSettingsPatch,
  mailSettingsSchema,
  previewBody,
  previewSchema,
  reviewLinkBody,
  reviewResult,
  templateCreate,
  templatePatch,
  templateSchema,
  testSendBody,
  threadSchema,
} from '../../../../shared/contracts/mail.js';
import type { Actor } from '../../../platform/actor.js';
import type { App, ModuleDeps } from '../../../platform/http/app.js';
import { registerPersonalDataProvider } from '../../customers/index.js';
import { activitiesDb } from '../activities.db.js';
import { attachmentBody, attachmentUploads } from '../timeline/attachment-upload.js';
import { registerAttachmentOwner } from '../timeline/attachments.js';
import { makePendingMailMatcher } from './email.matching.js';
import { makeEmailMergeConsumer } from './email.merge.js';
import { makeEmailErasureConsumer, personalEmails } from './email.privacy.js';
import { makeEmailSender } from './email.sender.js';
import * as emails from './email.service.js';
import { registerImapJobs } from './imap.jobs.js';
import { makeInboundHandler } from './inbound-mail.js';
import * as settings from './mail.service.js';
import * as templates from './templates.service.js';

const reviewQuery = z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

/** Email: settings (admin), templates, compose and read, the review list of unknown senders; the inbound handler and IMAP polling. */
export async function mailRoutes(app: App, { database, config, mailReceiver, bus }: ModuleDeps) {
  const db = activitiesDb(database.db);
  const who = (a: Actor | null) => a as Actor;
  const receiverRunning = () => mailReceiver?.port !== undefined;
  mailReceiver?.setHandler(makeInboundHandler({ db, config, log: app.log }));
  registerAttachmentOwner('email', (d, actor, emailId) => emails.emailVisible(d, actor, emailId));
  registerPersonalDataProvider('email', personalEmails);
  bus.subscribe('email-erasure', ['person.erased'], makeEmailErasureConsumer(db, config));
  bus.subscribe('email-sender', ['email.queued'], makeEmailSender(db, config, app.log));
  bus.subscribe('email-merge', ['person.merged'], makeEmailMergeConsumer(db));
  bus.subscribe('email-matching', ['person.created', 'person.updated', 'person.restored'], makePendingMailMatcher(db));
  const pollDeps = { db, config, log: app.log };
  registerImapJobs(bus, pollDeps);

  // Settings (管理者のみ)
  app.get(
    '/api/v1/mail/settings',
    { config: { access: 'workspace.manage' }, schema: { tags: ['mail'], response: { 200: mailSettingsSchema } } },
    async (req) => settings.getMailSettings({ db, actor: who(req.actor), config, receiverRunning: receiverRunning() }),
  );
  app.patch(
    '/api/v1/mail/settings',
    { config: { access: 'workspace.manage' }, schema: { tags: ['mail'], body: mailSettingsPatch, response: { 200: mailSettingsSchema } } },
    async (req) => settings.updateMailSettings({ db, actor: who(req.actor), config, patch: req.body, receiverRunning: receiverRunning() }),
  );
  app.post(
    '/api/v1/mail/settings/test',
    {
      config: { access: 'workspace.manage' },
      schema: { tags: ['mail'], body: testSendBody, response: { 200: z.object({ messageId: z.string() }) } },
    },
    async (req) => settings.sendTestMail({ db, actor: who(req.actor), config, to: req.body.to }),
  );
  app.post(
    '/api/v1/mail/settings/imap/test',
    { config: { access: 'workspace.manage' }, schema: { tags: ['mail'], response: { 200: imapTestResult } } },
    async (req) => settings.testImapConnection({ db, actor: who(req.actor), config }),
  );
  app.post(
    '/api/v1/mail/settings/imap/poll',
    { config: { access: 'workspace.manage' }, schema: { tags: ['mail'], response: { 200: imapPollResult } } },
    async (req) => settings.pollImapNow({ actor: who(req.actor), deps: pollDeps }),
  );

  // Templates (テンプレート)
  app.get(
    '/api/v1/mail/templates',
    { config: { access: 'records.read' }, schema: { tags: ['mail'], response: { 200: z.object({ data: z.array(templateSchema) }) } } },
    async (req) => ({ data: await templates.listTemplates({ db, actor: who(req.actor) }) }),
  );
  app.get(
    '/api/v1/mail/templates/:id',
    { config: { access: 'records.read' }, schema: { tags: ['mail'], params: idParams, response: { 200: templateSchema } } },
    async (req) => templates.getTemplate({ db, actor: who(req.actor), templateId: req.params.id }),
  );
  app.post(
    '/api/v1/mail/templates',
    { config: { access: 'records.write' }, schema: { tags: ['mail'], body: templateCreate, response: { 201: templateSchema } } },
    async (req, reply) => reply.status(201).send(await templates.createTemplate({ db, actor: who(req.actor), input: req.body })),
  );
  app.patch(
    '/api/v1/mail/templates/:id',
    {
      config: { access: 'records.write' },
      schema: { tags: ['mail'], params: idParams, body: templatePatch, response: { 200: templateSchema } },
    },
    async (req) => templates.updateTemplate({ db, actor: who(req.actor), templateId: req.params.id, patch: req.body }),
  );
  app.delete(
    '/api/v1/mail/templates/:id',
    { config: { access: 'records.write' }, schema: { tags: ['mail'], params: idParams, response: { 204: z.null() } } },
    async (req, reply) => {
      await templates.deleteTemplate({ db, actor: who(req.actor), templateId: req.params.id });
      return reply.status(204).send(null);
    },
  );

  // Emails (メール)
  app.post(
    '/api/v1/emails/preview',
    { config: { access: 'records.read' }, schema: { tags: ['mail'], body: previewBody, response: { 200: previewSchema } } },
    async (req) => emails.previewEmail({ db, actor: who(req.actor), ...req.body }),
  );
  app.post(
    '/api/v1/emails',
    { config: { access: 'records.write' }, schema: { tags: ['mail'], body: composeBody, response: { 202: emailSchema } } },
    async (req, reply) => reply.status(202).send(await emails.queueEmail({ db, config, actor: who(req.actor), input: req.body })),
  );
  // Draft attachments for a mail being composed: the raw file as the body (like activity attachments), in a scope of its own.
  await attachmentUploads(app, (scope) =>
    scope.post(
      '/api/v1/emails/attachments',
      {
        config: { access: 'records.write' },
        schema: {
          tags: ['mail'],
          description:
            'Upload a file for a mail being composed (raw request body, its type in Content-Type, its name in ?filename=); send its id in `attachmentIds` of POST /emails. Limit ATTACHMENT_MAX_MB; executables are refused.',
          querystring: draftAttachmentQuery,
          response: { 201: attachmentRef },
        },
      },
      async (req, reply) => {
        const stored = await emails.uploadDraftAttachment({
          db,
          config,
          actor: who(req.actor),
          filename: req.query.filename,
          contentType: String(req.headers['content-type'] ?? 'application/octet-stream'),
          content: attachmentBody(req, config),
        });
        return reply.status(201).send(stored);
      },
    ),
  );
  app.delete(
    '/api/v1/emails/attachments/:id',
    { config: { access: 'records.write' }, schema: { tags: ['mail'], params: idParams, response: { 204: z.null() } } },
    async (req, reply) => {
      await emails.discardDraftAttachment({ db, config, actor: who(req.actor), attachmentId: req.params.id });
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/emails',
    { config: { access: 'records.read' }, schema: { tags: ['mail'], querystring: emailListQuery, response: { 200: emailPage } } },
    async (req) => emails.listEmails({ db, actor: who(req.actor), ...req.query }),
  );
  app.get(
    '/api/v1/emails/:id',
    {
      config: { access: 'records.read' },
      schema: { tags: ['mail'], params: idParams, querystring: emailQuery, response: { 200: emailSchema } },
    },
    async (req) => emails.getEmail({ db, actor: who(req.actor), emailId: req.params.id, remoteImages: req.query.remoteImages }),
  );
  app.get(
    '/api/v1/emails/:id/thread',
    {
      config: { access: 'records.read' },
      schema: { tags: ['mail'], params: idParams, querystring: emailQuery, response: { 200: threadSchema } },
    },
    async (req) => emails.getThread({ db, actor: who(req.actor), emailId: req.params.id, remoteImages: req.query.remoteImages }),
  );

  // Review list (未登録の送信者)
  app.get(
    '/api/v1/mail/review',
    { config: { access: 'records.read' }, schema: { tags: ['mail'], querystring: reviewQuery, response: { 200: emailPage } } },
    async (req) => emails.listReview({ db, actor: who(req.actor), ...req.query }),
  );
  app.post(
    '/api/v1/mail/review/:id/link',
    {
      config: { access: 'records.write' },
      schema: { tags: ['mail'], params: idParams, body: reviewLinkBody, response: { 200: reviewResult } },
    },
    async (req) => emails.linkReviewed({ db, actor: who(req.actor), emailId: req.params.id, personId: req.body.personId }),
  );
  app.post(
    '/api/v1/mail/review/:id/dismiss',
    { config: { access: 'records.write' }, schema: { tags: ['mail'], params: idParams, response: { 200: reviewResult } } },
    async (req) => emails.dismissReviewed({ db, actor: who(req.actor), emailId: req.params.id }),
  );
}
