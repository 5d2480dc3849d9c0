import type { AppConfig } from './env.schema.js';

/**
 * The injection token for the validated configuration. A class (never instantiated) rather than a string, so
 * `@Inject(APP_CONFIG)` is typed and greppable.
 */
export const APP_CONFIG = Symbol('fleetqry:app-config');
export type { AppConfig };
