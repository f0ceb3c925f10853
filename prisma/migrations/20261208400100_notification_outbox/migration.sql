-- A durable outbox of notifications (docs/approvals.md, "Notifications"): rows
-- are written in the same transaction as the request change they announce,
-- and delivered by a worker on every replica (FOR UPDATE SKIP LOCKED). The id
-- is the delivery id (the webhook-id header): stable across retries.
CREATE TABLE "notification_outbox" (
  "id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "event_type" TEXT NOT NULL,
  "request_id" UUID,
  "channel" TEXT NOT NULL CHECK ("channel" IN ('webhook', 'email', 'slack')),
  "target" TEXT NOT NULL,
  "payload" JSONB NOT NULL,
  "status" TEXT NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'delivered', 'failed')),
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "locked_until" TIMESTAMPTZ(3),
  "delivered_at" TIMESTAMPTZ(3),
  "last_error" TEXT,
  CONSTRAINT "notification_outbox_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "notification_outbox_due_idx" ON "notification_outbox" ("next_attempt_at") WHERE "status" = 'pending';
CREATE INDEX "notification_outbox_created_at_idx" ON "notification_outbox" ("created_at" DESC, "id" DESC);

-- The runtime role writes a row once and then only its delivery state.
REVOKE ALL ON "notification_outbox" FROM "rolegate_runtime";
GRANT SELECT, INSERT ON "notification_outbox" TO "rolegate_runtime";
GRANT UPDATE ("status", "attempts", "next_attempt_at", "locked_until", "delivered_at", "last_error") ON "notification_outbox" TO "rolegate_runtime";
