#!/usr/bin/env node
// fleetqry entry point: runs the compiled CLI (npm ci builds it through the root `prepare` script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('fleetqry: not built yet; run `npm run build` in the repository root\n');
  process.exit(70);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
