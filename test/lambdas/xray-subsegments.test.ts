// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { RequestTrace } from '../../lambdas/runtime/trace';
import { parseTraceHeader, xraySubsegments } from '../../lambdas/runtime/xray-subsegments';

// A UDP socket on 127.0.0.1 stands in for the X-Ray daemon: it receives exactly what Lambda's daemon would.
const trace: RequestTrace = {
  requestId: 'req-1',
  route: 'CreateBooking',
  status: 201,
  ms: 50,
  attempts: 1,
  steps: [
    { step: 'customer', op: 'airdata.get', startMs: 1, ms: 10 },
    { step: 'notify', op: 'http', startMs: 12, ms: 30 },
    { step: 'reply', op: 'respond', startMs: 45, ms: 1 },
  ],
  dynamo: [
    { command: 'Get', tables: ['appapi-prod-customers'], startMs: 2, ms: 8, consumedCapacity: 0.5 },
    { command: 'TransactWrite', tables: ['appapi-prod-journeys', 'appapi-prod-customers'], startMs: 43, ms: 1, error: 'ThrottlingException' },
  ],
};

describe('X-Ray subsegments of a request', () => {
  const daemon = createSocket('udp4');
  const received: string[] = [];
  let address = '';
  before(async () => {
    daemon.on('message', (message) => received.push(message.toString()));
    daemon.bind(0, '127.0.0.1');
    await once(daemon, 'listening');
    address = `127.0.0.1:${daemon.address().port}`;
  });
  after(() => daemon.close());

  const waitFor = async (count: number) => {
    const deadline = Date.now() + 2_000;
    while (received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it('sends each DynamoDB call and each http call as a subsegment of the function\'s segment, timed from the request\'s end', async () => {
    received.length = 0;
    const env = { AWS_XRAY_DAEMON_ADDRESS: address, _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' };
    xraySubsegments(env).send(trace, 1_000);
    await waitFor(3);
    assert.equal(received.length, 3);
    for (const packet of received) assert.ok(packet.startsWith('{"format":"json","version":1}\n'), 'the daemon\'s header line first');
    const documents = received.map((packet) => JSON.parse(packet.slice(packet.indexOf('\n') + 1)) as Record<string, unknown>);
    for (const document of documents) {
      assert.equal(document.trace_id, '1-5759e988-bd862e3fe1be46a994272793');
      assert.equal(document.parent_id, '53995c3f42cd8ad8');
      assert.equal(document.type, 'subsegment');
      assert.match(String(document.id), /^[0-9a-f]{16}$/);
    }
    const [get, write, http] = documents;
    assert.deepEqual({ ...get, id: undefined }, {
      id: undefined,
      name: 'DynamoDB',
      trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      parent_id: '53995c3f42cd8ad8',
      type: 'subsegment',
      start_time: 1_000 - 0.05 + 0.002,
      end_time: 1_000 - 0.05 + 0.01,
      namespace: 'aws',
      aws: { operation: 'Get', table_name: 'appapi-prod-customers', consumed_capacity: 0.5 },
    });
    assert.equal(write!.throttle, true);
    assert.equal(write!.error, true);
    assert.equal((write!.aws as { table_name: string }).table_name, 'appapi-prod-journeys,appapi-prod-customers');
    assert.equal(http!.name, 'http notify');
    assert.equal(http!.namespace, 'remote');
    assert.equal(http!.start_time, 1_000 - 0.05 + 0.012);
  });

  it('sends nothing for a request X-Ray did not sample, or outside a traced invocation', async () => {
    received.length = 0;
    xraySubsegments({ AWS_XRAY_DAEMON_ADDRESS: address, _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0' }).send(trace);
    xraySubsegments({ AWS_XRAY_DAEMON_ADDRESS: address }).send(trace);
    // a sampled one afterwards proves the socket was listening all along
    xraySubsegments({ AWS_XRAY_DAEMON_ADDRESS: `tcp:127.0.0.1:1 udp:${address}`, _X_AMZN_TRACE_ID: 'Root=1-a-b;Parent=c;Sampled=1' }).send({ ...trace, dynamo: [], steps: [trace.steps[1]!] });
    await waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(received.length, 1);
    assert.match(received[0]!, /"trace_id":"1-a-b"/);
  });

  it('reads the tracing header Lambda sets', () => {
    assert.deepEqual(parseTraceHeader('Root=1-abc-def;Parent=0123456789abcdef;Sampled=1;Lineage=x'), { root: '1-abc-def', parent: '0123456789abcdef', sampled: true });
    assert.equal(parseTraceHeader('Root=1-abc'), undefined);
    assert.equal(parseTraceHeader(undefined), undefined);
  });
});
