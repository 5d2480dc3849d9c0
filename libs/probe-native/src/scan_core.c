/*
 * The scheduler of a TCP state scan batch (see scan.h for the transports). It decides when each cell's
 * attempts go out and what silence means; the transport only puts attempts on the wire and reports answers.
 *
 * States are PortQry's TCP decision: SYN-ACK (an accepted connection) -> LISTENING, RST -> NOT LISTENING,
 * ICMP unreachable -> FILTERED (host-unreachable), silence after every attempt -> FILTERED (timeout).
 *
 *  - Pacing: token bucket (ratePerSecond, 0 = unlimited), global and per-host in-flight caps, and a
 *    loss-aware in-flight window per /24: a drop (an answer that needed a retransmission) narrows the
 *    subnet's window by PACE_CUT at most once per timeout, answers to first attempts widen it again;
 *    it never falls below PACE_FLOOR of its start (nmap halves and may fall to one probe). The caps count
 *    attempts presumably still in the network: once an attempt's round-trip estimate has passed (srtt +
 *    4*rttvar, unclamped), it is presumed lost and leaves the caps while it keeps listening until its
 *    timeout (at most PRESUMED_MAX x concurrency such probes); its retransmission takes a place again,
 *    before any fresh probe. On a LAN, where the timeout floor is far above the round trip, a drop then
 *    costs its probe a round trip of the window, not the whole floor.
 *  - Retransmission: an unanswered attempt is repeated after srtt + 4*rttvar (RFC 6298, the target's own
 *    estimate, else the batch's), clamped to [minTimeoutMs, maxTimeoutMs], doubled from the second
 *    attempt on (loss, unlike congestion, is not cured by waiting longer, and every wait adds to the
 *    batch's tail), times waitFactor. The attempts a silent cell gets adapt to the loss seen: `attempts` at least
 *    (PortQry's three by default), more while answers keep needing retransmissions (see
 *    required_attempts), up to `maxAttempts`. An answer to any earlier attempt counts.
 *  - Local congestion on send (EAGAIN, ENOBUFS, EMFILE, ...): short backoff without counting an attempt.
 *    Overall deadline: probes not decided by then come back UNPROBED (0), never as a state we did not see.
 *  - Memory is proportional to the batch: targets x ports.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scan.h"

/* Chance, per cell, that an answering port gets no answer to any attempt: sets the adaptive attempts. */
#define LOSS_TARGET 1e-7
/* The estimate's prior (pseudo-counts): a clean network, 0.3 %, until answers say otherwise. */
#define PRIOR_RETRIED 0.5
#define PRIOR_ANSWERED 150.0
#define BACKOFF_MAX_SHIFT 1 /* the first retransmission waits twice as long, later ones too */
#define PACE_CUT 0.9        /* a subnet's window after a detected drop, as a fraction of before */
#define PACE_FLOOR 0.5      /* ... never below this fraction of its start */
/* An attempt is presumed lost at the round-trip estimate, never before this fraction of the timeout floor. */
#define PRESUME_FLOOR 0.1
/* Probes presumed lost (still listening, out of the caps) at most, in multiples of the concurrency. */
#define PRESUMED_MAX 4

/* ---------------------------------------------------------------- helpers */

uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t mix32(uint32_t x) {
  x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16;
  return x;
}

int32_t scan_target_of(const scan_t *s, uint32_t addr_host) {
  const addr_map_t *m = &s->amap;
  for (uint32_t h = mix32(addr_host) & m->mask;; h = (h + 1) & m->mask) {
    if (m->vals[h] < 0) return -1;
    if (m->keys[h] == addr_host) return m->vals[h];
  }
}

/* ---------------------------------------------------------------- the scan */

static int ring_push(ring_t *r, uint32_t v) {
  if (r->len == r->cap) return -1;
  r->items[(r->head + r->len) % r->cap] = v;
  r->len++;
  return 0;
}
static uint32_t ring_peek(const ring_t *r) { return r->items[r->head]; }
static void ring_pop(ring_t *r) {
  r->head = (r->head + 1) % r->cap;
  r->len--;
}

