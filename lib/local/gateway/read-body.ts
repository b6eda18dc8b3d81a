import type { IncomingMessage } from 'node:http';

export type BodyOutcome = { readonly kind: 'body'; readonly bytes: Buffer } | { readonly kind: 'too_large'; readonly bytesRead: number } | { readonly kind: 'aborted' };

const NO_BODY: BodyOutcome = { kind: 'body', bytes: Buffer.alloc(0) };

/**
 * Reads a request body counting the bytes as they arrive, and stops at the limit without keeping
 * what comes after: a chunked body or a Content-Length that understates the size is cut off the
 * same way as an honest Content-Length over the limit, which is refused before reading anything.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyOutcome> {
  // with neither header a request has no body by its framing (RFC 9112 §6.3): nothing to read or wait for;
  // node:http discards the (empty) stream once the answer is sent
  if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) return Promise.resolve(NO_BODY);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: 'too_large', bytesRead: 0 });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      request.off('data', onData);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        chunks.length = 0;
        request.pause();
        settle({ kind: 'too_large', bytesRead: received });
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => settle({ kind: 'body', bytes: Buffer.concat(chunks, received) }));
    request.once('aborted', () => settle({ kind: 'aborted' }));
    request.once('error', () => settle({ kind: 'aborted' }));
  });
}
