import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps } from '../platform/columns.ts';

export const identity = pgSchema('identity');

const at = (name: string) => timestamp(name, { withTimezone: true });

/** The roles there are; the database refuses any other. */
export const roleNames = ['admin', 'manager', 'clerk', 'partner'] as const;
export type Role = (typeof roleNames)[number];
const knownRoles = (column: unknown) =>
  sql`${column} <@ array[${sql.raw(roleNames.map((r) => `'${r}'`).join(', '))}]::text[]`;

export const users = identity.table(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text('password_hash').notNull(),
    roles: text().array().$type<Role[]>().notNull().default(sql`'{}'::text[]`),
    // Warehouse scopes are ids owned by the inventory service: no cross-schema foreign key.
    warehouseIds: uuid('warehouse_ids').array().notNull().default(sql`'{}'::uuid[]`),
    status: text().notNull().default('active'),
    lastLoginAt: at('last_login_at'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
    check('users_status_check', sql`${t.status} in ('active', 'disabled')`),
    check('users_roles_check', knownRoles(t.roles)),
  ],
);

/**
 * ES256 signing keys. A key is published (in the JWKS) while `pending` before it signs, signs
 * while `active` (one at a time), and stays published while `retired` until `expires_at`, when
 * the last token it signed has expired.
 */
export const signingKeys = identity.table(
  'signing_keys',
  {
    kid: text().primaryKey(),
    publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
    /** Legacy plaintext: emptied (and sealed) by the first process that starts after 0013. */
    privateJwk: jsonb('private_jwk').$type<Record<string, unknown>>(),
    /** The private JWK, AES-256-GCM under SIGNING_KEY_ENCRYPTION_KEY (see signing-key-sealing.ts). */
    privateKeySealed: text('private_key_sealed'),
    status: text().notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    activatedAt: at('activated_at'),
    retiredAt: at('retired_at'),
    expiresAt: at('expires_at'),
  },
  (t) => [
    check('signing_keys_status_check', sql`${t.status} in ('pending', 'active', 'retired')`),
    uniqueIndex('signing_keys_one_active').on(t.status).where(sql`${t.status} = 'active'`),
    check(
      'signing_keys_private_key_check',
      sql`${t.privateJwk} is not null or ${t.privateKeySealed} is not null`,
    ),
  ],
);

/** Opaque refresh tokens, stored as SHA-256 hashes, rotated on use, grouped in families. */
export const refreshTokens = identity.table(
  'refresh_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    familyId: uuid('family_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    status: text().notNull().default('active'),
    createdAt: at('created_at').notNull().defaultNow(),
    expiresAt: at('expires_at').notNull(),
    rotatedAt: at('rotated_at'),
    /** The successor, sealed under a key derived from this token (see refresh-tokens.ts). */
    successorSealed: text('successor_sealed'),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
    check('refresh_tokens_status_check', sql`${t.status} in ('active', 'rotated', 'revoked')`),
  ],
);

/** Partner API keys: shown once, stored as SHA-256 hashes, found by their visible prefix. */
export const apiKeys = identity.table(
  'api_keys',
  {
    id: uuid().primaryKey().defaultRandom(),
    prefix: text().notNull(),
    keyHash: text('key_hash').notNull(),
    name: text().notNull(),
    roles: text().array().$type<Role[]>().notNull(),
    warehouseIds: uuid('warehouse_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** The user the key acts for, if any: disabling that user stops the key. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** Who created the key: a user or another (admin) API key; at most one of the two. */
    createdByUserId: uuid('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdByKeyId: uuid('created_by_key_id').references((): AnyPgColumn => apiKeys.id, {
      onDelete: 'set null',
    }),
    lastUsedAt: at('last_used_at'),
    revokedAt: at('revoked_at'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('api_keys_prefix_key').on(t.prefix),
    check('api_keys_roles_check', knownRoles(t.roles)),
    check('api_keys_one_creator_check', sql`num_nonnulls(${t.createdByUserId}, ${t.createdByKeyId}) <= 1`),
  ],
);

/**
 * Sign-in attempts per (account, address), per address and per account in fixed windows, counted
 * before the password is checked; `next_attempt_at` spaces account-wide attempts out. Rows
 * `known:<account>|<address>` remember where an account last signed in (see throttle.ts).
 */
export const loginThrottle = identity.table('login_throttle', {
  key: text().primaryKey(),
  failures: integer().notNull(),
  windowStartedAt: at('window_started_at').notNull(),
  nextAttemptAt: at('next_attempt_at'),
  /** Whether the account-wide row admitted its last attempt (set in the counting statement). */
  lastAdmitted: boolean('last_admitted'),
});
