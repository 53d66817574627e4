-- hold_stock locks its levels with `s.warehouse_id = ANY(v_lw) AND s.sku = ANY(v_ls) ...`, and
-- for a statement over arrays the planner keeps choosing a custom plan: that one statement was
-- planned on every call, ~0.13 ms of a hold at one client (bench order-profile). A plan kept for
-- the connection's life is as good here: the function's own SET pins (no sequential scans, no
-- hash or merge joins) leave the planner only primary-key probes whatever the keys, and an
-- ANALYZE of a table still makes the kept plans anew.
ALTER FUNCTION inventory.hold_stock(jsonb) SET plan_cache_mode = force_generic_plan;
