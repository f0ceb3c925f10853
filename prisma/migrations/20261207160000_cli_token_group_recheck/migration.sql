-- OIDC_REFRESH_GROUPS: a CLI token keeps the approving person's OIDC refresh
-- token (sealed with a key derived from SESSION_SECRET, never in clear) and
-- the time its groups were last confirmed at the IdP.
ALTER TABLE "cli_tokens" ADD COLUMN "refresh_box" TEXT;
ALTER TABLE "cli_tokens" ADD COLUMN "groups_checked_at" TIMESTAMPTZ(3);
