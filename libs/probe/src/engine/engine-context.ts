import { IcmpLedger } from './icmp-ledger.js';
import { LossMonitor } from './loss-monitor.js';
import { RateLimiter } from './rate-limiter.js';
import { RttEstimator, type TimingOptions } from './rtt-estimator.js';
import { SubnetPacer } from './subnet-pacer.js';

/** Shared, per-scan state the state probes need. One per scanner (per worker thread). */
export interface EngineContext {
  rtt: RttEstimator;
  rate: RateLimiter;
  /** Which hosts sent ICMP port unreachable, and for which port (for rechecks of silent UDP ports). */
  icmp: IcmpLedger;
  /** The loss the scan observed: the TCP attempts a silent port gets (at least PortQry's), and the evidence. */
  loss: LossMonitor;
  /** Loss-aware pacing per subnet. */
  pacer: SubnetPacer;
  /** Datagrams sent before a silent UDP port is LISTENING or FILTERED (covers ICMP rate limiting). */
  udpAttempts: number;
  sourcePort?: number;
}

/** A scan's engine state from its options (a ScanOptions will do). */
export function createEngineContext(opts: {
  timing: TimingOptions;
  waitFactor: number;
  limits: { ratePerSecond: number; concurrency: number };
  tcpAttempts: number;
  tcpMaxAttempts?: number;
  udpAttempts: number;
  sourcePort?: number;
}): EngineContext {
  return {
    rtt: new RttEstimator(opts.timing, opts.waitFactor),
    rate: new RateLimiter(opts.limits.ratePerSecond),
    icmp: new IcmpLedger(),
    loss: new LossMonitor(opts.tcpAttempts, opts.tcpMaxAttempts),
    pacer: new SubnetPacer(opts.limits.concurrency),
    udpAttempts: opts.udpAttempts,
    sourcePort: opts.sourcePort,
  };
}
