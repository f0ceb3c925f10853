import type { AuditFilters } from '../api';

/** The filter form as typed; dates are calendar days (YYYY-MM-DD) in the viewer's time zone. */
export interface FilterValues {
  user: string;
  accountId: string;
  /** A role name (every account) or a role ARN. */
  role: string;
  status: string;
  kind: string;
  /** The access request a grant was issued under (a UUID), matched exactly. */
  requestId: string;
  /** The status that request is in now. */
  requestStatus: string;
  fromDate: string;
  toDate: string;
}

export const EMPTY_FILTERS: FilterValues = {
  user: '',
  accountId: '',
  role: '',
  status: '',
  kind: '',
  requestId: '',
  requestStatus: '',
  fromDate: '',
  toDate: '',
};

const KEYS = Object.keys(EMPTY_FILTERS) as (keyof FilterValues)[];
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Reads the form values from the page's query string (so a filtered view can be bookmarked or shared). */
export function filtersFromSearch(search: string): FilterValues {
  const params = new URLSearchParams(search);
  const out = { ...EMPTY_FILTERS };
  for (const k of KEYS) out[k] = params.get(k) ?? '';
  // Links bookmarked before the role filter took names said roleArn.
  if (out.role === '') out.role = params.get('roleArn') ?? '';
  return out;
}

export function searchFromFilters(values: FilterValues): string {
  const params = new URLSearchParams();
  for (const k of KEYS) if (values[k] !== '') params.set(k, values[k]);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Local midnight of a YYYY-MM-DD day (plus `addDays`) as an ISO instant, or undefined for an invalid day. */
export function localDayStart(day: string, addDays = 0): string | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d + addDays);
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString();
}

/**
 * The API's filters: values are sent exactly as typed (the server matches
 * exactly, never by substring); "to" is inclusive in the form, so it becomes
 * the start of the following day (the API's `to` is exclusive).
 */
export function toApiFilters(v: FilterValues): AuditFilters {
  const out: AuditFilters = {};
  if (v.user !== '') out.user = v.user.trim();
  if (v.accountId !== '') out.accountId = v.accountId.trim();
  if (v.role !== '') out.role = v.role.trim();
  if (v.status !== '') out.status = v.status;
  if (v.kind !== '') out.kind = v.kind;
  if (v.requestId !== '') out.requestId = v.requestId.trim().toLowerCase();
  if (v.requestStatus !== '') out.requestStatus = v.requestStatus;
  const from = localDayStart(v.fromDate);
  const to = localDayStart(v.toDate, 1);
  if (from) out.from = from;
  if (to) out.to = to;
  return out;
}

export const activeFilterCount = (v: FilterValues) => KEYS.filter((k) => v[k] !== '').length;
