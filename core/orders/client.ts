/**
 * Orders' API for other services (integrations places the orders shops send): the same verbs as
 * the HTTP routes, with the same checks, for an actor the caller names. In one process it is a
 * direct call, as inventory's client is; a remote form would speak HTTP to the same operations.
 */
import type { Principal } from '../identity/policy.ts';
import type { InventoryClient } from '../inventory/client.ts';
import type { HoldSettings } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import type { Logger } from '../platform/logger.ts';
import { cancelOrder, patchOrder } from './order-changes.ts';
import { createOrder } from './order-creation.ts';
import { orderIdByExternalRef, readOrder } from './order-reads.ts';
import type { CreateOrder, OrderView, PatchOrder } from './schemas.ts';

export interface OrderCaller {
  principal: Principal;
  requestId: string;
}

export interface OrdersClient {
  /** Places an order (409 `duplicate-external-ref` when the caller has one with its externalRef). */
  create(input: CreateOrder, caller: OrderCaller): Promise<OrderView>;
  read(id: string, caller: OrderCaller): Promise<OrderView>;
  replaceLines(id: string, input: PatchOrder, caller: OrderCaller): Promise<OrderView>;
  cancel(id: string, caller: OrderCaller): Promise<OrderView>;
  /** The caller's order with this channel and externalRef, if it has one. */
  findByExternalRef(channel: string, externalRef: string, caller: OrderCaller): Promise<OrderView | null>;
}

export function createLocalOrdersClient(deps: {
  db: Database;
  inventory: InventoryClient;
  log: Logger;
  holds: HoldSettings;
}): OrdersClient {
  return {
    create: (input, caller) => createOrder(deps, input, caller),
    read: (id, caller) => readOrder(deps.db, id, caller.principal),
    replaceLines: (id, input, caller) => patchOrder(deps, id, input, caller),
    cancel: (id, caller) => cancelOrder(deps, id, caller),
    async findByExternalRef(channel, externalRef, caller) {
      const id = await orderIdByExternalRef(deps.db, caller.principal, channel, externalRef);
      return id ? readOrder(deps.db, id, caller.principal) : null;
    },
  };
}
