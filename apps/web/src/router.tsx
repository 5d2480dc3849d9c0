import { useCallback, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A small history router: the console's pages live under /ui/ (the API owns the other paths), and each
 * page keeps its filters in the query string so a link is shareable.
 */
const BASE = '/ui';

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = to.startsWith(BASE) ? to : `${BASE}${to}`;
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

/** The path below /ui (`/report`) and the query string. */
export function useLocation(): { path: string; params: URLSearchParams } {
  const loc = useSyncExternalStore(subscribe, snapshot);
  const [pathname, search = ''] = loc.split('?');
  const path = pathname!.startsWith(BASE) ? pathname!.slice(BASE.length) || '/' : '/';
  return { path: path.replace(/\/+$/, '') || '/', params: new URLSearchParams(search) };
}

/** Query-string state: read a list or a value, write a new set of parameters (replacing the entry). */
export function useSearchParams(): [
  URLSearchParams,
  (next: Record<string, string | string[] | undefined>) => void,
] {
  const { path, params } = useLocation();
  const set = useCallback(
    (next: Record<string, string | string[] | undefined>) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(next)) {
        if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
        q.set(k, Array.isArray(v) ? v.join(',') : v);
      }
      const s = q.toString();
      navigate(`${path === '/' ? '/' : path}${s ? `?${s}` : ''}`, { replace: true });
    },
    [path],
  );
  return [params, set];
}

function href(to: string): string {
  return `${BASE}${to}`;
}

/** An in-app link: a real anchor (middle click, copy link work), navigated without a page load. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
    window.scrollTo(0, 0);
  };
  return <a href={href(to)} onClick={onClick} {...rest} />;
}
