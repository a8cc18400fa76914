/* core/tensor.c: dtypes, storage allocation, tensor headers and scopes. */

#if defined(__linux__)
#include <sys/mman.h>
/* Strict -std=c99 hides madvise and MADV_HUGEPAGE; the kernel ABI value is stable, so declare them ourselves. */
#if !defined(MADV_HUGEPAGE)
#define NN__MADV_HUGEPAGE 14
int madvise(void *addr, size_t length, int advice);
#else
#define NN__MADV_HUGEPAGE MADV_HUGEPAGE
#endif
#endif

/* ---- dtypes ---- */

NNDEF size_t nn_dtype_size(nn_dtype dt) {
  switch (dt) {
    case NN_FLOAT32: return 4;
    case NN_FLOAT64: return 8;
    case NN_INT32: return 4;
    case NN_INT64: return 8;
    case NN_UINT8: return 1;
    case NN_BOOL: return 1;
    default: return 0;
  }
}

NNDEF const char *nn_dtype_name(nn_dtype dt) {
  switch (dt) {
    case NN_FLOAT32: return "float32";
    case NN_FLOAT64: return "float64";
    case NN_INT32: return "int32";
    case NN_INT64: return "int64";
    case NN_UINT8: return "uint8";
    case NN_BOOL: return "bool";
    default: return "invalid";
  }
}

NN__PRIVATE int nn__dtype_valid(nn_dtype dt) { return (int)dt >= 0 && dt < NN_DTYPE_COUNT; }
NN__PRIVATE int nn__is_float(nn_dtype dt) { return dt == NN_FLOAT32 || dt == NN_FLOAT64; }
NN__PRIVATE int nn__is_int(nn_dtype dt) { return dt == NN_INT32 || dt == NN_INT64 || dt == NN_UINT8; }
/* 0 bool, 1 unsigned int, 2 signed int, 3 float: NumPy's "kind" order used for scalar promotion. */
NN__PRIVATE int nn__dtype_kind(nn_dtype dt) {
  return dt == NN_BOOL ? 0 : dt == NN_UINT8 ? 1 : nn__is_int(dt) ? 2 : 3;
}

NNDEF nn_dtype nn_promote_types(nn_dtype a, nn_dtype b) {
  /* Table of np.result_type over our six dtypes, in enum order f32 f64 i32 i64 u8 bool. */
  static const unsigned char table[6][6] = {
      /*          f32         f64         i32         i64         u8          bool */
      /* f32 */ {NN_FLOAT32, NN_FLOAT64, NN_FLOAT64, NN_FLOAT64, NN_FLOAT32, NN_FLOAT32},
      /* f64 */ {NN_FLOAT64, NN_FLOAT64, NN_FLOAT64, NN_FLOAT64, NN_FLOAT64, NN_FLOAT64},
      /* i32 */ {NN_FLOAT64, NN_FLOAT64, NN_INT32, NN_INT64, NN_INT32, NN_INT32},
      /* i64 */ {NN_FLOAT64, NN_FLOAT64, NN_INT64, NN_INT64, NN_INT64, NN_INT64},
      /* u8  */ {NN_FLOAT32, NN_FLOAT64, NN_INT32, NN_INT64, NN_UINT8, NN_UINT8},
      /* bool*/ {NN_FLOAT32, NN_FLOAT64, NN_INT32, NN_INT64, NN_UINT8, NN_BOOL},
  };
  if (!nn__dtype_valid(a) || !nn__dtype_valid(b)) return NN_DTYPE_COUNT;
  return (nn_dtype)table[a][b];
}

/* Loads one element as double / stores a double into one element (used by get/set and slow generic paths). */
NN__PRIVATE double nn__load(nn_dtype dt, const void *p) {
  switch (dt) {
    case NN_FLOAT32: return (double)*(const float *)p;
    case NN_FLOAT64: return *(const double *)p;
    case NN_INT32: return (double)*(const int32_t *)p;
    case NN_INT64: return (double)*(const int64_t *)p;
    case NN_UINT8: return (double)*(const uint8_t *)p;
    case NN_BOOL: return (double)(*(const uint8_t *)p != 0);
    default: return 0;
  }
}

/* Float to integer conversion that never invokes undefined behaviour (NaN and out-of-range give INT_MIN-like values,
   as x86 does). */
