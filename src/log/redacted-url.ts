/**
 * A URL as it may be shown: a password (postgres://user:secret@host/db) and query values
 * (…?password=…, ?key=…) are replaced, since configuration URLs sometimes carry credentials.
 * Text that is not a URL is shown only if it holds nothing URL-like to hide.
 */
export function redactedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return /[@?]/.test(text) ? '(not shown: unreadable URL)' : text;
  }
  // "user:pass@host" without a scheme parses as scheme "user:" with the rest as a path.
  if (url.username === '' && url.pathname.includes('@')) return '(not shown: unreadable URL)';
  if (url.password !== '') url.password = '***';
  for (const name of [...url.searchParams.keys()]) url.searchParams.set(name, '***');
  // URL encodes the replacement; keep it readable.
  return url.href.replaceAll('%2A%2A%2A', '***');
}
