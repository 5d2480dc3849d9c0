export * from './errors.js';
export * from './scope.js';
