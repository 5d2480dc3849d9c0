/** The id pino-http gave a request (X-Request-Id or generated), as error bodies and log lines carry it. */
export function requestIdOf(req: object): string | undefined {
  const id = (req as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
