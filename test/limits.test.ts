// Shares a process: pure-functions (its tests call functions only: no server, DynamoDB, environment or files; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LIMITS } from '../lambdas/shared/limits';
import { limitsTable, LIMITS_TABLE_BEGIN, LIMITS_TABLE_END } from '../lib/limits-table';

describe('limits catalogue', () => {
  it('the README\'s limits table is the catalogue, rendered', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const begin = readme.indexOf(LIMITS_TABLE_BEGIN);
    const end = readme.indexOf(LIMITS_TABLE_END);
    assert.ok(begin >= 0 && end > begin, `README.md has no "${LIMITS_TABLE_BEGIN}" … "${LIMITS_TABLE_END}" block`);
    const table = readme.slice(begin + LIMITS_TABLE_BEGIN.length, end).trim();
    assert.equal(table, limitsTable(), 'README.md\'s limits table differs from lambdas/shared/limits.ts: paste the expected table above into README.md');
  });

  it('a changed value changes the rendered table', () => {
    const changed = { ...LIMITS, requestBody: { ...LIMITS.requestBody, value: 10 * 2 ** 20 } };
    assert.notEqual(limitsTable(changed), limitsTable());
    assert.match(limitsTable(changed), /\| request body \| 10,485,760 bytes \(10 MiB\) \|/);
  });

  it('every AWS quota cites AWS documentation, every own choice says why', () => {
    for (const [key, limit] of Object.entries(LIMITS)) {
      if ('aws' in limit.source) assert.match(limit.source.aws, /^https:\/\/docs\.aws\.amazon\.com\//, key);
      else assert.ok(limit.source.own.length > 10, key);
      assert.ok(Number.isFinite(limit.value) && limit.value > 0, key);
    }
  });
});
