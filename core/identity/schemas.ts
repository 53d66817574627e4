import { z } from '@hono/zod-openapi';
import { exampleIds, exampleTime } from '../platform/openapi.ts';
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
  .transform((ids) => [...new Set(ids)])
  .openapi({ example: [exampleIds.warehouse] });
// The minimum length is a setting (PASSWORD_MIN_LENGTH), checked where passwords are set.
const newPassword = z.string().max(1024).openapi({ example: 'correct horse battery staple' });

const personName = z.string().trim().min(1).max(200).openapi({ example: 'Aino Virtanen' });

export const userSchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.user }),
    email: z.string().openapi({ example: 'clerk@example.com' }),
    name: z.string().openapi({ example: 'Aino Virtanen' }),
    roles: z.array(z.enum(roleNames)).openapi({ example: ['clerk'] }),
    warehouseIds: z.array(z.string()).openapi({ example: [exampleIds.warehouse] }),
    status: z.enum(['active', 'disabled']),
    lastLoginAt: z.string().nullable().openapi({ example: exampleTime }),
    createdAt: z.string().openapi({ example: '2026-01-02T08:00:00.000Z' }),
  })
  .openapi('User');

export const meSchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.user }),
    kind: z.enum(['user', 'api_key']),
    email: z.string().nullable().openapi({ example: 'clerk@example.com' }),
    name: z.string().openapi({ example: 'Aino Virtanen' }),
    roles: z.array(z.enum(roleNames)).openapi({ example: ['clerk'] }),
    warehouseIds: z.array(z.string()).openapi({ example: [exampleIds.warehouse] }),
    actions: z.array(z.string()).openapi({
      description:
        'The policy actions the caller may attempt (scoped ones only in `warehouseIds`, or everywhere for admins). For clients deciding what to show; the API still decides every call.',
      example: ['profile:read', 'catalog:read', 'stock:read', 'stock:adjust'],
    }),
  })
  .openapi('Me');

export const loginSchema = z
  .object({
    email: z.string().max(254).openapi({ example: 'clerk@example.com' }),
    password: z.string().min(1).max(1024).openapi({ example: 'correct horse battery staple' }),
  })
  .strict()
  .openapi('Login');

export const refreshSchema = z
  .object({
    refreshToken: z
      .string()
      .min(1)
      .max(512)
      .openapi({ example: 'IcMmx9eA8wYyhpkqrndwY2mnV8uH65f0HNcDSftO4OA' }),
  })
  .strict()
  .openapi('Refresh');

export const tokenPairSchema = z
  .object({
    accessToken: z.string().openapi({
      example: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiIzZjJiOGMxYSJ9.MEUCIQDx7b2n4yGfQ1r8',
    }),
    refreshToken: z.string().openapi({ example: 'IcMmx9eA8wYyhpkqrndwY2mnV8uH65f0HNcDSftO4OA' }),
    tokenType: z.literal('Bearer'),
    expiresIn: z
      .number()
      .int()
      .openapi({ description: 'Seconds until the access token expires', example: 900 }),
    user: userSchema,
  })
  .openapi('TokenPair');

export const createUserSchema = z
  .object({
    email,
    password: newPassword,
    name: personName,
    roles,
    warehouseIds: warehouseIds.default([]),
  })
  .strict()
  .openapi('CreateUser');

export const updateUserSchema = z
  .object({
    name: personName.optional(),
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
    name: personName.optional(),
    currentPassword: z.string().max(1024).optional().openapi({ example: 'Tr0ubador&3' }),
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
    name: z.string().trim().min(1).max(200).openapi({ example: 'Webshop' }),
    roles: roles.openapi({ example: ['partner'] }),
    warehouseIds: warehouseIds.default([]),
    userId: z.uuid().optional().openapi({
      description: 'The user the key acts for: disabling them stops it',
      example: exampleIds.user,
    }),
  })
  .strict()
  .openapi('CreateApiKey');

export const apiKeySchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.apiKey }),
    name: z.string().openapi({ example: 'Webshop' }),
    prefix: z.string().openapi({ example: 'q7m2x9k4tb' }),
    roles: z.array(z.enum(roleNames)).openapi({ example: ['partner'] }),
    warehouseIds: z.array(z.string()).openapi({ example: [exampleIds.warehouse] }),
    userId: z.string().nullable().openapi({ example: exampleIds.user }),
    lastUsedAt: z.string().nullable().openapi({ example: exampleTime }),
    revokedAt: z.string().nullable().openapi({ example: null }),
    createdAt: z.string().openapi({ example: '2026-01-02T08:00:00.000Z' }),
  })
  .openapi('ApiKey');

export const createdApiKeySchema = apiKeySchema
  .extend({
    key: z.string().openapi({
      description: 'The key itself: shown this once, store it now',
      example: 'vk_q7m2x9k4tb_zF2Ez6JLp5Qh0qDkA54YfmXJvmWzzVqgW--cV6NvvLc',
    }),
  })
  .openapi('CreatedApiKey');

export const idParam = z.object({ id: z.uuid().openapi({ example: exampleIds.user }) });

export const jwksSchema = z
  .object({
    keys: z.array(z.record(z.string(), z.unknown())).openapi({
      example: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          kid: 'k1',
          alg: 'ES256',
          use: 'sig',
        },
      ],
    }),
  })
  .openapi('Jwks');
