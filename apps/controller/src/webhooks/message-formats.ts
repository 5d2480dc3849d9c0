import type { Finding, WebhookEvent, WebhookPayload, WebhookViolation } from '@fleetqry/contracts';

/** What every message says about its run. */
export interface RunSummary {
  id: string;
  number: number;
  scan: string | null;
  status: string;
  finishedAt: string | null;
  error: string | null;
}

export interface ChangeCounts {
  new: number;
  resolved: number;
}

export function toViolation(f: Finding): WebhookViolation {
  return {
    host: f.host,
    rule: f.rule,
    severity: f.severity,
    status: f.status,
    proto: f.proto ?? null,
    port: f.port ?? null,
    evidence: f.evidence,
  };
}

/** The `json` format's raw body (the exact bytes that are signed). */
export function jsonBody(input: {
  event: WebhookEvent;
  deliveryId: string;
  run: RunSummary;
  part: number;
  parts: number;
  violations: WebhookViolation[];
}): string {
  const { error, ...run } = input.run;
  const payload: WebhookPayload = {
    event: input.event,
    deliveryId: input.deliveryId,
    run: { ...run, ...(error ? { error } : {}) },
    part: input.part,
    parts: input.parts,
    violations: input.violations,
  };
  return JSON.stringify(payload);
}

const runTitle = (run: RunSummary) => `fleetqry run #${run.number}${run.scan ? ` (${run.scan})` : ''}`;
const where = (f: Finding) => `${f.host}${f.port !== undefined ? ` ${f.proto ?? 'tcp'}/${f.port}` : ''}`;
const line = (f: Finding) => `${f.severity.toUpperCase()} ${f.rule} on ${where(f)}`;

function headline(event: WebhookEvent, run: RunSummary, counts: ChangeCounts): string {
  switch (event) {
    case 'violations.new':
      return `${counts.new} new violation${counts.new === 1 ? '' : 's'}`;
    case 'violations.resolved':
      return `${counts.resolved} violation${counts.resolved === 1 ? '' : 's'} resolved`;
    case 'run.completed':
      return `completed: ${counts.new} new, ${counts.resolved} resolved`;
    case 'run.failed':
      return `failed${run.error ? `: ${run.error}` : ''}`;
  }
}

/**
 * A Slack incoming-webhook message: `text` (the summary, Slack mrkdwn) and one legacy attachment listing the
 * top findings. Mattermost's incoming webhooks accept the same fields; Microsoft Teams' Office 365 connector
 * shows `text`, while Teams' Workflows webhooks want an Adaptive Card, which this format does not produce.
 */
export function slackMessage(input: {
  event: WebhookEvent;
  run: RunSummary;
  counts: ChangeCounts;
  top: Finding[];
  total: number;
  link: string;
}): { text: string; attachments?: object[] } {
  const text = `*${runTitle(input.run)}*: ${headline(input.event, input.run, input.counts)} — <${input.link}|open in the console>`;
  if (input.top.length === 0) return { text };
  const more = input.total - input.top.length;
  return {
    text,
    attachments: [
      {
        color: input.event === 'violations.resolved' ? '#2eb67d' : '#e01e5a',
        fallback: input.top.map(line).join('\n'),
        text: [...input.top.map((f) => `• ${line(f)}`), ...(more > 0 ? [`… and ${more} more`] : [])].join(
          '\n',
        ),
      },
    ],
  };
}

/** The e-mail digest of one run: counts, the top new and resolved findings, and the console link. */
export function emailDigest(input: {
  run: RunSummary;
  counts: ChangeCounts;
  topNew: Finding[];
  topResolved: Finding[];
  link: string;
}): { subject: string; text: string } {
  const { run, counts } = input;
  const subject =
    run.status === 'failed'
      ? `[fleetqry] ${runTitle(run)} failed`
      : `[fleetqry] ${runTitle(run)}: ${counts.new} new, ${counts.resolved} resolved`;
  const section = (title: string, total: number, top: Finding[]) =>
    total === 0
      ? []
      : [
          `${title} (${total}):`,
          ...top.map((f) => `  - ${line(f)}`),
          ...(total > top.length ? [`  … and ${total - top.length} more`] : []),
          '',
        ];
  const text = [
    `${runTitle(run)} ${run.status}${run.finishedAt ? ` at ${run.finishedAt}` : ''}.`,
    ...(run.error ? [`Error: ${run.error}`] : []),
    '',
    `New violations: ${counts.new}`,
    `Resolved violations: ${counts.resolved}`,
    '',
    ...section('New', counts.new, input.topNew),
    ...section('Resolved', counts.resolved, input.topResolved),
    `Console: ${input.link}`,
    '',
  ].join('\n');
  return { subject, text };
}
