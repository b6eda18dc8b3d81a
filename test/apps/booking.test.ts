// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import { after, before, describe } from 'node:test';
import { declareBooking } from '../../lib/apps/booking';
import { bookingFlowTests, type CallRoute } from '../support/booking-flow';
import { tablesOf } from '../support/dynamo';
import { RuntimeHarness } from '../support/runtime';

const tables = tablesOf(__filename);

describe('reference app "booking" on the handler runtime and DynamoDB Local', () => {
  let harness: RuntimeHarness;
  before(async () => {
    harness = await RuntimeHarness.start([declareBooking], { tables });
  });
  after(() => harness?.stop());

  const call: CallRoute = async (routeId, { as, ...request } = {}) => {
    const answer = await harness.call(routeId, { ...request, ...(as ? { keyId: `${as}-key`, groups: as === 'ops' ? ['ops'] : ['partners'] } : {}) });
    const headers = new Map(Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]));
    return { status: answer.status, body: answer.body, header: (name) => headers.get(name.toLowerCase()) ?? null };
  };
  bookingFlowTests(() => call);
});
