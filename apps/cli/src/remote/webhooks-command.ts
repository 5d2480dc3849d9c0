import { WEBHOOK_EVENTS, WEBHOOK_FORMATS, type WebhookEvent, type WebhookFormat } from '@fleetqry/contracts';
import { Command, Option } from 'commander';

import { choiceOption, intOption, listOption } from '../cli-values.js';
import { UsageError } from '../usage-error.js';
import { addServerOptions, ApiClient, type ServerFlags } from './api-client.js';

interface ListFlags extends ServerFlags {
  format: 'text' | 'json';
}

interface AddFlags extends ListFlags {
  name: string;
  url: string;
  events: string[];
  webhookFormat: WebhookFormat;
  secretEnv: string;
  disabled?: boolean;
}

const OUTPUT = ['text', 'json'] as const;

function outputOption(): Option {
  return new Option('--format <format>', 'output: text or json')
    .default('text')
    .argParser(choiceOption('--format', OUTPUT));
}

function print(flags: ListFlags, value: unknown, lines: () => string[]): void {
  process.stdout.write(
    flags.format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : `${lines().join('\n')}\n`,
  );
}

/**
 * `add`: the secret is read from an environment variable (never an argument, which `ps` and shell history
 * show); the server checks the URL against its allowlist and answers 400 naming the field.
 */
async function add(flags: AddFlags): Promise<void> {
  const events = flags.events.map((e) => {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(e))
      throw new UsageError(`--events: "${e}" is not one of ${WEBHOOK_EVENTS.join(', ')}`);
    return e as WebhookEvent;
  });
  const secret = process.env[flags.secretEnv];
  const hook = await new ApiClient(flags).createWebhook({
    name: flags.name,
    url: flags.url,
    format: flags.webhookFormat,
    events,
    enabled: !flags.disabled,
    ...(secret ? { secret } : {}),
  });
  print(flags, hook, () => [hook.id]);
}

async function list(flags: ListFlags): Promise<void> {
  const hooks = await new ApiClient(flags).webhooks();
  print(flags, hooks, () => [
    'id                                    name                  format  events                                        enabled  url',
    ...hooks.map(
      (h) =>
        `${h.id}  ${h.name.padEnd(20)}  ${h.format.padEnd(6)}  ${h.events.join(',').padEnd(44)}  ${String(h.enabled).padEnd(7)}  ${h.url}`,
    ),
  ]);
}

async function remove(id: string, flags: ServerFlags): Promise<void> {
  await new ApiClient(flags).removeWebhook(id);
}

async function deliveries(id: string, flags: ListFlags & { limit: number }): Promise<void> {
  const rows = await new ApiClient(flags).webhookDeliveries(id, flags.limit);
  print(flags, rows, () => [
    'created                   event                part  violations  status     attempts  code  error',
    ...rows.map(
      (d) =>
        `${d.createdAt}  ${d.event.padEnd(19)}  ${String(d.part).padStart(4)}  ${String(d.violations).padStart(10)}  ${d.status.padEnd(9)}  ${String(d.attempts).padStart(8)}  ${String(d.responseCode ?? '-').padStart(4)}  ${d.error ?? ''}`,
    ),
  ]);
}

export function webhooksCommand(): Command {
  const addCmd = addServerOptions(
    new Command('add')
      .description('create a webhook (admin): where violations that appear or resolve are sent')
      .requiredOption('--name <name>', 'a unique name')
      .requiredOption('--url <url>', 'http(s) URL (json, slack) or mailto:a@x,b@y (email)')
      .requiredOption('--events <list>', `comma-separated: ${WEBHOOK_EVENTS.join(', ')}`, listOption)
      .addOption(
        new Option('--webhook-format <format>', 'message format')
          .default('json')
          .argParser(choiceOption('--webhook-format', WEBHOOK_FORMATS)),
      )
      .option(
        '--secret-env <var>',
        'environment variable holding the signing secret (required for json)',
        'FLEETQRY_WEBHOOK_SECRET',
      )
      .option('--disabled', 'create it disabled')
      .addOption(outputOption()),
  ).action(add);
  const listCmd = addServerOptions(
    new Command('list').description('list webhooks (never their secrets)').addOption(outputOption()),
  ).action(list);
  const removeCmd = addServerOptions(
    new Command('remove').description('delete a webhook and its delivery history').argument('<id>'),
  ).action(remove);
  const deliveriesCmd = addServerOptions(
    new Command('deliveries')
      .description("a webhook's deliveries, newest first: status, attempts, response code")
      .argument('<id>')
      .option('-n, --limit <n>', 'how many', intOption('--limit', 1, 1000), 100)
      .addOption(outputOption()),
  ).action(deliveries);
  const cmd = new Command('webhooks').description(
    'alerts on a fleetqry controller (--server): webhooks, chat, e-mail',
  );
  for (const sub of [addCmd, listCmd, removeCmd, deliveriesCmd]) cmd.addCommand(sub.exitOverride());
  return cmd;
}
