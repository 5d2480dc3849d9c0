/*
 * fleetqry probe-native: a TCP SYN ("half-open") state scan over raw IPv4 sockets, run as one batch
 * on a libuv worker thread. Linux only; needs root or CAP_NET_RAW.
 *
 * States are PortQry's TCP decision: SYN-ACK -> LISTENING, RST -> NOT LISTENING, ICMP unreachable ->
 * FILTERED (host-unreachable), silence after every attempt -> FILTERED (timeout).
 *
 * Design:
 *  - The source port is reserved by binding (not listening) a TCP socket to it, so the kernel never
 *    hands it to anyone else, and answers every SYN-ACK we provoke with a RST (the peer's half-open
 *    connection is cleaned up; no connection is ever completed).
 *  - Sending: an IPPROTO_RAW socket (IP_HDRINCL) with our own IPv4 + TCP header (MSS option); the
 *    source address is the one the kernel's routing would pick (learned per target with a connected
 *    UDP socket), so the TCP checksum's pseudo header is right. Sends are batched with sendmmsg.
 *  - Receiving: a raw IPPROTO_TCP socket with a classic BPF filter on "TCP destination port == ours";
 *    replies are accepted only from (address, port) pairs of the batch and only when the ACK number
 *    equals our keyed SipHash cookie + 1, so stray or forged packets cannot set a state. A raw ICMP socket (filtered to destination
 *    unreachable) matches the embedded TCP header the same way.
 *  - Pacing: token bucket (ratePerSecond, 0 = unlimited), global and per-host in-flight caps, and a
 *    loss-aware in-flight window per /24: a drop (an answer that needed a retransmission) narrows the
 *    subnet's window by PACE_CUT at most once per timeout, answers to first attempts widen it again;
 *    it never falls below PACE_FLOOR of its start (nmap halves and may fall to one probe). The caps count
 *    attempts presumably still in the network: once an attempt's round-trip estimate has passed (srtt +
 *    4*rttvar, unclamped), it is presumed lost and leaves the caps while it keeps listening until its
 *    timeout (at most PRESUMED_MAX x concurrency such probes); its retransmission takes a place again,
 *    before any fresh probe. On a LAN, where the timeout floor is far above the round trip, a drop then
 *    costs its probe a round trip of the window, not the whole floor.
 *  - Retransmission: an unanswered SYN is resent after srtt + 4*rttvar (RFC 6298, the target's own
 *    estimate, else the batch's), clamped to [minTimeoutMs, maxTimeoutMs], doubled from the second
 *    attempt on (loss, unlike congestion, is not cured by waiting longer, and every wait adds to the
 *    batch's tail), times waitFactor. The attempts a silent cell gets adapt to the loss seen: `attempts` at least
 *    (PortQry's three by default), more while answers keep needing retransmissions (see
 *    required_attempts), up to `maxAttempts`. Every attempt is the same SYN (same sequence: the cookie),
 *    a true retransmission: a listener whose SYN-ACK was lost sits in SYN_RECV and answers only a SYN
 *    with the sequence it saw (another one gets a bare ACK), and an answer to any earlier attempt
 *    counts, even one arriving after the cell was called FILTERED. Which attempt an answer belongs to
 *    is then unknown, so only a cell answered on its first attempt measures a round trip (Karn).
 *  - EAGAIN/ENOBUFS on send: short backoff without counting an attempt. Overall deadline: probes not
 *    decided by then come back UNPROBED (0), never as a state we did not see.
 *  - Memory is proportional to the batch: targets x ports.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
  ST_UNPROBED = 0,
  ST_LISTENING = 1,
  ST_NOT_LISTENING = 2,
  ST_FILTERED = 3,
  ST_UNREACHABLE = 4,
  ST_ERROR = 5,
  ST_EXCLUDED = 6
};

#define MAX_ATTEMPTS 8
#define MAX_PROBES (1u << 26)
#define SEND_BATCH 64
#define RECV_BATCH 64
#define PKT_LEN 44 /* 20 IP + 20 TCP + 4 MSS option */
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

