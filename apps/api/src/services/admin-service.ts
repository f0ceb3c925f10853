import { isAccountId, parseRoleArn } from '@rolegate/aws-names';
import {
  accountSpecOf,
  AppError,
  assertNoIssues,
  brokerTrustPrincipal,
  mappingIssues,
  trustPolicyFor,
  type FieldIssue,
  mappingSpecOf,
  type MappingFields,
  type MappingSpec,
  type Principal,
} from '@rolegate/core';
import type { Actor, AdminChangeRepository, AdminMappingRecord, AdminMappingRepository } from '@rolegate/db';
import { parse, stringify } from 'yaml';
import { parseMappingsYaml } from '../mappings-file.js';

function actorOf(p: Principal): Actor {
  return { id: p.userId, email: p.email };
}

/** Full rule check of a mapping (core rules), then the account id taken from its ARN. @throws AppError VALIDATION_FAILED */
function validSpec(m: MappingFields): MappingSpec {
  assertNoIssues(mappingIssues(m));
  return { ...m, accountId: parseRoleArn(m.roleArn)!.accountId };
}

const YAML_HEADER =
  '# Rolegate accounts and mappings (MAPPINGS_FILE format). Importing this document makes the\n# mappings equal to it: mappings not listed are deleted.\n';

/**
 * The principal a trust policy must name for the broker: BROKER_PRINCIPAL_ARN
 * when set, else derived from the identity STS reports (asked again until
 * known). @throws AppError BROKER_IDENTITY_UNKNOWN
 */
export function brokerPrincipalResolver(identity: () => Promise<string | null>, override: string | undefined): () => Promise<string> {
  let brokerPrincipal: string | null = override ?? null;
  return async () => {
    if (!brokerPrincipal) {
      const arn = await identity();
      brokerPrincipal = arn ? brokerTrustPrincipal(arn) : null;
    }
    if (!brokerPrincipal) {
      throw new AppError('BROKER_IDENTITY_UNKNOWN', "The broker's AWS identity is unknown (STS GetCallerIdentity failed); set BROKER_PRINCIPAL_ARN");
    }
    return brokerPrincipal;
  };
}

/**
 * Admin use cases: mappings, accounts, YAML import/export, trust policies.
 * Every write goes through the repository's transaction that also records
 * the change, so no admin write can skip the change log.
 */
