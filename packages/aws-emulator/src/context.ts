import type { IamState } from './iam-state.js';
import type { SessionStore } from './store.js';
import type { EmulatorBucket, EmulatorCaller } from './types.js';

/** What the request handlers share: configuration, clock and state. */
export interface EmulatorContext {
  region: string;
  now: () => Date;
  callers: Map<string, EmulatorCaller>;
  /** Roles and managed policies of every account. */
  iam: IamState;
  buckets: EmulatorBucket[];
  store: SessionStore;
}
