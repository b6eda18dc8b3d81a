/**
 * Stands in for `node:zlib` in the Lambda bundles (an esbuild alias, lib/constructs/lambda-asset.ts).
 * The SDK's Crc32Node (@smithy/core/checksum) probes `typeof zlib.crc32` at load, for checksums
 * DynamoDB calls never compute, and nothing else in the bundles uses zlib; loading it cost ~1.6 ms
 * of CPU per cold start, measured. Every name is the real module's, loaded at first use, so code
 * that uses one gets what it would have. `crc32` is a function here from the start (the probe must
 * not load zlib); it exists from Node 20.15 and 22.2 (Lambda's nodejs22.x has it) and is absent
 * where Node lacks it, as the probe would find. test/constructs/lambda-asset.test.ts checks the
 * names against Node's. https://nodejs.org/api/zlib.html#zlibcrc32data-value
 */
const ZLIB_NAMES = [
  'Deflate',
  'Inflate',
  'Gzip',
  'Gunzip',
  'DeflateRaw',
  'InflateRaw',
  'Unzip',
  'BrotliCompress',
  'BrotliDecompress',
  'deflate',
  'deflateSync',
  'gzip',
  'gzipSync',
  'deflateRaw',
  'deflateRawSync',
  'unzip',
  'unzipSync',
  'inflate',
  'inflateSync',
  'gunzip',
  'gunzipSync',
  'inflateRaw',
  'inflateRawSync',
  'brotliCompress',
  'brotliCompressSync',
  'brotliDecompress',
  'brotliDecompressSync',
  'createDeflate',
  'createInflate',
  'createDeflateRaw',
  'createInflateRaw',
  'createGzip',
  'createGunzip',
  'createUnzip',
  'createBrotliCompress',
  'createBrotliDecompress',
  'constants',
  'codes',
] as const;

// 'zlib', not 'node:zlib': the alias replaces the latter only
const zlib = (): Record<string, unknown> & typeof import('node:zlib') => require('zlib') as Record<string, unknown> & typeof import('node:zlib');
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 2) || (major === 20 && minor >= 15)) {
  const crc32: typeof import('node:zlib').crc32 = (data, value) => zlib().crc32(data, value);
  Object.defineProperty(exports, 'crc32', { enumerable: true, value: crc32 });
}
for (const name of ZLIB_NAMES) Object.defineProperty(exports, name, { enumerable: true, get: () => zlib()[name] });
