-- CreateTable
CREATE TABLE "saml_requests" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "return_to" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saml_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saml_assertions" (
    "issuer" TEXT NOT NULL,
    "assertion_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saml_assertions_pkey" PRIMARY KEY ("issuer","assertion_id")
);

-- CreateTable
CREATE TABLE "rate_limit_hits" (
    "key" TEXT NOT NULL,
    "hits" INTEGER NOT NULL,
    "reset_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limit_hits_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "cli_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "idp" "IdpKind" NOT NULL,
    "subject" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "groups" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "cli_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cli_login_requests" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "code_challenge" TEXT,
    "redirect_port" INTEGER,
    "state" TEXT,
    "user_code" TEXT,
    "device_code_hash" TEXT,
    "code_hash" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "user_id" UUID,
    "principal" JSONB,
    "label" TEXT NOT NULL DEFAULT '',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cli_login_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "saml_requests_expires_at_idx" ON "saml_requests"("expires_at");

-- CreateIndex
CREATE INDEX "saml_assertions_expires_at_idx" ON "saml_assertions"("expires_at");

-- CreateIndex
CREATE INDEX "rate_limit_hits_reset_at_idx" ON "rate_limit_hits"("reset_at");

-- CreateIndex
CREATE UNIQUE INDEX "cli_tokens_token_hash_key" ON "cli_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "cli_tokens_user_id_created_at_idx" ON "cli_tokens"("user_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "cli_login_requests_user_code_key" ON "cli_login_requests"("user_code");

-- CreateIndex
CREATE UNIQUE INDEX "cli_login_requests_device_code_hash_key" ON "cli_login_requests"("device_code_hash");

-- CreateIndex
CREATE UNIQUE INDEX "cli_login_requests_code_hash_key" ON "cli_login_requests"("code_hash");

-- CreateIndex
CREATE INDEX "cli_login_requests_expires_at_idx" ON "cli_login_requests"("expires_at");

-- AddForeignKey
ALTER TABLE "cli_tokens" ADD CONSTRAINT "cli_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