/* Where a probe stands against the in-flight caps. */
enum { FLIGHT_NONE = 0, FLIGHT_HELD = 1, FLIGHT_PRESUMED = 2 };

typedef struct {
  /* inputs (copied) */
  uint32_t *targets; /* host order */
  uint32_t ntargets;
  uint16_t *ports;
  uint32_t nports;
  uint8_t *exclude; /* optional, ntargets*nports, 1 = never probe */
  double initial_timeout_ms, min_timeout_ms, max_timeout_ms, wait_factor, deadline_ms, rate;
  uint32_t attempts, max_attempts, concurrency, per_host;
  /* the scan's loss evidence from earlier batches: answered cells, and those that needed a resend */
  double prior_answered, prior_retried;
  uint16_t source_port;
  int32_t *cancel;
  napi_ref cancel_ref;
  /* outputs */
  uint8_t *states;
  float *rtts;
  uint64_t sent, retransmitted, received, rejected, answered, retried, late, silent;
  uint16_t used_port;
  int err;
  char errmsg[200];
  char errcode[24];
  napi_async_work work;
  napi_deferred deferred;
} job_t;

/* ---------------------------------------------------------------- helpers */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
  do {                                                                                             \
    v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                      \
    v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                         \
    v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                         \
    v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                      \
  } while (0)

/* SipHash-2-4 of one 64-bit word: the keyed cookie of (address, port, source port). */
static uint32_t cookie(const uint64_t key[2], uint32_t addr, uint16_t port, uint16_t sport) {
  uint64_t m = ((uint64_t)addr << 32) | ((uint64_t)port << 16) | sport;
  uint64_t v0 = 0x736f6d6570736575ull ^ key[0], v1 = 0x646f72616e646f6dull ^ key[1];
  uint64_t v2 = 0x6c7967656e657261ull ^ key[0], v3 = 0x7465646279746573ull ^ key[1];
  uint64_t b = 8ull << 56;
  v3 ^= m; SIPROUND; SIPROUND; v0 ^= m;
  v3 ^= b; SIPROUND; SIPROUND; v0 ^= b;
  v2 ^= 0xff; SIPROUND; SIPROUND; SIPROUND; SIPROUND;
  uint64_t h = v0 ^ v1 ^ v2 ^ v3;
  return (uint32_t)(h ^ (h >> 32));
}

static uint16_t csum_finish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len) {
  const uint8_t *p = data;
  while (len > 1) {
    sum += (uint32_t)((p[0] << 8) | p[1]);
    p += 2;
    len -= 2;
  }
  if (len) sum += (uint32_t)(p[0] << 8);
  return sum;
}

/* Target address -> index: open addressing, built once per batch. */
typedef struct {
  uint32_t *keys;
  int32_t *vals;
  uint32_t mask;
} addr_map_t;

static uint32_t mix32(uint32_t x) {
  x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16;
  return x;
}

static int32_t map_get(const addr_map_t *m, uint32_t addr) {
  for (uint32_t h = mix32(addr) & m->mask;; h = (h + 1) & m->mask) {
    if (m->vals[h] < 0) return -1;
    if (m->keys[h] == addr) return m->vals[h];
  }
}

/* ---------------------------------------------------------------- the scan */

typedef struct {
  uint32_t *items;
  uint32_t cap, head, len;
} ring_t;

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