export function createAdminService(deps: {
  mappings: AdminMappingRepository;
  changes: AdminChangeRepository;
  /** The broker's ARN as STS reports it (GetCallerIdentity), or null when unknown. */
  brokerIdentity: () => Promise<string | null>;
  /** BROKER_PRINCIPAL_ARN: overrides the detected identity. */
  brokerPrincipalOverride?: string | undefined;
  /** MAPPINGS_FILE when set: the file is the truth and every admin write is refused. */
  managedBy?: string | undefined;
}) {
  const resolveBrokerPrincipal = brokerPrincipalResolver(deps.brokerIdentity, deps.brokerPrincipalOverride);

  const managedBy = deps.managedBy ?? null;
  /*
   * One source of truth: with MAPPINGS_FILE the file wins at every start and
   * SIGHUP, so an admin edit would be silently undone by the next restart or
   * replica while the change log still showed it. Refuse it instead.
   */
  function assertWritable(): void {
    if (managedBy) {
      throw new AppError('MAPPINGS_MANAGED_BY_FILE', `Mappings are managed by ${managedBy}: change that file and reload (SIGHUP or restart) instead`, {
        managedBy,
      });
    }
  }

  return {
    /** The MAPPINGS_FILE that manages the mappings, or null when admins edit them here. */
    managedBy,

    /** The broker's trust principal. @throws AppError BROKER_IDENTITY_UNKNOWN */
    brokerPrincipal: resolveBrokerPrincipal,

    listMappings: () => deps.mappings.listMappings(),

    /** @throws AppError MAPPINGS_MANAGED_BY_FILE | VALIDATION_FAILED | DUPLICATE_MAPPING */
    createMapping: async (p: Principal, input: MappingFields) => {
      assertWritable();
      return deps.mappings.createMapping(validSpec(input), actorOf(p));
    },

    /** Partial update: fields not sent keep their value; the merged mapping must pass every rule. @throws AppError MAPPINGS_MANAGED_BY_FILE | NOT_FOUND | VALIDATION_FAILED | DUPLICATE_MAPPING */
    updateMapping: async (p: Principal, id: string, patch: Partial<MappingFields>) => {
      assertWritable();
      return deps.mappings.updateMapping(id, (current: AdminMappingRecord) => validSpec({ ...current, ...patch }), actorOf(p));
    },

    /** @throws AppError MAPPINGS_MANAGED_BY_FILE | NOT_FOUND */
    deleteMapping: async (p: Principal, id: string) => {
      assertWritable();
      return deps.mappings.deleteMapping(id, actorOf(p));
    },

    listAccounts: () => deps.mappings.listAccounts(),

    /**
     * Creates an account or changes its name and control role
     * (`controlRoleArn` undefined keeps it, null removes it).
     * @throws AppError MAPPINGS_MANAGED_BY_FILE | VALIDATION_FAILED (id not 12 digits, control role in another account)
     */
    upsertAccount: async (p: Principal, id: string, name: string, controlRoleArn?: string | null) => {
      assertWritable();
      if (!isAccountId(id)) {
        throw new AppError('VALIDATION_FAILED', 'id: must be a 12-digit AWS account id', {
          issues: [{ path: 'id', message: 'must be a 12-digit AWS account id' }],
        });
      }
      // The broker assumes the control role to edit that account's revocation policy: a role of another account would act on the wrong one.
      const control = controlRoleArn ? parseRoleArn(controlRoleArn) : null;
      if (controlRoleArn && control?.accountId !== id) {
        const message = control ? `must be a role in account ${id} (it names account ${control.accountId})` : 'must be an IAM role ARN';
        throw new AppError('VALIDATION_FAILED', `controlRoleArn: ${message}`, { issues: [{ path: 'controlRoleArn', message }] });
      }
      return deps.mappings.upsertAccount(id, name, actorOf(p), controlRoleArn);
    },

    /** @throws AppError MAPPINGS_MANAGED_BY_FILE | NOT_FOUND | ACCOUNT_IN_USE (409 while mappings use it) */
    deleteAccount: async (p: Principal, id: string) => {
      assertWritable();
      return deps.mappings.deleteAccount(id, actorOf(p));
    },

    /** The current accounts and mappings as a MAPPINGS_FILE YAML document. */
    async exportYaml(): Promise<string> {
      const { accounts, mappings } = await deps.mappings.snapshot();
      const doc = {
        accounts: accounts.map((a) => accountSpecOf(a)),
        // Policy fields only where they differ from the default: an instant mapping exports as it always did.
        mappings: mappings.map((m) => {
          const { accountId: _fromArn, ...spec } = mappingSpecOf(m);
          return spec;
        }),
      };
      return YAML_HEADER + stringify(doc, { lineWidth: 0 });
    },

    /**
     * Imports a MAPPINGS_FILE document as the new desired state, in one
     * transaction; with `dryRun` only the diff is computed.
     * @throws AppError MAPPINGS_MANAGED_BY_FILE | VALIDATION_FAILED (malformed YAML, a rule broken, duplicates) — nothing applied
     */
    async importYaml(p: Principal, text: string, dryRun: boolean) {
      assertWritable();
      let doc;
      try {
        doc = parseMappingsYaml(text, 'yaml');
      } catch (err) {
        throw new AppError('VALIDATION_FAILED', (err as Error).message);
      }
      // An empty or truncated document would otherwise delete every mapping.
      const raw: unknown = parse(text, { maxAliasCount: 50 });
      if (raw === null || typeof raw !== 'object' || !('mappings' in raw)) {
        throw new AppError('VALIDATION_FAILED', 'yaml: the document has no "mappings" key (send "mappings: []" to remove every mapping)');
      }
      const issues: FieldIssue[] = doc.mappings.flatMap((m, i) =>
        mappingIssues(m, new Set(doc.accounts.map((a) => a.id))).map((issue) => ({
          path: `mappings.${i}.${issue.path}`,
          message: `mappings.${i}.${issue.message}`,
        })),
      );
      assertNoIssues(issues);
      const declared = { accounts: doc.accounts, mappings: doc.mappings.map((m) => ({ ...m, accountId: parseRoleArn(m.roleArn)!.accountId })) };
      return { dryRun, ...(await deps.mappings.importDeclared(declared, { dryRun, actor: actorOf(p) })) };
    },

    /** The trust policy a mapping's role needs. @throws AppError NOT_FOUND | BROKER_IDENTITY_UNKNOWN */
    async trustPolicy(id: string) {
      const mapping = await deps.mappings.findMapping(id);
      if (!mapping) throw new AppError('NOT_FOUND', `No mapping with id ${id}`);
      const principal = await resolveBrokerPrincipal();
      const { policy, warnings } = trustPolicyFor(mapping.roleArn, principal);
      return { mappingId: mapping.id, roleArn: mapping.roleArn, brokerPrincipalArn: principal, actions: policy.Statement[0]!.Action, policy, warnings };
    },

    listChanges: (q: Parameters<AdminChangeRepository['list']>[0]) => deps.changes.list(q),
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
