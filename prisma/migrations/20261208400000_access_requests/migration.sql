-- Just-in-time requests and approvals (docs/approvals.md).

-- The approval policy of a mapping; the defaults keep every existing mapping instant.
ALTER TABLE "role_mappings"
  ADD COLUMN "access" TEXT NOT NULL DEFAULT 'instant' CHECK ("access" IN ('instant', 'approval')),
  ADD COLUMN "approvers" TEXT[] NOT NULL DEFAULT '{}',
  ADD COLUMN "approvals" INTEGER NOT NULL DEFAULT 1 CHECK ("approvals" BETWEEN 1 AND 10),
  ADD COLUMN "stages" JSONB NOT NULL DEFAULT '[]',
  ADD COLUMN "pending_timeout_seconds" INTEGER NOT NULL DEFAULT 86400,
  ADD COLUMN "escalate_after_seconds" INTEGER,
  ADD COLUMN "escalate_to" TEXT[] NOT NULL DEFAULT '{}',
  ADD COLUMN "break_glass" BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN "review_within_seconds" INTEGER NOT NULL DEFAULT 86400;

-- One access request. Who asked for what (requester, role, duration, reason,
-- the policy as it was when asked) is written once; only the lifecycle
-- columns change, and only the runtime role's UPDATE on those columns is granted.
CREATE TABLE "access_requests" (
  "id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "requester_id" UUID NOT NULL,
  "requester_email" TEXT NOT NULL,
  "mapping_id" UUID NOT NULL,
  "account_id" VARCHAR(12) NOT NULL,
  "role_arn" TEXT NOT NULL,
  "duration_seconds" INTEGER NOT NULL,
  "reason" TEXT NOT NULL,
  "break_glass" BOOLEAN NOT NULL DEFAULT false,
  "policy" JSONB NOT NULL,
  "extends_request_id" UUID,
  "status" TEXT NOT NULL CHECK ("status" IN ('pending', 'approved', 'denied', 'expired', 'cancelled', 'ended', 'revoked')),
  "pending_until" TIMESTAMPTZ(3) NOT NULL,
  "decided_at" TIMESTAMPTZ(3),
  "window_starts_at" TIMESTAMPTZ(3),
  "window_ends_at" TIMESTAMPTZ(3),
  "ended_at" TIMESTAMPTZ(3),
  "escalated_at" TIMESTAMPTZ(3),
  "review_status" TEXT CHECK ("review_status" IN ('open', 'closed')),
  "review_due_at" TIMESTAMPTZ(3),
  "review_by_id" UUID,
  "review_by_email" TEXT,
  "review_note" TEXT,
  "review_closed_at" TIMESTAMPTZ(3),
  CONSTRAINT "access_requests_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "access_requests_requester_id_fkey" FOREIGN KEY ("requester_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "access_requests_extends_request_id_fkey" FOREIGN KEY ("extends_request_id") REFERENCES "access_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "access_requests_window" CHECK (("window_starts_at" IS NULL) = ("window_ends_at" IS NULL) AND ("window_ends_at" IS NULL OR "window_ends_at" > "window_starts_at"))
);

CREATE INDEX "access_requests_requester_id_created_at_id_idx" ON "access_requests" ("requester_id", "created_at" DESC, "id" DESC);
CREATE INDEX "access_requests_status_created_at_idx" ON "access_requests" ("status", "created_at" DESC);
-- The grant path's lookup of an open window: (requester, mapping) among approved requests.
CREATE INDEX "access_requests_window_idx" ON "access_requests" ("requester_id", "mapping_id", "window_ends_at" DESC) WHERE "status" = 'approved';
CREATE INDEX "access_requests_review_idx" ON "access_requests" ("review_status", "review_due_at");

-- The append-only history of every request: requested, each approval (who,
-- when, stage, comment), denial, cancel, end, expiry, escalation, review.
CREATE TABLE "access_request_events" (
  "id" UUID NOT NULL,
  "request_id" UUID NOT NULL,
  "at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "type" TEXT NOT NULL CHECK ("type" IN ('requested', 'break-glass', 'approved', 'denied', 'cancelled', 'ended', 'expired', 'extended', 'escalated', 'review-closed')),
  "actor_id" UUID,
  "actor_email" TEXT NOT NULL,
  "stage" INTEGER,
  "comment" TEXT,
  CONSTRAINT "access_request_events_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "access_request_events_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "access_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "access_request_events_request_id_at_idx" ON "access_request_events" ("request_id", "at", "id");
-- One person counts once per request, across stages: the database refuses a second approval row.
CREATE UNIQUE INDEX "access_request_events_one_approval_per_person" ON "access_request_events" ("request_id", "actor_id") WHERE "type" = 'approved';

-- Grants made inside an access window name their request.
ALTER TABLE "grants" ADD COLUMN "request_id" UUID;
CREATE INDEX "grants_request_id_idx" ON "grants" ("request_id") WHERE "request_id" IS NOT NULL;

-- Least privilege for the runtime role (new tables got full DML by default privileges).
REVOKE ALL ON "access_requests" FROM "rolegate_runtime";
GRANT SELECT, INSERT ON "access_requests" TO "rolegate_runtime";
GRANT UPDATE ("status", "updated_at", "decided_at", "window_starts_at", "window_ends_at", "ended_at", "escalated_at",
              "review_status", "review_by_id", "review_by_email", "review_note", "review_closed_at")
  ON "access_requests" TO "rolegate_runtime";

REVOKE ALL ON "access_request_events" FROM "rolegate_runtime";
GRANT SELECT, INSERT ON "access_request_events" TO "rolegate_runtime";

CREATE FUNCTION "access_request_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_request_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "access_request_events_no_update_delete" BEFORE UPDATE OR DELETE ON "access_request_events"
  FOR EACH ROW EXECUTE FUNCTION "access_request_events_append_only"();
CREATE TRIGGER "access_request_events_no_truncate" BEFORE TRUNCATE ON "access_request_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "access_request_events_append_only"();

-- A decided request never goes back to pending, and a closed one (denied,
-- expired, cancelled, ended, revoked) never reopens: a runtime-role attacker
-- cannot turn a denial into an approval.
CREATE FUNCTION "access_requests_forward_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."status" <> NEW."status" AND NOT (
       (OLD."status" = 'pending' AND NEW."status" IN ('approved', 'denied', 'expired', 'cancelled'))
    OR (OLD."status" = 'approved' AND NEW."status" IN ('ended', 'revoked'))) THEN
    RAISE EXCEPTION 'access request % cannot go from % to %', OLD."id", OLD."status", NEW."status"
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD."status" IN ('denied', 'expired', 'cancelled', 'ended', 'revoked') AND NEW."window_ends_at" IS DISTINCT FROM OLD."window_ends_at" THEN
    RAISE EXCEPTION 'access request % is closed', OLD."id" USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "access_requests_forward_only" BEFORE UPDATE ON "access_requests"
  FOR EACH ROW EXECUTE FUNCTION "access_requests_forward_only"();