typedef struct {
  job_t *job;
  uint64_t key[2];
  uint16_t sport;
  int fd_send, fd_tcp, fd_icmp, fd_reserve;
  uint32_t *saddr;      /* per target, network order: the source address routing picks */
  int32_t *canon;       /* per target: index of the first target with the same address */
  uint32_t *next_port;  /* per target: next port index to start */
  uint32_t *inflight_h; /* per target */
  double *h_srtt, *h_rttvar; /* per target: its own round-trip estimate */
  uint32_t *h_samples;
  uint32_t *group;      /* per target: its /24 */
  uint32_t ngroups;
  double *g_window, *g_start; /* per /24: loss-aware in-flight window, and its start */
  uint32_t *g_inflight;
  uint64_t *g_next_cut;
  uint8_t *tries;       /* per probe */
  uint8_t *flight;      /* per probe: FLIGHT_* */
  uint32_t *looked;     /* per attempt number: queue entries from the head already looked at for release */
  uint64_t presumed;    /* probes in FLIGHT_PRESUMED */
  uint64_t *sent_at;    /* per probe: time of the latest attempt */
  ring_t *queues;       /* per attempt number: probes waiting for an answer, in send order */
  ring_t resend;        /* probes due for a retransmission, still holding their place in the caps */
  ring_t reclaim;       /* probes due for a retransmission that must first find room (presumed lost) */
  int32_t port_index[65536];
  addr_map_t amap;
  uint64_t inflight, decided, total;
  double srtt, rttvar;
  uint64_t rtt_samples;
  double tokens, burst;
  uint64_t last_refill;
} scan_t;

