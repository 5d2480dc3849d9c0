// Test-only: Debian's Chromium driven by playwright-core (Playwright's own browser download cannot work
// offline), and axe-core's accessibility check of a page.
import { existsSync } from 'node:fs';

import axePlaywright from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';

// TypeScript reads the package's CommonJS build (the class under `default`); jest loads its ES build.
type AxeBuilderClass = typeof axePlaywright.default;
const AxeBuilder: AxeBuilderClass =
  (axePlaywright as { default?: AxeBuilderClass }).default ?? (axePlaywright as unknown as AxeBuilderClass);

export const CHROMIUM = process.env.FLEETQRY_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium without anything that would reach out of this machine. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** axe-core's serious and critical violations on the page as it is now, one line each. */
export async function axeProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes
          .slice(0, 5)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}
