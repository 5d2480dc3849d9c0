/*
 * The connect transport: one non-blocking connect() per attempt, the answers read from an epoll set.
 * No privilege needed (nmap -sT's probe), so it serves every process that may not open raw sockets;
 * it does in C what the per-socket JavaScript path does through libuv, without a JavaScript object,
 * callback and timer per attempt, which bound that path by CPU.
 *  - An accepted connection is LISTENING and is closed at once with RST (SO_LINGER 0: no data, no
 *    TIME_WAIT); a refusal is NOT LISTENING; a host or network unreachable is FILTERED (host-unreachable).
 *    A connection onto our own source port (Linux's simultaneous open when the target is this machine)
 *    means nothing listens.
 *  - Each attempt is its own socket, so a retransmission never blurs a round trip: every answer
 *    measures the attempt it belongs to. Earlier attempts keep listening while later ones go out, until
 *    the cell is decided; then all of its sockets close.
 *  - Out of descriptors, buffers or ephemeral ports is local congestion: the scheduler backs off and
 *    retries without counting an attempt.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scan.h"

#define EVENT_BATCH 256
#define NO_PROBE UINT32_MAX

typedef struct {
  int ep;
  uint32_t nfds;      /* size of the per-descriptor tables */
  uint32_t *fd_probe; /* per descriptor: the probe whose attempt it is, or NO_PROBE */
  uint64_t *fd_sent;  /* per descriptor: when its connect() went out */
  int32_t *fd_older;  /* per descriptor: the same probe's previous attempt, or -1 */
  int32_t *newest;    /* per probe: its newest attempt's descriptor, or -1 */
} conn_t;

static conn_t *tp(const scan_t *s) { return s->tp; }

/* Room in the per-descriptor tables for `fd`; -1 when memory runs out. */
static int fit(conn_t *c, int fd) {
  if ((uint32_t)fd < c->nfds) return 0;
  uint32_t n = c->nfds;
  while (n <= (uint32_t)fd) n *= 2;
  uint32_t *probe = realloc(c->fd_probe, n * sizeof *probe);
  if (probe) c->fd_probe = probe;
  uint64_t *sent = realloc(c->fd_sent, n * sizeof *sent);
  if (sent) c->fd_sent = sent;
  int32_t *older = realloc(c->fd_older, n * sizeof *older);
  if (older) c->fd_older = older;
  if (!probe || !sent || !older) return -1;
  for (uint32_t k = c->nfds; k < n; k++) c->fd_probe[k] = NO_PROBE;
  c->nfds = n;
  return 0;
}

static void track(conn_t *c, uint32_t i, int fd, uint64_t at) {
  c->fd_probe[fd] = i;
  c->fd_sent[fd] = at;
  c->fd_older[fd] = c->newest[i];
  c->newest[i] = fd;
}

/* Closes one attempt's socket and forgets it; `reset` aborts an accepted connection with RST. */
static void drop(conn_t *c, int fd, int reset) {
  uint32_t i = c->fd_probe[fd];
  for (int32_t *link = &c->newest[i]; *link >= 0; link = &c->fd_older[*link])
    if (*link == fd) {
      *link = c->fd_older[fd];
      break;
    }
  c->fd_probe[fd] = NO_PROBE;
  if (reset) {
    struct linger abort_now = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
  }
  close(fd); /* also leaves the epoll set */
}

static int conn_setup(scan_t *s) {
  job_t *j = s->job;
  conn_t *c = calloc(1, sizeof *c);
  if (!c) return set_err(j, ENOMEM, "connectScan"), -1;
  s->tp = c;
  c->ep = epoll_create1(EPOLL_CLOEXEC);
  if (c->ep < 0) return set_err(j, errno, "epoll_create1"), -1;
  c->nfds = 1024;
  c->fd_probe = malloc(c->nfds * sizeof *c->fd_probe);
  c->fd_sent = malloc(c->nfds * sizeof *c->fd_sent);
  c->fd_older = malloc(c->nfds * sizeof *c->fd_older);
  c->newest = malloc(s->total * sizeof *c->newest);
  if (!c->fd_probe || !c->fd_sent || !c->fd_older || !c->newest) return set_err(j, ENOMEM, "connectScan"), -1;
  for (uint32_t k = 0; k < c->nfds; k++) c->fd_probe[k] = NO_PROBE;
  memset(c->newest, 0xff, s->total * sizeof *c->newest);
  return 0;
}

static void conn_teardown(scan_t *s) {
  conn_t *c = tp(s);
  if (!c) return;
  if (c->fd_probe)
    for (uint32_t fd = 0; fd < c->nfds; fd++)
      if (c->fd_probe[fd] != NO_PROBE) close((int)fd);
  if (c->ep >= 0) close(c->ep);
  free(c->fd_probe); free(c->fd_sent); free(c->fd_older); free(c->newest);
  free(c);
  s->tp = NULL;
}

static int unreachable(int e) { return e == EHOSTUNREACH || e == ENETUNREACH || e == EHOSTDOWN || e == ENETDOWN; }

