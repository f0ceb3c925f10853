import { useId, useState } from 'react';
import { neutraliseBidi } from '../format';

/** Longer than this, or on more than one line, a reason is shown clamped with "Show more". */
export const REASON_CLAMP_CHARS = 160;

/**
 * Free text a person typed (a grant's reason, a user agent), shown safely:
 * bidirectional controls are made visible (⟨U+202E⟩) so the text cannot
 * display reversed or reorder what follows it; with `clamp`, long or
 * multi-line text shows its start and a "Show more" button.
 */
export function ReasonText({ text, clamp = true, testId }: { text: string; clamp?: boolean; testId?: string }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const safe = neutraliseBidi(text);
  const firstLine = safe.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const long = clamp && (firstLine.length !== safe.length || safe.length > REASON_CLAMP_CHARS);
  const shown = !long || open ? safe : `${firstLine.slice(0, REASON_CLAMP_CHARS)}…`;
  return (
    <span className="reason-text" data-testid={testId}>
      <span id={`${id}-text`} className={`reason-text__body${open ? ' reason-text__body--open' : ''}`} data-testid={testId ? `${testId}-text` : undefined}>
        {shown}
      </span>
      {long && (
        <button
          type="button"
          className="btn btn--link btn--sm reason-text__toggle"
          aria-expanded={open}
          aria-controls={`${id}-text`}
          onClick={(e) => {
            e.stopPropagation();
            setOpen(!open);
          }}
          data-testid={testId ? `${testId}-toggle` : undefined}
        >
          {open ? 'Show less' : 'Show more'}
        </button>
      )}
    </span>
  );
}
