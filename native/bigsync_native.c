/*
 * bigsync_native: the few Linux syscalls Node does not expose, as a Node-API addon.
 *
 * Exports (all synchronous, all take a file descriptor as a JS number):
 *   seekData(fd, offset) -> number   lseek(SEEK_DATA); -1 when no data at/after offset (ENXIO)
 *   seekHole(fd, offset) -> number   lseek(SEEK_HOLE); -1 when offset is at/after EOF (ENXIO)
 *   punchHole(fd, offset, length)    fallocate(PUNCH_HOLE | KEEP_SIZE)
 *   blkGetSize64(fd) -> number       ioctl(BLKGETSIZE64), size of a block device in bytes
 *   fadvise(fd, offset, length, advice)  posix_fadvise; advice: 'sequential'|'dontneed'|'willneed'
 *   compareMapped(fdA, fdB, offset, length, pieceSize, out) -> number
 *                                    mmap both ranges, memcmp piece by piece (see below)
 *
 * Offsets and lengths must be integers in [0, 2^53]; anything else throws a TypeError or
 * RangeError. A failing syscall throws an Error shaped like Node's own system errors:
 * `code` is the errno name ('EOPNOTSUPP', 'ENOSPC', ...), `errno` is the negated errno
 * (as in Node), `syscall` names the call. The only global state is compareMapped's SIGBUS
 * handler (installed on first use, shared by every thread); the addon can be loaded by
 * several worker threads.
 */
#ifndef __linux__
#error "bigsync_native is Linux-only; bigsync falls back to pure JS elsewhere"
#endif

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

/* Largest integer a JS number holds exactly. */
#define MAX_SAFE ((int64_t)9007199254740992LL)

/* Bail out of a napi function when a Node-API call fails (an exception is then pending). */
#define CHECK(call)                   \
  do {                                \
    if ((call) != napi_ok) return NULL; \
  } while (0)

/* The errno names callers branch on; anything else becomes "EUNKNOWN" (errno still set). */
static const char *errno_name(int e) {
  switch (e) {
#define NAME(x) \
  case x:       \
    return #x;
    NAME(EPERM) NAME(ENOENT) NAME(EINTR) NAME(EIO) NAME(ENXIO) NAME(EBADF) NAME(EAGAIN)
    NAME(ENOMEM) NAME(EACCES) NAME(EFAULT) NAME(EBUSY) NAME(ENODEV) NAME(EISDIR) NAME(EINVAL)
    NAME(ENOTTY) NAME(ETXTBSY) NAME(EFBIG) NAME(ENOSPC) NAME(ESPIPE) NAME(EROFS)
    NAME(ENOSYS) NAME(EOVERFLOW) NAME(EOPNOTSUPP) NAME(EDQUOT)
#undef NAME
    default:
      return "EUNKNOWN";
  }
}

/* Throws an Error like Node's system errors: "CODE: strerror, syscall". Returns NULL. */
static napi_value throw_errno(napi_env env, int e, const char *syscall) {
  char msg[160];
  const char *name = errno_name(e);
  snprintf(msg, sizeof msg, "%s: %s, %s", name, strerror(e), syscall);
  napi_value js_msg, js_code, js_errno, js_syscall, err;
  CHECK(napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &js_msg));
  CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &js_code));
  CHECK(napi_create_int32(env, -e, &js_errno));
  CHECK(napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &js_syscall));
  CHECK(napi_create_error(env, js_code, js_msg, &err));
  CHECK(napi_set_named_property(env, err, "errno", js_errno));
  CHECK(napi_set_named_property(env, err, "syscall", js_syscall));
  napi_throw(env, err);
  return NULL;
}

/* Reads argument `v` as an integer in [min, max]; throws and returns 0 on failure. */
static int get_int(napi_env env, napi_value v, const char *what, int64_t min, int64_t max,
                   int64_t *out) {
  napi_valuetype type;
  double d;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_number) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a number", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return 0;
  }
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  if (!(d >= (double)min && d <= (double)max) || d != (double)(int64_t)d) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be an integer in [%lld, %lld]", what, (long long)min,
             (long long)max);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return 0;
  }
  return napi_get_value_int64(env, v, out) == napi_ok;
}

