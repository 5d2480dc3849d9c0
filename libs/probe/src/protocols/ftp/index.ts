import type { FtpData, Observation } from '@fleetqry/contracts';

import {
  bannerText,
  describeBanner,
  type Interpretation,
  politeQuit,
  runGreetingQuery,
} from '../common/greeting-query.js';
import type { TcpConversation } from '../common/tcp-conversation.js';
import type { ProtocolPlugin } from '../plugin.js';
import type { FtpOptions } from './options.js';
import { anonymousOutcome, ftpReplyFramer, greetingStatus, parseFtpReply } from './ftp-reply.js';

export { anonymousOutcome, ftpReplyFramer, greetingStatus, parseFtpReply } from './ftp-reply.js';

/** The anonymous logon PortQry attempts; the password is the conventional e-mail-like placeholder. */
const ANONYMOUS_USER = 'anonymous';
const ANONYMOUS_PASSWORD = 'fleetqry@';

/** Tries `USER anonymous` / `PASS fleetqry@`; undefined when no usable reply came (see `detail`). */
async function tryAnonymous(conv: TcpConversation): Promise<{ ftp?: FtpData; detail?: string }> {
  conv.write(`USER ${ANONYMOUS_USER}\r\n`);
  const user = await conv.read(ftpReplyFramer);
  if (!user.ok) return { detail: `anonymous logon: no reply to USER (${user.status}: ${user.detail})` };
  const userReply = parseFtpReply(user.frame);
  const early = anonymousOutcome(userReply.code);
  if (early !== undefined) return { ftp: { anonymousLogin: early, loginReply: userReply.firstLine } };
  conv.write(`PASS ${ANONYMOUS_PASSWORD}\r\n`);
  const pass = await conv.read(ftpReplyFramer);
  if (!pass.ok) return { detail: `anonymous logon: no reply to PASS (${pass.status}: ${pass.detail})` };
  const passReply = parseFtpReply(pass.frame);
  return {
    ftp: {
      anonymousLogin: anonymousOutcome(userReply.code, passReply.code) ?? false,
      loginReply: passReply.firstLine,
    },
  };
}

/**
 * FTP banner (PortQry's FTP query): the greeting (after a 120 "wait", the 220 that follows), then, if
 * `anonymous` (its option), the anonymous logon attempt, then QUIT.
 */
export const ftpPlugin: ProtocolPlugin<FtpOptions> = {
  name: 'ftp',
  ports: { tcp: [21] },
  query: (ctx) =>
    runGreetingQuery(ctx, {
      label: 'FTP',
      framer: ftpReplyFramer,
      interpret(frame) {
        const reply = parseFtpReply(frame);
        const s = greetingStatus(reply.code);
        if (s === 'wait') return { status: 'success', data: { banner: reply.text }, detail: 'wait' };
        return { status: s.status, data: { banner: reply.text }, ...(s.detail ? { detail: s.detail } : {}) };
      },
      async after(conv, greeting): Promise<Interpretation> {
        let current = greeting;
        if (current.detail === 'wait') {
          // 120: the server promises a 220 later; it gets the rest of the deadline.
          const next = await conv.read(ftpReplyFramer);
          if (!next.ok) {
            return { status: next.status, data: current.data, detail: `after 120, ${next.detail}` };
          }
          const reply = parseFtpReply(next.frame);
          const s = greetingStatus(reply.code);
          const banner = `${current.data.banner ?? ''}\n${bannerText(next.frame)}`;
          current =
            s === 'wait'
              ? { status: 'protocol-error', data: { banner }, detail: 'a second 120 reply' }
              : { status: s.status, data: { banner }, ...(s.detail ? { detail: s.detail } : {}) };
        }
        if (current.status !== 'success') return current;
        if (ctx.options.anonymous) {
          const anon = await tryAnonymous(conv);
          current = {
            ...current,
            data: { ...current.data, ...(anon.ftp ? { ftp: anon.ftp } : {}) },
            ...(anon.detail ? { detail: anon.detail } : {}),
          };
        }
        await politeQuit(conv, 'QUIT\r\n', ftpReplyFramer);
        return current;
      },
    }),
  describe(obs: Observation): string[] {
    const lines = describeBanner(obs, 'FTP');
    if (obs.ftp) {
      lines.push(
        `Anonymous logon: ${obs.ftp.anonymousLogin ? 'allowed' : 'denied'}` +
          (obs.ftp.loginReply ? ` (${obs.ftp.loginReply})` : ''),
      );
    }
    return lines;
  },
};
