/*
 * N-API glue of the scan batches (scan.h): synScan and connectScan take the same options and resolve to
 * the same result; the batch runs on a libuv worker thread (scan_execute).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

static void execute(napi_env env, void *data) { scan_execute(data); }

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
    napi_create_string_utf8(env, j->err ? j->errmsg : "scan: async work failed", NAPI_AUTO_LENGTH, &msg);
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

static napi_value throw_type(napi_env env, const transport_t *tp, const char *msg) {
  char text[160];
  snprintf(text, sizeof text, "%s: %s", tp->name, msg);
  napi_throw_type_error(env, "ERR_INVALID_ARG", text);
  return NULL;
}

/* A batch over `tp`: ({ targets: Uint32Array (host byte order), ports: Uint16Array, ... }) -> Promise<result> */
static napi_value start_scan(napi_env env, napi_callback_info info, const transport_t *tp) {
  size_t argc = 1;
  napi_value argv[1], promise;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype t;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_object)
    return throw_type(env, tp, "options object expected");
  napi_value o = argv[0], cancel_arr = NULL;
  void *targets, *ports, *exclude, *cancel;
  size_t nt, np, nx, nc;
  if (get_typed(env, o, "targets", napi_uint32_array, &targets, &nt, NULL, 0) ||
      get_typed(env, o, "ports", napi_uint16_array, &ports, &np, NULL, 0))
    return throw_type(env, tp, "targets must be a Uint32Array and ports a Uint16Array");
  if (get_typed(env, o, "exclude", napi_uint8_array, &exclude, &nx, NULL, 1) ||
      get_typed(env, o, "cancel", napi_int32_array, &cancel, &nc, &cancel_arr, 1))
    return throw_type(env, tp, "exclude must be a Uint8Array and cancel an Int32Array");
  if (nt == 0 || np == 0 || nt * np > MAX_PROBES || nt > UINT32_MAX / 2)
    return throw_type(env, tp, "empty batch or more than 2^26 probes");
  if (exclude && nx != nt * np) return throw_type(env, tp, "exclude must have targets.length*ports.length cells");
  if (cancel && nc < 1) return throw_type(env, tp, "cancel must have one cell");
  double timeout, mint, maxt, factor, deadline, rate, attempts, max_attempts, conc, per_host, sport, p_ans, p_ret;
  if (get_num(env, o, "timeoutMs", 1000, &timeout) || get_num(env, o, "minTimeoutMs", 100, &mint) ||
      get_num(env, o, "maxTimeoutMs", 10000, &maxt) || get_num(env, o, "waitFactor", 1, &factor) ||
      get_num(env, o, "deadlineMs", 0, &deadline) || get_num(env, o, "ratePerSecond", 0, &rate) ||
      get_num(env, o, "attempts", 2, &attempts) || get_num(env, o, "concurrency", 256, &conc) ||
      get_num(env, o, "perHost", 64, &per_host) || get_num(env, o, "sourcePort", 0, &sport) ||
      get_num(env, o, "maxAttempts", 0, &max_attempts) || get_num(env, o, "priorAnswered", 0, &p_ans) ||
      get_num(env, o, "priorRetried", 0, &p_ret))
    return throw_type(env, tp, "numeric options must be finite numbers");
  if (max_attempts == 0) max_attempts = attempts;
  if (attempts < 1 || attempts > MAX_ATTEMPTS || max_attempts < attempts || max_attempts > MAX_ATTEMPTS ||
      sport < 0 || sport > 65535 || conc < 1 || per_host < 1 || mint <= 0 || maxt < mint || timeout <= 0 ||
      factor <= 0 || rate < 0 || deadline < 0 || p_ans < 0 || p_ret < 0 || p_ret > p_ans)
    return throw_type(env, tp, "option out of range");
  if (sport != 0 && tp != &syn_transport) return throw_type(env, tp, "sourcePort is for synScan only");

  job_t *j = calloc(1, sizeof *j);
  if (!j) return throw_type(env, tp, "out of memory");
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
    return throw_type(env, tp, "out of memory");
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
  j->transport = tp;
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
  napi_create_string_utf8(env, tp->name, NAPI_AUTO_LENGTH, &name);
  napi_create_promise(env, &j->deferred, &promise);
  if (napi_create_async_work(env, NULL, name, execute, complete, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    free_job(env, j);
    return throw_type(env, tp, "cannot queue async work");
  }
  return promise;
}

static napi_value syn_scan(napi_env env, napi_callback_info info) { return start_scan(env, info, &syn_transport); }

static napi_value connect_scan(napi_env env, napi_callback_info info) {
  return start_scan(env, info, &connect_transport);
}

/* rawSocketError() -> undefined when raw IPv4 sockets can be opened, else the errno name. */
static napi_value raw_socket_error(napi_env env, napi_callback_info info) {
  int e = syn_raw_socket_error();
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
  napi_create_function(env, "connectScan", NAPI_AUTO_LENGTH, connect_scan, NULL, &fn);
  napi_set_named_property(env, exports, "connectScan", fn);
  napi_create_function(env, "rawSocketError", NAPI_AUTO_LENGTH, raw_socket_error, NULL, &fn);
  napi_set_named_property(env, exports, "rawSocketError", fn);
  napi_value v;
  napi_create_uint32(env, 2, &v);
  napi_set_named_property(env, exports, "abiVersion", v);
  return exports;
}
