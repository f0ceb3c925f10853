/**
 * Bidirectional-control characters: U+202A–U+202E (embeddings, overrides,
 * pop) and U+2066–U+2069 (isolates). A reason such as
 * "fix ‮nimda ot ssecca‬" renders reversed, so a person reading an audit
 * screen or a spreadsheet sees text other than what was typed ("Trojan
 * Source"-style spoofing of the audit trail).
 */
export const BIDI_CONTROL_CODE_POINTS: readonly number[] = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];

/** How a bidi control is shown instead: `⟨U+202E⟩` (visible, never acting on the text around it). */
export function visibleCodePoint(cp: number): string {
  return `⟨U+${cp.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

const BIDI = new RegExp(`[${BIDI_CONTROL_CODE_POINTS.map((cp) => `\\u${cp.toString(16).padStart(4, '0')}`).join('')}]`, 'gu');

/**
 * Free text (a reason, a user agent) made safe to show to a person: every
 * bidirectional-control character is replaced by its visible `⟨U+XXXX⟩`
 * form, so the text cannot reorder itself or what follows it. Everything
 * else is left as typed.
 */
export function neutraliseBidi(text: string): string {
  return text.replace(BIDI, (c) => visibleCodePoint(c.codePointAt(0)!));
}
