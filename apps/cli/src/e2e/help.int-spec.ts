import { runCli } from './run-cli.js';

/** Usage and help, as a PortQry user and a fleetqry user look for them (no lab needed). */
const PORTQRY_SWITCHES = [
  '-n',
  '-p',
  '-e',
  '-r',
  '-o',
  '-sp',
  '-sl',
  '-cn',
  '-nr',
  '-q',
  '-l',
  '-y',
  '-local',
  '-wport',
  '-wpid',
  '-wt',
  '-v',
  '-i',
];

function listsEverySwitch(text: string): void {
  for (const sw of PORTQRY_SWITCHES) expect(text).toMatch(new RegExp(`^  ${sw} `, 'm'));
}

describe('usage and help', () => {
  it.each([[['-?']], [['/?']], [[]]])('%j prints PortQry usage and exits 0', async (argv) => {
    const r = await runCli(argv);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^PortQry mode/);
    listsEverySwitch(r.stdout);
  });

  it('fleetqry --help lists every PortQry switch and the subcommands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    listsEverySwitch(r.stdout);
    for (const cmd of [
      'query',
      'sweep',
      'report',
      'runs',
      'diff',
      'prune',
      'local',
      'scan',
      'agent',
      'webhooks',
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
  });

  it.each([
    ['query', ['text', 'json', 'jsonl', 'csv'], [0, 4, 64, 70, 141]],
    ['sweep', ['text', 'json', 'csv', 'sarif', 'html'], [0, 3, 4, 64, 70]],
    ['report', ['text', 'json', 'csv', 'sarif', 'html'], [0, 3, 64, 70]],
    ['diff', ['text', 'json'], [0, 64, 70]],
    ['prune', ['text', 'json'], [0, 64, 70]],
    ['local', ['text', 'json', 'csv'], [0, 4, 64, 70]],
    ['scan start', ['text', 'json', 'csv', 'sarif', 'html'], [0, 3, 4, 64, 70]],
    ['runs', [], [0, 64, 70]],
    ['agent', [], [0, 64, 70]],
    ['webhooks add', ['text', 'json'], [0, 64, 70]],
    ['webhooks deliveries', ['text', 'json'], [0, 64, 70]],
  ])('%s --help lists its --format choices and exit codes', async (cmd, formats, codes) => {
    const r = await runCli([...cmd.split(' '), '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    if (formats.length) expect(help).toContain(`(choices: ${formats.map((f) => `"${f}"`).join(', ')}`);
    const exits = r.stdout.slice(r.stdout.indexOf('Exit codes:'));
    expect([...exits.matchAll(/^ +(\d+) {2}\S/gm)].map((m) => Number(m[1]))).toEqual(codes);
  });
});
