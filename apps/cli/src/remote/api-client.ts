import type { Report, ViolationTrend } from '@fleetqry/contracts';
import createClient, { type Client } from 'openapi-fetch';

import type { operations, paths } from './generated/api.js';

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

type Ok<Op> = Op extends { responses: infer R }
  ? R extends Record<200 | 201 | 202, never>
    ? never
    : {
        [S in keyof R]: S extends 200 | 201 | 202
          ? R[S] extends { content: { 'application/json': infer B } }
            ? B
            : never
          : never;
      }[keyof R]
  : never;

/** A run as the controller's /runs routes show it (the OpenAPI document's RunView). */
export type RemoteRun = Ok<operations['RunsController_list']>[number];

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/**
 * The CLI's client of the controller's REST API, typed by the client that openapi-typescript generates from
 * the controller's OpenAPI document (generated/api.ts; a test regenerates it from the running controller and
 * fails on drift), so a route or schema change that the CLI does not follow fails to compile. The token comes
 * from --token or $FLEETQRY_TOKEN (an environment variable keeps it out of `ps` and shell history); it is
 * never printed.
 */
export class ApiClient {
  private readonly base: string;
  private readonly http: Client<paths>;

  constructor(flags: ServerFlags) {
    const server = flags.server ?? process.env['FLEETQRY_SERVER'];
    const token = flags.token ?? process.env['FLEETQRY_TOKEN'];
    if (!server) throw new ApiError(0, '--server: the controller URL is required (or $FLEETQRY_SERVER)');
    if (!token) throw new ApiError(0, '--token: an API token is required (or $FLEETQRY_TOKEN)');
    this.base = server.replace(/\/+$/, '');
    this.http = createClient<paths>({
      baseUrl: this.base,
      headers: { authorization: `Bearer ${token}` },
      fetch: (request: Request) => fetch(request, { signal: AbortSignal.timeout(60_000) }),
    });
  }

  startRun(body: { scanDefinitionId: string; idempotencyKey?: string }) {
    return this.call('POST /runs', this.http.POST('/runs', { body }));
  }

  run(id: string) {
    return this.call(`GET /runs/${id}`, this.http.GET('/runs/{id}', { params: { path: { id } } }));
  }

  runs(limit: number) {
    return this.call('GET /runs', this.http.GET('/runs', { params: { query: { limit } } }));
  }

  delta(from: string, to: string) {
    return this.call('GET /delta', this.http.GET('/delta', { params: { query: { from, to } } }));
  }

  /** The run's report exactly as the server built it (ReportSchema), whatever the output format. */
  async report(run: string, filters: Record<string, string | string[] | undefined> = {}): Promise<Report> {
    const query: Record<string, string> = { format: 'json' };
    for (const [k, v] of Object.entries(filters))
      if (v !== undefined) query[k] = Array.isArray(v) ? v.join(',') : v;
    const report = await this.call(
      `GET /reports/${run}`,
      this.http.GET('/reports/{run}', {
        params: { path: { run }, query: query as { format: 'json' } },
        parseAs: 'json',
      }),
    );
    return report;
  }

  /** Violations per run of the run's scan up to that run (the HTML report's chart). */
  async trend(run: string): Promise<ViolationTrend> {
    return this.call<ViolationTrend>(
      'GET /findings/trend',
      this.http.GET('/findings/trend', { params: { query: { run } } }),
    );
  }

  createInventory(body: InventoryBody) {
    return this.call('POST /inventories', this.http.POST('/inventories', { body }));
  }

  inventories() {
    return this.call(
      'GET /inventories',
      this.http.GET('/inventories', { params: { query: { limit: 1000 } } }),
    );
  }

  replaceInventory(id: string, body: InventoryBody) {
    return this.call(
      `PUT /inventories/${id}`,
      this.http.PUT('/inventories/{id}', { params: { path: { id } }, body }),
    );
  }

  createScanDefinition(body: ScanDefinitionBody) {
    return this.call('POST /scan-definitions', this.http.POST('/scan-definitions', { body }));
  }

  scanDefinitions() {
    return this.call(
      'GET /scan-definitions',
      this.http.GET('/scan-definitions', { params: { query: { limit: 1000 } } }),
    );
  }

  updateScanDefinition(id: string, body: ScanDefinitionBody) {
    return this.call(
      `PATCH /scan-definitions/${id}`,
      this.http.PATCH('/scan-definitions/{id}', { params: { path: { id } }, body }),
    );
  }

  uploadPolicy(name: string, yaml: string) {
    return this.call('POST /policies', this.http.POST('/policies', { body: { name, yaml } }));
  }

  createWebhook(body: WebhookBody) {
    return this.call('POST /webhooks', this.http.POST('/webhooks', { body }));
  }

  webhooks() {
    return this.call('GET /webhooks', this.http.GET('/webhooks'));
  }

  removeWebhook(id: string) {
    return this.call(
      `DELETE /webhooks/${id}`,
      this.http.DELETE('/webhooks/{id}', { params: { path: { id } } }),
    );
  }

  webhookDeliveries(id: string, limit: number) {
    return this.call(
      `GET /webhooks/${id}/deliveries`,
      this.http.GET('/webhooks/{id}/deliveries', { params: { path: { id }, query: { limit } } }),
    );
  }

  /** The data of a 2xx answer; an ApiError with the server's message (it names the field on a 400) otherwise. */
  private async call<T>(label: string, pending: Promise<Outcome<T>>): Promise<T> {
    let outcome: Outcome<T>;
    try {
      outcome = await pending;
    } catch (e) {
      throw new ApiError(0, `cannot reach ${this.base}: ${(e as Error).message}`);
    }
    const { response } = outcome;
    if (outcome.error !== undefined || !response.ok) {
      const body = outcome.error as { message?: unknown } | string | undefined;
      const message =
        typeof body === 'object' && body && typeof body.message === 'string'
          ? body.message
          : typeof body === 'string'
            ? body
            : '';
      throw new ApiError(response.status, `${label}: ${response.status} ${message}`);
    }
    return outcome.data as T;
  }
}

type InventoryBody = NonNullable<
  operations['InventoriesController_create']['requestBody']
>['content']['application/json'];
type WebhookBody = NonNullable<
  operations['WebhooksController_create']['requestBody']
>['content']['application/json'];
type ScanDefinitionBody = NonNullable<
  operations['ScanDefinitionsController_create']['requestBody']
>['content']['application/json'];

/** Adds --server/--token to a command (also accepted before the subcommand: see hoistServerOptions). */
export function addServerOptions<T extends { option(flags: string, description: string): T }>(cmd: T): T {
  return cmd
    .option('--server <url>', 'controller URL: use the API instead of a local store (or $FLEETQRY_SERVER)')
    .option('--token <token>', 'API token for --server (or $FLEETQRY_TOKEN)');
}

export function usesServer(flags: ServerFlags): boolean {
  return Boolean(flags.server ?? process.env['FLEETQRY_SERVER']);
}