void set_err(job_t *job, int e, const char *what) {
  if (job->err) return;
  job->err = e ? e : EIO;
  snprintf(job->errmsg, sizeof job->errmsg, "%s: %s", what, strerror(job->err));
  const char *name = e == EPERM ? "EPERM" : e == EACCES ? "EACCES" : e == EADDRINUSE ? "EADDRINUSE"
                   : e == ENOMEM ? "ENOMEM" : e == ECANCELED ? "ECANCELED" : e == ETIMEDOUT ? "ETIMEDOUT"
                   : "EIO";
  snprintf(job->errcode, sizeof job->errcode, "%s", name);
}

/* Wait for an answer to target t's attempt (0-based): its own estimate, else the batch's. */
static double timeout_ms(const scan_t *s, uint32_t t, uint32_t attempt) {
  const job_t *j = s->job;
  double base = s->h_samples[t]     ? s->h_srtt[t] + 4 * s->h_rttvar[t]
                : s->rtt_samples    ? s->srtt + 4 * s->rttvar
                                    : j->initial_timeout_ms;
  double t_ms = fmin(j->max_timeout_ms, fmax(j->min_timeout_ms, base));
  uint32_t shift = attempt < BACKOFF_MAX_SHIFT ? attempt : BACKOFF_MAX_SHIFT;
  t_ms = fmin(j->max_timeout_ms, t_ms * (double)(1u << shift));
  return t_ms * j->wait_factor;
}

/*
 * When target t's attempt is presumed lost: once its round trip estimate (srtt + 4*rttvar, unclamped) has
 * passed, never before PRESUME_FLOOR of the timeout floor, never after the attempt's timeout. Before any
 * round trip is measured, at the timeout.
 */
static double presume_ms(const scan_t *s, uint32_t t, uint32_t attempt) {
  const job_t *j = s->job;
  double to = timeout_ms(s, t, attempt);
  double est = s->h_samples[t] ? s->h_srtt[t] + 4 * s->h_rttvar[t]
               : s->rtt_samples ? s->srtt + 4 * s->rttvar
                                : to;
  return fmin(to, fmax(j->min_timeout_ms * PRESUME_FLOOR, est) * j->wait_factor);
}

static void estimate(double *srtt, double *rttvar, uint32_t n, double ms) {
  if (n == 0) {
    *srtt = ms;
    *rttvar = ms / 2;
  } else {
    *rttvar = 0.75 * *rttvar + 0.25 * fabs(*srtt - ms);
    *srtt = 0.875 * *srtt + 0.125 * ms;
  }
}

static void rtt_sample(scan_t *s, uint32_t t, double ms) {
  estimate(&s->srtt, &s->rttvar, s->rtt_samples ? 1 : 0, ms);
  s->rtt_samples++;
  estimate(&s->h_srtt[t], &s->h_rttvar[t], s->h_samples[t], ms);
  s->h_samples[t]++;
}

/*
 * Attempts before silence is FILTERED: the fewest k with p^k <= LOSS_TARGET, where p is the chance that
 * an answering port's attempt goes unanswered, estimated from the answered cells that needed a resend
 * (with the prior above, and the scan's earlier batches). At 5 % loss per direction (p ~ 0.1) that is
 * 7; on a clean network the floor (`attempts`).
 */
static uint32_t required_attempts(const scan_t *s) {
  const job_t *j = s->job;
  if (j->max_attempts <= j->attempts) return j->attempts;
  double p = (j->prior_retried + (double)j->retried + PRIOR_RETRIED) /
             (j->prior_answered + (double)j->answered + PRIOR_ANSWERED);
  double k = ceil(log(LOSS_TARGET) / log(p));
  if (!(k >= j->attempts)) return j->attempts;
  return k >= j->max_attempts ? j->max_attempts : (uint32_t)k;
}

