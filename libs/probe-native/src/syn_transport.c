/*
 * The SYN transport: TCP SYN ("half-open") probes over raw IPv4 sockets. Linux only; needs root or
 * CAP_NET_RAW.
 *  - The source port is reserved by binding (not listening) a TCP socket to it, so the kernel never
 *    hands it to anyone else, and answers every SYN-ACK we provoke with a RST (the peer's half-open
 *    connection is cleaned up; no connection is ever completed).
 *  - Sending: an IPPROTO_RAW socket (IP_HDRINCL) with our own IPv4 + TCP header (MSS option); the
 *    source address is the one the kernel's routing would pick (learned per target by the scheduler),
 *    so the TCP checksum's pseudo header is right. Sends are batched with sendmmsg.
 *  - Receiving: a raw IPPROTO_TCP socket with a classic BPF filter on "TCP destination port == ours";
 *    replies are accepted only from (address, port) pairs of the batch and only when the ACK number
 *    equals our keyed SipHash cookie + 1, so stray or forged packets cannot set a state. A raw ICMP
 *    socket (filtered to destination unreachable) matches the embedded TCP header the same way.
 *  - Every attempt is the same SYN (same sequence: the cookie), a true retransmission: a listener whose
 *    SYN-ACK was lost sits in SYN_RECV and answers only a SYN with the sequence it saw (another one gets
 *    a bare ACK), and an answer to any earlier attempt counts, even one arriving after the cell was
 *    called FILTERED. Which attempt an answer belongs to is then unknown, so only a cell answered on its
 *    first attempt measures a round trip (Karn).
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
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scan.h"

#define RECV_BATCH 64
#define PKT_LEN 44 /* 20 IP + 20 TCP + 4 MSS option */

typedef struct {
  uint64_t key[2];
  uint16_t sport;
  int fd_send, fd_tcp, fd_icmp, fd_reserve;
} syn_t;

static syn_t *tp(const scan_t *s) { return s->tp; }

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

static void build_packet(scan_t *s, uint8_t *pkt, uint32_t i) {
  job_t *j = s->job;
  uint32_t t = i / j->nports, p = i % j->nports;
  uint32_t daddr = htonl(j->targets[t]);
  uint16_t dport = j->ports[p];
  uint32_t seq = cookie(tp(s)->key, j->targets[t], dport, tp(s)->sport);
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
  tcp->source = htons(tp(s)->sport);
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
  int32_t t = scan_target_of(s, addr_host);
  int32_t p = s->port_index[port];
  if (t < 0 || p < 0) return -1;
  uint32_t i = (uint32_t)t * j->nports + (uint32_t)p;
  if (acked != cookie(tp(s)->key, addr_host, port, tp(s)->sport) || s->tries[i] == 0) return -1;
  *probe = i;
  return 0;
}

/* Karn: an answer after a retransmission may belong to any attempt, so it measures no round trip. */
static double karn_rtt(const scan_t *s, uint32_t i, uint64_t now) {
  return s->tries[i] == 1 ? (double)(now - s->sent_at[i]) / 1e6 : NAN;
}

static void on_tcp(scan_t *s, const uint8_t *buf, ssize_t n, uint64_t now) {
  job_t *j = s->job;
  if (n < 20) return;
  const struct iphdr *ip = (const struct iphdr *)buf;
  size_t ihl = (size_t)ip->ihl * 4;
  if (ip->version != 4 || ip->protocol != IPPROTO_TCP || ihl < 20 || (ssize_t)(ihl + 20) > n) return;
  if (ntohs(ip->frag_off) & 0x1fff) return;
  const struct tcphdr *tcp = (const struct tcphdr *)(buf + ihl);
  if (ntohs(tcp->dest) != tp(s)->sport || !tcp->ack) return;
  j->received++;
  uint32_t i;
  /* The reply must come back to the source address we used for that target. */
  if (match_probe(s, ntohl(ip->saddr), ntohs(tcp->source), ntohl(tcp->ack_seq) - 1, &i) < 0 || ip->daddr != s->saddr[i / j->nports]) {
    j->rejected++;
    return;
  }
  if (tcp->rst) answered(s, i, ST_NOT_LISTENING, now, karn_rtt(s, i, now));
  else if (tcp->syn) answered(s, i, ST_LISTENING, now, karn_rtt(s, i, now));
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
  if (sport != tp(s)->sport) return;
  j->received++;
  uint32_t i;
  if (match_probe(s, ntohl(inner->daddr), dport, seq, &i) < 0 || inner->saddr != s->saddr[i / j->nports]) {
    j->rejected++;
    return;
  }
  answered(s, i, ST_UNREACHABLE, now, karn_rtt(s, i, now));
}

