// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, type LogEntry } from '../../lambdas/shared/logger';

describe('the Lambdas\' logger', () => {
  it('one shape everywhere: timestamp, level, message, function, the logger\'s fields, then the line\'s', () => {
    const entries: LogEntry[] = [];
    const logger = createLogger({ function: 'handler', fields: { route: 'GetCustomer' }, level: 'info', sink: (entry) => entries.push(entry) });
    logger.info('request', { requestId: 'r-1', status: 200 });
    assert.deepEqual({ ...entries[0], timestamp: typeof entries[0]!.timestamp }, { timestamp: 'string', level: 'info', message: 'request', function: 'handler', route: 'GetCustomer', requestId: 'r-1', status: 200 });
    assert.ok(!Number.isNaN(Date.parse(entries[0]!.timestamp)));
  });

  it('an error is logged with its name, message and stack', () => {
    const entries: LogEntry[] = [];
    const logger = createLogger({ function: 'authorizer', level: 'info', sink: (entry) => entries.push(entry) });
    const failure = new RangeError('boom');
    logger.error('authorizer failure', { requestId: 'r', error: failure });
    logger.error('odd failure', { error: 'a string' });
    assert.deepEqual(entries[0]!.error, { name: 'RangeError', message: 'boom', stack: failure.stack });
    assert.match(entries[0]!.error!.stack!, /logger\.test\.ts/);
    assert.deepEqual(entries[1]!.error, { name: 'string', message: 'a string' });
  });

  it('lines below the level are dropped; the level comes from APPAPI_LOG_LEVEL by default', () => {
    const entries: LogEntry[] = [];
    const warnOnly = createLogger({ function: 'fallback', level: 'warn', sink: (entry) => entries.push(entry) });
    warnOnly.debug('d');
    warnOnly.info('i');
    warnOnly.warn('w');
    warnOnly.error('e');
    assert.deepEqual(entries.map((entry) => entry.level), ['warn', 'error']);
    assert.equal(warnOnly.enabled('info'), false);
    const previous = process.env.APPAPI_LOG_LEVEL;
    process.env.APPAPI_LOG_LEVEL = 'debug';
    try {
      assert.equal(createLogger({ function: 'handler' }).enabled('debug'), true);
    } finally {
      if (previous === undefined) delete process.env.APPAPI_LOG_LEVEL;
      else process.env.APPAPI_LOG_LEVEL = previous;
    }
    assert.equal(createLogger({ function: 'handler', level: 'info' }).enabled('debug'), false);
  });
});
