import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadEnvironment } from '../../lib/environments';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from '../../lib/local/dynamodb-local';
import { dynamoDataPath, dynamoStatePath } from '../../lib/local/local-dynamo';
import { createToken, startTestGateway, temporaryHome } from '../e2e/support';
import { startAppapiDev, stopAppapiDev } from '../support/cli';
import { tablesOf } from '../support/dynamo';
import { client, halfWrites } from './support';

const tables = tablesOf(__filename);

const booking = require.resolve('../../lib/apps');

/**
 * A DynamoDB Local of this test's own (it is stopped and restarted), on a fixed port and data
 * folder, recorded so the gateway uses it without owning it.
 */
async function externalDynamo(home: string, port: number): Promise<DynamoDbLocal> {
  mkdirSync(dynamoDataPath(home, 'dev'), { recursive: true });
  const dynamo = await startDynamoDbLocal({ port, dataPath: dynamoDataPath(home, 'dev') });
  writeFileSync(dynamoStatePath(home, 'dev'), JSON.stringify({ endpoint: dynamo.endpoint, pid: process.pid }));
  return dynamo;
}

describe('faults', () => {
  it('DynamoDB Local stopped under load: 503 within the timeout, recovery after restart without restarting the gateway, no partial writes', { timeout: 180_000 }, async () => {
    const home = temporaryHome();
    const port = await freePort();
    let dynamo = await externalDynamo(home, port);
    const gateway = await startTestGateway(tables, { home, appsModule: booking });
    const http = client(gateway.url, (await createToken(gateway, ['partners'])).token);
    try {
      const acknowledged: string[] = [];
      const duringOutage: Array<{ status: number; ms: number }> = [];
      let outage = false;
      let stop = false;
      let sequence = 0;
      const writer = async () => {
        while (!stop) {
          const n = sequence++;
          const answer = await http.call('POST', '/customers', { name: `Fault ${n}`, email: `fault-${n}@example.com` });
          if (answer.status === 201) acknowledged.push(answer.body.id);
          if (outage) duringOutage.push(answer);
          else assert.ok([201, 503].includes(answer.status), `outside the outage: ${answer.status}`);
        }
      };
      const writers = Array.from({ length: 20 }, writer);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      outage = true;
      await dynamo.stop();
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      dynamo = await externalDynamo(home, port);
      outage = false;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      stop = true;
      await Promise.all(writers);

      const failed = duringOutage.filter((answer) => answer.status !== 201);
      assert.ok(failed.length > 0, 'the outage was seen');
      assert.ok(failed.every((answer) => answer.status === 503), `during the outage: ${[...new Set(failed.map((a) => a.status))]}`);
      assert.ok(Math.max(...failed.map((answer) => answer.ms)) < 10_000, 'each answered within the 10 s Lambda timeout');
      const after = await http.call('POST', '/customers', { name: 'After', email: 'after@example.com' });
      assert.equal(after.status, 201, 'recovered without restarting the gateway');
      for (const id of acknowledged.slice(-5)) assert.equal((await http.call('GET', `/customers/${id}`)).status, 200);
      assert.deepEqual(await halfWrites(dynamo.endpoint, gateway.manifest()), []);
    } finally {
      http.close();
      await gateway.stop();
      await dynamo.stop();
    }
  });

  it('the gateway killed mid-write: after a restart no half-written chain is visible', { timeout: 180_000 }, async () => {
    const home = temporaryHome();
    const port = await freePort();
    const dynamo = await externalDynamo(home, port);
    const gatewayPort = await freePort();
    const startGatewayProcess = () => startAppapiDev(['--port', String(gatewayPort)], { tables, home });
    let gatewayProcess = await startGatewayProcess();
    const token = JSON.parse(readFileSync(join(home, 'dev', 'local-dev.json'), 'utf8')).token as string;
    const http = client(`http://127.0.0.1:${gatewayPort}`, token);
    try {
      const customer = (await http.call('POST', '/customers', { name: 'Victim', email: 'victim@example.com' })).body;
      const journeys: string[] = [];
      for (let slot = 1; slot <= 3; slot += 1) journeys.push((await http.call('POST', '/bookings', { customerId: customer.id, service: 'x', slot: `2027-02-0${slot}T10:00:00Z` })).body.journeyId);
      let stop = false;
      let sequence = 0;
      const writer = async () => {
        while (!stop) {
          const n = sequence++;
          if (n % 2) await http.call('POST', '/customers', { name: `Kill ${n}`, email: `kill-${n}@example.com` }, 5_000);
          else await http.call('POST', `/bookings/${journeys[n % 3]}/events`, { type: 'note', data: { [`k${n}`]: n } }, 5_000);
          if (stop) return;
        }
      };
      const writers = Array.from({ length: 30 }, writer);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      gatewayProcess.kill('SIGKILL');
      await new Promise((resolve) => gatewayProcess.once('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, 500));
      stop = true;
      await Promise.all(writers);

      gatewayProcess = await startGatewayProcess();
      assert.equal((await http.call('GET', `/customers/${customer.id}`)).status, 200, 'the restarted gateway serves the same data');
      assert.deepEqual(await halfWrites(dynamo.endpoint, loadEnvironment('dev', undefined, tables.isolated).manifest), []);
      for (const journeyId of journeys) {
        const journey = (await http.call('GET', `/bookings/${journeyId}`)).body;
        assert.equal(journey.events.length, journey.eventCount);
      }
    } finally {
      http.close();
      await stopAppapiDev(gatewayProcess);
      await dynamo.stop();
    }
  });
});
