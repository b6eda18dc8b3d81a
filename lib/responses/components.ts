import { FIELD_SCHEMAS } from '../../lambdas/shared/field-schemas';
import type { ModelManifest } from '../../lambdas/shared/manifest';

export type SchemaObject = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';

/**
 * The named schemas a document's answers refer to (`#/components/schemas/CustomersRecord`): a
 * generated client gets one named type per record, page and journey instead of a copy per route.
 * Only what is referred to is listed, so the document has no unused components.
 */
export class SchemaComponents {
  private readonly schemas = new Map<string, SchemaObject>();

  constructor(private readonly models: { readonly [name: string]: ModelManifest }) {}

  /** A reference to the model's record schema: `id` first, then the fields in declaration order. */
  record(modelName: string): SchemaObject {
    return this.ref(`${modelName}Record`, () => recordSchema(this.models[modelName]!));
  }

  /** A reference to a page of the model's records, as `airdata.query` binds it. */
  page(modelName: string): SchemaObject {
    return this.ref(`${modelName}Page`, () => ({
      type: 'object',
      description: `A page of ${modelName} records.`,
      required: ['items', 'cursor'],
      properties: {
        items: { type: 'array', items: this.record(modelName) },
        cursor: { type: ['string', 'null'], description: 'Pass it back as `cursor` to read the next page; null on the last page.' },
      },
    }));
  }

  journey(withEvents: boolean): SchemaObject {
    if (!withEvents) return this.ref('Journey', () => journeySchema());
    return this.ref('JourneyWithEvents', () => {
      const base = journeySchema();
      return {
        ...base,
        description: 'A journey with its event history, oldest first.',
        required: [...(base.required as string[]), 'events'],
        properties: { ...(base.properties as SchemaObject), events: { type: 'array', items: this.ref('JourneyEvent', () => JOURNEY_EVENT) } },
      };
    });
  }

  problem(): SchemaObject {
    return this.ref('Problem', () => PROBLEM_SCHEMA);
  }

  /** Follows a reference to one of these components; anything else is returned as is. */
  resolve(schema: unknown): unknown {
    if (schema === null || typeof schema !== 'object' || typeof (schema as SchemaObject).$ref !== 'string') return schema;
    const name = String((schema as SchemaObject).$ref).slice(COMPONENT_PREFIX.length);
    return this.schemas.get(name) ?? schema;
  }

  /** Every component referred to so far, sorted by name. */
  entries(): Record<string, SchemaObject> {
    return Object.fromEntries([...this.schemas].sort(([a], [b]) => a.localeCompare(b)));
  }

  private ref(name: string, build: () => SchemaObject): SchemaObject {
    if (!this.schemas.has(name)) {
      // registered before it is built, so a schema may refer to itself or to components that refer back
      this.schemas.set(name, {});
      this.schemas.set(name, build());
    }
    return { $ref: `${COMPONENT_PREFIX}${name}` };
  }
}

/** A record as every read answers it (see canonicalRecord): `id`, then the declared fields, optional ones left out when unset. */
function recordSchema(model: ModelManifest): SchemaObject {
  const properties: SchemaObject = { id: { type: 'string', description: 'Generated when the record is inserted.' } };
  for (const [name, field] of Object.entries(model.fields)) {
    properties[name] = { ...FIELD_SCHEMAS[field.type], ...(field.maxLength === undefined ? {} : { maxLength: field.maxLength }) };
  }
  const required = ['id', ...Object.entries(model.fields).filter(([, field]) => !field.optional).map(([name]) => name)];
  return { type: 'object', description: `A record of AirData model ${model.name}.`, required, properties };
}

const DATE_TIME = { type: 'string', format: 'date-time' };

function journeySchema(): SchemaObject {
  return {
    type: 'object',
    description: 'A journey: one customer\'s run through an app.',
    required: ['id', 'identifier', 'status', 'step', 'data', 'eventCount', 'createdAt', 'updatedAt', 'expiresAt'],
    properties: {
      id: { type: 'string' },
      identifier: { type: ['string', 'null'], description: 'Unique among the app\'s active journeys.' },
      status: { type: 'string', enum: ['active', 'completed', 'aborted', 'expired'] },
      step: { type: ['string', 'null'] },
      data: { type: 'object', additionalProperties: true },
      eventCount: { type: 'integer', minimum: 0 },
      createdAt: DATE_TIME,
      updatedAt: DATE_TIME,
      expiresAt: DATE_TIME,
    },
  };
}

const JOURNEY_EVENT: SchemaObject = {
  type: 'object',
  required: ['type', 'at'],
  properties: { type: { type: 'string' }, data: {}, at: DATE_TIME },
};

/** Every field here is sent with every problem, by the handlers, the gateway and the fallback function alike. */
const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details, as every error of these App APIs is answered.',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable, snake_case: what a client branches on.', pattern: '^[a-z][a-z0-9_]*$' },
    requestId: { type: 'string', description: 'Quote it when reporting a problem.' },
    violations: { type: 'array', description: 'What was wrong, one entry per violation (validation_failed, invalid_record).', items: { type: 'object', additionalProperties: true } },
  },
};
