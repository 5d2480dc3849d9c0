// The REST API's request/response schemas: validated at runtime by the controller and turned into its
// OpenAPI document, and used by the CLI's API client. Defined once here.
export * from './common.js';
export * from './tokens.js';
export * from './inventories.js';
export * from './scope-rules.js';
export * from './credentials.js';
export * from './policies.js';
export * from './service-groups.js';
export * from './scan-definitions.js';
export * from './findings.js';
export * from './waivers.js';
export * from './audit.js';
export * from './queries.js';
export * from './webhooks.js';
export * from './runs.js';
