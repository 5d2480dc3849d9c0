import { parseArgs } from 'node:util';

import { API_ROLES, applySecretFiles } from '@fleetqry/contracts';
import { appendAudit, createApiToken, createStore } from '@fleetqry/store';

/**
 * `create-token --name N [--role viewer|operator|admin]`: straight to the database (DATABASE_URL or DATABASE_URL_FILE), for the
 * first admin when the environment carries no FLEETQRY_ADMIN_TOKEN. Prints the token once on stdout.
 */
export async function createTokenCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { name: { type: 'string' }, role: { type: 'string', default: 'admin' } },
    strict: true,
  });
  const role = values.role as (typeof API_ROLES)[number];
  if (!values.name || !API_ROLES.includes(role)) {
    process.stderr.write(`usage: create-token --name NAME [--role ${API_ROLES.join('|')}]\n`);
    return 64;
  }
  applySecretFiles(process.env); // DATABASE_URL_FILE (compose secrets); a bad one is a configuration error
  const url = process.env['DATABASE_URL'];
  if (!url) {
    process.stderr.write('DATABASE_URL is not set\n');
    return 78;
  }
  const store = await createStore({ databaseUrl: url });
  try {
    const { token, info } = await createApiToken(store.prisma, {
      name: values.name,
      role,
      createdBy: `cli:${process.env['USER'] ?? 'unknown'}`,
    });
    await appendAudit(store.prisma, {
      actor: `cli:${process.env['USER'] ?? 'unknown'}`,
      action: 'token.create',
      target: info.id,
      outcome: 'allowed',
    });
    process.stdout.write(`${token}\n`);
    process.stderr.write(`created ${role} token "${info.name}" (${info.prefix}…); it is not shown again\n`);
    return 0;
  } finally {
    await store.close();
  }
}
