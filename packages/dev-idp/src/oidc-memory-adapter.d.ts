// oidc-provider's own in-memory adapter (its default), imported by path so the
// demo IdP can choose it explicitly; @types/oidc-provider does not declare it.
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { AdapterFactory } from 'oidc-provider';
  export function createMemoryAdapter(clockTolerance?: number): AdapterFactory;
}
