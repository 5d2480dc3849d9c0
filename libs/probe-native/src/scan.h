/*
 * fleetqry probe-native: TCP state scans of whole batches (IPv4 targets x ports) run in C on a libuv
 * worker thread. One scheduler (scan_core.c) decides when each cell's attempts go out and what silence
 * means; a transport puts attempts on the wire and reports answers:
 *  - syn_transport.c: raw-socket SYN ("half-open") probes; root or CAP_NET_RAW;
 *  - connect_transport.c: one non-blocking connect() per attempt; no privilege.
 * addon.c is the N-API glue (synScan, connectScan, rawSocketError).
 */
#ifndef FLEETQRY_SCAN_H
#define FLEETQRY_SCAN_H

#include <node_api.h>
#include <stdint.h>

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

/* Where a probe stands against the in-flight caps. */
enum { FLIGHT_NONE = 0, FLIGHT_HELD = 1, FLIGHT_PRESUMED = 2 };

struct scan;

/* What a transport does for the scheduler. Every function runs on the batch's worker thread. */
typedef struct transport {
  const char *name; /* for error messages: "synScan" / "connectScan" */
  /* Opens sockets; 0, or -1 with the job's error set. */
  int (*setup)(struct scan *s);
  void (*teardown)(struct scan *s);
  /*
   * Puts the next attempt of each of probes[0..n) on the wire, calling scan_sent (or scan_send_failed,
   * or answered for an answer known at once) for each one it handled. Returns how many it handled; fewer
   * than n means local congestion at probes[k] (EAGAIN, ENOBUFS, EMFILE, ...): the scheduler requeues the
   * rest without counting an attempt and backs off.
   */
  int (*send)(struct scan *s, const uint32_t *probes, int n);
  /* Reads what has arrived without blocking and calls answered() for each answer; returns how many. */
  int (*drain)(struct scan *s);
  /* Sleeps until something may have arrived, at most wait_ms. */
  void (*wait)(struct scan *s, int wait_ms);
  /* Probe i is decided: drop whatever its attempts still hold (optional). */
  void (*retire)(struct scan *s, uint32_t i);
} transport_t;

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
  const transport_t *transport;
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

typedef struct {
  uint32_t *items;
  uint32_t cap, head, len;
} ring_t;

/* Target address -> index: open addressing, built once per batch. */
typedef struct {
  uint32_t *keys;
  int32_t *vals;
  uint32_t mask;
} addr_map_t;

typedef struct scan {
  job_t *job;
  void *tp; /* the transport's own state */
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

/* ---- for transports (scan_core.c) */
uint64_t now_ns(void);
void set_err(job_t *job, int e, const char *what);
/* Target index of an address in the batch, or -1. */
int32_t scan_target_of(const scan_t *s, uint32_t addr_host);
/* Probe i's attempt went out at `at`. */
void scan_sent(scan_t *s, uint32_t i, uint64_t at);
/* Probe i's attempt could not be sent for a reason about the target (unreachable) or a local refusal. */
void scan_send_failed(scan_t *s, uint32_t i, int err);
/*
 * An answer for probe i: `state` as seen, `rtt_ms` the round trip of the attempt it answered, NAN when
 * that is unknown (an answer that may belong to any of several attempts).
 */
void answered(scan_t *s, uint32_t i, uint8_t state, uint64_t now, double rtt_ms);

/* ---- the batch (scan_core.c), run by addon.c's async work */
void scan_execute(job_t *job);

extern const transport_t syn_transport;
extern const transport_t connect_transport;
/* undefined-or-errno for rawSocketError(): 0 when raw IPv4 sockets can be opened. */
int syn_raw_socket_error(void);

#endif
