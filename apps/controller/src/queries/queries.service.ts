import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { QueryRequest, QueryResult } from '@fleetqry/contracts';
import {
  EmptyPortSelectionError,
  GroupCatalog,
  isLiteral,
  OutOfScopeError,
  parseTarget,
  planScan,
  PortParseError,
  ScanRequestError,
  TargetParseError,
  TooManyHostsError,
  UnknownGroupError,
  type PortSelection,
} from '@fleetqry/probe';
import { listServiceGroups } from '@fleetqry/store';
import { toJobConfig } from '@fleetqry/sweep/jobs';

import { ScopeService } from '../api/scope-rules/scope.service.js';
import { DISPATCH_CONFIG, type DispatchConfig } from '../dispatch/dispatch-config.js';
import { StoreService } from '../store/store.service.js';
import { QueryQueue } from './query-queue.js';

/** A query that cannot run as asked (bad target or ports, out of scope, unresolvable); nothing was sent. */
export class QueryRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'QueryRequestError';
  }
}

/** How long the API waits for a worker's answer: a Domains and Trusts query of a silent host takes ~20 s. */
const QUERY_TIMEOUT_MS = 120_000;

/**
 * PortQryUI's "query one server" through the workers: the controller plans it like a scan (the same scope,
 * DNS servers and excluded ports), the job carries the resolved target and the config without secrets
 * (the default community only), and a worker probes port by port in PortQry's mode and returns PortQry's
 * text with the observations.
 */
@Injectable()
export class QueriesService {
  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(ScopeService) private readonly scope: ScopeService,
    @Inject(DISPATCH_CONFIG) private readonly config: DispatchConfig,
    @Inject(QueryQueue) private readonly queue: QueryQueue,
  ) {}

  async run(req: QueryRequest, timeoutMs = QUERY_TIMEOUT_MS): Promise<QueryResult> {
    const started = performance.now();
    const groups = await this.catalog();
    const ports: PortSelection = req.group
      ? { groups: [req.group] }
      : { protocol: req.protocol, ports: req.ports! };
    let plan;
    try {
      plan = await planScan({
        targets: [req.target],
        ports: { ...ports, defaultExcludedPorts: this.config.excludePorts || undefined },
        groups,
        scope: await this.scope.current(),
        maxHosts: 1,
        noReverse: true,
        dnsServers: this.config.dnsServers,
        udpMode: 'portqry',
      });
    } catch (error) {
      throw planError(error, req);
    }
    if (plan.hostCount !== 1) throw new QueryRequestError('target', 'a query is of one host, not a range');
    const { value: outcome } = await plan.targets().next();
    if (!outcome) throw new QueryRequestError('target', `"${req.target}" names no host`);
    if (!outcome.ok) throw new QueryRequestError('target', outcome.error.message);
    const { host, address, family } = outcome.target;
    const result = await this.queue.run(
      {
        queryId: randomUUID(),
        given: req.target,
        isName: !isLiteral(parseTarget(req.target)),
        target: { host, address, family },
        config: toJobConfig(plan.config, []),
      },
      timeoutMs,
    );
    const title = req.group ? groups.get(req.group).title : `${req.protocol.toUpperCase()} ${req.ports}`;
    return {
      id: randomUUID(),
      target: req.target,
      address,
      selection: title,
      ...result,
      durationMs: Math.max(result.durationMs, performance.now() - started),
    };
  }

  /** Built-in groups plus the stored custom groups. */
  private async catalog(): Promise<GroupCatalog> {
    const stored = await listServiceGroups(this.store.prisma);
    return GroupCatalog.create({
      groups: Object.fromEntries(
        stored.map((g) => [
          g.name,
          {
            ...(g.description ? { description: g.description } : {}),
            ...(g.tcp ? { tcp: g.tcp } : {}),
            ...(g.udp ? { udp: g.udp } : {}),
          },
        ]),
      ),
    });
  }
}

/** A plan-time refusal as the field it concerns; anything else is not the client's error. */
function planError(error: unknown, req: QueryRequest): unknown {
  const message = (error as Error).message;
  if (error instanceof UnknownGroupError) return new QueryRequestError('group', message);
  if (error instanceof PortParseError || error instanceof EmptyPortSelectionError)
    return new QueryRequestError(req.group ? 'group' : 'ports', message);
  if (
    error instanceof TargetParseError ||
    error instanceof OutOfScopeError ||
    error instanceof TooManyHostsError ||
    error instanceof ScanRequestError
  )
    return new QueryRequestError('target', message);
  return error;
}