/* Probe i's attempt counts against the global, per-host and per-/24 caps. */
static void hold(scan_t *s, uint32_t i) {
  uint32_t t = i / s->job->nports;
  if (s->flight[i] == FLIGHT_PRESUMED) s->presumed--;
  s->flight[i] = FLIGHT_HELD;
  s->inflight++;
  s->inflight_h[t]++;
  s->g_inflight[s->group[t]]++;
}

/* Probe i no longer counts against the caps: decided, or its attempt presumed lost (`to`). */
static void unhold(scan_t *s, uint32_t i, uint8_t to) {
  uint32_t t = i / s->job->nports;
  if (s->flight[i] == FLIGHT_HELD) {
    s->inflight--;
    s->inflight_h[t]--;
    s->g_inflight[s->group[t]]--;
  } else if (s->flight[i] == FLIGHT_PRESUMED)
    s->presumed--;
  if (to == FLIGHT_PRESUMED) s->presumed++;
  s->flight[i] = to;
}

/* Whether target t may have one more attempt in flight. */
static int has_room(const scan_t *s, uint32_t t) {
  const job_t *j = s->job;
  uint32_t g = s->group[t];
  return s->inflight < j->concurrency && s->inflight_h[t] < j->per_host && s->g_inflight[g] < s->g_window[g];
}

static void decide(scan_t *s, uint32_t i, uint8_t state, float rtt) {
  job_t *j = s->job;
  j->states[i] = state;
  j->rtts[i] = rtt;
  s->decided++;
  unhold(s, i, FLIGHT_NONE);
  if (j->transport->retire) j->transport->retire(s, i);
}

static void queue_pop(scan_t *s, uint32_t a) {
  ring_pop(&s->queues[a]);
  if (s->looked[a]) s->looked[a]--;
}

/* Loss-aware pacing of target t's /24: narrow on a detected drop (once per timeout), widen on clean answers. */
static void pace(scan_t *s, uint32_t t, int dropped, uint64_t now) {
  uint32_t g = s->group[t];
  double *w = &s->g_window[g];
  if (dropped) {
    if (now < s->g_next_cut[g]) return;
    *w = fmax(s->g_start[g] * PACE_FLOOR, *w * PACE_CUT);
    s->g_next_cut[g] = now + (uint64_t)(timeout_ms(s, t, 0) * 1e6);
  } else if (*w < s->g_start[g]) {
    *w = fmin(s->g_start[g], *w + 1.0 / *w);
  }
}

void answered(scan_t *s, uint32_t i, uint8_t state, uint64_t now, double rtt_ms) {
  job_t *j = s->job;
  uint32_t t = i / j->nports;
  if (j->states[i] == ST_FILTERED) {
    /* A late answer, after the last attempt timed out: the answer wins. */
    j->states[i] = state;
    j->late++;
    j->silent--;
    j->answered++;
    j->retried++;
    return;
  }
  if (j->states[i] != ST_UNPROBED) return; /* duplicate */
  if (!isnan(rtt_ms)) rtt_sample(s, t, rtt_ms);
  int resent = s->tries[i] > 1;
  j->answered++;
  if (resent) j->retried++;
  pace(s, t, resent, now);
  decide(s, i, state, (float)rtt_ms);
}

void scan_sent(scan_t *s, uint32_t i, uint64_t at) {
  job_t *j = s->job;
  if (s->tries[i] > 0) j->retransmitted++;
  s->tries[i]++;
  s->sent_at[i] = at;
  ring_push(&s->queues[s->tries[i] - 1], i);
  j->sent++;
}

void scan_send_failed(scan_t *s, uint32_t i, int err) {
  if (err == EHOSTUNREACH || err == ENETUNREACH || err == EHOSTDOWN || err == ENETDOWN)
    decide(s, i, ST_UNREACHABLE, NAN);
  else
    decide(s, i, ST_ERROR, NAN); /* EPERM (a local firewall), EACCES, ...: no statement */
}

