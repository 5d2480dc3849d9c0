// The store: the only place that speaks Prisma/SQL. Apps and the pipeline call these functions.
export { createStore, type Store } from './client/create-store.js';
export { connectPostgres, type SqlConnection } from './client/sql-connection.js';
export { DatabaseNotMigratedError } from './migrator/migration-errors.js';

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
export { loadCredentialKey, CREDENTIAL_KEY_ENV, type CredentialKey } from './credentials/credential-key.js';

// Generated model types and enums, so callers never import Prisma themselves.
export type {
  AuditOutcome,
  CredentialKind,
  FindingStatus as DbFindingStatus,
  RunTrigger,
  Severity as DbSeverity,
  Waiver,
  ScanDefinition,
  ScopeRule,
} from './generated/prisma/client.js';
