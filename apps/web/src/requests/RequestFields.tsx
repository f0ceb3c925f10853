import type { ReactNode } from 'react';

/*
 * Pieces shared by the forms that ask for access through a request: a new
 * request (RequestForm) and more time in an open window (WindowEndingPrompt).
 */

/** The duration a request form starts with: an hour, or the role's maximum when shorter; none when that is under the 20-minute minimum. */
export function defaultRequestDuration(maxDurationSeconds: number): number | undefined {
  const seconds = Math.min(3600, maxDurationSeconds);
  return seconds >= 1200 ? seconds : undefined;
}

/** The request's reason: required, at most 1000 characters (as the API accepts). */
export function ReasonField(props: { id: string; label: string; value: string; onChange: (value: string) => void; testId: string }) {
  return (
    <div className="field">
      <label className="field__label" htmlFor={`${props.id}-reason`}>
        {props.label}
      </label>
      <input
        id={`${props.id}-reason`}
        className="input"
        value={props.value}
        onChange={(ev) => props.onChange(ev.target.value)}
        required
        maxLength={1000}
        data-testid={props.testId}
      />
    </div>
  );
}

/** What a form shows once its request is sent: `children` says what happens next, then a link to the request. */
export function RequestSent(props: { testId: string; requestId: string; children: ReactNode }) {
  return (
    <p className="role__opening" role="status" data-testid={props.testId}>
      {props.children} <a href={`/requests/${props.requestId}`}>View the request</a>
    </p>
  );
}
