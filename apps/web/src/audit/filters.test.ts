import { describe, expect, it } from 'vitest';
import { EMPTY_FILTERS, filtersFromSearch, searchFromFilters, toApiFilters } from './filters';

describe('audit filters', () => {
  it('round-trips through the URL, so a filtered view can be bookmarked', () => {
    const values = { ...EMPTY_FILTERS, user: 'alice@example.com', role: 'Developer', status: 'issued', fromDate: '2026-12-01' };
    expect(filtersFromSearch(searchFromFilters(values))).toEqual(values);
    expect(searchFromFilters(EMPTY_FILTERS)).toBe('');
  });

  it('reads the roleArn of links bookmarked before the role filter took names', () => {
    expect(filtersFromSearch('?roleArn=arn:aws:iam::111111111111:role/Developer').role).toBe('arn:aws:iam::111111111111:role/Developer');
  });

  it('sends values as typed (trimmed), and makes the inclusive "to" day the exclusive start of the next', () => {
    const api = toApiFilters({ ...EMPTY_FILTERS, user: ' bob ', fromDate: '2026-12-01', toDate: '2026-12-01' });
    expect(api.user).toBe('bob');
    expect(new Date(api.to!).getTime() - new Date(api.from!).getTime()).toBe(24 * 3600 * 1000);
    expect(toApiFilters({ ...EMPTY_FILTERS, fromDate: '2026-13-45x' }).from).toBeUndefined();
  });
});
