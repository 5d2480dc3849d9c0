/**
 * USM DES privacy (RFC 3414 §8) for runtimes whose OpenSSL 3 has no `des-cbc` (it lives in the legacy
 * provider, off by default in Node ≥ 17): net-snmp then fails every DES request with
 * ERR_OSSL_EVP_UNSUPPORTED, and an agent that still accepts DES — what the CIS rule looks for — could
 * not be checked. Triple DES with three equal keys is single DES (EDE: encrypt, decrypt, encrypt under
 * one key), and `des-ede3-cbc` is in the default provider, so net-snmp's DES entry is pointed at this.
 * Key and IV derivation are RFC 3414's: the first 8 bytes of the localized privacy key are the key, the
 * next 8 the pre-IV, XORed with the 8-byte salt sent as msgPrivacyParameters.
 */
import { createCipheriv, createDecipheriv, getCiphers, randomBytes } from 'node:crypto';

import type NetSnmp from 'net-snmp';

const BLOCK = 8;

type Engine = { engineID: Buffer; engineBoots: number };
type Snmp = typeof NetSnmp;

function keyAndPreIv(
  snmp: Snmp,
  authProtocol: NetSnmp.AuthProtocols,
  privPassword: string,
  engineId: Buffer,
) {
  const localized = snmp.Authentication.passwordToKey(
    authProtocol as Exclude<NetSnmp.AuthProtocols, NetSnmp.AuthProtocols.none>,
    privPassword,
    engineId,
  );
  const key = localized.subarray(0, BLOCK);
  return { key: Buffer.concat([key, key, key]), preIv: localized.subarray(BLOCK, 2 * BLOCK) };
}

const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((x, i) => x ^ b[i]!));

/** net-snmp's DES encrypt/decrypt signatures, over triple DES with one key. */
export function desFunctions(snmp: Snmp) {
  return {
    encryptPduDes(
      scopedPdu: Buffer,
      _privProtocol: unknown,
      privPassword: string,
      authProtocol: NetSnmp.AuthProtocols,
      engine: Engine,
    ): { encryptedPdu: Buffer; msgPrivacyParameters: Buffer } {
      const { key, preIv } = keyAndPreIv(snmp, authProtocol, privPassword, engine.engineID);
      // Salt: our boots (we keep no engine state, so 1, as net-snmp) then 4 random bytes.
      const salt = Buffer.concat([Buffer.from([0, 0, 0, 1]), randomBytes(4)]);
      const padded = Buffer.alloc(Math.ceil(scopedPdu.length / BLOCK) * BLOCK);
      scopedPdu.copy(padded);
      const cipher = createCipheriv('des-ede3-cbc', key, xor(preIv, salt)).setAutoPadding(false);
      return {
        encryptedPdu: Buffer.concat([cipher.update(padded), cipher.final()]),
        msgPrivacyParameters: salt,
      };
    },
    decryptPduDes(
      encryptedPdu: Buffer,
      _privProtocol: unknown,
      privParameters: Buffer,
      privPassword: string,
      authProtocol: NetSnmp.AuthProtocols,
      engine: Engine,
    ): Buffer {
      const { key, preIv } = keyAndPreIv(snmp, authProtocol, privPassword, engine.engineID);
      const decipher = createDecipheriv('des-ede3-cbc', key, xor(preIv, privParameters)).setAutoPadding(
        false,
      );
      return Buffer.concat([decipher.update(encryptedPdu), decipher.final()]);
    },
  };
}

let installed = false;

/** Points net-snmp's DES entry at the 3DES form when this runtime lacks `des-cbc`. Idempotent. */
export function ensureDesPrivacy(snmp: Snmp): void {
  if (installed) return;
  installed = true;
  if (getCiphers().includes('des-cbc') && desCbcWorks()) return;
  const entry = snmp.Encryption.algorithms[snmp.PrivProtocols.des] as unknown as Record<string, unknown>;
  const des = desFunctions(snmp);
  entry.encryptPdu = des.encryptPduDes.bind(des);
  entry.decryptPdu = des.decryptPduDes.bind(des);
}

// OpenSSL 3 lists `des-cbc` among the ciphers even when no loaded provider implements it.
function desCbcWorks(): boolean {
  try {
    createCipheriv('des-cbc', Buffer.alloc(BLOCK), Buffer.alloc(BLOCK));
    return true;
  } catch {
    return false;
  }
}
