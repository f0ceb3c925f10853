export function DemoBadge() {
  return (
    <span className="badge badge--demo" data-testid="demo-badge">
      Demo
    </span>
  );
}
