export * from './port-state.js';
export * from './protocol-status.js';
export * from './protocol-data.js';
export * from './observation.js';
export * from './inventory.js';
export * from './finding.js';
export * from './local-socket.js';
export * from './report.js';
