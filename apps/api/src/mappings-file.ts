import { readFile } from 'node:fs/promises';
import { parseRoleArn, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS } from '@rolegate/core';
import { parse } from 'yaml';
import { z } from 'zod';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

const mappingSchema = z.strictObject({
  group: z.string().min(1).max(256),
  roleArn: z.string().refine((v) => parseRoleArn(v) !== null, 'is not an IAM role ARN (arn:aws|aws-us-gov|aws-cn:iam::<12 digits>:role/[path/]Name)'),
  maxDurationSeconds: z.number().int().min(MIN_SESSION_SECONDS).max(MAX_SESSION_SECONDS).default(3600),
  requireReason: z.boolean().default(false),
  description: z.string().max(1000).default(''),
  enabled: z.boolean().default(true),
});

export const mappingsFileSchema = z
  .strictObject({
    accounts: z.array(z.strictObject({ id: accountId, name: z.string().min(1).max(128) })).default([]),
    mappings: z.array(mappingSchema).default([]),
  })
  .superRefine((doc, ctx) => {
    const accounts = new Set(doc.accounts.map((a) => a.id));
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

/** Reads and parses MAPPINGS_FILE. */
export async function readMappingsFile(path: string): Promise<MappingsFile> {
  return parseMappingsYaml(await readFile(path, 'utf8'), path);
}

/** The mappings in the shape the repository applies (account id taken from the ARN). */
export function toDeclared(doc: MappingsFile) {
  return {
    accounts: doc.accounts,
    mappings: doc.mappings.map((m) => ({ ...m, accountId: parseRoleArn(m.roleArn)?.accountId ?? '' })),
  };
}
