/*
 * bigsync_native: the few Linux syscalls Node does not expose, as a Node-API addon.
 *
 * Exports (all synchronous, all take a file descriptor as a JS number):
 *   seekData(fd, offset) -> number   lseek(SEEK_DATA); -1 when no data at/after offset (ENXIO)
 *   seekHole(fd, offset) -> number   lseek(SEEK_HOLE); -1 when offset is at/after EOF (ENXIO)
 *   punchHole(fd, offset, length)    fallocate(PUNCH_HOLE | KEEP_SIZE)
 *   blkGetSize64(fd) -> number       ioctl(BLKGETSIZE64), size of a block device in bytes
 *   fadvise(fd, offset, length, advice)  posix_fadvise; advice: 'sequential'|'dontneed'|'willneed'
 *   setPipeSize(fd, size) -> number  fcntl(F_SETPIPE_SZ), the pipe's new capacity
 *   gmacPages(key, data, pageSize, out) -> number  GMAC tag of each page, through Node's own
 *                                    OpenSSL (exported only where its EVP functions are found)
 *   comparePieces(fdA, fdB, offset, length, pieceSize, out) -> number
 *                                    pread both ranges, memcmp piece by piece (see below)
 *
 * and two that run on libuv's thread pool and return a Promise (see below):
 *   compareRunsAsync(fdA, fdB, runs, pieceSize, out) -> Promise<number>
 *   dataMapAsync(fd, start, end) -> Promise<Float64Array>
 *   punchRangesAsync(fd, ranges) -> Promise<number>
 *
 * Offsets and lengths must be integers in [0, 2^53]; anything else throws a TypeError or
 * RangeError. A failing syscall throws an Error shaped like Node's own system errors:
 * `code` is the errno name ('EOPNOTSUPP', 'ENOSPC', ...), `errno` is the negated errno
 * (as in Node), `syscall` names the call. There is no global state; the addon can be loaded
 * by several worker threads.
 */
#ifndef __linux__
#error "bigsync_native is Linux-only; bigsync falls back to pure JS elsewhere"
#endif

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
    NAME(ENOSYS) NAME(EOVERFLOW) NAME(EOPNOTSUPP) NAME(EDQUOT) NAME(ECANCELED)
#undef NAME
    default:
      return "EUNKNOWN";
  }
}

/* An Error like Node's system errors: "CODE: strerror, syscall", with code, errno and syscall. */
static napi_value errno_error(napi_env env, int e, const char *syscall) {
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
  return err;
}

/* Throws {@link errno_error}. Returns NULL. */
static napi_value throw_errno(napi_env env, int e, const char *syscall) {
  napi_value err = errno_error(env, e, syscall);
  if (err != NULL) napi_throw(env, err);
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
  size_t argc = 9;
  napi_value all[9];
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
 * setPipeSize(fd, size): fcntl(F_SETPIPE_SZ); returns the capacity the kernel set (at least
 * `size`, rounded up to a power-of-two number of pages). EBADF when fd is not a pipe; EPERM past
 * /proc/sys/fs/pipe-max-size for an unprivileged process.
 */
static napi_value set_pipe_size(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  int64_t size;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], &fd) ||
      !get_int(env, argv[1], "size", 1, INT32_MAX, &size))
    return NULL;
  int r = fcntl(fd, F_SETPIPE_SZ, (int)size);
  if (r < 0) return throw_errno(env, errno, "fcntl");
  return make_offset(env, r, "fcntl");
}

/* The data and element count of typed array v of type `want`; throws a TypeError naming `what`. */
static int get_typed(napi_env env, napi_value v, napi_typedarray_type want, const char *what,
                     void **data, size_t *len) {
  bool is_ta = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok) return 0;
  if (is_ta && napi_get_typedarray_info(env, v, &type, len, data, NULL, NULL) != napi_ok) return 0;
  if (!is_ta || type != want) {
    char msg[64];
    snprintf(msg, sizeof msg, "%s must be a %s", what,
             want == napi_uint8_array    ? "Uint8Array"
             : want == napi_uint32_array ? "Uint32Array"
                                         : "Float64Array");
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return 0;
  }
  return 1;
}

static uint8_t *get_out(napi_env env, napi_value v, size_t need) {
  size_t len = 0;
  void *data = NULL;
  if (!get_typed(env, v, napi_uint8_array, "out", &data, &len)) return NULL;
  if (len < need) {
    char msg[96];
    snprintf(msg, sizeof msg, "out must hold at least %zu bytes (one per piece)", need);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return NULL;
  }
  /* A zero-length request needs no bytes; hand back a non-NULL pointer all the same. */
  return data != NULL ? (uint8_t *)data : (uint8_t *)"";
}

