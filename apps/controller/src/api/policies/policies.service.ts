import { Injectable, NotFoundException } from '@nestjs/common';
import { BUILTIN_POLICY_NAMES, parsePolicyYaml, PolicyError } from '@fleetqry/policy';
import { addPolicyVersion, deletePolicy, getPolicy, listPolicies, listPolicyVersions } from '@fleetqry/store';

import { StoreService } from '../../store/store.service.js';
import { validationError } from '../common/zod-validation.pipe.js';

/** Uploads are validated by libs/policy exactly as `fleetqry sweep --policy FILE` validates a file. */
@Injectable()
export class PoliciesService {
  constructor(private readonly stores: StoreService) {}

  async upload(input: { name: string; yaml: string }, createdBy: string) {
    if ((BUILTIN_POLICY_NAMES as readonly string[]).includes(input.name))
      throw validationError([
        { path: 'name', message: `"${input.name}" is a built-in policy; choose another name` },
      ]);
    try {
      parsePolicyYaml(input.yaml, 'yaml');
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      // libs/policy names the field inside the document; prefix it with the request field that holds it.
      throw validationError(
        e.issues.map((i) => ({ path: `yaml: ${i.path}`, message: i.message })),
        'policy',
      );
    }
    return addPolicyVersion(this.stores.prisma, { ...input, createdBy });
  }

  list() {
    return listPolicies(this.stores.prisma);
  }

  async get(name: string, version?: number) {
    const policy = await getPolicy(this.stores.prisma, name, version);
    if (!policy) throw new NotFoundException(`no policy "${name}"${version ? ` version ${version}` : ''}`);
    return policy;
  }

  versions(name: string) {
    return listPolicyVersions(this.stores.prisma, name);
  }

  async remove(name: string): Promise<void> {
    if ((await deletePolicy(this.stores.prisma, name)) === 0)
      throw new NotFoundException(`no policy "${name}"`);
  }
}
