import { z } from 'zod';

import { DEFAULT_DNS_OPTIONS, DnsOptionsSchema, type DnsOptions } from './dns/options.js';
import { DEFAULT_FTP_OPTIONS, FtpOptionsSchema, type FtpOptions } from './ftp/options.js';
import { DEFAULT_SNMP_OPTIONS, SnmpOptionsSchema, type SnmpOptions } from './snmp/options.js';

/** Options every plugin reads. */
export interface CommonProtocolOptions {
  /** Cap on bytes read from a banner or response. */
  maxResponseBytes: number;
}

/**
 * What a scan configured for protocol queries: the common options, then one namespace per plugin that
 * has options of its own, keyed by the plugin's name and defined in its folder (`<name>/options.ts`).
 * The registry hands each plugin the common options and its own namespace only.
 */
export interface ProtocolOptions extends CommonProtocolOptions {
  snmp: SnmpOptions;
  dns: DnsOptions;
  ftp: FtpOptions;
}

/** The namespaces of ProtocolOptions (each the name of the plugin that reads it). */
export type PluginOptionsByName = Omit<ProtocolOptions, keyof CommonProtocolOptions>;

/** User input for ProtocolOptions: any field of any namespace; the rest are the defaults. */
export type ProtocolOptionsInput = Partial<CommonProtocolOptions> & {
  [K in keyof PluginOptionsByName]?: Partial<PluginOptionsByName[K]>;
};

export const DEFAULT_COMMON_OPTIONS: CommonProtocolOptions = { maxResponseBytes: 8192 };

export const DEFAULT_PROTOCOL_OPTIONS: ProtocolOptions = {
  ...DEFAULT_COMMON_OPTIONS,
  snmp: DEFAULT_SNMP_OPTIONS,
  dns: DEFAULT_DNS_OPTIONS,
  ftp: DEFAULT_FTP_OPTIONS,
};

/** The common options alone, whatever else `options` holds. */
export function commonProtocolOptions(options: CommonProtocolOptions): CommonProtocolOptions {
  return { maxResponseBytes: options.maxResponseBytes };
}

const ProtocolOptionsSchema = z.strictObject({
  maxResponseBytes: z
    .number()
    .int()
    .min(64)
    .max(16 * 1024 * 1024)
    .default(DEFAULT_PROTOCOL_OPTIONS.maxResponseBytes),
  snmp: SnmpOptionsSchema.prefault({}),
  dns: DnsOptionsSchema.prefault({}),
  ftp: FtpOptionsSchema.prefault({}),
});

/** Bad protocol options from a user: the message names the field (`protocolOptions.snmp.v3Users[0].authKey`), never a secret. */
export class ProtocolOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolOptionsError';
  }
}

function fieldOf(field: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, p) => (typeof p === 'number' ? `${out}[${p}]` : `${out}.${String(p)}`),
    field,
  );
}

/**
 * User-supplied protocol options, validated, over the defaults. Throws a ProtocolOptionsError naming the
 * first bad field under `field`; the message is the validator's, which never quotes a value.
 */
export function resolveProtocolOptions(input: unknown, field = 'protocolOptions'): ProtocolOptions {
  const parsed = ProtocolOptionsSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ProtocolOptionsError(`${fieldOf(field, issue.path)}: ${issue.message}`);
}
