import { randomUUID } from 'node:crypto';

import { ensureScanDefinition, type RunRecord } from '@fleetqry/store';

import { finding, storedRun, tempStore, type TempStore } from '../testing/stored-runs.js';
import { loadViolationTrend } from './load-trend.js';

/** Violations per succeeded run of one scan definition, over an embedded store. */
describe('loadViolationTrend', () => {
  let temp: TempStore;
  let scan: string;
  let first: RunRecord;
  let empty: RunRecord;
  let latest: RunRecord;
  let loose: RunRecord;
  const day = (d: number) => new Date(`2026-12-0${d}T06:00:00.000Z`);
  beforeAll(async () => {
    temp = await tempStore('fq-trend-');
    const { store } = temp;
    scan = (await ensureScanDefinition(store.prisma, 'trend-spec')).id;
    const other = (await ensureScanDefinition(store.prisma, 'other-scan')).id;
    first = await storedRun(store, {
      scanDefinitionId: scan,
      finishedAt: day(1),
      findings: [
        finding('a', '127.0.0.1', 21, { severity: 'high' }),
        finding('a', '127.0.0.2', 21, { severity: 'high' }),
        finding('b', '127.0.0.1', 22, { severity: 'low' }),
        // Gone since the run before: not a violation of this run.
        finding('c', '127.0.0.1', 23, { severity: 'critical', status: 'resolved' }),
      ],
    });
    await storedRun(store, {
      scanDefinitionId: scan,
      status: 'failed',
      finishedAt: day(2),
      findings: [finding('a', '127.0.0.3', 21, { severity: 'high' })],
    });
    empty = await storedRun(store, { scanDefinitionId: scan, finishedAt: day(3) });
    latest = await storedRun(store, {
      scanDefinitionId: scan,
      finishedAt: day(4),
      findings: [
        finding('a', '127.0.0.1', 21, { severity: 'critical', status: 'persisting' }),
        finding('b', '127.0.0.2', 22, { severity: 'low', status: 'waived' }),
      ],
    });
    await storedRun(store, {
      scanDefinitionId: other,
      finishedAt: day(5),
      findings: [finding('a', '127.0.0.9', 21)],
    });
    loose = await storedRun(store, { scanDefinitionId: null, findings: [finding('a', '127.0.0.9', 21)] });
  }, 60_000);
  afterAll(() => temp.remove());

  const zero = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

  it('counts new and persisting findings by severity per succeeded run of the scan, oldest first', async () => {
    const trend = await loadViolationTrend(temp.store, latest.id);
    expect(trend.scanDefinitionId).toBe(scan);
    expect(trend.points).toEqual([
      {
        run: { id: first.id, number: first.number },
        finishedAt: '2026-12-01T06:00:00.000Z',
        total: 3,
        bySeverity: { ...zero, high: 2, low: 1 },
      },
      // A run without violations is a point at zero, every severity present.
      {
        run: { id: empty.id, number: empty.number },
        finishedAt: '2026-12-03T06:00:00.000Z',
        total: 0,
        bySeverity: zero,
      },
      {
        run: { id: latest.id, number: latest.number },
        finishedAt: '2026-12-04T06:00:00.000Z',
        total: 1,
        bySeverity: { ...zero, critical: 1 },
      },
    ]);
  });

  it('ends at the run asked for and keeps the newest `limit` runs', async () => {
    const upTo = await loadViolationTrend(temp.store, empty.id);
    expect(upTo.points.map((p) => p.run.number)).toEqual([first.number, empty.number]);
    const two = await loadViolationTrend(temp.store, latest.id, 2);
    expect(two.points.map((p) => p.run.number)).toEqual([empty.number, latest.number]);
  });

  it('has no history for a run without a scan definition, or for a run that does not exist', async () => {
    expect(await loadViolationTrend(temp.store, loose.id)).toEqual({ scanDefinitionId: null, points: [] });
    expect(await loadViolationTrend(temp.store, randomUUID())).toEqual({
      scanDefinitionId: null,
      points: [],
    });
  });
});
