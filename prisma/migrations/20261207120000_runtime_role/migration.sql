-- Two database roles (README, "Database roles"): the role that runs these
-- migrations owns every table; the app runs as a login role that is a member
-- of the NOLOGIN group role rolegate_runtime, which owns nothing and holds
-- only the privileges below. A table owner can DISABLE TRIGGER, ALTER or DROP
-- its tables; the runtime role can do none of that, so a compromised app (or
-- SQL injection in it) cannot rewrite the audit trail.
--
-- rolegate_runtime is created here when it does not exist yet (that needs
-- CREATEROLE; a DBA may create it beforehand instead). Roles are per cluster,
-- so several databases on one server share it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rolegate_runtime') THEN
    BEGIN
      CREATE ROLE "rolegate_runtime" NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN
        NULL; -- another database's migration created it at the same moment
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'the migration role may not create roles: as a DBA run CREATE ROLE rolegate_runtime NOLOGIN; then start Rolegate again (docs/deploy.md, "Two database roles")'
          USING ERRCODE = 'insufficient_privilege';
    END;
  END IF;
END
$$;

-- Ordinary tables: read and write rows, nothing else (no TRUNCATE, REFERENCES,
-- TRIGGER). Tables created by LATER migrations get the same by default; an
-- append-only table must revoke explicitly (CONTRIBUTING.md, "Migrations").
DO $$
DECLARE
  s text := quote_ident(current_schema());
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %s TO "rolegate_runtime"', s);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO "rolegate_runtime"', s);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %s TO "rolegate_runtime"', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %s GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "rolegate_runtime"', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %s GRANT USAGE, SELECT ON SEQUENCES TO "rolegate_runtime"', s);
END
$$;

-- The migration history is the owner's business.
REVOKE ALL ON "_prisma_migrations" FROM "rolegate_runtime";

-- The change log: append and read only (the append-only trigger stays as a
-- second line of defence, also against the owner's stray queries).
REVOKE ALL ON "admin_changes" FROM "rolegate_runtime";
GRANT SELECT, INSERT ON "admin_changes" TO "rolegate_runtime";

-- Grants: a row is written ahead (pending) and its outcome recorded once.
-- The runtime role may insert and read rows and update only the outcome
-- columns; who asked for what (user, role, reason, ...) cannot be rewritten,
-- and no row can be deleted.
REVOKE ALL ON "grants" FROM "rolegate_runtime";
GRANT SELECT, INSERT ON "grants" TO "rolegate_runtime";
GRANT UPDATE ("status", "sts_request_id", "access_key_id", "expires_at", "error", "updated_at") ON "grants" TO "rolegate_runtime";

-- An outcome is recorded exactly once: a row that left 'pending' never
-- changes again (an attacker with the runtime role cannot turn an issued
-- grant into 'failed' to hide it, or swap its access key id).
CREATE FUNCTION "grants_outcome_once"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."status" <> 'pending' THEN
    RAISE EXCEPTION 'grant % already has its outcome (%); grants are append-only', OLD."id", OLD."status"
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "grants_outcome_once" BEFORE UPDATE ON "grants"
  FOR EACH ROW EXECUTE FUNCTION "grants_outcome_once"();
