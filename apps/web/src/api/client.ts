import { clearToken, getToken } from '../auth/session';

/** An API error with the controller's message (which names the field for a 400). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Called when the token is refused (401): the app goes back to the login form. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export type Query = Record<string, string | number | readonly string[] | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) q.set(k, v.join(','));
    } else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function send(method: string, path: string, body?: unknown, token = getToken()): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (typeof body === 'string') {
    headers['content-type'] = 'text/plain';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'omit' });
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText}`;
  try {
    const err = (await res.json()) as { message?: string | string[] };
    if (err.message) message = Array.isArray(err.message) ? err.message.join('; ') : err.message;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401 && token) {
    clearToken();
    onUnauthorized();
  }
  throw new ApiError(res.status, message);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', withQuery(path, query));

/** Checks a token before it is kept (the login form). */
export async function whoAmI(token: string): Promise<Principal> {
  const res = await send('GET', '/tokens/me', undefined, token);
  return (await res.json()) as Principal;
}

/** Downloads an export through fetch (the token stays in a header) and saves it as a file. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await send('GET', path);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export type Role = 'viewer' | 'operator' | 'admin';
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  prefix: string;
}
