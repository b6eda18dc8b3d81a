import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One finding of a linter on an OpenAPI document. */
export interface LintFinding {
  readonly rule: string;
  readonly severity: 'error' | 'warn' | 'info' | 'hint';
  readonly message: string;
  readonly pointer: string;
}

const PROJECT_ROOT = join(__dirname, '..', '..');

/**
 * `redocly lint` with the project's redocly.yaml (the recommended ruleset and its documented
 * exceptions), through @redocly/openapi-core, the library behind the CLI (ESM: dynamic import).
 */
export async function redoclyFindings(document: object): Promise<LintFinding[]> {
  const { loadConfig, lintFromString } = await import('@redocly/openapi-core');
  const config = await loadConfig({ configPath: join(PROJECT_ROOT, 'redocly.yaml') });
  const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: join(PROJECT_ROOT, 'openapi.json'), config });
  return problems.map((problem) => ({
    rule: problem.ruleId,
    severity: problem.severity === 'error' ? 'error' : problem.severity === 'warn' ? 'warn' : 'info',
    message: problem.message,
    pointer: problem.location[0]?.pointer ?? '',
  }));
}

const SPECTRAL_SEVERITIES = ['error', 'warn', 'info', 'hint'] as const;

/**
 * `spectral lint` with the project's .spectral.yaml: the `spectral:oas` ruleset (its recommended
 * rules, the CLI's default) with that file's rule overrides (its documented exceptions).
 */
export async function spectralFindings(document: object): Promise<LintFinding[]> {
  const { Spectral, Document } = await import('@stoplight/spectral-core');
  const { Json } = await import('@stoplight/spectral-parsers');
  const { oas } = await import('@stoplight/spectral-rulesets');
  const { parseYaml } = await import('@redocly/openapi-core');
  const file = parseYaml(readFileSync(join(PROJECT_ROOT, '.spectral.yaml'), 'utf8')) as { extends: string[]; rules?: Record<string, unknown> };
  if (JSON.stringify(file.extends) !== JSON.stringify(['spectral:oas'])) throw new Error('.spectral.yaml must extend ["spectral:oas"] alone: this helper applies that ruleset.');
  const spectral = new Spectral();
  spectral.setRuleset({ extends: [[oas as never, 'recommended']], rules: (file.rules ?? {}) as never });
  const results = await spectral.run(new Document(JSON.stringify(document, null, 2), Json, join(PROJECT_ROOT, 'openapi.json')));
  return results.map((result) => ({
    rule: String(result.code),
    severity: SPECTRAL_SEVERITIES[result.severity] ?? 'hint',
    message: result.message,
    pointer: `/${result.path.join('/')}`,
  }));
}
