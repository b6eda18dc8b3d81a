/**
 * Stands in for `node:stream/web` in the Lambda bundles (an esbuild alias,
 * lib/constructs/lambda-asset.ts). @middy/core imports ReadableStream from it at load, but reads it
 * only for a handler that streams its response (`streamifyResponse`), which none of ours does.
 * Loading it cost ~3.9 ms of CPU; the SDK's first response still loads the readable and writable
 * web streams behind the global ReadableStream (~2.6 ms), so this saves ~1.4 ms per cold start
 * (measured in fresh processes, medians of 15). Every name is the real module's, loaded when first
 * read: code that uses one gets exactly what it would have.
 * test/constructs/lambda-asset.test.ts checks the names against Node's.
 */
const WEB_STREAM_NAMES = [
  'ReadableStream',
  'ReadableStreamDefaultReader',
  'ReadableStreamBYOBReader',
  'ReadableStreamBYOBRequest',
  'ReadableByteStreamController',
  'ReadableStreamDefaultController',
  'TransformStream',
  'TransformStreamDefaultController',
  'WritableStream',
  'WritableStreamDefaultWriter',
  'WritableStreamDefaultController',
  'ByteLengthQueuingStrategy',
  'CountQueuingStrategy',
  'TextEncoderStream',
  'TextDecoderStream',
  'CompressionStream',
  'DecompressionStream',
] as const;

// 'stream/web', not 'node:stream/web': the alias replaces the latter only
for (const name of WEB_STREAM_NAMES) Object.defineProperty(exports, name, { enumerable: true, get: () => (require('stream/web') as Record<string, unknown>)[name] });
