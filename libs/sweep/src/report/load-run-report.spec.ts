import { toStoreFilter } from './load-run-report.js';

describe('toStoreFilter', () => {
  it('is just the run when nothing is filtered, and leaves out empty lists', () => {
    expect(toStoreFilter('r1', {})).toEqual({ runId: 'r1' });
    expect(toStoreFilter('r1', { rules: [], hosts: [], tags: [], statuses: [] })).toEqual({ runId: 'r1' });
  });

  it('turns a minimum severity into that severity and every graver one', () => {
    expect(toStoreFilter('r1', { minSeverity: 'high' }).severity?.sort()).toEqual(['critical', 'high']);
    expect(toStoreFilter('r1', { minSeverity: 'critical' }).severity).toEqual(['critical']);
    expect(toStoreFilter('r1', { minSeverity: 'info' }).severity).toHaveLength(5);
  });

  it('passes rules, hosts, tags and statuses through as copies', () => {
    const hosts = ['127.30.0.0/24', 'dc1', '127.30.0.9'];
    const filter = toStoreFilter('r1', { rules: ['a'], hosts, tags: ['dc'], statuses: ['new'] });
    expect(filter).toEqual({ runId: 'r1', rule: ['a'], host: hosts, tag: ['dc'], status: ['new'] });
    expect(filter.host).not.toBe(hosts);
  });

  it('refuses a malformed CIDR before any SQL runs, naming it', () => {
    expect(() => toStoreFilter('r1', { hosts: ['127.30.0.0/33'] })).toThrow(/127\.30\.0\.0\/33/);
  });
});
