import { Injectable, NotFoundException } from '@nestjs/common';
import {
  createApiToken,
  getApiToken,
  listApiTokens,
  revokeApiToken,
  type ApiTokenInfo,
} from '@fleetqry/store';

import { actorOf, type Principal } from '../../auth/principal.js';
import { StoreService } from '../../store/store.service.js';

@Injectable()
export class TokensService {
  constructor(private readonly stores: StoreService) {}

  /** The plaintext token is in this response only; the store keeps its SHA-256. */
  create(input: { name: string; role: ApiTokenInfo['role'] }, by: Principal | undefined) {
    return createApiToken(this.stores.prisma, { ...input, createdBy: actorOf(by) });
  }

  list(): Promise<ApiTokenInfo[]> {
    return listApiTokens(this.stores.prisma);
  }

  async revoke(id: string): Promise<ApiTokenInfo> {
    const existing = await getApiToken(this.stores.prisma, id);
    if (!existing) throw new NotFoundException(`no token ${id}`);
    await revokeApiToken(this.stores.prisma, id);
    return (await getApiToken(this.stores.prisma, id))!;
  }
}
