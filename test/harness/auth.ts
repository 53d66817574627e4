import { PasswordHasher } from '../../core/identity/passwords.ts';
import type { Role } from '../../core/identity/tables.ts';
import { createUser, type UserView } from '../../core/identity/users.ts';
import type { Database } from '../../core/platform/database.ts';
import { testAuthSettings } from './core.ts';
import { postJson } from './http.ts';

/** A signed-in user, with the headers to act as them. */
export interface Actor {
  user: UserView;
  password: string;
  accessToken: string;
  refreshToken: string;
  headers: Record<string, string>;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: UserView;
}

const hasher = new PasswordHasher(2, 1000);

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function login(url: string, email: string, password: string): Promise<TokenPair> {
  const res = await postJson(`${url}/api/auth/login`, { email, password });
  if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TokenPair;
}

/**
 * Creates a user straight in the database and signs them in over HTTP (through `url`, core or
 * the edge). Every route's tests use this to act as a role in a scope.
 */
export async function signedIn(
  target: { url: string; db: Database },
  opts: { roles: Role[]; warehouseIds?: string[]; email?: string; name?: string },
): Promise<Actor> {
  const password = `pw-${crypto.randomUUID()}`;
  const email = opts.email ?? `${opts.roles.join('-')}-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const user = await createUser(target.db, hasher, testAuthSettings(), {
    email,
    password,
    name: opts.name ?? `Test ${opts.roles.join('/')}`,
    roles: opts.roles,
    warehouseIds: opts.warehouseIds ?? [],
  });
  const tokens = await login(target.url, email, password);
  return {
    user,
    password,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    headers: bearer(tokens.accessToken),
  };
}
