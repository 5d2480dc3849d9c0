import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { parseTarget, Scope, TargetParseError, type ScopeConfig, type TargetSpec } from '@fleetqry/probe';
import { createScopeRule, deleteScopeRule, listScopeRules, type ScopeRule } from '@fleetqry/store';

import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { StoreService } from '../../store/store.service.js';
import { validationError } from '../common/zod-validation.pipe.js';

/**
 * The scope a plan is checked against. The environment (FLEETQRY_SCOPE_ALLOW/DENY) is the deployment's
 * ceiling, set by whoever runs the controller; stored rules (admin API) can only narrow it: an allow rule must
 * lie inside the environment's allowlist, and once any exists the allowlist is the stored rules; deny rules
 * add to the environment's denylist. So an API token, even an admin's, cannot widen what may be scanned.
 */
function effectiveScope(env: AppConfig['scope'], rules: readonly ScopeRule[]): ScopeConfig {
  const allow = rules.filter((r) => r.action === 'allow').map((r) => r.cidr);
  const deny = rules.filter((r) => r.action === 'deny').map((r) => r.cidr);
  return { allow: allow.length ? allow : [...env.allow], deny: [...env.deny, ...deny] };
}

@Injectable()
export class ScopeService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stores: StoreService,
  ) {}

  /** For the planner (dispatch) and `GET /scope`. */
  async current(): Promise<ScopeConfig> {
    return effectiveScope(this.config.scope, await listScopeRules(this.stores.prisma));
  }

  list(): Promise<ScopeRule[]> {
    return listScopeRules(this.stores.prisma);
  }

  async create(
    input: { action: 'allow' | 'deny'; cidr: string; comment?: string },
    createdBy: string,
  ): Promise<ScopeRule> {
    let spec: TargetSpec;
    try {
      spec = parseTarget(input.cidr);
    } catch (e) {
      throw validationError([
        { path: 'cidr', message: e instanceof TargetParseError ? e.reason : String(e) },
      ]);
    }
    if (spec.kind === 'hostname')
      throw validationError([{ path: 'cidr', message: 'scope rules are addresses or CIDRs, not hostnames' }]);
    const cidr = spec.given;
    if (input.action === 'allow') {
      const decision = new Scope({ allow: this.config.scope.allow }).checkTarget(spec);
      if (!decision.ok)
        throw validationError([
          {
            path: 'cidr',
            message: `outside FLEETQRY_SCOPE_ALLOW (${this.config.scope.allow.join(', ')}): stored rules can only narrow the scope`,
          },
        ]);
    }
    return createScopeRule(this.stores.prisma, { ...input, cidr, createdBy });
  }

  async remove(id: string): Promise<void> {
    if (!(await deleteScopeRule(this.stores.prisma, id))) throw new NotFoundException(`no scope rule ${id}`);
  }
}
