-- Idempotency-Key of POST /api/grants: one row per (user, key) for ten
-- minutes, naming the request's body digest and, once known, the grant it
-- made. No credentials are ever stored here (they are never stored anywhere).
CREATE TABLE "grant_idempotency_keys" (
    "user_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "request_sha256" TEXT NOT NULL,
    "grant_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "grant_idempotency_keys_pkey" PRIMARY KEY ("user_id", "key")
);
