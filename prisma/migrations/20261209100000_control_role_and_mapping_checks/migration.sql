-- Per-account control role (docs/deploy.md, "Control role"): the IAM role the
-- broker assumes in that account to read brokered roles and edit the
-- revocation policy. Nullable: an account without one cannot be checked or
-- revoked through IAM, and says so.
ALTER TABLE "accounts" ADD COLUMN "control_role_arn" TEXT;

-- Trust and set-up checks (drift): one row per mapping with its latest
-- result, written by the periodic job of any replica or by an admin's
-- "Check". `claimed_until` is the periodic job's lease: a replica claims due
-- rows in one INSERT … ON CONFLICT DO UPDATE … WHERE, so two replicas never
-- check the same mapping at once. `role_arn` and `max_duration_seconds` are
-- what was checked: a result about another role or maximum is stale.
CREATE TABLE "mapping_checks" (
  "mapping_id" UUID NOT NULL,
  "status" TEXT NOT NULL DEFAULT 'not_checked' CHECK ("status" IN ('not_checked', 'ok', 'problems', 'cannot_check')),
  "role_arn" TEXT,
  "max_duration_seconds" INTEGER,
  "findings" JSONB NOT NULL DEFAULT '[]',
  "error" TEXT,
  "checked_at" TIMESTAMPTZ(3),
  "claimed_until" TIMESTAMPTZ(3),
  CONSTRAINT "mapping_checks_pkey" PRIMARY KEY ("mapping_id"),
  CONSTRAINT "mapping_checks_mapping_id_fkey" FOREIGN KEY ("mapping_id") REFERENCES "role_mappings" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
