-- A statement that writes several requests' orders names each order's author in one setting
-- (core/platform/audit-context.ts, auditSettingSql). Read as one jsonb object, every row's
-- trigger parsed the whole setting again: a 64-order batch paid 64 parses of 64 authors, ~1 ms
-- per row, the order path's largest cost at 64 clients. The setting now lists the authors one
-- per line, each after its entity id as a JSON string and a tab (JSON.stringify escapes every
-- newline and tab, so a line cannot be forged), and a row's trigger finds its own line and
-- parses that line alone. It searches bytes, not text: text positions in UTF-8 count characters
-- from the start on every call, which cost ~3x the byte search here. A setting that starts
-- with '{' is one context for every row, as before (and what a core released before this
-- migration sends).
CREATE OR REPLACE FUNCTION audit.context_for(p_entity_id text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_set text := current_setting('varastokkr.audit', true);
  v_ctx jsonb;
  v_lines bytea;
  v_key bytea;
  v_from int;
  v_end int;
BEGIN
  IF v_set IS NULL OR v_set = '' THEN RETURN '{}'::jsonb; END IF;
  IF left(v_set, 1) = '{' THEN
    v_ctx := v_set::jsonb;
    RETURN coalesce(v_ctx->'entities'->p_entity_id, v_ctx);
  END IF;
  v_lines := convert_to(v_set, 'UTF8');
  v_key := convert_to(E'\n' || to_json(p_entity_id)::text || E'\t', 'UTF8');
  v_from := position(v_key IN v_lines);
  IF v_from = 0 THEN RETURN '{}'::jsonb; END IF;
  v_lines := substring(v_lines FROM v_from + length(v_key));
  v_end := position('\x0a'::bytea IN v_lines);
  IF v_end > 0 THEN v_lines := substring(v_lines FOR v_end - 1); END IF;
  RETURN convert_from(v_lines, 'UTF8')::jsonb;
END $$;
