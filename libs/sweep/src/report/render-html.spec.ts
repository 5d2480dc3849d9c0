import type { Finding, Report, TrendPoint } from '@fleetqry/contracts';
import { summarize } from '@fleetqry/policy';
import { HtmlValidate } from 'html-validate';

import { renderHtml } from './render-html.js';

const finding = (over: Partial<Finding>): Finding => ({
  rule: 'snmp.community.public',
  severity: 'high',
  host: 'h001.lab',
  address: '127.30.0.1',
  proto: 'udp',
  port: 161,
  title: 'SNMP answers the community "public"',
  evidence: { community: 'public', sysDescr: 'Linux h001' },
  key: 'k1',
  status: 'new',
  tags: [],
  ...over,
});

const violations: Finding[] = [
  finding({}),
  finding({
    rule: 'telnet.listening',
    severity: 'critical',
    proto: 'tcp',
    port: 23,
    key: 'k2',
    status: 'persisting',
    title: 'Telnet is listening',
    // Hostile text from the network: it must come out as text, never as markup or a reference.
    evidence: { banner: '<script src="https://evil.example/x.js"></script><img src=http://evil.example/p>' },
  }),
  finding({ key: 'k3', address: '127.30.0.2', host: '127.30.0.2', status: 'resolved' }),
  finding({
    key: 'k4',
    address: '127.30.0.3',
    host: '127.30.0.3',
    status: 'waived',
    waiver: { id: 'w1', owner: 'ops', reason: 'legacy <b>box</b>', expiresAt: '2027-01-01T00:00:00.000Z' },
  }),
];

const report: Report = {
  reportVersion: 1,
  run: {
    id: '5b0c2f2e-0000-4000-8000-000000000001',
    number: 7,
    status: 'succeeded',
    trigger: 'manual',
    scan: 'lab & friends',
    category: 'lab & friends',
    policy: { name: 'baseline', version: null },
    hosts: 64,
    totalProbes: 640,
    doneProbes: 640,
    network: { retransmissions: 12, recovered: 9, undecided: 1 },
    createdAt: '2026-12-01T00:00:00.000Z',
    startedAt: '2026-12-01T00:00:01.000Z',
    finishedAt: '2026-12-01T00:00:09.000Z',
    error: null,
    planFailures: [],
  },
  summary: summarize(violations),
  delta: { against: { id: 'prev', number: 6 }, new: 1, resolved: 1, persisting: 1, waived: 1 },
  violations,
};

const trend: TrendPoint[] = [5, 6, 7].map((n) => ({
  run: { id: `r${n}`, number: n },
  finishedAt: `2026-12-0${n - 4}T00:00:00.000Z`,
  total: n,
  bySeverity: { critical: 1, high: n - 1, medium: 0, low: 0, info: 0 },
}));

const html = renderHtml(report, { version: '0.1.0', trend, generatedAt: new Date('2026-12-02T00:00:00Z') });

describe('renderHtml (the auditor report)', () => {
  it('is valid HTML by html-validate (recommended rules, inline styles refused)', async () => {
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
    const result = await validator.validateString(html);
    const messages = result.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`));
    expect(messages).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is self-contained: no script, no external reference of any kind', () => {
    // Markup only (network text is escaped, so `&lt;script` in a banner is text, not a tag).
    const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
    const names = new Set(tags.map((t) => /^<([a-zA-Z0-9]+)/.exec(t)![1]!.toLowerCase()));
    for (const banned of [
      'script',
      'link',
      'img',
      'iframe',
      'object',
      'embed',
      'base',
      'source',
      'image',
      'use',
    ])
      expect(names).not.toContain(banned);
    for (const t of tags) expect(t).not.toMatch(/\s(src|href|xlink:href|srcset|action|style|on[a-z]+)\s*=/i);
    // The only URL in markup is the SVG namespace, which is a name, not a fetch.
    const urls = tags.flatMap((t) => t.match(/https?:\/\/[^\s"'<>]+/g) ?? []);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(css).not.toMatch(/@import|url\(|@font-face/i);
  });

  it('escapes what came from the network', () => {
    expect(html).toContain('&lt;script src=&quot;https://evil.example/x.js&quot;&gt;');
    expect(html).toContain('legacy &lt;b&gt;box&lt;/b&gt;');
    expect(html).toContain('lab &amp; friends');
  });

  it('has the summary, both charts and every finding with its evidence', () => {
    expect(html).toContain('run #7');
    expect(html).toMatch(/<b>2<\/b>violations/);
    expect(html).toContain('aria-label="Violations by severity"');
    expect(html).toContain('aria-label="Violations per run by severity"');
    for (const n of [5, 6, 7]) expect(html).toContain(`>#${n}</text>`);
    for (const f of violations) expect(html).toContain(f.rule);
    expect(html).toContain('community=public sysDescr=Linux h001');
    expect(html).toContain('Network: 12 TCP retransmission(s); 9 port(s) answered only after one, 1 without');
    expect(html).toMatch(/Resolved since the previous run \(1\)/);
    expect(html).toMatch(/Waived \(1\)/);
  });

  it('prints on A4', () => {
    expect(html).toMatch(/@page\s*{\s*size:\s*A4/);
    expect(html).toMatch(/@media print/);
    expect(html).toMatch(/thead\s*{\s*display:\s*table-header-group/);
  });
});
