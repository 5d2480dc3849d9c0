import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ESLint } from 'eslint';

/**
 * The architecture's boundaries are lint rules; this proves they fail on a violation (a rule that cannot
 * fail would pass silently). Snippets are linted as if they lived at the given path; nothing is written.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let eslint: ESLint;
beforeAll(() => {
  // The module-boundary rule reads Nx's project graph; `npm run lint` builds it the same way first.
  execFileSync('npx', ['nx', 'show', 'projects'], { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false' } });
  // The snippets exist only in memory, so no tsconfig lists them: type-aware rules get them through the
  // project service's default project (the root tsconfig, for its path mapping of @fleetqry/*).
  eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: {
      languageOptions: {
        parserOptions: {
          projectService: {
            allowDefaultProject: ['apps/*/src/x.ts', 'apps/*/src/*/x.ts', 'libs/*/src/x.ts'],
            defaultProject: 'tsconfig.json',
          },
        },
      },
    },
  });
}, 120_000);

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint boundaries', () => {
  it('refuses Prisma model access in an app', async () => {
    const code = `import type { Store } from '@fleetqry/store';\nexport const n = (store: Store) => store.prisma.run.count();\n`;
    expect(await ruleIds('apps/controller/src/runs/x.ts', code)).toEqual([
      expect.stringMatching(/^no-restricted-syntax: Use a libs\/store repository function/),
    ]);
  });

  it('refuses Prisma in an app and a lib importing an app', async () => {
    expect(
      await ruleIds(
        'apps/controller/src/x.ts',
        `import { PrismaPg } from '@prisma/adapter-pg';\nexport const A = PrismaPg;\n`,
      ),
    ).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*@prisma\/adapter-pg/)]);
    expect(
      await ruleIds(
        'libs/policy/src/x.ts',
        `import type { ScanPlanner } from '@fleetqry/controller';\nexport type A = ScanPlanner;\n`,
      ),
    ).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries:/)]);
  });

  it('refuses Nest in the probe core', async () => {
    expect(
      await ruleIds(
        'libs/probe/src/x.ts',
        `import { Injectable } from '@nestjs/common';\nexport const A = Injectable;\n`,
      ),
    ).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*@nestjs\/common/)]);
  });

  it('keeps the store, the policies and the sweep pipeline out of the worker', async () => {
    for (const lib of ['@fleetqry/store', '@fleetqry/policy', '@fleetqry/sweep'])
      expect(
        await ruleIds('apps/worker/src/x.ts', `import * as lib from '${lib}';\nexport const A = lib;\n`),
      ).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
    expect(
      await ruleIds(
        'apps/worker/src/x.ts',
        `import { verifySignedJob } from '@fleetqry/sweep/jobs';\nexport const A = verifySignedJob;\n`,
      ),
    ).toEqual([]);
  });

  it('refuses a floating promise and imports out of order (type-checked rules, one import order)', async () => {
    expect(
      await ruleIds(
        'libs/probe/src/x.ts',
        `export async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n`,
      ),
    ).toEqual([expect.stringMatching(/^@typescript-eslint\/no-floating-promises: /)]);
    const order = await ruleIds(
      'libs/probe/src/x.ts',
      `import { a } from './a.js';\nimport { readFileSync } from 'node:fs';\nexport const A = [a, readFileSync];\n`,
    );
    expect(order).not.toHaveLength(0);
    expect(order.filter((m) => !m.startsWith('import-x/order: '))).toEqual([]);
  });

  it('passes the same code where it is allowed', async () => {
    expect(
      await ruleIds(
        'libs/store/src/x.ts',
        `import { PrismaPg } from '@prisma/adapter-pg';\nexport const A = PrismaPg;\n`,
      ),
    ).toEqual([]);
  });
});
