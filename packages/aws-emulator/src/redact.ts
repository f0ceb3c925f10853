/** Parameters whose values are secrets and never enter the request log. */
const SECRET_PARAMS = new Set(['SessionToken', 'Session', 'SigninToken', 'SecretAccessKey', 'session', 'X-Amz-Security-Token', 'X-Amz-Signature']);

/** A copy of the parameters with every secret value replaced by "[redacted]". */
export function redactParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = SECRET_PARAMS.has(k) ? '[redacted]' : v;
  return out;
}
