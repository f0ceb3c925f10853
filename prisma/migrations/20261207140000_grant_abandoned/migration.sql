-- A grant left `pending` past the outbound timeouts (process killed mid-grant,
-- database lost between the STS call and the outcome write) is closed by the
-- reconciler as `abandoned`: AWS may have issued credentials, nobody received them.
ALTER TYPE "GrantStatus" ADD VALUE IF NOT EXISTS 'abandoned';
CREATE INDEX "grants_pending_created_at_idx" ON "grants"("created_at") WHERE "status" = 'pending';
