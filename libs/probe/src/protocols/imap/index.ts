import type { Observation } from '@fleetqry/contracts';

import {
  describeBanner,
  politeQuit,
  runGreetingQuery,
  untilLineStartingWith,
} from '../common/greeting-query.js';
import type { ProtocolPlugin } from '../plugin.js';
import { imapGreetingFramer, parseImapGreeting } from './imap-greeting.js';

export { imapGreetingFramer, parseImapGreeting } from './imap-greeting.js';

const LOGOUT_TAG = 'fq1';

/** IMAP banner (PortQry's IMAP query): the untagged greeting, then a polite LOGOUT. */
export const imapPlugin: ProtocolPlugin = {
  name: 'imap',
  ports: { tcp: [143] },
  query: (ctx) =>
    runGreetingQuery(ctx, {
      label: 'IMAP',
      framer: imapGreetingFramer,
      interpret(frame) {
        const g = parseImapGreeting(frame);
        return { status: g.status, data: { banner: g.banner }, ...(g.detail ? { detail: g.detail } : {}) };
      },
      async after(conv, greeting) {
        if (greeting.status === 'success') {
          await politeQuit(conv, `${LOGOUT_TAG} LOGOUT\r\n`, untilLineStartingWith(`${LOGOUT_TAG} `));
        }
        return greeting;
      },
    }),
  describe: (obs: Observation) => describeBanner(obs, 'IMAP'),
};
