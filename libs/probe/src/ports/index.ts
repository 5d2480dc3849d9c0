export * from './errors.js';
export * from './services.js';
export * from './parse.js';
export * from './protocol.js';
export * from './builtin-groups.js';
export * from './groups.js';
export * from './scan-ports.js';
