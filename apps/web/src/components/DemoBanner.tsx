/** Thin strip shown on every screen when the server runs in demo mode. */
export function DemoBanner() {
  return (
    <div className="demo-banner" role="note" data-testid="demo-banner">
      Demo mode — local identity provider and AWS emulator
    </div>
  );
}
