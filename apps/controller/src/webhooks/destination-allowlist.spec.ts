import { EnvConfigError } from '@fleetqry/contracts';

import { AllowlistError, DestinationAllowlist } from './destination-allowlist.js';
import { loadWebhooksConfig } from './webhooks-config.js';

describe('webhook destination allowlist (FLEETQRY_WEBHOOK_ALLOW)', () => {
  it('allows nothing when empty, and says so', () => {
    const allow = DestinationAllowlist.parse('');
    expect(allow.empty).toBe(true);
    expect(allow.check('127.0.0.1', ['127.0.0.1'])).toMatch(/FLEETQRY_WEBHOOK_ALLOW is empty/);
  });

  it('checks addresses against CIDRs (IPv4, IPv6, IPv4-mapped) and every resolved address', () => {
    const allow = DestinationAllowlist.parse('127.115.0.0/24, fd00::/8 10.1.2.3');
    expect(allow.check('127.115.0.9', ['127.115.0.9'])).toBeNull();
    expect(allow.check('10.1.2.3', ['10.1.2.3'])).toBeNull();
    expect(allow.check('fd00::1', ['fd00::1'])).toBeNull();
    expect(allow.check('x.test', ['::ffff:127.115.0.4'])).toBeNull();
    expect(allow.check('127.116.0.1', ['127.116.0.1'])).toMatch(
      /127\.116\.0\.1 is not in FLEETQRY_WEBHOOK_ALLOW/,
    );
    // A name whose addresses are not all inside is refused, naming the address that is not.
    expect(allow.check('hooks.test', ['127.115.0.2', '169.254.169.254'])).toMatch(
      /hooks\.test \(169\.254\.169\.254\) is not in/,
    );
    expect(allow.check('nowhere.test', [])).toMatch(/resolves to no address/);
  });

  it('allows listed names (and *.suffix) on public addresses only, so rebinding to internal ones is refused', () => {
    const allow = DestinationAllowlist.parse('hooks.slack.com,*.example.com');
    expect(allow.check('hooks.slack.com', ['3.5.140.2'])).toBeNull();
    expect(allow.check('HOOKS.SLACK.COM.', ['3.5.140.2'])).toBeNull();
    expect(allow.check('a.b.example.com', ['93.184.215.14'])).toBeNull();
    expect(allow.check('example.com', ['93.184.215.14'])).toMatch(/not in FLEETQRY_WEBHOOK_ALLOW/);
    expect(allow.check('evil.com', ['93.184.215.14'])).toMatch(/not in FLEETQRY_WEBHOOK_ALLOW/);
    for (const internal of ['127.0.0.1', '10.0.0.5', '169.254.169.254', '192.168.1.1', '::1', 'fe80::1'])
      expect(allow.check('hooks.slack.com', [internal])).toMatch(/non-public address/);
    // A literal address is never a listed name.
    expect(allow.check('3.5.140.2', ['3.5.140.2'])).toMatch(/not in FLEETQRY_WEBHOOK_ALLOW/);
  });

  it('rejects malformed entries, naming them', () => {
    expect(() => DestinationAllowlist.parse('10.0.0.0/33')).toThrow(AllowlistError);
    expect(() => DestinationAllowlist.parse('10.0.0.0/33')).toThrow(/"10.0.0.0\/33" is not a valid CIDR/);
    expect(() => DestinationAllowlist.parse('hooks_x.test')).toThrow(
      /"hooks_x.test" is neither a CIDR nor a host name/,
    );
    expect(() => loadWebhooksConfig({ FLEETQRY_WEBHOOK_ALLOW: '300.1.1.1/8' })).toThrow(EnvConfigError);
    expect(() => loadWebhooksConfig({ FLEETQRY_WEBHOOK_ALLOW: '300.1.1.1/8' })).toThrow(
      /FLEETQRY_WEBHOOK_ALLOW: .*300\.1\.1\.1\/8/,
    );
  });

  it('names a bad SMTP URL without printing it', () => {
    let message = '';
    try {
      loadWebhooksConfig({ FLEETQRY_SMTP_URL: 'http://user:hunter2@mail' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/FLEETQRY_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(message).not.toContain('hunter2');
  });
});
