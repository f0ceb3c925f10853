/**
 * Where to send the browser after sign-in. Only same-origin absolute paths
 * are kept; everything else falls back to "/". Stops open redirects such as
 * "//evil.com", "/\evil.com", "https:evil.com", "/%09/evil.com" and header
 * injection through CR/LF.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // Control characters (tab, CR, LF, …) and backslashes are never part of our paths.
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return '/';
  }
  if (decoded.startsWith('//') || decoded.startsWith('/\\') || /[\u0000-\u001f\u007f\\]/.test(decoded)) return '/';
  // Resolve against a dummy origin; anything that changes origin is refused.
  const base = 'http://rolegate.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return '/';
  }
  if (url.origin !== base) return '/';
  const path = url.pathname + url.search + url.hash;
  // Dot segments are removed during parsing, so "/.//evil.com" or
  // "/a/..//evil.com" come out as "//evil.com": protocol-relative, an open redirect.
  if (path.startsWith('//') || path.startsWith('/\\')) return '/';
  return path;
}
