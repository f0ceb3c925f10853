/** Duration choices offered in the portal, in seconds (15 min … 12 h). */
export const DURATION_CHOICES = [900, 3600, 14400, 28800, 43200] as const;
const DEFAULT_DURATION = 3600;

/** The choices a role allows: only those not above its maximum. */
export function durationOptions(maxDurationSeconds: number): number[] {
  return DURATION_CHOICES.filter((d) => d <= maxDurationSeconds);
}

/** 1 h when allowed, otherwise the longest allowed choice; undefined when none fits. */
export function defaultDuration(maxDurationSeconds: number): number | undefined {
  const options = durationOptions(maxDurationSeconds);
  return options.includes(DEFAULT_DURATION) ? DEFAULT_DURATION : options.at(-1);
}

/** 900 → "15 min", 3600 → "1 h", 5400 → "1 h 30 min". */
export function formatDuration(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : time.format(date);
}

/** "arn:aws:iam::123456789012:role/path/Admin" → "Admin". */
export function roleNameFromArn(arn: string | null): string | null {
  if (!arn) return null;
  const resource = arn.split(':').slice(5).join(':');
  return resource.split('/').at(-1) || null;
}

/*
 * Bidirectional-control characters U+202A–U+202E and U+2066–U+2069 (the same
 * list as core's BIDI_CONTROL_CODE_POINTS, which the CSV export uses; the web
 * app depends on the contract only). A reason like "fix ‮nimda ot ssecca‬"
 * would render reversed and show an auditor text other than what was typed.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** Free text with every bidi control replaced by its visible form, e.g. ⟨U+202E⟩. */
export function neutraliseBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase()}⟩`);
}

const timeWithZone = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });

/** A time of day in the viewer's time zone, with the zone named (e.g. "14:32 CET"). */
export function formatTimeWithZone(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeWithZone.format(date);
}

/** 3725 → "1 h 02 min 05 s", 125 → "2 min 05 s", 9 → "9 s". */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h} h ${pad(m)} min ${pad(sec)} s`;
  if (m > 0) return `${m} min ${pad(sec)} s`;
  return `${sec} s`;
}
