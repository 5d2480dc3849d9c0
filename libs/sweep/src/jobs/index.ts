export * from './job-codec.js';