/*
 * comparePieces(fdA, fdB, offset, length, pieceSize, out) -> number of differing pieces
 *
 * Reads [offset, offset + length) of both files with pread, piece by piece (pieceSize bytes,
 * the last may be short; bytes past either file's end read as zeros), memcmp's each pair, sets
 * out[i] = 1 when piece i differs and 0 when equal, and returns the count of differing pieces.
 * The same work as the JS read path, without a JS call, a Buffer check and a libuv request per
 * piece: on this project's machine it compares 2 x 1 GiB of page cache as fast as `cat` reads
 * it. The two piece buffers are allocated per call and stay in the CPU cache (pieceSize is
 * 64 KiB in practice). No mapping, no signal handling: a file truncated meanwhile just reads
 * short, as with read(2).
 */
#define MAX_PIECE (16 * 1024 * 1024)

/* Whether the n bytes at p are all zero. */
static int all_zero(const uint8_t *p, size_t n) {
  return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static ssize_t pread_full(int fd, uint8_t *buf, size_t len, off_t pos) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, buf + done, len - done, pos + (off_t)done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += (size_t)n;
  }
  if (done < len) memset(buf + done, 0, len - done);
  return (ssize_t)done;
}

static napi_value compare_pieces(napi_env env, napi_callback_info info) {
  napi_value argv[6], result;
  int fd_a, fd_b;
  int64_t off, len, piece;
  if (!get_args(env, info, 6, argv) || !get_fd(env, argv[0], &fd_a) || !get_fd(env, argv[1], &fd_b) ||
      !get_int(env, argv[2], "offset", 0, MAX_SAFE, &off) ||
      !get_int(env, argv[3], "length", 0, MAX_SAFE - off, &len) ||
      !get_int(env, argv[4], "pieceSize", 1, MAX_PIECE, &piece))
    return NULL;
  size_t pieces = (size_t)((len + piece - 1) / piece);
  uint8_t *out = get_out(env, argv[5], pieces);
  if (out == NULL) return NULL;
  uint8_t *a = malloc((size_t)piece * 2);
  if (a == NULL) return throw_errno(env, ENOMEM, "malloc");
  uint8_t *b = a + piece;
  int64_t differ = 0;
  for (size_t i = 0; i < pieces; i++) {
    int64_t pos = off + (int64_t)i * piece;
    size_t n = (size_t)(len - (int64_t)i * piece < piece ? len - (int64_t)i * piece : piece);
    if (pread_full(fd_a, a, n, (off_t)pos) < 0 || pread_full(fd_b, b, n, (off_t)pos) < 0) {
      int e = errno;
      free(a);
      return throw_errno(env, e, "pread");
    }
    out[i] = memcmp(a, b, n) != 0;
    differ += out[i];
  }
  free(a);
  CHECK(napi_create_int64(env, differ, &result));
  return result;
}

/*
 * The asynchronous ops. Each validates its arguments on the JS thread, holds references to the
 * typed arrays it reads or fills (so they stay alive and in place), does its syscalls on a libuv
 * pool thread, and settles its Promise back on the JS thread. The typed arrays must not be
 * touched (nor their buffers transferred) until the Promise settles. A local sync runs its
 * comparisons this way: no worker thread has to boot for a mostly unchanged file.
 */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref refs[4];
  int nrefs;
  int err;                /* errno of a failed syscall, 0 when none */
  const char *syscall;
  /* compareRunsAsync */
  int fd_a, fd_b;
  const double *runs;
  size_t nruns;           /* pairs in runs */
  int64_t piece;
  uint8_t *out;
  int64_t differ;
  /* dataMapAsync, punchRangesAsync (ranges in runs/nruns) */
  int fd;
  int64_t bad;            /* punchRangesAsync: first offset not reading as zeros, -1 when none */
  int64_t start, end;
  int64_t *map;           /* offset, length pairs (malloc'd) */
  size_t nmap, capmap;
  /* hashBlocksAsync (data extents in runs/nruns, NULL: all data) */
  int64_t first, count, block_size, size, bytes;
  const uint8_t *key;
  uint8_t *tags, *zero;
} async_job;

static void job_free(napi_env env, async_job *job) {
  for (int i = 0; i < job->nrefs; i++) napi_delete_reference(env, job->refs[i]);
  if (job->work != NULL) napi_delete_async_work(env, job->work);
  free(job->map);
  free(job);
}

