import type { ProblemCode } from './problem-catalogue';

/** RFC 9457 problem details: every error the API answers. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** Stable, snake_case. */
  readonly code: string;
  readonly requestId: string;
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): ProblemResponse {
  return { statusCode: problem.status, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...headers }, body: JSON.stringify(problem) };
}

export function problemType(code: ProblemCode): string {
  return `https://appapi.dev/problems/${code.replace(/_/g, '-')}`;
}