static void set_err(job_t *job, int e, const char *what) {
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

static void build_packet(scan_t *s, uint8_t *pkt, uint32_t i) {
  job_t *j = s->job;
  uint32_t t = i / j->nports, p = i % j->nports;
  uint32_t daddr = htonl(j->targets[t]);
  uint16_t dport = j->ports[p];
  uint32_t seq = cookie(s->key, j->targets[t], dport, s->sport);
  memset(pkt, 0, PKT_LEN);
  struct iphdr *ip = (struct iphdr *)pkt;
  ip->version = 4;
  ip->ihl = 5;
  ip->tot_len = htons(PKT_LEN); /* the kernel fills tot_len, id and the header checksum */
  ip->ttl = 64;
  ip->protocol = IPPROTO_TCP;
  ip->saddr = s->saddr[t];
  ip->daddr = daddr;
  struct tcphdr *tcp = (struct tcphdr *)(pkt + 20);
  tcp->source = htons(s->sport);
  tcp->dest = htons(dport);
  tcp->seq = htonl(seq);
  tcp->doff = 6;
  tcp->syn = 1;
  tcp->window = htons(1024);
  uint8_t *opt = pkt + 40;
  opt[0] = 2; opt[1] = 4; opt[2] = 0x05; opt[3] = 0xb4; /* MSS 1460 */
  uint32_t sum = 0;
  sum = csum_add(sum, &ip->saddr, 4);
  sum = csum_add(sum, &ip->daddr, 4);
  sum += IPPROTO_TCP + 24;
  sum = csum_add(sum, tcp, 24);
  tcp->check = htons(csum_finish(sum));
}

/* Accepts a reply for a probe already sent whose acknowledged sequence is `acked`: 0, or -1 if not ours. */
static int match_probe(scan_t *s, uint32_t addr_host, uint16_t port, uint32_t acked, uint32_t *probe) {
  job_t *j = s->job;
  int32_t t = map_get(&s->amap, addr_host);
  int32_t p = s->port_index[port];
  if (t < 0 || p < 0) return -1;
  uint32_t i = (uint32_t)t * j->nports + (uint32_t)p;
  if (acked != cookie(s->key, addr_host, port, s->sport) || s->tries[i] == 0) return -1;
  *probe = i;
  return 0;
}

static void answered(scan_t *s, uint32_t i, uint8_t state, uint64_t now) {
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
  float rtt = NAN;
  /* Karn: an answer after a retransmission is ambiguous, so it measures no round trip. */
  if (s->tries[i] == 1) {
    double ms = (double)(now - s->sent_at[i]) / 1e6;
    rtt_sample(s, t, ms);
    rtt = (float)ms;
  }
  int resent = s->tries[i] > 1;
  j->answered++;
  if (resent) j->retried++;
  pace(s, t, resent, now);
  decide(s, i, state, rtt);
}

static void on_tcp(scan_t *s, const uint8_t *buf, ssize_t n, uint64_t now) {
  job_t *j = s->job;
  if (n < 20) return;
  const struct iphdr *ip = (const struct iphdr *)buf;
  size_t ihl = (size_t)ip->ihl * 4;
  if (ip->version != 4 || ip->protocol != IPPROTO_TCP || ihl < 20 || (ssize_t)(ihl + 20) > n) return;
  if (ntohs(ip->frag_off) & 0x1fff) return;
  const struct tcphdr *tcp = (const struct tcphdr *)(buf + ihl);
  if (ntohs(tcp->dest) != s->sport || !tcp->ack) return;
  j->received++;
  uint32_t i;
  /* The reply must come back to the source address we used for that target. */
  if (match_probe(s, ntohl(ip->saddr), ntohs(tcp->source), ntohl(tcp->ack_seq) - 1, &i) < 0 || ip->daddr != s->saddr[i / j->nports]) {
    j->rejected++;
    return;
  }
  if (tcp->rst) answered(s, i, ST_NOT_LISTENING, now);
  else if (tcp->syn) answered(s, i, ST_LISTENING, now);
}

static void on_icmp(scan_t *s, const uint8_t *buf, ssize_t n, uint64_t now) {
  job_t *j = s->job;
  if (n < 20) return;
  const struct iphdr *ip = (const struct iphdr *)buf;
  size_t ihl = (size_t)ip->ihl * 4;
  if (ip->version != 4 || ihl < 20 || (ssize_t)(ihl + 8 + 20 + 8) > n) return;
  const struct icmphdr *icmp = (const struct icmphdr *)(buf + ihl);
  if (icmp->type != ICMP_DEST_UNREACH) return;
  const struct iphdr *inner = (const struct iphdr *)(buf + ihl + 8);
  size_t ihl2 = (size_t)inner->ihl * 4;
  if (inner->version != 4 || inner->protocol != IPPROTO_TCP || ihl2 < 20 || (ssize_t)(ihl + 8 + ihl2 + 8) > n)
    return;
  const uint8_t *th = buf + ihl + 8 + ihl2; /* the first 8 bytes of our SYN: ports and sequence */
  uint16_t sport = (uint16_t)((th[0] << 8) | th[1]);
  uint16_t dport = (uint16_t)((th[2] << 8) | th[3]);
  uint32_t seq = ((uint32_t)th[4] << 24) | ((uint32_t)th[5] << 16) | ((uint32_t)th[6] << 8) | th[7];
  if (sport != s->sport) return;
  j->received++;
  uint32_t i;
  if (match_probe(s, ntohl(inner->daddr), dport, seq, &i) < 0 || inner->saddr != s->saddr[i / j->nports]) {
    j->rejected++;
    return;
  }
  answered(s, i, ST_UNREACHABLE, now);
}

static int drain(scan_t *s, int fd, int icmp) {
  static __thread uint8_t bufs[RECV_BATCH][1600];
  struct mmsghdr msgs[RECV_BATCH];
  struct iovec iov[RECV_BATCH];
  int total = 0;
  for (int round = 0; round < 64; round++) {
    for (int k = 0; k < RECV_BATCH; k++) {
      iov[k].iov_base = bufs[k];
      iov[k].iov_len = sizeof bufs[k];
      memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd, msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) break;
    uint64_t now = now_ns();
    for (int k = 0; k < n; k++) {
      if (icmp) on_icmp(s, bufs[k], msgs[k].msg_len, now);
      else on_tcp(s, bufs[k], msgs[k].msg_len, now);
    }
    total += n;
    if (n < RECV_BATCH) break;
  }
  return total;
}

static int attach_port_filter(int fd, uint16_t sport) {
  /* Raw IPv4 packet: accept unfragmented (offset 0) TCP segments whose destination port is ours. */
  struct sock_filter code[] = {
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 3, 0),
    BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
    BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, sport, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, 0xffff),
    BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_fprog prog = { .len = sizeof code / sizeof code[0], .filter = code };
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

static void big_rcvbuf(int fd) {
  int size = 8 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
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

static int setup(scan_t *s) {
  job_t *j = s->job;
  s->fd_send = s->fd_tcp = s->fd_icmp = s->fd_reserve = -1;
  if (getrandom(s->key, sizeof s->key, 0) != (ssize_t)sizeof s->key) {
    set_err(j, errno, "getrandom");
    return -1;
  }
  /* Reserve the source port: bound, never listening, so the kernel RSTs every SYN-ACK we provoke. */
  s->fd_reserve = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->fd_reserve < 0) return set_err(j, errno, "socket(SOCK_STREAM)"), -1;
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(j->source_port), .sin_addr.s_addr = INADDR_ANY };
  if (bind(s->fd_reserve, (struct sockaddr *)&sa, sizeof sa) != 0) return set_err(j, errno, "bind source port"), -1;
  socklen_t len = sizeof sa;
  if (getsockname(s->fd_reserve, (struct sockaddr *)&sa, &len) != 0) return set_err(j, errno, "getsockname"), -1;
  s->sport = ntohs(sa.sin_port);
  j->used_port = s->sport;

  s->fd_tcp = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
  if (s->fd_tcp < 0) return set_err(j, errno, "socket(SOCK_RAW, IPPROTO_TCP)"), -1;
  attach_port_filter(s->fd_tcp, s->sport); /* best effort: the parser filters too */
  big_rcvbuf(s->fd_tcp);
  s->fd_icmp = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
  if (s->fd_icmp < 0) return set_err(j, errno, "socket(SOCK_RAW, IPPROTO_ICMP)"), -1;
  uint32_t icmp_mask = ~(1u << ICMP_DEST_UNREACH);
  setsockopt(s->fd_icmp, SOL_RAW, ICMP_FILTER, &icmp_mask, sizeof icmp_mask);
  s->fd_send = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW);
  if (s->fd_send < 0) return set_err(j, errno, "socket(SOCK_RAW, IPPROTO_RAW)"), -1;
  int one = 1;
  setsockopt(s->fd_send, IPPROTO_IP, IP_HDRINCL, &one, sizeof one);
  int sndbuf = 4 << 20;
  if (setsockopt(s->fd_send, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0)
    setsockopt(s->fd_send, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  return 0;
}

static void teardown(scan_t *s) {
  if (s->fd_send >= 0) close(s->fd_send);
  if (s->fd_tcp >= 0) close(s->fd_tcp);
  if (s->fd_icmp >= 0) close(s->fd_icmp);
  if (s->fd_reserve >= 0) close(s->fd_reserve);
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
  uint8_t pkts[SEND_BATCH][PKT_LEN];
  struct mmsghdr msgs[SEND_BATCH];
  struct iovec iov[SEND_BATCH];
  struct sockaddr_in dst[SEND_BATCH];
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
    if (j->cancel && __atomic_load_n(j->cancel, __ATOMIC_RELAXED)) return set_err(j, ECANCELED, "synScan");
    /* 1. Read whatever came back, before anything expires: after a stretch without the CPU (a busy
       machine), answers already queued in the socket must not lose to their own deadlines. */
    int got = drain(s, s->fd_tcp, 0);
    got += drain(s, s->fd_icmp, 1);
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
        uint32_t i = (uint32_t)pick;
        build_packet(s, pkts[n], i);
        iov[n].iov_base = pkts[n];
        iov[n].iov_len = PKT_LEN;
        dst[n] = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(j->targets[i / j->nports]) };
        memset(&msgs[n].msg_hdr, 0, sizeof msgs[n].msg_hdr);
        msgs[n].msg_hdr.msg_name = &dst[n];
        msgs[n].msg_hdr.msg_namelen = sizeof dst[n];
        msgs[n].msg_hdr.msg_iov = &iov[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
        probe_of[n] = i;
        if (j->rate > 0) s->tokens -= 1;
        n++;
      }
    }
    int off = 0;
    while (off < n) {
      int r = sendmmsg(s->fd_send, msgs + off, (unsigned)(n - off), 0);
      uint64_t t_sent = now_ns();
      if (r > 0) {
        for (int k = off; k < off + r; k++) {
          uint32_t i = probe_of[k];
          if (s->tries[i] > 0) j->retransmitted++;
          s->tries[i]++;
          s->sent_at[i] = t_sent;
          ring_push(&s->queues[s->tries[i] - 1], i);
          j->sent++;
        }
        off += r;
        backoff_ms = 0;
        continue;
      }
      int e = errno;
      uint32_t i = probe_of[off];
      if (e == EINTR) continue;
      if (e == EAGAIN || e == ENOBUFS || e == ENOMEM) {
        /* Local congestion says nothing about the target: requeue without counting an attempt. */
        for (int k = off; k < n; k++) ring_push(&s->resend, probe_of[k]);
        if (j->rate > 0) s->tokens += n - off;
        backoff_ms = backoff_ms ? (backoff_ms * 2 > 64 ? 64 : backoff_ms * 2) : 1;
        backoff_until = now_ns() + (uint64_t)backoff_ms * 1000000ull;
        break;
      }
      if (e == EHOSTUNREACH || e == ENETUNREACH || e == EHOSTDOWN || e == ENETDOWN)
        decide(s, i, ST_UNREACHABLE, NAN);
      else
        decide(s, i, ST_ERROR, NAN); /* EPERM (a local firewall), EACCES, ...: no statement */
      off++;
    }

    /* 4. Read what came back meanwhile. */
    got += drain(s, s->fd_tcp, 0);
    got += drain(s, s->fd_icmp, 1);

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
      struct pollfd pfd[2] = { { s->fd_tcp, POLLIN, 0 }, { s->fd_icmp, POLLIN, 0 } };
      poll(pfd, 2, wait_ms);
    }
  }
}

