import { CronExpressionParser } from 'cron-parser';

/**
 * An IANA zone name the runtime knows (Intl's tz database, which BullMQ's scheduler uses through
 * cron-parser/luxon). Offsets like `+01:00` are refused: a schedule should follow daylight saving.
 */
export function timezoneProblem(tz: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz))
    return `"${tz}" is not an IANA time zone name`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `unknown time zone "${tz}" (use an IANA name such as Europe/Berlin or UTC)`;
  }
}

/**
 * A cron expression as BullMQ's job scheduler reads it (cron-parser, the parser BullMQ itself uses), with 5
 * fields (minute first) or 6 (seconds first); nicknames like @daily are accepted. It must fire at least once.
 */
export function cronProblem(expr: string, tz: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (!expr.trim().startsWith('@') && (fields.length < 5 || fields.length > 6))
    return `"${expr}" has ${fields.length} fields; a cron expression has 5 (min hour day month weekday) or 6 (with seconds first)`;
  try {
    CronExpressionParser.parse(expr, { tz, currentDate: new Date() }).next();
    return undefined;
  } catch (e) {
    return `invalid cron expression "${expr}": ${(e as Error).message}`;
  }
}

/** The next `count` times a valid schedule fires after `from`, as UTC ISO strings. */
export function nextFireTimes(expr: string, tz: string, count: number, from = new Date()): string[] {
  const it = CronExpressionParser.parse(expr, { tz, currentDate: from });
  return Array.from({ length: count }, () => it.next().toDate().toISOString());
}
