#!/usr/bin/env node
// `npm run db:generate`: generates the Prisma client into libs/store/src/generated/prisma, offline.
// The Prisma CLI insists on a schema-engine binary it downloads from binaries.prisma.sh even though
// `generate` never runs it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file (here: node itself)
// skips the download. A real engine path given by the caller is kept.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
};
const cli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
const result = spawnSync(
  process.execPath,
  [cli, 'generate', '--schema', join(root, 'prisma', 'schema.prisma')],
  {
    cwd: root,
    env,
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
