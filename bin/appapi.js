#!/usr/bin/env node
// The CLI is TypeScript, like the declarations it reads; tsx loads it without a build step.
require('tsx/cjs');
// the project supports Node.js 20 (see README); the SDK's notice about its future Node 22 minimum
// would otherwise precede every command's output
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('../lib/cli/main.ts').runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
