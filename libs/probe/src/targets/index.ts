export * from './errors.js';
export * from './spec.js';
export * from './target-file.js';
export * from './expand.js';
export * from './resolver.js';
export * from './resolve.js';
