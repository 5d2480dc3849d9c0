/**
 * `work`'s outcome, or a rejection with `timeoutError()` once `ms` have passed, whichever comes first. The
 * timer is cleared either way. `work` itself is not cancelled: the caller only stops waiting for it (a Redis
 * ping, a health check, getaddrinfo).
 */
export async function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  timeoutError: () => Error = () => new Error(`no answer within ${ms} ms`),
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeoutError()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
