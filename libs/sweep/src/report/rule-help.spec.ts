import { RULES_DOC_URL, ruleHelp, sentence } from './rule-help.js';

describe('sentence', () => {
  it('adds a full stop unless the text already ends a sentence, and trims', () => {
    expect(sentence('  SNMP answers  ')).toBe('SNMP answers.');
    expect(sentence('Done.')).toBe('Done.');
    expect(sentence('Really?')).toBe('Really?');
    expect(sentence('Stop!')).toBe('Stop!');
  });
});

describe('ruleHelp', () => {
  it("describes a typed rule by its entries and type, with the type's remedy and anchor", () => {
    const help = ruleHelp(
      'port.forbidden',
      {
        id: 'port.forbidden',
        type: 'port-forbidden',
        entries: [
          { check: 'telnet', severity: 'high', title: 'Telnet is open', description: 'Cleartext logins' },
          { check: 'ftp', severity: 'medium', title: 'FTP is open' },
        ],
        references: ['CIS 9.2'],
      },
      'unused title',
    );
    expect(help.helpUri).toBe(`${RULES_DOC_URL}#port-forbidden`);
    expect(help.fullDescription).toMatch(
      /^telnet: Telnet is open\. Cleartext logins\. ftp: FTP is open\. Rule type port-forbidden: /,
    );
    expect(help.text.split('\n')).toEqual([
      'telnet: Telnet is open. Cleartext logins.',
      'ftp: FTP is open.',
      expect.stringMatching(/^Rule type port-forbidden: .+\.$/),
      expect.stringMatching(/^Fix: Stop and disable the service/),
      'Reference: CIS 9.2',
      `More: ${RULES_DOC_URL}#port-forbidden`,
    ]);
    // Several entries are a list; one would be a paragraph.
    expect(help.markdown).toMatch(
      /^\*\*port\.forbidden\*\* \(`port-forbidden`\)\n\n- telnet: Telnet is open\. Cleartext logins\.\n- ftp: FTP is open\.\n/,
    );
    expect(help.markdown).toContain('**References:** CIS 9.2');
    expect(help.markdown.endsWith(`[Rule reference](${RULES_DOC_URL}#port-forbidden)`)).toBe(true);
  });

  it('falls back to the title and the reference itself for a run that recorded no rules', () => {
    const help = ruleHelp('legacy.rule', undefined, 'Old finding');
    expect(help).toEqual({
      fullDescription: 'Old finding.',
      text: ['Old finding.', 'Fix: See the rule reference.', `More: ${RULES_DOC_URL}`].join('\n'),
      markdown: [
        '**legacy.rule**',
        '',
        'Old finding.',
        '',
        '**Fix:** See the rule reference.',
        '',
        `[Rule reference](${RULES_DOC_URL})`,
      ].join('\n'),
      helpUri: RULES_DOC_URL,
    });
  });

  it('has no remedy or type description for a type it does not know', () => {
    const help = ruleHelp(
      'x',
      {
        id: 'x',
        type: 'from-the-future',
        entries: [{ severity: 'low', title: 'New check' }],
        references: [],
      },
      'x',
    );
    expect(help.fullDescription).toBe('New check.');
    expect(help.text).toContain('Fix: See the rule reference.');
    // No section of the rule reference is named after it: the link goes to the reference itself.
    expect(help.helpUri).toBe(RULES_DOC_URL);
    expect(help.markdown.endsWith(`[Rule reference](${RULES_DOC_URL})`)).toBe(true);
  });
});