/* Reads exactly `n` arguments (n <= 6) into argv; throws on a wrong count. */
static int get_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = 6;
  napi_value all[6];
  if (napi_get_cb_info(env, info, &argc, all, NULL, NULL) != napi_ok) return 0;
  if (argc < n) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "missing arguments");
    return 0;
  }
  for (size_t i = 0; i < n; i++) argv[i] = all[i];
  return 1;
}

static int get_fd(napi_env env, napi_value v, int *fd) {
  int64_t x;
  if (!get_int(env, v, "fd", 0, INT32_MAX, &x)) return 0;
  *fd = (int)x;
  return 1;
}

static napi_value make_offset(napi_env env, int64_t v, const char *syscall) {
  napi_value out;
  if (v > MAX_SAFE) return throw_errno(env, EOVERFLOW, syscall);
  CHECK(napi_create_int64(env, v, &out));
  return out;
}

/* lseek with SEEK_DATA or SEEK_HOLE; ENXIO becomes -1. */
static napi_value seek_common(napi_env env, napi_callback_info info, int whence) {
  napi_value argv[2];
  int fd;
  int64_t off;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], &fd) ||
      !get_int(env, argv[1], "offset", 0, MAX_SAFE, &off))
    return NULL;
  off_t r = lseek(fd, (off_t)off, whence);
  if (r < 0 && errno == ENXIO) r = -1;
  else if (r < 0) return throw_errno(env, errno, "lseek");
  return make_offset(env, (int64_t)r, "lseek");
}

static napi_value seek_data(napi_env env, napi_callback_info info) {
  return seek_common(env, info, SEEK_DATA);
}

static napi_value seek_hole(napi_env env, napi_callback_info info) {
  return seek_common(env, info, SEEK_HOLE);
}

static napi_value punch_hole(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd;
  int64_t off, len;
  if (!get_args(env, info, 3, argv) || !get_fd(env, argv[0], &fd) ||
      !get_int(env, argv[1], "offset", 0, MAX_SAFE, &off) ||
      !get_int(env, argv[2], "length", 1, MAX_SAFE, &len))
    return NULL;
  int r;
  do {
    r = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, errno, "fallocate");
  return NULL;
}

static napi_value blk_get_size64(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  uint64_t size = 0;
  if (!get_args(env, info, 1, argv) || !get_fd(env, argv[0], &fd)) return NULL;
  if (ioctl(fd, BLKGETSIZE64, &size) < 0) return throw_errno(env, errno, "ioctl");
  if (size > (uint64_t)MAX_SAFE) return throw_errno(env, EOVERFLOW, "ioctl");
  return make_offset(env, (int64_t)size, "ioctl");
}

/* Maps an advice name to POSIX_FADV_*; -1 when unknown. */
static int advice_from(napi_env env, napi_value v) {
  char buf[16];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, sizeof buf, &len) != napi_ok) return -1;
  if (strcmp(buf, "sequential") == 0) return POSIX_FADV_SEQUENTIAL;
  if (strcmp(buf, "dontneed") == 0) return POSIX_FADV_DONTNEED;
  if (strcmp(buf, "willneed") == 0) return POSIX_FADV_WILLNEED;
  return -1;
}

static napi_value fadvise(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int fd;
  int64_t off, len;
  if (!get_args(env, info, 4, argv) || !get_fd(env, argv[0], &fd) ||
      !get_int(env, argv[1], "offset", 0, MAX_SAFE, &off) ||
      !get_int(env, argv[2], "length", 0, MAX_SAFE, &len))
    return NULL;
  int advice = advice_from(env, argv[3]);
  if (advice < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE",
                          "advice must be 'sequential', 'dontneed' or 'willneed'");
    return NULL;
  }
  /* posix_fadvise returns the error number instead of setting errno. */
  int r = posix_fadvise(fd, (off_t)off, (off_t)len, advice);
  if (r != 0) return throw_errno(env, r, "posix_fadvise");
  return NULL;
}

