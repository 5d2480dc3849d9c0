// Entry point used by tools/lab/lab.sh: main.ts up|down [--purge]|status|check|truth|config.
import fs from 'node:fs';
import path from 'node:path';

import { check } from './check.js';
import { writeCliConfig } from './cli-config.js';
import { loadConfig } from './config.js';
import { down, status, up } from './lifecycle.js';
import { buildTruth, listSockets, writeTruth } from './truth.js';
import type { Plan } from './types.js';

async function main(argv: string[]): Promise<number> {
  const cfg = loadConfig();
  switch (argv[0]) {
    case 'up':
      return up(cfg);
    case 'down':
      return down(cfg, argv.includes('--purge'));
    case 'status':
      return status(cfg);
    case 'check':
      return check(cfg);
    case 'truth': {
      const plan = JSON.parse(fs.readFileSync(path.join(cfg.state, 'plan.json'), 'utf8')) as Plan;
      console.log(writeTruth(cfg.state, buildTruth(plan, listSockets())));
      return 0;
    }
    case 'config': {
      // the fleetqry config of a lab that is up (lab.sh up writes it too)
      const truth = JSON.parse(fs.readFileSync(path.join(cfg.state, 'ground-truth.json'), 'utf8')) as {
        dnsServer: string;
      };
      console.log(writeCliConfig(cfg.state, truth));
      return 0;
    }
    default:
      console.error('usage: main.ts up|down [--purge]|status|check|truth|config');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (rc) => process.exit(rc),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
