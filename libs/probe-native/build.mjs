#!/usr/bin/env node
// Builds the optional native scan addon (build/Release/fleetqry_probe_native.node) with node-gyp.
// It never fails the caller: without a compiler, headers or node-gyp (or off Linux) it prints a
// warning and exits 0, and the probe engine keeps using its per-socket connect() path.
// FLEETQRY_NATIVE=0 skips the build; FLEETQRY_NATIVE=require makes a failure fatal (CI of the addon).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const mode = process.env.FLEETQRY_NATIVE ?? 'auto';
const warn = (msg) => {
  if (mode === 'require') {
    console.error(`probe-native: ${msg}`);
    process.exit(1);
  }
  console.warn(`probe-native: ${msg}; the TCP engine will use per-socket connect() scans`);
  process.exit(0);
};

if (mode === '0' || mode === 'off') {
  console.log('probe-native: skipped (FLEETQRY_NATIVE=0)');
  process.exit(0);
}
if (process.platform !== 'linux') warn(`the native scans are Linux-only (platform ${process.platform})`);

/** node-gyp: the one npm bundles, a local install, or one on PATH. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    /* not installed locally */
  }
  const npmDir = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  candidates.push(join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push('/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  candidates.push('/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  return candidates.find((c) => existsSync(c));
}

const gyp = findNodeGyp();
if (!gyp) warn('node-gyp not found');

// Use the installed headers when they match this node (no download); otherwise node-gyp's default.
const args = [gyp, 'rebuild', '--silent'];
const nodedir = process.env.npm_config_nodedir ?? dirname(dirname(process.execPath));
if (existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);

const r = spawnSync(process.execPath, args, { cwd: here, stdio: 'inherit', timeout: 180_000 });
if (r.error) warn(`node-gyp could not run (${r.error.message})`);
if (r.status !== 0) warn(`compilation failed (node-gyp exit ${r.status ?? r.signal})`);
if (!existsSync(join(here, 'build', 'Release', 'fleetqry_probe_native.node'))) warn('no binary was produced');
console.log('probe-native: built build/Release/fleetqry_probe_native.node');
