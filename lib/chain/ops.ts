import { Duration } from 'aws-cdk-lib';
import type {
  AirDataDeleteOperation,
  AirDataGetOperation,
  AirDataInsertOperation,
  AirDataPatchOperation,
  AirDataPutOperation,
  AirDataQueryOperation,
  FilterCondition,
  HttpMethod,
  HttpOperation,
  JourneyEndOperation,
  JourneyGetOperation,
  JourneyStartOperation,
  JourneyUpdateOperation,
  JsonSchema,
  Operation,
  RedirectOperation,
  RespondOperation,
  Template,
  TransformOperation,
  ValidateOperation,
  ValidateTarget,
  WhenOperation,
} from '../../lambdas/shared/manifest';

/**
 * A model an operation reads or writes: an `AirDataModel` construct, or its name. A bare name
 * (`'Customers'`) is a model of the chain's own app (or one declared outside any app); another
 * app's model is named with its app, `'booking.Customers'` (or `AirDataModel.fromApp`). Synth
 * fails, saying which apps declare the name, when no such model exists.
 */
export type ModelReference = string | { readonly modelName: string; readonly modelReference?: string };

function modelName(model: ModelReference): string {
  return typeof model === 'string' ? model : (model.modelReference ?? model.modelName);
}

export interface AirDataGetOptions {
  /** The record id: a literal or a `{% … %}` expression. */
  readonly id: Template;
  /** Name the record is bound to for later operations. */
  readonly as: string;
  /**
   * What a missing record does: `404` ends the request with a problem+json 404, `null` binds null.
   * @default 404
   */
  readonly notFound?: 404 | 'null';
}

export interface AirDataQueryOptions {
  /**
   * Airkit-style filter: field → value (equality) or `{ lessThan, greaterThan, anyOf, like, … }`.
   * An index is used when the filter has an equality on an index's partition key; otherwise the
   * query scans the table and synth warns (`appapi:scan`).
   * @default {} - every record, paged
   */
  readonly filter?: { readonly [field: string]: FilterCondition };
  /**
   * Maximum records per page, at most 1000.
   * @default 100
   */
  readonly limit?: Template;
  /**
   * The opaque cursor of the page to read, usually `{% $query.cursor %}`.
   * @default - the first page
   */
  readonly cursor?: Template;
  /** Name the page (`{ items, cursor }`) is bound to. */
  readonly as: string;
}

export interface AirDataInsertOptions {
  /** The new record's fields; the id is generated. */
  readonly record: Template;
  readonly as: string;
  /**
   * What a unique-field clash does: `error` answers 409, `existing` binds the existing record.
   * @default 'error'
   */
  readonly onConflict?: 'error' | 'existing';
}

export interface AirDataPutOptions {
  readonly id: Template;
  readonly record: Template;
  readonly as: string;
}

export interface AirDataPatchOptions {
  readonly id: Template;
  /** The fields to change; others keep their values. A missing record answers 404. */
  readonly fields: Template;
  readonly as: string;
}

export interface AirDataDeleteOptions {
  readonly id: Template;
  /**
   * What deleting a missing record does.
   * @default 404
   */
  readonly notFound?: 404 | 'ignore';
  /** Name the deleted record is bound to. @default - not bound */
  readonly as?: string;
}

export interface JourneyStartOptions {
  /**
   * Identifier unique among the app's active journeys, e.g. `{% $body.customerId & ":" & $body.slot %}`.
   * @default - no identifier: every start creates a journey
   */
  readonly identifier?: Template;
  /**
   * What starting a journey whose identifier belongs to an active journey does: `resume` binds the
   * active one, `replace` aborts it and starts a new one, `reject` answers 409.
   * @default 'reject'
   */
  readonly onConflict?: 'resume' | 'replace' | 'reject';
  /** @default - no step */
  readonly step?: Template;
  /** @default {} */
  readonly data?: Template;
  /**
   * Days until the journey expires.
   * @default 30
   */
  readonly expiresInDays?: number;
  readonly as: string;
}

export interface JourneyGetOptions {
  readonly id: Template;
  /** @default false */
  readonly events?: boolean;
  /** @default 404 */
  readonly notFound?: 404 | 'null';
  readonly as: string;
}

export interface JourneyUpdateOptions {
  readonly id: Template;
  /** Merged into the journey's data. @default - data unchanged */
  readonly data?: Template;
  /** @default - step unchanged */
  readonly step?: Template;
  /** @default - status unchanged */
  readonly status?: Template;
  /** Appended to the journey's event history. @default - no event */
  readonly event?: { readonly type: Template; readonly data?: Template };
  /** @default - not bound */
  readonly as?: string;
}

