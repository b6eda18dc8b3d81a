const PREFIX = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * The prefix of local table names (`<prefix>-<env>-customers`): APPAPI_TABLE_PREFIX, else the
 * stacks' own (`appapi`). Checkouts or test runs with different prefixes share one DynamoDB Local
 * without seeing each other's tables. Local mode only: `--aws` always uses the deployed names.
 */
export function localTablePrefix(): string | undefined {
  const value = process.env.APPAPI_TABLE_PREFIX;
  if (value === undefined || value === '') return undefined;
  if (!PREFIX.test(value)) {
    throw new Error(`APPAPI_TABLE_PREFIX "${value}" must be lower-case letters, digits and "-", starting with a letter, at most 20 characters (e.g. "appapi2").`);
  }
  return value;
}
