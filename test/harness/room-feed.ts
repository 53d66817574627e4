/**
 * Levels straight into one warehouse room, as one tick of the jobs runner's feed
 * (POST /internal/rooms/levels), for tests that put a room in a state Postgres never had.
 */
import type { PushResult } from '../../core/platform/room-contract.ts';

export function feedRoom(
  edge: { url: string; internalSecret: string },
  warehouseId: string,
  levels: unknown[],
  secret = edge.internalSecret,
): Promise<Response> {
  return fetch(`${edge.url}/internal/rooms/levels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ rooms: [{ warehouseId, levels }] }),
  });
}

/** What the one room of a feedRoom() tick did with its levels. */
export async function roomResult(res: Response | Promise<Response>): Promise<PushResult> {
  const body = (await (await res).json()) as { rooms: (PushResult & { warehouseId: string })[] };
  const { warehouseId: _, ...result } = body.rooms[0]!;
  return result;
}
