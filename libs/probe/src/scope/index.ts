export * from './errors.js';
export * from './scope.js';
export { formatUnified, mergeIntervals, type Interval } from './intervals.js';