/* Starts `job` (execute on the pool, complete on the JS thread); returns its Promise or NULL. */
static napi_value job_start(napi_env env, async_job *job, const char *name, napi_async_execute_callback exec,
                            napi_async_complete_callback done) {
  napi_value promise, resource_name;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_create_async_work(env, NULL, resource_name, exec, done, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    job_free(env, job);
    return NULL;
  }
  return promise;
}

static int job_ref(napi_env env, async_job *job, napi_value v) {
  return napi_create_reference(env, v, 1, &job->refs[job->nrefs++]) == napi_ok;
}

/* Rejects with the job's errno error, or resolves with `value`; frees the job. */
static void job_settle(napi_env env, async_job *job, napi_value value) {
  if (job->err != 0) {
    napi_value err = errno_error(env, job->err, job->syscall);
    if (err != NULL) napi_reject_deferred(env, job->deferred, err);
  } else if (value != NULL) {
    napi_resolve_deferred(env, job->deferred, value);
  }
  job_free(env, job);
}

/* compareRunsAsync reads this much of each file per pread (whole pieces): a 64 KiB read costs
 * ~20% more CPU per byte here than a 256 KiB one, in syscall overhead. */
#define RUN_READ (256 * 1024)

static void compare_runs_exec(napi_env env, void *data) {
  (void)env;
  async_job *job = data;
  int64_t span = job->piece >= RUN_READ ? job->piece : (RUN_READ / job->piece) * job->piece;
  uint8_t *a = malloc((size_t)span * 2);
  if (a == NULL) {
    job->err = ENOMEM;
    job->syscall = "malloc";
    return;
  }
  uint8_t *b = a + span;
  size_t k = 0;
  for (size_t r = 0; r < job->nruns; r++) {
    int64_t off = (int64_t)job->runs[2 * r], len = (int64_t)job->runs[2 * r + 1];
    for (int64_t done = 0; done < len; done += span) {
      size_t n = (size_t)(len - done < span ? len - done : span);
      if (pread_full(job->fd_a, a, n, (off_t)(off + done)) < 0 ||
          pread_full(job->fd_b, b, n, (off_t)(off + done)) < 0) {
        job->err = errno;
        job->syscall = "pread";
        free(a);
        return;
      }
      for (size_t at = 0; at < n; at += (size_t)job->piece, k++) {
        size_t m = n - at < (size_t)job->piece ? n - at : (size_t)job->piece;
        job->out[k] = memcmp(a + at, b + at, m) != 0;
        job->differ += job->out[k];
      }
    }
  }
  free(a);
}

/* Settles `job` with the number `value` (or its error, or ECANCELED when the work did not run). */
static void job_settle_int64(napi_env env, napi_status status, async_job *job, int64_t value) {
  napi_value result = NULL;
  if (status != napi_ok && job->err == 0) {
    job->err = ECANCELED;
    job->syscall = "async work";
  }
  if (job->err == 0) napi_create_int64(env, value, &result);
  job_settle(env, job, result);
}

static void compare_runs_done(napi_env env, napi_status status, void *data) {
  async_job *job = data;
  job_settle_int64(env, status, job, job->differ);
}

/* Checks the (offset, length) pairs of a Float64Array of n numbers: integers, offsets in
 * [0, 2^53], lengths of at least min_len, ends within 2^53. Throws a RangeError naming `what`. */
static int check_pairs(napi_env env, const double *r, size_t n, double min_len, const char *what) {
  char msg[128];
  if (n % 2 != 0) {
    snprintf(msg, sizeof msg, "%s must hold (offset, length) pairs", what);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return 0;
  }
  for (size_t i = 0; i < n; i += 2) {
    if (!(r[i] >= 0 && r[i + 1] >= min_len && r[i] + r[i + 1] <= (double)MAX_SAFE) ||
        r[i] != (double)(int64_t)r[i] || r[i + 1] != (double)(int64_t)r[i + 1]) {
      snprintf(msg, sizeof msg, "%s must hold integer offsets in [0, 2^53] and lengths of at least %.0f", what,
               min_len);
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
      return 0;
    }
  }
  return 1;
}

/*
 * compareRunsAsync(fdA, fdB, runs, pieceSize, out) -> Promise<number of differing pieces>
 *
 * The work of comparePieces over several runs at once, off the JS thread: runs is a Float64Array
 * of (offset, length) pairs; each run is compared in pieces of pieceSize bytes (the last of a run
 * may be short), and out gets one flag per piece, run after run (1: differs). Bytes past a file's
 * end read as zeros.
 */
