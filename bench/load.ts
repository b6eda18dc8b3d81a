// One autocannon run in its own process; unique bodies per request where {n} appears in the body.
import autocannon, { type Request } from 'autocannon';

const [url, method, bodyTemplate, token, seconds, connections] = process.argv.slice(2) as [string, string, string, string, string, string];
let n = 0;
const instance = autocannon(
  {
    url,
    method: method as 'GET' | 'POST',
    duration: Number(seconds),
    connections: Number(connections),
    headers: { 'content-type': 'application/json', ...(token !== '-' ? { authorization: `Bearer ${token}` } : {}) },
    ...(bodyTemplate !== '-' ? { requests: [{ setupRequest: (request: Request): Request => ({ ...request, body: bodyTemplate.replaceAll('{n}', `${process.pid}-${n++}`) }) }] } : {}),
  },
  (error, result) => {
    if (error) throw error;
    const statuses = { '2xx': result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts };
    process.stdout.write(JSON.stringify({ rps: result.requests.average, total: result.requests.total, p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.average, statuses }));
  },
);
void instance;
