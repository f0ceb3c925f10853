-- Changes made by MAPPINGS_FILE (config as code) name the file and the SHA-256
-- of the exact bytes applied, so the change log says which version of the
-- file did what. Null for changes made through the admin API.
-- AlterTable
ALTER TABLE "admin_changes" ADD COLUMN "source_file" TEXT,
ADD COLUMN "source_sha256" VARCHAR(64);