/*
 * compareMapped(fdA, fdB, offset, length, pieceSize, out) -> number of differing pieces
 *
 * Maps [offset, offset + length) of both files read-only and shared (the mapping starts at the
 * page below `offset`), memcmp's them in pieces of `pieceSize` bytes (the last may be short),
 * sets out[i] = 1 when piece i differs and 0 when it is equal, unmaps, and returns the count of
 * differing pieces. Nothing is copied into user space: the comparison reads the page cache.
 *
 * Truncation. Touching a mapped page wholly past EOF raises SIGBUS, which by default kills the
 * process. The compare runs armed: a thread-local pointer names this call's guard (a sigjmp_buf
 * and the two mapped ranges), and the SIGBUS handler siglongjmp's back when a kernel-generated
 * SIGBUS hits one of those ranges on the armed thread. Any other SIGBUS goes to whatever handled
 * SIGBUS before us (default: the process dies as it would have). A page only partly past the
 * new EOF reads as zeros without a signal, so after unmapping, regular files are fstat'ed: a
 * file now shorter than offset + length fails too. Either way the call throws an Error with code
 * 'ESIGBUS' ("file truncated while being compared") and `fd` naming the file that shrank.
 *
 * Handler installation. On every call the current SIGBUS disposition is checked (one
 * rt_sigaction) and ours is (re)installed if something replaced it: libuv replaces it while a
 * process.on('SIGBUS') listener exists and resets SIGBUS to SIG_DFL when the listener goes.
 *
 * Prefault. BIGSYNC_MMAP_PREFAULT picks how pages get mapped: 0 on demand (the kernel maps
 * fault_around_bytes, 64 KiB, per fault), 1 madvise(MADV_SEQUENTIAL), 2 MAP_POPULATE,
 * 3 madvise(MADV_POPULATE_READ). Measured on 2x1 GiB page-cached files, see
 * docs/design.md "Read size" and /tmp/mmapbench.mjs; the default is the fastest there.
 */
#ifndef BIGSYNC_MMAP_PREFAULT
#define BIGSYNC_MMAP_PREFAULT 0
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

/* One armed compare: where to jump back to, which addresses are ours, and where it faulted. */
struct sigbus_guard {
  sigjmp_buf jump;
  const char *a, *b;
  size_t len;
  void *volatile fault;
};

/*
 * The armed guard of this thread, or NULL. A pointer (8 bytes) in initial-exec TLS: the handler
 * reads it with one %fs-relative load, never through __tls_get_addr (which may allocate, and is
 * not async-signal-safe, in a dlopen'ed library). glibc reserves static TLS for such small
 * variables of dlopen'ed objects.
 */
static __thread struct sigbus_guard *volatile armed_guard __attribute__((tls_model("initial-exec")));

static pthread_mutex_t sigbus_lock = PTHREAD_MUTEX_INITIALIZER;
/* What SIGBUS did before our handler; read by the handler for signals that are not ours. */
static struct sigaction sigbus_prev;

static int in_range(const char *p, const char *base, size_t len) {
  return p >= base && p < base + len;
}

/* Passes a SIGBUS that is not ours on to the previous disposition. Async-signal-safe. */
static void chain_sigbus(int sig, siginfo_t *info, void *uctx) {
  struct sigaction prev = sigbus_prev;
  int sent = info == NULL || info->si_code <= 0; /* kill/tgkill/sigqueue, not a fault */
  if (prev.sa_flags & SA_SIGINFO) {
    if (prev.sa_sigaction != NULL) prev.sa_sigaction(sig, info, uctx);
    return;
  }
  if (prev.sa_handler == SIG_IGN && sent) return;
  if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    prev.sa_handler(sig);
    return;
  }
  /* Default action, as without us: a fault re-executes and kills; a sent signal is re-raised
     (SIGBUS is blocked in this handler, so it is delivered when the handler returns). */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGBUS, &dfl, NULL);
  if (sent) raise(SIGBUS);
}

