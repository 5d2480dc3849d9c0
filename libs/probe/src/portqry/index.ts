export * from './portqry-lines.js';
export * from './portqry-report.js';
export * from './portqry-query.js';