NN__PRIVATE int64_t nn__f2i64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return INT64_MIN;
  return (int64_t)v;
}
NN__PRIVATE int32_t nn__f2i32(double v) {
  if (!(v > -2147483649.0 && v < 2147483648.0)) return INT32_MIN;
  return (int32_t)v;
}
NN__PRIVATE uint8_t nn__f2u8(double v) {
  /* NumPy wraps modulo 256 for in-range integers; out-of-range floats are undefined there, we wrap too. */
  if (!(v > -9223372036854775808.0 && v < 9223372036854775808.0)) return 0;
  return (uint8_t)(uint64_t)(int64_t)v;
}

NN__PRIVATE void nn__store(nn_dtype dt, void *p, double v) {
  switch (dt) {
    case NN_FLOAT32: *(float *)p = (float)v; break;
    case NN_FLOAT64: *(double *)p = v; break;
    case NN_INT32: *(int32_t *)p = nn__f2i32(v); break;
    case NN_INT64: *(int64_t *)p = nn__f2i64(v); break;
    case NN_UINT8: *(uint8_t *)p = nn__f2u8(v); break;
    case NN_BOOL: *(uint8_t *)p = (uint8_t)(v != 0); break;
    default: break;
  }
}

/* ---- counters (atomic where the compiler offers it) ---- */

#if defined(__GNUC__) || defined(__clang__)
#define NN__ATOMIC_ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_ACQ_REL)
#else
#define NN__ATOMIC_ADD(p, v) (*(p) += (v))
#endif

static long nn__live_count = 0;
NNDEF long nn_live_tensors(void) { return NN__ATOMIC_ADD(&nn__live_count, 0); }

/* ---- raw memory ---- */

/* Buffers are 64-byte aligned; buffers of 2 MiB and more are 2 MiB aligned, so that the kernel can back them with
   transparent huge pages, and those of NN__HUGE_ADVISE and more are also marked for them (madvise), which is what
   lets streaming kernels reach the memory bandwidth (4 KiB pages cost a third of it). Smaller buffers are not
   marked: where the kernel compacts memory for marked regions at the first touch (defrag=madvise), that stall
   cost a first 10000-image inference three times its compute. The pointer returned by NN_MALLOC and the usable
   size are stored just before the aligned block.

   Freed buffers of NN__CACHE_MIN bytes and more are kept in a small cache and handed out again for requests of the
   same size class. A training step asks for the same sizes every time; without the cache each of those buffers
   would be a fresh mmap whose pages the kernel zeroes and faults in (measured: a quarter of an MLP's step time).
   The cache holds at most nn__cache_limit bytes (nn_set_cache_limit) and nn_cache_release empties it. */
#define NN__HUGE (2u << 20)
#define NN__HUGE_ADVISE ((size_t)32 << 20)
#define NN__CACHE_MIN ((size_t)32 << 10)
#define NN__CACHE_SLOTS 64

/* The size class of a request: 64 KiB steps below 2 MiB, 2 MiB steps above. */
NN__PRIVATE size_t nn__size_class(size_t n) {
  size_t q = n >= NN__HUGE ? NN__HUGE : ((size_t)64 << 10);
  return (n + q - 1) / q * q;
}

NN__PRIVATE void *nn__alloc_raw(size_t nbytes) {
  size_t align = nbytes >= NN__HUGE ? NN__HUGE : 64;
  size_t total, hdr = 2 * sizeof(void *);
  unsigned char *raw, *p;
  if (nbytes > (size_t)-1 / 2 - align) return NULL;
  total = nbytes + align + hdr;
  raw = (unsigned char *)NN_MALLOC(total);
  if (!raw) return NULL;
  p = (unsigned char *)(((uintptr_t)(raw + hdr) + align - 1) & ~(uintptr_t)(align - 1));
  memcpy(p - sizeof(void *), &raw, sizeof(void *));
  memcpy(p - 2 * sizeof(void *), &nbytes, sizeof(size_t));
#if defined(__linux__)
  if (nbytes >= NN__HUGE_ADVISE) madvise(p, nbytes & ~(size_t)(NN__HUGE - 1), NN__MADV_HUGEPAGE);
#endif
  return p;
}

NN__PRIVATE void nn__free_raw(void *p) {
  void *raw;
  memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof(void *));
  NN_FREE(raw);
}

NN__PRIVATE size_t nn__alloc_size(const void *p) {
  size_t n;
  memcpy(&n, (const unsigned char *)p - 2 * sizeof(void *), sizeof(size_t));
  return n;
}

