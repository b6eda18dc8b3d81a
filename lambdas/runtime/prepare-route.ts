import type { ValidateFunction } from 'ajv';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createSchemaCompiler } from '../shared/json-schema';
import type { AppManifest, Chain, EnvironmentManifest, RouteManifest } from '../shared/manifest';
import { recordValidator, type RecordValidator } from './store/record-schema';
import { compileExpressions, type CompiledExpressions } from './templates';

/** A route made ready at cold start: expressions, schemas and record checks compiled once. */
export interface PreparedRoute {
  readonly route: RouteManifest;
  readonly manifest: EnvironmentManifest;
  readonly app: AppManifest;
  readonly dynamo: DynamoDBDocumentClient;
  readonly expressions: CompiledExpressions;
  readonly schemas: ReadonlyMap<object | boolean, ValidateFunction>;
  readonly bodyValidator?: ValidateFunction;
  /** Per model name, for the models this chain writes. */
  readonly recordValidators: ReadonlyMap<string, RecordValidator>;
}

const WRITES = new Set(['airdata.insert', 'airdata.put', 'airdata.patch']);

export function prepareRoute(manifest: EnvironmentManifest, route: RouteManifest, dynamo: DynamoDBDocumentClient): PreparedRoute {
  const compiler = createSchemaCompiler();
  const schemas = new Map<object | boolean, ValidateFunction>();
  const recordValidators = new Map<string, RecordValidator>();
  const visit = (chain: Chain): void =>
    chain.forEach((step) => {
      if (step.op === 'validate') schemas.set(step.schema as object, compiler.compile(step.schema as object));
      if (WRITES.has(step.op) && 'model' in step && !recordValidators.has(step.model)) {
        recordValidators.set(step.model, recordValidator(manifest.models[step.model]!));
      }
      if (step.op === 'when') {
        visit(step.then);
        visit(step.otherwise);
      }
    });
  visit(route.chain);
  return {
    route,
    manifest,
    app: manifest.apps[route.app] ?? { name: route.app, httpHosts: [], settings: {} },
    dynamo,
    expressions: compileExpressions(route.chain),
    schemas,
    ...(route.body === undefined ? {} : { bodyValidator: compiler.compile(route.body as object) }),
    recordValidators,
  };
}
