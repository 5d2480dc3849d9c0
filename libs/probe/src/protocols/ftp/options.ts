import { z } from 'zod';

/** The FTP plugin's options: its namespace (`ftp`) of the scan's protocol options. */
export interface FtpOptions {
  /** Try an anonymous FTP logon (PortQry does). */
  anonymous: boolean;
}

export const DEFAULT_FTP_OPTIONS: FtpOptions = { anonymous: true };

export const FtpOptionsSchema = z.strictObject({
  anonymous: z.boolean().default(DEFAULT_FTP_OPTIONS.anonymous),
});