static napi_value compare_runs_async(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int fd_a, fd_b;
  int64_t piece;
  void *runs = NULL, *out = NULL;
  size_t nruns = 0, out_len = 0;
  if (!get_args(env, info, 5, argv) || !get_fd(env, argv[0], &fd_a) || !get_fd(env, argv[1], &fd_b) ||
      !get_typed(env, argv[2], napi_float64_array, "runs", &runs, &nruns) ||
      !get_int(env, argv[3], "pieceSize", 1, MAX_PIECE, &piece) ||
      !get_typed(env, argv[4], napi_uint8_array, "out", &out, &out_len))
    return NULL;
  const double *r = runs;
  if (!check_pairs(env, r, nruns, 0, "runs")) return NULL;
  size_t pieces = 0;
  for (size_t i = 0; i < nruns; i += 2) pieces += (size_t)(((int64_t)r[i + 1] + piece - 1) / piece);
  if (out_len < pieces) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "out must hold one byte per piece of every run");
    return NULL;
  }
  async_job *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, ENOMEM, "calloc");
  job->fd_a = fd_a;
  job->fd_b = fd_b;
  job->runs = r;
  job->nruns = nruns / 2;
  job->piece = piece;
  job->out = out;
  if (!job_ref(env, job, argv[2]) || !job_ref(env, job, argv[4])) {
    job_free(env, job);
    return NULL;
  }
  return job_start(env, job, "bigsync.compareRuns", compare_runs_exec, compare_runs_done);
}

static void data_map_exec(napi_env env, void *data) {
  (void)env;
  async_job *job = data;
  int64_t pos = job->start;
  while (pos < job->end) {
    off_t d = lseek(job->fd, (off_t)pos, SEEK_DATA);
    if (d < 0 && errno == ENXIO) break;
    if (d < 0) goto fail;
    if (d >= job->end) break;
    off_t h = lseek(job->fd, d, SEEK_HOLE);
    if (h < 0 && errno != ENXIO) goto fail;
    int64_t stop = h < 0 || h > job->end ? job->end : (int64_t)h; /* ENXIO: the file shrank */
    if (stop <= d) break;
    if (job->nmap == job->capmap) {
      size_t cap = job->capmap == 0 ? 256 : job->capmap * 2;
      int64_t *m = realloc(job->map, cap * 2 * sizeof *m);
      if (m == NULL) {
        job->err = ENOMEM;
        job->syscall = "realloc";
        return;
      }
      job->map = m;
      job->capmap = cap;
    }
    job->map[2 * job->nmap] = d;
    job->map[2 * job->nmap + 1] = stop - d;
    job->nmap++;
    pos = stop;
  }
  return;
fail:
  job->err = errno;
  job->syscall = "lseek";
}

static void data_map_done(napi_env env, napi_status status, void *data) {
  async_job *job = data;
  napi_value result = NULL, buffer;
  void *bytes = NULL;
  if (status != napi_ok && job->err == 0) {
    job->err = ECANCELED;
    job->syscall = "async work";
  }
  if (job->err == 0 &&
      napi_create_arraybuffer(env, job->nmap * 2 * sizeof(double), &bytes, &buffer) == napi_ok &&
      napi_create_typedarray(env, napi_float64_array, job->nmap * 2, buffer, 0, &result) == napi_ok) {
    double *d = bytes;
    for (size_t i = 0; i < job->nmap * 2; i++) d[i] = (double)job->map[i];
  }
  job_settle(env, job, result);
}

/*
 * dataMapAsync(fd, start, end) -> Promise<Float64Array of (offset, length) pairs>
 *
 * The data extents of [start, end) by SEEK_DATA/SEEK_HOLE, off the JS thread (a 1 GiB VM image
 * has thousands, each two syscalls). Sorted, disjoint, clipped to end. Rejects like the syscalls
 * above (EINVAL, EOPNOTSUPP: the filesystem cannot answer; the caller assumes all data).
 */
static napi_value data_map_async(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd;
  int64_t start, end;
  if (!get_args(env, info, 3, argv) || !get_fd(env, argv[0], &fd) ||
      !get_int(env, argv[1], "start", 0, MAX_SAFE, &start) ||
      !get_int(env, argv[2], "end", start, MAX_SAFE, &end))
    return NULL;
  async_job *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, ENOMEM, "calloc");
  job->fd = fd;
  job->start = start;
  job->end = end;
  return job_start(env, job, "bigsync.dataMap", data_map_exec, data_map_done);
}

/* punchRangesAsync reads its ranges back this much at a time to check they hold zeros. */
#define CHECK_READ (256 * 1024)

