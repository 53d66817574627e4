/**
 * The one error hierarchy, and the one place it becomes RFC 9457 problem+json.
 * Runtime-agnostic: used by the Bun services and by the edge worker.
 */
const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_BASE = 'https://varastokkr.dev/problems/';

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class AppError extends Error {
  /** Response headers that belong to this error (WWW-Authenticate, Retry-After). */
  headers: Record<string, string> = {};

  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }

  toProblem(): Problem {
    // Extensions first: one named like a standard member (status) must never replace it.
    return {
      ...this.extensions,
      type: PROBLEM_BASE + this.slug,
      title: this.title,
      status: this.status,
      detail: this.message,
    };
  }
}

export class MalformedJsonError extends AppError {
  constructor(detail = 'The request body is not valid JSON.') {
    super(400, 'malformed-json', 'Malformed JSON', detail);
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly errors: FieldError[],
    detail = 'The request has invalid fields; see errors.',
  ) {
    super(422, 'validation', 'Validation failed', detail, { errors });
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'Valid credentials are required.') {
    super(401, 'unauthorized', 'Unauthorized', detail);
    this.headers = { 'www-authenticate': 'Bearer realm="varastokkr"' };
  }
}

export class ForbiddenError extends AppError {
  /** `extensions.errors` names the fields the caller may not set, as validation errors do. */
  constructor(detail = 'You may not access this resource.', extensions: Record<string, unknown> = {}) {
    super(403, 'forbidden', 'Forbidden', detail, extensions);
  }
}

export class NotFoundError extends AppError {
  constructor(detail = 'No such resource.') {
    super(404, 'not-found', 'Not found', detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, slug = 'conflict', extensions: Record<string, unknown> = {}) {
    super(409, slug, 'Conflict', detail, extensions);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(429, 'too-many-requests', 'Too many requests', detail, { retryAfter: retryAfterSeconds });
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

export class PreconditionFailedError extends AppError {
  constructor(detail = 'The resource changed since you read it (If-Match did not match).') {
    super(412, 'precondition-failed', 'Precondition failed', detail);
  }
}

export class PreconditionRequiredError extends AppError {
  constructor(detail = 'Send If-Match with the ETag you read, so a concurrent change is not overwritten.') {
    super(428, 'precondition-required', 'Precondition required', detail);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, 'payload-too-large', 'Payload too large', `The request body exceeds ${limitBytes} bytes.`, {
      limitBytes,
    });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(expected: string, got: string | null | undefined) {
    super(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `Send the body as ${expected}${got ? `, not ${got}` : ' (Content-Type header missing)'}.`,
      { expected },
    );
  }
}

export class BadGatewayError extends AppError {
  constructor(detail = 'The upstream service could not be reached.') {
    super(502, 'bad-gateway', 'Bad gateway', detail);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(503, 'unavailable', 'Service unavailable', detail, extensions);
  }
}

export class GatewayTimeoutError extends AppError {
  constructor(detail = 'The upstream service did not answer in time.') {
    super(504, 'gateway-timeout', 'Gateway timeout', detail);
  }
}

/** Any thrown value as a problem; unknown errors become a 500 that says nothing of internals. */
export function toProblem(err: unknown, requestId?: string): Problem {
  const base: Problem =
    err instanceof AppError
      ? err.toProblem()
      : {
          type: `${PROBLEM_BASE}internal`,
          title: 'Internal server error',
          status: 500,
          detail: 'Something went wrong on our side. Quote the request id when you report it.',
        };
  return requestId ? { ...base, requestId } : base;
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  const h = new Headers(headers);
  h.set('content-type', PROBLEM_CONTENT_TYPE);
  return new Response(JSON.stringify(problem), { status: problem.status, headers: h });
}
