export * from './job-codec.js';
export * from './job-signature.js';
export * from './result-buffer.js';
