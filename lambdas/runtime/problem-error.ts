import { problemType, type Problem } from '../shared/problem';

/** An error the runtime answers as problem+json. 4xx details are shown; 5xx details never are. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }

  toProblem(requestId: string): Problem {
    const exposed = this.status < 500;
    return {
      type: problemType(this.code),
      title: this.title,
      status: this.status,
      detail: exposed ? this.detail : 'The request could not be completed. Quote the requestId when reporting this.',
      code: this.code,
      requestId,
      ...(exposed ? this.extensions : {}),
    };
  }
}

export const badRequest = (code: string, detail: string, extensions?: Record<string, unknown>): HttpProblem =>
  new HttpProblem(400, code, 'Bad Request', detail, extensions);