/* The start of the block NN_MALLOC returned for p. Caches hold these rather than p, so that leak checkers
   (valgrind) see the cached blocks as reachable, not as "possibly lost". */
NN__PRIVATE void *nn__alloc_base(const void *p) {
  void *raw;
  memcpy(&raw, (const unsigned char *)p - sizeof(void *), sizeof(void *));
  return raw;
}
/* The aligned pointer of a block from its start (the inverse of nn__alloc_base, for a block of nbytes). */
NN__PRIVATE void *nn__alloc_from_base(void *raw, size_t nbytes) {
  size_t align = nbytes >= NN__HUGE ? NN__HUGE : 64;
  return (void *)(((uintptr_t)((unsigned char *)raw + 2 * sizeof(void *)) + align - 1) & ~(uintptr_t)(align - 1));
}

#if (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__)
#define NN__HAVE_CACHE 1
static void *nn__cache_buf[NN__CACHE_SLOTS]; /* block starts (nn__alloc_base) */
static size_t nn__cache_size[NN__CACHE_SLOTS];
static int nn__cache_n = 0;
static size_t nn__cache_bytes = 0, nn__cache_limit = (size_t)256 << 20;
static int nn__cache_lock_word = 0;
NN__PRIVATE void nn__cache_lock(void) {
  while (__atomic_exchange_n(&nn__cache_lock_word, 1, __ATOMIC_ACQUIRE)) {
  }
}
NN__PRIVATE void nn__cache_unlock(void) { __atomic_store_n(&nn__cache_lock_word, 0, __ATOMIC_RELEASE); }
#else
#define NN__HAVE_CACHE 0
#endif

NN__PRIVATE void *nn__alloc(size_t nbytes) {
  if (nbytes == 0) nbytes = 1;
  if (nbytes >= NN__CACHE_MIN) {
    nbytes = nn__size_class(nbytes);
#if NN__HAVE_CACHE
    {
      void *hit = NULL;
      int i;
      nn__cache_lock();
      for (i = nn__cache_n - 1; i >= 0; i--) /* the most recently freed first: likely still in cache */
        if (nn__cache_size[i] == nbytes) {
          hit = nn__alloc_from_base(nn__cache_buf[i], nbytes);
          --nn__cache_n;
          nn__cache_buf[i] = nn__cache_buf[nn__cache_n];
          nn__cache_size[i] = nn__cache_size[nn__cache_n];
          nn__cache_bytes -= nbytes;
          break;
        }
      nn__cache_unlock();
      if (hit) return hit;
    }
#endif
  }
  return nn__alloc_raw(nbytes);
}

NN__PRIVATE void nn__dealloc(void *p) {
  if (!p) return;
#if NN__HAVE_CACHE
  {
    size_t n = nn__alloc_size(p);
    void *evict[NN__CACHE_SLOTS];
    int ne = 0, i;
    if (n >= NN__CACHE_MIN && n <= nn__cache_limit) {
      nn__cache_lock();
      /* make room by dropping the oldest buffers, then keep this one */
      while (nn__cache_n > 0 && (nn__cache_n == NN__CACHE_SLOTS || nn__cache_bytes + n > nn__cache_limit)) {
        evict[ne++] = nn__cache_buf[0];
        nn__cache_bytes -= nn__cache_size[0];
        --nn__cache_n;
        memmove(nn__cache_buf, nn__cache_buf + 1, sizeof(void *) * (size_t)nn__cache_n);
        memmove(nn__cache_size, nn__cache_size + 1, sizeof(size_t) * (size_t)nn__cache_n);
      }
      if (nn__cache_bytes + n <= nn__cache_limit) {
        nn__cache_buf[nn__cache_n] = nn__alloc_base(p);
        nn__cache_size[nn__cache_n++] = n;
        nn__cache_bytes += n;
        p = NULL;
      }
      nn__cache_unlock();
    }
    for (i = 0; i < ne; i++) NN_FREE(evict[i]);
    if (p) nn__free_raw(p);
  }
#else
  nn__free_raw(p);
#endif
}

NN__PRIVATE void nn__gemm_cache_release(void); /* kernels/gemm.c: its packing buffer */

NNDEF void nn_cache_release(void) {
  nn__gemm_cache_release(); /* first: it hands its buffer back through nn__dealloc */
#if NN__HAVE_CACHE
  for (;;) {
    void *p = NULL;
    nn__cache_lock();
    if (nn__cache_n > 0) {
      p = nn__cache_buf[--nn__cache_n];
      nn__cache_bytes -= nn__cache_size[nn__cache_n];
    }
    nn__cache_unlock();
    if (!p) break;
    NN_FREE(p);
  }
#endif
}