/* The source address the kernel's routing picks for a destination (no packet is sent). */
static int route_source(uint32_t daddr_host, uint32_t *saddr_net) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(daddr_host) };
  int e = 0;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) e = errno;
  else {
    socklen_t len = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0) e = errno;
    else *saddr_net = sa.sin_addr.s_addr;
  }
  close(fd);
  return e;
}

static void teardown(scan_t *s) {
  s->job->transport->teardown(s);
  free(s->saddr); free(s->canon); free(s->next_port); free(s->inflight_h); free(s->tries); free(s->sent_at);
  free(s->flight); free(s->looked);
  free(s->h_srtt); free(s->h_rttvar); free(s->h_samples); free(s->group);
  free(s->g_window); free(s->g_start); free(s->g_inflight); free(s->g_next_cut);
  if (s->queues)
    for (uint32_t a = 0; a < s->job->max_attempts; a++) free(s->queues[a].items);
  free(s->queues); free(s->resend.items); free(s->reclaim.items); free(s->amap.keys); free(s->amap.vals);
}

/* Each target's /24 (a batch's targets are usually sorted, so a linear map of subnets suffices). */
static int group_targets(scan_t *s) {
  job_t *j = s->job;
  addr_map_t m;
  uint32_t cap = 16;
  while (cap < j->ntargets * 2) cap <<= 1;
  m.mask = cap - 1;
  m.keys = calloc(cap, sizeof *m.keys);
  m.vals = malloc(cap * sizeof *m.vals);
  if (!m.keys || !m.vals) {
    free(m.keys);
    free(m.vals);
    return -1;
  }
  memset(m.vals, 0xff, cap * sizeof *m.vals);
  for (uint32_t t = 0; t < j->ntargets; t++) {
    uint32_t net = j->targets[t] >> 8;
    for (uint32_t h = mix32(net) & m.mask;; h = (h + 1) & m.mask) {
      if (m.vals[h] < 0) {
        m.keys[h] = net;
        m.vals[h] = (int32_t)s->ngroups++;
      } else if (m.keys[h] != net)
        continue;
      s->group[t] = (uint32_t)m.vals[h];
      break;
    }
    /* The window starts at what the caps allow the subnet: per-host share of its hosts, at most all. */
    double *start = &s->g_start[s->group[t]];
    *start = fmin((double)j->concurrency, *start + (double)j->per_host);
  }
  for (uint32_t g = 0; g < s->ngroups; g++) s->g_window[g] = s->g_start[g];
  free(m.keys);
  free(m.vals);
  return 0;
}

