import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import { decodeCldapDatagram, encodeRootDseSearch } from './message.js';

const td = (name: string) => readFileSync(join(new URL('.', import.meta.url).pathname, 'testdata', name));

describe('encodeRootDseSearch', () => {
  it('builds the request samba answered (recorded)', () => {
    expect(encodeRootDseSearch({ messageId: 0x1234 })).toEqual(td('request-rootdse.bin'));
    expect(
      encodeRootDseSearch({
        messageId: 7,
        attributes: ['defaultNamingContext', 'dnsHostName', 'nonexistentAttr'],
      }),
    ).toEqual(td('request-rootdse-attrs.bin'));
  });

  it('is base "", scope base, (objectClass=*), no attributes', () => {
    expect(encodeRootDseSearch({ messageId: 1 }).toString('hex')).toBe(
      '3025020101' +
        '6320' +
        '0400' +
        '0a0100' +
        '0a0100' +
        '020100' +
        '020100' +
        '010100' +
        '870b6f626a656374436c617373' +
        '3000',
    );
  });
});

describe('decodeCldapDatagram on samba 4.17 AD DC answers', () => {
  it('entry and SearchResultDone in one datagram', () => {
    const d = decodeCldapDatagram(td('response-rootdse-samba-dc.bin'));
    if (!d.ok) throw new Error(d.error);
    expect(d.answer.messageId).toBe(0x1234);
    expect(d.answer.done).toEqual({ resultCode: 0, diagnosticMessage: '' });
    expect(d.answer.entries).toHaveLength(1);
    const attrs = Object.fromEntries(
      d.answer.entries[0]!.attributes.map((a) => [a.type, a.values.map(String)]),
    );
    expect(attrs.defaultNamingContext).toEqual(['DC=fq,DC=test']);
    expect(attrs.supportedLDAPVersion).toEqual(['2', '3']);
    expect(attrs.dnsHostName).toEqual(['fqdc43.fq.test']);
    expect(attrs.vendorName).toEqual(['Samba Team (https://www.samba.org)']);
  });

  it('only the attributes asked for', () => {
    const d = decodeCldapDatagram(td('response-rootdse-attrs-samba-dc.bin'));
    if (!d.ok) throw new Error(d.error);
    expect(d.answer.messageId).toBe(7);
    expect(d.answer.entries[0]!.attributes.map((a) => a.type).sort()).toEqual([
      'defaultNamingContext',
      'dnsHostName',
    ]);
  });

  it.each([
    ['malformed-truncated.bin', /truncated|runs past/],
    ['malformed-huge-length.bin', /runs past|truncated/],
    ['malformed-indefinite-length.bin', /Indefinite/],
    ['malformed-unknown-op.bin', /unexpected protocolOp tag 0x78/],
    ['malformed-value-overrun.bin', /runs past|truncated|trailing/],
    ['malformed-not-ldap.bin', /LDAPMessage/],
  ])('%s → error, no throw', (name, error) => {
    expect(decodeCldapDatagram(td(name))).toEqual({ ok: false, error: expect.stringMatching(error) });
  });

  it('two message ids in one datagram are refused', () => {
    const a = td('response-rootdse-attrs-samba-dc.bin');
    const b = td('response-rootdse-samba-dc.bin');
    expect(decodeCldapDatagram(Buffer.concat([a, b]))).toMatchObject({
      ok: false,
      error: /messages 7 and 4660/,
    });
  });

  it('random and mutated datagrams never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        decodeCldapDatagram(Buffer.from(bytes));
      }),
      { numRuns: 3000 },
    );
    const base = td('response-rootdse-samba-dc.bin');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(base.length),
        (edits, cut) => {
          const b = Buffer.from(base);
          for (const [at, v] of edits) b[at] = v;
          const d = decodeCldapDatagram(b.subarray(0, Math.max(1, cut)));
          if (d.ok) expect(d.answer.entries.length).toBeLessThanOrEqual(16);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
