/** Thin strip shown on every screen when the server runs in demo mode. */
export function DemoBanner() {
  return (
    // A complementary landmark: all content of a page sits inside one (axe "region").
    <aside className="demo-banner" aria-label="Demo mode" data-testid="demo-banner">
      Demo mode — local identity provider and AWS emulator
    </aside>
  );
}
