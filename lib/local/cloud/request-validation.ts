import Ajv04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { TemplateMethod } from './rest-api-tree';
import type { TemplateResource } from './stack-resources';

/** What a method's request validator refuses: the gateway response type and API Gateway's message. */
export interface ValidationFailure {
  readonly type: 'BAD_REQUEST_PARAMETERS' | 'BAD_REQUEST_BODY';
  readonly message: string;
}

/** The request as the validator sees it. */
export interface ValidatedRequest {
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** One method's request validation, compiled at startup: a request only runs it. */
export interface MethodValidator {
  /** Required path, query string and header parameters, present and not blank. */
  readonly parameters: (request: ValidatedRequest) => ValidationFailure | undefined;
  /** The body against the model for its Content-Type, when the validator checks bodies. */
  readonly body: (contentType: string | undefined, body: Buffer | undefined) => ValidationFailure | undefined;
}

const PARAMETER = /^method\.request\.(path|querystring|header)\.(.+)$/;
export const REQUEST_VALIDATION_TYPES: ReadonlySet<string> = new Set(['AWS::ApiGateway::Model', 'AWS::ApiGateway::RequestValidator']);

/**
 * Each method's request validator with its required parameters and draft-04 models, as the
 * template has them, compiled once (ajv-draft-04: API Gateway models are JSON Schema draft 4).
 * A method without a RequestValidatorId is not validated at the gateway, whatever it declares.
 * It runs after the authorizer: the authorizer workflow has API Gateway call the authorizer as
 * soon as a method with one is called, and validation happens "before proceeding with the
 * integration request"; neither page states the order outright, and API Gateway's execution logs
 * show the authorizer's result before "Request validation".
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
 */
export function compileRequestValidators(resources: readonly TemplateResource[], methods: readonly TemplateMethod[]): Map<string, MethodValidator> {
  const byId = new Map(resources.filter((resource) => REQUEST_VALIDATION_TYPES.has(resource.type)).map((resource) => [resource.logicalId, resource]));
  const ajv = new Ajv04({ allErrors: false, strict: false });
  // the draft-04 formats; API Gateway checks a format a model names
  addFormats(ajv, ['date-time', 'email', 'hostname', 'ipv4', 'ipv6', 'uri']);
  const compiled = new Map<string, ValidateFunction>();
  const modelValidator = (modelId: string, where: string): ValidateFunction => {
    let validate = compiled.get(modelId);
    if (validate) return validate;
    const model = byId.get(modelId);
    if (!model || model.type !== 'AWS::ApiGateway::Model') throw new Error(`${where}: its model ${modelId} is not an AWS::ApiGateway::Model of the template.`);
    const raw = model.properties.Schema;
    const schema = typeof raw === 'string' ? (JSON.parse(raw) as Record<string, unknown>) : (raw as Record<string, unknown>);
    if (JSON.stringify(schema).includes('"$ref"')) throw new Error(`Model ${modelId}: $ref to other models is not resolved by the local gateway.`);
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw new Error(`Model ${modelId}: its schema is not valid draft-04 (${error instanceof Error ? error.message : String(error)}).`);
    }
    compiled.set(modelId, validate);
    return validate;
  };
  const validators = new Map<string, MethodValidator>();
  for (const method of methods) {
    if (!method.requestValidatorId) continue;
    const where = `Method ${method.logicalId} (${method.httpMethod} ${method.resourcePath})`;
    const validator = byId.get(method.requestValidatorId);
    if (!validator || validator.type !== 'AWS::ApiGateway::RequestValidator') throw new Error(`${where}: its request validator ${method.requestValidatorId} is not in the template.`);
    const checkParameters = validator.properties.ValidateRequestParameters === true;
    const checkBody = validator.properties.ValidateRequestBody === true;
    const required = checkParameters ? requiredParameters(method, where) : [];
    const models = new Map(checkBody ? Object.entries(method.requestModels).map(([contentType, modelId]) => [contentType.toLowerCase(), modelValidator(modelId, where)]) : []);
    validators.set(method.logicalId, {
      parameters: (request) => {
        const missing = required.filter(({ location, name }) => blank(location === 'path' ? request.pathParameters[name] : location === 'querystring' ? request.query.get(name) : request.headers[name.toLowerCase()]));
        // API Gateway's message lists every missing parameter by name
        return missing.length ? { type: 'BAD_REQUEST_PARAMETERS', message: `Missing required request parameters: [${missing.map(({ name }) => name).join(', ')}]` } : undefined;
      },
      body: (contentType, body) => {
        if (models.size === 0) return undefined;
        // without a Content-Type API Gateway takes application/json; a type without a model uses $default,
        // and without that the body is not validated (a Lambda proxy passes it through)
        const mediaType = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
        const validate = models.get(mediaType) ?? models.get('$default');
        if (!validate) return undefined;
        let value: unknown;
        try {
          // an empty body is validated as an empty object
          value = body && body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
        } catch {
          return { type: 'BAD_REQUEST_BODY', message: 'Invalid request body' };
        }
        return validate(value) ? undefined : { type: 'BAD_REQUEST_BODY', message: 'Invalid request body' };
      },
    });
  }
  return validators;
}

function requiredParameters(method: TemplateMethod, where: string): Array<{ location: string; name: string }> {
  const required: Array<{ location: string; name: string }> = [];
  for (const [key, isRequired] of Object.entries(method.requestParameters)) {
    const match = PARAMETER.exec(key);
    if (!match) throw new Error(`${where}: request parameter ${key} is not a path, querystring or header parameter.`);
    if (isRequired === true) required.push({ location: match[1]!, name: match[2]! });
  }
  return required;
}

function blank(value: string | string[] | null | undefined): boolean {
  if (Array.isArray(value)) return value.every((item) => item.trim() === '');
  return value === null || value === undefined || value.trim() === '';
}
