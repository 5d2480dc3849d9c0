import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { literalSnmpSecrets, type Severity } from '@fleetqry/contracts';
import { BUILTIN_POLICY_NAMES, parsePolicyYaml } from '@fleetqry/policy';
import { loadInventoryFile } from '@fleetqry/sweep';
import { Command, Option } from 'commander';

import { choiceOption } from '../cli-values.js';
import {
  emitReport,
  FAIL_ON,
  REPORT_FORMATS,
  reportExitCode,
  unsucceededRunExit,
  type ReportFormat,
} from '../sweep/report-output.js';
import { UsageError } from '../usage-error.js';
import { addServerOptions, ApiClient, ApiError, type RemoteRun, type ServerFlags } from './api-client.js';

interface ScanStartFlags extends ServerFlags {
  inventory: string;
  policy: string;
  wait?: boolean;
  format: ReportFormat;
  output?: string;
  failOn: Severity | 'none';
  idempotencyKey?: string;
  pollMs: string;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * `scan start`: the same inventory and policy files as `sweep`, run by the controller's workers. The
 * inventory (imports merged) becomes a stored inventory and a scan definition named after it, so runs of the
 * same file diff against each other, as the embedded sweep's do.
 */
async function scanStart(flags: ScanStartFlags): Promise<number> {
  const api = new ApiClient(flags);
  const loaded = await loadInventoryFile(flags.inventory);
  const literal = literalSnmpSecrets(loaded.inventory.snmp);
  if (literal.length)
    throw new UsageError(
      `${flags.inventory}: snmp.${literal[0]}: the controller stores SNMP secrets as credentials; create them (POST /credentials, admin) and list their ids in snmp.credentials`,
    );
  const name = `cli:${loaded.name}`;
  const { imports: _imports, ...document } = loaded.inventory;
  const inventoryBody = { name, document } as Parameters<ApiClient['createInventory']>[0];
  const inventoryId = await upsert(
    name,
    () => api.createInventory(inventoryBody),
    async () => (await api.inventories()).items,
    (id) => api.replaceInventory(id, inventoryBody),
  );

  const policy = await resolvePolicy(api, flags.policy);
  const definition = { inventoryId, policy: policy.name, policyVersion: policy.version };
  const scanBody = { name, ...definition } as Parameters<ApiClient['createScanDefinition']>[0];
  const scanId = await upsert(
    name,
    () => api.createScanDefinition(scanBody),
    async () => (await api.scanDefinitions()).items,
    (id) => api.updateScanDefinition(id, scanBody),
  );

  let run: RemoteRun = await api.startRun({
    scanDefinitionId: scanId,
    ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}),
  });
  process.stderr.write(`run #${run.number} ${run.status} (${run.id})\n`);
  if (!flags.wait) {
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    return 0;
  }
  const pollMs = Math.max(100, Number(flags.pollMs) || 1000);
  while (!FINISHED.has(run.status)) {
    await sleep(pollMs);
    run = await api.run(run.id);
  }
  if (run.status !== 'succeeded') return unsucceededRunExit(await api.run(run.id));
  const report = await api.report(run.id);
  const trend = flags.format === 'html' ? (await api.trend(run.id)).points : undefined;
  emitReport(report, flags.format, {
    ...(flags.output ? { output: flags.output } : {}),
    ...(trend ? { trend } : {}),
  });
  return reportExitCode(report, flags.failOn);
}

/** Creates, or updates the one with that name (names are unique server-side); returns its id. */
async function upsert(
  name: string,
  create: () => Promise<{ id: string }>,
  list: () => Promise<Array<{ id: string; name: string }>>,
  update: (id: string) => Promise<unknown>,
): Promise<string> {
  try {
    return (await create()).id;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 409) throw e;
  }
  const existing = (await list()).find((i) => i.name === name);
  if (!existing) throw new ApiError(409, `"${name}" exists but is not listed`);
  await update(existing.id);
  return existing.id;
}

/** baseline (built in), a policy file (uploaded: needs an admin token), or a stored policy's name. */
async function resolvePolicy(api: ApiClient, ref: string): Promise<{ name: string; version: number | null }> {
  if ((BUILTIN_POLICY_NAMES as readonly string[]).includes(ref)) return { name: ref, version: null };
  if (!existsSync(ref)) return { name: ref, version: null };
  const yaml = readFileSync(ref, 'utf8');
  const parsed = parsePolicyYaml(yaml, ref); // the same errors as the embedded sweep, before any upload
  const name =
    (parsed as { metadata?: { name?: string } }).metadata?.name ?? basename(ref).replace(/\.ya?ml$/, '');
  const stored = await api.uploadPolicy(name, yaml);
  return { name: stored.name, version: stored.version };
}

export function scanCommand(): Command {
  const start = addServerOptions(
    new Command('start')
      .description('start a run on the controller (--server) for an inventory file; --wait prints its report')
      .requiredOption('-i, --inventory <file>', 'inventory YAML, as for `fleetqry sweep`')
      .option(
        '--policy <name|file>',
        'built-in or stored policy name, or a policy YAML (uploaded; admin)',
        'baseline',
      )
      .option('--wait', 'wait for the run to finish and print its report')
      .option('--idempotency-key <key>', 'retrying with the same key never starts a second run')
      .option('--poll-ms <ms>', 'progress polling interval with --wait', '1000')
      .addOption(
        new Option('-f, --format <format>', 'report format (--wait)')
          .default('text')
          .argParser(choiceOption('--format', REPORT_FORMATS)),
      )
      .option('-o, --output <file>', 'write the report to a file')
      .addOption(
        new Option('--fail-on <severity>', 'exit 3 when a violation is at or above this severity (--wait)')
          .default('high')
          .argParser(choiceOption('--fail-on', FAIL_ON)),
      ),
  ).action(async (flags: ScanStartFlags) => {
    process.exitCode = await scanStart(flags);
  });
  return new Command('scan').description('scans on a fleetqry controller').addCommand(start.exitOverride());
}
