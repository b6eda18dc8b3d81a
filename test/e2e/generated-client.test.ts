// Shares a process: gateway-clients (its gateways listen on port 0 with the file's own tables and are closed by its hooks; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import type { RunningGateway } from '../../lib/local/gateway/server';
import { tablesOf } from '../support/dynamo';
import { temporaryFolder } from '../support/temporary-folder';
import { createToken, startTestGateway } from './support';

const tables = tablesOf(__filename);

const PROJECT_ROOT = join(__dirname, '..', '..');
const FLOW = join(__dirname, 'generated-client', 'booking-flow.ts');

/** What `npx openapi-typescript openapi.json -o booking-api.d.ts` writes (ESM, hence the dynamic import). */
async function generateTypes(document: object): Promise<string> {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  return astToString(await openapiTS(document as never));
}

/**
 * A partner's project in a temporary folder: the generated types and the client, type-checked
 * strictly with the project's TypeScript (as `tsc --noEmit` would), openapi-fetch from our node_modules.
 */
function typeCheck(document: string, oldProgram?: ts.Program): { readonly errors: string[]; readonly program: ts.Program } {
  const directory = temporaryFolder('appapi-client-');
  writeFileSync(join(directory, 'booking-api.d.ts'), document);
  copyFileSync(FLOW, join(directory, 'booking-flow.ts'));
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
    paths: { 'openapi-fetch': [join(PROJECT_ROOT, 'node_modules', 'openapi-fetch')] },
  };
  const program = ts.createProgram({ rootNames: [join(directory, 'booking-flow.ts')], options, ...(oldProgram ? { oldProgram } : {}) });
  const errors = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file && diagnostic.start !== undefined ? `${diagnostic.file.fileName.slice(directory.length + 1)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1} ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
  return { errors, program };
}

describe('a client generated from the OpenAPI document (openapi-typescript + openapi-fetch), as a partner writes it', () => {
  let gateway: RunningGateway;
  let token: string;
  let document: Record<string, any>;
  let checked: ts.Program;
  before(async () => {
    gateway = await startTestGateway(tables, { appsModule: require.resolve('../../lib/apps') });
    token = (await createToken(gateway, ['partners'])).token;
    document = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as Record<string, any>;
  });
  after(() => gateway?.stop());

  it('the booking flow type-checks against the generated types, without a single cast', { timeout: 120_000 }, async () => {
    const { errors, program } = typeCheck(await generateTypes(document));
    checked = program;
    assert.deepEqual(errors, []);
    const code = readFileSync(FLOW, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    // `x as T`, `<T>x`, non-null `x!`, `any` and suppressed errors would each hide an untyped answer
    assert.doesNotMatch(code, /\bas\s+(?!const\b)\S|[=(,:]\s*<[A-Za-z]|[\w)\]]!(?!=)|\bany\b|@ts-/);
  });

  it('it is the published answer schemas that make it compile: with answers typed {} it does not', { timeout: 120_000 }, async () => {
    const untyped = structuredClone(document);
    for (const operations of Object.values<Record<string, any>>(untyped.paths)) {
      for (const operation of Object.values<any>(operations)) {
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          if (status.startsWith('2') && response.content) response.content['application/json'] = { schema: {} };
        }
      }
    }
    const { errors } = typeCheck(await generateTypes(untyped), checked);
    assert.ok(errors.some((error) => /booking-flow\.ts:\d+ .*'(created|fetched|listed|booked)\.data.*' is of type 'unknown'|Property '\w+' does not exist on type/.test(error)), errors.join('\n'));
  });

  it('runs the whole flow against the local gateway, every answer checked against its published schema', { timeout: 60_000 }, async () => {
    // imported by path: the project's type-check must not follow it to the types only the test generates
    const { runBookingFlow } = (await import(FLOW)) as { runBookingFlow: (baseUrl: string, token: string, email: string) => Promise<Record<string, any>> };
    const outcome = await runBookingFlow(gateway.url, token, 'ada.client@example.com');
    assert.deepEqual(outcome.listedIds, [outcome.customerId]);
    assert.equal(outcome.fetchedEmail, 'ada.client@example.com');
    assert.equal(outcome.lastPage, true);
    assert.equal(outcome.bookingStatus, 'active');
    assert.equal(outcome.link, `https://dev.book.example.com/bookings/${outcome.journeyId}`);
    assert.equal(outcome.notedRoom, 4);
    assert.equal(outcome.confirmedStatus, 'completed');
    assert.deepEqual(outcome.eventTypes, ['note', 'confirm']);
    assert.deepEqual([outcome.redirectStatus, outcome.redirectLocation], [302, outcome.link]);
    assert.deepEqual([outcome.conflict.status, outcome.conflict.code], [409, 'journey_identifier_in_use']);
    assert.match(outcome.conflict.requestId, /\S/);
    // the harness makes a mismatch fatal; none of the flow's requests departed from its schema
    assert.ok(gateway.traces.list().every((recorded) => recorded.access.answerViolations === undefined));
  });
});