static int drain_fd(scan_t *s, int fd, int icmp) {
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

static int syn_setup(scan_t *s) {
  job_t *j = s->job;
  syn_t *st = calloc(1, sizeof *st);
  if (!st) return set_err(j, ENOMEM, "synScan"), -1;
  s->tp = st;
  st->fd_send = st->fd_tcp = st->fd_icmp = st->fd_reserve = -1;
  if (getrandom(st->key, sizeof st->key, 0) != (ssize_t)sizeof st->key) {
    set_err(j, errno, "getrandom");
    return -1;
  }
  /* Reserve the source port: bound, never listening, so the kernel RSTs every SYN-ACK we provoke. */
  st->fd_reserve = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (st->fd_reserve < 0) return set_err(j, errno, "socket(SOCK_STREAM)"), -1;
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(j->source_port), .sin_addr.s_addr = INADDR_ANY };
  if (bind(st->fd_reserve, (struct sockaddr *)&sa, sizeof sa) != 0) return set_err(j, errno, "bind source port"), -1;
  socklen_t len = sizeof sa;
  if (getsockname(st->fd_reserve, (struct sockaddr *)&sa, &len) != 0) return set_err(j, errno, "getsockname"), -1;
  st->sport = ntohs(sa.sin_port);
  j->used_port = st->sport;

  st->fd_tcp = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
  if (st->fd_tcp < 0) return set_err(j, errno, "socket(SOCK_RAW, IPPROTO_TCP)"), -1;
  attach_port_filter(st->fd_tcp, st->sport); /* best effort: the parser filters too */
  big_rcvbuf(st->fd_tcp);
  st->fd_icmp = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
  if (st->fd_icmp < 0) return set_err(j, errno, "socket(SOCK_RAW, IPPROTO_ICMP)"), -1;
  uint32_t icmp_mask = ~(1u << ICMP_DEST_UNREACH);
  setsockopt(st->fd_icmp, SOL_RAW, ICMP_FILTER, &icmp_mask, sizeof icmp_mask);
  st->fd_send = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW);
  if (st->fd_send < 0) return set_err(j, errno, "socket(SOCK_RAW, IPPROTO_RAW)"), -1;
  int one = 1;
  setsockopt(st->fd_send, IPPROTO_IP, IP_HDRINCL, &one, sizeof one);
  int sndbuf = 4 << 20;
  if (setsockopt(st->fd_send, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0)
    setsockopt(st->fd_send, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  return 0;
}


static void syn_teardown(scan_t *s) {
  syn_t *st = tp(s);
  if (!st) return;
  if (st->fd_send >= 0) close(st->fd_send);
  if (st->fd_tcp >= 0) close(st->fd_tcp);
  if (st->fd_icmp >= 0) close(st->fd_icmp);
  if (st->fd_reserve >= 0) close(st->fd_reserve);
  free(st);
  s->tp = NULL;
}

static int syn_send(scan_t *s, const uint32_t *probes, int n) {
  job_t *j = s->job;
  uint8_t pkts[SEND_BATCH][PKT_LEN];
  struct mmsghdr msgs[SEND_BATCH];
  struct iovec iov[SEND_BATCH];
  struct sockaddr_in dst[SEND_BATCH];
  for (int k = 0; k < n; k++) {
    uint32_t i = probes[k];
    build_packet(s, pkts[k], i);
    iov[k].iov_base = pkts[k];
    iov[k].iov_len = PKT_LEN;
    dst[k] = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(j->targets[i / j->nports]) };
    memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
    msgs[k].msg_hdr.msg_name = &dst[k];
    msgs[k].msg_hdr.msg_namelen = sizeof dst[k];
    msgs[k].msg_hdr.msg_iov = &iov[k];
    msgs[k].msg_hdr.msg_iovlen = 1;
  }
  int off = 0;
  while (off < n) {
    int r = sendmmsg(tp(s)->fd_send, msgs + off, (unsigned)(n - off), 0);
    if (r > 0) {
      uint64_t at = now_ns();
      for (int k = off; k < off + r; k++) scan_sent(s, probes[k], at);
      off += r;
      continue;
    }
    int e = errno;
    if (e == EINTR) continue;
    if (e == EAGAIN || e == ENOBUFS || e == ENOMEM) break; /* local congestion */
    scan_send_failed(s, probes[off], e);
    off++;
  }
  return off;
}

static int syn_drain(scan_t *s) { return drain_fd(s, tp(s)->fd_tcp, 0) + drain_fd(s, tp(s)->fd_icmp, 1); }

static void syn_wait(scan_t *s, int wait_ms) {
  struct pollfd pfd[2] = { { tp(s)->fd_tcp, POLLIN, 0 }, { tp(s)->fd_icmp, POLLIN, 0 } };
  poll(pfd, 2, wait_ms);
}

const transport_t syn_transport = {
  .name = "synScan",
  .setup = syn_setup,
  .teardown = syn_teardown,
  .send = syn_send,
  .drain = syn_drain,
  .wait = syn_wait,
  .retire = NULL,
};

int syn_raw_socket_error(void) {
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
  return e;
}
