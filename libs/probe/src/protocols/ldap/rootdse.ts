/**
 * ldapts Entry → LdapData.rootDSE. ldapts hands back a string when a value is valid UTF-8 and a
 * Buffer otherwise (per attribute: one binary value turns them all into Buffers); we keep text as
 * text and write binary values as `base64:<base64>` (LDIF's choice of encoding, made visible in the
 * value because the record has no per-value type).
 */
import type { Observation } from '@fleetqry/contracts';
import type { Entry } from 'ldapts';

const BINARY_PREFIX = 'base64:';
/** Cap per value and per attribute: a rootDSE is small; a hostile server's "rootDSE" need not be. */
const MAX_VALUE_CHARS = 4096;
const MAX_VALUES = 512;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function valueText(v: Buffer | string): string {
  if (typeof v === 'string' && !CONTROL.test(v))
    return v.length > MAX_VALUE_CHARS ? `${v.slice(0, MAX_VALUE_CHARS)}…` : v;
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  const text = b.toString('utf8');
  // A Buffer that is printable UTF-8 (ldapts returned the whole attribute as Buffers) stays text.
  if (typeof v !== 'string' && !CONTROL.test(text) && Buffer.from(text, 'utf8').equals(b))
    return valueText(text);
  const b64 = b.toString('base64');
  return `${BINARY_PREFIX}${b64.length > MAX_VALUE_CHARS ? `${b64.slice(0, MAX_VALUE_CHARS)}…` : b64}`;
}

export function toRootDSE(entry: Entry): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, raw] of Object.entries(entry)) {
    if (name === 'dn') continue;
    const values = Array.isArray(raw) ? raw : [raw];
    out[name] = values.slice(0, MAX_VALUES).map(valueText);
  }
  return out;
}

/**
 * PortQry's print-out of a rootDSE, the same over TCP and UDP: `attr: value` lines between its two
 * markers; without a rootDSE, the query's detail under `label`.
 */
export function describeRootDse(label: string): (obs: Observation) => string[] {
  return (obs) => {
    const dse = obs.ldap?.rootDSE;
    if (!dse) return obs.protocol?.detail ? [`${label}: ${obs.protocol.detail}`] : [];
    return [
      'LDAP query response:',
      '',
      ...Object.entries(dse).flatMap(([attr, values]) => values.map((v) => `${attr}: ${v}`)),
      '',
      '======== End of LDAP query response ========',
    ];
  };
}
