import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PortSet } from '@fleetqry/contracts';

import { BASELINE_POLICY_YAML, baselinePolicy } from './baseline.js';
import { compilePolicy } from './compile.js';
import { PolicyError } from './errors.js';
import { parsePolicyYaml } from './parse.js';
import { policyJsonSchema } from './schema.js';

const HEADER = 'apiVersion: fleetqry/v1\nkind: Policy\nmetadata: { name: test, version: 1 }\n';

function issuesOf(yamlText: string): string[] {
  try {
    parsePolicyYaml(yamlText, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the policy to be rejected');
}

const rule = (extra: string) =>
  `${HEADER}rules:\n  - { id: ok.rule, type: ftp-anonymous, severity: high, title: ok }\n  - ${extra}\n`;

describe('parsePolicyYaml', () => {
  it('reads the baseline and a minimal policy', () => {
    expect(baselinePolicy().metadata).toEqual(
      expect.objectContaining({ name: 'baseline', version: '1.0.0' }),
    );
    const p = parsePolicyYaml(`${HEADER}rules: []\n`);
    expect(p.metadata.version).toBe('1');
    expect(p.rules).toEqual([]);
  });

  it.each([
    [rule('{ id: x, type: ftp-anonymous, severity: urgent, title: t }'), /^rules\[1\]\.severity: /],
    [
      rule('{ id: x, type: ftp-anonymus, severity: high, title: t }'),
      /^rules\[1\]\.type: unknown type; expected one of "snmp-community"/,
    ],
    [
      rule('{ id: x, type: ftp-anonymous, severity: high, title: t, colour: red }'),
      /^rules\[1\]: unknown field "colour"/,
    ],
    [rule('{ id: X Y, type: ftp-anonymous, severity: high, title: t }'), /^rules\[1\]\.id: rule ids are/],
    [
      rule('{ id: x, type: port-forbidden, severity: high, title: t, ports: { tcp: "10-5" } }'),
      /^rules\[1\]\.ports\.tcp: .*range ends before its start/,
    ],
    [
      rule('{ id: x, type: port-forbidden, severity: high, title: t, ports: { tcp: telnet } }'),
      /^rules\[1\]\.ports\.tcp: invalid port "telnet"/,
    ],
    [
      rule('{ id: x, type: port-forbidden, severity: high, title: t, ports: {} }'),
      /^rules\[1\]\.ports: name tcp ports/,
    ],
    [
      rule('{ id: x, type: port-forbidden, severity: high, title: t, ports: { udp: 70000 } }'),
      /^rules\[1\]\.ports\.udp: .*1-65535/,
    ],
    [
      rule('{ id: x, type: snmp-community, severity: high, title: t }'),
      /^rules\[1\]\.communities: name communities or set empty: true/,
    ],
    [
      rule('{ id: x, type: snmp-community, severity: high, title: t, communities: [""] }'),
      /^rules\[1\]\.communities\[0\]: use `empty: true`/,
    ],
    [
      rule('{ id: x, type: banner-match, severity: high, title: t, mustMatch: "(a+)+$" }'),
      /^rules\[1\]\.mustMatch: nested unbounded quantifiers/,
    ],
    [
      rule('{ id: x, type: banner-match, severity: high, title: t, mustNotMatch: "(?=x)" }'),
      /^rules\[1\]\.mustNotMatch: lookahead/,
    ],
    [
      rule('{ id: x, type: banner-match, severity: high, title: t }'),
      /^rules\[1\]\.mustMatch: set exactly one/,
    ],
    [
      rule('{ id: x, type: ftp-anonymous, severity: high, title: t, appliesTo: { hosts: [10.0.0.0/33] } }'),
      /^rules\[1\]\.appliesTo\.hosts\[0\]: .*prefix must be 0-32/,
    ],
    [
      rule('{ id: x, type: ftp-anonymous, severity: high, title: t, appliesTo: { hosts: [010.0.0.1] } }'),
      /^rules\[1\]\.appliesTo\.hosts\[0\]: .*not an IPv4\/IPv6/,
    ],
    [
      rule('{ id: ok.rule, type: ftp-anonymous, severity: high, title: again }'),
      /^rules\[1\]\.id: duplicate rule "ok\.rule"/,
    ],
    [
      rule(
        '{ id: ok.rule, check: other, type: port-forbidden, severity: high, title: t, ports: { tcp: 1 } }',
      ),
      /^rules\[1\]\.type: rule id "ok\.rule" is already used by a "ftp-anonymous" rule/,
    ],
    [
      `apiVersion: fleetqry/v2\nkind: Policy\nmetadata: { name: t, version: 1 }\nrules: []\n`,
      /^apiVersion: unsupported apiVersion; this fleetqry reads "fleetqry\/v1"/,
    ],
    [
      `apiVersion: fleetqry/v1\nkind: Inventory\nmetadata: { name: t, version: 1 }\nrules: []\n`,
      /^kind: kind must be "Policy"/,
    ],
    [`${HEADER}rules: {}\n`, /^rules: /],
    ['- just\n- a list\n', /^\(root\): /],
    [`${HEADER}rules: [\n`, /^line \d+, column \d+: /],
    [`${HEADER}metadata: {}\nrules: []\n`, /^line 4, column 1: .*[Uu]nique/],
  ])('%#: names the field', (text, expected) => {
    const issues = issuesOf(text);
    expect(issues.some((i) => expected.test(i))).toBe(true);
  });

  it('error message starts with the source and lists every issue', () => {
    expect(() =>
      parsePolicyYaml(rule('{ id: x, type: ftp-anonymous, severity: urgent, title: "" }'), 'p.yaml'),
    ).toThrow(/^invalid p\.yaml: rules\[1\]\.severity: .*; rules\[1\]\.title: /);
  });

  it('compilePolicy names unknown service groups; policy-local and caller groups resolve', () => {
    const text = `${HEADER}serviceGroups:\n  legacy: { tcp: "23,512-514" }\nrules:\n  - { id: a, type: port-forbidden, severity: high, title: t, ports: { groups: [legacy, web, nope] } }\n`;
    const policy = parsePolicyYaml(text);
    expect(() => compilePolicy(policy)).toThrow(
      /rules\[0\]\.ports\.groups\[1\]: unknown service group "web"/,
    );
    const web = { tcp: PortSet.of(80, 443), udp: PortSet.EMPTY };
    expect(() => compilePolicy(policy, { serviceGroups: (n) => (n === 'web' ? web : undefined) })).toThrow(
      /^invalid policy "test": rules\[0\]\.ports\.groups\[2\]: unknown service group "nope"$/,
    );
    const compiled = compilePolicy(policy, {
      serviceGroups: (n) => (n === 'web' || n === 'nope' ? web : undefined),
    });
    const ports = compiled.rules[0]!.ports!;
    expect([
      ports.matches('tcp', 513),
      ports.matches('tcp', 443),
      ports.matches('udp', 23),
      ports.matches('tcp', 22),
    ]).toEqual([true, true, false, false]);
    expect(ports.text).toBe('group:legacy group:web group:nope');
  });

  it('disabled rules are not compiled', () => {
    const p = parsePolicyYaml(
      `${HEADER}rules:\n  - { id: a, type: ftp-anonymous, severity: high, title: t, enabled: false }\n`,
    );
    expect(compilePolicy(p).rules).toEqual([]);
  });

  it('the baseline is embedded verbatim and carries the stable rule ids', () => {
    expect(BASELINE_POLICY_YAML).toMatch(
      /^# fleetqry built-in baseline policy\.\napiVersion: fleetqry\/v1\n/,
    );
    expect([...new Set(baselinePolicy().rules.map((r) => r.id))]).toEqual([
      'snmp.community.public',
      'snmp.community.private',
      'snmp.community.empty',
      'snmp.v1v2c-where-v3-required',
      'snmp.v3.noauth',
      'snmp.v3.no-privacy',
      'snmp.v3.auth-weak',
      'snmp.v3.priv-des',
      'telnet.listening',
      'ftp.anonymous',
      'port.forbidden',
      'port.required',
      'banner.mismatch',
      'ldap.anonymous-rootdse',
    ]);
  });
});

describe('policy.schema.json', () => {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'policy.schema.json');

  it('is up to date (regenerate: UPDATE_POLICY_SCHEMA=1 npm run test:unit -- libs/policy)', async () => {
    // Formatted the way `prettier --check .` wants it, so lint and this test agree.
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    const generated = await prettier.format(JSON.stringify(policyJsonSchema(), null, 2), {
      ...options,
      parser: 'json',
    });
    if (process.env['UPDATE_POLICY_SCHEMA'] === '1') writeFileSync(file, generated);
    let onDisk = '';
    try {
      onDisk = readFileSync(file, 'utf8');
    } catch {
      // missing: fails below
    }
    expect(onDisk).toBe(generated);
  });

  it('describes the rule types and the versioned envelope', () => {
    const schema = policyJsonSchema() as { properties: Record<string, { const?: string }> };
    expect(schema.properties['apiVersion']?.const).toBe('fleetqry/v1');
    expect(JSON.stringify(schema)).toContain('"snmp-version-requires-v3"');
  });
});
