/** Shops connected to push their orders in: made, listed and removed by admins. */
import { and, eq } from 'drizzle-orm';
import type { Principal } from '../identity/policy.ts';
import type { AuthSettings } from '../identity/settings.ts';
import { readWarehouseDirectory } from '../inventory/level-reads.ts';
import { type Database, isUniqueViolation, pgConstraint } from '../platform/database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../platform/problem.ts';
import { sealConnectionSecret } from './connection-secrets.ts';
import type { ConnectionView, CreateConnection } from './ingestion-schemas.ts';
import { normalizeShopDomain, normalizeSiteUrl } from './platform-orders.ts';
import { type ConnectionKind, connections } from './tables.ts';

export type ConnectionRow = typeof connections.$inferSelect;

const receiverPath = (kind: ConnectionKind) => `/api/integrations/${kind}/orders`;

export const connectionView = (r: ConnectionRow): ConnectionView => ({
  id: r.id,
  kind: r.kind,
  source: r.source,
  warehouseId: r.warehouseId,
  channel: r.channel,
  receiverPath: receiverPath(r.kind),
  createdAt: r.createdAt.toISOString(),
});

export async function createConnection(
  db: Database,
  settings: AuthSettings,
  input: CreateConnection,
  principal: Principal,
): Promise<ConnectionView> {
  const known = await readWarehouseDirectory(db.$client);
  if (!known.some((w) => w.id === input.warehouseId))
    throw new ValidationError([{ path: 'warehouseId', message: 'No such warehouse.' }]);
  const [source, field] =
    input.kind === 'shopify'
      ? [normalizeShopDomain(input.shopDomain), 'shopDomain']
      : [normalizeSiteUrl(input.siteUrl), 'siteUrl'];
  const id = crypto.randomUUID();
  try {
    const [row] = await db
      .insert(connections)
      .values({
        id,
        kind: input.kind,
        source,
        secretSealed: await sealConnectionSecret(settings, id, input.secret),
        warehouseId: input.warehouseId,
        channel: input.channel,
        createdBy: principal.id,
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    return connectionView(row);
  } catch (err) {
    if (isUniqueViolation(err) && pgConstraint(err) === 'connections_channel_key')
      throw new ConflictError(
        `Another shop's orders carry the channel ${input.channel}: give each shop its own.`,
        'duplicate-channel',
        { errors: [{ path: 'channel', message: 'Used by another connection' }] },
      );
    if (isUniqueViolation(err))
      throw new ConflictError(`This ${input.kind} shop is connected already.`, 'duplicate-connection', {
        errors: [{ path: field, message: 'Connected already' }],
      });
    throw err;
  }
}

export async function listConnections(db: Database): Promise<ConnectionView[]> {
  const rows = await db.select().from(connections).orderBy(connections.createdAt, connections.id);
  return rows.map(connectionView);
}

/** Removes a connection with its deliveries and ingestions; orders made from them stay. */
export async function deleteConnection(db: Database, id: string): Promise<void> {
  const deleted = await db
    .delete(connections)
    .where(eq(connections.id, id))
    .returning({ id: connections.id });
  if (deleted.length === 0) throw new NotFoundError('No such connection.');
}

export async function connectionBySource(
  db: Database,
  kind: ConnectionKind,
  source: string,
): Promise<ConnectionRow | undefined> {
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.kind, kind), eq(connections.source, source)));
  return row;
}
