import { stageClock, type SweepStage } from './stage-clock.js';

/** A clock that reads the given times in turn: the first is the sweep's start. */
function clockOf(times: number[]) {
  const seen: [SweepStage, number][] = [];
  const readings = [...times];
  const stage = stageClock(
    (name, ms) => seen.push([name, ms]),
    () => readings.shift()!,
  );
  return { stage, seen };
}

describe('stageClock', () => {
  it('measures each stage from the end of the one it follows, the first from the start', () => {
    const { stage, seen } = clockOf([100, 110, 150, 170, 200, 230]);
    stage('plan');
    stage('probe', 'plan');
    stage('ingest', 'probe');
    stage('evaluate', 'ingest');
    stage('report', 'evaluate');
    expect(seen).toEqual([
      ['plan', 10],
      ['probe', 40],
      ['ingest', 20],
      ['evaluate', 30],
      ['report', 30],
    ]);
  });

  it('measures the store from the plan like the probe, whichever of the two ends first', () => {
    const { stage, seen } = clockOf([0, 5, 25, 65, 80]);
    stage('plan');
    stage('probe', 'plan');
    stage('store', 'plan');
    stage('ingest', 'probe');
    expect(seen).toEqual([
      ['plan', 5],
      ['probe', 20],
      ['store', 60],
      ['ingest', 55],
    ]);
  });

  it('measures from the start when the stage it follows never ended, and reports to no one without a callback', () => {
    const { stage, seen } = clockOf([10, 40]);
    stage('ingest', 'probe');
    expect(seen).toEqual([['ingest', 30]]);
    expect(() => stageClock(undefined)('plan')).not.toThrow();
  });
});
