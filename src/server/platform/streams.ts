import { pipeline, type Readable } from 'node:stream';

/**
 * Connects streams like `a.pipe(b).pipe(c)` but with errors handled: an error anywhere destroys every stream of the
 * chain with it, so the consumer of the last one (Fastify's reply, a parser loop) sees it. A bare `.pipe()` leaves a
 * source's error unhandled, and an unhandled 'error' event ends the process.
 */
export function chain<T extends NodeJS.ReadableStream>(
  first: NodeJS.ReadableStream | Readable,
  ...rest: [...NodeJS.ReadWriteStream[], T]
): T {
  // The callback only swallows: the error is delivered to the last stream's consumer, which reports it.
  return (pipeline as (...a: unknown[]) => unknown)(first, ...rest, () => {}) as T;
}