NNDEF void nn_set_cache_limit(size_t bytes) {
#if NN__HAVE_CACHE
  nn__cache_lock();
  nn__cache_limit = bytes;
  nn__cache_unlock();
  if (bytes == 0) nn_cache_release();
#else
  (void)bytes;
#endif
}

NNDEF size_t nn_cache_bytes(void) {
#if NN__HAVE_CACHE
  size_t b;
  nn__cache_lock();
  b = nn__cache_bytes;
  nn__cache_unlock();
  return b;
#else
  return 0;
#endif
}

/* Scratch allocation with an error message on failure. */
NN__PRIVATE void *nn__xalloc(const char *op, size_t nbytes) {
  void *p = nn__alloc(nbytes);
  if (!p) nn__fail(NN_ERR_OOM, "%s: cannot allocate %llu bytes", op, (unsigned long long)nbytes);
  return p;
}

/* ---- scopes ---- */

#define NN__MAX_SCOPES 64
typedef struct nn__scope {
  nn_tensor *head;
  long count;
  int depth; /* 1-based position in the stack */
} nn__scope;

static NN_THREAD_LOCAL nn__scope nn__scopes[NN__MAX_SCOPES];
static NN_THREAD_LOCAL int nn__scope_depth = 0;

NN__PRIVATE void nn__scope_unlink(nn_tensor *t) {
  nn__scope *s = t->scope;
  if (!s) return;
  if (t->scope_prev) t->scope_prev->scope_next = t->scope_next;
  else s->head = t->scope_next;
  if (t->scope_next) t->scope_next->scope_prev = t->scope_prev;
  t->scope = NULL;
  t->scope_prev = t->scope_next = NULL;
  s->count--;
}

NN__PRIVATE void nn__scope_link(nn_tensor *t, nn__scope *s) {
  t->scope = s;
  t->scope_prev = NULL;
  t->scope_next = s->head;
  if (s->head) s->head->scope_prev = t;
  s->head = t;
  s->count++;
}

NNDEF nn_status nn_scope_begin(void) {
  nn__scope *s;
  if (nn__scope_depth >= NN__MAX_SCOPES)
    return nn__fail(NN_ERR_ARG, "nn_scope_begin: more than %d nested scopes (missing nn_scope_end?)", NN__MAX_SCOPES);
  s = &nn__scopes[nn__scope_depth++];
  s->head = NULL;
  s->count = 0;
  s->depth = nn__scope_depth;
  return NN_OK;
}

NNDEF nn_status nn_scope_end(void) {
  nn__scope *s;
  if (nn__scope_depth <= 0) return nn__fail(NN_ERR_ARG, "nn_scope_end: no scope is open");
  s = &nn__scopes[nn__scope_depth - 1];
  while (s->head) nn_free(s->head);
  nn__scope_depth--;
  return NN_OK;
}

NNDEF long nn_scope_count(void) { return nn__scope_depth > 0 ? nn__scopes[nn__scope_depth - 1].count : 0; }

NNDEF nn_tensor *nn_keep(nn_tensor *t) {
  nn__scope *s;
  if (!t) return NULL;
  s = t->scope;
  if (!s) return t;
  nn__scope_unlink(t);
  if (s->depth >= 2) nn__scope_link(t, &nn__scopes[s->depth - 2]);
  return t;
}

/* ---- headers and storage ---- */

NN__PRIVATE void nn__storage_release(nn_storage *s) {
  if (!s) return;
  if (NN__ATOMIC_ADD(&s->refcount, -1) == 0) {
    if (s->owned) nn__dealloc(s->base);
    NN_FREE(s);
  }
}

NNDEF void nn_free(nn_tensor *t) {
  if (!t) return;
  nn__scope_unlink(t);
  if (t->grad_node) nn__ag_tensor_freed(t);
  if (t->grad) {
    nn_tensor *g = t->grad;
    t->grad = NULL;
    nn_free(g);
  }
  nn__storage_release(t->storage);
  NN_FREE(t);
  NN__ATOMIC_ADD(&nn__live_count, -1);
}

NN__PRIVATE int64_t nn__shape_size(const int64_t *shape, int ndim) {
  int64_t n = 1;
  int i;
  for (i = 0; i < ndim; i++) n *= shape[i];
  return n;
}

