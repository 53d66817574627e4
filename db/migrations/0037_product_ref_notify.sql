-- Core keeps the product refs every order and stock adjustment looks up (a sku's spelling,
-- whether it is archived, its price: core/catalog/product-ref-reads.ts) for as long as Postgres says
-- nothing changed. Any statement that may change one of them says so on this channel, whoever
-- runs it (core, the import, an operator's SQL), once per statement and only when it commits;
-- core's listener (core/catalog/product-ref-listener.ts) then forgets every ref it kept. A name
-- or a description edit sets none of these columns and says nothing; nor does an insert, as
-- only refs that were found are kept and a sku is unique (a deleted one's delete said so).
CREATE FUNCTION catalog.notify_product_refs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('catalog_product_refs', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER products_notify_refs
  AFTER UPDATE OF sku, archived, price_amount, price_currency OR DELETE OR TRUNCATE
  ON catalog.products FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_product_refs();