static void on_sigbus(int sig, siginfo_t *info, void *uctx) {
  struct sigbus_guard *g = armed_guard;
  if (g != NULL && info != NULL && info->si_code > 0) {
    const char *p = (const char *)info->si_addr;
    if (in_range(p, g->a, g->len) || in_range(p, g->b, g->len)) {
      g->fault = info->si_addr;
      armed_guard = NULL;
      siglongjmp(g->jump, 1);
    }
  }
  chain_sigbus(sig, info, uctx);
}

/* Makes sure our SIGBUS handler is installed; returns 0 or an errno. */
static int ensure_sigbus_handler(void) {
  struct sigaction cur;
  if (sigaction(SIGBUS, NULL, &cur) != 0) return errno;
  if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_sigbus) return 0;
  int err = 0;
  pthread_mutex_lock(&sigbus_lock);
  if (sigaction(SIGBUS, NULL, &cur) != 0) {
    err = errno;
  } else if (!((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_sigbus)) {
    struct sigaction ours;
    memset(&ours, 0, sizeof ours);
    ours.sa_sigaction = on_sigbus;
    ours.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&ours.sa_mask);
    sigbus_prev = cur; /* set before installing, so the handler never sees a stale value */
    if (sigaction(SIGBUS, &ours, NULL) != 0) err = errno;
  }
  pthread_mutex_unlock(&sigbus_lock);
  return err;
}

/* Maps [map_off, map_off + map_len) of fd read-only; NULL with errno set on failure. */
static const char *map_range(int fd, int64_t map_off, size_t map_len) {
  int flags = MAP_SHARED;
#if BIGSYNC_MMAP_PREFAULT == 2
  flags |= MAP_POPULATE;
#endif
  void *p = mmap(NULL, map_len, PROT_READ, flags, fd, (off_t)map_off);
  if (p == MAP_FAILED) return NULL;
#if BIGSYNC_MMAP_PREFAULT == 1
  (void)madvise(p, map_len, MADV_SEQUENTIAL);
#elif BIGSYNC_MMAP_PREFAULT == 3
  (void)madvise(p, map_len, MADV_POPULATE_READ); /* best effort; EFAULT past EOF is caught later */
#endif
  return (const char *)p;
}

/*
 * Compares the pieces; returns the number that differ, or -1 after a SIGBUS in either range.
 * Kept out of line so that sigsetjmp's frame holds only what the jump may clobber.
 */
static __attribute__((noinline)) int64_t compare_guarded(struct sigbus_guard *g, size_t skip,
                                                         size_t length, size_t piece,
                                                         uint8_t *out) {
  int64_t differ = 0;
  if (sigsetjmp(g->jump, 1) != 0) return -1; /* the handler has disarmed */
  armed_guard = g;
  const char *a = g->a + skip, *b = g->b + skip;
  size_t i = 0;
  for (size_t pos = 0; pos < length; pos += piece, i++) {
    size_t n = length - pos < piece ? length - pos : piece;
    uint8_t d = memcmp(a + pos, b + pos, n) != 0;
    out[i] = d;
    differ += d;
  }
  armed_guard = NULL;
  return differ;
}

/* The ESIGBUS error: the file on `fd` is shorter than the range being compared. */
static napi_value throw_truncated(napi_env env, int fd) {
  napi_value js_msg, js_code, js_fd, err;
  CHECK(napi_create_string_utf8(env, "file truncated while being compared", NAPI_AUTO_LENGTH,
                                &js_msg));
  CHECK(napi_create_string_utf8(env, "ESIGBUS", NAPI_AUTO_LENGTH, &js_code));
  CHECK(napi_create_int32(env, fd, &js_fd));
  CHECK(napi_create_error(env, js_code, js_msg, &err));
  CHECK(napi_set_named_property(env, err, "fd", js_fd));
  napi_throw(env, err);
  return NULL;
}

