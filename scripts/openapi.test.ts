/**
 * openapi.json is the document the edge serves: what a typed client and the linters read is
 * what users get. Through the real edge (workerd), merged over a running core.
 */
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { testEdge } from '../test/harness/edge.ts';
import { buildOpenApi, OPENAPI_FILE, openApiText } from './openapi.ts';

type Operation = {
  operationId?: string;
  description?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { example?: unknown }> }>;
};

test('the committed openapi.json is the document the edge serves (run `bun run openapi` when this fails)', async () => {
  const edge = await testEdge();
  const res = await fetch(`${edge.url}/openapi.json`);
  expect(res.status).toBe(200);
  const served = await res.json();
  const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
  expect(
    committed,
    'openapi.json differs from GET /openapi.json: run `bun run openapi` and commit it',
  ).toEqual(served);
  // And `bun run openapi` builds that same document without a stack.
  expect(openApiText(await buildOpenApi())).toBe(readFileSync(OPENAPI_FILE, 'utf8'));
});

test('every operation has a unique camelCase operationId, a description, its security and examples', () => {
  const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
    info: { license?: { name: string } };
    servers?: unknown[];
  };
  expect(doc.info.license?.name).toBe('MIT');
  expect(doc.servers?.length).toBeGreaterThan(0);
  const ids: string[] = [];
  const gaps: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const at = `${method.toUpperCase()} ${path}`;
      ids.push(op.operationId ?? '');
      if (!/^[a-z][A-Za-z0-9]*$/.test(op.operationId ?? '')) gaps.push(`${at}: operationId`);
      if (!op.description) gaps.push(`${at}: description`);
      if (!Array.isArray(op.security)) gaps.push(`${at}: security`);
      const bodies = [
        ...Object.values(op.requestBody?.content ?? {}),
        ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {})),
      ];
      if (bodies.some((b) => b.example === undefined)) gaps.push(`${at}: example`);
    }
  }
  expect(gaps).toEqual([]);
  expect(ids.length).toBeGreaterThanOrEqual(50);
  expect(new Set(ids).size).toBe(ids.length);
});