NN__PRIVATE void nn__contiguous_strides(int64_t *strides, const int64_t *shape, int ndim) {
  int64_t s = 1;
  int i;
  for (i = ndim - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] > 0 ? shape[i] : 1;
  }
}

/* Validates a user-given shape: ndim in range, no negative dimension, element count representable. */
NN__PRIVATE nn_status nn__check_shape(const char *op, const int64_t *shape, int ndim) {
  int i;
  int64_t n = 1;
  if (ndim < 0 || ndim > NN_MAX_DIMS)
    return nn__fail(NN_ERR_SHAPE, "%s: ndim %d is outside [0, %d]", op, ndim, NN_MAX_DIMS);
  if (ndim > 0 && !shape) return nn__fail_null(op, "shape");
  for (i = 0; i < ndim; i++) {
    if (shape[i] < 0)
      return nn__fail(NN_ERR_SHAPE, "%s: negative dimension %lld in axis %d", op, (long long)shape[i], i);
    if (shape[i] > 0 && n > ((int64_t)1 << 48) / shape[i])
      return nn__fail(NN_ERR_SHAPE, "%s: shape has too many elements", op);
    n *= shape[i];
  }
  return NN_OK;
}

/* A header with no storage yet, registered in the current scope. */
NN__PRIVATE nn_tensor *nn__header(const char *op, nn_dtype dt, const int64_t *shape, int ndim) {
  nn_tensor *t;
  int i;
  t = (nn_tensor *)NN_MALLOC(sizeof(nn_tensor));
  if (!t) {
    nn__fail(NN_ERR_OOM, "%s: cannot allocate a tensor header", op);
    return NULL;
  }
  memset(t, 0, sizeof *t);
  t->dtype = dt;
  t->ndim = ndim;
  for (i = 0; i < ndim; i++) t->shape[i] = shape[i];
  t->size = nn__shape_size(shape, ndim);
  nn__contiguous_strides(t->strides, shape, ndim);
  t->device = NN_CPU;
  NN__ATOMIC_ADD(&nn__live_count, 1);
  if (nn__scope_depth > 0) nn__scope_link(t, &nn__scopes[nn__scope_depth - 1]);
  return t;
}

/* A new contiguous tensor with uninitialized data. Checks dtype and shape. */
NN__PRIVATE nn_tensor *nn__new(const char *op, nn_dtype dt, const int64_t *shape, int ndim) {
  nn_tensor *t;
  nn_storage *s;
  size_t nbytes;
  if (!nn__dtype_valid(dt)) {
    nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", op, (int)dt);
    return NULL;
  }
  if (nn__check_shape(op, shape, ndim) != NN_OK) return NULL;
  t = nn__header(op, dt, shape, ndim);
  if (!t) return NULL;
  nbytes = (size_t)t->size * nn_dtype_size(dt);
  s = (nn_storage *)NN_MALLOC(sizeof(nn_storage));
  if (!s) {
    nn_free(t);
    nn__fail(NN_ERR_OOM, "%s: cannot allocate storage", op);
    return NULL;
  }
  s->base = nn__alloc(nbytes);
  if (!s->base) {
    NN_FREE(s);
    nn_free(t);
    nn__fail(NN_ERR_OOM, "%s: cannot allocate %llu bytes", op, (unsigned long long)nbytes);
    return NULL;
  }
  s->nbytes = nbytes;
  s->refcount = 1;
  s->owned = 1;
  s->device = NN_CPU;
  t->storage = s;
  t->data = s->base;
  return t;
}

/* New contiguous tensor shaped like x. */
NN__PRIVATE nn_tensor *nn__new_like(const char *op, const nn_tensor *x, nn_dtype dt) {
  return nn__new(op, dt, x->shape, x->ndim);
}

/* A view: new header over x's storage with the given geometry; data is an element pointer inside the storage. */
NN__PRIVATE nn_tensor *nn__view(const char *op, const nn_tensor *x, const int64_t *shape, const int64_t *strides, int ndim,
                                void *data) {
  nn_tensor *t = nn__header(op, x->dtype, shape, ndim);
  int i;
  if (!t) return NULL;
  for (i = 0; i < ndim; i++) t->strides[i] = strides[i];
  t->data = data;
  t->storage = x->storage;
  t->device = x->device;
  if (t->storage) NN__ATOMIC_ADD(&t->storage->refcount, 1);
  return t;
}

