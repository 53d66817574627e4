/**
 * The one structured logger: JSON lines on stdout, in Bun and in workerd alike.
 * Fields whose names look secret are redacted before they are written.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /** Whether lines of this level are written: a caller building many fields for one can skip them. */
  enables(level: LogLevel): boolean;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const secretKey =
  /pass(word)?|secret|token|authorization|cookie|api[-_]?key|database_?url|connection_?string/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return describeError(value, depth);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = secretKey.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

// Values must not reach the log through error text: drizzle puts a failed query's parameters
// (passwords, tokens) in its message, and Postgres quotes the offending value in data errors
// (SQLSTATE class 22, e.g. `invalid input syntax for type uuid: "<token>"`).
function withoutValues(text: string | undefined, code: unknown): string | undefined {
  let out = text?.replace(/params: [^\n]*/g, 'params: [redacted]');
  if (typeof code === 'string' && code.startsWith('22')) out = out?.replace(/"[^"\n]*"/g, '"[redacted]"');
  return out;
}

function describeError(err: Error, depth: number): Record<string, unknown> {
  const code = (err as { code?: unknown }).code;
  return {
    name: err.name,
    message: withoutValues(err.message, code),
    ...(typeof code === 'string' ? { code } : {}),
    stack: withoutValues(err.stack, code),
    ...(err.cause !== undefined ? { cause: redact(err.cause, depth + 1) } : {}),
  };
}

/** Where a log line goes; the level is for sinks that route by it (the edge's console methods). */
export type LogSink = (line: string, level: LogLevel) => void;

const stdoutSink: LogSink = (line) => console.log(line);

export function createLogger(base: LogFields, level: LogLevel = 'info', sink: LogSink = stdoutSink): Logger {
  const min = rank[level];
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (rank[lvl] < min) return;
    const entry = redact({ time: new Date().toISOString(), level: lvl, msg, ...base, ...fields });
    sink(JSON.stringify(entry), lvl);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger({ ...base, ...fields }, level, sink),
    enables: (lvl) => rank[lvl] >= min,
  };
}
