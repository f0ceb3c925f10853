/** The Rolegate logo and product name. */
export function BrandMark() {
  return (
    <span className="brand">
      <svg className="brand__logo" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="7" className="brand__logo-bg" />
        <path className="brand__logo-fg" d="M10 23V9h7a4.5 4.5 0 0 1 1.2 8.8L22 23h-3.6l-3.3-5H13.2v5zM13.2 15.3H17a1.7 1.7 0 0 0 0-3.4h-3.8z" />
      </svg>
      <span className="brand__name">Rolegate</span>
    </span>
  );
}
