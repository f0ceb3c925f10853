import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ACCOUNT_ID_PATTERN, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, parseRoleArn } from '@rolegate/aws-names';
import { mappingIssues } from '@rolegate/core';
import type { AdminMappingRepository, AppliedState } from '@rolegate/db';
import type { Logger } from 'pino';
import { parse } from 'yaml';
import { z } from 'zod';
import { controlRoleArnSchema, policyInput } from '@rolegate/contract';

const accountId = z.string().regex(ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account id');

const mappingSchema = z.strictObject({
  group: z.string().min(1).max(256),
  roleArn: z.string().refine((v) => parseRoleArn(v) !== null, 'is not an IAM role ARN (arn:aws|aws-us-gov|aws-cn:iam::<12 digits>:role/[path/]Name)'),
  maxDurationSeconds: z.number().int().min(MIN_SESSION_SECONDS).max(MAX_SESSION_SECONDS).default(3600),
  requireReason: z.boolean().default(false),
  description: z.string().max(1000).default(''),
  enabled: z.boolean().default(true),
  // The approval policy (docs/approvals.md); absent fields keep the default (instant).
  ...policyInput,
});

export const mappingsFileSchema = z
  .strictObject({
    accounts: z.array(z.strictObject({ id: accountId, name: z.string().min(1).max(128), controlRoleArn: controlRoleArnSchema.optional() })).default([]),
    mappings: z.array(mappingSchema).default([]),
  })
  .superRefine((doc, ctx) => {
    const accounts = new Set(doc.accounts.map((a) => a.id));
    doc.accounts.forEach((a, i) => {
      const control = a.controlRoleArn ? parseRoleArn(a.controlRoleArn) : null;
      if (control && control.accountId !== a.id) {
        ctx.addIssue({ code: 'custom', path: ['accounts', i, 'controlRoleArn'], message: `must be a role in account ${a.id} (it names ${control.accountId})` });
      }
    });
    const seen = new Set<string>();
    doc.mappings.forEach((m, i) => {
      const arn = parseRoleArn(m.roleArn);
      if (arn && !accounts.has(arn.accountId)) {
        ctx.addIssue({ code: 'custom', path: ['mappings', i, 'roleArn'], message: `account ${arn.accountId} is not listed under accounts` });
      }
      const key = `${m.group}\u0000${m.roleArn}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['mappings', i], message: 'duplicate group and roleArn' });
      seen.add(key);
    });
  });

export type MappingsFile = z.infer<typeof mappingsFileSchema>;

/** Parses a mappings YAML document. @throws Error naming each problem with its path. */
export function parseMappingsYaml(text: string, source = 'mappings'): MappingsFile {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 50 });
  } catch (err) {
    throw new Error(`${source}: not valid YAML (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  const parsed = mappingsFileSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    throw new Error(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** The mappings in the shape the repository applies (account id taken from the ARN). */
export function toDeclared(doc: MappingsFile) {
  return {
    accounts: doc.accounts,
    mappings: doc.mappings.map((m) => ({ ...m, accountId: parseRoleArn(m.roleArn)?.accountId ?? '' })),
  };
}

/** What applying MAPPINGS_FILE did: the SHA-256 of the bytes applied and the counts of changes. */
export interface MappingsFileResult {
  file: string;
  sha256: string;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  accounts: { created: number; updated: number; deleted: number };
}

function summary(file: string, sha256: string, s: AppliedState): MappingsFileResult {
  return {
    file,
    sha256,
    created: s.created.length,
    updated: s.updated.length,
    deleted: s.deleted.length,
    unchanged: s.unchanged,
    accounts: { created: s.accounts.created.length, updated: s.accounts.updated.length, deleted: s.accountsDeleted.length },
  };
}

/**
 * Makes the database equal MAPPINGS_FILE (the file is the truth when it is
 * set): mappings and accounts the file does not list are removed, so an edit
 * made behind the file's back cannot linger, and every change is recorded with
 * actor `mappings-file` and the SHA-256 of the bytes read. Called at start and
 * on SIGHUP. A file that fails to parse or breaks a mapping rule changes
 * nothing. @throws Error naming the problem (the database is left as it was)
 */
export async function applyMappingsFile(file: string, repo: Pick<AdminMappingRepository, 'applyFile'>): Promise<MappingsFileResult> {
  const bytes = await readFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const doc = parseMappingsYaml(bytes.toString('utf8'), file);
  const accounts = new Set(doc.accounts.map((a) => a.id));
  const issues = doc.mappings.flatMap((m, i) => mappingIssues(m, accounts).map((issue) => `mappings.${i}.${issue.message}`));
  if (issues.length) throw new Error(`${file}: ${issues.join('; ')}`);
  return summary(file, sha256, await repo.applyFile(toDeclared(doc), { file, sha256 }));
}

/**
 * Re-applies MAPPINGS_FILE whenever the process gets SIGHUP (after editing
 * the file, `kill -HUP <pid>`). A broken file is logged and changes nothing.
 * Returns a function that removes the handler.
 */
export function reloadMappingsFileOnSighup(file: string, repo: Pick<AdminMappingRepository, 'applyFile'>, log: Logger): () => void {
  const onHup = () => {
    applyMappingsFile(file, repo).then(
      (result) => log.info(result, 'mappings file applied (SIGHUP)'),
      (err: unknown) => log.error({ file, err }, 'mappings file not applied (SIGHUP); the database is unchanged'),
    );
  };
  process.on('SIGHUP', onHup);
  return () => process.off('SIGHUP', onHup);
}