static void execute(napi_env env, void *data) {
  job_t *j = data;
  scan_t *s = calloc(1, sizeof *s);
  if (!s) return set_err(j, ENOMEM, "synScan");
  s->job = j;
  if (alloc_tables(s) != 0) set_err(j, ENOMEM, "synScan tables");
  else if (setup(s) == 0) {
    if (presettle(s) != 0) set_err(j, ENOMEM, "synScan tables");
    else {
      run_scan(s);
      finish(s);
    }
  }
  teardown(s);
  free(s);
}

/* ---------------------------------------------------------------- N-API glue */

static void free_job(napi_env env, job_t *j) {
  if (j->cancel_ref) napi_delete_reference(env, j->cancel_ref);
  free(j->targets); free(j->ports); free(j->exclude); free(j->states); free(j->rtts);
  free(j);
}

static napi_value make_typed(napi_env env, napi_typedarray_type type, const void *src, size_t count, size_t elem) {
  napi_value ab, arr;
  void *dst;
  napi_create_arraybuffer(env, count * elem, &dst, &ab);
  if (count) memcpy(dst, src, count * elem);
  napi_create_typedarray(env, type, count, ab, 0, &arr);
  return arr;
}

static void set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, key, n);
}

static void complete(napi_env env, napi_status status, void *data) {
  job_t *j = data;
  size_t total = (size_t)j->ntargets * j->nports;
  if (j->err || status != napi_ok) {
    napi_value msg, code, error;
    napi_create_string_utf8(env, j->err ? j->errmsg : "synScan: async work failed", NAPI_AUTO_LENGTH, &msg);
    napi_create_string_utf8(env, j->err ? j->errcode : "EIO", NAPI_AUTO_LENGTH, &code);
    napi_create_error(env, code, msg, &error);
    napi_reject_deferred(env, j->deferred, error);
  } else {
    napi_value res;
    napi_create_object(env, &res);
    napi_set_named_property(env, res, "states", make_typed(env, napi_uint8_array, j->states, total, 1));
    napi_set_named_property(env, res, "rttMs", make_typed(env, napi_float32_array, j->rtts, total, 4));
    set_num(env, res, "sourcePort", j->used_port);
    set_num(env, res, "sent", (double)j->sent);
    set_num(env, res, "retransmitted", (double)j->retransmitted);
    set_num(env, res, "received", (double)j->received);
    set_num(env, res, "rejected", (double)j->rejected);
    set_num(env, res, "answered", (double)j->answered);
    set_num(env, res, "retried", (double)j->retried);
    set_num(env, res, "late", (double)j->late);
    set_num(env, res, "silent", (double)j->silent);
    napi_resolve_deferred(env, j->deferred, res);
  }
  napi_delete_async_work(env, j->work);
  free_job(env, j);
}

