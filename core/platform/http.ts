import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Env, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { isPoolTimeout, pgErrorCode } from './database.ts';
import type { Logger } from './logger.ts';
import {
  AppError,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  problemResponse,
  ServiceUnavailableError,
  toProblem,
  UnsupportedMediaTypeError,
  ValidationError,
} from './problem.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.ts';
import { msSince } from './timing.ts';
import {
  newSpanId,
  newTraceId,
  parseTraceparent,
  SpanKind,
  TRACEPARENT_HEADER,
  type TraceIds,
  type Tracer,
} from './tracing.ts';
import { fieldErrors } from './validation.ts';

/** A router whose zod validation failures become 422 problems with the offending fields. */
export function createOpenApiRouter<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw new ValidationError(fieldErrors(result.error.issues));
    },
  });
}

/**
 * What every request carries, at the edge and in core: its id, a logger bound to it, and where
 * it sits in its trace (see tracing()).
 */
export type RequestEnv = { Variables: { requestId: string; log: Logger; trace: TraceIds } };

/**
 * The route pattern that answered (`/api/orders/:id`), never the raw URL: the route of the last
 * handler that ran. A request no route answered gets its last middleware's (`/api/*`, `*`), so
 * the values stay few.
 */
export function routeOf(c: Context): string {
  try {
    return routePath(c) || 'unmatched';
  } catch {
    // A context no router matched (an app.request() on a bare Hono): never fail the request for a label.
    return 'unmatched';
  }
}

export interface TracingOptions<E extends RequestEnv> {
  /** Runs the rest of the request inside its span (core: so the jobs it enqueues continue it). */
  within?: (span: TraceIds, next: () => Promise<void>) => Promise<void>;
  /** Told when the span ended (the edge exports then, in waitUntil). */
  ended?: (c: Context<E>, tracer: Tracer) => void;
}

/**
 * Continues the caller's trace (a valid `traceparent`) or starts one. With a tracer, the request
 * is a server span named by its route pattern; without one, only the ids the log lines and the
 * next hop need are made, and no span.
 */
export function tracing<E extends RequestEnv>(
  tracer: Tracer | undefined,
  opts: TracingOptions<E> = {},
): MiddlewareHandler<E> {
  return async (c, next) => {
    const parent = parseTraceparent(c.req.header(TRACEPARENT_HEADER));
    if (!tracer) {
      c.set('trace', { traceId: parent?.traceId ?? newTraceId(), spanId: newSpanId() });
      return next();
    }
    const span = tracer.start(c.req.method, SpanKind.server, parent);
    c.set('trace', span.ids);
    try {
      await (opts.within ? opts.within(span.ids, next) : next());
    } finally {
      const route = routeOf(c);
      span.name = `${c.req.method} ${route}`;
      span.set({
        'http.request.method': c.req.method,
        'http.route': route,
        'url.path': c.req.path,
        'http.response.status_code': c.res.status,
        'varastokkr.request_id': c.get('requestId') as string | undefined,
      });
      span.end(c.res.status >= 500 ? `HTTP ${c.res.status}` : undefined);
      opts.ended?.(c, tracer);
    }
  };
}

/**
 * Accepts the caller's request id if it looks sane, otherwise mints one; echoes it; logs the
 * request: at error for a 5xx, otherwise at info, or at debug when `atDebug` says so (the edge,
 * for a request core answered and logged under the same id).
 */
export function requestLogging<E extends RequestEnv>(
  log: Logger,
  atDebug?: (c: Context<E>) => boolean,
): MiddlewareHandler<E> {
  return async (c, next) => {
    const requestId = requestIdFrom(c.req.header(REQUEST_ID_HEADER));
    const traceId = (c.get('trace') as TraceIds | undefined)?.traceId;
    const reqLog = log.child(traceId ? { requestId, traceId } : { requestId });
    c.set('requestId', requestId);
    c.set('log', reqLog);
    c.header(REQUEST_ID_HEADER, requestId);
    const started = performance.now();
    await next();
    const ms = msSince(started);
    const level = c.res.status >= 500 ? 'error' : atDebug?.(c) ? 'debug' : 'info';
    // Core's trustEdge() sets the caller's address; the edge logs none of its own.
    const client = (c.var as { clientAddress?: string }).clientAddress;
    reqLog[level]('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms,
      ...(client ? { client } : {}),
    });
  };
}

export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(maxBytes);
    },
  });
}

/** Hono's own HTTP exceptions (bad JSON, media type) mapped onto our hierarchy. */
function fromHttpException(err: HTTPException, c: Context): AppError {
  if (err.status === 400 && /json/i.test(err.message)) return new MalformedJsonError();
  if (err.status === 415)
    return new UnsupportedMediaTypeError('application/json', c.req.header('content-type'));
  return new AppError(err.status, 'http', err.message || 'HTTP error', err.message);
}

/**
 * A value Postgres refused as data (SQLSTATE class 22: a NUL character in text, a number out of
 * range) is the caller's mistake, not ours: 422. The transaction it ran in was rolled back.
 */
function fromDatabaseError(err: Error): Error {
  if (isPoolTimeout(err)) {
    // Every connection stayed busy for the whole wait (a burst, or a slow database): the request
    // did nothing and may be retried, so 503 with Retry-After rather than a 500.
    const busy = new ServiceUnavailableError('The database is busy; retry in a moment.');
    busy.headers = { 'retry-after': '1' };
    return busy;
  }
  if (!pgErrorCode(err)?.startsWith('22')) return err;
  return new AppError(
    422,
    'invalid-value',
    'Invalid value',
    'A value in the request cannot be stored (for example, a NUL character or a number out of range).',
  );
}

/** The one place errors turn into problem+json for a Hono app. */
export function handleErrors<E extends RequestEnv>(app: Hono<E>, log: Logger): void {
  app.onError((err, c) => {
    const appErr = err instanceof HTTPException ? fromHttpException(err, c) : fromDatabaseError(err);
    const requestId = c.get('requestId') as string | undefined;
    const requestLog = (c.get('log') as Logger | undefined) ?? log;
    if (!(appErr instanceof AppError)) requestLog.error('unhandled error', { err, path: c.req.path });
    else if (appErr.status === 503 && isPoolTimeout(err))
      requestLog.warn('no database connection free in time', { path: c.req.path });
    const headers = {
      ...(appErr instanceof AppError ? appErr.headers : {}),
      ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}),
    };
    return problemResponse(toProblem(appErr, requestId), headers);
  });
  app.notFound((c) => {
    const requestId = c.get('requestId') as string | undefined;
    const err = new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`);
    return problemResponse(toProblem(err, requestId), requestId ? { [REQUEST_ID_HEADER]: requestId } : {});
  });
}
