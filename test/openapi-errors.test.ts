// Shares a process: gateway (its gateways listen on port 0 with the file's own tables and are closed by its hooks; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROBLEM_CATALOGUE, type ProblemCode } from '../lambdas/shared/problem-catalogue';
import { HTTP_METHODS } from '../lambdas/shared/manifest';
import { loadEnvironment } from '../lib/environments';
import type { RunningGateway } from '../lib/local/gateway/server';
import { openApiDocument } from '../lib/openapi';
import { operationFacts, PROBLEM_OCCURRENCES } from '../lib/openapi-errors';
import { createToken, startTestGateway } from './e2e/support';
import { tablesOf } from './support/dynamo';
import { apps } from './support/lab-app';

const tables = tablesOf(__filename);

type Document = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { responses: Record<string, unknown> } };

const manifest = loadEnvironment('dev', apps).manifest;
const document = openApiDocument(manifest) as unknown as Document;
const documentedErrors = (path: string, method: string): number[] =>
  Object.keys(document.paths[path]![method.toLowerCase()]!.responses)
    .map(Number)
    .filter((status) => status >= 400);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('problem catalogue and the OpenAPI error statuses', () => {
  it('replaying the catalogue on every operation gives exactly the error statuses the document lists', () => {
    for (const route of manifest.routes) {
      const facts = operationFacts(manifest, route);
      const expected = new Set<number>();
      for (const [code, occurrence] of Object.entries(PROBLEM_OCCURRENCES)) if (occurrence.when(facts)) expected.add(PROBLEM_CATALOGUE[code as ProblemCode].status);
      assert.deepEqual(documentedErrors(route.path, route.method), [...expected].sort((a, b) => a - b), `${route.method} ${route.path}`);
    }
  });

  it('413 and 415 on every operation, GET and DELETE included; 405 exactly where a path leaves methods undeclared', () => {
    for (const route of manifest.routes) {
      const statuses = documentedErrors(route.path, route.method);
      assert.ok(statuses.includes(413) && statuses.includes(415), `${route.method} ${route.path}`);
      const undeclared = HTTP_METHODS.some((method) => !manifest.routes.some((other) => other.path === route.path && other.method === method));
      assert.equal(statuses.includes(405), undeclared, `${route.method} ${route.path}`);
      assert.equal(statuses.includes(401), route.auth.type === 'keyGroups', `${route.method} ${route.path}`);
    }
  });

  it('every status of the catalogue has its problem+json response, naming its codes', () => {
    for (const [code, { status }] of Object.entries(PROBLEM_CATALOGUE)) {
      const response = document.components.responses[`Problem${status}`] as { description: string } | undefined;
      assert.ok(response, `Problem${status}`);
      assert.ok(response.description.includes(`\`${code}\``), `Problem${status} names ${code}`);
    }
  });

  it('every code of the catalogue is answered somewhere in the code, and every answered code is in it', () => {
    const root = join(__dirname, '..');
    const files = [...sourceFiles(join(root, 'lambdas')), ...sourceFiles(join(root, 'lib'))].filter((file) => !/problem-catalogue|openapi-errors/.test(file));
    const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');
    for (const code of Object.keys(PROBLEM_CATALOGUE)) assert.match(text, new RegExp(`['"]${code}['"]`), `${code} is never answered: remove it from the catalogue`);
    const answered = [...text.matchAll(/(?:new HttpProblem|badRequest|gatewayProblem)\('([a-z_]+)'/g)].map((match) => match[1]!);
    assert.ok(answered.length > 40, `found ${answered.length} problem constructions`);
    for (const code of answered) assert.ok(code in PROBLEM_CATALOGUE, code);
  });

  describe('replayed against the local gateway', () => {
    let gateway: RunningGateway;
    let token: string;
    before(async () => {
      gateway = await startTestGateway(tables);
      token = (await createToken(gateway, ['partners', 'ops'])).token;
    });
    after(() => gateway?.stop());

    /** One request with exactly these headers (and this body, when given); status and problem code of the answer. */
    const send = (method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; code: string | undefined }> =>
      new Promise((resolve, reject) => {
        const url = new URL(gateway.url);
        const call = httpRequest({ host: url.hostname, port: url.port, method, path, headers, timeout: 10_000 }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, code: text.startsWith('{') ? (JSON.parse(text) as { code?: string }).code : undefined }));
        });
        call.on('timeout', () => call.destroy(new Error(`no answer to ${method} ${path}`)));
        call.on('error', reject);
        call.end(body);
      });

    it('what each operation answers to refused bodies, missing tokens and undeclared methods is in its document entry', { timeout: 60_000 }, async () => {
      for (const route of manifest.routes) {
        const path = route.path.replace(/\{[^}]+\}/g, 'x1');
        const auth: Record<string, string> = route.auth.type === 'keyGroups' ? { authorization: `Bearer ${token}` } : {};
        const answers = [
          await send(route.method, path, { ...auth, 'content-encoding': 'gzip', 'content-type': 'application/json', 'content-length': '2' }),
          await send(route.method, path, { ...auth, 'content-type': 'application/json', 'content-length': String(6 * 2 ** 20) }),
          ...(route.auth.type === 'keyGroups' ? [await send(route.method, path, {})] : []),
        ];
        assert.deepEqual(
          answers.map((answer) => answer.status),
          [415, 413, ...(route.auth.type === 'keyGroups' ? [401] : [])],
          `${route.method} ${route.path}`,
        );
        for (const answer of answers) {
          assert.ok(documentedErrors(route.path, route.method).includes(answer.status), `${route.method} ${route.path} answered ${answer.status}, which its document entry does not list`);
          assert.equal(PROBLEM_CATALOGUE[answer.code as ProblemCode]?.status, answer.status, `${answer.code} is answered with the catalogue's status`);
        }
      }
      for (const path of new Set(manifest.routes.map((route) => route.path))) {
        const declared = manifest.routes.filter((route) => route.path === path);
        for (const method of HTTP_METHODS.filter((candidate) => !declared.some((route) => route.method === candidate))) {
          const answer = await send(method, path.replace(/\{[^}]+\}/g, 'x1'), {});
          assert.deepEqual([answer.status, answer.code], [405, 'method_not_allowed'], `${method} ${path}`);
          for (const route of declared) assert.ok(documentedErrors(route.path, route.method).includes(405), `${route.method} ${path} does not list 405`);
        }
      }
    });

    it('malformed JSON on a method with a body model: the validator answers application/json, the handler every other JSON type', { timeout: 60_000 }, async () => {
      // "If no matching content type is found, request validation is not performed."
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
      const withModel = manifest.routes.filter((route) => route.body !== undefined);
      assert.ok(withModel.length > 0, 'the lab app declares a body model');
      for (const route of withModel) {
        const path = route.path.replace(/\{[^}]+\}/g, 'x1');
        const auth: Record<string, string> = route.auth.type === 'keyGroups' ? { authorization: `Bearer ${token}` } : {};
        const body = '{"name": ';
        const sent = (contentType: string) => send(route.method, path, { ...auth, 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) }, body);
        assert.deepEqual(await sent('application/json'), { status: 400, code: 'validation_failed' }, `${route.method} ${route.path}`);
        assert.deepEqual(await sent('application/vnd.api+json'), { status: 400, code: 'malformed_json' }, `${route.method} ${route.path}`);
        const facts = operationFacts(manifest, route);
        assert.ok(PROBLEM_OCCURRENCES.malformed_json.when(facts) && PROBLEM_OCCURRENCES.validation_failed.when(facts), `${route.method} ${route.path} lists both codes`);
      }
    });
  });
});
