import {
  CredentialSecretResponseSchema,
  INTERNAL_CREDENTIALS_PATH,
  WORKER_ID_HEADER,
  type CredentialSecretResponse,
} from '@fleetqry/contracts';

/** How many runs' credentials are kept in memory at once (a worker serves few runs at a time). */
const MAX_CACHED_RUNS = 8;
const FETCH_TIMEOUT_MS = 5_000;

/**
 * Fetches SNMP credentials (communities, v3 users: kind, secret, principal) by credential id from the controller (`GET /internal/credentials/:id`, bearer
 * worker token), so secrets never sit in job data or Redis. Each request names the chunk it is for and this
 * worker: the controller answers only while that chunk is open and its run's plan lists the credential.
 * Cached per run in memory only: a chunk of the same run on this worker does not ask again, and a finished
 * run's secrets age out. Errors name the id and the HTTP status, never the secret or the token.
 */
export class CredentialClient {
  private readonly byRun = new Map<string, Map<string, Promise<CredentialSecretResponse>>>();

  constructor(
    private readonly controllerUrl: string,
    private readonly workerToken: string,
    private readonly workerId: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async open(
    chunk: { runId: string; chunkIndex: number },
    ids: readonly string[],
  ): Promise<CredentialSecretResponse[]> {
    const cache = this.runCache(chunk.runId);
    return Promise.all(
      ids.map((id) => {
        let secret = cache.get(id);
        if (!secret) {
          secret = this.fetchOne(id, chunk);
          cache.set(id, secret);
          // A failed fetch is not cached: the job's retry asks again.
          secret.catch(() => cache.delete(id));
        }
        return secret;
      }),
    );
  }

  forgetRun(runId: string): void {
    this.byRun.delete(runId);
  }

  private runCache(runId: string): Map<string, Promise<CredentialSecretResponse>> {
    let cache = this.byRun.get(runId);
    if (cache) {
      // Refresh recency (Map keeps insertion order: the first key is the least recently used run).
      this.byRun.delete(runId);
    } else {
      cache = new Map();
    }
    this.byRun.set(runId, cache);
    while (this.byRun.size > MAX_CACHED_RUNS) this.byRun.delete(this.byRun.keys().next().value!);
    return cache;
  }

  private async fetchOne(
    id: string,
    chunk: { runId: string; chunkIndex: number },
  ): Promise<CredentialSecretResponse> {
    const query = new URLSearchParams({ run: chunk.runId, chunk: String(chunk.chunkIndex) });
    const url = `${this.controllerUrl}${INTERNAL_CREDENTIALS_PATH}/${encodeURIComponent(id)}?${query.toString()}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        headers: {
          authorization: `Bearer ${this.workerToken}`,
          accept: 'application/json',
          [WORKER_ID_HEADER]: this.workerId,
        },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch (e) {
      throw new Error(`credential ${id}: controller unreachable (${(e as Error).name})`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`credential ${id}: controller answered HTTP ${response.status}`);
    }
    const parsed = CredentialSecretResponseSchema.safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new Error(`credential ${id}: unexpected answer from the controller`);
    return parsed.data;
  }
}
