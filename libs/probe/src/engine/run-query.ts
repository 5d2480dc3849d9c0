import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../protocols/plugin.js';

/** The backstop's least grace over a plugin's deadline. */
const MIN_GRACE_MS = 250;

export type QueryOutcome = ProtocolResult & { answered: boolean; durationMs: number };

/**
 * Runs a protocol query under a hard deadline. Plugins honour ctx.timeoutMs themselves; this is the
 * backstop so a buggy or hostile exchange can never hang a worker, and a thrown error never escapes
 * a batch (it becomes a protocol-error outcome).
 */
export async function runQuery(
  plugin: ProtocolPlugin,
  ctx: Omit<ProtocolContext, 'signal'>,
  parent?: AbortSignal,
): Promise<QueryOutcome> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const backstop = new Promise<ProtocolResult & { answered: boolean }>((resolve) => {
    // Grace over the plugin's own deadline, so its own (more precise) status wins: a plugin's window
    // runs from its first send, which a loaded event loop (hundreds of queries starting at once) can
    // delay by hundreds of ms, so the grace is a whole deadline. And after a stall, timers run before
    // sockets are polled: the plugin's own end, which waits for one poll, must still come first, so the
    // backstop waits for that poll too.
    timer = setTimeout(
      () =>
        setImmediate(() => {
          controller.abort(new Error('deadline'));
          resolve({
            status: 'io-timeout',
            answered: false,
            detail: `no complete answer within ${ctx.timeoutMs} ms`,
          });
        }),
      ctx.timeoutMs + Math.max(MIN_GRACE_MS, ctx.timeoutMs),
    );
  });
  try {
    const result = await Promise.race([
      plugin
        .query({ ...ctx, signal: controller.signal })
        .catch((e: unknown): ProtocolResult & { answered: boolean } => ({
          status: 'protocol-error',
          answered: false,
          detail: `query failed: ${e instanceof Error ? e.message : String(e)}`,
        })),
      backstop,
    ]);
    return { ...result, durationMs: performance.now() - start };
  } finally {
    clearTimeout(timer);
    controller.abort();
    parent?.removeEventListener('abort', onParentAbort);
  }
}
