import { describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { createTestDatabase } from '../../test/harness/database.ts';
import { captureLogger } from '../../test/harness/logs.ts';
import { configSchema } from './config.ts';
import { ConfigError, parseEnv } from './env.ts';
import { expected, returnedRow } from './invariant.ts';
import { createLogger, redact } from './logger.ts';
import { ConflictError, toProblem, ValidationError } from './problem.ts';
import { requestIdFrom } from './request-id.ts';

describe('problem mapping', () => {
  test('an AppError keeps its status, type and extensions', () => {
    const p = toProblem(
      new ConflictError('short', 'out-of-stock', { lines: [{ sku: 'A', short: 2 }] }),
      'req-12345678',
    );
    expect(p).toMatchObject({
      status: 409,
      type: 'https://varastokkr.dev/problems/out-of-stock',
      detail: 'short',
    });
    expect(p.lines).toEqual([{ sku: 'A', short: 2 }]);
    expect(p.requestId).toBe('req-12345678');
  });

  test('validation problems list the offending fields', () => {
    const p = toProblem(new ValidationError([{ path: 'lines.0.qty', message: 'must be positive' }]));
    expect(p.status).toBe(422);
    expect(p.errors).toEqual([{ path: 'lines.0.qty', message: 'must be positive' }]);
  });

  test('an unexpected error becomes a 500 that leaks nothing', () => {
    const p = toProblem(new Error('password authentication failed for user "postgres" at /srv/app/db.ts:12'));
    expect(p.status).toBe(500);
    expect(JSON.stringify(p)).not.toContain('postgres');
    expect(JSON.stringify(p)).not.toContain('db.ts');
  });
});

describe('logger', () => {
  test('redacts secret-looking fields at any depth', () => {
    const out = redact({
      password: 'hunter2',
      nested: { accessToken: 'abc', apiKey: 'k', DATABASE_URL: 'postgres://u:p@h/db', safe: 1 },
      headers: [{ authorization: 'Bearer x' }],
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|abc|postgres:\/\/|Bearer/);
    expect((out as { nested: { safe: number } }).nested.safe).toBe(1);
  });

  test("a failed query's parameters never reach the log, and its Postgres cause does", async () => {
    const database = await createTestDatabase('logger');
    try {
      const err = await database.db.execute(sql`select ${'hunter2-secret'}::int`).catch((e: unknown) => e);
      const { log, lines } = captureLogger();
      log.error('query failed', { err });
      const text = JSON.stringify(lines);
      expect(text).not.toContain('hunter2-secret');
      expect(text).toContain('22P02'); // invalid_text_representation, from the cause
    } finally {
      await database.drop();
    }
  });

  test('writes one JSON line per entry with the bound fields, honouring the level', () => {
    const { log, lines } = captureLogger({ service: 'x' });
    log.child({ requestId: 'r1' }).info('hello', { n: 1 });
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'hello', service: 'x', requestId: 'r1', n: 1 });
    expect(typeof lines[0]!.time).toBe('string');
  });

  test('says which levels it writes, as its children do', () => {
    const written: string[] = [];
    const log = createLogger({}, 'info', (line) => written.push(line));
    expect([log.enables('debug'), log.enables('info'), log.child({ a: 1 }).enables('warn')]).toEqual([
      false,
      true,
      true,
    ]);
    log.debug('hidden');
    log.child({ a: 1 }).warn('shown');
    expect(written.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });
});

describe('configuration', () => {
  test('defaults give a working local setup', () => {
    const cfg = parseEnv(configSchema, {});
    expect(cfg.EDGE_PORT).toBe(8787);
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(cfg.EMBEDDED_PG_PORT).toBeGreaterThanOrEqual(15400);
  });

  test('every bad variable is named in one error', () => {
    const run = () =>
      parseEnv(configSchema, { CORE_PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'nope' });
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (err) {
      const msg = (err as Error).message;
      for (const name of ['CORE_PORT', 'LOG_LEVEL', 'DATABASE_URL']) expect(msg).toContain(name);
    }
  });

  test('empty strings count as unset', () => {
    expect(parseEnv(z.object({ A: z.string().default('d') }), { A: '' }).A).toBe('d');
  });
});

describe('request ids', () => {
  test('a sane incoming id is kept; anything else is replaced', () => {
    expect(requestIdFrom('abc-123_456.789')).toBe('abc-123_456.789');
    for (const bad of [undefined, '', 'short', 'has spaces in it', 'x'.repeat(200), 'new\nline-injected']) {
      const id = requestIdFrom(bad);
      expect(id).not.toBe(bad as string);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('invariants', () => {
  test('expected passes a value through (falsy ones too) and names what was missing', () => {
    expect(expected(0, 'a count')).toBe(0);
    expect(expected('', 'a tag')).toBe('');
    expect(() => expected(undefined, 'the row')).toThrow('Expected the row, found none.');
    expect(() => expected(null, 'the row')).toThrow('Expected the row, found none.');
  });

  test('returnedRow is the first row, and an error for none', () => {
    expect(returnedRow([{ id: 1 }, { id: 2 }])).toEqual({ id: 1 });
    expect(() => returnedRow([])).toThrow('Expected the statement to return a row');
  });
});
