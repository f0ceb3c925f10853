/**
 * Tells the app's other tabs that this one signed out, so they say "your
 * session has ended" at once instead of failing on their next click.
 * Carries no data (the event name only).
 */
const CHANNEL = 'rolegate-session';

export function announceSignedOut(): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage('signed-out');
  channel.close();
}

/** Calls `onSignedOut` when another tab signs out; returns the unsubscribe. */
export function onSignedOutElsewhere(onSignedOut: () => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent) => {
    if (event.data === 'signed-out') onSignedOut();
  };
  return () => channel.close();
}
