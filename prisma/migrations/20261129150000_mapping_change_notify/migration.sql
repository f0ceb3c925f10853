-- Every committed write to accounts or role_mappings, by any instance or by hand,
-- notifies channel rolegate_mappings; instances drop their cached mappings on it.
CREATE FUNCTION "rolegate_notify_mappings"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rolegate_mappings', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER "role_mappings_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "role_mappings"
  FOR EACH STATEMENT EXECUTE FUNCTION "rolegate_notify_mappings"();

CREATE TRIGGER "accounts_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "accounts"
  FOR EACH STATEMENT EXECUTE FUNCTION "rolegate_notify_mappings"();
