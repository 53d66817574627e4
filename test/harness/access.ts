/**
 * The access matrix: for each endpoint, which roles may call it and whether only in their own
 * warehouse. describeAccess() turns a table of endpoints into tests of every role, as a signed-in
 * user and as an API key, in its own and in another warehouse, plus no credentials and a garbage
 * token. "Allowed" means the endpoint's documented success status (from /openapi.json), with a
 * fresh object made for each call, not merely "not 401/403": a 404 or a 409 fails the matrix.
 * Every secured operation in the OpenAPI document must have a row (a new endpoint without one fails).
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { createApiKey } from '../../core/identity/api-keys.ts';
import type { Role } from '../../core/identity/tables.ts';
import { warehouses } from '../../core/inventory/tables.ts';
import type { Database } from '../../core/platform/database.ts';
import { signedIn } from './auth.ts';

export interface Place {
  id: string;
  code: string;
}

export interface MatrixWorld {
  /** The warehouse in every non-admin caller's scope. */
  own: Place;
  /** A warehouse outside their scope. */
  other: Place;
  /** A third warehouse outside every scope, for the far end of transfers. */
  third: Place;
  unique: () => string;
  db: Database;
  /** Whatever the `prepare` step made (a stocked sku, ...), by name. */
  fixtures: Record<string, string>;
}

export interface MatrixRequest {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

/** What a row's request builder may use to make the object the call acts on. */
export interface CallContext {
  world: MatrixWorld;
  warehouse: Place;
  /** Calls as the admin; fails the test unless the answer is 2xx. Returns the parsed body (or headers). */
  admin(method: string, path: string, body?: unknown): Promise<{ body: unknown; headers: Headers }>;
  /**
   * Makes an object as the caller when the caller may (so it owns it), else as the admin:
   * returns the new object's id.
   */
  make(path: string, body: unknown): Promise<string>;
}

export type Credential = 'token' | 'key';

export interface AccessCase {
  /** `METHOD /path` exactly as in the OpenAPI document, e.g. `GET /api/orders/{id}`. */
  endpoint: string;
  /** What this row asks, when one endpoint has several (GraphQL's fields). */
  label?: string;
  /** Who may: 'anywhere', or 'own' (only in their scope). Roles not listed get 403. */
  allow: Partial<Record<Role, 'anywhere' | 'own'>>;
  /** Whether the request names a warehouse, so own vs other matters. */
  scoped: boolean;
  /**
   * Roles refused with 404 instead of 403: the object is not theirs, and saying so would tell
   * them it exists (a partner asking for another owner's order).
   */
  hiddenFrom?: Role[];
  /** Only these credential kinds may call it (others get 403); both by default. */
  credentials?: Credential[];
  /** The request, aimed at the given warehouse, with a fresh object made for it. */
  request(ctx: CallContext): Promise<MatrixRequest> | MatrixRequest;
}

const roles: Role[] = ['admin', 'manager', 'clerk', 'partner'];

interface Caller {
  label: string;
  role: Role;
  credential: Credential;
  headers: Record<string, string>;
}

type OpenApiDoc = { paths: Record<string, Record<string, { security?: unknown[]; responses?: object }>> };

export function describeAccess(
  target: () => { url: string; db: Database },
  cases: AccessCase[],
  prepare?: (world: MatrixWorld, admin: CallContext['admin']) => Promise<Record<string, string>>,
): void {
  const world = {} as MatrixWorld;
  const callers: Caller[] = [];
  let adminHeaders: Record<string, string> = {};
  let doc: OpenApiDoc;
  let n = 0;

  const send = (headers: Record<string, string>, r: MatrixRequest) => {
    const { method, path, body, contentType = 'application/json' } = r;
    const raw =
      body === undefined
        ? undefined
        : contentType === 'application/json'
          ? JSON.stringify(body)
          : String(body);
    return fetch(`${target().url}${path}`, {
      method,
      headers: { ...headers, ...(raw === undefined ? {} : { 'content-type': contentType }), ...r.headers },
      body: raw,
    });
  };
  const admin: CallContext['admin'] = async (method, path, body) => {
    const res = await send(adminHeaders, { method, path, body });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`setup ${method} ${path} as admin: ${res.status} ${text}`);
    return { body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };

  beforeAll(async () => {
    const { db, url } = target();
    const code = () => `M${crypto.randomUUID().replaceAll('-', '').slice(0, 7).toUpperCase()}`;
    const [own, other, third] = await db
      .insert(warehouses)
      .values([
        { code: code(), name: 'Matrix own' },
        { code: code(), name: 'Matrix other' },
        { code: code(), name: 'Matrix third' },
      ])
      .returning({ id: warehouses.id, code: warehouses.code });
    Object.assign(world, {
      own: own!,
      other: other!,
      third: third!,
      db,
      unique: () => `${Date.now().toString(36)}${(n++).toString(36)}`,
    });
    for (const role of roles) {
      const warehouseIds = role === 'admin' ? [] : [own!.id];
      const user = await signedIn(target(), { roles: [role], warehouseIds });
      callers.push({ label: `${role} user`, role, credential: 'token', headers: user.headers });
      const key = await createApiKey(db, { name: `matrix ${role} key`, roles: [role], warehouseIds }, null);
      callers.push({ label: `${role} API key`, role, credential: 'key', headers: { 'x-api-key': key.key } });
      if (role === 'admin') adminHeaders = user.headers;
    }
    doc = (await (await fetch(`${url}/openapi.json`)).json()) as OpenApiDoc;
    world.fixtures = prepare ? await prepare(world, admin) : {};
  });

  test('every secured operation in the OpenAPI document has a row in the matrix', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => (op.security?.length ?? 0) > 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    const rows = new Set(cases.map((c) => c.endpoint));
    expect(documented.filter((e) => !rows.has(e))).toEqual([]);
    expect(cases.map((c) => c.endpoint).filter((e) => !documented.includes(e))).toEqual([]);
  });