static int get_num(napi_env env, napi_value obj, const char *key, double def, double *out) {
  bool has = false;
  napi_value v;
  napi_valuetype t;
  *out = def;
  if (napi_has_named_property(env, obj, key, &has) != napi_ok || !has) return 0;
  napi_get_named_property(env, obj, key, &v);
  napi_typeof(env, v, &t);
  if (t == napi_undefined) return 0;
  if (t != napi_number) return -1;
  napi_get_value_double(env, v, out);
  return isfinite(*out) ? 0 : -1;
}

static int get_typed(napi_env env, napi_value obj, const char *key, napi_typedarray_type want, void **data,
                     size_t *len, napi_value *arr, int optional) {
  bool has = false, is = false;
  napi_value v, ab;
  napi_typedarray_type type;
  size_t off;
  *data = NULL;
  *len = 0;
  napi_has_named_property(env, obj, key, &has);
  if (!has) return optional ? 0 : -1;
  napi_get_named_property(env, obj, key, &v);
  napi_valuetype vt;
  napi_typeof(env, v, &vt);
  if (vt == napi_undefined && optional) return 0;
  napi_is_typedarray(env, v, &is);
  if (!is) return -1;
  napi_get_typedarray_info(env, v, &type, len, data, &ab, &off);
  if (type != want) return -1;
  if (arr) *arr = v;
  return 0;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG", msg);
  return NULL;
}

