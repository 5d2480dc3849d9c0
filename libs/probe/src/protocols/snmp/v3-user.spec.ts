import { createCipheriv } from 'node:crypto';

import snmp from 'net-snmp';

import { desFunctions } from './des-compat.js';
import { buildResult } from './result.js';
import { classifyError, type V3UserCheck } from './v3-user.js';

describe('DES privacy through triple DES with one key (des-compat)', () => {
  it('is single DES: the FIPS 81 / NBS known answer', () => {
    // Key 0123456789abcdef, plaintext "Now is t", IV 0: ciphertext 3fa40e8a984d4815 (FIPS 81 appendix).
    const k = Buffer.from('0123456789abcdef', 'hex');
    const c = createCipheriv('des-ede3-cbc', Buffer.concat([k, k, k]), Buffer.alloc(8)).setAutoPadding(false);
    const out = Buffer.concat([c.update(Buffer.from('Now is t')), c.final()]);
    expect(out.toString('hex')).toBe('3fa40e8a984d4815');
  });

  it('round-trips a scoped PDU with RFC 3414 key and IV derivation, padding to 8 bytes', () => {
    const { encryptPduDes, decryptPduDes } = desFunctions(snmp);
    const engine = { engineID: Buffer.from('80001f8880aabbccdd', 'hex'), engineBoots: 3 };
    const pdu = Buffer.from(
      '30 1a 04 00 04 00 a0 14 02 01 01 02 01 00 02 01 00 30 09'.replace(/ /g, ''),
      'hex',
    );
    const { encryptedPdu, msgPrivacyParameters } = encryptPduDes(
      pdu,
      snmp.PrivProtocols.des,
      'des-priv-pass',
      snmp.AuthProtocols.md5,
      engine,
    );
    expect(encryptedPdu.length).toBe(24);
    expect(msgPrivacyParameters.length).toBe(8);
    const plain = decryptPduDes(
      encryptedPdu,
      snmp.PrivProtocols.des,
      msgPrivacyParameters,
      'des-priv-pass',
      snmp.AuthProtocols.md5,
      engine,
    );
    expect(plain.subarray(0, pdu.length)).toEqual(pdu);
    // Another passphrase (another localized key) does not decrypt it.
    const wrong = decryptPduDes(
      encryptedPdu,
      snmp.PrivProtocols.des,
      msgPrivacyParameters,
      'other-priv-pass',
      snmp.AuthProtocols.md5,
      engine,
    );
    expect(wrong.subarray(0, pdu.length)).not.toEqual(pdu);
  });
});

describe('classifyError: net-snmp errors as the agent’s USM answers', () => {
  const err = (name: string, message: string, status?: number) =>
    Object.assign(new Error(message), { name, ...(status !== undefined ? { status } : {}) });
  it.each([
    [err('RequestTimedOutError', 'Request timed out'), 'no-response'],
    [err('RequestFailedError', 'AuthorizationError', 16), 'authorization-error'],
    [err('RequestFailedError', 'GeneralError', 5), 'error'],
    [err('ResponseInvalidError', 'Unknown User Name'), 'unknown-user'],
    [err('ResponseInvalidError', 'Wrong Digest (incorrect password, community or key)'), 'wrong-digest'],
    [err('ResponseInvalidError', 'Unsupported Security Level'), 'unsupported-security-level'],
    [err('ResponseInvalidError', 'Not In Time Window'), 'not-in-time-window'],
    [err('ResponseInvalidError', 'Decryption Error'), 'decryption-error'],
    [err('ResponseInvalidError', 'Unexpected Report PDU'), 'error'],
    [err('Error', 'error:0308010C:digital envelope routines::unsupported'), 'error'],
  ])('%s → %s', (e, outcome) => {
    expect(classifyError(e)).toBe(outcome);
  });
});

describe('buildResult with v3 users', () => {
  const requests = [{ requestId: 7, version: 'v2c' as const, community: 'public', packet: Buffer.alloc(0) }];
  const silent = {
    end: 'window-closed' as const,
    answers: new Map(),
    malformed: 0,
    unmatched: 0,
    datagrams: 1,
    listenedMs: 300,
  };
  const check = (outcome: V3UserCheck['result']['outcome'], noAuthAccepted?: boolean): V3UserCheck => ({
    result: {
      user: 'u',
      level: 'authPriv',
      authProtocol: 'sha256',
      privProtocol: 'aes',
      outcome,
      ...(noAuthAccepted !== undefined ? { noAuthAccepted } : {}),
    },
    system: { sysName: 'agent\u0000name', sysObjectID: '1.3.6.1.4.1.8072.3.2.10' },
  });

  it('an accepted user is an answer (success, LISTENING), with the system group it read', () => {
    const r = buildResult(['public'], requests, silent, [check('accepted', false)]);
    expect(r).toMatchObject({
      status: 'success',
      answered: true,
      detail: '0 of 1 communities accepted; 1 of 1 SNMPv3 users accepted',
      evidence: 'sysName=agent name',
      data: {
        snmp: { communities: [], sysName: 'agent name', v3Users: [{ user: 'u', outcome: 'accepted' }] },
      },
    });
  });

  it('authorizationError and values to the bare user name are answers too; USM reports are not', () => {
    expect(buildResult(['public'], requests, silent, [check('authorization-error', false)])).toMatchObject({
      status: 'success',
      detail: '0 of 1 communities accepted; 1 of 1 SNMPv3 users accepted',
    });
    expect(buildResult(['public'], requests, silent, [check('wrong-digest', true)]).status).toBe('success');
    const r = buildResult(['public'], requests, silent, [check('unknown-user', false)]);
    expect(r).toMatchObject({ status: 'rejected', answered: false });
    expect(r.data?.snmp?.v3Users?.[0]?.outcome).toBe('unknown-user');
  });
});