NNDEF int nn_is_contiguous(const nn_tensor *t) {
  int64_t s = 1;
  int i;
  if (!t) return 0;
  for (i = t->ndim - 1; i >= 0; i--) {
    if (t->shape[i] == 1) continue;
    if (t->shape[i] == 0) return 1;
    if (t->strides[i] != s) return 0;
    s *= t->shape[i];
  }
  return 1;
}

NNDEF const char *nn_shape_str(const nn_tensor *t, char *buf, size_t cap) {
  if (!buf || cap == 0) return "";
  if (!t) {
    snprintf(buf, cap, "(null)");
    return buf;
  }
  return nn__fmt_shape(buf, cap, t->shape, t->ndim);
}

/* Byte address of the element at flat row-major position i. */
NN__PRIVATE char *nn__flat_ptr(const nn_tensor *t, int64_t i) {
  int64_t off = 0;
  int d;
  for (d = t->ndim - 1; d >= 0; d--) {
    int64_t n = t->shape[d];
    if (n > 0) {
      off += (i % n) * t->strides[d];
      i /= n;
    }
  }
  return (char *)t->data + off * (int64_t)nn_dtype_size(t->dtype);
}

NN__PRIVATE nn_status nn__check_cpu(const char *op, const nn_tensor *t, const char *arg) {
  if (!t) return nn__fail_null(op, arg);
  if (t->device != NN_CPU)
    return nn__fail(NN_ERR_DEVICE, "%s: argument '%s' lives on a device; copy it to the CPU first", op, arg);
  return NN_OK;
}

NN__PRIVATE char *nn__index_ptr(const char *op, const nn_tensor *t, const int64_t *index) {
  int64_t off = 0;
  int d;
  char sh[128];
  if (nn__check_cpu(op, t, "t") != NN_OK) return NULL;
  if (t->ndim > 0 && !index) {
    nn__fail_null(op, "index");
    return NULL;
  }
  for (d = 0; d < t->ndim; d++) {
    int64_t k = index[d];
    if (k < 0) k += t->shape[d];
    if (k < 0 || k >= t->shape[d]) {
      nn__fail(NN_ERR_INDEX, "%s: index %lld is out of bounds for axis %d with size %lld (shape %s)", op,
               (long long)index[d], d, (long long)t->shape[d], nn_shape_str(t, sh, sizeof sh));
      return NULL;
    }
    off += k * t->strides[d];
  }
  return (char *)t->data + off * (int64_t)nn_dtype_size(t->dtype);
}

NNDEF double nn_get(const nn_tensor *t, const int64_t *index) {
  const char *p = nn__index_ptr("nn_get", t, index);
  return p ? nn__load(t->dtype, p) : NAN;
}

NNDEF nn_status nn_set(nn_tensor *t, const int64_t *index, double value) {
  char *p = nn__index_ptr("nn_set", t, index);
  if (!p) return nn_last_status();
  nn__store(t->dtype, p, value);
  return NN_OK;
}

NNDEF double nn_get_flat(const nn_tensor *t, int64_t i) {
  if (nn__check_cpu("nn_get_flat", t, "t") != NN_OK) return NAN;
  if (i < 0) i += t->size;
  if (i < 0 || i >= t->size) {
    nn__fail(NN_ERR_INDEX, "nn_get_flat: index %lld is out of bounds for size %lld", (long long)i, (long long)t->size);
    return NAN;
  }
  return nn__load(t->dtype, nn__flat_ptr(t, i));
}

NNDEF nn_status nn_set_flat(nn_tensor *t, int64_t i, double value) {
  if (nn__check_cpu("nn_set_flat", t, "t") != NN_OK) return nn_last_status();
  if (i < 0) i += t->size;
  if (i < 0 || i >= t->size)
    return nn__fail(NN_ERR_INDEX, "nn_set_flat: index %lld is out of bounds for size %lld", (long long)i,
                    (long long)t->size);
  nn__store(t->dtype, nn__flat_ptr(t, i), value);
  return NN_OK;
}

NNDEF double nn_item(const nn_tensor *t) {
  char sh[128];
  if (nn__check_cpu("nn_item", t, "t") != NN_OK) return NAN;
  if (t->size != 1) {
    nn__fail(NN_ERR_SHAPE, "nn_item: can only convert a tensor of size 1, got shape %s", nn_shape_str(t, sh, sizeof sh));
    return NAN;
  }
  return nn__load(t->dtype, t->data);
}
