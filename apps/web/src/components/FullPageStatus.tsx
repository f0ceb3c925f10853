import type { ReactNode } from 'react';
import { Spinner } from './Spinner';

/** Centered, full-height message used before the portal can render. */
export function FullPageStatus({ children, busy = false }: { children: ReactNode; busy?: boolean }) {
  return (
    <main className="full-page">
      <div className="full-page__body" role={busy ? 'status' : undefined}>
        {busy && <Spinner size="md" />}
        {children}
      </div>
    </main>
  );
}
