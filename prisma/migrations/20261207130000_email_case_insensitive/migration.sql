-- Emails are one person whatever their case: Alice@Example.com and
-- alice@example.com must not be two people to the auditor's filter.
-- New sign-ins store the email lower-cased; people already known are
-- normalised here. Grant rows are the audit record and are not rewritten:
-- the auditor filter matches lower(user_email) instead, through this index
-- (it replaces the exact-case one, so a grant still writes the same number
-- of indexes).
UPDATE "users" SET "email" = lower("email") WHERE "email" <> lower("email");

DROP INDEX IF EXISTS "grants_user_email_created_at_id_idx";
CREATE INDEX "grants_user_email_lower_created_at_id_idx" ON "grants"(lower("user_email"), "created_at" DESC, "id" DESC);
