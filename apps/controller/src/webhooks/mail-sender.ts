import { createTransport, type Transporter } from 'nodemailer';

import type { SendResult } from './http-sender.js';

/** The e-mail format's transport: one nodemailer SMTP transport for FLEETQRY_SMTP_URL, built on first use. */
export class MailSender {
  private transport?: Transporter;

  constructor(
    private readonly smtp: { url: string; from: string } | undefined,
    private readonly timeoutMs: number,
  ) {}

  get configured(): boolean {
    return this.smtp !== undefined;
  }

  async send(to: string[], message: { subject: string; text: string }): Promise<SendResult> {
    if (!this.smtp) return { ok: false, status: null, error: 'FLEETQRY_SMTP_URL is not set', refused: true };
    // URL settings (host, port, smtps, credentials, ?query options) win over these defaults.
    this.transport ??= createTransport({
      url: this.smtp.url,
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
    });
    try {
      const info = (await this.transport.sendMail({ from: this.smtp.from, to, ...message })) as {
        response?: string;
      };
      return { ok: true, status: replyCode(info.response), error: null };
    } catch (error) {
      const e = error as Error & { responseCode?: number };
      return { ok: false, status: e.responseCode ?? null, error: e.message };
    }
  }

  close(): void {
    this.transport?.close();
  }
}

function replyCode(response: string | undefined): number | null {
  const m = /^(\d{3})/.exec(response ?? '');
  return m ? Number(m[1]) : null;
}
