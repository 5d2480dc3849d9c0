import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One problem the Multitool reports: level, rule (e.g. GH2012, SARIF1002) and message. */
export interface SarifProblem {
  level: string;
  rule: string;
  message: string;
}

const CONFIG = join(dirname(fileURLToPath(import.meta.url)), 'sarif-multitool.config.xml');

/**
 * Microsoft's SARIF Multitool (`@microsoft/sarif-multitool`, a self-contained .NET build shipped on npm)
 * `validate` with the SARIF and GitHub rule kinds, as GitHub code scanning's ingestion checks a log.
 * Returns its errors and warnings (notes are style suggestions). Run offline: no URI reachability rule, no
 * ICU needed, and any HTTP the tool still tried would go to a dead loopback proxy.
 */
export function validateSarif(sarif: string): SarifProblem[] {
  // The platform package's entry point resolves the native binary (the npm bin goes through a shell).
  const binary = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;
  const dir = mkdtempSync(join(tmpdir(), 'fleetqry-sarif-'));
  try {
    const input = join(dir, 'report.sarif');
    const output = join(dir, 'validation.sarif');
    writeFileSync(input, sarif);
    const run = spawnSync(
      binary,
      ['validate', '--rule-kind', 'Sarif;Gh', '--level', 'Error;Warning', '-c', CONFIG, '-o', output, input],
      {
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1',
          DOTNET_CLI_TELEMETRY_OPTOUT: '1',
          HTTP_PROXY: 'http://127.0.0.1:9',
          HTTPS_PROXY: 'http://127.0.0.1:9',
        },
      },
    );
    if (run.status !== 0)
      throw new Error(`sarif-multitool exited ${run.status}: ${run.stdout}\n${run.stderr}`);
    const log = JSON.parse(readFileSync(output, 'utf8')) as {
      runs: {
        results?: {
          ruleId: string;
          level?: string;
          message: { text?: string; id?: string; arguments?: string[] };
        }[];
        invocations?: { executionSuccessful?: boolean; toolExecutionNotifications?: unknown[] }[];
      }[];
    };
    const failed = log.runs[0]?.invocations?.find((i) => i.executionSuccessful === false);
    if (failed) throw new Error(`sarif-multitool did not complete: ${JSON.stringify(failed)}`);
    return (log.runs[0]?.results ?? []).map((r) => ({
      level: r.level ?? 'warning',
      rule: r.ruleId,
      message: r.message.text ?? [r.message.id, ...(r.message.arguments ?? [])].join(' | '),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
