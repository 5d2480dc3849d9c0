import type { Observation } from '@fleetqry/contracts';

import { describeBanner, runGreetingQuery } from '../common/greeting-query.js';
import type { ProtocolPlugin } from '../plugin.js';
import { parseSshIdent, sshIdentFramer } from './ssh-ident.js';

export { parseSshIdent, sshIdentFramer } from './ssh-ident.js';

/**
 * SSH identification: reads the server's `SSH-…` line (skipping allowed pre-banner lines) and closes
 * without sending anything (no key exchange, nothing logged as an authentication attempt).
 */
export const sshPlugin: ProtocolPlugin = {
  name: 'ssh',
  ports: { tcp: [22] },
  query: (ctx) =>
    runGreetingQuery(ctx, {
      label: 'SSH',
      framer: sshIdentFramer,
      interpret(frame) {
        const ident = parseSshIdent(frame);
        if (!ident.data)
          return { status: 'protocol-error', data: { banner: ident.line }, detail: ident.error! };
        const v = ident.data.protoVersion;
        const supported = v === '2.0' || v === '1.99';
        return {
          status: 'success',
          data: { banner: ident.line, ssh: ident.data },
          ...(supported ? {} : { detail: `protocol version ${v} (not SSH 2)` }),
        };
      },
    }),
  describe(obs: Observation): string[] {
    const lines = describeBanner(obs, 'SSH');
    if (obs.ssh) {
      const comments = obs.ssh.comments ? `, comments: ${obs.ssh.comments}` : '';
      lines.push(`SSH protocol ${obs.ssh.protoVersion}, software: ${obs.ssh.software}${comments}`);
    }
    return lines;
  },
};
