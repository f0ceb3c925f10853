import { UpstreamError, type PolicyVersionInfo } from '@rolegate/core';
import type { IamControlPort } from '../adapters/iam.js';
import type { RevocationPolicyIam } from './worker.js';

/**
 * The revocation policy in each account, through its control role
 * (`IamControlPort`): found by the configured name, created when missing,
 * written as new default versions.
 */
export function createRevocationPolicyIam(iam: IamControlPort): RevocationPolicyIam {
  return {
    async findPolicy(accountId) {
      const arn = await iam.revocationPolicyArn(accountId);
      try {
        await iam.call(accountId, (c, abortSignal, { GetPolicyCommand }) => c.send(new GetPolicyCommand({ PolicyArn: arn }), { abortSignal }));
        return arn;
      } catch (err) {
        if (err instanceof UpstreamError && /^NoSuchEntity(Exception)?$/.test(err.code)) return null;
        throw err;
      }
    },
    async createPolicy(accountId, document) {
      const out = await iam.call(accountId, (c, abortSignal, { CreatePolicyCommand }) =>
        c.send(
          new CreatePolicyCommand({
            PolicyName: iam.revocationPolicyName,
            PolicyDocument: document,
            Description: 'Rolegate revocations: denies revoked grants and people cut off (written by Rolegate; do not edit)',
          }),
          { abortSignal },
        ),
      );
      return out.Policy?.DefaultVersionId ?? 'v1';
    },
    async listVersions(policyArn, accountId): Promise<PolicyVersionInfo[]> {
      const out = await iam.call(accountId, (c, abortSignal, { ListPolicyVersionsCommand }) =>
        c.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }), { abortSignal }),
      );
      return (out.Versions ?? []).map((v) => ({
        versionId: v.VersionId ?? '',
        isDefault: v.IsDefaultVersion ?? false,
        createDate: v.CreateDate ?? new Date(0),
      }));
    },
    async createDefaultVersion(policyArn, accountId, document) {
      const out = await iam.call(accountId, (c, abortSignal, { CreatePolicyVersionCommand }) =>
        c.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: document, SetAsDefault: true }), { abortSignal }),
      );
      if (!out.PolicyVersion?.VersionId) throw new UpstreamError('iam', 'MalformedResponse', 'CreatePolicyVersion returned no version id', null);
      return out.PolicyVersion.VersionId;
    },
    async deleteVersion(policyArn, accountId, versionId) {
      await iam.call(accountId, (c, abortSignal, { DeletePolicyVersionCommand }) =>
        c.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId }), { abortSignal }),
      );
    },
  };
}
