import { GroupDefinitionError, UnknownGroupError } from './errors.js';
import { GroupCatalog, parseUserGroupsYaml } from './groups.js';

const builtin = GroupCatalog.builtin();

describe('built-in service groups', () => {
  it("domains-and-trusts is exactly PortQryUI's list", () => {
    const g = builtin.get('domains-and-trusts');
    expect(g.tcp.toArray()).toEqual([42, 53, 88, 135, 139, 389, 445, 636, 3268, 3269]);
    expect(g.udp.toArray()).toEqual([53, 88, 137, 138, 389]);
    expect(g.title).toBe('Domains and Trusts');
  });

  it('accepts PortQryUI titles and aliases', () => {
    expect(builtin.get('Domains and Trusts').name).toBe('domains-and-trusts');
    expect(builtin.get('SQL Service').name).toBe('sql');
    expect(builtin.get('web_service').name).toBe('web');
  });

  it.each([
    ['Domains and Trusts', 'domains-and-trusts'],
    ['IP Security', 'ipsec'],
    ['Networking', 'networking'],
    ['SQL Service', 'sql'],
    ['Web Service', 'web'],
    ['Exchange Server', 'exchange'],
    ['NetMeeting', 'netmeeting'],
    ['Miscellaneous', 'misc'],
  ])('PortQryUI\'s "%s" is accepted as written, in any case and spacing, and as its slug', (title, slug) => {
    for (const spelling of [
      title,
      title.toUpperCase(),
      title.toLowerCase(),
      `  ${title.replace(/ /g, '   ')} `,
      title.replace(/ /g, ''),
      slug,
    ])
      expect(builtin.get(spelling).name).toBe(slug);
    expect(builtin.get(slug).title).toBe(title);
  });

  it('still refuses what is no group', () => {
    expect(() => builtin.get('Domains or Trusts')).toThrow(UnknownGroupError);
  });

  it.each([
    ['ipsec', [], [500, 4500]],
    ['sql', [1433], [1434]],
    ['web', [80, 443], []],
    ['netmeeting', [389, 522, 1503, 1720, 1731], []],
    [
      'exchange',
      [25, 80, 102, 110, 119, 135, 143, 379, 389, 390, 443, 563, 636, 691, 993, 995, 3268, 3269],
      [],
    ],
    ['networking', [42, 53, 139], [42, 53, 67, 68, 137, 138, 161, 162]],
    ['misc', [23, 25, 3389], [69, 123]],
  ])('%s', (name, tcp, udp) => {
    const g = builtin.get(name);
    expect(g.tcp.toArray()).toEqual(tcp);
    expect(g.udp.toArray()).toEqual(udp);
    expect(g.builtin).toBe(true);
  });

  it('IPsec notes that ESP/AH are not ports', () => {
    expect(builtin.get('ipsec').notes).toMatch(/ESP \(IP protocol 50\) and AH \(IP protocol 51\)/);
  });

  it('unknown group names the group', () => {
    expect(() => builtin.get('nosuch')).toThrow(UnknownGroupError);
    expect(() => builtin.get('nosuch')).toThrow(
      /unknown service group "nosuch" \(known: domains-and-trusts, /,
    );
  });
});

describe('user groups from YAML', () => {
  it('adds valid groups (strings, numbers, names)', () => {
    const catalog = GroupCatalog.fromYaml(
      [
        'groups:',
        '  lab:',
        '    tcp: "1-10,80,ssh"',
        '    udp: 53',
        '    description: lab daemons',
        '  snmp-only:',
        '    udp: snmp,snmptrap',
      ].join('\n'),
      'groups.yaml',
    );
    const lab = catalog.get('lab');
    expect(lab.tcp.toString()).toBe('1-10,22,80');
    expect(lab.udp.toArray()).toEqual([53]);
    expect(lab.description).toBe('lab daemons');
    expect(lab.builtin).toBe(false);
    expect(catalog.get('snmp-only').udp.toArray()).toEqual([161, 162]);
    expect(catalog.get('snmp-only').tcp.isEmpty).toBe(true);
    expect(catalog.names()).toContain('lab');
  });

  it('override: true replaces a built-in explicitly', () => {
    const catalog = GroupCatalog.fromYaml('groups:\n  web:\n    tcp: "80,443,8080"\n    override: true\n');
    expect(catalog.get('web').tcp.toArray()).toEqual([80, 443, 8080]);
    expect(catalog.get('web').builtin).toBe(false);
  });

  function issues(yamlText: string): string[] {
    try {
      GroupCatalog.fromYaml(yamlText, 'groups.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(GroupDefinitionError);
      expect((err as Error).message).toMatch(/^invalid service groups in groups\.yaml: /);
      return [...(err as GroupDefinitionError).issues];
    }
    throw new Error('expected GroupDefinitionError');
  }

  it.each([
    ['groups:\n  web2:\n    tcp: "0"\n', /^groups\.web2\.tcp: invalid port "0": port 0 is out of range/],
    ['groups:\n  web2:\n    tcp: "10:5"\n', /^groups\.web2\.tcp: .*before its start/],
    [
      'groups:\n  web2:\n    udp: "nosuchsvc"\n',
      /^groups\.web2\.udp: invalid port "nosuchsvc": unknown service name/,
    ],
    ['groups:\n  web2:\n    tcp: snmp\n', /^groups\.web2\.tcp: .*has no tcp port/],
    ['groups:\n  web2:\n    tpc: "80"\n', /^groups\.web2: .*tpc/],
    ['groups:\n  web2:\n    description: nothing\n', /^groups\.web2: a group needs tcp or udp ports/],
    ['groups:\n  web2:\n    tcp: [80]\n', /^groups\.web2\.tcp: /],
    ['groups:\n  Web2:\n    tcp: "80"\n', /^groups\.Web2: .*lowercase/],
    ['groups:\n  web2:\n    tcp: "80"\n    override: yes-please\n', /^groups\.web2\.override: /],
    ['groupz: {}\n', /groupz|groups/],
    ['groups: [1, 2]\n', /^groups: /],
    [
      'groups:\n  web:\n    tcp: "8080"\n',
      /^groups\.web: would shadow the built-in group "web"; set override: true/,
    ],
    [
      'groups:\n  ad:\n    tcp: "8080"\n',
      /^groups\.ad: would shadow the built-in group "domains-and-trusts"/,
    ],
    [
      'groups:\n  mine:\n    tcp: "80"\n    override: true\n',
      /^groups\.mine\.override: there is no built-in group "mine"/,
    ],
    ['groups: {a: [\n', /^YAML: /],
  ])('rejects %j', (text, expected) => {
    const found = issues(text);
    expect(found.some((i) => expected.test(i))).toBe(true);
  });

  it('parseUserGroupsYaml returns the validated document', () => {
    expect(parseUserGroupsYaml('groups:\n  x:\n    tcp: 80\n')).toEqual({ groups: { x: { tcp: '80' } } });
  });
});
