import { createHash } from 'node:crypto';

import { checksumMatches, migrationChecksum } from './checksum.js';

describe('migration checksums (as Prisma records and accepts them)', () => {
  const script = '-- CreateTable\nCREATE TABLE "a" ("id" INTEGER);\n';

  it('is the lowercase sha256 hex of the file text', () => {
    expect(migrationChecksum(script)).toBe(createHash('sha256').update(script).digest('hex'));
    expect(migrationChecksum(script)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts the same script checked out with the other line endings', () => {
    const crlf = script.replace(/\n/g, '\r\n');
    expect(checksumMatches(crlf, migrationChecksum(script))).toBe(true);
    expect(checksumMatches(script, migrationChecksum(crlf))).toBe(true);
  });

  it("accepts old Prisma's unpadded hex", () => {
    const digest = createHash('sha256').update(script).digest();
    const unpadded = [...digest].map((b) => b.toString(16)).join('');
    expect(checksumMatches(script, unpadded)).toBe(true);
  });

  it('rejects an edited script', () => {
    expect(checksumMatches(script + '-- edit\n', migrationChecksum(script))).toBe(false);
  });
});
