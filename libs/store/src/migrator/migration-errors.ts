/** A recorded migration whose file changed since it was applied: the database no longer matches the repo. */
export class MigrationChecksumError extends Error {
  constructor(
    readonly migrationName: string,
    readonly recorded: string,
    readonly actual: string,
  ) {
    super(
      `migration ${migrationName} was applied with checksum ${recorded} but prisma/migrations/${migrationName}/migration.sql ` +
        `now has checksum ${actual}: applied migrations must not be edited; add a new migration instead`,
    );
    this.name = 'MigrationChecksumError';
  }
}

/** A migration Prisma started and neither finished nor rolled back (only `prisma migrate` leaves these). */
export class FailedMigrationError extends Error {
  constructor(readonly migrationName: string) {
    super(
      `migration ${migrationName} failed earlier and is recorded as unfinished in _prisma_migrations; ` +
        `repair the database, then mark it with \`prisma migrate resolve --rolled-back ${migrationName}\` ` +
        `(or --applied) before migrating again`,
    );
    this.name = 'FailedMigrationError';
  }
}

/** A migration script failed; its transaction was rolled back, so nothing of it is applied. */
export class MigrationApplyError extends Error {
  constructor(
    readonly migrationName: string,
    cause: unknown,
  ) {
    super(
      `migration ${migrationName} failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'MigrationApplyError';
  }
}

/** A process that never migrates (the controller) opened a database that lacks this release's migrations. */
export class DatabaseNotMigratedError extends Error {
  constructor(readonly pending: readonly string[]) {
    super(
      `the database is not migrated: ${pending.length} migration(s) pending (${pending.slice(0, 3).join(', ')}` +
        `${pending.length > 3 ? ', …' : ''}); run \`npm run db:migrate\` (or the deployment's migrate job) first`,
    );
    this.name = 'DatabaseNotMigratedError';
  }
}

export function isMigrationError(error: unknown): boolean {
  return (
    error instanceof MigrationChecksumError ||
    error instanceof FailedMigrationError ||
    error instanceof MigrationApplyError ||
    error instanceof DatabaseNotMigratedError
  );
}
