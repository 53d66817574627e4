import { expect } from 'bun:test';

/** Asserts an RFC 9457 problem response and returns its body. */
export async function expectProblem(res: Response, status: number, typeSuffix?: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  const body = JSON.parse(text) as {
    type: string;
    title: string;
    status: number;
    detail?: string;
    requestId?: string;
    errors?: { path: string; message: string }[];
  };
  expect(body.status).toBe(status);
  expect(body.title).toBeString();
  expect(body.type).toStartWith('https://varastokkr.dev/problems/');
  if (typeSuffix) expect(body.type).toEndWith(`/${typeSuffix}`);
  return body;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Polls until fn returns a value other than undefined, or fails after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
}

/** The parts of an OpenAPI document the tests look at. */
export interface OpenApiDoc {
  openapi: string;
  paths: Record<
    string,
    Record<string, { summary?: string; requestBody?: { content: Record<string, { schema?: unknown }> } }>
  >;
  components: { schemas: Record<string, unknown> };
}

/** Requests against a base URL with a caller's headers (credentials), for tests of secured routes. */
export function apiClient(base: () => string, headers: () => Record<string, string>) {
  const send = (path: string, init: RequestInit = {}) =>
    fetch(`${base()}${path}`, {
      ...init,
      headers: { ...headers(), ...(init.headers as Record<string, string>) },
    });
  return {
    send,
    get: (path: string) => send(path),
    post: (path: string, body: unknown, extra: Record<string, string> = {}) =>
      send(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...extra },
        body: JSON.stringify(body),
      }),
  };
}

/** Requests as one actor or another (their credential headers) against a base URL. */
export function requestsAs(base: () => string) {
  const send = (who: { headers: Record<string, string> }, path: string, init: RequestInit = {}) =>
    apiClient(base, () => who.headers).send(path, init);
  const json = (
    who: { headers: Record<string, string> },
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) =>
    send(who, path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  return { send, json };
}
