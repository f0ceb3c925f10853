-- "N extensions without approval" (docs/approvals.md, "Extend"): how many
-- times one window of an approval mapping may be extended at once, with no
-- approver; 0 (every extension is decided like a request) keeps today's behaviour.
ALTER TABLE "role_mappings"
  ADD COLUMN "extensions_without_approval" INTEGER NOT NULL DEFAULT 0
  CHECK ("extensions_without_approval" BETWEEN 0 AND 10 AND ("extensions_without_approval" = 0 OR "access" = 'approval'));
