import { createHash } from 'node:crypto';

/** What Prisma records in `_prisma_migrations.checksum`: the SHA-256 of the file's text, lowercase hex. */
export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/**
 * Whether a recorded checksum belongs to this script, accepting what Prisma's schema engine accepts: the
 * script as is, with CRLF turned to LF and LF to CRLF (git may check a file out either way), and the
 * un-padded hex some old Prisma versions wrote. Anything else is an edited migration.
 */
export function checksumMatches(script: string, recorded: string): boolean {
  const variants = [script, script.replace(/\r\n/g, '\n'), script.replace(/\r?\n/g, '\r\n')];
  return variants.some((v) => {
    const digest = createHash('sha256').update(v, 'utf8').digest();
    if (recorded.length === 64) return digest.toString('hex') === recorded;
    return [...digest].map((b) => b.toString(16)).join('') === recorded;
  });
}