/* What an attempt's outcome says, as a state; 0 when it says nothing about the target. */
static uint8_t state_of(int e) {
  if (e == ECONNREFUSED) return ST_NOT_LISTENING;
  if (unreachable(e)) return ST_UNREACHABLE;
  return 0;
}

/* Whether an accepted connection is onto our own port: a simultaneous open with ourselves. */
static int self_connect(int fd, const struct sockaddr_in *dst) {
  struct sockaddr_in local;
  socklen_t len = sizeof local;
  return getsockname(fd, (struct sockaddr *)&local, &len) == 0 && local.sin_port == dst->sin_port &&
         local.sin_addr.s_addr == dst->sin_addr.s_addr;
}

/* Attempt `fd` of its probe has an outcome (`e`: 0 for an accepted connection, else its errno). */
static void settle(scan_t *s, int fd, int e, uint64_t now) {
  conn_t *c = tp(s);
  job_t *j = s->job;
  uint32_t i = c->fd_probe[fd];
  double rtt = (double)(now - c->fd_sent[fd]) / 1e6;
  if (e == 0) {
    struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(j->ports[i % j->nports]),
                               .sin_addr.s_addr = htonl(j->targets[i / j->nports]) };
    int self = self_connect(fd, &dst);
    drop(c, fd, 1);
    j->received++;
    return answered(s, i, self ? ST_NOT_LISTENING : ST_LISTENING, now, self ? NAN : rtt);
  }
  drop(c, fd, 0);
  uint8_t state = state_of(e);
  if (state) {
    j->received++;
    return answered(s, i, state, now, rtt);
  }
  /* ETIMEDOUT (the kernel's own SYN retries ran out): silence, which the scheduler's timeouts judge. Any
     other error (EPERM from a local firewall, ...) says nothing about the target: the cell comes back
     ERROR for the caller to decide another way. */
  if (e != ETIMEDOUT && j->states[i] == ST_UNPROBED) scan_send_failed(s, i, e);
}

static int conn_send(scan_t *s, const uint32_t *probes, int n) {
  conn_t *c = tp(s);
  job_t *j = s->job;
  for (int k = 0; k < n; k++) {
    uint32_t i = probes[k];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) return k;
      scan_send_failed(s, i, errno);
      continue;
    }
    if (fit(c, fd) != 0) {
      close(fd);
      return k;
    }
    struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(j->ports[i % j->nports]),
                               .sin_addr.s_addr = htonl(j->targets[i / j->nports]) };
    uint64_t at = now_ns();
    int e = connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0 ? 0 : errno;
    if (e == EINPROGRESS) {
      struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd };
      if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        return k;
      }
      track(c, i, fd, at);
      scan_sent(s, i, at);
      continue;
    }
    if (e == EAGAIN || e == EADDRNOTAVAIL || e == ENOBUFS || e == ENOMEM) {
      /* out of ephemeral ports or buffers */
      close(fd);
      return k;
    }
    if (e != 0 && !state_of(e)) {
      close(fd);
      scan_send_failed(s, i, e); /* EACCES, EPERM, ...: no statement about the target */
      continue;
    }
    /* Decided at once (loopback can answer within connect() itself). */
    track(c, i, fd, at);
    scan_sent(s, i, at);
    settle(s, fd, e, now_ns());
  }
  return n;
}

static int conn_drain(scan_t *s) {
  conn_t *c = tp(s);
  struct epoll_event evs[EVENT_BATCH];
  int total = 0;
  for (int round = 0; round < 64; round++) {
    int n = epoll_wait(c->ep, evs, EVENT_BATCH, 0);
    if (n <= 0) break;
    uint64_t now = now_ns();
    for (int k = 0; k < n; k++) {
      int fd = evs[k].data.fd;
      /* closed meanwhile: its probe was decided by another attempt in this same round */
      if (c->fd_probe[fd] == NO_PROBE) continue;
      int e = 0;
      socklen_t len = sizeof e;
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) e = errno;
      if (e == 0 && !(evs[k].events & EPOLLOUT)) {
        /* Hung up without an error or a connection: silence, which the timeouts judge. Left in the
           (level-triggered) set, it would be reported again on every drain. */
        if (evs[k].events & (EPOLLHUP | EPOLLERR)) drop(c, fd, 0);
        continue;
      }
      settle(s, fd, e, now);
    }
    total += n;
    if (n < EVENT_BATCH) break;
  }
  return total;
}

static void conn_wait(scan_t *s, int wait_ms) {
  struct pollfd p = { tp(s)->ep, POLLIN, 0 };
  poll(&p, 1, wait_ms);
}

/* A decided probe's attempts stop listening. */
static void conn_retire(scan_t *s, uint32_t i) {
  conn_t *c = tp(s);
  while (c->newest[i] >= 0) drop(c, c->newest[i], 0);
}

const transport_t connect_transport = {
  .name = "connectScan",
  .setup = conn_setup,
  .teardown = conn_teardown,
  .send = conn_send,
  .drain = conn_drain,
  .wait = conn_wait,
  .retire = conn_retire,
};
