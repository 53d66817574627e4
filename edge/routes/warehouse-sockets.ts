/**
 * GET /ws/warehouses/:id, the live warehouse rooms: before the upgrade, the caller is checked
 * with core (a disabled user, a logged-out session or a revoked key is refused even with an
 * unexpired credential) and asked the same policy as GET /api/warehouses/:id/stock. Browsers
 * send an access token (?token= or the protocol bearer.<token>); other clients may send
 * X-API-Key, which never expires but is closed when revoked. `?skus=A,B` makes a socket that
 * watches only those skus (a scanner, a till): its snapshot holds only their levels.
 */
import { Hono } from 'hono';
import { AppError, NotFoundError, ValidationError } from '../../core/platform/problem.ts';
import { fieldErrors } from '../../core/platform/validation.ts';
import { type EdgeEnv, edgeConfig, warehouseRoom } from '../env.ts';
import { socketAccess } from '../room-access.ts';
import { watchedSkusSchema } from '../room-types.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `?skus=A,B` as the lowercased skus to watch; null without it; a 422 naming `skus` when bad. */
function watchedSkus(query: string | undefined): string[] | null {
  if (query === undefined) return null;
  // `?skus=` (none) watches no level: events only.
  const parsed = watchedSkusSchema.safeParse(query === '' ? [] : query.split(',').map((s) => s.trim()));
  if (!parsed.success)
    throw new ValidationError(
      fieldErrors(parsed.error.issues).map((e) => ({
        ...e,
        path: e.path === '(body)' ? 'skus' : `skus.${e.path}`,
      })),
    );
  return parsed.data;
}

export const warehouseSocketRoutes = new Hono<EdgeEnv>().get('/ws/warehouses/:id', async (c) => {
  const id = c.req.param('id');
  if (!uuidPattern.test(id)) throw new NotFoundError('No such warehouse room.');
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
    throw new AppError(426, 'upgrade-required', 'Upgrade required', 'Connect with a WebSocket.');
  const fromProtocol = c.req
    .header('sec-websocket-protocol')
    ?.split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith('bearer.'))
    ?.slice('bearer.'.length);
  const token = c.req.query('token') ?? fromProtocol;
  const credentials = { token, apiKey: token ? undefined : c.req.header('x-api-key') };
  const access = await socketAccess(edgeConfig(c.env), credentials, id, c.var.requestId);
  const watch = watchedSkus(c.req.query('skus')); // after the credentials: a stranger gets 401, not 422
  const headers = new Headers(c.req.raw.headers);
  headers.set('x-warehouse-id', id);
  headers.set('x-room-access', JSON.stringify(access));
  headers.set('x-room-watch', JSON.stringify(watch));
  if (fromProtocol) headers.set('sec-websocket-protocol', `bearer.${fromProtocol}`);
  return warehouseRoom(c.env, id).fetch(new Request(c.req.raw, { headers }));
});
