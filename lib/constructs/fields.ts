import type { FieldManifest, FieldType } from '../../lambdas/shared/manifest';

export interface FieldOptions {
  /**
   * A record may omit the field.
   * @default false
   */
  readonly optional?: boolean;
}

export interface KeyableFieldOptions extends FieldOptions {
  /**
   * No two records share a value; enforced atomically on every write.
   * @default false
   */
  readonly unique?: boolean;
}

export interface TextFieldOptions extends KeyableFieldOptions {
  /** @default - no limit beyond DynamoDB's 400 KB item size */
  readonly maxLength?: number;
}

const make = (type: FieldType, options: TextFieldOptions = {}): FieldManifest => ({
  type,
  optional: options.optional ?? false,
  unique: options.unique ?? false,
  ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
});

/**
 * Typed fields of an AirData model, checked on every write.
 *
 * @example
 * fields: { name: field.text(), email: field.email({ unique: true }), phone: field.phone({ optional: true }) }
 */
export const field = {
  text: (options?: TextFieldOptions) => make('text', options),
  email: (options?: KeyableFieldOptions) => make('email', options),
  /** E.164-style phone number, e.g. `+14155550123`. */
  phone: (options?: KeyableFieldOptions) => make('phone', options),
  url: (options?: KeyableFieldOptions) => make('url', options),
  number: (options?: KeyableFieldOptions) => make('number', options),
  integer: (options?: KeyableFieldOptions) => make('integer', options),
  boolean: (options?: FieldOptions) => make('boolean', options),
  /** ISO 8601 date-time, e.g. `2026-11-28T10:00:00Z`. */
  datetime: (options?: KeyableFieldOptions) => make('datetime', options),
  /** Any JSON value: stored as is, never indexed or unique. */
  json: (options?: FieldOptions) => make('json', options),
} as const;

/** Field types that can key an index or be unique, with their DynamoDB attribute type. */
export const KEY_ATTRIBUTE_TYPES: Partial<Record<FieldType, 'S' | 'N'>> = {
  text: 'S',
  email: 'S',
  phone: 'S',
  url: 'S',
  datetime: 'S',
  number: 'N',
  integer: 'N',
};
