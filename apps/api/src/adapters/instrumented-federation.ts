import type { FederationPort } from '@rolegate/core';
import type { Metrics } from '../observability/metrics.js';
import { outcomeOf } from './instrumented-sts.js';

/** The federation endpoint with its latency observed (decorator; the adapter knows nothing of metrics). */
export function instrumentFederation(federation: FederationPort, metrics: Pick<Metrics, 'federation'>): FederationPort {
  return {
    async signInUrl(input) {
      const end = metrics.federation.startTimer({ action: 'getSigninToken' });
      try {
        const url = await federation.signInUrl(input);
        end({ outcome: 'ok' });
        return url;
      } catch (err) {
        end({ outcome: outcomeOf(err) });
        throw err;
      }
    },
  };
}
