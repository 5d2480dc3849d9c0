import type { ReportRule } from '@fleetqry/contracts';

import { RuleSchema, type Policy } from './schema.js';

/**
 * The policy's enabled rules as reports describe them: one per rule id, with every entry that reports under
 * it (several `port.forbidden` checks share one id), in policy order.
 */
export function ruleCatalog(policy: Policy): ReportRule[] {
  const byId = new Map<string, ReportRule>();
  for (const rule of policy.rules) {
    if (!rule.enabled) continue;
    let entry = byId.get(rule.id);
    if (!entry) {
      entry = { id: rule.id, type: rule.type, entries: [], references: [] };
      byId.set(rule.id, entry);
    }
    entry.entries.push({
      ...(rule.check !== undefined ? { check: rule.check } : {}),
      severity: rule.severity,
      title: rule.title,
      ...(rule.description !== undefined ? { description: rule.description } : {}),
    });
    for (const ref of rule.references ?? []) if (!entry.references.includes(ref)) entry.references.push(ref);
  }
  return [...byId.values()];
}

/** What a rule type checks, in one sentence (the policy schema's description of its `type`). */
export function ruleTypeDescription(type: string): string | undefined {
  for (const option of RuleSchema.options) {
    if (option.shape.type.value === type) return option.shape.type.description;
  }
  return undefined;
}
