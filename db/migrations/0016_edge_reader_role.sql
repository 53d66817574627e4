-- The edge worker's own database role: it reads the catalog, the warehouse list and stock levels
-- (edge/catalog.ts, edge/availability.ts, the warehouse rooms' rebuild) and nothing else. No
-- write anywhere, no identity schema (signing keys, refresh tokens, api keys, password hashes),
-- no orders, no jobs. NOLOGIN: a migration holds no password. A login is made outside
-- migrations, e.g. in production:
--   create role edge_reader login password '...' in role varastokkr_edge;
--   alter role edge_reader set default_transaction_read_only = on;
-- and the edge's DATABASE_URL names that login (`bun run dev` and the tests make their own).
-- Roles are cluster-wide, so another database of the same cluster may have made it already.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'varastokkr_edge') THEN
    CREATE ROLE varastokkr_edge NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA catalog, inventory TO varastokkr_edge;
--> statement-breakpoint
-- Products are what the edge serves, whole (edge/catalog.ts through core/catalog/product-reads.ts).
GRANT SELECT ON catalog.products TO varastokkr_edge;
--> statement-breakpoint
-- The warehouse directory (edge/availability.ts).
GRANT SELECT (id, code) ON inventory.warehouses TO varastokkr_edge;
--> statement-breakpoint
-- A warehouse room's rebuild (edge/warehouse-stock-room.ts).
GRANT SELECT (warehouse_id, sku, on_hand, reserved, version) ON inventory.stock_levels TO varastokkr_edge;
