-- Every committed UPDATE or DELETE of web_sessions (sign-out, a changed session, the
-- expiry sweep) notifies channel rolegate_sessions with the ids, comma-separated, or
-- '*' when there are too many for one payload; instances drop those cached sessions.
CREATE FUNCTION "rolegate_notify_sessions"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  ids text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('rolegate_sessions', '*');
    RETURN NULL;
  END IF;
  SELECT count(*), string_agg("id", ',') INTO n, ids FROM (SELECT "id" FROM old_rows LIMIT 101) o;
  IF n > 100 THEN
    ids := '*';
  END IF;
  IF n > 0 THEN
    PERFORM pg_notify('rolegate_sessions', ids);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "web_sessions_notify_update" AFTER UPDATE ON "web_sessions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "rolegate_notify_sessions"();

CREATE TRIGGER "web_sessions_notify_delete" AFTER DELETE ON "web_sessions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "rolegate_notify_sessions"();

CREATE TRIGGER "web_sessions_notify_truncate" AFTER TRUNCATE ON "web_sessions"
  FOR EACH STATEMENT EXECUTE FUNCTION "rolegate_notify_sessions"();
