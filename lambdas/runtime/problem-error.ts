import { PROBLEM_CATALOGUE, type ProblemCode, type ProblemCodeOf } from '../shared/problem-catalogue';
import { problemType, type Problem } from '../shared/problem';

/**
 * An error the runtime answers as problem+json; its status and title come from the problem
 * catalogue. 4xx details are shown; 5xx details never are (they are logged).
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    ({ status: this.status, title: this.title } = PROBLEM_CATALOGUE[code]);
  }

  /** Whether the caller may read the detail: 4xx say what was wrong, 5xx say nothing internal. */
  get expose(): boolean {
    return this.status < 500;
  }

  toProblem(requestId: string): Problem {
    return {
      type: problemType(this.code),
      title: this.title,
      status: this.status,
      detail: this.expose ? this.detail : 'The request could not be completed. Quote the requestId when reporting this.',
      code: this.code,
      requestId,
      ...(this.expose ? this.extensions : {}),
    };
  }
}

export const badRequest = (code: ProblemCodeOf<400>, detail: string, extensions?: Record<string, unknown>): HttpProblem => new HttpProblem(code, detail, extensions);
