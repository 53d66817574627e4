import { z } from '@hono/zod-openapi';
import { roleNames } from './tables.ts';

const email = z.email().max(254).openapi({ example: 'clerk@example.com' });
const roles = z
  .array(z.enum(roleNames))
  .min(1)
  .max(roleNames.length)
  .transform((r) => [...new Set(r)])
  .openapi({ example: ['clerk'] });
const warehouseIds = z
  .array(z.uuid())
  .max(100)
  .transform((ids) => [...new Set(ids)]);
// The minimum length is a setting (PASSWORD_MIN_LENGTH), checked where passwords are set.
const newPassword = z.string().max(1024).openapi({ example: 'correct horse battery staple' });

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.enum(roleNames)),
    warehouseIds: z.array(z.string()),
    status: z.enum(['active', 'disabled']),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('User');

export const meSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['user', 'api_key']),
    email: z.string().nullable(),
    name: z.string(),
    roles: z.array(z.enum(roleNames)),
    warehouseIds: z.array(z.string()),
  })
  .openapi('Me');

export const loginSchema = z
  .object({ email: z.string().max(254), password: z.string().min(1).max(1024) })
  .strict()
  .openapi('Login');

export const refreshSchema = z
  .object({ refreshToken: z.string().min(1).max(512) })
  .strict()
  .openapi('Refresh');

export const tokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires' }),
    user: userSchema,
  })
  .openapi('TokenPair');

export const createUserSchema = z
  .object({
    email,
    password: newPassword,
    name: z.string().trim().min(1).max(200),
    roles,
    warehouseIds: warehouseIds.default([]),
  })
  .strict()
  .openapi('CreateUser');

export const updateUserSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    roles: roles.optional(),
    warehouseIds: warehouseIds.optional(),
    status: z.enum(['active', 'disabled']).optional(),
    password: newPassword.optional(),
  })
  .strict()
  .openapi('UpdateUser');

/** What a user may change about themselves: never roles, scopes or status. */
export const updateMeSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    currentPassword: z.string().max(1024).optional(),
    newPassword: newPassword.optional(),
  })
  .strict()
  .refine((v) => v.newPassword === undefined || v.currentPassword !== undefined, {
    path: ['currentPassword'],
    message: 'Required to set a new password',
  })
  .openapi('UpdateMe');

export const createApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    roles,
    warehouseIds: warehouseIds.default([]),
    userId: z
      .uuid()
      .optional()
      .openapi({ description: 'The user the key acts for: disabling them stops it' }),
  })
  .strict()
  .openapi('CreateApiKey');

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    roles: z.array(z.enum(roleNames)),
    warehouseIds: z.array(z.string()),
    userId: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('ApiKey');

export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().openapi({ description: 'The key itself: shown this once, store it now' }) })
  .openapi('CreatedApiKey');

export const idParam = z.object({ id: z.uuid() });

export const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi('Jwks');
