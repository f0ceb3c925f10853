-- CreateEnum
CREATE TYPE "IdpKind" AS ENUM ('oidc', 'saml');

-- CreateEnum
CREATE TYPE "GrantKind" AS ENUM ('console', 'cli');

-- CreateEnum
CREATE TYPE "GrantStatus" AS ENUM ('pending', 'issued', 'failed', 'denied', 'revoked');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "idp" "IdpKind" NOT NULL,
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "groups" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_login_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounts" (
    "id" VARCHAR(12) NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "role_mappings" (
    "id" UUID NOT NULL,
    "group" TEXT NOT NULL,
    "account_id" VARCHAR(12) NOT NULL,
    "role_arn" TEXT NOT NULL,
    "max_duration_seconds" INTEGER NOT NULL,
    "require_reason" BOOLEAN NOT NULL DEFAULT false,
    "description" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "role_mappings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "grants" (
    "id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user_id" UUID NOT NULL,
    "user_email" TEXT NOT NULL,
    "user_subject" TEXT NOT NULL,
    "idp" "IdpKind" NOT NULL,
    "groups" TEXT[],
    "mapping_id" UUID,
    "account_id" VARCHAR(12),
    "role_arn" TEXT,
    "role_session_name" TEXT,
    "source_identity" TEXT,
    "kind" "GrantKind" NOT NULL,
    "duration_seconds" INTEGER,
    "expires_at" TIMESTAMPTZ(3),
    "reason" TEXT,
    "status" "GrantStatus" NOT NULL,
    "sts_request_id" TEXT,
    "access_key_id" TEXT,
    "client_ip" TEXT,
    "user_agent" TEXT,
    "error" TEXT,

    CONSTRAINT "grants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_changes" (
    "id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" UUID,
    "actor_email" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "admin_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "web_sessions" (
    "id" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "user_id" UUID,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "web_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "login_transactions" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "nonce" TEXT,
    "code_verifier" TEXT,
    "return_to" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "login_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "users_email_idx" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "users_idp_issuer_subject_key" ON "users"("idp", "issuer", "subject");

-- CreateIndex
CREATE INDEX "role_mappings_account_id_idx" ON "role_mappings"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "role_mappings_group_role_arn_key" ON "role_mappings"("group", "role_arn");

-- CreateIndex
CREATE INDEX "grants_user_id_created_at_id_idx" ON "grants"("user_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "grants_user_email_created_at_id_idx" ON "grants"("user_email", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "grants_account_id_created_at_id_idx" ON "grants"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "grants_role_arn_created_at_id_idx" ON "grants"("role_arn", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "grants_created_at_id_idx" ON "grants"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "grants_access_key_id_idx" ON "grants"("access_key_id");

-- CreateIndex
CREATE INDEX "admin_changes_created_at_id_idx" ON "admin_changes"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "admin_changes_entity_entity_id_idx" ON "admin_changes"("entity", "entity_id");

-- CreateIndex
CREATE INDEX "web_sessions_expires_at_idx" ON "web_sessions"("expires_at");

-- CreateIndex
CREATE INDEX "web_sessions_user_id_idx" ON "web_sessions"("user_id");

-- CreateIndex
CREATE INDEX "login_transactions_expires_at_idx" ON "login_transactions"("expires_at");

-- AddForeignKey
ALTER TABLE "role_mappings" ADD CONSTRAINT "role_mappings_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grants" ADD CONSTRAINT "grants_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
