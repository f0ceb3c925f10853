-- Slack (docs/approvals.md, "Slack"): the message posted for each request in
-- each channel (its `ts`, so later changes update that message), and the
-- signatures of interaction requests seen in the last minutes, so a replayed
-- request is refused on every replica.
CREATE TABLE "slack_messages" (
  "request_id" UUID NOT NULL,
  "channel" TEXT NOT NULL,
  "ts" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  -- When the notification the message shows now was written: an older one delivered late never overwrites it.
  "shows_from" TIMESTAMPTZ(3) NOT NULL,
  CONSTRAINT "slack_messages_pkey" PRIMARY KEY ("request_id", "channel"),
  CONSTRAINT "slack_messages_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "access_requests" ("id") ON DELETE CASCADE
);

CREATE TABLE "slack_seen_requests" (
  "signature" TEXT NOT NULL,
  "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT "slack_seen_requests_pkey" PRIMARY KEY ("signature")
);
CREATE INDEX "slack_seen_requests_seen_at_idx" ON "slack_seen_requests" ("seen_at");

-- The runtime role records and updates messages, and remembers and forgets signatures; nothing else.
REVOKE ALL ON "slack_messages" FROM "rolegate_runtime";
GRANT SELECT, INSERT ON "slack_messages" TO "rolegate_runtime";
GRANT UPDATE ("ts", "shows_from") ON "slack_messages" TO "rolegate_runtime";
REVOKE ALL ON "slack_seen_requests" FROM "rolegate_runtime";
GRANT SELECT, INSERT, DELETE ON "slack_seen_requests" TO "rolegate_runtime";
