// Our local gateway in its own process, serving the bench declarations.
import { join } from 'node:path';
import { startGateway } from '../lib/local/gateway/server';

const accessLog = process.env.BENCH_ACCESS_LOG ? (entry: object) => process.send?.({ access: entry }) : undefined;
// BENCH_TRACES=always records every request's chain trace, as an open console does
const traces = process.env.BENCH_TRACES === 'always' ? ({ traces: 'always' } as const) : {};
startGateway({ port: Number(process.env.PORT), home: process.env.APPAPI_HOME!, watch: false, appsModule: join(__dirname, 'bench-app.ts'), log: () => {}, ...traces, ...(accessLog ? { onRequest: accessLog } : {}) }).then(() =>
  process.send?.('ready'),
);
