/**
 * Stands in for `node:zlib` in the Lambda bundles (an esbuild alias, lib/constructs/lambda-asset.ts).
 * The SDK's Crc32Node (@smithy/core/checksum) probes `typeof zlib.crc32` at load, for checksums
 * DynamoDB calls never compute, and nothing else in the bundles uses zlib; loading it cost ~1.6 ms
 * of CPU per cold start, measured. `crc32` is the real function, loaded at its first call; it exists
 * from Node 20.15 and 22.2 (Lambda's nodejs22.x has it), and is absent here where Node lacks it, as
 * the probe would find. https://nodejs.org/api/zlib.html#zlibcrc32data-value
 */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const hasCrc32 = major > 22 || (major === 22 && minor >= 2) || (major === 20 && minor >= 15);

// 'zlib', not 'node:zlib': the alias replaces the latter only
type Crc32 = typeof import('node:zlib').crc32;
export const crc32: Crc32 | undefined = hasCrc32 ? (data, value) => (require('zlib') as typeof import('node:zlib')).crc32(data, value) : undefined;
