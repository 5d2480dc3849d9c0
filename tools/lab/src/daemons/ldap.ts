// slapd: one foreground process, mdb database dc=lab,dc=example, anonymous read of the rootDSE.
import fs from 'node:fs';
import path from 'node:path';

import type { PlanBuilder } from '../builder.js';
import { run, writeFile } from '../util.js';

const BASE_DN = 'dc=lab,dc=example';

export function planLdap(b: PlanBuilder): void {
  const hosts = b.with((r) => r.ldap);
  if (!hosts.length) return;
  const dir = path.join(b.cfg.conf, 'slapd');
  const db = path.join(b.cfg.data, 'slapd-mdb');
  fs.mkdirSync(db, { recursive: true });
  const conf = `# fleetqry lab slapd
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${b.cfg.run}/slapd.daemon.pid
database mdb
maxsize 10485760
suffix "${BASE_DN}"
rootdn "cn=admin,${BASE_DN}"
directory ${db}
access to * by * read
`;
  writeFile(path.join(dir, 'slapd.conf'), conf);
  const ldif = `dn: ${BASE_DN}
objectClass: dcObject
objectClass: organization
o: fleetqry lab
dc: lab

dn: ou=people,${BASE_DN}
objectClass: organizationalUnit
ou: people

dn: uid=alice,ou=people,${BASE_DN}
objectClass: inetOrgPerson
uid: alice
cn: Alice Lab
sn: Lab
`;
  writeFile(path.join(dir, 'base.ldif'), ldif);
  if (!fs.existsSync(path.join(db, 'data.mdb'))) {
    run('/usr/sbin/slapadd', ['-f', path.join(dir, 'slapd.conf'), '-l', path.join(dir, 'base.ldif')]);
  }
  const urls = hosts.map((h) => `ldap://${h.truth.address}:389/`).join(' ');
  b.launch({
    name: 'slapd',
    comm: 'slapd',
    cmd: ['/usr/sbin/slapd', '-d', '0', '-f', path.join(dir, 'slapd.conf'), '-h', urls],
  });
  for (const h of hosts) {
    b.listen(h, 'tcp', 389, 'slapd');
    h.truth.ldap = { baseDN: BASE_DN, anonymousRootDSE: true };
    b.tag(h, 'ldap');
  }
}