/* The fd of a regular file shorter than `end`, or -1 (block devices report size 0: skipped). */
static int shrunk_fd(int fd_a, int fd_b, int64_t end) {
  int fds[2] = {fd_a, fd_b};
  for (int k = 0; k < 2; k++) {
    struct stat st;
    if (fstat(fds[k], &st) == 0 && S_ISREG(st.st_mode) && (int64_t)st.st_size < end) return fds[k];
  }
  return -1;
}

/* Reads `out`: a Uint8Array with at least `need` bytes. */
static uint8_t *get_out(napi_env env, napi_value v, size_t need) {
  bool is_ta = false;
  napi_typedarray_type type;
  size_t len = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok) return NULL;
  if (is_ta && napi_get_typedarray_info(env, v, &type, &len, &data, NULL, NULL) != napi_ok)
    return NULL;
  if (!is_ta || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "out must be a Uint8Array");
    return NULL;
  }
  if (len < need) {
    char msg[96];
    snprintf(msg, sizeof msg, "out must hold at least %zu bytes (one per piece)", need);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return NULL;
  }
  /* A zero-length request needs no bytes; hand back a non-NULL pointer all the same. */
  return data != NULL ? (uint8_t *)data : (uint8_t *)"";
}

static napi_value compare_mapped(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int fd_a, fd_b;
  int64_t off, len, piece;
  if (!get_args(env, info, 6, argv) || !get_fd(env, argv[0], &fd_a) ||
      !get_fd(env, argv[1], &fd_b) || !get_int(env, argv[2], "offset", 0, MAX_SAFE, &off) ||
      !get_int(env, argv[3], "length", 0, MAX_SAFE - off, &len) ||
      !get_int(env, argv[4], "pieceSize", 1, MAX_SAFE, &piece))
    return NULL;
  size_t pieces = (size_t)((len + piece - 1) / piece);
  uint8_t *out = get_out(env, argv[5], pieces);
  if (out == NULL) return NULL;
  napi_value result;
  if (len == 0) {
    CHECK(napi_create_int64(env, 0, &result));
    return result;
  }
  int err = ensure_sigbus_handler();
  if (err != 0) return throw_errno(env, err, "sigaction");

  int64_t page = (int64_t)sysconf(_SC_PAGESIZE);
  int64_t map_off = off - off % page;
  size_t skip = (size_t)(off - map_off);
  size_t map_len = skip + (size_t)len;
  struct sigbus_guard g;
  memset(&g, 0, sizeof g);
  g.len = map_len;
  g.a = map_range(fd_a, map_off, map_len);
  if (g.a == NULL) return throw_errno(env, errno, "mmap");
  g.b = map_range(fd_b, map_off, map_len);
  if (g.b == NULL) {
    err = errno;
    munmap((void *)g.a, map_len);
    return throw_errno(env, err, "mmap");
  }
  int64_t differ = compare_guarded(&g, skip, (size_t)len, (size_t)piece, out);
  munmap((void *)g.a, map_len);
  munmap((void *)g.b, map_len);
  if (differ < 0) {
    const char *p = (const char *)g.fault;
    return throw_truncated(env, in_range(p, g.a, map_len) ? fd_a : fd_b);
  }
  int shrunk = shrunk_fd(fd_a, fd_b, off + len);
  if (shrunk >= 0) return throw_truncated(env, shrunk);
  CHECK(napi_create_int64(env, differ, &result));
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
      {"seekData", NULL, seek_data, NULL, NULL, NULL, napi_enumerable, NULL},
      {"seekHole", NULL, seek_hole, NULL, NULL, NULL, napi_enumerable, NULL},
      {"punchHole", NULL, punch_hole, NULL, NULL, NULL, napi_enumerable, NULL},
      {"blkGetSize64", NULL, blk_get_size64, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fadvise", NULL, fadvise, NULL, NULL, NULL, napi_enumerable, NULL},
      {"compareMapped", NULL, compare_mapped, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}