static void punch_ranges_exec(napi_env env, void *data) {
  (void)env;
  async_job *job = data;
  job->bad = -1;
  for (size_t r = 0; r < job->nruns; r++) {
    off_t off = (off_t)job->runs[2 * r], len = (off_t)job->runs[2 * r + 1];
    int rc;
    do {
      rc = fallocate(job->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
      job->err = errno;
      job->syscall = "fallocate";
      return;
    }
  }
  uint8_t *buf = malloc(CHECK_READ);
  if (buf == NULL) {
    job->err = ENOMEM;
    job->syscall = "malloc";
    return;
  }
  for (size_t r = 0; r < job->nruns && job->bad < 0; r++) {
    int64_t off = (int64_t)job->runs[2 * r], len = (int64_t)job->runs[2 * r + 1];
    for (int64_t done = 0; done < len; done += CHECK_READ) {
      size_t n = (size_t)(len - done < CHECK_READ ? len - done : CHECK_READ);
      ssize_t got = pread_full(job->fd, buf, n, (off_t)(off + done));
      if (got < 0) {
        job->err = errno;
        job->syscall = "pread";
        free(buf);
        return;
      }
      /* a short read (the file shrank) fails the check like a non-zero byte */
      if ((size_t)got < n || !all_zero(buf, n)) {
        job->bad = off + done;
        break;
      }
    }
  }
  free(buf);
}

static void punch_ranges_done(napi_env env, napi_status status, void *data) {
  async_job *job = data;
  job_settle_int64(env, status, job, job->bad);
}

/*
 * punchRangesAsync(fd, ranges) -> Promise<number>
 *
 * Punches a hole (fallocate PUNCH_HOLE | KEEP_SIZE) over each (offset, length) pair of the
 * Float64Array ranges, in order, then reads every range back: resolves with -1 when all read as
 * zeros, else with the offset of the first read-back piece that does not. Rejects like the
 * syscalls above on the first failing call (EOPNOTSUPP: the caller writes zeros instead). Off the
 * JS thread because freeing blocks can wait on the disk (online discard): here about 0.1 ms a
 * call, during which the other threads go on comparing.
 */
static napi_value punch_ranges_async(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  void *ranges = NULL;
  size_t n = 0;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], &fd) ||
      !get_typed(env, argv[1], napi_float64_array, "ranges", &ranges, &n))
    return NULL;
  const double *r = ranges;
  if (!check_pairs(env, r, n, 1, "ranges")) return NULL;
  async_job *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, ENOMEM, "calloc");
  job->fd = fd;
  job->runs = r;
  job->nruns = n / 2;
  if (!job_ref(env, job, argv[1])) {
    job_free(env, job);
    return NULL;
  }
  return job_start(env, job, "bigsync.punchRanges", punch_ranges_exec, punch_ranges_done);
}

/*
 * The loop of weakSums. Only the low 16 bits of a and b matter, so wrapping 32-bit lanes are exact
 * and the compiler vectorizes the loop; on x86-64 with GCC it is also built for AVX2 (8 lanes with
 * a 32-bit multiply) and the CPU picks the version at load time.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static void weak_blocks(const uint8_t *p, size_t blocks, uint32_t bs, uint32_t *out) {
  for (size_t k = 0; k < blocks; k++) {
    const uint8_t *x = p + k * (size_t)bs;
    uint32_t a = 0, w = 0;
    for (uint32_t i = 0; i < bs; i++) {
      a += x[i];
      w += i * x[i];
    }
    uint32_t b = bs * a - w;
    out[k] = ((b & 0xffff) << 16) | (a & 0xffff);
  }
}

/*
 * weakSums(buf, blockSize, out) -> undefined
 *
 * The rolling match's weak checksum (src/core/rolling-checksum.ts: a = sum x_i, b = sum
 * (L - i) x_i, both mod 2^16, weak = b << 16 | a) of each whole block of buf, into out[k] for
 * block k (a Uint32Array of at least floor(buf.length / blockSize) entries). b is accumulated as
 * L * sum x_i - sum i * x_i in wrapping 32-bit integers, which the compiler vectorizes; the JS fallback
 * computes the same numbers one byte at a time.
 */
static napi_value weak_sums(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t bs;
  size_t len = 0, out_len = 0;
  void *data = NULL, *out_data = NULL;
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[1], "blockSize", 1, MAX_PIECE * 4, &bs) ||
      !get_typed(env, argv[0], napi_uint8_array, "buf", &data, &len) ||
      !get_typed(env, argv[2], napi_uint32_array, "out", &out_data, &out_len))
    return NULL;
  size_t blocks = len / (size_t)bs;
  if (out_len < blocks) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "out must hold one entry per whole block");
    return NULL;
  }
  weak_blocks((const uint8_t *)data, blocks, (uint32_t)bs, (uint32_t *)out_data);
  return NULL;
}

