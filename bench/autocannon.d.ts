// autocannon ships no types and @types/autocannon is not installed; load.ts types what it uses.
declare module 'autocannon' {
  function autocannon(opts: Record<string, unknown>): Promise<unknown>;
  export default autocannon;
}
