/** ioredis connection options from a `redis://[user:pass@]host:port[/db]` or `rediss://` URL. */
export interface RedisOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
}

export function parseRedisUrl(value: string): RedisOptions {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('not a URL (expected redis://host:port)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new Error('expected a redis:// or rediss:// URL');
  const db = url.pathname.replace(/^\//, '');
  if (db && !/^\d+$/.test(db)) throw new Error('the path must be a database number');
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
