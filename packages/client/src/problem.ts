/**
 * RFC 9457 problem+json errors as exceptions: every non-2xx answer of the API becomes a
 * ProblemError (or, when the body is not a problem, one built from the status line).
 */
import type { components } from './api';

export type Problem = components['schemas']['Problem'] & Record<string, unknown>;
export type FieldError = NonNullable<components['schemas']['Problem']['errors']>[number];

/** The header that ties a request to the server's logs (quote it when reporting a problem). */
export const REQUEST_ID_HEADER = 'x-request-id';

const PROBLEM_TYPES = 'https://varastokkr.dev/problems/';

export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  /** A URI naming the kind of problem, e.g. https://varastokkr.dev/problems/out-of-stock. */
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** For validation problems: the offending fields, e.g. `{ path: "lines.0.qty", message }`. */
  readonly errors: FieldError[];
  /** The server's request id (response header, else the body's), for support and logs. */
  readonly requestId: string | undefined;
  /** The whole problem body, with any extension members (e.g. the short lines of out-of-stock). */
  readonly problem: Problem;
  readonly response: Response | undefined;

  constructor(problem: Problem, response?: Response) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.requestId = response?.headers.get(REQUEST_ID_HEADER) ?? problem.requestId;
    this.response = response;
  }

  /** The last segment of `type`: `validation`, `out-of-stock`, `unauthorized`... */
  get kind(): string {
    return this.type.startsWith(PROBLEM_TYPES) ? this.type.slice(PROBLEM_TYPES.length) : this.type;
  }

  /** The message for one field (`lines.0.qty`), if the server named it. */
  fieldError(path: string): string | undefined {
    return this.errors.find((e) => e.path === path)?.message;
  }

  /**
   * The error for an answer that failed: its problem body when it has one (already parsed, or
   * read here), else a problem made from the status line.
   */
  static async fromResponse(response: Response, parsed?: unknown): Promise<ProblemError> {
    let body = parsed;
    if (body === undefined) {
      const text = await response.text().catch(() => '');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (isProblem(body)) return new ProblemError(body, response);
    return new ProblemError(
      {
        type: 'about:blank',
        title: response.statusText || `HTTP ${response.status}`,
        status: response.status,
        ...(typeof body === 'string' && body ? { detail: body.slice(0, 500) } : {}),
      },
      response,
    );
  }
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.type === 'string' && typeof b.title === 'string' && typeof b.status === 'number';
}
