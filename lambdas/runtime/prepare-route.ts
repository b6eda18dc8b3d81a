import type { ValidateFunction } from 'ajv';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { schemaValidators } from '../shared/schema-validators';
import type { AppManifest, EnvironmentManifest, RouteManifest } from '../shared/manifest';
import { recordValidator, type RecordValidator } from './store/record-schema';
import { compileExpressions, type CompiledExpressions } from './templates';

/** Gives the validator of a JSON Schema: precompiled, or compiled now. */
export type ValidatorOf = (schema: object | boolean) => ValidateFunction;

/**
 * A route made ready at cold start. Nothing is compiled that a request may not use: validators
 * (precompiled in Lambda) and expressions are looked up or compiled at first use, then kept.
 */
export interface PreparedRoute {
  readonly route: RouteManifest;
  readonly manifest: EnvironmentManifest;
  readonly app: AppManifest;
  readonly dynamo: DynamoDBDocumentClient;
  readonly expressions: CompiledExpressions;
  /** The validator of a schema of this route (the body's, a validate step's). */
  readonly validator: (schema: object | boolean) => ValidateFunction;
  /** Per model name, for the models this chain writes. */
  readonly recordValidators: Pick<ReadonlyMap<string, RecordValidator>, 'get'>;
}

export function prepareRoute(manifest: EnvironmentManifest, route: RouteManifest, dynamo: DynamoDBDocumentClient, validatorOf: ValidatorOf = schemaValidators()): PreparedRoute {
  const validators = new Map<object | boolean, ValidateFunction>();
  const validator = (schema: object | boolean): ValidateFunction => {
    let found = validators.get(schema);
    if (!found) validators.set(schema, (found = validatorOf(schema)));
    return found;
  };
  const records = new Map<string, RecordValidator>();
  // a map that compiles a model's record check the first time a write asks for it
  const recordValidators = {
    get: (name: string) => {
      let found = records.get(name);
      if (!found && manifest.models[name]) records.set(name, (found = recordValidator(manifest.models[name]!, validator)));
      return found;
    },
  };
  return {
    route,
    manifest,
    app: manifest.apps[route.app] ?? { name: route.app, httpHosts: [], settings: {} },
    dynamo,
    expressions: compileExpressions(route.chain),
    validator,
    recordValidators,
  };
}
