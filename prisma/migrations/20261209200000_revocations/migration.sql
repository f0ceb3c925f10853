-- Revocations that reach AWS (docs/revocation.md). One row per AWS account an
-- entry must reach, written (committed) before IAM is called; the worker on
-- every replica folds the account's live rows into its RolegateRevocations
-- policy and records the policy version. A grant counts as revoked when a row
-- for it exists: the grants table is not touched (its outcome is write-once).
CREATE TABLE "revocations" (
  "id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  -- One revoke action (a grant revoke, a cut-off) may write rows for several accounts: they share a batch id.
  "batch_id" UUID NOT NULL,
  "kind" TEXT NOT NULL CHECK ("kind" IN ('grant', 'person')),
  "account_id" VARCHAR(12) NOT NULL,
  "grant_id" UUID,
  "user_id" UUID,
  "user_email" TEXT,
  "source_identity" TEXT,
  "revoked_before" TIMESTAMPTZ(3),
  "requested_by_id" UUID,
  "requested_by_email" TEXT NOT NULL,
  "reason" TEXT NOT NULL,
  -- When the entry may leave the policy: the grant's session end, or the person's cut-off + 12 h.
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "state" TEXT NOT NULL DEFAULT 'requested' CHECK ("state" IN ('requested', 'applied', 'pruned')),
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "last_error" TEXT,
  "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "applied_at" TIMESTAMPTZ(3),
  "policy_version" TEXT,
  -- True when the entry reached AWS only through the role-wide aws:TokenIssueTime fallback (policy full).
  "fallback" BOOLEAN NOT NULL DEFAULT false,
  "pruned_at" TIMESTAMPTZ(3),
  CONSTRAINT "revocations_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "revocations_kind_fields" CHECK (
    ("kind" = 'grant' AND "grant_id" IS NOT NULL) OR
    ("kind" = 'person' AND "source_identity" IS NOT NULL AND "revoked_before" IS NOT NULL AND "user_id" IS NOT NULL))
);
-- One revocation per grant: a second revoke finds the first (and the readers' lookup is this index).
CREATE UNIQUE INDEX "revocations_grant_id_key" ON "revocations" ("grant_id") WHERE "grant_id" IS NOT NULL;
-- The worker's scans: accounts with entries due, and the live entries of one account.
CREATE INDEX "revocations_due_idx" ON "revocations" ("next_attempt_at") WHERE "state" = 'requested';
CREATE INDEX "revocations_account_live_idx" ON "revocations" ("account_id", "expires_at") WHERE "state" <> 'pruned';
CREATE INDEX "revocations_created_at_idx" ON "revocations" ("created_at" DESC, "id" DESC);
CREATE INDEX "revocations_user_id_idx" ON "revocations" ("user_id", "created_at" DESC) WHERE "user_id" IS NOT NULL;

-- The runtime role writes a row once and then only its state; it never deletes one.
REVOKE ALL ON "revocations" FROM "rolegate_runtime";
GRANT SELECT, INSERT ON "revocations" TO "rolegate_runtime";
GRANT UPDATE ("state", "attempts", "last_error", "next_attempt_at", "applied_at", "policy_version", "fallback", "pruned_at")
  ON "revocations" TO "rolegate_runtime";

-- State moves forward only: requested → applied → pruned (requested → pruned when the entry expired unapplied).
CREATE FUNCTION "revocations_forward_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."state" = 'pruned' AND NEW."state" <> 'pruned' THEN
    RAISE EXCEPTION 'a pruned revocation does not come back' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD."state" = 'applied' AND NEW."state" = 'requested' THEN
    RAISE EXCEPTION 'an applied revocation does not go back to requested' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "revocations_state_forward" BEFORE UPDATE ON "revocations"
  FOR EACH ROW EXECUTE FUNCTION "revocations_forward_only"();
