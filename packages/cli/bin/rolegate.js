#!/usr/bin/env node
// The `rolegate` command. Plain ESM JavaScript: runs with `node` as installed.
import { main } from '../src/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`rolegate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
