import { Fragment } from 'react';

/** Long identifiers (ARNs) with line-break opportunities after ":" and "/", so they wrap at their separators. */
export function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?<=[:/])/);
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {p}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}
