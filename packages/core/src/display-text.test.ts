import { describe, expect, it } from 'vitest';
import { BIDI_CONTROL_CODE_POINTS, neutraliseBidi } from './display-text.js';

describe('neutraliseBidi', () => {
  it('makes every bidi control visible (a reversed reason cannot hide what it says)', () => {
    expect(neutraliseBidi('fix \u202Enimda ot ssecca\u202C now')).toBe('fix ⟨U+202E⟩nimda ot ssecca⟨U+202C⟩ now');
    for (const cp of BIDI_CONTROL_CODE_POINTS) {
      expect(neutraliseBidi(`a${String.fromCodePoint(cp)}b`)).toBe(`a⟨U+${cp.toString(16).toUpperCase()}⟩b`);
    }
    expect(BIDI_CONTROL_CODE_POINTS).toHaveLength(9);
  });

  it('leaves other text alone (right-to-left letters, marks outside the ranges, line breaks)', () => {
    const text = 'שלום ünï 🚀 \u200F\u2060\u2065\u206A\u2029 line\nbreak';
    expect(neutraliseBidi(text)).toBe(text);
  });
});