/*
 * GMAC of pages through the OpenSSL that Node itself carries. Its EVP functions are looked up at
 * load time with dlsym (no link-time dependency: where they are missing, gmacPages is simply not
 * exported and the JS fallback, node:crypto, runs). One cipher context per call, the key set
 * once, the IV reset per page: node:crypto's createCipheriv per 4 KiB page cost ~5 us here, most
 * of it setting up, the GMAC itself ~0.6 us.
 */
typedef void *(*evp_ctx_new_fn)(void);
typedef void (*evp_ctx_free_fn)(void *);
typedef const void *(*evp_cipher_fn)(void);
typedef int (*evp_init_fn)(void *, const void *, void *, const unsigned char *, const unsigned char *);
typedef int (*evp_update_fn)(void *, unsigned char *, int *, const unsigned char *, int);
typedef int (*evp_final_fn)(void *, unsigned char *, int *);
typedef int (*evp_ctrl_fn)(void *, int, int, void *);
#define EVP_CTRL_AEAD_GET_TAG_ 0x10 /* EVP_CTRL_GCM_GET_TAG, the same in OpenSSL 1.1 and 3 */

static struct {
  evp_ctx_new_fn ctx_new;
  evp_ctx_free_fn ctx_free;
  evp_cipher_fn aes_128_gcm;
  evp_init_fn init;
  evp_update_fn update;
  evp_final_fn final;
  evp_ctrl_fn ctrl;
} evp;

/* Resolves the EVP functions; 1 when all are there. */
static int evp_load(void) {
  evp.ctx_new = (evp_ctx_new_fn)dlsym(RTLD_DEFAULT, "EVP_CIPHER_CTX_new");
  evp.ctx_free = (evp_ctx_free_fn)dlsym(RTLD_DEFAULT, "EVP_CIPHER_CTX_free");
  evp.aes_128_gcm = (evp_cipher_fn)dlsym(RTLD_DEFAULT, "EVP_aes_128_gcm");
  evp.init = (evp_init_fn)dlsym(RTLD_DEFAULT, "EVP_EncryptInit_ex");
  evp.update = (evp_update_fn)dlsym(RTLD_DEFAULT, "EVP_EncryptUpdate");
  evp.final = (evp_final_fn)dlsym(RTLD_DEFAULT, "EVP_EncryptFinal_ex");
  evp.ctrl = (evp_ctrl_fn)dlsym(RTLD_DEFAULT, "EVP_CIPHER_CTX_ctrl");
  return evp.ctx_new && evp.ctx_free && evp.aes_128_gcm && evp.init && evp.update && evp.final && evp.ctrl;
}

/*
 * gmacPages(key, data, pageSize, out) -> number of pages: out[16*i .. 16*i+16) gets the GMAC tag
 * (AES-128-GCM, IV of 12 zero bytes, the page as AAD, no plaintext) of page i of data (the last
 * page may be short); the same tags as node:crypto's (core/block-hash.ts gmac()).
 */
static napi_value gmac_pages(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int64_t page;
  size_t key_len = 0, len = 0, out_len = 0;
  void *key = NULL, *data = NULL, *out = NULL;
  if (!get_args(env, info, 4, argv) || !get_typed(env, argv[0], napi_uint8_array, "key", &key, &key_len) ||
      !get_typed(env, argv[1], napi_uint8_array, "data", &data, &len) ||
      !get_int(env, argv[2], "pageSize", 1, INT32_MAX, &page) ||
      !get_typed(env, argv[3], napi_uint8_array, "out", &out, &out_len))
    return NULL;
  if (key_len != 16) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "key must be 16 bytes");
    return NULL;
  }
  size_t pages = (len + (size_t)page - 1) / (size_t)page;
  if (out_len < pages * 16) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "out must hold 16 bytes per page");
    return NULL;
  }
  static const unsigned char iv[12] = {0};
  void *ctx = evp.ctx_new();
  if (ctx == NULL) return throw_errno(env, ENOMEM, "EVP_CIPHER_CTX_new");
  int ok = evp.init(ctx, evp.aes_128_gcm(), NULL, (const unsigned char *)key, NULL) == 1;
  for (size_t i = 0; ok && i < pages; i++) {
    size_t at = i * (size_t)page;
    int n = (int)(len - at < (size_t)page ? len - at : (size_t)page);
    int outl = 0;
    unsigned char none[16];
    ok = evp.init(ctx, NULL, NULL, NULL, iv) == 1 &&
         evp.update(ctx, NULL, &outl, (const unsigned char *)data + at, n) == 1 &&
         evp.final(ctx, none, &outl) == 1 &&
         evp.ctrl(ctx, EVP_CTRL_AEAD_GET_TAG_, 16, (unsigned char *)out + i * 16) == 1;
  }
  evp.ctx_free(ctx);
  if (!ok) {
    napi_throw_error(env, "ERR_CRYPTO", "OpenSSL refused a GMAC step");
    return NULL;
  }
  napi_value r;
  CHECK(napi_create_double(env, (double)pages, &r));
  return r;
}

