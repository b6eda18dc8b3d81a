// Shares a process: pure-functions (its tests call functions only: no server, DynamoDB, environment or files; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeExpression, ExpressionSyntaxError, expressionSource, findExpressions } from '../../lib/chain/expression';

describe('expressions', () => {
  it('finds {% %} expressions anywhere in a template, with their location', () => {
    const sites = findExpressions({ a: '{% $body.x %}', b: ['literal', '{%$y%}'], c: 3 }, '');
    assert.deepEqual(sites, [
      { location: 'a', source: '$body.x' },
      { location: 'b[1]', source: '$y' },
    ]);
    assert.equal(expressionSource('plain text with {% inside'), undefined);
  });

  it('lists the bound names read, not built-ins, locals or lambda arguments', () => {
    const { variables } = analyzeExpression('($total := $sum($body.items.price); $map($customer.tags, function($t) { $uppercase($t) & $suffix }))');
    assert.deepEqual([...variables].sort(), ['body', 'customer', 'suffix']);
  });

  it('records fields read directly off a name', () => {
    const { fieldsRead } = analyzeExpression('$params.customerId & $query.email & $params.other');
    assert.deepEqual([...fieldsRead.get('params')!].sort(), ['customerId', 'other']);
    assert.deepEqual([...fieldsRead.get('query')!], ['email']);
  });

  it('error flow: a syntax error carries the reason and position', () => {
    assert.throws(
      () => analyzeExpression('$body.('),
      (error: unknown) => error instanceof ExpressionSyntaxError && /Expected "\)"/.test(error.message) && error.position === 7,
    );
  });
});
