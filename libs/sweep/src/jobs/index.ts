export * from './job-codec.js';
export * from './job-signature.js';
