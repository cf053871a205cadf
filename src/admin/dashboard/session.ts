const STORAGE_KEY = 'switchyard-admin-token';

/**
 * The admin token of `…/admin#token=…` (as `switchyard demo` prints it), taken off the
 * address bar at once so that it stays out of history, bookmarks and screen shares.
 */
export function takeTokenFromFragment(): string | undefined {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const token = fragment.get('token');
  if (token === null) return undefined;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return token === '' ? undefined : token;
}

/** Kept for the tab's life only: closing it logs out. */
export function savedToken(): string | undefined {
  return window.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function saveToken(token: string): void {
  window.sessionStorage.setItem(STORAGE_KEY, token);
}

export function forgetToken(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
