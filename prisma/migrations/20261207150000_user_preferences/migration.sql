-- Portal preferences of one person: favourite roles (mapping ids, pinned on
-- top of the portal) and the AWS console region. Kept on the server so they
-- follow the person across browsers. "Recently used" is not stored: it is
-- derived from the person's own grants.
CREATE TABLE "user_preferences" (
    "user_id" UUID NOT NULL,
    "favourites" UUID[] NOT NULL DEFAULT '{}',
    "region" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "user_preferences_pkey" PRIMARY KEY ("user_id")
);
