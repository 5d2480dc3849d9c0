import { randomUUID } from 'node:crypto';

import { ensureScanDefinition, type RunRecord } from '@fleetqry/store';

import { finding, storedRun, tempStore, type TempStore } from '../testing/stored-runs.js';
import { findRun, loadRunReport } from './load-run-report.js';

/** A stored run's report, filtered in SQL and located in its inventory, over an embedded store. */
describe('findRun and loadRunReport', () => {
  let temp: TempStore;
  let earlier: RunRecord;
  let located: RunRecord;
  let failed: RunRecord;
  let loose: RunRecord;
  const sources = {
    root: '/srv/inventories',
    files: ['/srv/inventories/site.yaml', '/srv/inventories/hosts/dc.yaml'],
    entries: [
      ['127.0.0.0/24', 0, 4],
      ['127.0.0.7', 1, 2],
    ] as [string, number, number][],
  };
  beforeAll(async () => {
    temp = await tempStore('fq-run-report-');
    const { store } = temp;
    const scan = (await ensureScanDefinition(store.prisma, 'report-spec')).id;
    earlier = await storedRun(store, { scanDefinitionId: scan, findings: [finding('a', '127.0.0.7', 21)] });
    located = await storedRun(store, {
      scanDefinitionId: scan,
      plan: { category: 'site', sources },
      findings: [
        finding('a', '127.0.0.7', 21, { severity: 'critical', status: 'persisting' }),
        finding('b', '127.0.0.9', 22, { severity: 'low' }),
        finding('c', '127.0.0.9', 23, { severity: 'high', status: 'resolved' }),
      ],
    });
    failed = await storedRun(store, { scanDefinitionId: scan, status: 'failed' });
    loose = await storedRun(store, { scanDefinitionId: null, findings: [finding('a', '127.0.0.5', 21)] });
  }, 60_000);
  afterAll(() => temp.remove());

  const lines = (r: Awaited<ReturnType<typeof loadRunReport>>) =>
    r.violations.map(
      (f) => `${f.rule} ${f.address} ${f.status} ${f.source ? `${f.source.path}:${f.source.line}` : '-'}`,
    );

  it('finds `latest` (the newest succeeded run), a run number and a uuid; null when there is none', async () => {
    const { store } = temp;
    expect((await findRun(store, 'latest'))?.id).toBe(loose.id);
    expect((await findRun(store, String(failed.number)))?.id).toBe(failed.id);
    expect((await findRun(store, located.id))?.number).toBe(located.number);
    expect(await findRun(store, randomUUID())).toBeNull();
    expect(await findRun(store, '999')).toBeNull();
  });

  it('reports the run against its previous succeeded run, findings at their inventory entries', async () => {
    const report = await loadRunReport(temp.store, located);
    expect(report.run).toMatchObject({
      id: located.id,
      scan: 'report-spec',
      category: 'site',
      status: 'succeeded',
    });
    expect(report.delta).toMatchObject({
      against: { id: earlier.id, number: earlier.number },
      new: 1,
      persisting: 1,
    });
    // Exact address first, else the covering block; paths relative to the root recorded with the run.
    expect(lines(report).sort()).toEqual([
      'a 127.0.0.7 persisting hosts/dc.yaml:2',
      'b 127.0.0.9 new site.yaml:4',
      'c 127.0.0.9 resolved site.yaml:4',
    ]);
    const elsewhere = await loadRunReport(temp.store, located, {}, { sourceRoot: '/srv' });
    expect(lines(elsewhere).sort()[0]).toBe('a 127.0.0.7 persisting inventories/hosts/dc.yaml:2');
  });

  it('filters by severity and host, and names the filter in the report', async () => {
    const grave = await loadRunReport(temp.store, located, { minSeverity: 'high' });
    expect(lines(grave).sort()).toEqual([
      'a 127.0.0.7 persisting hosts/dc.yaml:2',
      'c 127.0.0.9 resolved site.yaml:4',
    ]);
    expect(grave.filters).toEqual({ minSeverity: 'high' });
    const host = await loadRunReport(temp.store, located, { hosts: ['127.0.0.8/31'] });
    expect(
      lines(host)
        .map((l) => l.split(' ')[0])
        .sort(),
    ).toEqual(['b', 'c']);
    await expect(loadRunReport(temp.store, located, { hosts: ['127.0.0.0/33'] })).rejects.toThrow(
      /127\.0\.0\.0\/33/,
    );
  });

  it('a run without recorded sources or scan definition: findings unlocated, no scan, no previous run', async () => {
    const report = await loadRunReport(temp.store, loose);
    expect(report.run.scan).toBeNull();
    expect(report.delta.against).toBeNull();
    expect(lines(report)).toEqual(['a 127.0.0.5 new -']);
    const first = await loadRunReport(temp.store, earlier);
    expect(first.delta.against).toBeNull();
  });
});
