// The build's last step: the migrated embedded-database template that a new data directory is copied from
// (libs/store/src/client/pglite-template.ts explains why).
import { buildPgliteTemplate, PGLITE_TEMPLATE_DIR } from './dist/client/pglite-template.js';

const started = performance.now();
await buildPgliteTemplate();
console.log(
  `store: embedded database template in ${PGLITE_TEMPLATE_DIR} (${Math.round(performance.now() - started)} ms)`,
);
