-- Grant table write cost (bench/grant-table.ts, bench/results.md). Every grant
-- writes each index of `grants` twice: once for the pending row and again for
-- the outcome UPDATE, which changes indexed columns (status) and so is never
-- a HOT update. Indexes no query uses are pure write cost.
--
-- 1. access_key_id: no query filters on it (CloudTrail is joined through the
--    rolegate:grant-id session tag, and the audit API has no access-key
--    filter), yet the outcome UPDATE sets it on every grant.
DROP INDEX IF EXISTS "grants_access_key_id_idx";

-- 2. One index serves both role filters of the audit API, where there was an
--    index for the exact ARN and none for the role name (every account,
--    case-insensitive), which scanned the whole time range:
--    (role name, created_at DESC, id DESC, role_arn). A role-name filter is
--    its prefix; an exact ARN filter adds the ARN's own name to the prefix
--    and is checked on role_arn inside the index (a key column), so rows of
--    other accounts with the same role name cost an index entry, not a heap
--    fetch. Same number of indexes as before, one more filter served.
DROP INDEX IF EXISTS "grants_role_arn_created_at_id_idx";
CREATE INDEX "grants_role_name_created_at_id_arn_idx"
  ON "grants" (lower(substring("role_arn" from '[^/]+$')), "created_at" DESC, "id" DESC, "role_arn");