export interface JourneyEndOptions {
  readonly id: Template;
  readonly status: 'completed' | 'aborted';
  /** @default - not bound */
  readonly as?: string;
}

export interface HttpCallOptions {
  /** @default 'GET' */
  readonly method?: HttpMethod;
  /** Its host must be declared in the app's `httpHosts`. */
  readonly url: Template;
  /** @default - none */
  readonly headers?: Template;
  /** @default - no body */
  readonly body?: Template;
  /**
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /** Name the result (`{ status, headers, body }`) is bound to. */
  readonly as: string;
}

export interface RespondOptions {
  /** @default 200 */
  readonly status?: number;
  /** @default - none beyond Content-Type */
  readonly headers?: { readonly [name: string]: Template };
  /** @default - empty body */
  readonly body?: Template;
}

export interface RedirectOptions {
  readonly location: Template;
  /**
   * 302 is the recommended redirect: browsers cache a 301 for good.
   * @default 302
   */
  readonly status?: 301 | 302 | 303 | 307 | 308;
}

/**
 * The typed builders of data operations. Each returns the plain JSON the runtime executes.
 *
 * @example
 * op.airdata.get(customers, { id: '{% $params.customerId %}', as: 'customer' })
 */
export const op = {
  validate(target: ValidateTarget, schema: JsonSchema): ValidateOperation {
    return { op: 'validate', target, schema };
  },
  airdata: {
    get(model: ModelReference, options: AirDataGetOptions): AirDataGetOperation {
      return { op: 'airdata.get', model: modelName(model), id: options.id, notFound: options.notFound ?? 404, as: options.as };
    },
    query(model: ModelReference, options: AirDataQueryOptions): AirDataQueryOperation {
      return {
        op: 'airdata.query',
        model: modelName(model),
        filter: options.filter ?? {},
        limit: options.limit ?? 100,
        ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
        as: options.as,
      };
    },
    insert(model: ModelReference, options: AirDataInsertOptions): AirDataInsertOperation {
      return { op: 'airdata.insert', model: modelName(model), record: options.record, onConflict: options.onConflict ?? 'error', as: options.as };
    },
    put(model: ModelReference, options: AirDataPutOptions): AirDataPutOperation {
      return { op: 'airdata.put', model: modelName(model), id: options.id, record: options.record, as: options.as };
    },
    patch(model: ModelReference, options: AirDataPatchOptions): AirDataPatchOperation {
      return { op: 'airdata.patch', model: modelName(model), id: options.id, fields: options.fields, as: options.as };
    },
    delete(model: ModelReference, options: AirDataDeleteOptions): AirDataDeleteOperation {
      return {
        op: 'airdata.delete',
        model: modelName(model),
        id: options.id,
        notFound: options.notFound ?? 404,
        ...(options.as === undefined ? {} : { as: options.as }),
      };
    },
  },
  journey: {
    start(options: JourneyStartOptions): JourneyStartOperation {
      return {
        op: 'journey.start',
        ...(options.identifier === undefined ? {} : { identifier: options.identifier }),
        onConflict: options.onConflict ?? 'reject',
        ...(options.step === undefined ? {} : { step: options.step }),
        ...(options.data === undefined ? {} : { data: options.data }),
        expiresInDays: options.expiresInDays ?? 30,
        as: options.as,
      };
    },
    get(options: JourneyGetOptions): JourneyGetOperation {
      return { op: 'journey.get', id: options.id, events: options.events ?? false, notFound: options.notFound ?? 404, as: options.as };
    },
    update(options: JourneyUpdateOptions): JourneyUpdateOperation {
      return { op: 'journey.update', ...options };
    },
    end(options: JourneyEndOptions): JourneyEndOperation {
      return { op: 'journey.end', ...options };
    },
  },
  transform(value: Template, options: { readonly as: string }): TransformOperation {
    return { op: 'transform', value, as: options.as };
  },
  /** Runs `then` when the condition is truthy, else `otherwise`. Names bound inside stay inside. */
  when(condition: Template, then: readonly Operation[], otherwise: readonly Operation[] = []): WhenOperation {
    return { op: 'when', condition, then, otherwise };
  },
  http(options: HttpCallOptions): HttpOperation {
    return {
      op: 'http',
      method: options.method ?? 'GET',
      url: options.url,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.body === undefined ? {} : { body: options.body }),
      timeoutMs: (options.timeout ?? Duration.seconds(5)).toMilliseconds(),
      as: options.as,
    };
  },
  respond(options: RespondOptions = {}): RespondOperation {
    return {
      op: 'respond',
      status: options.status ?? 200,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.body === undefined ? {} : { body: options.body }),
    };
  },
  redirect(options: RedirectOptions): RedirectOperation {
    return { op: 'redirect', status: options.status ?? 302, location: options.location };
  },
} as const;
