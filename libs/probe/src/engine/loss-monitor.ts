import type { NetworkQuality } from '@fleetqry/contracts';

/**
 * Chance, per cell, that a port which answers gets no answer to any attempt. The attempts a silent TCP
 * port gets are the fewest k with p^k <= LOSS_TARGET (the SYN engine in C uses the same rule).
 */
export const LOSS_TARGET = 1e-7;

/**
 * The prior of the loss estimate, as pseudo-counts: half a lost attempt in 150, a clean network (0.3 %)
 * until answers say otherwise, so a one-port query of a firewalled port gets PortQry's three attempts, not the
 * ceiling. A big scan has thousands of answers before its first timeout expires.
 */
const PRIOR_RETRIED = 0.5;
const PRIOR_ANSWERED = 150;

/** PortQry queries a silent TCP port three times before it says FILTERED. */
export const DEFAULT_TCP_ATTEMPTS = 3;

/** Ceiling of the adaptive TCP attempts (nmap -T4 allows 7 with its 6 retries). */
export const MAX_TCP_ATTEMPTS = 8;

/** What one native batch saw (see BatchScanResult). */
export interface BatchLoss {
  answered: number;
  retried: number;
  retransmitted: number;
  silent: number;
}

/**
 * A scan's evidence of packet loss, and the TCP attempts it calls for. `p` is the chance that an
 * answering port's attempt goes unanswered, estimated from the answered ports that needed a
 * retransmission (with the prior above). On a clean network a silent port gets the floor (PortQry's three
 * attempts); at 5 % loss per direction, seven; at 1 %, five.
 */
export class LossMonitor {
  /** TCP ports that answered, and how many of them only after a retransmission. */
  answered = 0;
  retried = 0;
  /** Extra SYNs / connects sent after a silent attempt. */
  retransmissions = 0;
  /** TCP ports without an answer to any attempt (FILTERED by silence). */
  silent = 0;

  /** The ceiling, never below the floor. */
  readonly maxAttempts: number;

  constructor(
    /** The floor: attempts before silence may be FILTERED. */
    readonly minAttempts: number,
    maxAttempts = MAX_TCP_ATTEMPTS,
  ) {
    this.maxAttempts = Math.max(minAttempts, maxAttempts);
  }

  requiredAttempts(): number {
    if (this.maxAttempts <= this.minAttempts) return this.minAttempts;
    const p = (this.retried + PRIOR_RETRIED) / (this.answered + PRIOR_ANSWERED);
    const k = Math.ceil(Math.log(LOSS_TARGET) / Math.log(p));
    return Math.min(this.maxAttempts, Math.max(this.minAttempts, k));
  }

  answer(resent: boolean): void {
    this.answered++;
    if (resent) this.retried++;
  }

  absorb(batch: BatchLoss): void {
    this.answered += batch.answered;
    this.retried += batch.retried;
    this.retransmissions += batch.retransmitted;
    this.silent += batch.silent;
  }

  quality(): NetworkQuality {
    return { retransmissions: this.retransmissions, recovered: this.retried, undecided: this.silent };
  }
}
