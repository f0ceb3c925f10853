// The parts of the AWS SDK's IAM client Rolegate uses. Imported only
// dynamically (adapters/iam.ts, on the first IAM call as a control role), so
// the bundle keeps it in a chunk of its own and a replica that never calls
// IAM (no account has a control role) never loads it.
export {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
