import type { Finding } from '@fleetqry/contracts';
import { z } from 'zod';

import { canonicalAddress, parseAddress, parseAddressSelector } from './address.js';
import { issuesOf, PolicyError } from './errors.js';
import { toIso } from './evaluate.js';
import { parseYamlText } from './parse.js';
import { RuleIdSchema } from './schema.js';

/**
 * A waiver suppresses matching findings of one rule until it expires: the finding is still produced
 * and stored, with status `waived` and the waiver attached, so reports can show what is accepted and
 * until when. A waiver must be scoped (a finding key, an address or a CIDR): switching a rule off
 * fleet-wide is a policy change (`enabled: false`), not a waiver.
 */
export const WaiverSchema = z
  .strictObject({
    id: z.string().min(1),
    rule: RuleIdSchema,
    /** One finding exactly (its `key`). */
    key: z.string().min(1).optional(),
    /** Every finding of the rule on this address. */
    address: z
      .string()
      .refine((a) => parseAddress(a) !== undefined, 'not an IPv4/IPv6 address')
      .optional(),
    /** Every finding of the rule inside this block. */
    cidr: z
      .string()
      .refine((c) => {
        try {
          parseAddressSelector(c);
          return c.includes('/');
        } catch {
          return false;
        }
      }, 'not a CIDR such as 10.0.0.0/24')
      .optional(),
    owner: z.string().min(1),
    reason: z.string().min(1),
    /** ISO 8601 date-time with an offset, e.g. 2026-12-31T23:59:59Z; the waiver stops applying at that instant. */
    expiresAt: z.iso.datetime({
      offset: true,
      error: 'expected an ISO 8601 date-time with offset, e.g. 2026-12-31T23:59:59Z',
    }),
  })
  .refine((w) => w.key !== undefined || w.address !== undefined || w.cidr !== undefined, {
    message: 'scope the waiver with key, address or cidr',
    path: ['key'],
  });
export type Waiver = z.infer<typeof WaiverSchema>;

const WaiverFileSchema = z.strictObject({ waivers: z.array(WaiverSchema) });

/** A YAML document `waivers: [...]`; errors name the field (`waivers[2].expiresAt: …`). */
export function parseWaiversYaml(text: string, source = 'waivers'): Waiver[] {
  const result = WaiverFileSchema.safeParse(parseYamlText(text, source));
  if (!result.success) throw new PolicyError(source, issuesOf(result.error));
  return result.data.waivers;
}

function isWaiverActive(waiver: Waiver, now: Date | string): boolean {
  return new Date(waiver.expiresAt).getTime() > new Date(toIso(now)).getTime();
}

function waiverMatches(waiver: Waiver, finding: Finding): boolean {
  if (waiver.rule !== finding.rule) return false;
  if (waiver.key !== undefined && waiver.key !== finding.key) return false;
  if (
    waiver.address !== undefined &&
    canonicalAddress(waiver.address) !== canonicalAddress(finding.address)
  ) {
    return false;
  }
  if (waiver.cidr !== undefined && !parseAddressSelector(waiver.cidr).contains(finding.address)) return false;
  return true;
}

/**
 * Marks findings covered by an active waiver as `waived` (waiver attached). When several apply, the
 * one expiring last wins (then the smallest id), so the result does not depend on list order.
 * Resolved findings are left alone; expired waivers never apply.
 */
export function applyWaivers(
  findings: readonly Finding[],
  waivers: readonly Waiver[],
  now: Date | string,
): Finding[] {
  const active = waivers
    .filter((w) => isWaiverActive(w, now))
    .sort(
      (a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  return findings.map((f) => {
    if (f.status === 'resolved') return f;
    const w = active.find((candidate) => waiverMatches(candidate, f));
    if (!w) return f;
    return {
      ...f,
      status: 'waived',
      waiver: { id: w.id, owner: w.owner, reason: w.reason, expiresAt: new Date(w.expiresAt).toISOString() },
    };
  });
}
