import type { ErrorCode } from '../../../shared/errors.js';

/** Thrown by services; the HTTP layer maps the code to a status and a message in the caller's language. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details?: unknown,
  ) {
    super(code);
    this.name = 'AppError';
  }
}