/* synScan({ targets: Uint32Array (host byte order), ports: Uint16Array, ... }) -> Promise<result> */
static napi_value syn_scan(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], promise;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype t;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_object)
    return throw_type(env, "synScan: options object expected");
  napi_value o = argv[0], cancel_arr = NULL;
  void *targets, *ports, *exclude, *cancel;
  size_t nt, np, nx, nc;
  if (get_typed(env, o, "targets", napi_uint32_array, &targets, &nt, NULL, 0) ||
      get_typed(env, o, "ports", napi_uint16_array, &ports, &np, NULL, 0))
    return throw_type(env, "synScan: targets must be a Uint32Array and ports a Uint16Array");
  if (get_typed(env, o, "exclude", napi_uint8_array, &exclude, &nx, NULL, 1) ||
      get_typed(env, o, "cancel", napi_int32_array, &cancel, &nc, &cancel_arr, 1))
    return throw_type(env, "synScan: exclude must be a Uint8Array and cancel an Int32Array");
  if (nt == 0 || np == 0 || nt * np > MAX_PROBES || nt > UINT32_MAX / 2)
    return throw_type(env, "synScan: empty batch or more than 2^26 probes");
  if (exclude && nx != nt * np) return throw_type(env, "synScan: exclude must have targets.length*ports.length cells");
  if (cancel && nc < 1) return throw_type(env, "synScan: cancel must have one cell");
  double timeout, mint, maxt, factor, deadline, rate, attempts, max_attempts, conc, per_host, sport, p_ans, p_ret;
  if (get_num(env, o, "timeoutMs", 1000, &timeout) || get_num(env, o, "minTimeoutMs", 100, &mint) ||
      get_num(env, o, "maxTimeoutMs", 10000, &maxt) || get_num(env, o, "waitFactor", 1, &factor) ||
      get_num(env, o, "deadlineMs", 0, &deadline) || get_num(env, o, "ratePerSecond", 0, &rate) ||
      get_num(env, o, "attempts", 2, &attempts) || get_num(env, o, "concurrency", 256, &conc) ||
      get_num(env, o, "perHost", 64, &per_host) || get_num(env, o, "sourcePort", 0, &sport) ||
      get_num(env, o, "maxAttempts", 0, &max_attempts) || get_num(env, o, "priorAnswered", 0, &p_ans) ||
      get_num(env, o, "priorRetried", 0, &p_ret))
    return throw_type(env, "synScan: numeric options must be finite numbers");
  if (max_attempts == 0) max_attempts = attempts;
  if (attempts < 1 || attempts > MAX_ATTEMPTS || max_attempts < attempts || max_attempts > MAX_ATTEMPTS ||
      sport < 0 || sport > 65535 || conc < 1 || per_host < 1 || mint <= 0 || maxt < mint || timeout <= 0 ||
      factor <= 0 || rate < 0 || deadline < 0 || p_ans < 0 || p_ret < 0 || p_ret > p_ans)
    return throw_type(env, "synScan: option out of range");

  job_t *j = calloc(1, sizeof *j);
  if (!j) return throw_type(env, "synScan: out of memory");
  size_t total = nt * np;
  j->ntargets = (uint32_t)nt;
  j->nports = (uint32_t)np;
  j->targets = malloc(nt * 4);
  j->ports = malloc(np * 2);
  j->states = calloc(total, 1);
  j->rtts = malloc(total * sizeof(float));
  if (exclude) j->exclude = malloc(total);
  if (!j->targets || !j->ports || !j->states || !j->rtts || (exclude && !j->exclude)) {
    free_job(env, j);
    return throw_type(env, "synScan: out of memory");
  }
  memcpy(j->targets, targets, nt * 4);
  memcpy(j->ports, ports, np * 2);
  if (exclude) memcpy(j->exclude, exclude, total);
  for (size_t i = 0; i < total; i++) j->rtts[i] = NAN;
  j->initial_timeout_ms = timeout;
  j->min_timeout_ms = mint;
  j->max_timeout_ms = maxt;
  j->wait_factor = factor;
  j->rate = rate;
  j->attempts = (uint32_t)attempts;
  j->max_attempts = (uint32_t)max_attempts;
  j->prior_answered = p_ans;
  j->prior_retried = p_ret;
  j->concurrency = (uint32_t)conc;
  j->per_host = (uint32_t)per_host;
  j->source_port = (uint16_t)sport;
  /* Default deadline: every probe's full retry schedule, the pacing, and generous slack. */
  if (deadline <= 0) {
    double sched = 0;
    for (uint32_t a = 0; a < j->max_attempts; a++) sched += maxt;
    deadline = sched * factor + (rate > 0 ? total * j->max_attempts / rate * 1000 : 0) + total * 0.05 + 10000;
  }
  j->deadline_ms = deadline;
  if (cancel) {
    j->cancel = cancel;
    napi_create_reference(env, cancel_arr, 1, &j->cancel_ref);
  }
  napi_value name;
  napi_create_string_utf8(env, "fleetqry.synScan", NAPI_AUTO_LENGTH, &name);
  napi_create_promise(env, &j->deferred, &promise);
  if (napi_create_async_work(env, NULL, name, execute, complete, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    free_job(env, j);
    return throw_type(env, "synScan: cannot queue async work");
  }
  return promise;
}

/* rawSocketError() -> undefined when raw IPv4 sockets can be opened, else the errno name. */
static napi_value raw_socket_error(napi_env env, napi_callback_info info) {
  int fds[3] = {
    socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP),
    socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW),
    socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP),
  };
  int e = 0;
  for (int k = 0; k < 3; k++) {
    if (fds[k] < 0 && !e) e = errno;
    if (fds[k] >= 0) close(fds[k]);
  }
  napi_value out;
  if (!e) {
    napi_get_undefined(env, &out);
    return out;
  }
  const char *name = e == EPERM ? "EPERM" : e == EACCES ? "EACCES" : "EIO";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &out);
  return out;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  napi_create_function(env, "synScan", NAPI_AUTO_LENGTH, syn_scan, NULL, &fn);
  napi_set_named_property(env, exports, "synScan", fn);
  napi_create_function(env, "rawSocketError", NAPI_AUTO_LENGTH, raw_socket_error, NULL, &fn);
  napi_set_named_property(env, exports, "rawSocketError", fn);
  napi_value v;
  napi_create_uint32(env, 1, &v);
  napi_set_named_property(env, exports, "abiVersion", v);
  return exports;
}
