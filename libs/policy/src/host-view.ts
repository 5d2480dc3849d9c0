import type { HostView, LocalSocket, Proto } from '@fleetqry/contracts';

import { addressKey, parseAddress } from './address.js';

/**
 * Host views for `evaluate`, keyed by address (any spelling; `::ffff:10.0.0.1` is `10.0.0.1`): the listener
 * table of the host that owns the address, as `fleetqry agent` pushed it. A Map or a plain object.
 */
export type HostViewLookup = ReadonlyMap<string, HostView> | Readonly<Record<string, HostView>>;

/** `0.0.0.0` or `::`: bound to every interface. */
export function isWildcardBind(address: string): boolean {
  const a = parseAddress(address);
  return a !== undefined && a.value === 0n;
}

/**
 * Whether a socket bound to `bind` receives traffic sent to `target`. `::` also covers IPv4: Linux's default
 * (`net.ipv6.bindv6only = 0`); /proc does not say which sockets set IPV6_V6ONLY.
 */
export function bindCovers(bind: string, target: string): boolean {
  const b = parseAddress(bind);
  const t = parseAddress(target);
  if (!b || !t) return false;
  if (b.value === 0n) return b.family === 6 || t.family === 4;
  return b.family === t.family && b.value === t.value;
}

/** The listeners of a host view, looked up by the scanned address, protocol and port. */
export class HostViewIndex {
  private readonly views = new Map<string, HostView>();

  constructor(views: HostViewLookup | undefined) {
    if (!views) return;
    const entries: [string, HostView][] =
      views instanceof Map
        ? [...(views as ReadonlyMap<string, HostView>).entries()]
        : Object.entries(views as Readonly<Record<string, HostView>>);
    for (const [address, view] of entries) {
      const canonical = addressKey(address);
      if (canonical !== undefined) this.views.set(canonical, view);
    }
  }

  get size(): number {
    return this.views.size;
  }

  view(address: string): HostView | undefined {
    const canonical = addressKey(address);
    return canonical === undefined ? undefined : this.views.get(canonical);
  }

  /** Listeners of the view that owns `address`, on proto/port, whose bind address covers `address`. */
  listeners(
    address: string,
    proto: Proto,
    port: number,
  ): { view: HostView; sockets: LocalSocket[] } | undefined {
    const view = this.view(address);
    if (!view) return undefined;
    const sockets = view.sockets.filter(
      (s) =>
        s.proto === proto &&
        s.localPort === port &&
        (proto === 'udp' ? s.remotePort === 0 : s.state === 'LISTENING') &&
        bindCovers(s.localAddress, address),
    );
    return { view, sockets };
  }
}
