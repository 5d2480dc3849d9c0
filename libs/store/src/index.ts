// The store: the only place that speaks Prisma/SQL. Apps and the pipeline call these functions.
export {
  createStore,
  DEFAULT_DATA_DIR,
  StoreConnectError,
  type Store,
  type StoreOptions,
} from './client/create-store.js';
export {
  connectPostgres,
  pgliteConnection,
  poolConnection,
  type SqlConnection,
} from './client/sql-connection.js';
export { redactDatabaseUrl } from './client/redact-url.js';
export { buildPgliteTemplate, PGLITE_TEMPLATE_DIR } from './client/pglite-template.js';

export { assertMigrated, migrate, type MigrateOptions, type MigrateResult } from './migrator/migrate.js';
export { findMigrationsDir } from './migrator/migrations-dir.js';
export { migrationChecksum } from './migrator/checksum.js';
export {
  DatabaseNotMigratedError,
  FailedMigrationError,
  MigrationApplyError,
  MigrationChecksumError,
  isMigrationError,
} from './migrator/migration-errors.js';

export { checkSchemaDrift } from './drift/check-drift.js';

export * from './repositories/db.js';
export * from './repositories/runs.repository.js';
export * from './repositories/run-chunks.repository.js';
export * from './repositories/scan-definitions.repository.js';
export * from './repositories/inventories.repository.js';
export * from './repositories/scope-rules.repository.js';
export * from './repositories/service-groups.repository.js';
export * from './repositories/policies.repository.js';
export * from './repositories/observation-row.js';
export * from './repositories/observations.repository.js';
export * from './repositories/findings.repository.js';
export * from './repositories/waivers.repository.js';
export * from './repositories/audit-log.repository.js';
export * from './repositories/api-tokens.repository.js';
export * from './repositories/credentials.repository.js';
export * from './repositories/host-views.repository.js';
export * from './repositories/retention.repository.js';
export * from './repositories/webhooks.repository.js';
export * from './repositories/webhook-deliveries.repository.js';
export {
  loadCredentialKey,
  CredentialKeyError,
  CREDENTIAL_KEY_ENV,
  type CredentialKey,
} from './credentials/credential-key.js';

// Generated model types and enums, so callers never import Prisma themselves.
export type {
  ApiRole,
  AuditOutcome,
  CredentialKind,
  FindingStatus as DbFindingStatus,
  RunStatus,
  RunTrigger,
  Severity as DbSeverity,
  Waiver,
  ScanDefinition,
  ScopeAction,
  ScopeRule,
  ServiceGroup,
  Policy as StoredPolicy,
  AuditLog,
} from './generated/prisma/client.js';
