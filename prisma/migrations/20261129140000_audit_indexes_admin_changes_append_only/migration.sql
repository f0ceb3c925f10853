-- Audit filters: "all denied/failed grants in a time range" must not scan every
-- grant. (user, account and role filters already have their own
-- (x, created_at DESC, id DESC) indexes; `kind` has two values, so the
-- (created_at, id) index with a filter serves it.)
-- CreateIndex
CREATE INDEX "grants_status_created_at_id_idx" ON "grants"("status", "created_at" DESC, "id" DESC);

-- admin_changes is append-only: the database refuses UPDATE, DELETE and
-- TRUNCATE, so the change history cannot be rewritten through the app or a
-- stray query.
CREATE FUNCTION "admin_changes_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'admin_changes is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "admin_changes_no_update_delete" BEFORE UPDATE OR DELETE ON "admin_changes"
  FOR EACH ROW EXECUTE FUNCTION "admin_changes_append_only"();

CREATE TRIGGER "admin_changes_no_truncate" BEFORE TRUNCATE ON "admin_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "admin_changes_append_only"();
