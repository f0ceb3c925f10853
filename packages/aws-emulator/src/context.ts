import type { SessionStore } from './store.js';
import type { EmulatorCaller, EmulatorRole } from './types.js';

/** What the request handlers share: configuration, clock and state. */
export interface EmulatorContext {
  region: string;
  now: () => Date;
  callers: Map<string, EmulatorCaller>;
  roles: Map<string, EmulatorRole>;
  store: SessionStore;
}