/* hashBlocksAsync reads this much per pread. */
#define HASH_READ (256 * 1024)

static const uint8_t zero_piece[64 * 1024];

/* Feeds n zero bytes as AAD. */
static int feed_zeros(void *ctx, int64_t n) {
  int outl = 0;
  for (; n > 0; n -= (int64_t)sizeof zero_piece) {
    int m = n < (int64_t)sizeof zero_piece ? (int)n : (int)sizeof zero_piece;
    if (evp.update(ctx, NULL, &outl, zero_piece, m) != 1) return 0;
  }
  return 1;
}

static void hash_blocks_exec(napi_env env, void *data) {
  (void)env;
  async_job *job = data;
  static const unsigned char iv[12] = {0};
  uint8_t *buf = malloc(HASH_READ);
  void *ctx = buf == NULL ? NULL : evp.ctx_new();
  int ok = ctx != NULL && evp.init(ctx, evp.aes_128_gcm(), NULL, job->key, NULL) == 1;
  if (!ok) {
    job->err = ENOMEM;
    job->syscall = "EVP_EncryptInit_ex";
  }
  size_t r = 0; /* the first data extent that may meet the current position */
  for (int64_t i = 0; ok && i < job->count; i++) {
    int64_t start = (job->first + i) * job->block_size;
    int64_t end = start + job->block_size < job->size ? start + job->block_size : job->size;
    int started = 0, outl = 0;
    int64_t zeros = 0; /* zero bytes before the first non-zero one (fed once one comes) */
    for (int64_t pos = start; ok && pos < end;) {
      int in_data = 1;
      int64_t seg_end = end;
      if (job->runs != NULL) {
        while (r < job->nruns && (int64_t)(job->runs[2 * r] + job->runs[2 * r + 1]) <= pos) r++;
        int64_t d = r < job->nruns ? (int64_t)job->runs[2 * r] : end;
        in_data = r < job->nruns && d <= pos;
        if (in_data) {
          int64_t de = (int64_t)(job->runs[2 * r] + job->runs[2 * r + 1]);
          seg_end = de < end ? de : end;
        } else {
          seg_end = d < end ? d : end;
        }
      }
      int64_t n = seg_end - pos < HASH_READ ? seg_end - pos : HASH_READ;
      int zero = 1;
      if (in_data) {
        ssize_t got = pread_full(job->fd, buf, (size_t)n, (off_t)pos);
        if (got < 0) {
          job->err = errno;
          job->syscall = "pread";
          ok = 0;
          break;
        }
        job->bytes += got;
        zero = all_zero(buf, (size_t)n);
      }
      if (zero && !started) zeros += n;
      else if (zero) ok = feed_zeros(ctx, n);
      else {
        if (!started) {
          started = 1;
          ok = evp.init(ctx, NULL, NULL, NULL, iv) == 1 && feed_zeros(ctx, zeros);
        }
        ok = ok && evp.update(ctx, NULL, &outl, buf, (int)n) == 1;
      }
      pos += n;
    }
    if (!ok) break;
    if (!started) {
      job->zero[i] = 1;
      continue;
    }
    unsigned char none[16];
    ok = evp.final(ctx, none, &outl) == 1 && evp.ctrl(ctx, EVP_CTRL_AEAD_GET_TAG_, 16, job->tags + i * 16) == 1;
  }
  if (!ok && job->err == 0) {
    job->err = EINVAL;
    job->syscall = "EVP_EncryptUpdate";
  }
  if (ctx != NULL) evp.ctx_free(ctx);
  free(buf);
}

static void hash_blocks_done(napi_env env, napi_status status, void *data) {
  async_job *job = data;
  job_settle_int64(env, status, job, job->bytes);
}

