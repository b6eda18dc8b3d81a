// Shares a process: cdk-apps (it builds and synthesizes CDK apps and reads their output; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../lib/cli/main';
import { loadEnvironment } from '../../../lib/environments';
import { PARITY_CATALOGUE } from '../../../lib/local/cloud/parity-catalogue';
import { parityLines, parityTable, PARITY_TABLE_BEGIN, PARITY_TABLE_END, stackParity } from '../../../lib/local/cloud/parity-report';
import { apps } from '../../support/lab-app';

describe('appapi parity and the README\'s local/AWS table', () => {
  it('the README\'s table is the catalogue, rendered', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const begin = readme.indexOf(PARITY_TABLE_BEGIN);
    const end = readme.indexOf(PARITY_TABLE_END);
    assert.ok(begin >= 0 && end > begin, `README.md has no "${PARITY_TABLE_BEGIN}" … "${PARITY_TABLE_END}" block`);
    assert.equal(readme.slice(begin + PARITY_TABLE_BEGIN.length, end).trim(), parityTable(), 'README.md\'s parity table differs from lib/local/cloud/parity-catalogue.ts: paste the expected table into README.md');
  });

  it('every resource type and property an environment\'s templates use has an entry', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const missing = stackParity(loadEnvironment(env, apps)).filter((entry) => !entry.parity);
      assert.deepEqual(missing.map((entry) => `${entry.type} ${entry.property}`), [], `${env}: add these to lib/local/cloud/parity-catalogue.ts`);
    }
  });

  it('prints each used property with its status, and one without an entry as not emulated', () => {
    const stack = loadEnvironment('dev', apps);
    const { 'AWS::ApiGateway::Model': _models, ...withoutModels } = PARITY_CATALOGUE;
    const lines = parityLines(stackParity(stack, withoutModels));
    assert.ok(lines.some((line) => /^AWS::ApiGateway::Method HttpMethod +executed: /.test(line)));
    assert.ok(lines.some((line) => /^AWS::ApiGateway::Model Schema +not emulated: no catalogue entry/.test(line)));
    assert.ok(lines.some((line) => /^\d+ properties: \d+ executed, \d+ partial, \d+ not emulated$/.test(line)));
    assert.ok(lines.includes('  TTL deletion: DynamoDB Local keeps expired items'));
  });

  it('is the `appapi parity` command, for the environment asked, also as JSON', async () => {
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };
    assert.equal(await runCli(['parity', '--env', 'prod', '--json'], io), 0);
    const entries = JSON.parse(out[0]!) as Array<{ type: string; property: string; status: string }>;
    // prod has monitoring, so its alarms are listed, and not emulated
    assert.ok(entries.some((entry) => entry.type === 'AWS::CloudWatch::Alarm' && entry.status === 'not emulated'));
    assert.ok(entries.some((entry) => entry.type === 'AWS::ApiGateway::Method' && entry.property === 'HttpMethod' && entry.status === 'executed'));
  });
});
