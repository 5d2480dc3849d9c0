import { Injectable, NotFoundException } from '@nestjs/common';
import {
  createCredential,
  deleteCredential,
  getCredentialInfo,
  listCredentials,
  readCredentialSecret,
  type CredentialInfo,
  type CredentialKind,
} from '@fleetqry/store';
import type { CredentialCreate, CredentialKindName, CredentialSecretResponse } from '@fleetqry/contracts';
import { validateCommunity } from '@fleetqry/probe';

import { StoreService } from '../../store/store.service.js';
import { validationError } from '../common/zod-validation.pipe.js';

/** The API's kinds are hyphenated (as in the contracts); the database enum's identifiers use underscores. */
const KIND: Record<CredentialKindName, CredentialKind> = {
  'snmp-community': 'snmp_community',
  'ldap-bind': 'ldap_bind',
  'snmp-v3-user': 'snmp_v3_user',
};
const KIND_NAME = Object.fromEntries(Object.entries(KIND).map(([api, db]) => [db, api])) as Record<
  CredentialKind,
  CredentialKindName
>;

export interface CredentialView extends Omit<CredentialInfo, 'kind'> {
  kind: CredentialKindName;
}

/** What is sealed: the secret itself, or for a v3 user its protocols and passphrases (the user name is the principal). */
function sealable(input: CredentialCreate): { secret: string; principal?: string } {
  if (input.kind !== 'snmp-v3-user')
    return { secret: input.secret, ...(input.principal !== undefined ? { principal: input.principal } : {}) };
  const { kind: _k, name: _n, user, ...keys } = input;
  return { secret: JSON.stringify(keys), principal: user };
}

/** Write-only secrets: in through create, out only to workers (internal route); never in a response. */
@Injectable()
export class CredentialsService {
  constructor(private readonly stores: StoreService) {}

  async create(input: CredentialCreate, createdBy: string): Promise<CredentialView> {
    if (input.kind === 'snmp-community') {
      // The probe's own rule (length, no control characters); its message never contains the value.
      const problem = validateCommunity(input.secret);
      if (problem) throw validationError([{ path: 'secret', message: problem }]);
    }
    const row = await createCredential(this.stores.prisma, this.stores.config.credentialKey, {
      ...sealable(input),
      name: input.name,
      kind: KIND[input.kind],
      createdBy,
    });
    return view(row);
  }

  async list(): Promise<CredentialView[]> {
    return (await listCredentials(this.stores.prisma)).map(view);
  }

  async get(id: string): Promise<CredentialView> {
    const row = await getCredentialInfo(this.stores.prisma, id);
    if (!row) throw new NotFoundException(`no credential ${id}`);
    return view(row);
  }

  async remove(id: string): Promise<void> {
    if (!(await deleteCredential(this.stores.prisma, id))) throw new NotFoundException(`no credential ${id}`);
  }

  /** For the worker route only. */
  async secret(id: string): Promise<CredentialSecretResponse> {
    const row = await getCredentialInfo(this.stores.prisma, id);
    if (!row) throw new NotFoundException(`no credential ${id}`);
    return {
      kind: KIND_NAME[row.kind],
      secret: await readCredentialSecret(this.stores.prisma, this.stores.config.credentialKey, id),
      principal: row.principal,
    };
  }
}

/** An explicit allowlist of fields: a column added to the table later does not leak by default. */
function view(row: CredentialInfo): CredentialView {
  return {
    id: row.id,
    kind: KIND_NAME[row.kind],
    name: row.name,
    principal: row.principal,
    keyId: row.keyId,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
