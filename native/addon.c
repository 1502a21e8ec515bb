/*
 * N-API glue: the only file that sees node_api.h. It copies the operation list, starts the
 * child (spawn.c), and watches the child's report socket and pidfd on Node's event loop
 * with uv_poll, so no thread-pool worker ever blocks on a child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pthread.h>
#include <uv.h>

#include "spawn.h"
#include "sys.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* One launched child. Freed when both watchers are closed and JS dropped the handle. */
struct child {
  napi_env env;
  struct spawn_ctx *ctx;
  int pid, pidfd, report_fd;
  uv_poll_t report_poll, exit_poll;
  uv_async_t started; /* the launcher thread signals here once the child exists */
  int sync_fd, cgroup_fd, clone_err;
  uint64_t clone_flags;
  struct child *next_job;
  int open_handles;
  int finalized;
  napi_ref on_report, on_exit, on_started;
};

#define CHECK(call)                                                      \
  do {                                                                   \
    if ((call) != napi_ok) {                                             \
      napi_throw_error(env, "EADDON", "brig addon: N-API call failed: " #call); \
      return NULL;                                                       \
    }                                                                    \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, text, error, num;
  napi_create_string_utf8(env, "ESYSCALL", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_throw(env, error);
  return NULL;
}

static void maybe_free(struct child *ch) {
  if (ch->open_handles == 0 && ch->finalized) free(ch);
}

static void on_handle_closed(uv_handle_t *h) {
  struct child *ch = h->data;
  ch->open_handles--;
  maybe_free(ch);
}

static void call_js(struct child *ch, napi_ref ref, size_t argc, const int64_t *argv) {
  napi_env env = ch->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, global, args[8], result;
  napi_get_reference_value(env, ref, &fn);
  napi_get_global(env, &global);
  for (size_t i = 0; i < argc; i++) napi_create_int64(env, argv[i], &args[i]);
  if (napi_call_function(env, global, fn, argc, args, &result) == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

static void on_report_readable(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  struct child *ch = h->data;
  struct brig_record rec;
  ssize_t n;
  /* Every pending record, then EOF if it is there too. */
  while ((n = recv(ch->report_fd, &rec, sizeof rec, MSG_DONTWAIT)) == (ssize_t)sizeof rec) {
    int64_t args[4] = {rec.kind, rec.index, rec.err, rec.value};
    call_js(ch, ch->on_report, 4, args);
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  /* EOF (or a broken socket): the child exec'd the final program or is gone, so it no
   * longer uses the shared stack and operation list. */
  uv_poll_stop(h);
  uv_close((uv_handle_t *)h, on_handle_closed);
  close(ch->report_fd);
  ch->report_fd = -1;
  spawn_ctx_free(ch->ctx);
  ch->ctx = NULL;
  int64_t args[4] = {0, 0, n < 0 ? errno : 0, 0};
  call_js(ch, ch->on_report, 4, args);
}

static void on_exit_readable(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  struct child *ch = h->data;
  siginfo_t info;
  struct rusage ru;
  memset(&info, 0, sizeof info);
  memset(&ru, 0, sizeof ru);
  long r = syscall(SYS_waitid, P_PIDFD, ch->pidfd, &info, WEXITED | WNOHANG, &ru);
  if (r < 0 && errno == EINTR) return;
  if (r == 0 && info.si_pid == 0) return; /* not yet */
  uv_poll_stop(h);
  uv_close((uv_handle_t *)h, on_handle_closed);
  close(ch->pidfd);
  ch->pidfd = -1;
  int64_t killed = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
  int64_t args[6] = {
      r < 0 ? -errno : 0,
      killed,
      info.si_status,
      (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
      (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
      ru.ru_maxrss,
  };
  call_js(ch, ch->on_exit, 6, args);
}

static void finalize_child(napi_env env, void *data, void *hint) {
  (void)hint;
  struct child *ch = data;
  napi_delete_reference(env, ch->on_report);
  napi_delete_reference(env, ch->on_exit);
  if (ch->on_started) napi_delete_reference(env, ch->on_started);
  ch->finalized = 1;
  maybe_free(ch);
}

/* The launcher thread: clone3 with a network namespace costs about a millisecond of
 * kernel work, which would otherwise block the event loop once per launch. One thread,
 * alive for the whole process, does every clone3: the kernel ties PR_SET_PDEATHSIG to
 * the creating thread, so it must never exit before the process does. */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static struct child *queue_head, *queue_tail;
static pthread_once_t launcher_once = PTHREAD_ONCE_INIT;
static int launcher_err;

static void *launcher_main(void *arg) {
  (void)arg;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, NULL); /* signals are for the main thread */
  for (;;) {
    pthread_mutex_lock(&queue_lock);
    while (!queue_head) pthread_cond_wait(&queue_cond, &queue_lock);
    struct child *ch = queue_head;
    queue_head = ch->next_job;
    if (!queue_head) queue_tail = NULL;
    pthread_mutex_unlock(&queue_lock);
    int pid = spawn_child(ch->ctx, ch->clone_flags, ch->cgroup_fd, &ch->pidfd, &ch->report_fd, &ch->sync_fd);
    if (pid < 0) ch->clone_err = -pid;
    else ch->pid = pid;
    uv_async_send(&ch->started);
  }
  return NULL;
}

static void start_launcher(void) {
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  launcher_err = pthread_create(&t, &attr, launcher_main, NULL);
  pthread_attr_destroy(&attr);
}

/* Back on the event loop: start watching the child, then tell JS. */
static void on_started(uv_async_t *h) {
  struct child *ch = h->data;
  uv_close((uv_handle_t *)h, on_handle_closed);
  napi_env env = ch->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, global, args[3], ignored;
  napi_get_reference_value(env, ch->on_started, &fn);
  napi_get_global(env, &global);
  if (ch->clone_err) {
    spawn_ctx_free(ch->ctx);
    ch->ctx = NULL;
    napi_create_int32(env, ch->clone_err, &args[0]);
    napi_create_int32(env, 0, &args[1]);
    napi_create_int32(env, -1, &args[2]);
  } else {
    uv_loop_t *loop;
    napi_get_uv_event_loop(env, &loop);
    uv_poll_init(loop, &ch->report_poll, ch->report_fd);
    uv_poll_init(loop, &ch->exit_poll, ch->pidfd);
    ch->report_poll.data = ch->exit_poll.data = ch;
    ch->open_handles += 2;
    uv_poll_start(&ch->report_poll, UV_READABLE | UV_DISCONNECT, on_report_readable);
    uv_poll_start(&ch->exit_poll, UV_READABLE, on_exit_readable);
    napi_create_int32(env, 0, &args[0]);
    napi_create_int32(env, ch->pid, &args[1]);
    napi_create_int32(env, ch->sync_fd, &args[2]);
  }
  if (napi_call_function(env, global, fn, 3, args, &ignored) == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_delete_reference(env, ch->on_started);
  ch->on_started = NULL;
  napi_close_handle_scope(env, scope);
}

/* spawn(ops: Buffer, flags: bigint, cgroupFd: number, onStarted(errno, pid, syncFd),
 *       onReport, onExit) -> handle. The clone happens on the launcher thread; the
 * caller's fds must stay open until onStarted (the child copies the fd table). */
static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data;
  size_t len;
  CHECK(napi_get_buffer_info(env, argv[0], &data, &len));
  uint64_t flags;
  bool lossless;
  CHECK(napi_get_value_bigint_uint64(env, argv[1], &flags, &lossless));
  int32_t cgroup_fd;
  CHECK(napi_get_value_int32(env, argv[2], &cgroup_fd));
  pthread_once(&launcher_once, start_launcher);
  if (launcher_err) return throw_errno(env, "pthread_create", launcher_err);

  struct spawn_ctx *ctx = calloc(1, sizeof *ctx);
  struct child *ch = calloc(1, sizeof *ch);
  if (!ctx || !ch || !(ctx->ops = malloc(len ? len : 1))) {
    free(ctx ? ctx->ops : NULL), free(ctx), free(ch);
    return throw_errno(env, "spawn", ENOMEM);
  }
  memcpy(ctx->ops, data, len);
  ctx->ops_len = len;
  ch->env = env;
  ch->ctx = ctx;
  ch->pidfd = ch->report_fd = ch->sync_fd = -1;
  ch->clone_flags = flags;
  ch->cgroup_fd = cgroup_fd;
  CHECK(napi_create_reference(env, argv[3], 1, &ch->on_started));
  CHECK(napi_create_reference(env, argv[4], 1, &ch->on_report));
  CHECK(napi_create_reference(env, argv[5], 1, &ch->on_exit));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  uv_async_init(loop, &ch->started, on_started);
  ch->started.data = ch;
  ch->open_handles = 1;

  pthread_mutex_lock(&queue_lock);
  if (queue_tail) queue_tail->next_job = ch;
  else queue_head = ch;
  queue_tail = ch;
  pthread_cond_signal(&queue_cond);
  pthread_mutex_unlock(&queue_lock);

  napi_value handle;
  CHECK(napi_create_external(env, ch, finalize_child, NULL, &handle));
  return handle;
}

/* kill(handle, signal) -> boolean: false when the child has already been reaped. */
static napi_value Kill(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  struct child *ch;
  int32_t sig;
  CHECK(napi_get_value_external(env, argv[0], (void **)&ch));
  CHECK(napi_get_value_int32(env, argv[1], &sig));
  bool sent = false;
  if (ch->pidfd >= 0) {
    if (syscall(SYS_pidfd_send_signal, ch->pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
      return throw_errno(env, "pidfd_send_signal", errno);
    sent = true;
  }
  CHECK(napi_get_boolean(env, sent, &result));
  return result;
}

/* A pipe drained on the event loop into one buffer: what run() needs for stdout and
 * stderr, without the cost of a stream per pipe. Bytes beyond `max` are read and dropped,
 * so the command never blocks on a full pipe. */
struct drain {
  napi_env env;
  uv_poll_t poll;
  int fd;
  char *buf;
  size_t len, cap, max;
  napi_ref cb;
};

static void drain_closed(uv_handle_t *h) {
  struct drain *d = h->data;
  free(d->buf);
  free(d);
}

static void drain_readable(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  struct drain *d = h->data;
  for (;;) {
    char chunk[65536];
    ssize_t n = read(d->fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n > 0) {
      size_t keep = d->len < d->max ? (d->max - d->len < (size_t)n ? d->max - d->len : (size_t)n) : 0;
      if (keep && d->len + keep > d->cap) {
        size_t cap = d->cap ? d->cap : 4096;
        while (cap < d->len + keep) cap *= 2;
        char *grown = realloc(d->buf, cap);
        if (!grown) keep = 0; /* out of memory: keep draining, drop the rest */
        else d->buf = grown, d->cap = cap;
      }
      memcpy(d->buf + d->len, chunk, keep);
      d->len += keep;
      continue;
    }
    break; /* EOF or error: the write end is closed everywhere */
  }
  uv_poll_stop(h);
  close(d->fd);
  napi_env env = d->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    napi_value fn, global, buffer;
    void *data;
    napi_get_reference_value(env, d->cb, &fn);
    napi_get_global(env, &global);
    napi_create_buffer_copy(env, d->len, d->buf ? d->buf : "", &data, &buffer);
    if (napi_call_function(env, global, fn, 1, &buffer, NULL) == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
    napi_close_handle_scope(env, scope);
  }
  napi_delete_reference(env, d->cb);
  uv_close((uv_handle_t *)h, drain_closed);
}

/* drain(fd, max, callback(buffer)): takes ownership of fd (a pipe's read end). */
static napi_value Drain(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  double max;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_double(env, argv[1], &max));
  struct drain *d = calloc(1, sizeof *d);
  if (!d) return throw_errno(env, "drain", ENOMEM);
  d->env = env;
  d->fd = fd;
  d->max = max < 0 ? 0 : (size_t)max;
  CHECK(napi_create_reference(env, argv[2], 1, &d->cb));
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    int e = errno;
    napi_delete_reference(env, d->cb);
    free(d);
    return throw_errno(env, "fcntl", e);
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  uv_poll_init(loop, &d->poll, fd);
  d->poll.data = d;
  uv_poll_start(&d->poll, UV_READABLE | UV_DISCONNECT, drain_readable);
  return NULL;
}

/* pipe() -> [readFd, writeFd], both close-on-exec. */
static napi_value Pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return throw_errno(env, "pipe2", errno);
  napi_value arr, v;
  CHECK(napi_create_array_with_length(env, 2, &arr));
  for (int i = 0; i < 2; i++) {
    CHECK(napi_create_int32(env, fds[i], &v));
    CHECK(napi_set_element(env, arr, i, v));
  }
  return arr;
}

/* openpty() -> [masterFd, slaveFd], both close-on-exec; the master is non-blocking. */
static napi_value Openpty(napi_env env, napi_callback_info info) {
  (void)info;
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (master < 0) return throw_errno(env, "posix_openpt", errno);
  char name[64];
  int slave = -1;
  if (grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof name) != 0 ||
      (slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
    int e = errno;
    close(master);
    return throw_errno(env, "openpty", e);
  }
  napi_value arr, v;
  CHECK(napi_create_array_with_length(env, 2, &arr));
  CHECK(napi_create_int32(env, master, &v));
  CHECK(napi_set_element(env, arr, 0, v));
  CHECK(napi_create_int32(env, slave, &v));
  CHECK(napi_set_element(env, arr, 1, v));
  return arr;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"spawn", NULL, Spawn, NULL, NULL, NULL, napi_default, NULL},
      {"kill", NULL, Kill, NULL, NULL, NULL, napi_default, NULL},
      {"pipe", NULL, Pipe, NULL, NULL, NULL, napi_default, NULL},
      {"openpty", NULL, Openpty, NULL, NULL, NULL, napi_default, NULL},
      {"drain", NULL, Drain, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
