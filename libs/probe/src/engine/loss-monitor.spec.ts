import { LossMonitor, LOSS_TARGET, MAX_TCP_ATTEMPTS } from './loss-monitor.js';

/** `answered` ports, of which `retried` needed a retransmission. */
function seen(answered: number, retried: number, min = 3, max?: number): LossMonitor {
  const m = new LossMonitor(min, max);
  for (let i = 0; i < answered; i++) m.answer(i < retried);
  return m;
}

describe('LossMonitor', () => {
  it('gives PortQry its three attempts on a clean network', () => {
    expect(seen(10_000, 0).requiredAttempts()).toBe(3);
  });

  it('assumes a clean network until answers say otherwise, and follows them quickly', () => {
    expect(new LossMonitor(3).requiredAttempts()).toBe(3);
    expect(seen(100, 0).requiredAttempts()).toBe(3);
    expect(seen(100, 10).requiredAttempts()).toBe(6);
  });

  it('raises the attempts with the loss it sees, enough for a 1e-7 chance of a false FILTERED', () => {
    // 5 % per direction: an attempt goes unanswered with p ≈ 1 - 0.95² ≈ 0.0975.
    const lossy = seen(100_000, 9_750);
    const k = lossy.requiredAttempts();
    expect(k).toBe(7);
    expect(0.0975 ** k).toBeLessThanOrEqual(LOSS_TARGET);
    expect(0.0975 ** (k - 1)).toBeGreaterThan(LOSS_TARGET);
    // 1 % per direction: p ≈ 0.02.
    expect(seen(100_000, 1_990).requiredAttempts()).toBe(5);
  });

  it('keeps within the floor and the ceiling; a fixed count does not adapt', () => {
    expect(seen(100, 60).requiredAttempts()).toBe(MAX_TCP_ATTEMPTS);
    expect(seen(100, 60, 2, 4).requiredAttempts()).toBe(4);
    expect(seen(100, 60, 2, 2).requiredAttempts()).toBe(2);
    expect(new LossMonitor(5, 3).maxAttempts).toBe(5);
  });

  it('adds native batches to the evidence and reports it', () => {
    const m = seen(10, 2);
    m.retransmissions = 7;
    m.silent = 1;
    m.absorb({ answered: 100, retried: 10, retransmitted: 30, silent: 4 });
    expect(m.quality()).toEqual({ retransmissions: 37, recovered: 12, undecided: 5 });
    expect(m.answered).toBe(110);
  });
});
