import type { Observation } from '@fleetqry/contracts';

import { describeBanner, politeQuit, runGreetingQuery } from '../common/greeting-query.js';
import type { ProtocolPlugin } from '../plugin.js';
import { parseSmtpGreeting, smtpReplyFramer } from './smtp-greeting.js';

export { parseSmtpGreeting, smtpReplyFramer } from './smtp-greeting.js';

/** SMTP banner (PortQry's SMTP query): the greeting, then a polite QUIT. */
export const smtpPlugin: ProtocolPlugin = {
  name: 'smtp',
  ports: { tcp: [25] },
  query: (ctx) =>
    runGreetingQuery(ctx, {
      label: 'SMTP',
      framer: smtpReplyFramer,
      interpret(frame) {
        const g = parseSmtpGreeting(frame);
        return { status: g.status, data: { banner: g.banner }, ...(g.detail ? { detail: g.detail } : {}) };
      },
      async after(conv, greeting) {
        await politeQuit(conv, 'QUIT\r\n', smtpReplyFramer);
        return greeting;
      },
    }),
  describe: (obs: Observation) => describeBanner(obs, 'SMTP'),
};
