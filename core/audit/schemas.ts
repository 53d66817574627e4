import { z } from '@hono/zod-openapi';
import { exampleIds, exampleTime } from '../platform/openapi.ts';
import { pageQuery } from '../platform/pagination.ts';

/** What the audit triggers record (db/migrations/0025_audit.sql names them). */
export const auditEntityTypes = [
  'product',
  'user',
  'api_key',
  'warehouse',
  'transfer',
  'stock',
  'order',
  'vendor',
  'purchase_order',
  'webhook_subscription',
  'shop_connection',
] as const;
export type AuditEntityType = (typeof auditEntityTypes)[number];

const isoTime = z.iso.datetime({ offset: true });

export const auditQuery = pageQuery
  .extend({
    entityType: z.enum(auditEntityTypes).optional().openapi({ example: 'order' }),
    entityId: z.string().min(1).max(200).optional().openapi({ example: exampleIds.order }),
    actorId: z.string().min(1).max(200).optional().openapi({ example: exampleIds.user }),
    from: isoTime.optional().openapi({ description: 'Entries at or after', example: exampleTime }),
    to: isoTime.optional().openapi({ description: 'Entries before', example: '2026-01-16T09:30:00.000Z' }),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    path: ['from'],
    message: '`from` must be before `to`',
  });
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditActorSchema = z
  .object({
    kind: z.enum(['user', 'api_key', 'anonymous', 'system']).openapi({ example: 'user' }),
    id: z.string().nullable().openapi({ example: exampleIds.user }),
    name: z.string().nullable().openapi({ example: 'Maija Manager' }),
    roles: z.array(z.string()).openapi({ example: ['manager'] }),
    ip: z.string().nullable().openapi({ example: '203.0.113.7' }),
    userAgent: z.string().nullable().openapi({ example: 'Mozilla/5.0' }),
  })
  .openapi('AuditActor');

export const auditChangeSchema = z
  .object({
    before: z.unknown().openapi({ example: 'pending' }),
    after: z.unknown().openapi({ example: 'cancelled' }),
  })
  .openapi('AuditChange');

export const auditEntrySchema = z
  .object({
    at: z.string().openapi({ example: exampleTime }),
    actor: auditActorSchema,
    action: z
      .string()
      .openapi({ description: 'create, update, delete; adjustment, count for stock', example: 'update' }),
    entityType: z.enum(auditEntityTypes).openapi({ example: 'order' }),
    entityId: z.string().openapi({ example: exampleIds.order }),
    changes: z.record(z.string(), auditChangeSchema).openapi({
      description: 'The changed fields, each with its value before and after; secrets read "[redacted]"',
      example: { status: { before: 'pending', after: 'cancelled' } },
    }),
    requestId: z.string().nullable().openapi({ example: '3f2a9c1e-8d7b-4c6a-9e5f-1a2b3c4d5e6f' }),
  })
  .openapi('AuditEntry');
export type AuditEntryView = z.infer<typeof auditEntrySchema>;
