import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import {
  formatIssuePath,
  InventorySchema,
  literalSnmpSecrets,
  InventoryUpsertSchema,
  type ApiIssue,
  type Inventory,
  type InventoryInput,
} from '@fleetqry/contracts';
import { parseTarget, TargetParseError } from '@fleetqry/probe';
import {
  createInventory,
  deleteInventory,
  documentHosts,
  getInventory,
  getInventoryByName,
  listInventories,
  replaceInventory,
  type InventoryRecord,
} from '@fleetqry/store';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

import { StoreService } from '../../store/store.service.js';
import { checkNameIssues, portSpecIssue, snmpCredentialIssues } from '../common/scan-input-checks.js';
import { validationError } from '../common/zod-validation.pipe.js';
import { zodIssues } from '../common/zod-schema.js';
import { csvToTargets } from './inventory-csv.js';

type Upsert = z.infer<typeof InventoryUpsertSchema>;

@Injectable()
export class InventoriesService {
  constructor(private readonly stores: StoreService) {}

  list(page: { limit: number; offset: number }) {
    return listInventories(this.stores.prisma, page).then((p) => ({ ...p, ...page }));
  }

  async get(id: string): Promise<InventoryRecord> {
    const inv = await getInventory(this.stores.prisma, id);
    if (!inv) throw new NotFoundException(`no inventory ${id}`);
    return inv;
  }

  async create(input: Upsert): Promise<InventoryRecord> {
    await this.check(input.document);
    return createInventory(this.stores.prisma, input);
  }

  async replace(id: string, input: Upsert): Promise<InventoryRecord> {
    await this.check(input.document);
    const inv = await replaceInventory(this.stores.prisma, id, input);
    if (!inv) throw new NotFoundException(`no inventory ${id}`);
    return inv;
  }

  private async check(doc: Inventory): Promise<void> {
    checkDocument(doc, 'document');
    const issues = await snmpCredentialIssues(
      this.stores.prisma,
      doc.snmp?.credentials,
      'document.snmp.credentials',
    );
    if (issues.length) throw validationError(issues, 'inventory');
  }

  async remove(id: string): Promise<void> {
    if (!(await deleteInventory(this.stores.prisma, id))) throw new NotFoundException(`no inventory ${id}`);
  }

  /** A YAML inventory file (the CLI's format) or a CSV of hosts; creates, or replaces by name when asked. */
  async import(
    text: string,
    query: {
      format: 'yaml' | 'csv';
      name?: string;
      tcp?: string;
      udp?: string;
      groups?: string;
      replace?: string;
    },
  ): Promise<{ inventory: InventoryRecord; created: boolean }> {
    const document = query.format === 'yaml' ? yamlDocument(text) : csvDocument(text, query);
    const name = query.name ?? document.name;
    if (!name) throw validationError([{ path: 'name', message: 'give ?name= or a `name:` in the document' }]);
    const upsert: Upsert = { name, document, ...(document.owner ? { owner: document.owner } : {}) };
    const existing = await getInventoryByName(this.stores.prisma, name);
    if (existing && query.replace !== 'true')
      throw new ConflictException(`inventory "${name}" exists (add ?replace=true to replace it)`);
    return existing
      ? { inventory: await this.replace(existing.id, upsert), created: false }
      : { inventory: await this.create(upsert), created: true };
  }
}

function yamlDocument(text: string): Inventory {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true }) ?? {};
  } catch (e) {
    throw validationError([
      { path: 'yaml', message: (e as Error).message.split('\n')[0] ?? 'not valid YAML' },
    ]);
  }
  const parsed = InventorySchema.safeParse(raw);
  if (!parsed.success) throw validationError(zodIssues(parsed.error, '(document)'), 'inventory');
  return parsed.data;
}

function csvDocument(text: string, q: { tcp?: string; udp?: string; groups?: string }): Inventory {
  const ports = [...portSpecIssue(q.tcp, 'tcp', 'tcp'), ...portSpecIssue(q.udp, 'udp', 'udp')];
  if (ports.length) throw validationError(ports, 'query');
  const { targets, issues } = csvToTargets(text);
  if (issues.length) throw validationError(issues, 'CSV');
  const input: InventoryInput = {
    targets,
    ports: {
      ...(q.tcp ? { tcp: q.tcp } : {}),
      ...(q.udp ? { udp: q.udp } : {}),
      ...(q.groups ? { groups: q.groups.split(',').filter(Boolean) } : {}),
    },
  };
  const parsed = InventorySchema.safeParse(input);
  if (!parsed.success) throw validationError(zodIssues(parsed.error, '(document)'), 'inventory');
  return parsed.data;
}

/**
 * What the schema cannot check: strict target syntax (libs/probe's parser), unique addresses (the hosts
 * table's key), and no literal secrets or file imports (an API inventory references stored credentials).
 */
function checkDocument(doc: Inventory, root: string): void {
  const issues: ApiIssue[] = [];
  const seen = new Map<string, number>();
  documentHosts(doc).forEach((h, i) => {
    const path = formatIssuePath([
      root,
      'targets',
      i,
      ...(typeof doc.targets[i] === 'string' ? [] : ['address']),
    ]);
    try {
      parseTarget(h.address);
    } catch (e) {
      issues.push({ path, message: e instanceof TargetParseError ? e.reason : String(e) });
    }
    const first = seen.get(h.address);
    if (first !== undefined) issues.push({ path, message: `"${h.address}" is also targets[${first}]` });
    else seen.set(h.address, i);
  });
  issues.push(
    ...portSpecIssue(doc.ports.tcp, `${root}.ports.tcp`, 'tcp'),
    ...portSpecIssue(doc.ports.udp, `${root}.ports.udp`, 'udp'),
    ...portSpecIssue(doc.ports.exclude, `${root}.ports.exclude`),
    ...doc.targets.flatMap((t, i) =>
      typeof t === 'string' ? [] : portSpecIssue(t.excludePorts, `${root}.targets[${i}].excludePorts`),
    ),
    ...checkNameIssues(doc.checks, `${root}.checks`),
  );
  for (const field of literalSnmpSecrets(doc.snmp))
    issues.push({
      path: `${root}.snmp.${field}`,
      message: `literal SNMP secrets are not stored in inventories: create credentials (POST /credentials) and list their ids in snmp.credentials`,
    });
  if (doc.imports?.length)
    issues.push({
      path: `${root}.imports`,
      message: 'the API has no files to import: send the merged document',
    });
  if (issues.length) throw validationError(issues, 'inventory');
}
