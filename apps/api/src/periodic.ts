/** A background loop started by `runEvery`. */
export interface Periodic {
  /** Clears the timer and resolves once the pass in flight (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` every `intervalMs` on an unref'd timer (it never holds the
 * process open). A tick that comes while the previous pass still runs is
 * skipped, so a slow database never piles passes up; a failed pass goes to
 * `onError` and the next tick tries again.
 */
export function runEvery(intervalMs: number, pass: () => Promise<unknown>, onError: (err: unknown) => void): Periodic {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = pass()
      .then(() => {}, onError)
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