  /** The documented 2xx statuses of an operation. */
  const successes = (endpoint: string) => {
    const [method, path] = endpoint.split(' ') as [string, string];
    const op = doc.paths[path]?.[method.toLowerCase()];
    return Object.keys(op?.responses ?? {})
      .map(Number)
      .filter((s) => s >= 200 && s < 300);
  };

  const context = (caller: Caller, warehouse: Place): CallContext => ({
    world,
    warehouse,
    admin,
    make: async (path, body) => {
      const res = await send(caller.headers, { method: 'POST', path, body });
      if (res.status === 201) return ((await res.json()) as { id: string }).id;
      return ((await admin('POST', path, body)).body as { id: string }).id;
    },
  });

  for (const c of cases) {
    describe(c.label ? `${c.endpoint} (${c.label})` : c.endpoint, () => {
      test('no credentials: 401', async () => {
        const r = await c.request(context(callers[0]!, world.own));
        expect((await send({}, r)).status).toBe(401);
      });
      test('a garbage token: 401', async () => {
        const r = await c.request(context(callers[0]!, world.own));
        expect((await send({ authorization: 'Bearer abc.def.ghi' }, r)).status).toBe(401);
      });
      for (const role of roles) {
        for (const credential of ['token', 'key'] as const) {
          const places = c.scoped ? (['own', 'other'] as const) : (['own'] as const);
          for (const place of places) {
            const rule = c.allow[role];
            const allowed =
              (c.credentials ?? ['token', 'key']).includes(credential) &&
              (rule === 'anywhere' || (rule === 'own' && (place === 'own' || !c.scoped)));
            const who = `${role} ${credential === 'token' ? 'user' : 'API key'}`;
            test(`${who}${c.scoped ? ` in ${place} warehouse` : ''}: ${allowed ? 'allowed' : '403'}`, async () => {
              const caller = callers.find((x) => x.role === role && x.credential === credential)!;
              const r = await c.request(context(caller, world[place]));
              const res = await send(caller.headers, r);
              const body = (await res.text()).slice(0, 400);
              if (allowed) {
                const documented = successes(c.endpoint);
                expect(documented.length, `${c.endpoint} documents no 2xx`).toBeGreaterThan(0);
                expect(documented, body).toContain(res.status);
              } else {
                expect(res.status, body).toBe(c.hiddenFrom?.includes(role) ? 404 : 403);
              }
            });
          }
        }
      }
    });
  }
}