static int alloc_tables(scan_t *s) {
  job_t *j = s->job;
  uint32_t nt = j->ntargets;
  s->total = (uint64_t)nt * j->nports;
  s->saddr = calloc(nt, sizeof *s->saddr);
  s->canon = calloc(nt, sizeof *s->canon);
  s->next_port = calloc(nt, sizeof *s->next_port);
  s->inflight_h = calloc(nt, sizeof *s->inflight_h);
  s->h_srtt = calloc(nt, sizeof *s->h_srtt);
  s->h_rttvar = calloc(nt, sizeof *s->h_rttvar);
  s->h_samples = calloc(nt, sizeof *s->h_samples);
  s->group = calloc(nt, sizeof *s->group);
  s->g_window = calloc(nt, sizeof *s->g_window);
  s->g_start = calloc(nt, sizeof *s->g_start);
  s->g_inflight = calloc(nt, sizeof *s->g_inflight);
  s->g_next_cut = calloc(nt, sizeof *s->g_next_cut);
  s->tries = calloc(s->total, 1);
  s->flight = calloc(s->total, 1);
  s->looked = calloc(j->max_attempts, sizeof *s->looked);
  s->sent_at = calloc(s->total, sizeof *s->sent_at);
  s->queues = calloc(j->max_attempts, sizeof *s->queues);
  s->resend.items = calloc(s->total, sizeof(uint32_t));
  s->resend.cap = (uint32_t)s->total;
  s->reclaim.items = calloc(s->total, sizeof(uint32_t));
  s->reclaim.cap = (uint32_t)s->total;
  uint32_t cap = 16;
  while (cap < nt * 2) cap <<= 1;
  s->amap.mask = cap - 1;
  s->amap.keys = calloc(cap, sizeof *s->amap.keys);
  s->amap.vals = malloc(cap * sizeof *s->amap.vals);
  if (!s->saddr || !s->canon || !s->next_port || !s->inflight_h || !s->tries || !s->sent_at || !s->queues ||
      !s->flight || !s->looked || !s->reclaim.items ||
      !s->resend.items || !s->amap.keys || !s->amap.vals || !s->h_srtt || !s->h_rttvar || !s->h_samples ||
      !s->group || !s->g_window || !s->g_start || !s->g_inflight || !s->g_next_cut)
    return -1;
  for (uint32_t a = 0; a < j->max_attempts; a++) {
    s->queues[a].items = calloc(s->total, sizeof(uint32_t));
    s->queues[a].cap = (uint32_t)s->total;
    if (!s->queues[a].items) return -1;
  }
  memset(s->amap.vals, 0xff, cap * sizeof *s->amap.vals);
  for (uint32_t t = 0; t < nt; t++) {
    uint32_t h = mix32(j->targets[t]) & s->amap.mask;
    for (;; h = (h + 1) & s->amap.mask) {
      if (s->amap.vals[h] < 0) {
        s->amap.keys[h] = j->targets[t];
        s->amap.vals[h] = (int32_t)t;
        s->canon[t] = (int32_t)t;
        break;
      }
      if (s->amap.keys[h] == j->targets[t]) {
        s->canon[t] = s->amap.vals[h]; /* a duplicate address is probed once and copied at the end */
        break;
      }
    }
  }
  for (int p = 0; p < 65536; p++) s->port_index[p] = -1;
  for (uint32_t p = 0; p < j->nports; p++)
    if (s->port_index[j->ports[p]] < 0) s->port_index[j->ports[p]] = (int32_t)p;
  return group_targets(s);
}

static uint32_t canon_cell(const scan_t *s, uint32_t i) {
  const job_t *j = s->job;
  uint32_t t = i / j->nports, p = i % j->nports;
  return (uint32_t)s->canon[t] * j->nports + (uint32_t)s->port_index[j->ports[p]];
}

/*
 * Marks what will never be sent. A duplicate (address, port) cell is probed once, through its
 * canonical cell (first target and port index with those values), which is probed when any of its
 * aliases is not excluded; finish() copies the state and applies the exclude mask afterwards.
 */
static int presettle(scan_t *s) {
  job_t *j = s->job;
  uint8_t *need = calloc(s->total, 1);
  if (!need) return -1;
  for (uint32_t i = 0; i < s->total; i++)
    if (!(j->exclude && j->exclude[i])) need[canon_cell(s, i)] = 1;
  for (uint32_t t = 0; t < j->ntargets; t++) {
    int e = s->canon[t] == (int32_t)t ? route_source(j->targets[t], &s->saddr[t]) : 0;
    for (uint32_t p = 0; p < j->nports; p++) {
      uint32_t i = t * j->nports + p;
      if (canon_cell(s, i) != i || !need[i]) j->states[i] = ST_EXCLUDED; /* not sent; finish() decides */
      else if (e == ENETUNREACH || e == EHOSTUNREACH) j->states[i] = ST_UNREACHABLE;
      else if (e) j->states[i] = ST_ERROR;
      else continue;
      s->decided++;
    }
  }
  free(need);
  return 0;
}

static void finish(scan_t *s) {
  job_t *j = s->job;
  for (uint32_t i = 0; i < s->total; i++) {
    uint32_t c = canon_cell(s, i);
    if (c != i) {
      j->states[i] = j->states[c];
      j->rtts[i] = j->rtts[c];
    }
  }
  if (j->exclude)
    for (uint32_t i = 0; i < s->total; i++)
      if (j->exclude[i]) {
        j->states[i] = ST_EXCLUDED;
        j->rtts[i] = NAN;
      }
}

