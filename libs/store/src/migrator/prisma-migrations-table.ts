/**
 * `_prisma_migrations` exactly as Prisma's schema engine creates it on PostgreSQL, so `prisma migrate deploy`
 * on a connected machine reads our rows as its own (and we read its rows).
 */
export const CREATE_PRISMA_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** The advisory lock key `prisma migrate` takes on PostgreSQL: our migrator and Prisma's exclude each other. */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

export interface PrismaMigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}
