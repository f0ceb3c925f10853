import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, userFilterColumn } from './audit-filters.js';

describe('userFilterColumn', () => {
  it('matches a uuid against the user id and anything else against the (lower-cased) email, whole', () => {
    expect(userFilterColumn('0F8FAD5B-D9CB-469F-A165-70867728950E')).toEqual({ column: 'userId', value: '0f8fad5b-d9cb-469f-a165-70867728950e' });
    expect(userFilterColumn('bob')).toEqual({ column: 'userEmail', value: 'bob' });
    expect(userFilterColumn("' OR 1=1 --")).toEqual({ column: 'userEmail', value: "' or 1=1 --" });
  });

  // An auditor typing Alice@Example.com must not miss alice@example.com's grants.
  it('lower-cases an email filter', () => {
    expect(userFilterColumn('Alice@Example.COM')).toEqual({ column: 'userEmail', value: 'alice@example.com' });
  });
});

describe('csvCell (CSV injection)', () => {
  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['line\nbreak', '"line\nbreak"'],
    [null, ''],
    [3600, '3600'],
  ] as const)('%j → %s', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });
  it('ends lines with CRLF', () => {
    expect(csvLine(['a', null, 1])).toBe('a,,1\r\n');
  });
});
