// Shares a process: pure-functions (its tests call functions only: no server, DynamoDB, environment or files; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoutePath, RoutePathError } from '../lib/route-path';

describe('RoutePath', () => {
  it('happy flow: parses literal and parameter segments', () => {
    const path = RoutePath.parse('/customers/{customerId}/notes');
    assert.deepEqual(path.parameters, ['customerId']);
    assert.deepEqual(path.parts, ['customers', '{customerId}', 'notes']);
    assert.equal(path.arnPath, '/customers/*/notes');
  });

  it('happy flow: accepts the root path', () => {
    assert.deepEqual(RoutePath.parse('/').segments, []);
  });

  const malformed: Array<[string, RegExp]> = [
    ['customers', /must start with "\/"/],
    ['/customers/', /remove the trailing slash \("\/customers"\)/],
    ['/customers//x', /empty segment/],
    ['/files/{path+}', /greedy parameter "\{path\+\}" is not supported/],
    ['/customers/id-{id}', /segment "id-\{id\}" is not a valid parameter/],
    ['/customers/{}', /is not a valid parameter/],
    ['/customers/{1x}', /is not a valid parameter/],
    ['/a b', /may only contain letters, digits/],
    ['/a/{id}/b/{id}', /declares parameter "\{id\}" twice/],
  ];
  for (const [template, message] of malformed) {
    it(`error flow: rejects ${JSON.stringify(template)}`, () => {
      assert.throws(() => RoutePath.parse(template), (error: unknown) => error instanceof RoutePathError && message.test(error.message));
    });
  }
});
