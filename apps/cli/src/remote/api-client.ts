import type { Report, ViolationTrend } from '@fleetqry/contracts';

/** The API refused or failed; the message is the server's (it names the field at fault on a 400). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ServerFlags {
  server?: string;
  token?: string;
}

/** A run as the controller's /runs routes show it. */
export interface RemoteRun {
  id: string;
  number: number;
  status: string;
  trigger: string;
  hosts: number;
  progress: { totalProbes: number; doneProbes: number };
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/**
 * The CLI's client of the controller's REST API. The token comes from --token or $FLEETQRY_TOKEN (an
 * environment variable keeps it out of `ps` and shell history); it is never printed.
 */
export class ApiClient {
  private readonly base: string;
  private readonly token: string;

  constructor(flags: ServerFlags) {
    const server = flags.server ?? process.env['FLEETQRY_SERVER'];
    const token = flags.token ?? process.env['FLEETQRY_TOKEN'];
    if (!server) throw new ApiError(0, '--server: the controller URL is required (or $FLEETQRY_SERVER)');
    if (!token) throw new ApiError(0, '--token: an API token is required (or $FLEETQRY_TOKEN)');
    this.base = server.replace(/\/+$/, '');
    this.token = token;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The run's report exactly as the server built it (ReportSchema), whatever the output format. */
  report(run: string, filters: Record<string, string | string[] | undefined> = {}): Promise<Report> {
    const q = new URLSearchParams({ format: 'json' });
    for (const [k, v] of Object.entries(filters))
      if (v !== undefined) q.set(k, Array.isArray(v) ? v.join(',') : v);
    return this.request<Report>('GET', `/reports/${encodeURIComponent(run)}?${q}`);
  }

  /** Violations per run of the run's scan up to that run (the HTML report's chart). */
  trend(run: string): Promise<ViolationTrend> {
    return this.request<ViolationTrend>('GET', `/findings/trend?run=${encodeURIComponent(run)}`);
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      throw new ApiError(0, `cannot reach ${this.base}: ${(e as Error).message}`);
    }
    if (!res.ok) {
      const text = await res.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        /* not JSON */
      }
      throw new ApiError(res.status, `${method} ${path}: ${res.status} ${message}`);
    }
    return res;
  }
}

/** Adds --server/--token to a command (also accepted before the subcommand: see hoistServerOptions). */
export function addServerOptions<T extends { option(flags: string, description: string): T }>(cmd: T): T {
  return cmd
    .option('--server <url>', 'controller URL: use the API instead of a local store (or $FLEETQRY_SERVER)')
    .option('--token <token>', 'API token for --server (or $FLEETQRY_TOKEN)');
}

export function usesServer(flags: ServerFlags): boolean {
  return Boolean(flags.server ?? process.env['FLEETQRY_SERVER']);
}
