import { UpstreamError, type StsPort } from '@rolegate/core';
import type { Metrics } from '../observability/metrics.js';

/** "ok", or the AWS error code (bounded: AWS's codes plus Timeout/ConnectionError). */
export function outcomeOf(err: unknown): string {
  return err instanceof UpstreamError ? err.code : 'UnknownError';
}

/**
 * STS with its latency observed: a decorator, so the grant service and the
 * real adapter stay unaware of metrics.
 */
export function instrumentSts<T extends StsPort>(sts: T, metrics: Pick<Metrics, 'sts'>): T {
  return {
    ...sts,
    async assumeRole(input) {
      const end = metrics.sts.startTimer({ action: 'AssumeRole' });
      try {
        const out = await sts.assumeRole(input);
        end({ outcome: 'ok' });
        return out;
      } catch (err) {
        end({ outcome: outcomeOf(err) });
        throw err;
      }
    },
    isRoleChained: () => sts.isRoleChained(),
  };
}
