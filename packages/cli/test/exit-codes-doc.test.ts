// docs/cli.md's "Exit codes" table and `rolegate --help` are what scripts are
// written against: they must name every code the CLI can exit with.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/errors.js';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/cli.md'), 'utf8');

describe('docs/cli.md exit codes', () => {
  it('lists every exit code of EXIT', () => {
    const section = doc.slice(doc.indexOf('## Exit codes'));
    const table = section.slice(0, section.indexOf('\n## ', 1));
    const documented = [...table.matchAll(/^\|\s*(\d+)\s*\|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(documented).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });

  it('rolegate --help names every exit code of EXIT', () => {
    const help = execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../bin/rolegate.js'), '--help'], { encoding: 'utf8' });
    const line = help.slice(help.indexOf('Exit codes:')).replace(/\s+/g, ' ');
    const named = [...line.matchAll(/(?:: |, )(\d+) /g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(named).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});
