// Shares a process: pure-functions (its tests call functions only: no server, DynamoDB, environment or files; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_BODY_BYTES } from '../lambdas/shared/limits';
import { wafRegex } from '../lib/local/cloud/waf-regex';
import { CONTENT_LENGTH_NOT_A_NUMBER, CONTENT_LENGTH_OVER_LIMIT } from '../lib/payload-limit';

// with WAF's (PCRE) meaning of the patterns, not JavaScript's
const overLimit = wafRegex(CONTENT_LENGTH_OVER_LIMIT);
const notANumber = wafRegex(CONTENT_LENGTH_NOT_A_NUMBER);

describe('the WAF rule on Content-Length', () => {
  it('matches exactly the values above 5,242,880 for every value within 300,000 of the limit', () => {
    for (let value = MAX_BODY_BYTES - 300_000; value <= MAX_BODY_BYTES + 300_000; value += 1) {
      if (overLimit.test(String(value)) !== value > MAX_BODY_BYTES) assert.fail(`${value} ${value > MAX_BODY_BYTES ? 'not matched' : 'matched'}`);
    }
  });

  it('matches exactly the values above the limit across every order of magnitude, with and without leading zeros', () => {
    const values: number[] = [0, 1, 9, 10, 99, 100, 999_999, 1_000_000, 4_999_999, 5_000_000, 5_242_879, 5_242_880, 5_242_881, 5_242_889, 5_242_890, 5_242_899, 5_242_900, 5_242_999, 5_243_000, 5_249_999, 5_250_000, 5_299_999, 5_300_000, 5_999_999, 6_000_000, 9_999_999, 10_000_000, 99_999_999, 1e12, Number.MAX_SAFE_INTEGER];
    for (let digit = 0; digit <= 9; digit += 1) for (let position = 0; position < 7; position += 1) values.push(MAX_BODY_BYTES + digit * 10 ** position, MAX_BODY_BYTES - digit * 10 ** position);
    for (const value of values.filter((v) => v >= 0)) {
      for (const text of [String(value), `0${value}`, `000${value}`]) {
        assert.equal(overLimit.test(text), value > MAX_BODY_BYTES, text);
      }
    }
    // a 20-digit value is over the limit even where numbers lose precision
    assert.ok(overLimit.test('99999999999999999999'));
  });

  it('anything that is not a plain number is caught by the second rule', () => {
    for (const text of ['5242881 ', ' 5242881', '+5242881', '5e9', '0x600000', '5242880.5', '-1', '', '1,000']) {
      assert.ok(!overLimit.test(text) || notANumber.test(text), text);
      if (text !== '') assert.ok(notANumber.test(text), `${text} is refused as not a number`);
    }
    assert.ok(!notANumber.test('5242880'));
  });
});
