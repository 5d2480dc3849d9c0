/** A database URL fit for an error message or a log line: the password (and query string) removed. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    u.search = '';
    return u.toString();
  } catch {
    return '<unparseable database URL>';
  }
}
