// Imported first by bench/run.ts: the project supports Node.js 20 (see README), and the SDK's notice
// about its future Node 22 minimum would otherwise interrupt the bench's report. The servers and
// loads it starts get the same variable from it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
