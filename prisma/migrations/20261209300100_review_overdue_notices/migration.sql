-- Overdue break-glass reviews are announced again once per interval
-- (REVIEW_RENOTIFY_SECONDS): when the last notice went out, and the event
-- that records each notice ('review-overdue', actor rolegate).
ALTER TABLE "access_requests" ADD COLUMN "review_notified_at" TIMESTAMPTZ(3);
GRANT UPDATE ("review_notified_at") ON "access_requests" TO "rolegate_runtime";
CREATE INDEX "access_requests_review_overdue_idx" ON "access_requests" ("review_due_at") WHERE "review_status" = 'open';

ALTER TABLE "access_request_events" DROP CONSTRAINT "access_request_events_type_check";
ALTER TABLE "access_request_events" ADD CONSTRAINT "access_request_events_type_check"
  CHECK ("type" IN ('requested', 'break-glass', 'approved', 'denied', 'cancelled', 'ended', 'expired', 'extended', 'escalated', 'review-closed', 'review-overdue'));
