import { useEffect, useId, useRef, useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

interface Props {
  label: string;
  hint: string;
  text: string;
  testId: string;
}

/** Selects the block's text so the user can copy it by hand. */
function selectContents(el: HTMLElement | null) {
  const selection = window.getSelection();
  if (!el || !selection) return;
  const range = document.createRange();
  range.selectNodeContents(el);
  selection.removeAllRanges();
  selection.addRange(range);
}

/** A read-only code block with a Copy button (and a manual fallback). */
export function CopyBlock({ label, hint, text, testId }: Props) {
  const id = useId();
  const preRef = useRef<HTMLPreElement>(null);
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (state !== 'copied') return;
    const timer = window.setTimeout(() => setState('idle'), 2500);
    return () => window.clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('clipboard unavailable');
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      selectContents(preRef.current);
      setState('failed');
    }
  }

  return (
    <div className="copy-block">
      <div className="copy-block__header">
        <div>
          <h3 id={`${id}-label`} className="copy-block__label">
            {label}
          </h3>
          <p className="copy-block__hint">{hint}</p>
        </div>
        <button type="button" className="btn btn--secondary btn--sm" data-testid={testId} onClick={() => void copy()} aria-describedby={`${id}-label`}>
          {state === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre ref={preRef} className="code" tabIndex={0} aria-labelledby={`${id}-label`} data-testid={`${testId}-text`}>
        {text}
      </pre>
      <p className="copy-block__status" role="status">
        {state === 'copied' && 'Copied to the clipboard.'}
        {state === 'failed' && 'Could not copy automatically. The text is selected: press Ctrl+C (⌘C on a Mac).'}
      </p>
    </div>
  );
}