/*
 * hashBlocksAsync(fd, firstBlock, count, blockSize, size, data, key, tags, zero) -> Promise<number>
 *
 * On a libuv pool thread: the block hash of remote sync (core/block-hash.ts: GMAC under `key`, the
 * block as AAD) of each block [firstBlock, firstBlock + count) of the file on fd (the last block
 * of the file may be short), into tags (16 bytes a block, from 0); zero[i] = 1, and its tag left
 * alone, when block i is all zero. `data`: a Float64Array of sorted (offset, length) pairs where
 * the file has data (the rest reads as zeros and is not read), or null: all data. Resolves with
 * the bytes read (EOF reads as zeros). Exported only with gmacPages (Node's OpenSSL found).
 */
static napi_value hash_blocks_async(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int fd;
  int64_t first, count, bs, size;
  size_t key_len = 0, tags_len = 0, zero_len = 0, n = 0;
  void *key = NULL, *tags = NULL, *zero = NULL, *runs = NULL;
  napi_valuetype dt;
  if (!get_args(env, info, 9, argv) || !get_fd(env, argv[0], &fd) ||
      !get_int(env, argv[1], "firstBlock", 0, MAX_SAFE, &first) ||
      !get_int(env, argv[2], "count", 0, INT32_MAX, &count) ||
      !get_int(env, argv[3], "blockSize", 1, INT32_MAX, &bs) || !get_int(env, argv[4], "size", 0, MAX_SAFE, &size) ||
      !get_typed(env, argv[6], napi_uint8_array, "key", &key, &key_len) ||
      !get_typed(env, argv[7], napi_uint8_array, "tags", &tags, &tags_len) ||
      !get_typed(env, argv[8], napi_uint8_array, "zero", &zero, &zero_len))
    return NULL;
  CHECK(napi_typeof(env, argv[5], &dt));
  if (dt != napi_null && !get_typed(env, argv[5], napi_float64_array, "data", &runs, &n)) return NULL;
  if (runs != NULL && !check_pairs(env, runs, n, 0, "data")) return NULL;
  const double *d = runs;
  for (size_t i = 2; i < n; i += 2) {
    if (d[i] < d[i - 2] + d[i - 1]) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "data must hold sorted, disjoint extents");
      return NULL;
    }
  }
  if (key_len != 16 || tags_len < (size_t)count * 16 || zero_len < (size_t)count ||
      (double)(first + count) * (double)bs > (double)MAX_SAFE) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE",
                           "key must be 16 bytes, tags 16 a block, zero 1 a block, blocks within 2^53");
    return NULL;
  }
  async_job *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, ENOMEM, "calloc");
  job->fd = fd;
  job->first = first;
  job->count = count;
  job->block_size = bs;
  job->size = size;
  job->runs = runs;
  job->nruns = n / 2;
  job->key = key;
  job->tags = tags;
  job->zero = zero;
  if (!job_ref(env, job, argv[6]) || !job_ref(env, job, argv[7]) || !job_ref(env, job, argv[8]) ||
      (runs != NULL && !job_ref(env, job, argv[5]))) {
    job_free(env, job);
    return NULL;
  }
  return job_start(env, job, "bigsync.hashBlocks", hash_blocks_exec, hash_blocks_done);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
      {"seekData", NULL, seek_data, NULL, NULL, NULL, napi_enumerable, NULL},
      {"seekHole", NULL, seek_hole, NULL, NULL, NULL, napi_enumerable, NULL},
      {"punchHole", NULL, punch_hole, NULL, NULL, NULL, napi_enumerable, NULL},
      {"blkGetSize64", NULL, blk_get_size64, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fadvise", NULL, fadvise, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setPipeSize", NULL, set_pipe_size, NULL, NULL, NULL, napi_enumerable, NULL},
      {"comparePieces", NULL, compare_pieces, NULL, NULL, NULL, napi_enumerable, NULL},
      {"weakSums", NULL, weak_sums, NULL, NULL, NULL, napi_enumerable, NULL},
      {"compareRunsAsync", NULL, compare_runs_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dataMapAsync", NULL, data_map_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"punchRangesAsync", NULL, punch_ranges_async, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  if (evp_load()) {
    napi_property_descriptor gmac[] = {
        {"gmacPages", NULL, gmac_pages, NULL, NULL, NULL, napi_enumerable, NULL},
        {"hashBlocksAsync", NULL, hash_blocks_async, NULL, NULL, NULL, napi_enumerable, NULL},
    };
    CHECK(napi_define_properties(env, exports, 2, gmac));
  }
  return exports;
}
