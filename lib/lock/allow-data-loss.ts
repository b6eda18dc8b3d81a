/** cdk.json context naming, per environment, the stateful resources a deploy may replace or delete. */
export const ALLOW_DATA_LOSS_CONTEXT = 'appapi:allowDataLoss';

const EXAMPLE = '{"dev": ["Customers"]}';

/** A malformed escape hatch; the message says how to write it. */
export class AllowDataLossError extends Error {}

/**
 * Reads `appapi:allowDataLoss`: a map from environment name to the models, tables or secrets
 * (as appapi.lock.json names them) whose replacement or deletion was reviewed and accepted.
 * `cdk -c` hands it over as a JSON string.
 */
export function parseAllowDataLoss(value: unknown): Record<string, string[]> {
  if (value === undefined || value === null) return {};
  const where = `cdk.json context "${ALLOW_DATA_LOSS_CONTEXT}"`;
  if (typeof value === 'string') {
    try {
      return parseAllowDataLoss(JSON.parse(value));
    } catch (error) {
      if (error instanceof AllowDataLossError) throw error;
      throw new AllowDataLossError(`${where} is not valid JSON; write e.g. ${EXAMPLE}.`);
    }
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw new AllowDataLossError(`${where} must map environments to names, e.g. ${EXAMPLE}; received ${JSON.stringify(value)}.`);
  const result: Record<string, string[]> = {};
  for (const [environment, names] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(names) || names.some((name) => typeof name !== 'string' || name === '')) {
      throw new AllowDataLossError(`${where}: environment "${environment}" must list model, table or secret names, e.g. ${EXAMPLE}; received ${JSON.stringify(names)}.`);
    }
    result[environment] = [...(names as string[])];
  }
  return result;
}
