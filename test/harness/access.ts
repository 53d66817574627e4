/**
 * The access matrix: for each endpoint, which roles may call it and whether only in their own
 * warehouse. describeAccess() turns a table of endpoints into tests of every role in its own and
 * in another warehouse, plus a partner API key, no credentials and a garbage token.
 * Later issues add their endpoints to test/access-matrix.test.ts.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { createApiKey } from '../../core/identity/api-keys.ts';
import type { Role } from '../../core/identity/tables.ts';
import { warehouses } from '../../core/inventory/tables.ts';
import type { Database } from '../../core/platform/database.ts';
import { type Actor, signedIn } from './auth.ts';

export interface MatrixWorld {
  /** The warehouse in every non-admin actor's scope. */
  own: { id: string; code: string };
  /** A warehouse outside their scope. */
  other: { id: string; code: string };
  unique: () => string;
  /** Objects the cases act on (orders, transfers), by name; made by describeAccess's `prepare`. */
  fixtures: Record<string, string>;
}

export interface AccessCase {
  endpoint: string;
  /** The request, aimed at the given warehouse (for scoped endpoints). */
  request(
    world: MatrixWorld,
    warehouse: { id: string; code: string },
  ): { method: string; path: string; body?: unknown; contentType?: string };
  /** Who may: 'anywhere', or 'own' (only in their scope). Roles not listed get 403. */
  allow: Partial<Record<Role, 'anywhere' | 'own'>>;
  /** Whether the request names a warehouse, so own vs other matters. */
  scoped: boolean;
}

const roles: Role[] = ['admin', 'manager', 'clerk', 'partner'];

export function describeAccess(
  target: () => { url: string; db: Database },
  cases: AccessCase[],
  prepare?: (world: MatrixWorld, admin: Record<string, string>) => Promise<Record<string, string>>,
): void {
  const world = {} as MatrixWorld;
  const actors = new Map<string, Record<string, string>>();
  let n = 0;

  beforeAll(async () => {
    const { db } = target();
    const code = () => `M${crypto.randomUUID().replaceAll('-', '').slice(0, 7).toUpperCase()}`;
    const [own, other] = await db
      .insert(warehouses)
      .values([
        { code: code(), name: 'Matrix own' },
        { code: code(), name: 'Matrix other' },
      ])
      .returning({ id: warehouses.id, code: warehouses.code });
    Object.assign(world, {
      own: own!,
      other: other!,
      unique: () => `${Date.now().toString(36)}${(n++).toString(36)}`,
    });
    for (const role of roles) {
      const actor: Actor = await signedIn(target(), {
        roles: [role],
        warehouseIds: role === 'admin' ? [] : [own!.id],
      });
      actors.set(role, actor.headers);
    }
    const key = await createApiKey(
      db,
      { name: 'matrix partner key', roles: ['partner'], warehouseIds: [own!.id] },
      null,
    );
    actors.set('partner key', { 'x-api-key': key.key });
    world.fixtures = prepare ? await prepare(world, actors.get('admin')!) : {};
  });

  const call = async (
    c: AccessCase,
    headers: Record<string, string>,
    warehouse: { id: string; code: string },
  ) => {
    const { method, path, body, contentType = 'application/json' } = c.request(world, warehouse);
    const raw = contentType === 'application/json' ? JSON.stringify(body) : String(body);
    return fetch(`${target().url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': contentType }) },
      body: body === undefined ? undefined : raw,
    });
  };

  for (const c of cases) {
    describe(c.endpoint, () => {
      test('no credentials: 401', async () => {
        expect((await call(c, {}, world.own)).status).toBe(401);
      });
      test('a garbage token: 401', async () => {
        expect((await call(c, { authorization: 'Bearer abc.def.ghi' }, world.own)).status).toBe(401);
      });
      const principals = [...roles.map((r) => [r, r] as const), ['partner key', 'partner'] as const];
      for (const [who, role] of principals) {
        const places = c.scoped ? (['own', 'other'] as const) : (['own'] as const);
        for (const place of places) {
          const rule = c.allow[role];
          const allowed = rule === 'anywhere' || (rule === 'own' && (place === 'own' || !c.scoped));
          test(`${who}${c.scoped ? ` in ${place} warehouse` : ''}: ${allowed ? 'allowed' : '403'}`, async () => {
            const res = await call(c, actors.get(who)!, world[place]);
            const body = await res.text();
            if (allowed) {
              expect([401, 403], body).not.toContain(res.status);
              expect(res.status, body).toBeLessThan(500);
            } else {
              expect(res.status, body).toBe(403);
            }
          });
        }
      }
    });
  }
}
