/**
 * The API token lives in session storage only: gone when the tab closes, never in a URL, a cookie or
 * local storage.
 */
const KEY = 'fleetqry.token';

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