static int should_skip(const scan_t *s, uint32_t i) { return s->job->states[i] != ST_UNPROBED; }

/* Next fresh probe, round-robin over hosts that have ports left and room under the per-host cap. */
static int64_t next_fresh(scan_t *s, uint32_t *rr) {
  job_t *j = s->job;
  for (uint32_t scanned = 0; scanned < j->ntargets; scanned++) {
    uint32_t t = *rr;
    *rr = (*rr + 1) % j->ntargets;
    if (s->inflight_h[t] >= j->per_host || s->g_inflight[s->group[t]] >= s->g_window[s->group[t]]) continue;
    while (s->next_port[t] < j->nports) {
      uint32_t i = t * j->nports + s->next_port[t]++;
      if (!should_skip(s, i)) return i;
    }
  }
  return -1;
}

static void refill(scan_t *s, uint64_t now) {
  if (s->job->rate <= 0) return;
  s->tokens = fmin(s->burst, s->tokens + (double)(now - s->last_refill) / 1e9 * s->job->rate);
  s->last_refill = now;
}

static void run_scan(scan_t *s) {
  job_t *j = s->job;
  const transport_t *tp = j->transport;
  uint32_t probe_of[SEND_BATCH];
  uint32_t rr = 0;
  int backoff_ms = 0;
  uint64_t backoff_until = 0;
  uint64_t start = now_ns();
  uint64_t deadline = start + (uint64_t)(j->deadline_ms * 1e6);
  s->burst = fmax(1, ceil(j->rate / 20));
  s->tokens = s->burst;
  s->last_refill = start;

  while (s->decided < s->total) {
    if (j->cancel && __atomic_load_n(j->cancel, __ATOMIC_RELAXED)) return set_err(j, ECANCELED, tp->name);
    /* 1. Read whatever came back, before anything expires: after a stretch without the CPU (a busy
       machine), answers already queued in the socket must not lose to their own deadlines. */
    int got = tp->drain(s);
    uint64_t now = now_ns();
    if (now >= deadline) return; /* the undecided stay UNPROBED */

    /* 2. Expire: the oldest probe of each attempt number first. */
    /* Each queue is in send order; with per-target waits a head not yet due may hold back a shorter
       wait behind it, which only ever means waiting longer, never a wrong state. */
    uint64_t next_due = UINT64_MAX;
    uint32_t required = required_attempts(s);
    for (uint32_t a = 0; a < j->max_attempts; a++) {
      ring_t *q = &s->queues[a];
      while (q->len) {
        uint32_t i = ring_peek(q);
        if (j->states[i] != ST_UNPROBED || s->tries[i] != a + 1) {
          queue_pop(s, a);
          continue;
        }
        uint64_t due = s->sent_at[i] + (uint64_t)(timeout_ms(s, i / j->nports, a) * 1e6);
        if (due > now) {
          if (due < next_due) next_due = due;
          break;
        }
        queue_pop(s, a);
        if (s->tries[i] >= required) {
          decide(s, i, ST_FILTERED, NAN);
          j->silent++;
        } else
          ring_push(s->flight[i] == FLIGHT_HELD ? &s->resend : &s->reclaim, i);
      }
    }

    /* 2b. Presume lost: an attempt past its round-trip estimate leaves the caps while it keeps listening
       until its timeout. The caps bound what is in the network; a lost SYN is not, and holding its place
       for the timeout floor (far above a LAN's round trip) would stall the scan on every drop. */
    uint64_t presumed_max = (uint64_t)j->concurrency * PRESUMED_MAX;
    for (uint32_t a = 0; a < j->max_attempts && s->presumed < presumed_max; a++) {
      ring_t *q = &s->queues[a];
      while (s->looked[a] < q->len && s->presumed < presumed_max) {
        uint32_t i = q->items[(q->head + s->looked[a]) % q->cap];
        if (j->states[i] == ST_UNPROBED && s->tries[i] == a + 1 && s->flight[i] == FLIGHT_HELD) {
          uint64_t at = s->sent_at[i] + (uint64_t)(presume_ms(s, i / j->nports, a) * 1e6);
          if (at > now) {
            if (at < next_due) next_due = at;
            break;
          }
          unhold(s, i, FLIGHT_PRESUMED);
        }
        s->looked[a]++;
      }
    }

    /* 3. Send a batch: retransmissions first, then fresh probes within the caps and the rate. */
    refill(s, now);
    int n = 0;
    if (now >= backoff_until) {
      while (n < SEND_BATCH) {
        if (j->rate > 0 && s->tokens < 1) break;
        int64_t pick = -1;
        while (s->resend.len) {
          uint32_t i = ring_peek(&s->resend);
          ring_pop(&s->resend);
          if (j->states[i] == ST_UNPROBED) {
            pick = i;
            break;
          }
        }
        int waiting = 0; /* a retransmission waits for room: fresh probes must not take it */
        while (pick < 0 && s->reclaim.len) {
          uint32_t i = ring_peek(&s->reclaim);
          if (j->states[i] != ST_UNPROBED) {
            ring_pop(&s->reclaim);
            continue;
          }
          if (!has_room(s, i / j->nports)) {
            waiting = 1;
            break;
          }
          ring_pop(&s->reclaim);
          hold(s, i);
          pick = i;
        }
        if (pick < 0 && !waiting && s->inflight < j->concurrency) {
          pick = next_fresh(s, &rr);
          if (pick >= 0) hold(s, (uint32_t)pick);
        }
        if (pick < 0) break;
        probe_of[n++] = (uint32_t)pick;
        if (j->rate > 0) s->tokens -= 1;
      }
    }
    int off = tp->send(s, probe_of, n);
    if (off < n) {
      /* Local congestion says nothing about the target: requeue without counting an attempt. */
      for (int k = off; k < n; k++) ring_push(&s->resend, probe_of[k]);
      if (j->rate > 0) s->tokens += n - off;
      backoff_ms = backoff_ms ? (backoff_ms * 2 > 64 ? 64 : backoff_ms * 2) : 1;
      backoff_until = now_ns() + (uint64_t)backoff_ms * 1000000ull;
    } else if (n > 0)
      backoff_ms = 0;

    /* 4. Read what came back meanwhile. */
    got += tp->drain(s);

    /* 5. Nothing to do right now: sleep until a reply, the next expiry, a token, or the backoff. */
    if (n == 0 || off < n) {
      if (got && off == n) continue;
      now = now_ns();
      int64_t wait_ns = 50 * 1000000ll;
      if (next_due != UINT64_MAX && (int64_t)(next_due - now) < wait_ns) wait_ns = (int64_t)(next_due - now);
      if (j->rate > 0 && s->tokens < 1) {
        int64_t tok = (int64_t)((1 - s->tokens) / j->rate * 1e9);
        if (tok < wait_ns) wait_ns = tok;
      }
      if (backoff_until > now && (int64_t)(backoff_until - now) < wait_ns) wait_ns = (int64_t)(backoff_until - now);
      if ((int64_t)(deadline - now) < wait_ns) wait_ns = (int64_t)(deadline - now);
      int wait_ms = wait_ns <= 0 ? 0 : (int)((wait_ns + 999999) / 1000000);
      tp->wait(s, wait_ms);
    }
  }
}

void scan_execute(job_t *j) {
  scan_t *s = calloc(1, sizeof *s);
  if (!s) return set_err(j, ENOMEM, j->transport->name);
  s->job = j;
  if (alloc_tables(s) != 0) set_err(j, ENOMEM, j->transport->name);
  else if (j->transport->setup(s) == 0) {
    if (presettle(s) != 0) set_err(j, ENOMEM, j->transport->name);
    else {
      run_scan(s);
      finish(s);
    }
  }
  teardown(s);
  free(s);
}
