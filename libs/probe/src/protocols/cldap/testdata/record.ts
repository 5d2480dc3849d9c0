/**
 * Re-records this folder's CLDAP answers (run by hand against a samba AD DC; not a test):
 *   npx tsx libs/probe/src/protocols/cldap/testdata/record.ts 127.43.0.20
 */
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { encodeRootDseSearch } from '../message.js';

const [address = '127.43.0.20'] = process.argv.slice(2);
const dir = new URL('.', import.meta.url).pathname;

async function ask(request: Buffer): Promise<Buffer> {
  const s = dgram.createSocket('udp4');
  const answer = new Promise<Buffer>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no answer')), 3000);
    s.once('message', (m) => (clearTimeout(t), resolve(m)));
  });
  s.connect(389, address, () => s.send(request));
  try {
    return await answer;
  } finally {
    s.close();
  }
}

const all = encodeRootDseSearch({ messageId: 0x1234 });
writeFileSync(join(dir, 'request-rootdse.bin'), all);
writeFileSync(join(dir, 'response-rootdse-samba-dc.bin'), await ask(all));
const some = encodeRootDseSearch({ messageId: 7, attributes: ['defaultNamingContext', 'dnsHostName', 'nonexistentAttr'] });
writeFileSync(join(dir, 'request-rootdse-attrs.bin'), some);
writeFileSync(join(dir, 'response-rootdse-attrs-samba-dc.bin'), await ask(some));
console.log('recorded from', address);
