-- A warehouse room's rebuild also reads the warehouse's submitted purchase orders, so availability
-- at the edge shows what is on order (edge/room-purchase-orders.ts, through
-- core/purchasing/on-order-reads.ts): the columns that read needs, and nothing else of purchasing
-- (vendors, costs, notes, who did what).
GRANT USAGE ON SCHEMA purchasing TO varastokkr_edge;
--> statement-breakpoint
GRANT SELECT (id, warehouse_id, status, expected_at, version) ON purchasing.purchase_orders TO varastokkr_edge;
--> statement-breakpoint
GRANT SELECT (purchase_order_id, sku, qty, received) ON purchasing.purchase_order_lines TO varastokkr_edge;
