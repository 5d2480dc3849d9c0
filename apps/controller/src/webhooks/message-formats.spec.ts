import { createHmac } from 'node:crypto';

import { WebhookPayloadSchema, type Finding } from '@fleetqry/contracts';

import { emailDigest, jsonBody, slackMessage, toViolation, type RunSummary } from './message-formats.js';
import { signatureHeader } from './signature.js';

const run: RunSummary = {
  id: '6f1c1c1e-7a57-4d0e-9a55-0f7b0c2b9b11',
  number: 7,
  scan: 'nightly',
  status: 'succeeded',
  finishedAt: '2026-12-06T02:00:00.000Z',
  error: null,
};
const finding = (i: number, over: Partial<Finding> = {}): Finding => ({
  key: `telnet.listening|127.115.0.${i}|tcp/23`,
  rule: 'telnet.listening',
  severity: 'high',
  host: `127.115.0.${i}`,
  address: `127.115.0.${i}`,
  proto: 'tcp',
  port: 23,
  title: 'Telnet is listening',
  evidence: { state: 'LISTENING' },
  status: 'new',
  tags: [],
  ...over,
});

describe('webhook signature', () => {
  it('is GitHub-style sha256=<hex HMAC-SHA256 of the raw body>', () => {
    const body = '{"event":"violations.new"}';
    const expected = createHmac('sha256', 's3cret-0123456789').update(body).digest('hex');
    expect(signatureHeader('s3cret-0123456789', body)).toBe(`sha256=${expected}`);
    expect(signatureHeader('s3cret-0123456789', `${body} `)).not.toBe(`sha256=${expected}`);
  });
});

describe('json body', () => {
  it('has the contract shape: event, deliveryId, run, part/parts and the violations', () => {
    const body = jsonBody({
      event: 'violations.new',
      deliveryId: 'd-1',
      run,
      part: 0,
      parts: 2,
      violations: [finding(1)].map(toViolation),
    });
    const parsed = WebhookPayloadSchema.parse(JSON.parse(body));
    expect(parsed.run).toEqual({
      id: run.id,
      number: 7,
      scan: 'nightly',
      status: 'succeeded',
      finishedAt: run.finishedAt,
    });
    expect(parsed.violations).toEqual([
      {
        host: '127.115.0.1',
        rule: 'telnet.listening',
        severity: 'high',
        status: 'new',
        proto: 'tcp',
        port: 23,
        evidence: { state: 'LISTENING' },
      },
    ]);
    // A failed run carries its error.
    const failed = JSON.parse(
      jsonBody({
        event: 'run.failed',
        deliveryId: 'd',
        run: { ...run, status: 'failed', error: 'boom' },
        part: 0,
        parts: 1,
        violations: [],
      }),
    ) as { run: { error?: string } };
    expect(failed.run.error).toBe('boom');
  });
});

describe('slack message', () => {
  it('summarises and lists the top findings with the rest counted', () => {
    const msg = slackMessage({
      event: 'violations.new',
      run,
      counts: { new: 12, resolved: 0 },
      top: [
        finding(1),
        finding(2, { severity: 'critical', rule: 'snmp.community.public', proto: 'udp', port: 161 }),
      ],
      total: 12,
      link: 'http://console/runs/x',
    });
    expect(msg.text).toBe(
      '*fleetqry run #7 (nightly)*: 12 new violations — <http://console/runs/x|open in the console>',
    );
    const [attachment] = msg.attachments as Array<{ text: string; fallback: string }>;
    expect(attachment!.text.split('\n')).toEqual([
      '• HIGH telnet.listening on 127.115.0.1 tcp/23',
      '• CRITICAL snmp.community.public on 127.115.0.2 udp/161',
      '… and 10 more',
    ]);
  });

  it('is text only without findings (run.completed, run.failed)', () => {
    const failed = slackMessage({
      event: 'run.failed',
      run: { ...run, status: 'failed', error: 'no progress' },
      counts: { new: 0, resolved: 0 },
      top: [],
      total: 0,
      link: 'l',
    });
    expect(failed).toEqual({
      text: '*fleetqry run #7 (nightly)*: failed: no progress — <l|open in the console>',
    });
  });
});

describe('e-mail digest', () => {
  it('counts new and resolved, lists the top ones and links the console', () => {
    const d = emailDigest({
      run,
      counts: { new: 3, resolved: 1 },
      topNew: [finding(1), finding(2)],
      topResolved: [finding(9, { status: 'resolved' })],
      link: 'http://console/runs/x',
    });
    expect(d.subject).toBe('[fleetqry] fleetqry run #7 (nightly): 3 new, 1 resolved');
    expect(d.text).toContain('New violations: 3\nResolved violations: 1');
    expect(d.text).toContain(
      'New (3):\n  - HIGH telnet.listening on 127.115.0.1 tcp/23\n  - HIGH telnet.listening on 127.115.0.2 tcp/23\n  … and 1 more',
    );
    expect(d.text).toContain('Resolved (1):\n  - HIGH telnet.listening on 127.115.0.9 tcp/23');
    expect(d.text).toContain('Console: http://console/runs/x');
  });
});
