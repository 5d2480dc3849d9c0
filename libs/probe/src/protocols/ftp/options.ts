/** The FTP plugin's options (part of the scan's protocol options). */
export interface FtpOptions {
  /** Try an anonymous FTP logon (PortQry does). */
  ftpAnonymous: boolean;
}

export const DEFAULT_FTP_OPTIONS: FtpOptions = { ftpAnonymous: true };
