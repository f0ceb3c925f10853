-- SCIM 2.0 provisioning (README, "Provisioning with SCIM"): the IdP pushes
-- people and groups here; when SCIM is enabled their memberships decide
-- entitlements.

-- Bearer tokens the IdP presents. Only an HMAC of each token is kept (keyed
-- with SCIM_TOKEN_SECRET), so a copy of this table opens nothing.
CREATE TABLE "scim_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "label" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "scim_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "scim_tokens_token_hash_key" ON "scim_tokens"("token_hash");

-- People as the IdP pushed them. `data` is the resource without id, meta and
-- groups (what GET returns); the key columns are derived from it on every write.
CREATE TABLE "scim_users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_name" TEXT NOT NULL,
    "user_name_key" TEXT NOT NULL,
    "email_key" TEXT,
    "external_id" TEXT,
    "display_name" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "data" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scim_users_pkey" PRIMARY KEY ("id")
);
-- userName is unique without regard to case (RFC 7643 4.1: caseExact false).
CREATE UNIQUE INDEX "scim_users_user_name_key_key" ON "scim_users"("user_name_key");
CREATE INDEX "scim_users_email_key_idx" ON "scim_users"("email_key");
CREATE INDEX "scim_users_external_id_idx" ON "scim_users"("external_id");

CREATE TABLE "scim_groups" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "display_name" TEXT NOT NULL,
    "display_name_key" TEXT NOT NULL,
    "external_id" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scim_groups_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "scim_groups_display_name_key_key" ON "scim_groups"("display_name_key");
CREATE INDEX "scim_groups_external_id_idx" ON "scim_groups"("external_id");

CREATE TABLE "scim_group_members" (
    "group_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    CONSTRAINT "scim_group_members_pkey" PRIMARY KEY ("group_id", "user_id"),
    CONSTRAINT "scim_group_members_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "scim_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "scim_group_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "scim_users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "scim_group_members_user_id_idx" ON "scim_group_members"("user_id");

-- Every change the IdP made (and every token an admin made or revoked),
-- append-only like admin_changes: auditors read it, nobody rewrites it.
CREATE TABLE "scim_changes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "token_id" UUID,
    "action" TEXT NOT NULL,
    "resource_type" TEXT NOT NULL,
    "resource_id" TEXT NOT NULL,
    "detail" JSONB,
    CONSTRAINT "scim_changes_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "scim_changes_created_at_id_idx" ON "scim_changes"("created_at" DESC, "id" DESC);

CREATE FUNCTION "scim_changes_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'scim_changes is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "scim_changes_no_update_delete" BEFORE UPDATE OR DELETE ON "scim_changes"
  FOR EACH ROW EXECUTE FUNCTION "scim_changes_append_only"();
CREATE TRIGGER "scim_changes_no_truncate" BEFORE TRUNCATE ON "scim_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "scim_changes_append_only"();

-- Refused SCIM requests (for the admin's provisioning status); pruned by age.
CREATE TABLE "scim_errors" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "scim_type" TEXT,
    "detail" TEXT NOT NULL,
    CONSTRAINT "scim_errors_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "scim_errors_created_at_idx" ON "scim_errors"("created_at" DESC);

-- The runtime role: read and append the change log, nothing else on it (the
-- other tables get the default DML of the runtime-role migration).
REVOKE ALL ON "scim_changes" FROM "rolegate_runtime";
GRANT SELECT, INSERT ON "scim_changes" TO "rolegate_runtime";
