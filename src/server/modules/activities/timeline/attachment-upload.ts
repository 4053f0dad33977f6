import type { FastifyRequest } from 'fastify';
import type { Config } from '../../../platform/config.js';
import type { App } from '../../../platform/http/app.js';
import { AppError } from '../../../platform/http/errors.js';
import { limitedBody } from '../../../platform/import/import.routes.js';

/** Upload routes whose body is the raw file, of any type, streamed to the handler (never buffered): a scope of their own. */
export async function attachmentUploads(app: App, routes: (scope: App) => void) {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    routes(scope as unknown as App);
  });
}

/** The uploaded file as a stream that fails with 413 `attachment_too_large` past ATTACHMENT_MAX_MB, declared or not. */
export function attachmentBody(req: FastifyRequest, config: Pick<Config, 'attachments'>) {
  const { maxBytes } = config.attachments;
  return limitedBody(req, maxBytes, () => new AppError('attachment_too_large', { maxBytes }));
}
