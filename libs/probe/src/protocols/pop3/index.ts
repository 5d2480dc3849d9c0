import type { Observation } from '@fleetqry/contracts';

import { describeBanner, politeQuit, runGreetingQuery } from '../common/greeting-query.js';
import type { ProtocolPlugin } from '../plugin.js';
import { parsePop3Greeting, pop3StatusFramer } from './pop3-greeting.js';

export { parsePop3Greeting, pop3StatusFramer } from './pop3-greeting.js';

/** POP3 banner (PortQry's POP3 query): the `+OK` greeting, then a polite QUIT. */
export const pop3Plugin: ProtocolPlugin = {
  name: 'pop3',
  ports: { tcp: [110] },
  query: (ctx) =>
    runGreetingQuery(ctx, {
      label: 'POP3',
      framer: pop3StatusFramer,
      interpret(frame) {
        const g = parsePop3Greeting(frame);
        return { status: g.status, data: { banner: g.banner }, ...(g.detail ? { detail: g.detail } : {}) };
      },
      async after(conv, greeting) {
        if (greeting.status === 'success') await politeQuit(conv, 'QUIT\r\n', pop3StatusFramer);
        return greeting;
      },
    }),
  describe: (obs: Observation) => describeBanner(obs, 'POP3'),
};
