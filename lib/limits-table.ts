import { LIMITS, type Limit } from '../lambdas/shared/limits';

export const LIMITS_TABLE_BEGIN = '<!-- limits table: rendered from lambdas/shared/limits.ts -->';
export const LIMITS_TABLE_END = '<!-- end of limits table -->';

/** The README's limits table, one row per entry of the catalogue, in its order. */
export function limitsTable(limits: Readonly<Record<string, Limit>> = LIMITS): string {
  const rows = Object.values(limits).map((limit) => `| ${limit.name} | ${formatValue(limit)} | ${limit.enforcedIn} | ${formatSource(limit)} |`);
  return ['| limit | value | enforced in | source |', '|---|---|---|---|', ...rows].join('\n');
}

function formatValue(limit: Limit): string {
  const plain = `${limit.value.toLocaleString('en-US')} ${limit.unit}`;
  if (limit.unit === 'bytes' && limit.value >= 64 * 1024 && limit.value % 1024 === 0) {
    const mib = limit.value / 2 ** 20;
    return Number.isInteger(mib) ? `${plain} (${mib} MiB)` : `${plain} (${limit.value / 1024} KiB)`;
  }
  if (limit.unit === 'seconds' && limit.value >= 3600 && limit.value % 3600 === 0) return `${plain} (${limit.value / 3600} h)`;
  return plain;
}

function formatSource(limit: Limit): string {
  return 'aws' in limit.source ? `AWS quota ([documentation](${limit.source.aws}))` : `own choice: ${limit.source.own}`;
}
