/* src/nn_in.h: the manifest. tools/amalgamate.py follows the includes below, in this order, to produce nn.h.
   Parts come in dependency order: a part only uses what is above it. Optional parts sit behind NN_NO_<PART>
   switches (define them identically wherever nn.h is included) so a program can leave out what it does not use
   and compile faster. */
/* nn.h - v0.1.0 - NumPy-style arrays and neural networks in one C header - MIT or public domain
   https://github.com/ (see README.md)                         LICENSE: see the end of this file

   Do this:
      #define NN_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation. Other files include it
   plainly. Build with any C99 or C++11 compiler: `cc -O2 prog.c -lm` (add -pthread on old glibc).

   TABLE OF CONTENTS (search for the part's file name, e.g. "begin src/ops/elementwise.h")
      base/config.h       version, NNDEF/NN_STATIC linkage, NN_MAX_DIMS
      base/status.h       status codes, nn_error(): what went wrong, in words
      base/threads.h      the thread pool: nn_set_num_threads
      core/tensor.h       nn_tensor, dtypes, the memory model (scopes), element access
      core/create.h       zeros, ones, full, arange, linspace, eye, from_data, wrap, astype, copy
      core/views.h        reshape, transpose, permute, slice, select, squeeze, unsqueeze, broadcast_to, diagonal
      ops/elementwise.h   add ... pow, comparisons, logic, exp ... erf, where, clip (NumPy broadcasting)
      ops/reduce.h        sum, mean, var, std, min, max, argmin, argmax, prod, any, all, cumsum, logsumexp, softmax
      ops/shape.h         concatenate, stack, split, tile, repeat, pad
      ops/index.h         take, take_along_axis, masked select, put, scatter, nonzero
      ops/sort.h          sort, argsort, unique
      ops/matmul.h        matmul (batched, broadcast), dot, outer, nn_sgemm/nn_dgemm
      ops/conv.h          conv1d/conv2d (stride, padding, dilation, groups) and their gradients, pooling, im2col
      core/print.h        printing like NumPy
      base/random.h       seeded random numbers

   COMPILE-TIME OPTIONS
      Global (define before every include of nn.h, identically):
         NN_STATIC          make every function static (private to the one file that has NN_IMPLEMENTATION)
         NN_MAX_DIMS        most dimensions a tensor can have (default 8)
         NN_NO_RANDOM, NN_NO_INDEX, NN_NO_SORT, NN_NO_CONV, NN_NO_PRINT
                            leave that part out (faster compiles, smaller binaries)
      Implementation only (define before the #include that has NN_IMPLEMENTATION):
         NN_MALLOC(sz), NN_REALLOC(p,sz), NN_FREE(p)   allocator (all three or none)
         NN_ASSERT(x)       internal invariant checks (default: assert)
         NN_NO_THREADS      no thread pool: everything runs on the calling thread
         NN_NO_SIMD         portable scalar kernels only (no AVX2/AVX-512/NEON)
         NN_SIMD_SSE2       also build the 128-bit SSE2 kernels for x86-64 CPUs without AVX2 (pre-2013); off by default
         NN_NO_THREAD_LOCALS  error message and scope stack become process-global (single-threaded programs)
      Environment: NN_NUM_THREADS=n sets the default thread count; NN_FORCE_SCALAR=1 picks the scalar kernels.

   QUICK START
      #define NN_IMPLEMENTATION
      #include "nn.h"
      int main(void) {
        int64_t shape[2] = {2, 3};
        nn_scope_begin();                               // tensors made from here on are freed by nn_scope_end
        nn_tensor *a = nn_arange(0, 6, 1, NN_FLOAT32);
        nn_tensor *b = nn_reshape(a, shape, 2);         // a view: no copy
        nn_tensor *c = nn_add(nn_mul(b, b), nn_scalar(1, NN_FLOAT32));
        if (!c) { fprintf(stderr, "%s\n", nn_error()); return 1; }
        nn_print(c);
        nn_scope_end();                                 // frees a, b, the temporary product, c
        return 0;
      }

   CONVENTIONS
      - Row-major (C order). Strides are in elements, may be 0 (broadcast) or negative (reversed slices).
      - Broadcasting, dtype promotion, axis numbering (negative counts from the end), keepdims, ddof: as NumPy.
      - Shapes are passed as (const int64_t *shape, int ndim). NN_ALL_AXES reduces over every axis.
      - Every function taking tensors accepts views. Inputs are never modified except by *_out and nn_set/assign/fill.

   OWNERSHIP
      - A function returning nn_tensor* returns a new header. Inside nn_scope_begin/nn_scope_end it belongs to the
        innermost scope; otherwise the caller frees it with nn_free. nn_keep(t) moves it to the enclosing scope.
      - Views share storage with their source; storage lives until the last header using it is freed.
      - nn_wrap uses caller memory and never frees it. Strings returned by nn_error() belong to the library.

   ERRORS
      Functions return NULL or a negative nn_status; nn_error() says what went wrong, naming the function, shapes,
      dtypes and axes. Nothing aborts on bad input. A NULL tensor argument is an error, so a chain of calls fails
      cleanly at the first failure and nn_error() still names its cause.

   THREADS
      One pool, started on first use, sized to the machine; nn_set_num_threads(n) changes it. Results do not depend on
      the number of threads. Tensors are not locked: do not write a tensor from two threads at once.
*/

#ifndef NN_INCLUDE_NN_H
#define NN_INCLUDE_NN_H

/* ---- begin src/base/config.h ---- */
/* base/config.h: version, linkage, compile-time options and the few libc hooks a user may override.
   Everything here is visible to every translation unit that includes nn.h. */

#define NN_VERSION_MAJOR 0
#define NN_VERSION_MINOR 1
#define NN_VERSION_PATCH 0
#define NN__STR2(x) #x
#define NN__STR(x) NN__STR2(x)
#define NN_VERSION_STRING NN__STR(NN_VERSION_MAJOR) "." NN__STR(NN_VERSION_MINOR) "." NN__STR(NN_VERSION_PATCH)

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* NNDEF: linkage of every public function. NN_STATIC makes the whole library private to one translation unit. */
#ifndef NNDEF
#if defined(NN_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define NNDEF static __attribute__((unused))
#elif defined(NN_STATIC)
#define NNDEF static
#else
#define NNDEF extern
#endif
#endif

/* Tiny C compilers get the portable scalar path without threads. */
#if defined(__TINYC__)
#ifndef NN_NO_SIMD
#define NN_NO_SIMD
#endif
#ifndef NN_NO_THREADS
#define NN_NO_THREADS
#endif
#endif

/* The most dimensions a tensor can have (NumPy allows 32; 8 covers every model we know of). */
#ifndef NN_MAX_DIMS
#define NN_MAX_DIMS 8
#endif

/* Pass as an axis to reduce over all axes (NumPy's axis=None). */
#define NN_ALL_AXES (-1000)
/* ---- end src/base/config.h ---- */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- begin src/base/status.h ---- */
/* base/status.h: status codes and the per-thread error message.

   Every function that can fail reports it: functions returning a tensor return NULL, the others return an nn_status.
   In both cases nn_error() gives a message naming the operation and the values involved, for example
   "nn_add: shapes (2,3) and (4,) cannot be broadcast". Nothing in the library aborts or exits on bad input. */

#define NN__STATUS_LIST(X)                                          \
  X(NN_OK, 0, "no error")                                           \
  X(NN_ERR_ARG, -1, "invalid argument")                             \
  X(NN_ERR_NULL, -2, "NULL argument")                               \
  X(NN_ERR_SHAPE, -3, "shape mismatch")                             \
  X(NN_ERR_DTYPE, -4, "unsupported dtype")                          \
  X(NN_ERR_AXIS, -5, "axis out of range")                           \
  X(NN_ERR_INDEX, -6, "index out of range")                         \
  X(NN_ERR_OOM, -7, "out of memory")                                \
  X(NN_ERR_IO, -8, "input/output error")                            \
  X(NN_ERR_FORMAT, -9, "malformed data")                            \
  X(NN_ERR_VALUE, -10, "invalid value")                             \
  X(NN_ERR_UNSUPPORTED, -11, "operation not supported")             \
  X(NN_ERR_DEVICE, -12, "device error")

typedef enum nn_status {
#define NN__STATUS_ENUM(name, value, text) name = value,
  NN__STATUS_LIST(NN__STATUS_ENUM)
#undef NN__STATUS_ENUM
  NN__STATUS_LAST_ = -13
} nn_status;

/* The message of the most recent error on this thread ("" if none since the last nn_clear_error). Do not free. */
NNDEF const char *nn_error(void);
/* The status of the most recent error on this thread (NN_OK if none). */
NNDEF nn_status nn_last_status(void);
/* Forget the last error on this thread. */
NNDEF void nn_clear_error(void);
/* Short text for a status code, e.g. "shape mismatch". Never NULL. */
NNDEF const char *nn_status_string(nn_status s);
/* Library version as "MAJOR.MINOR.PATCH"; compare with NN_VERSION_STRING to detect a header/implementation mismatch. */
NNDEF const char *nn_version(void);
/* ---- end src/base/status.h ---- */
/* ---- begin src/base/threads.h ---- */
/* base/threads.h: the library's thread pool.

   One pool per process, started on first use, sized by default to the machine's cores (or the NN_NUM_THREADS
   environment variable). Work is split into fixed chunks whose boundaries do not depend on the thread count, so
   results are bit-for-bit identical for any nn_set_num_threads value. Build with NN_NO_THREADS to leave it out. */

/* Sets the number of threads the library uses (1 = run on the calling thread only). n < 1 restores the default. */
NNDEF void nn_set_num_threads(int n);
/* The number of threads the library uses. */
NNDEF int nn_get_num_threads(void);
/* ---- end src/base/threads.h ---- */
/* ---- begin src/core/tensor.h ---- */
/* core/tensor.h: the n-dimensional array, its dtypes, and who owns what.

   A tensor is a header (dtype, shape, strides, data pointer) over a reference-counted storage. Views (reshape,
   transpose, slicing, ...) are new headers over the same storage and never copy. Strides are counted in elements,
   not bytes, and may be zero (broadcast) or negative (reversed slices).

   Ownership (the whole memory model):
   - Every tensor returned by the library is a new header the caller is responsible for, with one exception:
     while a scope is open (nn_scope_begin), new tensors belong to the innermost scope and are freed by nn_scope_end.
     nn_keep(t) moves t to the enclosing scope (or, at the outermost scope, hands it to the caller).
   - nn_free(t) frees one header at any time, whether it belongs to a scope or not.
   - Storage is freed when the last header that uses it is freed, so a view may outlive the tensor it was made from.
   - nn_wrap() tensors use caller memory: the library never frees it, and the caller keeps it alive while in use. */

typedef enum nn_dtype {
  NN_FLOAT32 = 0, /* the default: 0 in a desc struct means float32 */
  NN_FLOAT64,
  NN_INT32,
  NN_INT64,
  NN_UINT8,
  NN_BOOL, /* one byte, 0 or 1 */
  NN_DTYPE_COUNT
} nn_dtype;

typedef enum nn_device {
  NN_CPU = 0,
  NN_CUDA = 1, /* filled in by nn_cuda.h */
  NN_DEVICE_COUNT
} nn_device;

typedef struct nn_storage {
  void *base;      /* start of the allocation (or the caller's memory) */
  size_t nbytes;   /* usable bytes from base */
  long refcount;   /* headers that point into this storage */
  int owned;       /* 1: the library frees base; 0: caller memory (nn_wrap) */
  nn_device device;
} nn_storage;

struct nn__scope;

typedef struct nn_tensor {
  /* Read-only for users: change them only through the library. */
  nn_dtype dtype;
  int ndim;
  int64_t shape[NN_MAX_DIMS];
  int64_t strides[NN_MAX_DIMS]; /* in elements */
  int64_t size;                 /* number of elements (product of shape; 1 for 0-d) */
  void *data;                   /* address of element (0,...,0) */
  nn_storage *storage;
  nn_device device;
  /* Autograd (see the autograd part); NULL/0 when unused. */
  struct nn_tensor *grad;
  void *grad_node;
  int requires_grad;
  /* Scope bookkeeping: the scope that owns this header, and its neighbours in that scope's list. */
  struct nn__scope *scope;
  struct nn_tensor *scope_prev, *scope_next;
} nn_tensor;

/* --- dtypes --- */
/* Bytes per element (4 for float32 ...). */
NNDEF size_t nn_dtype_size(nn_dtype dt);
/* NumPy's name: "float32", "int64", "bool" ...; "invalid" for a bad value. */
NNDEF const char *nn_dtype_name(nn_dtype dt);
/* NumPy's promotion (np.result_type) for two array dtypes: int32 + float32 -> float64, uint8 + int32 -> int32 ... */
NNDEF nn_dtype nn_promote_types(nn_dtype a, nn_dtype b);

/* --- lifetime --- */
/* Frees a tensor header (and its storage once no view uses it). NULL is ignored. */
NNDEF void nn_free(nn_tensor *t);
/* Opens a scope: tensors created until the matching nn_scope_end belong to it. Scopes nest (up to 64 per thread). */
NNDEF nn_status nn_scope_begin(void);
/* Closes the innermost scope and frees every tensor it still owns. */
NNDEF nn_status nn_scope_end(void);
/* Moves t out of its scope into the enclosing one (or to the caller when there is none). Returns t. */
NNDEF nn_tensor *nn_keep(nn_tensor *t);
/* Number of tensors the innermost scope owns (0 outside scopes): useful to check a loop does not pile them up. */
NNDEF long nn_scope_count(void);
/* Number of tensor headers alive on all threads, for leak checks. */
NNDEF long nn_live_tensors(void);

/* --- inspection --- */
/* 1 if elements are laid out in row-major order without gaps. */
NNDEF int nn_is_contiguous(const nn_tensor *t);
/* Shape as a NumPy string into buf, e.g. "(2,3)". Returns buf. */
NNDEF const char *nn_shape_str(const nn_tensor *t, char *buf, size_t cap);
/* Element at a multi-index, converted to double (negative indices count from the end). NaN on error. */
NNDEF double nn_get(const nn_tensor *t, const int64_t *index);
/* Element at a flat row-major position (works for views too), converted to double. NaN on error. */
NNDEF double nn_get_flat(const nn_tensor *t, int64_t i);
/* Stores value (converted to t's dtype) at a multi-index. */
NNDEF nn_status nn_set(nn_tensor *t, const int64_t *index, double value);
/* Stores value at a flat row-major position. */
NNDEF nn_status nn_set_flat(nn_tensor *t, int64_t i, double value);
/* The value of a tensor with exactly one element, as double (NaN with an error otherwise). */
NNDEF double nn_item(const nn_tensor *t);
/* Copies all elements, converted to the given dtype, in row-major order into dst (count = t->size elements). */
NNDEF nn_status nn_copy_to(const nn_tensor *t, void *dst, nn_dtype dst_dtype);
/* ---- end src/core/tensor.h ---- */
/* ---- begin src/core/create.h ---- */
/* core/create.h: making tensors. Shapes are (const int64_t *shape, int ndim); ndim 0 makes a 0-d (scalar) tensor. */

/* Uninitialized contents. */
NNDEF nn_tensor *nn_empty(const int64_t *shape, int ndim, nn_dtype dtype);
NNDEF nn_tensor *nn_zeros(const int64_t *shape, int ndim, nn_dtype dtype);
NNDEF nn_tensor *nn_ones(const int64_t *shape, int ndim, nn_dtype dtype);
/* Every element = value converted to dtype. */
NNDEF nn_tensor *nn_full(const int64_t *shape, int ndim, double value, nn_dtype dtype);
NNDEF nn_tensor *nn_empty_like(const nn_tensor *x);
NNDEF nn_tensor *nn_zeros_like(const nn_tensor *x);
NNDEF nn_tensor *nn_ones_like(const nn_tensor *x);
NNDEF nn_tensor *nn_full_like(const nn_tensor *x, double value);
/* A 0-d tensor holding value. */
NNDEF nn_tensor *nn_scalar(double value, nn_dtype dtype);
/* Values start, start+step, ... up to but excluding stop (np.arange); ceil((stop-start)/step) elements. */
NNDEF nn_tensor *nn_arange(double start, double stop, double step, nn_dtype dtype);
/* num evenly spaced values from start to stop, stop included when endpoint is nonzero (np.linspace). */
NNDEF nn_tensor *nn_linspace(double start, double stop, int64_t num, int endpoint, nn_dtype dtype);
/* n x m matrix with ones on diagonal k (np.eye); m <= 0 means m = n. */
NNDEF nn_tensor *nn_eye(int64_t n, int64_t m, int64_t k, nn_dtype dtype);
/* Copies size elements of dtype from data (row-major). */
NNDEF nn_tensor *nn_from_data(const void *data, const int64_t *shape, int ndim, nn_dtype dtype);
/* Wraps caller memory without copying: the caller keeps ownership and keeps it alive; nn_free never frees it. */
NNDEF nn_tensor *nn_wrap(void *data, const int64_t *shape, int ndim, nn_dtype dtype);
/* Like nn_wrap with explicit element strides (may be negative or zero). */
NNDEF nn_tensor *nn_wrap_strided(void *data, const int64_t *shape, const int64_t *strides, int ndim, nn_dtype dtype);
/* A copy converted to dtype (np.ndarray.astype). Float to integer truncates toward zero. */
NNDEF nn_tensor *nn_astype(const nn_tensor *x, nn_dtype dtype);
/* A contiguous copy. */
NNDEF nn_tensor *nn_copy(const nn_tensor *x);
/* x itself as a new header if already contiguous (no copy), else a contiguous copy. */
NNDEF nn_tensor *nn_contiguous(const nn_tensor *x);
/* dst[...] = src, broadcasting src to dst's shape and converting dtypes (np.copyto). */
NNDEF nn_status nn_assign(nn_tensor *dst, const nn_tensor *src);
/* Sets every element of t to value. */
NNDEF nn_status nn_fill(nn_tensor *t, double value);
/* ---- end src/core/create.h ---- */
/* ---- begin src/core/views.h ---- */
/* core/views.h: views share the storage of their source; writing through a view changes the source.
   Axes may be negative (counted from the end), as in NumPy. */

/* Marks an omitted slice bound, like an empty start or stop in x[start:stop:step]. */
#define NN_NONE INT64_MIN

/* New shape with the same elements; one dimension may be -1 (inferred). A view when the strides allow it, else a copy. */
NNDEF nn_tensor *nn_reshape(const nn_tensor *x, const int64_t *shape, int ndim);
/* Reverses the axes (x.T). */
NNDEF nn_tensor *nn_transpose(const nn_tensor *x);
/* Reorders axes: result axis i is x's axis axes[i] (np.transpose(x, axes)). */
NNDEF nn_tensor *nn_permute(const nn_tensor *x, const int *axes, int naxes);
NNDEF nn_tensor *nn_swapaxes(const nn_tensor *x, int axis1, int axis2);
NNDEF nn_tensor *nn_moveaxis(const nn_tensor *x, int source, int destination);
/* x[start:stop:step] along one axis; start/stop may be NN_NONE and negative; step may be negative, never 0. */
NNDEF nn_tensor *nn_slice(const nn_tensor *x, int axis, int64_t start, int64_t stop, int64_t step);
/* x[..., i, ...]: selects index i along axis and removes that axis. */
NNDEF nn_tensor *nn_select(const nn_tensor *x, int axis, int64_t index);
/* Removes axis (which must have length 1), or all length-1 axes when axis is NN_ALL_AXES. */
NNDEF nn_tensor *nn_squeeze(const nn_tensor *x, int axis);
/* Inserts a length-1 axis at position axis (np.expand_dims); axis in [-ndim-1, ndim]. */
NNDEF nn_tensor *nn_unsqueeze(const nn_tensor *x, int axis);
/* A read-only-style broadcast view with stride 0 along broadcast axes (np.broadcast_to). */
NNDEF nn_tensor *nn_broadcast_to(const nn_tensor *x, const int64_t *shape, int ndim);
/* The diagonal at offset of the 2-D planes (axis1, axis2), appended as the last axis (np.diagonal). */
NNDEF nn_tensor *nn_diagonal(const nn_tensor *x, int64_t offset, int axis1, int axis2);
/* A 1-D view if possible, else a copy (np.ravel). */
NNDEF nn_tensor *nn_ravel(const nn_tensor *x);
/* A view of the same elements (a second header over the same storage). */
NNDEF nn_tensor *nn_view(const nn_tensor *x);
/* ---- end src/core/views.h ---- */
#ifndef NN_NO_RANDOM
/* ---- begin src/base/random.h ---- */
/* base/random.h: random numbers with explicit state (there is no global generator).

   The generator is xoshiro256** (Blackman and Vigna) seeded through splitmix64. Every function takes the state
   explicitly, draws sequentially and never uses threads, so a seed gives the same numbers on every platform and
   for any thread count (normal draws use log/sqrt from the C library, exact to its rounding). Streams are not
   NumPy's: np.random uses other generators, so only the distributions match, not the values.
   A NULL rng is reported as an NN_ERR_NULL error, never a crash. */

typedef struct nn_rng {
  uint64_t s[4];   /* xoshiro256** state */
  int has_spare;   /* a second normal draw is waiting in spare */
  double spare;
} nn_rng;

/* Seeds r: the four state words are successive splitmix64 outputs of seed (any seed, 0 included, is fine). */
NNDEF void nn_rng_seed(nn_rng *r, uint64_t seed);
/* The next 64 random bits (xoshiro256**). */
NNDEF uint64_t nn_rng_next(nn_rng *r);
/* Uniform double in [0, 1) with 53 random bits. NaN on error. */
NNDEF double nn_rng_uniform(nn_rng *r);
/* Standard normal draw (Marsaglia's polar method; draws come in pairs, the second is kept in r->spare). */
NNDEF double nn_rng_normal(nn_rng *r);
/* Uniform integer in [lo, hi), unbiased (Lemire's multiply-and-reject); lo >= hi is an error and returns lo. */
NNDEF int64_t nn_rng_int(nn_rng *r, int64_t lo, int64_t hi);

/* U[0,1) samples (np.random.random): float32 uses 24 random bits, float64 53, so 1.0 never appears. */
NNDEF nn_tensor *nn_rand(nn_rng *r, const int64_t *shape, int ndim, nn_dtype dtype);
/* U[lo,hi) samples (np.random.uniform), float32 or float64; hi < lo or a non-finite bound is an error. */
NNDEF nn_tensor *nn_uniform(nn_rng *r, double lo, double hi, const int64_t *shape, int ndim, nn_dtype dtype);
/* Standard normal samples (np.random.standard_normal), float32 or float64. */
NNDEF nn_tensor *nn_randn(nn_rng *r, const int64_t *shape, int ndim, nn_dtype dtype);
/* Normal samples mean + std * z (np.random.normal); std < 0 is an error. */
NNDEF nn_tensor *nn_normal(nn_rng *r, double mean, double std, const int64_t *shape, int ndim, nn_dtype dtype);
/* Integers uniform in [lo, hi) (np.random.randint) of an integer dtype or bool; lo >= hi, or bounds outside the
   dtype's range ("high is out of bounds for uint8"), are errors. */
NNDEF nn_tensor *nn_randint(nn_rng *r, int64_t lo, int64_t hi, const int64_t *shape, int ndim, nn_dtype dtype);
/* int64 tensor holding 0..n-1 shuffled (Fisher-Yates; np.random.permutation(n)). n < 0 is an error. */
NNDEF nn_tensor *nn_permutation(nn_rng *r, int64_t n);
/* Shuffles x in place along axis 0 (np.random.shuffle): sub-arrays x[i] are permuted; views are fine. */
NNDEF nn_status nn_shuffle(nn_rng *r, nn_tensor *x);
/* int64 sample of k values from 0..n-1 (np.random.choice(n, k, replace)): without replacement the values are
   distinct and in random order, and k > n is an error. */
NNDEF nn_tensor *nn_choice(nn_rng *r, int64_t n, int64_t k, int replace);
/* ---- end src/base/random.h ---- */
#endif
/* ---- begin src/ops/elementwise.h ---- */
/* ops/elementwise.h: elementwise math with NumPy broadcasting and dtype promotion.

   Every op has a form that returns a new tensor and an _out form that writes into an existing tensor (no
   allocation when dtypes already match: what a game loop wants). The out tensor must have the broadcast shape;
   its dtype may differ from the result dtype (the result is converted, like NumPy's casting='unsafe').

   Result dtypes follow NumPy 1.x: int32 + float32 -> float64; a 0-d tensor (nn_scalar) combined with an array
   does not widen the array's dtype unless it is of a higher kind (float32 array + float64 scalar -> float32;
   int32 array + 2.5 -> float64). Division of integers is true division (float64). Math functions of integers
   return float64 (uint8 and bool: float32, where NumPy would use float16). */

typedef enum nn_binop {
  NN_OP_ADD = 0,
  NN_OP_SUB,
  NN_OP_MUL,
  NN_OP_DIV,          /* true division */
  NN_OP_FLOOR_DIVIDE, /* Python's //, rounds toward -inf */
  NN_OP_MOD,          /* Python's %, result has the sign of the divisor */
  NN_OP_POW,
  NN_OP_MAXIMUM, /* NaN-propagating */
  NN_OP_MINIMUM,
  NN_OP_ATAN2,
  NN_OP_EQ, /* comparisons return bool */
  NN_OP_NE,
  NN_OP_LT,
  NN_OP_LE,
  NN_OP_GT,
  NN_OP_GE,
  NN_OP_LOGICAL_AND, /* logical ops return bool; nonzero is true */
  NN_OP_LOGICAL_OR,
  NN_OP_LOGICAL_XOR,
  NN_BINOP_COUNT
} nn_binop;

typedef enum nn_unop {
  NN_OP_NEG = 0,
  NN_OP_ABS,
  NN_OP_SIGN,
  NN_OP_SQUARE,
  NN_OP_RELU,
  NN_OP_ROUND, /* half to even, like np.round */
  NN_OP_FLOOR,
  NN_OP_CEIL,
  NN_OP_TRUNC,
  NN_OP_EXP, /* from here on: float functions */
  NN_OP_EXP2,
  NN_OP_EXPM1,
  NN_OP_LOG,
  NN_OP_LOG2,
  NN_OP_LOG10,
  NN_OP_LOG1P,
  NN_OP_SQRT,
  NN_OP_RSQRT,
  NN_OP_RECIPROCAL,
  NN_OP_SIN,
  NN_OP_COS,
  NN_OP_TAN,
  NN_OP_ASIN,
  NN_OP_ACOS,
  NN_OP_ATAN,
  NN_OP_SINH,
  NN_OP_COSH,
  NN_OP_TANH,
  NN_OP_SIGMOID,
  NN_OP_ERF,
  NN_OP_GELU,        /* x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)): torch.nn.functional.gelu */
  NN_OP_GELU_TANH,   /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): gelu(approximate='tanh') */
  NN_OP_SILU,        /* x sigmoid(x): torch.nn.functional.silu */
  NN_OP_SOFTPLUS,    /* log(1 + e^x), x for x > 20: torch.nn.functional.softplus (beta 1, threshold 20) */
  NN_OP_LOG_SIGMOID, /* log(sigmoid(x)) = -softplus(-x): torch.nn.functional.logsigmoid */
  NN_OP_ISNAN,       /* from here on: results are bool */
  NN_OP_ISINF,
  NN_OP_ISFINITE,
  NN_OP_LOGICAL_NOT,
  NN_UNOP_COUNT
} nn_unop;

/* Generic forms. */
NNDEF nn_tensor *nn_binary(nn_binop op, const nn_tensor *a, const nn_tensor *b);
NNDEF nn_status nn_binary_out(nn_binop op, nn_tensor *out, const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_unary(nn_unop op, const nn_tensor *x);
NNDEF nn_status nn_unary_out(nn_unop op, nn_tensor *out, const nn_tensor *x);
/* Name of an op for messages, e.g. "add", "exp". */
NNDEF const char *nn_binop_name(nn_binop op);
NNDEF const char *nn_unop_name(nn_unop op);
/* The dtype op(a, b) produces, or NN_DTYPE_COUNT (with an error) if the combination is not supported. */
NNDEF nn_dtype nn_binary_result_type(nn_binop op, const nn_tensor *a, const nn_tensor *b);

/* Arithmetic. */
NNDEF nn_tensor *nn_add(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_sub(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_mul(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_div(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_floor_divide(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_mod(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_pow(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_maximum(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_minimum(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_atan2(const nn_tensor *a, const nn_tensor *b);
/* With a Python-like scalar on the right (weak typing: float32 tensor + 2.5 stays float32). */
NNDEF nn_tensor *nn_add_scalar(const nn_tensor *a, double s);
NNDEF nn_tensor *nn_sub_scalar(const nn_tensor *a, double s);
NNDEF nn_tensor *nn_mul_scalar(const nn_tensor *a, double s);
NNDEF nn_tensor *nn_div_scalar(const nn_tensor *a, double s);
NNDEF nn_tensor *nn_pow_scalar(const nn_tensor *a, double s);
/* a + alpha * b in one pass (torch.add with alpha); the _out form with out == a is an in-place axpy. */
NNDEF nn_tensor *nn_add_scaled(const nn_tensor *a, const nn_tensor *b, double alpha);
NNDEF nn_status nn_add_scaled_out(nn_tensor *out, const nn_tensor *a, const nn_tensor *b, double alpha);
/* out = alpha * x + beta, elementwise, in one pass. */
NNDEF nn_status nn_affine_out(nn_tensor *out, const nn_tensor *x, double alpha, double beta);

/* Comparisons and logic (bool results). */
NNDEF nn_tensor *nn_equal(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_not_equal(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_less(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_less_equal(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_greater(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_greater_equal(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_logical_and(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_logical_or(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_logical_xor(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_logical_not(const nn_tensor *x);
NNDEF nn_tensor *nn_isnan(const nn_tensor *x);
NNDEF nn_tensor *nn_isinf(const nn_tensor *x);
NNDEF nn_tensor *nn_isfinite(const nn_tensor *x);

/* Unary math. */
NNDEF nn_tensor *nn_neg(const nn_tensor *x);
NNDEF nn_tensor *nn_abs(const nn_tensor *x);
NNDEF nn_tensor *nn_sign(const nn_tensor *x);
NNDEF nn_tensor *nn_square(const nn_tensor *x);
NNDEF nn_tensor *nn_relu(const nn_tensor *x);
NNDEF nn_tensor *nn_round(const nn_tensor *x);
NNDEF nn_tensor *nn_floor(const nn_tensor *x);
NNDEF nn_tensor *nn_ceil(const nn_tensor *x);
NNDEF nn_tensor *nn_trunc(const nn_tensor *x);
NNDEF nn_tensor *nn_exp(const nn_tensor *x);
NNDEF nn_tensor *nn_exp2(const nn_tensor *x);
NNDEF nn_tensor *nn_expm1(const nn_tensor *x);
NNDEF nn_tensor *nn_log(const nn_tensor *x);
NNDEF nn_tensor *nn_log2(const nn_tensor *x);
NNDEF nn_tensor *nn_log10(const nn_tensor *x);
NNDEF nn_tensor *nn_log1p(const nn_tensor *x);
NNDEF nn_tensor *nn_sqrt(const nn_tensor *x);
NNDEF nn_tensor *nn_rsqrt(const nn_tensor *x);
NNDEF nn_tensor *nn_reciprocal(const nn_tensor *x);
NNDEF nn_tensor *nn_sin(const nn_tensor *x);
NNDEF nn_tensor *nn_cos(const nn_tensor *x);
NNDEF nn_tensor *nn_tan(const nn_tensor *x);
NNDEF nn_tensor *nn_asin(const nn_tensor *x);
NNDEF nn_tensor *nn_acos(const nn_tensor *x);
NNDEF nn_tensor *nn_atan(const nn_tensor *x);
NNDEF nn_tensor *nn_sinh(const nn_tensor *x);
NNDEF nn_tensor *nn_cosh(const nn_tensor *x);
NNDEF nn_tensor *nn_tanh(const nn_tensor *x);
NNDEF nn_tensor *nn_sigmoid(const nn_tensor *x);
NNDEF nn_tensor *nn_erf(const nn_tensor *x);

/* Activations (float results; integers convert like the math functions). Computed in stable forms, accurate where
   torch's float formulas cancel (x << 0); at -inf gelu, gelu_tanh and silu give NaN like torch. */
/* gelu(x) = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)): torch.nn.functional.gelu(x). */
NNDEF nn_tensor *nn_gelu(const nn_tensor *x);
/* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): torch.nn.functional.gelu(x, approximate='tanh'). */
NNDEF nn_tensor *nn_gelu_tanh(const nn_tensor *x);
/* x sigmoid(x) (swish): torch.nn.functional.silu(x). */
NNDEF nn_tensor *nn_silu(const nn_tensor *x);
/* log(1 + e^x), and x where x > 20: torch.nn.functional.softplus(x) (beta = 1, threshold = 20). */
NNDEF nn_tensor *nn_softplus(const nn_tensor *x);
/* log(sigmoid(x)) = min(x, 0) - log1p(e^-|x|): torch.nn.functional.logsigmoid(x). */
NNDEF nn_tensor *nn_log_sigmoid(const nn_tensor *x);

/* Selection. */
/* cond ? a : b elementwise, all three broadcast together (np.where); result dtype = promote(a, b). */
NNDEF nn_tensor *nn_where(const nn_tensor *cond, const nn_tensor *a, const nn_tensor *b);
/* min(max(x, lo), hi) (np.clip); NaN stays NaN. Pass -INFINITY/INFINITY to leave a side open. */
NNDEF nn_tensor *nn_clip(const nn_tensor *x, double lo, double hi);
NNDEF nn_status nn_clip_out(nn_tensor *out, const nn_tensor *x, double lo, double hi);
/* ---- end src/ops/elementwise.h ---- */
/* ---- begin src/ops/reduce.h ---- */
/* ops/reduce.h: reductions (sum, mean, min, ...), arg-reductions, cumulative sums and row normalizations (softmax).

   Axes follow NumPy: negative axes count from the end; NN_ALL_AXES (NumPy's axis=None) reduces over every axis;
   keepdims != 0 keeps each reduced axis with length 1, so the result broadcasts against the input.

   Result dtypes follow NumPy 1.24 on Linux:
   - sum, prod, cumsum, cumprod: bool/uint8/int32/int64 -> int64 (NumPy gives uint64 for uint8; we have no
     uint64, the values are the same); float32 and float64 stay. Integer sums and products wrap around.
   - mean, var, std: integers and bool -> float64; float32 -> float32 (accumulated in double internally).
   - min, max keep the dtype; any, all -> bool; argmin, argmax -> int64.
   - logsumexp, softmax, log_softmax: int32/int64 -> float64, uint8/bool -> float32 (NumPy would use float16).
   Empty reductions: sum -> 0, prod -> 1, mean/var/std -> NaN, any -> false, all -> true; min, max, argmin, argmax
   and logsumexp over a zero-size axis are errors, as in NumPy. NaN propagates through min and max; argmin and
   argmax return the first NaN if there is one.

   Large reductions are split into chunks whose size depends only on the array shape, never on the thread count,
   and the partial results are combined in chunk order: results are bit-identical for any nn_set_num_threads. */

typedef enum nn_reduce_op {
  NN_REDUCE_SUM = 0,
  NN_REDUCE_MEAN,
  NN_REDUCE_PROD,
  NN_REDUCE_MIN, /* NaN-propagating (np.min) */
  NN_REDUCE_MAX,
  NN_REDUCE_ANY, /* nonzero (NaN included) is true */
  NN_REDUCE_ALL,
  NN_REDUCE_LOGSUMEXP, /* scipy.special.logsumexp */
  NN_REDUCE_VAR,       /* uses ddof: divides by N - ddof */
  NN_REDUCE_STD,
  NN_REDUCE_COUNT /* number of ops, not an op */
} nn_reduce_op;

/* Generic reduction over a set of axes (np.sum(x, axis=tuple)): axes == NULL reduces over all axes (then naxes
   must be 0); axes != NULL with naxes == 0 reduces over no axis (NumPy's axis=()); duplicate axes are an error.
   ddof is used by NN_REDUCE_VAR and NN_REDUCE_STD only. */
NNDEF nn_tensor *nn_reduce(nn_reduce_op op, const nn_tensor *x, const int *axes, int naxes, int keepdims, int ddof);

/* Single-axis forms: axis may be negative or NN_ALL_AXES (NumPy's axis=None). */
/* Sum of elements (np.sum); integer inputs give int64. */
NNDEF nn_tensor *nn_sum(const nn_tensor *x, int axis, int keepdims);
/* Arithmetic mean (np.mean); integer inputs give float64; NaN over an empty axis. */
NNDEF nn_tensor *nn_mean(const nn_tensor *x, int axis, int keepdims);
/* Product of elements (np.prod); integer inputs give int64. */
NNDEF nn_tensor *nn_prod(const nn_tensor *x, int axis, int keepdims);
/* Minimum (np.min / np.amin), NaN-propagating; error over a zero-size axis. */
NNDEF nn_tensor *nn_min(const nn_tensor *x, int axis, int keepdims);
/* Maximum (np.max / np.amax), NaN-propagating; error over a zero-size axis. */
NNDEF nn_tensor *nn_max(const nn_tensor *x, int axis, int keepdims);
/* True where any element is nonzero (np.any); bool result. */
NNDEF nn_tensor *nn_any(const nn_tensor *x, int axis, int keepdims);
/* True where all elements are nonzero (np.all); bool result. */
NNDEF nn_tensor *nn_all(const nn_tensor *x, int axis, int keepdims);
/* log(sum(exp(x))) computed stably as scipy.special.logsumexp: max + log(sum(exp(x - max))). */
NNDEF nn_tensor *nn_logsumexp(const nn_tensor *x, int axis, int keepdims);
/* Variance (np.var): mean squared deviation divided by N - ddof (inf or NaN when N - ddof <= 0, like NumPy). */
NNDEF nn_tensor *nn_var(const nn_tensor *x, int axis, int ddof, int keepdims);
/* Standard deviation (np.std): sqrt of nn_var. */
NNDEF nn_tensor *nn_std(const nn_tensor *x, int axis, int ddof, int keepdims);
/* Index of the minimum along axis (np.argmin): int64, first occurrence, the first NaN wins; NN_ALL_AXES gives an
   index into the flattened (row-major) array. */
NNDEF nn_tensor *nn_argmin(const nn_tensor *x, int axis, int keepdims);
/* Index of the maximum along axis (np.argmax); same rules as nn_argmin. */
NNDEF nn_tensor *nn_argmax(const nn_tensor *x, int axis, int keepdims);
/* Cumulative sum along axis (np.cumsum); NN_ALL_AXES works on the flattened array and gives a 1-D result. */
NNDEF nn_tensor *nn_cumsum(const nn_tensor *x, int axis);
/* Cumulative product along axis (np.cumprod); same rules as nn_cumsum. */
NNDEF nn_tensor *nn_cumprod(const nn_tensor *x, int axis);
/* exp(x - max) / sum(exp(x - max)) along axis (scipy.special.softmax, torch.softmax); float result; NN_ALL_AXES
   normalizes over all elements. */
NNDEF nn_tensor *nn_softmax(const nn_tensor *x, int axis);
/* x - max - log(sum(exp(x - max))) along axis (scipy.special.log_softmax, torch.log_softmax); float result. */
NNDEF nn_tensor *nn_log_softmax(const nn_tensor *x, int axis);
/* Softmax into an existing float32/float64 tensor of x's shape; out may be x itself (in place). */
NNDEF nn_status nn_softmax_out(nn_tensor *out, const nn_tensor *x, int axis);
/* Sum of all elements as a double (for float32 input: the double-precision accumulation, before rounding to
   float32). NaN with an error on failure. */
NNDEF double nn_sum_all(const nn_tensor *x);
/* ---- end src/ops/reduce.h ---- */
/* ---- begin src/ops/shape.h ---- */
/* ops/shape.h: joining, splitting, tiling, padding and reordering tensors (NumPy semantics).

   Axes may be negative (counted from the end). Results are new contiguous tensors, except nn_split,
   nn_array_split, nn_split_at and nn_flip, which return views sharing x's storage. Inputs may be views
   (transposed, reversed, broadcast) of any dtype. */

/* np.concatenate(ts[:n], axis): joins along an existing axis. All inputs need the same ndim and equal sizes
   outside axis; 0-d inputs are rejected. NN_ALL_AXES (axis=None) flattens every input first. The result dtype
   is nn_promote_types over all inputs (np.result_type). */
NNDEF nn_tensor *nn_concatenate(nn_tensor *const *ts, int n, int axis);
/* np.stack(ts[:n], axis): joins equal-shaped tensors along a new axis, axis in [-ndim-1, ndim]; dtypes are
   promoted as in nn_concatenate. */
NNDEF nn_tensor *nn_stack(nn_tensor *const *ts, int n, int axis);
/* np.split(x, sections, axis): out[0..sections) receive equal-length VIEWS of x; an error (like NumPy's
   "array split does not result in an equal division") when the axis length is not divisible. */
NNDEF nn_status nn_split(const nn_tensor *x, int sections, int axis, nn_tensor **out);
/* np.array_split(x, sections, axis): like nn_split but unequal sections are allowed; the first
   len % sections views get one extra element. */
NNDEF nn_status nn_array_split(const nn_tensor *x, int sections, int axis, nn_tensor **out);
/* np.split(x, indices, axis) with an index list: out[0..nindices] receive the views x[:i0], x[i0:i1], ...,
   x[i_last:] along axis; indices follow Python slice rules (negative counts from the end, clamped, a
   decreasing pair gives an empty view). */
NNDEF nn_status nn_split_at(const nn_tensor *x, const int64_t *indices, int nindices, int axis, nn_tensor **out);
/* np.tile(x, reps): repeats the whole of x reps[i] times along axis i. The result has max(x->ndim, nreps)
   dimensions: x gets leading length-1 axes, or reps leading 1s, whichever is shorter. */
NNDEF nn_tensor *nn_tile(const nn_tensor *x, const int64_t *reps, int nreps);
/* np.repeat(x, repeats, axis): repeats each element repeats times along axis (repeats >= 0).
   NN_ALL_AXES flattens x first and returns a 1-D tensor. */
NNDEF nn_tensor *nn_repeat(const nn_tensor *x, int64_t repeats, int axis);
/* np.repeat(x, repeats_array, axis): element i along axis is repeated repeats[i] times; nrepeats is the axis
   length (or 1, broadcast); NN_ALL_AXES flattens x first. */
NNDEF nn_tensor *nn_repeat_each(const nn_tensor *x, const int64_t *repeats, int64_t nrepeats, int axis);

/* Padding modes of nn_pad, as np.pad's mode strings. */
typedef enum nn_pad_mode {
  NN_PAD_CONSTANT = 0, /* 'constant': the given value */
  NN_PAD_EDGE,         /* 'edge': the edge element repeated */
  NN_PAD_REFLECT,      /* 'reflect': mirror without repeating the edge, (d c b | a b c d | c b a) */
  NN_PAD_SYMMETRIC,    /* 'symmetric': mirror repeating the edge, (c b a | a b c d | d c b) */
  NN_PAD_WRAP          /* 'wrap': the other end, (b c d | a b c d | a b c) */
} nn_pad_mode;
/* np.pad(x, ((b0,a0),(b1,a1),...), mode, constant_values=value): pad_width holds x->ndim pairs (before, after)
   of non-negative widths (NULL allowed for 0-d x). Widths larger than the axis are fine: reflect, symmetric
   and wrap continue periodically (the documented behaviour; NumPy 1.24 returns a few values out of period for
   some asymmetric wide pads, numpy#25926), and a length-1 axis pads like 'edge' in reflect mode, as NumPy does.
   A zero-length axis can only be padded in constant mode. value is converted to x's dtype. */
NNDEF nn_tensor *nn_pad(const nn_tensor *x, const int64_t *pad_width, nn_pad_mode mode, double value);
/* np.flip(x, axis): a VIEW with a negated stride along axis (no copy); NN_ALL_AXES flips every axis. */
NNDEF nn_tensor *nn_flip(const nn_tensor *x, int axis);
/* np.roll(x, shift, axis): elements move shift places along axis (negative: backwards), wrapping around;
   NN_ALL_AXES rolls the flattened tensor and keeps x's shape. Returns a new tensor. */
NNDEF nn_tensor *nn_roll(const nn_tensor *x, int64_t shift, int axis);
/* ---- end src/ops/shape.h ---- */
#ifndef NN_NO_INDEX
/* ---- begin src/ops/index.h ---- */
/* ops/index.h: integer and boolean indexing (NumPy's take/put family and PyTorch's gather/scatter family).

   Index tensors may have any integer dtype (int32, int64, uint8), any shape and any strides; float and bool
   index tensors are rejected (use the masked functions for boolean masks). Negative indices count from the
   end, as in NumPy (PyTorch rejects them); any other out-of-range index is an error naming the index, the axis
   and its size, and nothing is written. Masks must have dtype bool. Data tensors may have any dtype; values
   written into a tensor are converted to its dtype. */

/* np.take(x, indices, axis) with mode='raise': result shape x.shape[:axis] + indices.shape + x.shape[axis+1:].
   NN_ALL_AXES (axis=None) indexes the flattened x and the result has indices' shape. */
NNDEF nn_tensor *nn_take(const nn_tensor *x, const nn_tensor *indices, int axis);
/* np.take_along_axis(x, indices, axis): indices has x's ndim; out[..., j, ...] = x[..., indices[..., j, ...], ...]
   with indices and x broadcast against each other outside axis. NN_ALL_AXES: 1-D indices into the flattened x.
   Equal to torch.gather(x, axis, indices) when the shapes are equal. */
NNDEF nn_tensor *nn_take_along_axis(const nn_tensor *x, const nn_tensor *indices, int axis);
/* torch.gather(x, axis, index): the result has index's shape; index has x's ndim and, outside axis, sizes no
   larger than x's (no broadcasting, as in PyTorch). */
NNDEF nn_tensor *nn_gather(const nn_tensor *x, int axis, const nn_tensor *index);
/* torch.masked_select(x, mask) = x[mask]: the elements of x where the bool mask is true, as a 1-D tensor in
   row-major order of the broadcast shape (x and mask are broadcast against each other). */
NNDEF nn_tensor *nn_masked_select(const nn_tensor *x, const nn_tensor *mask);
/* x[mask] = value in place (torch.Tensor.masked_fill_): mask is bool and broadcastable to x's shape; value is
   converted to x's dtype. */
NNDEF nn_status nn_masked_fill(nn_tensor *x, const nn_tensor *mask, double value);
/* np.put(x, indices, values) in place: x.flat[indices[i]] = values.flat[i % values.size] (values are cycled;
   empty values write nothing). Later duplicates win. */
NNDEF nn_status nn_put(nn_tensor *x, const nn_tensor *indices, const nn_tensor *values);
/* np.put_along_axis(x, indices, values, axis) in place: x[..., indices[..., j, ...], ...] = values[..., j, ...],
   indices broadcast with x outside axis and values broadcast to that shape. Later duplicates win.
   NN_ALL_AXES: 1-D indices into the flattened x. */
NNDEF nn_status nn_put_along_axis(nn_tensor *x, const nn_tensor *indices, const nn_tensor *values, int axis);
/* torch.scatter(x, axis, index, src) as a new tensor: a copy of x with out[..., index[..., j, ...], ...] =
   src[..., j, ...] over index's shape. index has x's ndim, sizes no larger than src's and (outside axis) x's;
   src may also be 0-d (a scalar, like torch's value overload). Duplicates: the last in row-major order wins. */
NNDEF nn_tensor *nn_scatter(const nn_tensor *x, int axis, const nn_tensor *index, const nn_tensor *src);
/* torch.scatter_add(x, axis, index, src) as a new tensor: like nn_scatter but adds; duplicate indices accumulate
   in row-major index order, so results are deterministic. Bool adds as logical or; integers wrap. */
NNDEF nn_tensor *nn_scatter_add(const nn_tensor *x, int axis, const nn_tensor *index, const nn_tensor *src);
/* torch.index_add(x, axis, index, src) as a new tensor: out[..., index[i], ...] += src[..., i, ...] for the 0-d or
   1-D index; src has x's shape except src.shape[axis] == index.size. Duplicates accumulate in index order. */
NNDEF nn_tensor *nn_index_add(const nn_tensor *x, int axis, const nn_tensor *index, const nn_tensor *src);
/* np.argwhere(x): int64 tensor of shape (count, x->ndim) holding the indices of the nonzero elements in
   row-major order (NaN counts as nonzero, -0.0 as zero). */
NNDEF nn_tensor *nn_argwhere(const nn_tensor *x);
/* np.count_nonzero(x): the number of nonzero elements as a 0-d int64 tensor. */
NNDEF nn_tensor *nn_count_nonzero(const nn_tensor *x);
/* torch.nn.functional.one_hot(indices, num_classes) with a chosen dtype: shape indices.shape + (num_classes,),
   1 at each index and 0 elsewhere. num_classes < 0 means max(indices) + 1 (PyTorch's -1). A negative index or
   one >= num_classes is an error. */
NNDEF nn_tensor *nn_one_hot(const nn_tensor *indices, int64_t num_classes, nn_dtype dtype);
/* ---- end src/ops/index.h ---- */
#endif
#ifndef NN_NO_SORT
/* ---- begin src/ops/sort.h ---- */
/* ops/sort.h: sorting, ranking and searching (np.sort, np.argsort, np.unique, np.searchsorted, torch.topk).

   Order: ascending order is NumPy's, with NaNs last. Descending order is torch.sort(descending=True, stable=True):
   NaN counts as the largest value, so NaNs come first, and equal elements keep their original order (it is not
   the reverse of the ascending order). All sorts are stable (NumPy's kind='stable'), so results are unique and
   identical for any thread count. axis may be negative; NN_ALL_AXES works on the flattened array (row-major). */

/* Sorted copy of x along axis (np.sort(x, axis, kind='stable')); NN_ALL_AXES sorts the flattened array into 1-D.
   descending != 0 sorts largest first (NaNs first, ties in original order). */
NNDEF nn_tensor *nn_sort(const nn_tensor *x, int axis, int descending);
/* int64 indices that sort x along axis (np.argsort(x, axis, kind='stable')); ties keep their original order in
   both directions. NN_ALL_AXES gives flat row-major indices. */
NNDEF nn_tensor *nn_argsort(const nn_tensor *x, int axis, int descending);
/* Sorted unique values of the flattened x (np.unique, NumPy 1.24's equal_nan=True: all NaNs become one NaN at the
   end). counts and inverse are optional outputs (NULL to skip), int64: counts[i] = occurrences of value i, and
   inverse (x's size, flat) holds for each element of x the position of its value in the result. -0.0 and 0.0 are
   one value, represented by whichever comes first in x (NumPy leaves that choice to an unstable sort). */
NNDEF nn_tensor *nn_unique(const nn_tensor *x, nn_tensor **counts, nn_tensor **inverse);
/* int64 insertion points of values into the 1-D ascending array sorted (np.searchsorted; right = 0: side='left',
   first i with sorted[i] >= v; right != 0: side='right', first i with sorted[i] > v). Result has values' shape.
   Both inputs are compared in their promoted dtype; NaNs order last, as np.sort leaves them. */
NNDEF nn_tensor *nn_searchsorted(const nn_tensor *sorted, const nn_tensor *values, int right);
/* The k largest (largest != 0) or smallest elements along axis, sorted (torch.topk(sorted=True)): values has x's
   dtype, indices int64, both x's shape with axis replaced by k. Equal elements come in original order; NaN counts
   as the largest value. Either output may be NULL (not wanted); 0 <= k <= size of axis. NN_ALL_AXES flattens. */
NNDEF nn_status nn_topk(const nn_tensor *x, int64_t k, int axis, int largest, nn_tensor **values, nn_tensor **indices);
/* ---- end src/ops/sort.h ---- */
#endif
/* ---- begin src/ops/matmul.h ---- */
/* ops/matmul.h: matrix products (BLAS-style GEMM, np.matmul, np.dot, np.outer, np.inner, np.trace).

   float32 and float64 products run on a packed, blocked, multi-threaded GEMM; results are bit-identical for any
   number of threads. Integer products wrap on overflow as NumPy's do. */

/* BLAS-style GEMM, row-major: C = alpha * op(A) op(B) + beta * C, op(X) = X or X^T (trans nonzero).
   op(A) is M x K, op(B) is K x N, C is M x N. lda/ldb/ldc are row strides in elements: lda >= max(1, columns of A
   as stored) (K if !trans_a else M), ldb >= max(1, N if !trans_b else K), ldc >= max(1, N). beta == 0 means C is not
   read (NaN in C does not propagate); alpha == 0 or K == 0 means A and B are not read. Errors (negative sizes,
   leading dimension too small, NULL with nonzero size) return NN_ERR_ARG with a message; NN_ERR_OOM if the packing
   buffers cannot be allocated. */
NNDEF nn_status nn_sgemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                         int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
/* nn_sgemm for float64. */
NNDEF nn_status nn_dgemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double *A,
                         int64_t lda, const double *B, int64_t ldb, double beta, double *C, int64_t ldc);

/* np.matmul(a, b): 1-D a is a row (k,) -> (1,k) and 1-D b a column, the added axis removed from the result;
   N-d operands are stacks of matrices in the last two axes with NumPy-broadcast batch axes; the result dtype is
   nn_promote_types(a, b) (bool @ bool is bool: any(a and b)). 0-d operands are an error. Any strides work:
   transposed views are used in place, other layouts copied. */
NNDEF nn_tensor *nn_matmul(const nn_tensor *a, const nn_tensor *b);
/* np.matmul(a, b, out=out): out must have the result's shape; its dtype may differ (values are converted). */
NNDEF nn_status nn_matmul_out(nn_tensor *out, const nn_tensor *a, const nn_tensor *b);
/* np.dot(a, b): 0-d operand -> a * b; 1-D . 1-D -> 0-d inner product; otherwise sums over the last axis of a and
   the second-to-last axis of b (the last of b if b is 1-D): result shape a.shape[:-1] + b.shape[:-2] + b.shape[-1:]. */
NNDEF nn_tensor *nn_dot(const nn_tensor *a, const nn_tensor *b);
/* np.outer(a, b): both flattened; result[i, j] = a[i] * b[j], shape (a.size, b.size). */
NNDEF nn_tensor *nn_outer(const nn_tensor *a, const nn_tensor *b);
/* np.inner(a, b): 0-d operand -> a * b; otherwise sums over the last axes: shape a.shape[:-1] + b.shape[:-1]. */
NNDEF nn_tensor *nn_inner(const nn_tensor *a, const nn_tensor *b);
/* np.trace(a) of a 2-D array: sum of the main diagonal as a 0-d tensor. float32/float64 keep their dtype (summed in
   double); integer and bool inputs give int64 (NumPy gives uint64 for uint8). */
NNDEF nn_tensor *nn_trace(const nn_tensor *a);
/* ---- end src/ops/matmul.h ---- */
#ifndef NN_NO_CONV
/* ---- begin src/ops/conv.h ---- */
/* ops/conv.h: convolutions, their gradients, im2col/col2im and pooling (torch.nn.functional semantics).

   Layout is PyTorch's: 2-D ops take x (N, C, H, W) and 1-D ops x (N, C, L); only these batched shapes are accepted.
   Inputs are float32 or float64 (all tensor arguments of one call share the dtype), of any strides; results are new
   contiguous tensors of that dtype. Convolutions run as im2col + GEMM, split over images (and blocks of output rows)
   in chunks that depend only on the sizes, so results are bit-identical for any number of threads.

   Parameters come in an nn_conv_params; a NULL pointer or zero fields mean the defaults. For 1-D ops only element
   [0] of stride, padding and dilation is used. Negative values are errors. */

typedef struct nn_conv_params {
  int stride[2];   /* (h, w). Convolution, im2col: 0 means 1. Pooling: 0 means the kernel size (PyTorch's default) */
  int padding[2];  /* symmetric zero padding (pooling: at most half the kernel size; max pooling pads with -inf) */
  int dilation[2]; /* 0 means 1 (average pooling accepts only 1) */
  int groups;      /* convolutions only: 0 means 1; must divide both channel counts. im2col/pooling: must be 0 or 1 */
  int same;        /* nonzero: padding="same" (output size = input size; stride must be 1 and padding 0). The total
                      padding dilation*(k-1) is split with the extra element at the end (bottom/right), as PyTorch.
                      Convolutions and im2col/col2im only */
} nn_conv_params;

/* F.conv2d(x, w, b, stride, padding, dilation, groups): x (N, C_in, H, W), w (C_out, C_in/groups, kH, kW), b (C_out,)
   or NULL -> (N, C_out, H_out, W_out), H_out = (H + 2*pad - dil*(kH-1) - 1) / stride + 1 (floor). */
NNDEF nn_tensor *nn_conv2d(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b, const nn_conv_params *p);
/* Gradient of nn_conv2d with respect to x: dy has the forward output's shape, x_shape is x's (N, C_in, H, W) (4
   values, which also settle the sizes a strided convolution leaves ambiguous) -> dL/dx of shape x_shape. */
NNDEF nn_tensor *nn_conv2d_backward_input(const nn_tensor *dy, const nn_tensor *w, const int64_t *x_shape,
                                          const nn_conv_params *p);
/* Gradient of nn_conv2d with respect to the weight: dy and x as in the forward call, w_shape the weight's 4 sizes ->
   dL/dw of shape w_shape. If db != NULL, *db gets dL/db = dy summed over N, H, W (shape (C_out,)), or NULL on error. */
NNDEF nn_tensor *nn_conv2d_backward_weight(const nn_tensor *dy, const nn_tensor *x, const int64_t *w_shape,
                                           const nn_conv_params *p, nn_tensor **db);
/* F.conv1d(x, w, b, stride, padding, dilation, groups): x (N, C_in, L), w (C_out, C_in/groups, k), b (C_out,) or NULL
   -> (N, C_out, L_out). */
NNDEF nn_tensor *nn_conv1d(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b, const nn_conv_params *p);
/* Gradient of nn_conv1d with respect to x; x_shape is x's (N, C_in, L) (3 values). */
NNDEF nn_tensor *nn_conv1d_backward_input(const nn_tensor *dy, const nn_tensor *w, const int64_t *x_shape,
                                          const nn_conv_params *p);
/* Gradient of nn_conv1d with respect to the weight (w_shape: 3 values) and, if db != NULL, the bias (into *db). */
NNDEF nn_tensor *nn_conv1d_backward_weight(const nn_tensor *dy, const nn_tensor *x, const int64_t *w_shape,
                                           const nn_conv_params *p, nn_tensor **db);

/* F.unfold(x, (kh, kw), dilation, padding, stride): x (N, C, H, W) -> (N, C*kh*kw, L), L = H_out*W_out; row
   (c*kh + i)*kw + j holds the input element under kernel tap (i, j) of channel c for each output position. */
NNDEF nn_tensor *nn_im2col(const nn_tensor *x, int kh, int kw, const nn_conv_params *p);
/* F.fold(cols, (H, W), (kh, kw), dilation, padding, stride): cols (N, C*kh*kw, L) -> x_shape (N, C, H, W) (4
   values), each entry added into the input position it was taken from (overlaps sum): the adjoint of nn_im2col. */
NNDEF nn_tensor *nn_col2im(const nn_tensor *cols, const int64_t *x_shape, int kh, int kw, const nn_conv_params *p);

/* F.max_pool2d(x, (kh, kw), stride, padding, dilation, return_indices=True): x (N, C, H, W) -> (N, C, H_out, W_out).
   Zero stride means stride = kernel size. NaN propagates. If argmax != NULL, *argmax gets an int64 tensor of the
   output's shape with the flat index h*W + w of each maximum within its (n, c) plane (-1 for a window that covers
   only padding, which dilation can cause), or NULL on error. */
NNDEF nn_tensor *nn_max_pool2d(const nn_tensor *x, int kh, int kw, const nn_conv_params *p, nn_tensor **argmax);
/* Gradient of nn_max_pool2d: dy and argmax (int64) of the output's shape, x_shape the input's 4 sizes -> dL/dx, each
   dy element added at its argmax position (-1 entries are skipped, other out-of-range indices are an error). */
NNDEF nn_tensor *nn_max_pool2d_backward(const nn_tensor *dy, const nn_tensor *argmax, const int64_t *x_shape);
/* F.avg_pool2d(x, (kh, kw), stride, padding) with count_include_pad=True, ceil_mode=False: every window sum is
   divided by kh*kw (padding counts as zeros). Zero stride means stride = kernel size. */
NNDEF nn_tensor *nn_avg_pool2d(const nn_tensor *x, int kh, int kw, const nn_conv_params *p);
/* Gradient of nn_avg_pool2d: dy of the output's shape, x_shape the input's 4 sizes -> dL/dx. */
NNDEF nn_tensor *nn_avg_pool2d_backward(const nn_tensor *dy, const int64_t *x_shape, int kh, int kw,
                                        const nn_conv_params *p);
/* F.max_pool1d(x, k, stride, padding, dilation, return_indices=True): x (N, C, L) -> (N, C, L_out); *argmax (if
   argmax != NULL) gets the int64 index within L of each maximum. Zero stride means stride = k. */
NNDEF nn_tensor *nn_max_pool1d(const nn_tensor *x, int k, const nn_conv_params *p, nn_tensor **argmax);
/* Gradient of nn_max_pool1d: dy and argmax of the output's shape, x_shape the input's 3 sizes -> dL/dx. */
NNDEF nn_tensor *nn_max_pool1d_backward(const nn_tensor *dy, const nn_tensor *argmax, const int64_t *x_shape);
/* F.avg_pool1d(x, k, stride, padding) with count_include_pad=True: x (N, C, L) -> (N, C, L_out). */
NNDEF nn_tensor *nn_avg_pool1d(const nn_tensor *x, int k, const nn_conv_params *p);
/* Gradient of nn_avg_pool1d: dy of the output's shape, x_shape the input's 3 sizes -> dL/dx. */
NNDEF nn_tensor *nn_avg_pool1d_backward(const nn_tensor *dy, const int64_t *x_shape, int k, const nn_conv_params *p);
/* ---- end src/ops/conv.h ---- */
#endif
#ifndef NN_NO_PRINT
/* ---- begin src/core/print.h ---- */
/* core/print.h: printing tensors the way NumPy 1.24's repr() does, e.g.
     array([[1., 2., 3.],
            [4., 5., 6.]], dtype=float32)
   Implemented rules: dtype= is left out for float64, int64 and bool (and always shown for empty arrays); floats use
   one format for the whole array: the shortest digits that round-trip (float32 judged as float32) with at most
   `precision` decimals, trailing zeros dropped ("1.", "0.5"), padded so the decimal points line up; scientific
   notation when the largest magnitude is >= 1e8, or (unless suppress) the smallest non-zero one is < 1e-4 or the
   ratio of the two exceeds 1e3, with every mantissa given as many decimals as the longest one needs (the extra
   digits are the value's exact ones, as Dragon4's min_digits gives); nan/inf/-inf; integers right-aligned;
   bools True/False; arrays with more than
   `threshold` elements show `edgeitems` items at each end of every axis around "..."; lines wrap at `linewidth`;
   0-d arrays print as array(3.5); empty ones as array([], dtype=float32) or array([], shape=(2, 0), dtype=...).
   Left out: NumPy's other float modes (floatmode), sign=' '/'+', and legacy=1.13 output. The decimal point is
   always '.', whatever the C locale. */

typedef struct nn_print_options {
  int precision;     /* most digits after the decimal point (NumPy: 8); values above 100 count as 100 */
  int64_t threshold; /* summarize arrays with more elements than this (NumPy: 1000) */
  int edgeitems;     /* items shown at each end of a summarized axis (NumPy: 3) */
  int linewidth;     /* characters per line (NumPy: 75) */
  int suppress;      /* nonzero: no scientific notation for small values; they round to 0. (NumPy: False) */
} nn_print_options; /* zero fields mean NumPy's defaults: precision 8, threshold 1000, edgeitems 3, linewidth 75 */

/* Writes repr(t) and a newline to stdout, like print(repr(a)) in NumPy. */
NNDEF nn_status nn_print(const nn_tensor *t);
/* Writes repr(t) and a newline to f; opt may be NULL (NumPy's defaults). */
NNDEF nn_status nn_fprint(FILE *f, const nn_tensor *t, const nn_print_options *opt);
/* repr(t) (no newline) into buf, snprintf-like: returns the full length needed, writes at most cap-1 chars + NUL
   (buf may be NULL when cap is 0); -1 on error. opt may be NULL. */
NNDEF int nn_to_string(const nn_tensor *t, char *buf, size_t cap, const nn_print_options *opt);
/* ---- end src/core/print.h ---- */
#endif
/* ---- begin src/autograd/autograd.h ---- */
/* autograd/autograd.h: reverse-mode automatic differentiation (define-by-run, like PyTorch's autograd).

   Mark the leaves you want gradients for with nn_requires_grad(w, 1). While grad mode is on (the default), every
   differentiable op whose inputs require gradients records a node that remembers what its backward pass needs, and
   its result requires gradients too. nn_backward(loss, NULL) walks the recorded graph from a scalar loss and adds
   d loss / d leaf into each leaf's gradient (nn_grad(w)), accumulating across calls until nn_zero_grad(w).

   Memory: a node belongs to the tensors it produced. Freeing those tensors (nn_free, or nn_scope_end for a scope
   that owns them) frees the graph, so a training step inside nn_scope_begin/nn_scope_end leaves nothing behind.
   A leaf owns its gradient: nn_grad(w) is borrowed, valid until nn_zero_grad(w) or nn_free(w).
   By default nn_backward frees what the graph saved for the backward pass; a second backward through the same graph
   is an error unless the first one passed retain_graph = 1.

   The _out forms of the ops (nn_binary_out, nn_matmul_out, ...) never record: they are for inference, optimizers
   and code inside nn_no_grad_begin/nn_no_grad_end. A graph belongs to the thread that built it. */

/* Marks a leaf as needing gradients (on = 1) or not. Only float32/float64 tensors can require gradients; a tensor
   produced by a recorded op is not a leaf (use nn_detach to get one). */
NNDEF nn_status nn_requires_grad(nn_tensor *t, int on);
/* 1 when gradients flow to or through t (a marked leaf or the result of a recorded op). */
NNDEF int nn_requires_grad_get(const nn_tensor *t);
/* 1 for a leaf: a tensor that no recorded op produced. */
NNDEF int nn_is_leaf(const nn_tensor *t);
/* Back-propagates from t. grad is d(something)/dt with t's shape, or NULL when t has one element (then 1).
   Adds the gradients into the leaves' .grad and frees the graph's saved tensors. */
NNDEF nn_status nn_backward(nn_tensor *t, const nn_tensor *grad);
/* nn_backward with retain_graph = 1 keeping the graph usable for another backward. */
NNDEF nn_status nn_backward_ex(nn_tensor *t, const nn_tensor *grad, int retain_graph);
/* The accumulated gradient of a leaf (borrowed: owned by t), or NULL when none has been computed. */
NNDEF nn_tensor *nn_grad(const nn_tensor *t);
/* Drops the gradient of t (PyTorch's zero_grad(set_to_none=True)); the next backward starts from zero. */
NNDEF void nn_zero_grad(nn_tensor *t);
/* Turns recording on or off for this thread (torch.set_grad_enabled); returns the previous setting. */
NNDEF int nn_set_grad_enabled(int enabled);
/* 1 when ops record on this thread. */
NNDEF int nn_is_grad_enabled(void);
/* A no-grad region (torch.no_grad()): ops between begin and end record nothing. Regions nest. */
NNDEF void nn_no_grad_begin(void);
NNDEF void nn_no_grad_end(void);
/* A view of t's data that is a leaf without gradient history (tensor.detach()). */
NNDEF nn_tensor *nn_detach(const nn_tensor *t);

/* Gradient check (torch.autograd.gradcheck): f maps the n inputs to a tensor; the check compares the gradients
   that nn_backward computes for sum(f(inputs) * w), with w a fixed random tensor, against central finite differences
   with step eps, per element: |analytic - numeric| <= atol + rtol |numeric|. Inputs should be float64 leaves
   requiring gradients. Returns NN_OK, or NN_ERR_VALUE with a message naming the input, the element and both values. */
typedef nn_tensor *(*nn_grad_fn)(nn_tensor *const *inputs, int n, void *ctx);
NNDEF nn_status nn_gradcheck(nn_grad_fn f, void *ctx, nn_tensor *const *inputs, int n, double eps, double atol,
                             double rtol);

/* Custom differentiable ops. backward receives the gradient of the output and fills grads[i] with a new tensor for
   each input i that needs one (broadcast shapes are summed back and dtypes converted for you), or leaves it NULL.
   saved[] are the tensors given to nn_custom_op (the op keeps them alive), ctx is passed through untouched. */
typedef nn_status (*nn_backward_fn)(const nn_tensor *grad_out, nn_tensor *const *saved, int nsaved, void *ctx,
                                    nn_tensor **grads, int ninputs);
/* Records output as computed from inputs by a user's op: output (already computed, e.g. under nn_no_grad_begin)
   gets a node whose backward is fn. Returns output, or NULL on error (output is then freed). Does nothing when
   grad mode is off or no input requires gradients. */
NNDEF nn_tensor *nn_custom_op(const char *name, nn_tensor *output, nn_tensor *const *inputs, int ninputs,
                              nn_tensor *const *saved, int nsaved, nn_backward_fn fn, void *ctx);
/* ---- end src/autograd/autograd.h ---- */
/* ---- begin src/nn/layers.h ---- */
/* nn/layers.h: Keras/PyTorch-style layers. */
/* ---- end src/nn/layers.h ---- */
/* ---- begin src/nn/losses.h ---- */
/* nn/losses.h: loss functions. */
/* ---- end src/nn/losses.h ---- */
/* ---- begin src/nn/optim.h ---- */
/* nn/optim.h: optimizers, gradient clipping and learning-rate schedules. */
/* ---- end src/nn/optim.h ---- */
/* ---- begin src/io/io.h ---- */
/* io/io.h: reading and writing data files. */
/* ---- end src/io/io.h ---- */

#ifdef __cplusplus
}
#endif

#endif /* NN_INCLUDE_NN_H */

/* ======================================================================================================== */
/*                                           IMPLEMENTATION                                                  */
/* ======================================================================================================== */
#if defined(NN_IMPLEMENTATION) && !defined(NN_IMPLEMENTATION_INCLUDED)
#define NN_IMPLEMENTATION_INCLUDED

/* ---- begin src/base/impl_config.h ---- */
/* base/impl_config.h: options and helpers seen only by the implementation translation unit. */

#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>
#include <limits.h>
#include <stdarg.h>

/* Allocation hooks: define all three or none (as stb does). NN_MALLOC must return memory aligned for any C type;
   the library aligns large buffers itself on top of it. */
#if defined(NN_MALLOC) || defined(NN_REALLOC) || defined(NN_FREE)
#if !defined(NN_MALLOC) || !defined(NN_REALLOC) || !defined(NN_FREE)
#error "nn.h: define all of NN_MALLOC, NN_REALLOC and NN_FREE, or none of them"
#endif
#else
#define NN_MALLOC(sz) malloc(sz)
#define NN_REALLOC(p, sz) realloc(p, sz)
#define NN_FREE(p) free(p)
#endif

/* NN_ASSERT checks internal invariants only; user mistakes are reported as errors, never asserted. */
#ifndef NN_ASSERT
#include <assert.h>
#define NN_ASSERT(x) assert(x)
#endif

/* Private functions: static, and unused ones do not warn (a user may compile parts out). */
#if defined(__GNUC__) || defined(__clang__)
#define NN__PRIVATE __attribute__((unused)) static
#define NN__LIKELY(x) __builtin_expect(!!(x), 1)
#define NN__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NN__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define NN__PRIVATE static
#define NN__LIKELY(x) (x)
#define NN__UNLIKELY(x) (x)
#define NN__PRINTF(a, b)
#endif

/* Thread-local storage for the per-thread error message and scope stack (the chain stb_image uses). */
#ifndef NN_THREAD_LOCAL
#if defined(NN_NO_THREAD_LOCALS)
#define NN_THREAD_LOCAL
#elif defined(__cplusplus) && __cplusplus >= 201103L
#define NN_THREAD_LOCAL thread_local
#elif defined(__TINYC__)
#define NN_THREAD_LOCAL /* tcc has no TLS; it also builds without threads */
#elif defined(__GNUC__) || defined(__clang__)
#define NN_THREAD_LOCAL __thread
#elif defined(_MSC_VER)
#define NN_THREAD_LOCAL __declspec(thread)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_THREADS__)
#define NN_THREAD_LOCAL _Thread_local
#else
#define NN_THREAD_LOCAL
#endif
#endif

/* SIMD on x86-64 is chosen per function at run time (target attributes + CPUID), so plain `cc -O2` gets AVX2/AVX-512. */
#if !defined(NN_NO_SIMD) && (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__aarch64__))
#define NN__SIMD 1
#if defined(__x86_64__)
#define NN__X86 1
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#define NN__ARM64 1
#endif
#else
#define NN__SIMD 0
#endif
/* The baseline 128-bit vector kernels (GCC/Clang vector extensions): NEON on arm64. On x86-64 every CPU since 2013-15
   has AVX2, so the SSE2 versions are left out unless NN_SIMD_SSE2 is defined: they would only add compile time. */
#if NN__SIMD && (defined(NN__ARM64) || defined(NN_SIMD_SSE2))
#define NN__SIMD_BASE 1
#else
#define NN__SIMD_BASE 0
#endif

#define NN__MIN(a, b) ((a) < (b) ? (a) : (b))
#define NN__MAX(a, b) ((a) > (b) ? (a) : (b))
/* ---- end src/base/impl_config.h ---- */
/* ---- begin src/base/status.c ---- */
/* base/status.c: the per-thread error slot. */

#define NN__ERRBUF 1024
static NN_THREAD_LOCAL char nn__errbuf[NN__ERRBUF];
static NN_THREAD_LOCAL nn_status nn__errstatus = NN_OK;

NNDEF const char *nn_error(void) { return nn__errbuf; }
NNDEF nn_status nn_last_status(void) { return nn__errstatus; }
NNDEF void nn_clear_error(void) {
  nn__errbuf[0] = 0;
  nn__errstatus = NN_OK;
}
NNDEF const char *nn_version(void) { return NN_VERSION_STRING; }

NNDEF const char *nn_status_string(nn_status s) {
  switch (s) {
#define NN__STATUS_CASE(name, value, text) \
  case name:                               \
    return text;
    NN__STATUS_LIST(NN__STATUS_CASE)
#undef NN__STATUS_CASE
    default:
      return "unknown status";
  }
}

/* Records an error and returns the status, so callers can write `return nn__fail(NN_ERR_ARG, "...")`. */
NN__PRIVATE nn_status nn__fail(nn_status st, const char *fmt, ...) NN__PRINTF(2, 3);
NN__PRIVATE nn_status nn__fail(nn_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(nn__errbuf, NN__ERRBUF, fmt, ap);
  va_end(ap);
  nn__errstatus = st;
  return st;
}

/* A NULL tensor argument usually means an earlier call failed; keep that cause in the message. */
NN__PRIVATE nn_status nn__fail_null(const char *op, const char *arg) {
  char prev[NN__ERRBUF / 2];
  if (nn__errstatus != NN_OK && nn__errbuf[0]) {
    size_t n = strlen(nn__errbuf);
    if (n >= sizeof prev) n = sizeof prev - 1;
    memcpy(prev, nn__errbuf, n);
    prev[n] = 0;
    return nn__fail(NN_ERR_NULL, "%s: argument '%s' is NULL (most recent error: %s)", op, arg, prev);
  }
  return nn__fail(NN_ERR_NULL, "%s: argument '%s' is NULL", op, arg);
}

/* Formats a shape as NumPy does: (2,3) and (4,) and (). Returns buf. */
NN__PRIVATE const char *nn__fmt_shape(char *buf, size_t cap, const int64_t *shape, int ndim) {
  size_t k = 0;
  int i;
  if (cap < 4) return "";
  buf[k++] = '(';
  for (i = 0; i < ndim && k + 24 < cap; i++) {
    int w = snprintf(buf + k, cap - k, "%s%lld", i ? "," : "", (long long)shape[i]);
    if (w > 0) k += (size_t)w;
  }
  if (ndim == 1 && k + 2 < cap) buf[k++] = ',';
  buf[k++] = ')';
  buf[k] = 0;
  return buf;
}
/* ---- end src/base/status.c ---- */
/* ---- begin src/base/threads.c ---- */
/* base/threads.c: a small fork-join pool. The calling thread takes part in the work; workers spin briefly before
   sleeping so back-to-back kernels do not pay a wake-up each. Nested or concurrent calls run on the caller. */

typedef void (*nn__task_fn)(void *ctx, int64_t chunk);

#if !defined(NN_NO_THREADS)
#if defined(_WIN32)
#include <windows.h>
typedef HANDLE nn__thread_t;
typedef CRITICAL_SECTION nn__mutex_t;
typedef CONDITION_VARIABLE nn__cond_t;
#define nn__mutex_init(m) InitializeCriticalSection(m)
#define nn__mutex_lock(m) EnterCriticalSection(m)
#define nn__mutex_trylock(m) (TryEnterCriticalSection(m) ? 0 : 1)
#define nn__mutex_unlock(m) LeaveCriticalSection(m)
#define nn__cond_init(c) InitializeConditionVariable(c)
#define nn__cond_wait(c, m) SleepConditionVariableCS(c, m, INFINITE)
#define nn__cond_broadcast(c) WakeAllConditionVariable(c)
#define nn__pause() YieldProcessor()
#define nn__yield() SwitchToThread()
#define nn__load_acq(p) InterlockedCompareExchange64((volatile LONG64 *)(p), 0, 0)
#define nn__fetch_add(p, v) InterlockedExchangeAdd64((volatile LONG64 *)(p), (v))
#else
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#define nn__yield() sched_yield()
typedef pthread_t nn__thread_t;
typedef pthread_mutex_t nn__mutex_t;
typedef pthread_cond_t nn__cond_t;
#define nn__mutex_init(m) pthread_mutex_init(m, NULL)
#define nn__mutex_lock(m) pthread_mutex_lock(m)
#define nn__mutex_trylock(m) pthread_mutex_trylock(m)
#define nn__mutex_unlock(m) pthread_mutex_unlock(m)
#define nn__cond_init(c) pthread_cond_init(c, NULL)
#define nn__cond_wait(c, m) pthread_cond_wait(c, m)
#define nn__cond_broadcast(c) pthread_cond_broadcast(c)
#if defined(__x86_64__) || defined(__i386__)
#define nn__pause() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define nn__pause() __asm__ __volatile__("yield")
#else
#define nn__pause() ((void)0)
#endif
#define nn__load_acq(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define nn__fetch_add(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)
#endif

#define NN__MAX_THREADS 256

typedef struct nn__pool {
  int started, nworkers;
  nn__thread_t th[NN__MAX_THREADS];
  nn__mutex_t mu, run_mu;
  nn__cond_t cv;
  nn__task_fn fn;
  void *ctx;
  int64_t nchunks;
  int64_t next;    /* next chunk to take */
  int64_t pending; /* workers still inside the current job */
  int64_t gen;     /* job generation; bumped to start a job */
  int64_t quit;
} nn__pool;

static nn__pool nn__the_pool;
static int nn__num_threads = 0; /* 0: not decided yet */
static int nn__pool_once = 0;
static NN_THREAD_LOCAL int nn__in_worker = 0;

NN__PRIVATE int nn__default_threads(void) {
  const char *e = getenv("NN_NUM_THREADS");
  int n = e ? atoi(e) : 0;
  if (n > 0) return n < NN__MAX_THREADS ? n : NN__MAX_THREADS;
#if defined(_WIN32)
  {
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    n = (int)si.dwNumberOfProcessors;
  }
#elif defined(_SC_NPROCESSORS_ONLN)
  n = (int)sysconf(_SC_NPROCESSORS_ONLN);
#endif
  if (n < 1) n = 1;
  return n < NN__MAX_THREADS ? n : NN__MAX_THREADS;
}

NN__PRIVATE void nn__pool_work(nn__pool *p) {
  for (;;) {
    int64_t c = nn__fetch_add(&p->next, 1);
    if (c >= p->nchunks) break;
    p->fn(p->ctx, c);
  }
}

#if defined(_WIN32)
static DWORD WINAPI nn__worker_main(LPVOID arg)
#else
static void *nn__worker_main(void *arg)
#endif
{
  nn__pool *p = (nn__pool *)arg;
  int64_t seen = 0;
  nn__in_worker = 1;
  for (;;) {
    int spin;
    int64_t g = nn__load_acq(&p->gen);
    /* spin briefly, then yield (another process may want this core), then sleep */
    for (spin = 0; g == seen && spin < 20000; spin++) {
      if (spin < 4000) nn__pause();
      else nn__yield();
      g = nn__load_acq(&p->gen);
    }
    if (g == seen) {
      nn__mutex_lock(&p->mu);
      while ((g = nn__load_acq(&p->gen)) == seen) nn__cond_wait(&p->cv, &p->mu);
      nn__mutex_unlock(&p->mu);
    }
    seen = g;
    if (nn__load_acq(&p->quit)) break;
    nn__pool_work(p);
    nn__fetch_add(&p->pending, -1);
  }
#if defined(_WIN32)
  return 0;
#else
  return NULL;
#endif
}

NN__PRIVATE void nn__pool_stop(void) {
  nn__pool *p = &nn__the_pool;
  int i;
  if (!p->started) return;
  nn__mutex_lock(&p->mu);
  nn__fetch_add(&p->quit, 1);
  nn__fetch_add(&p->gen, 1);
  nn__cond_broadcast(&p->cv);
  nn__mutex_unlock(&p->mu);
  for (i = 0; i < p->nworkers; i++) {
#if defined(_WIN32)
    WaitForSingleObject(p->th[i], INFINITE);
    CloseHandle(p->th[i]);
#else
    pthread_join(p->th[i], NULL);
#endif
  }
  p->started = 0;
  p->nworkers = 0;
  p->quit = 0;
}

NN__PRIVATE void nn__pool_start(int nthreads) {
  nn__pool *p = &nn__the_pool;
  int i;
  if (!nn__pool_once) {
    nn__mutex_init(&p->mu);
    nn__mutex_init(&p->run_mu);
    nn__cond_init(&p->cv);
    nn__pool_once = 1;
  }
  p->gen = 0;
  p->quit = 0;
  p->nworkers = 0;
  for (i = 0; i < nthreads - 1; i++) {
#if defined(_WIN32)
    p->th[i] = CreateThread(NULL, 0, nn__worker_main, p, 0, NULL);
    if (!p->th[i]) break;
#else
    if (pthread_create(&p->th[i], NULL, nn__worker_main, p) != 0) break;
#endif
    p->nworkers++;
  }
  p->started = 1;
}

NNDEF void nn_set_num_threads(int n) {
  if (n < 1) n = nn__default_threads();
  if (n > NN__MAX_THREADS) n = NN__MAX_THREADS;
  if (n == nn__num_threads) return;
  if (nn__the_pool.started) nn__pool_stop();
  nn__num_threads = n;
}

NNDEF int nn_get_num_threads(void) {
  if (nn__num_threads == 0) nn__num_threads = nn__default_threads();
  return nn__num_threads;
}

/* Runs fn(ctx, c) for c in [0, nchunks). Chunk boundaries are the caller's, so results never depend on threads. */
NN__PRIVATE void nn__parallel_for(int64_t nchunks, nn__task_fn fn, void *ctx) {
  nn__pool *p = &nn__the_pool;
  int64_t c;
  int nt = nn_get_num_threads();
  if (nchunks <= 0) return;
  if (nt <= 1 || nchunks == 1 || nn__in_worker) goto serial;
  if (!p->started) {
    if (!nn__pool_once) {
      nn__mutex_init(&p->mu);
      nn__mutex_init(&p->run_mu);
      nn__cond_init(&p->cv);
      nn__pool_once = 1;
    }
    nn__mutex_lock(&p->run_mu);
    if (!p->started) nn__pool_start(nt);
    nn__mutex_unlock(&p->run_mu);
  }
  if (p->nworkers == 0 || nn__mutex_trylock(&p->run_mu) != 0) goto serial;
  p->fn = fn;
  p->ctx = ctx;
  p->nchunks = nchunks;
  p->next = 0;
  p->pending = p->nworkers;
  nn__mutex_lock(&p->mu);
  nn__fetch_add(&p->gen, 1);
  nn__cond_broadcast(&p->cv);
  nn__mutex_unlock(&p->mu);
  nn__in_worker = 1;
  nn__pool_work(p);
  nn__in_worker = 0;
  {
    /* a worker may be descheduled; yielding lets it finish instead of burning our slice */
    int spin = 0;
    while (nn__load_acq(&p->pending) > 0) {
      if (++spin < 2000) nn__pause();
      else nn__yield();
    }
  }
  nn__mutex_unlock(&p->run_mu);
  return;
serial:
  for (c = 0; c < nchunks; c++) fn(ctx, c);
}

#else /* NN_NO_THREADS */

typedef int nn__pool_unused_t;
NNDEF void nn_set_num_threads(int n) { (void)n; }
NNDEF int nn_get_num_threads(void) { return 1; }
NN__PRIVATE void nn__parallel_for(int64_t nchunks, nn__task_fn fn, void *ctx) {
  int64_t c;
  for (c = 0; c < nchunks; c++) fn(ctx, c);
}

#endif
/* ---- end src/base/threads.c ---- */
/* ---- begin src/autograd/node.h ---- */
/* autograd/node.h (private): the graph node and the calls an op makes to record itself.

   Included before the ops so that they can record; the engine (autograd/engine.c) and the backward formulas
   (autograd/grad_*.c) come after them in the manifest. How an op records (see grad_elementwise.c for examples):

       res = ...compute the result as usual...;
       if (res && nn__ag_wanted2(a, b)) res = nn__grad_record_xxx(res, a, b, ...);   (frees res on failure)

   where the recording function does
       nn__node *n = nn__ag_node("nn_mul", backward_fn, 2, inputs);   (NULL + error on failure)
       nn__ag_save(n, 0, a); ...; n->i[0] = axis; ...
       return nn__ag_attach(n, res);

   Backward functions run with grad mode off inside a scope of the engine. They get the gradient of the output
   (gout, the output's shape) and set gin[i] to a new tensor for each input i whose edge is live (n->in[i].node !=
   NULL); the engine sums broadcast dimensions back to the input's shape and converts to its dtype. They return
   NN_OK or an error status (with a message). */

typedef struct nn__node nn__node;
typedef nn_status (*nn__backward_fn)(nn__node *n, const nn_tensor *gout, nn_tensor **gin);

#define NN__AG_SAVED 6

typedef struct nn__edge {
  nn__node *node; /* the node that produced input i (an accumulate node for a leaf); NULL: no gradient needed */
  nn_dtype dtype; /* input i's dtype and shape, to fit its gradient */
  int ndim;
  int64_t shape[NN_MAX_DIMS];
} nn__edge;

struct nn__node {
  const char *name; /* the recording op, for messages */
  nn__backward_fn backward;
  long refs; /* the tensors it produced + the nodes that consume it */
  int nin;
  nn__edge *in;
  nn_tensor *saved[NN__AG_SAVED]; /* private headers (in no scope) sharing the saved tensors' storage */
  double d[4];                    /* op parameters */
  int64_t i[2 * NN_MAX_DIMS + 4];
  void *extra; /* op-specific data freed with free_extra (NN_FREE when NULL) */
  void (*free_extra)(void *);
  nn_tensor *leaf; /* accumulate nodes only: the leaf whose .grad they fill (cleared when the leaf is freed) */
  int is_leaf;
  int released; /* backward ran without retain_graph: saved tensors are gone */
  /* engine state during one backward */
  nn_tensor *gacc;
  unsigned long mark;
  nn__node *link; /* free list / work stack */
};

static NN_THREAD_LOCAL int nn__no_grad_depth = 0; /* grad mode is on when 0 */

NN__PRIVATE int nn__ag_wanted1(const nn_tensor *a) { return nn__no_grad_depth == 0 && a && a->requires_grad; }
NN__PRIVATE int nn__ag_wanted2(const nn_tensor *a, const nn_tensor *b) {
  return nn__no_grad_depth == 0 && ((a && a->requires_grad) || (b && b->requires_grad));
}
NN__PRIVATE int nn__ag_wanted3(const nn_tensor *a, const nn_tensor *b, const nn_tensor *c) {
  return nn__no_grad_depth == 0 && ((a && a->requires_grad) || (b && b->requires_grad) || (c && c->requires_grad));
}

NN__PRIVATE nn__node *nn__ag_node(const char *name, nn__backward_fn fn, int nin, const nn_tensor *const *inputs);
NN__PRIVATE nn_status nn__ag_save(nn__node *n, int slot, const nn_tensor *t);
NN__PRIVATE nn_tensor *nn__ag_attach(nn__node *n, nn_tensor *out);
NN__PRIVATE void nn__node_decref(nn__node *n);
/* Called by nn_free for a tensor with a grad_node. */
NN__PRIVATE void nn__ag_tensor_freed(nn_tensor *t);
/* The recorders of the elementwise ops (autograd/grad_elementwise.c). */
NN__PRIVATE nn_tensor *nn__grad_binary(nn_binop op, nn_tensor *res, const nn_tensor *a, const nn_tensor *b);
NN__PRIVATE nn_tensor *nn__grad_unary(nn_unop op, nn_tensor *res, const nn_tensor *x);
NN__PRIVATE nn_tensor *nn__grad_add_scaled(nn_tensor *res, const nn_tensor *a, const nn_tensor *b, double alpha);
NN__PRIVATE nn_tensor *nn__grad_where(nn_tensor *res, const nn_tensor *cond, const nn_tensor *a, const nn_tensor *b);
NN__PRIVATE nn_tensor *nn__grad_clip(nn_tensor *res, const nn_tensor *x, double lo, double hi);
NN__PRIVATE nn_tensor *nn__grad_copy(nn_tensor *res, const nn_tensor *x);
/* The recorder of the reductions (autograd/grad_reduce.c); red[i] != 0 marks the reduced axes of x. */
NN__PRIVATE nn_tensor *nn__grad_reduce(int op, nn_tensor *res, const nn_tensor *x, const int *red, int ddof);
/* ---- end src/autograd/node.h ---- */
/* ---- begin src/autograd/grad_shape.h ---- */
/* autograd/grad_shape.h (private): recorders of the view, shape and indexing ops (autograd/grad_shape.c,
   autograd/grad_index.c), declared here so the ops above them in the manifest can call them. */
/* ---- end src/autograd/grad_shape.h ---- */
/* ---- begin src/autograd/grad_math.h ---- */
/* autograd/grad_math.h (private): recorders of matmul, convolution and pooling (autograd/grad_linalg.c,
   autograd/grad_conv.c), declared here so the ops above them in the manifest can call them. */
/* ---- end src/autograd/grad_math.h ---- */
/* ---- begin src/core/tensor.c ---- */
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

/* Buffers are 64-byte aligned; buffers of 2 MiB and more are 2 MiB aligned and marked for transparent huge pages,
   which is what lets streaming kernels reach the memory bandwidth (4 KiB pages cost a third of it). The pointer
   returned by NN_MALLOC is stored just before the aligned block. */
#define NN__HUGE (2u << 20)

NN__PRIVATE void *nn__alloc(size_t nbytes) {
  size_t align = nbytes >= NN__HUGE ? NN__HUGE : 64;
  size_t total;
  unsigned char *raw, *p;
  if (nbytes == 0) nbytes = 1;
  if (nbytes > (size_t)-1 / 2 - align) return NULL;
  total = nbytes + align + sizeof(void *);
  raw = (unsigned char *)NN_MALLOC(total);
  if (!raw) return NULL;
  p = (unsigned char *)(((uintptr_t)(raw + sizeof(void *)) + align - 1) & ~(uintptr_t)(align - 1));
  memcpy(p - sizeof(void *), &raw, sizeof(void *));
#if defined(__linux__)
  if (align == NN__HUGE) madvise(p, nbytes & ~(size_t)(NN__HUGE - 1), NN__MADV_HUGEPAGE);
#endif
  return p;
}

NN__PRIVATE void nn__dealloc(void *p) {
  void *raw;
  if (!p) return;
  memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof(void *));
  NN_FREE(raw);
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
/* ---- end src/core/tensor.c ---- */
/* ---- begin src/core/iter.c ---- */
/* core/iter.c: broadcasting and the strided multi-operand iterator every elementwise kernel runs under.

   The iterator takes up to NN__MAX_OPS operands already broadcast to one shape (stride 0 on broadcast axes),
   merges axes that are contiguous in every operand, and calls a row function over the innermost axis. Large
   iterations are split into fixed chunks of elements for the thread pool. */

#define NN__MAX_OPS 4

typedef struct nn__iter {
  int nop, ndim;
  int64_t shape[NN_MAX_DIMS];
  int64_t st[NN__MAX_OPS][NN_MAX_DIMS]; /* element strides */
  char *ptr[NN__MAX_OPS];
  int64_t esz[NN__MAX_OPS];
  int64_t size;
} nn__iter;

/* Row function: n elements, operand pointers p[k], inner strides st[k] in elements. */
typedef void (*nn__row_fn)(int64_t n, char **p, const int64_t *st, void *ctx);

/* NumPy's broadcasting: shapes are right-aligned; each axis must match or be 1. */
NN__PRIVATE nn_status nn__broadcast_shapes(const char *op, const int64_t *sa, int na, const int64_t *sb, int nb,
                                           int64_t *out, int *nout) {
  int n = na > nb ? na : nb, i;
  for (i = 0; i < n; i++) {
    int64_t da = i < n - na ? 1 : sa[i - (n - na)];
    int64_t db = i < n - nb ? 1 : sb[i - (n - nb)];
    if (da != db && da != 1 && db != 1) {
      char s1[160], s2[160];
      return nn__fail(NN_ERR_SHAPE, "%s: shapes %s and %s cannot be broadcast together", op,
                      nn__fmt_shape(s1, sizeof s1, sa, na), nn__fmt_shape(s2, sizeof s2, sb, nb));
    }
    out[i] = da == 1 ? db : da;
  }
  *nout = n;
  return NN_OK;
}

/* Strides of t broadcast to shape (right-aligned), 0 along broadcast axes. t must be broadcastable. */
NN__PRIVATE void nn__broadcast_strides(const nn_tensor *t, const int64_t *shape, int ndim, int64_t *st) {
  int off = ndim - t->ndim, i;
  for (i = 0; i < ndim; i++) {
    if (i < off) st[i] = 0;
    else st[i] = (t->shape[i - off] == 1 && shape[i] != 1) ? 0 : t->strides[i - off];
  }
}

NN__PRIVATE int nn__can_broadcast_to(const nn_tensor *t, const int64_t *shape, int ndim) {
  int off = ndim - t->ndim, i;
  if (off < 0) return 0;
  for (i = 0; i < t->ndim; i++)
    if (t->shape[i] != shape[i + off] && t->shape[i] != 1) return 0;
  return 1;
}

/* Sets up an iterator over ops[0..nop) broadcast to shape. Caller checked broadcastability. */
NN__PRIVATE void nn__iter_init(nn__iter *it, int nop, nn_tensor *const *ops, const int64_t *shape, int ndim) {
  int k, i, d;
  int64_t st[NN__MAX_OPS][NN_MAX_DIMS];
  it->nop = nop;
  it->size = nn__shape_size(shape, ndim);
  for (k = 0; k < nop; k++) {
    nn__broadcast_strides(ops[k], shape, ndim, st[k]);
    it->ptr[k] = (char *)ops[k]->data;
    it->esz[k] = (int64_t)nn_dtype_size(ops[k]->dtype);
  }
  /* Drop length-1 axes, then merge axis i into i+1 when every operand is contiguous across them. */
  d = 0;
  for (i = 0; i < ndim; i++) {
    if (shape[i] == 1) continue;
    if (d > 0) {
      int merge = 1;
      for (k = 0; k < nop; k++)
        if (it->st[k][d - 1] != st[k][i] * shape[i]) merge = 0;
      if (merge) {
        it->shape[d - 1] *= shape[i];
        for (k = 0; k < nop; k++) it->st[k][d - 1] = st[k][i];
        continue;
      }
    }
    it->shape[d] = shape[i];
    for (k = 0; k < nop; k++) it->st[k][d] = st[k][i];
    d++;
  }
  if (d == 0) { /* a single element */
    it->shape[0] = 1;
    for (k = 0; k < nop; k++) it->st[k][0] = 0;
    d = 1;
  }
  it->ndim = d;
}

typedef struct nn__iter_job {
  const nn__iter *it;
  nn__row_fn fn;
  void *ctx;
  int64_t grain;
} nn__iter_job;

/* Runs the row function over flat elements [begin, end). */
NN__PRIVATE void nn__iter_range(const nn__iter *it, nn__row_fn fn, void *ctx, int64_t begin, int64_t end) {
  int64_t idx[NN_MAX_DIMS];
  char *p[NN__MAX_OPS];
  int64_t inner_st[NN__MAX_OPS];
  int nd = it->ndim, k, d;
  int64_t rem = begin, inner = it->shape[nd - 1];
  for (d = nd - 1; d >= 0; d--) {
    idx[d] = rem % it->shape[d];
    rem /= it->shape[d];
  }
  for (k = 0; k < it->nop; k++) {
    int64_t off = 0;
    for (d = 0; d < nd; d++) off += idx[d] * it->st[k][d];
    p[k] = it->ptr[k] + off * it->esz[k];
    inner_st[k] = it->st[k][nd - 1];
  }
  while (begin < end) {
    int64_t n = inner - idx[nd - 1];
    if (n > end - begin) n = end - begin;
    fn(n, p, inner_st, ctx);
    begin += n;
    if (begin >= end) break;
    /* advance to the start of the next row */
    for (k = 0; k < it->nop; k++) p[k] += (n - 0) * inner_st[k] * it->esz[k];
    idx[nd - 1] += n;
    for (d = nd - 1; d > 0 && idx[d] >= it->shape[d]; d--) {
      for (k = 0; k < it->nop; k++) p[k] -= idx[d] * it->st[k][d] * it->esz[k];
      idx[d] = 0;
      idx[d - 1]++;
      for (k = 0; k < it->nop; k++) p[k] += it->st[k][d - 1] * it->esz[k];
    }
  }
}

NN__PRIVATE void nn__iter_chunk(void *ctx, int64_t c) {
  nn__iter_job *j = (nn__iter_job *)ctx;
  int64_t b = c * j->grain, e = b + j->grain;
  if (e > j->it->size) e = j->it->size;
  nn__iter_range(j->it, j->fn, j->ctx, b, e);
}

/* The size of the elementwise operation in progress, read by the vector kernels (which see only their chunk) to
   decide on non-temporal stores: streaming pays only for outputs larger than the last-level cache. A hint: a stale
   value from another thread's operation only costs speed. */
static int64_t nn__iter_size_now = 0;
#if defined(__GNUC__) || defined(__clang__)
#define NN__ITER_SIZE_HINT __atomic_load_n(&nn__iter_size_now, __ATOMIC_RELAXED)
#define NN__ITER_SIZE_SET(v) __atomic_store_n(&nn__iter_size_now, (v), __ATOMIC_RELAXED)
#else
#define NN__ITER_SIZE_SET(v) (nn__iter_size_now = (v))
#endif

/* Elements per chunk for streaming kernels: big enough to amortize scheduling, small enough to balance. */
#define NN__GRAIN ((int64_t)1 << 16)

NN__PRIVATE void nn__iter_run(const nn__iter *it, nn__row_fn fn, void *ctx) {
  nn__iter_job j;
  int64_t nchunks;
  if (it->size <= 0) return;
  NN__ITER_SIZE_SET(it->size);
  j.it = it;
  j.fn = fn;
  j.ctx = ctx;
  j.grain = NN__GRAIN;
  nchunks = (it->size + j.grain - 1) / j.grain;
  if (nchunks <= 1) nn__iter_range(it, fn, ctx, 0, it->size);
  else nn__parallel_for(nchunks, nn__iter_chunk, &j);
}

/* ---- dtype conversion rows (astype, copies, mixed-dtype inputs) ---- */

#define NN__CVT_ROW(NAME, ST, DT, EXPR)                                             \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *ctx) {        \
    DT *d = (DT *)p[0];                                                             \
    const ST *s = (const ST *)p[1];                                                 \
    int64_t i, ds = st[0], ss = st[1];                                              \
    (void)ctx;                                                                      \
    if (ds == 1 && ss == 1)                                                         \
      for (i = 0; i < n; i++) {                                                     \
        ST x = s[i];                                                                \
        d[i] = (DT)(EXPR);                                                          \
      }                                                                             \
    else                                                                            \
      for (i = 0; i < n; i++) {                                                     \
        ST x = s[i * ss];                                                           \
        d[i * ds] = (DT)(EXPR);                                                     \
      }                                                                             \
  }

/* NN__CVT_FROM(S, ST) defines conversions from source type ST to each destination. */
#define NN__CVT_FROM(SN, ST, TOI32, TOI64, TOU8)                   \
  NN__CVT_ROW(nn__cvt_##SN##_f32, ST, float, x)                    \
  NN__CVT_ROW(nn__cvt_##SN##_f64, ST, double, x)                   \
  NN__CVT_ROW(nn__cvt_##SN##_i32, ST, int32_t, TOI32)              \
  NN__CVT_ROW(nn__cvt_##SN##_i64, ST, int64_t, TOI64)              \
  NN__CVT_ROW(nn__cvt_##SN##_u8, ST, uint8_t, TOU8)                \
  NN__CVT_ROW(nn__cvt_##SN##_b, ST, uint8_t, x != 0)

NN__CVT_FROM(f32, float, nn__f2i32(x), nn__f2i64(x), nn__f2u8(x))
NN__CVT_FROM(f64, double, nn__f2i32(x), nn__f2i64(x), nn__f2u8(x))
NN__CVT_FROM(i32, int32_t, x, x, (uint8_t)(uint32_t)x)
NN__CVT_FROM(i64, int64_t, (int32_t)(uint32_t)(uint64_t)x, x, (uint8_t)(uint64_t)x)
NN__CVT_FROM(u8, uint8_t, x, x, x)
NN__CVT_FROM(b, uint8_t, x != 0, x != 0, x != 0)

static const nn__row_fn nn__cvt_table[NN_DTYPE_COUNT][NN_DTYPE_COUNT] = {
    /* [src][dst] */
    {nn__cvt_f32_f32, nn__cvt_f32_f64, nn__cvt_f32_i32, nn__cvt_f32_i64, nn__cvt_f32_u8, nn__cvt_f32_b},
    {nn__cvt_f64_f32, nn__cvt_f64_f64, nn__cvt_f64_i32, nn__cvt_f64_i64, nn__cvt_f64_u8, nn__cvt_f64_b},
    {nn__cvt_i32_f32, nn__cvt_i32_f64, nn__cvt_i32_i32, nn__cvt_i32_i64, nn__cvt_i32_u8, nn__cvt_i32_b},
    {nn__cvt_i64_f32, nn__cvt_i64_f64, nn__cvt_i64_i32, nn__cvt_i64_i64, nn__cvt_i64_u8, nn__cvt_i64_b},
    {nn__cvt_u8_f32, nn__cvt_u8_f64, nn__cvt_u8_i32, nn__cvt_u8_i64, nn__cvt_u8_u8, nn__cvt_u8_b},
    {nn__cvt_b_f32, nn__cvt_b_f64, nn__cvt_b_i32, nn__cvt_b_i64, nn__cvt_b_u8, nn__cvt_b_b},
};

/* Same-dtype copies are plain byte moves: one row function per element size. */
#define NN__COPY_ROW(NAME, T)                                                  \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *ctx) {   \
    T *d = (T *)p[0];                                                          \
    const T *s = (const T *)p[1];                                              \
    int64_t i, ds = st[0], ss = st[1];                                         \
    (void)ctx;                                                                 \
    if (ds == 1 && ss == 1) memcpy(d, s, (size_t)n * sizeof(T));               \
    else                                                                       \
      for (i = 0; i < n; i++) d[i * ds] = s[i * ss];                           \
  }
NN__COPY_ROW(nn__copy_row1, uint8_t)
NN__COPY_ROW(nn__copy_row4, uint32_t)
NN__COPY_ROW(nn__copy_row8, uint64_t)

/* dst[...] = src[...] converted, with src broadcast to dst's shape. Both on the CPU; shapes checked by caller. */
NN__PRIVATE void nn__assign(nn_tensor *dst, const nn_tensor *src) {
  nn__iter it;
  nn_tensor *ops[2];
  nn__row_fn fn;
  ops[0] = dst;
  ops[1] = (nn_tensor *)src;
  nn__iter_init(&it, 2, ops, dst->shape, dst->ndim);
  if (src->dtype == dst->dtype || (src->dtype == NN_UINT8 && dst->dtype == NN_UINT8)) {
    size_t es = nn_dtype_size(dst->dtype);
    fn = es == 1 ? nn__copy_row1 : es == 4 ? nn__copy_row4 : nn__copy_row8;
    if (dst->dtype == NN_BOOL && src->dtype != NN_BOOL) fn = nn__cvt_table[src->dtype][dst->dtype];
  } else {
    fn = nn__cvt_table[src->dtype][dst->dtype];
  }
  nn__iter_run(&it, fn, NULL);
}
/* ---- end src/core/iter.c ---- */
/* ---- begin src/core/create.c ---- */
/* core/create.c: constructors, copies and conversions. */

NNDEF nn_tensor *nn_empty(const int64_t *shape, int ndim, nn_dtype dtype) {
  return nn__new("nn_empty", dtype, shape, ndim);
}

/* Fills a contiguous buffer of n elements with value (converted once). */
NN__PRIVATE void nn__fill_contig(nn_tensor *t, double value) {
  size_t es = nn_dtype_size(t->dtype);
  int64_t i, n = t->size;
  if (value == 0 && !(1 / value < 0)) {
    memset(t->data, 0, (size_t)n * es);
    return;
  }
  switch (t->dtype) {
    case NN_FLOAT32: {
      float v = (float)value, *p = (float *)t->data;
      for (i = 0; i < n; i++) p[i] = v;
      break;
    }
    case NN_FLOAT64: {
      double *p = (double *)t->data;
      for (i = 0; i < n; i++) p[i] = value;
      break;
    }
    case NN_INT32: {
      int32_t v = nn__f2i32(value), *p = (int32_t *)t->data;
      for (i = 0; i < n; i++) p[i] = v;
      break;
    }
    case NN_INT64: {
      int64_t v = nn__f2i64(value), *p = (int64_t *)t->data;
      for (i = 0; i < n; i++) p[i] = v;
      break;
    }
    default: {
      uint8_t v;
      nn__store(t->dtype, &v, value);
      memset(t->data, v, (size_t)n);
      break;
    }
  }
}

NNDEF nn_tensor *nn_full(const int64_t *shape, int ndim, double value, nn_dtype dtype) {
  nn_tensor *t = nn__new("nn_full", dtype, shape, ndim);
  if (t) nn__fill_contig(t, value);
  return t;
}

NNDEF nn_tensor *nn_zeros(const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t = nn__new("nn_zeros", dtype, shape, ndim);
  if (t) memset(t->data, 0, (size_t)t->size * nn_dtype_size(dtype));
  return t;
}

NNDEF nn_tensor *nn_ones(const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t = nn__new("nn_ones", dtype, shape, ndim);
  if (t) nn__fill_contig(t, 1.0);
  return t;
}

#define NN__LIKE(NAME, EXPR)                                          \
  NNDEF nn_tensor *NAME(const nn_tensor *x) {                         \
    if (nn__check_cpu(#NAME, x, "x") != NN_OK) return NULL;           \
    return EXPR;                                                      \
  }
NN__LIKE(nn_empty_like, nn__new("nn_empty_like", x->dtype, x->shape, x->ndim))
NN__LIKE(nn_zeros_like, nn_zeros(x->shape, x->ndim, x->dtype))
NN__LIKE(nn_ones_like, nn_ones(x->shape, x->ndim, x->dtype))

NNDEF nn_tensor *nn_full_like(const nn_tensor *x, double value) {
  if (nn__check_cpu("nn_full_like", x, "x") != NN_OK) return NULL;
  return nn_full(x->shape, x->ndim, value, x->dtype);
}

NNDEF nn_tensor *nn_scalar(double value, nn_dtype dtype) { return nn_full(NULL, 0, value, dtype); }

NNDEF nn_tensor *nn_arange(double start, double stop, double step, nn_dtype dtype) {
  double len;
  int64_t n, i;
  nn_tensor *t;
  if (!(step != 0) || step != step || start != start || stop != stop) {
    nn__fail(NN_ERR_VALUE, "nn_arange: step must be finite and nonzero and bounds not NaN (start %g, stop %g, step %g)",
             start, stop, step);
    return NULL;
  }
  len = ceil((stop - start) / step);
  if (!(len < 9.0e15)) {
    nn__fail(NN_ERR_VALUE, "nn_arange: too many elements (start %g, stop %g, step %g)", start, stop, step);
    return NULL;
  }
  n = len > 0 ? (int64_t)len : 0;
  t = nn__new("nn_arange", dtype, &n, 1);
  if (!t) return NULL;
  for (i = 0; i < n; i++) nn__store(dtype, (char *)t->data + i * (int64_t)nn_dtype_size(dtype), start + (double)i * step);
  return t;
}

NNDEF nn_tensor *nn_linspace(double start, double stop, int64_t num, int endpoint, nn_dtype dtype) {
  nn_tensor *t;
  int64_t i, div;
  double step;
  if (num < 0) {
    nn__fail(NN_ERR_VALUE, "nn_linspace: number of samples, %lld, must be non-negative", (long long)num);
    return NULL;
  }
  t = nn__new("nn_linspace", dtype, &num, 1);
  if (!t) return NULL;
  div = endpoint ? num - 1 : num;
  step = div > 0 ? (stop - start) / (double)div : 0;
  for (i = 0; i < num; i++) {
    double v = start + (double)i * step;
    if (endpoint && i == num - 1 && num > 1) v = stop;
    nn__store(dtype, (char *)t->data + i * (int64_t)nn_dtype_size(dtype), v);
  }
  return t;
}

NNDEF nn_tensor *nn_eye(int64_t n, int64_t m, int64_t k, nn_dtype dtype) {
  int64_t shape[2], i;
  nn_tensor *t;
  if (m <= 0) m = n;
  shape[0] = n;
  shape[1] = m;
  t = nn__new("nn_eye", dtype, shape, 2);
  if (!t) return NULL;
  memset(t->data, 0, (size_t)t->size * nn_dtype_size(dtype));
  for (i = 0; i < n; i++) {
    int64_t j = i + k;
    if (j >= 0 && j < m) nn__store(dtype, (char *)t->data + (i * m + j) * (int64_t)nn_dtype_size(dtype), 1.0);
  }
  return t;
}

NNDEF nn_tensor *nn_from_data(const void *data, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t;
  if (!data) {
    nn__fail_null("nn_from_data", "data");
    return NULL;
  }
  t = nn__new("nn_from_data", dtype, shape, ndim);
  if (t) memcpy(t->data, data, (size_t)t->size * nn_dtype_size(dtype));
  return t;
}

NNDEF nn_tensor *nn_wrap_strided(void *data, const int64_t *shape, const int64_t *strides, int ndim, nn_dtype dtype) {
  nn_tensor *t;
  nn_storage *s;
  int i;
  if (!data) {
    nn__fail_null("nn_wrap", "data");
    return NULL;
  }
  if (!nn__dtype_valid(dtype)) {
    nn__fail(NN_ERR_DTYPE, "nn_wrap: invalid dtype %d", (int)dtype);
    return NULL;
  }
  if (nn__check_shape("nn_wrap", shape, ndim) != NN_OK) return NULL;
  if (ndim > 0 && !strides) {
    nn__fail_null("nn_wrap_strided", "strides");
    return NULL;
  }
  s = (nn_storage *)NN_MALLOC(sizeof(nn_storage));
  if (!s) {
    nn__fail(NN_ERR_OOM, "nn_wrap: cannot allocate storage record");
    return NULL;
  }
  t = nn__header("nn_wrap", dtype, shape, ndim);
  if (!t) {
    NN_FREE(s);
    return NULL;
  }
  for (i = 0; i < ndim; i++) t->strides[i] = strides[i];
  s->base = data;
  s->nbytes = 0;
  s->refcount = 1;
  s->owned = 0;
  s->device = NN_CPU;
  t->storage = s;
  t->data = data;
  return t;
}

NNDEF nn_tensor *nn_wrap(void *data, const int64_t *shape, int ndim, nn_dtype dtype) {
  int64_t st[NN_MAX_DIMS];
  if (ndim >= 0 && ndim <= NN_MAX_DIMS && (shape || ndim == 0)) nn__contiguous_strides(st, shape, ndim);
  else if (nn__check_shape("nn_wrap", shape, ndim) != NN_OK) return NULL;
  return nn_wrap_strided(data, shape, st, ndim, dtype);
}

NNDEF nn_tensor *nn_astype(const nn_tensor *x, nn_dtype dtype) {
  nn_tensor *t;
  if (nn__check_cpu("nn_astype", x, "x") != NN_OK) return NULL;
  t = nn__new("nn_astype", dtype, x->shape, x->ndim);
  if (t) nn__assign(t, x);
  if (t && nn__ag_wanted1(x)) t = nn__grad_copy(t, x);
  return t;
}

NNDEF nn_tensor *nn_copy(const nn_tensor *x) {
  nn_tensor *t;
  if (nn__check_cpu("nn_copy", x, "x") != NN_OK) return NULL;
  t = nn__new("nn_copy", x->dtype, x->shape, x->ndim);
  if (t) nn__assign(t, x);
  if (t && nn__ag_wanted1(x)) t = nn__grad_copy(t, x);
  return t;
}

NNDEF nn_tensor *nn_contiguous(const nn_tensor *x) {
  if (nn__check_cpu("nn_contiguous", x, "x") != NN_OK) return NULL;
  if (nn_is_contiguous(x)) {
    nn_tensor *v = nn__view("nn_contiguous", x, x->shape, x->strides, x->ndim, x->data);
    if (v && nn__ag_wanted1(x)) v = nn__grad_copy(v, x);
    return v;
  }
  return nn_copy(x);
}

NNDEF nn_status nn_assign(nn_tensor *dst, const nn_tensor *src) {
  char s1[160], s2[160];
  if (nn__check_cpu("nn_assign", dst, "dst") != NN_OK) return nn_last_status();
  if (nn__check_cpu("nn_assign", src, "src") != NN_OK) return nn_last_status();
  if (!nn__can_broadcast_to(src, dst->shape, dst->ndim))
    return nn__fail(NN_ERR_SHAPE, "nn_assign: could not broadcast input array from shape %s into shape %s",
                    nn_shape_str(src, s1, sizeof s1), nn_shape_str(dst, s2, sizeof s2));
  nn__assign(dst, src);
  return NN_OK;
}

NNDEF nn_status nn_fill(nn_tensor *t, double value) {
  nn_tensor *v;
  nn_status st;
  if (nn__check_cpu("nn_fill", t, "t") != NN_OK) return nn_last_status();
  if (nn_is_contiguous(t)) {
    nn__fill_contig(t, value);
    return NN_OK;
  }
  v = nn_scalar(value, t->dtype);
  if (!v) return nn_last_status();
  nn__assign(t, v);
  st = NN_OK;
  nn_free(v);
  return st;
}

NNDEF nn_status nn_copy_to(const nn_tensor *t, void *dst, nn_dtype dst_dtype) {
  nn_tensor *w;
  if (nn__check_cpu("nn_copy_to", t, "t") != NN_OK) return nn_last_status();
  if (!dst) return nn__fail_null("nn_copy_to", "dst");
  w = nn_wrap(dst, t->shape, t->ndim, dst_dtype);
  if (!w) return nn_last_status();
  nn__assign(w, t);
  nn_free(w);
  return NN_OK;
}
/* ---- end src/core/create.c ---- */
/* ---- begin src/core/views.c ---- */
/* core/views.c: views over shared storage. */

/* Normalizes a possibly negative axis against ndim; reports "op: axis A is out of bounds for array of dimension N". */
NN__PRIVATE nn_status nn__norm_axis(const char *op, int *axis, int ndim) {
  int a = *axis;
  if (a < -ndim || a >= ndim || ndim == 0)
    return nn__fail(NN_ERR_AXIS, "%s: axis %d is out of bounds for array of dimension %d", op, a, ndim);
  *axis = a < 0 ? a + ndim : a;
  return NN_OK;
}

NNDEF nn_tensor *nn_view(const nn_tensor *x) {
  if (!x) {
    nn__fail_null("nn_view", "x");
    return NULL;
  }
  return nn__view("nn_view", x, x->shape, x->strides, x->ndim, x->data);
}

/* Tries to express x's elements in a new shape with strides only (NumPy's _attempt_nocopy_reshape). */
NN__PRIVATE int nn__reshape_strides(const nn_tensor *x, const int64_t *nshape, int nd, int64_t *nst) {
  int64_t oshape[NN_MAX_DIMS], ost[NN_MAX_DIMS];
  int on = 0, i, oi, oj, ni, nj;
  for (i = 0; i < x->ndim; i++)
    if (x->shape[i] != 1) {
      oshape[on] = x->shape[i];
      ost[on] = x->strides[i];
      on++;
    }
  oi = 0, oj = 1, ni = 0, nj = 1;
  while (ni < nd && oi < on) {
    int64_t np_ = nshape[ni], op_ = oshape[oi];
    int ok;
    while (np_ != op_) {
      if (np_ < op_) np_ *= nshape[nj++];
      else op_ *= oshape[oj++];
    }
    for (ok = oi; ok < oj - 1; ok++)
      if (ost[ok] != oshape[ok + 1] * ost[ok + 1]) return 0;
    nst[nj - 1] = ost[oj - 1];
    for (ok = nj - 1; ok > ni; ok--) nst[ok - 1] = nst[ok] * nshape[ok];
    ni = nj++;
    oi = oj++;
  }
  /* trailing length-1 axes take the last stride */
  for (i = ni; i < nd; i++) nst[i] = ni >= 1 ? nst[ni - 1] : 1;
  return 1;
}

NNDEF nn_tensor *nn_reshape(const nn_tensor *x, const int64_t *shape, int ndim) {
  int64_t ns[NN_MAX_DIMS], st[NN_MAX_DIMS], known = 1;
  int i, infer = -1;
  char s1[160], s2[160];
  if (nn__check_cpu("nn_reshape", x, "x") != NN_OK) return NULL;
  if (ndim < 0 || ndim > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "nn_reshape: ndim %d is outside [0, %d]", ndim, NN_MAX_DIMS);
    return NULL;
  }
  if (ndim > 0 && !shape) {
    nn__fail_null("nn_reshape", "shape");
    return NULL;
  }
  for (i = 0; i < ndim; i++) {
    ns[i] = shape[i];
    if (shape[i] == -1) {
      if (infer >= 0) {
        nn__fail(NN_ERR_SHAPE, "nn_reshape: can only specify one unknown dimension");
        return NULL;
      }
      infer = i;
    } else if (shape[i] < 0) {
      nn__fail(NN_ERR_SHAPE, "nn_reshape: negative dimension %lld", (long long)shape[i]);
      return NULL;
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || x->size % known != 0) {
      nn__fail(NN_ERR_SHAPE, "nn_reshape: cannot reshape array of size %lld into shape %s", (long long)x->size,
               nn__fmt_shape(s2, sizeof s2, shape, ndim));
      return NULL;
    }
    ns[infer] = x->size / known;
    known *= ns[infer];
  }
  if (known != x->size) {
    nn__fail(NN_ERR_SHAPE, "nn_reshape: cannot reshape array of size %lld (shape %s) into shape %s", (long long)x->size,
             nn_shape_str(x, s1, sizeof s1), nn__fmt_shape(s2, sizeof s2, shape, ndim));
    return NULL;
  }
  if (x->size == 0 || nn_is_contiguous(x)) {
    nn__contiguous_strides(st, ns, ndim);
    return nn__view("nn_reshape", x, ns, st, ndim, x->data);
  }
  if (nn__reshape_strides(x, ns, ndim, st)) return nn__view("nn_reshape", x, ns, st, ndim, x->data);
  {
    nn_tensor *c = nn_copy(x), *r;
    if (!c) return NULL;
    nn__contiguous_strides(st, ns, ndim);
    r = nn__view("nn_reshape", c, ns, st, ndim, c->data);
    nn_free(c);
    return r;
  }
}

NNDEF nn_tensor *nn_permute(const nn_tensor *x, const int *axes, int naxes) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS];
  int seen[NN_MAX_DIMS] = {0}, i;
  if (nn__check_cpu("nn_permute", x, "x") != NN_OK) return NULL;
  if (naxes != x->ndim) {
    nn__fail(NN_ERR_AXIS, "nn_permute: axes don't match array: got %d axes for an array of dimension %d", naxes, x->ndim);
    return NULL;
  }
  if (naxes > 0 && !axes) {
    nn__fail_null("nn_permute", "axes");
    return NULL;
  }
  for (i = 0; i < naxes; i++) {
    int a = axes[i];
    if (nn__norm_axis("nn_permute", &a, x->ndim) != NN_OK) return NULL;
    if (seen[a]) {
      nn__fail(NN_ERR_AXIS, "nn_permute: repeated axis %d in transpose", axes[i]);
      return NULL;
    }
    seen[a] = 1;
    sh[i] = x->shape[a];
    st[i] = x->strides[a];
  }
  return nn__view("nn_permute", x, sh, st, x->ndim, x->data);
}

NNDEF nn_tensor *nn_transpose(const nn_tensor *x) {
  int axes[NN_MAX_DIMS], i;
  if (nn__check_cpu("nn_transpose", x, "x") != NN_OK) return NULL;
  for (i = 0; i < x->ndim; i++) axes[i] = x->ndim - 1 - i;
  return nn_permute(x, axes, x->ndim);
}

NNDEF nn_tensor *nn_swapaxes(const nn_tensor *x, int a1, int a2) {
  int axes[NN_MAX_DIMS], i;
  if (nn__check_cpu("nn_swapaxes", x, "x") != NN_OK) return NULL;
  if (nn__norm_axis("nn_swapaxes", &a1, x->ndim) != NN_OK || nn__norm_axis("nn_swapaxes", &a2, x->ndim) != NN_OK)
    return NULL;
  for (i = 0; i < x->ndim; i++) axes[i] = i;
  axes[a1] = a2;
  axes[a2] = a1;
  return nn_permute(x, axes, x->ndim);
}

NNDEF nn_tensor *nn_moveaxis(const nn_tensor *x, int src, int dst) {
  int axes[NN_MAX_DIMS], i, k = 0;
  if (nn__check_cpu("nn_moveaxis", x, "x") != NN_OK) return NULL;
  if (nn__norm_axis("nn_moveaxis", &src, x->ndim) != NN_OK || nn__norm_axis("nn_moveaxis", &dst, x->ndim) != NN_OK)
    return NULL;
  for (i = 0; i < x->ndim; i++) {
    if (i == src) continue;
    axes[k++] = i;
  }
  for (i = x->ndim - 1; i > dst; i--) axes[i] = axes[i - 1];
  axes[dst] = src;
  return nn_permute(x, axes, x->ndim);
}

/* Python's slice.indices(n): clamps start/stop and returns the element count. */
NN__PRIVATE int64_t nn__slice_indices(int64_t n, int64_t *start, int64_t *stop, int64_t step) {
  int64_t lo = step < 0 ? -1 : 0, hi = step < 0 ? n - 1 : n;
  int64_t b = *start, e = *stop;
  if (b == NN_NONE) b = step < 0 ? hi : lo;
  else {
    if (b < 0) b += n;
    if (b < lo) b = lo;
    if (b > hi) b = hi;
  }
  if (e == NN_NONE) e = step < 0 ? lo : hi;
  else {
    if (e < 0) e += n;
    if (e < lo) e = lo;
    if (e > hi) e = hi;
  }
  *start = b;
  *stop = e;
  if (step < 0) return e < b ? (b - e - 1) / (-step) + 1 : 0;
  return b < e ? (e - b - 1) / step + 1 : 0;
}

NNDEF nn_tensor *nn_slice(const nn_tensor *x, int axis, int64_t start, int64_t stop, int64_t step) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS], n;
  int i;
  if (nn__check_cpu("nn_slice", x, "x") != NN_OK) return NULL;
  if (nn__norm_axis("nn_slice", &axis, x->ndim) != NN_OK) return NULL;
  if (step == 0 || step == NN_NONE) {
    nn__fail(NN_ERR_VALUE, "nn_slice: slice step cannot be zero");
    return NULL;
  }
  n = nn__slice_indices(x->shape[axis], &start, &stop, step);
  for (i = 0; i < x->ndim; i++) {
    sh[i] = x->shape[i];
    st[i] = x->strides[i];
  }
  sh[axis] = n;
  st[axis] = x->strides[axis] * step;
  return nn__view("nn_slice", x, sh, st, x->ndim,
                  (char *)x->data + (n > 0 ? start : 0) * x->strides[axis] * (int64_t)nn_dtype_size(x->dtype));
}

NNDEF nn_tensor *nn_select(const nn_tensor *x, int axis, int64_t index) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS], k = index;
  int i, d = 0;
  if (nn__check_cpu("nn_select", x, "x") != NN_OK) return NULL;
  if (nn__norm_axis("nn_select", &axis, x->ndim) != NN_OK) return NULL;
  if (k < 0) k += x->shape[axis];
  if (k < 0 || k >= x->shape[axis]) {
    nn__fail(NN_ERR_INDEX, "nn_select: index %lld is out of bounds for axis %d with size %lld", (long long)index, axis,
             (long long)x->shape[axis]);
    return NULL;
  }
  for (i = 0; i < x->ndim; i++) {
    if (i == axis) continue;
    sh[d] = x->shape[i];
    st[d] = x->strides[i];
    d++;
  }
  return nn__view("nn_select", x, sh, st, d, (char *)x->data + k * x->strides[axis] * (int64_t)nn_dtype_size(x->dtype));
}

NNDEF nn_tensor *nn_squeeze(const nn_tensor *x, int axis) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS];
  int i, d = 0;
  if (nn__check_cpu("nn_squeeze", x, "x") != NN_OK) return NULL;
  if (axis != NN_ALL_AXES) {
    if (nn__norm_axis("nn_squeeze", &axis, x->ndim) != NN_OK) return NULL;
    if (x->shape[axis] != 1) {
      nn__fail(NN_ERR_SHAPE, "nn_squeeze: cannot select an axis to squeeze out which has size not equal to one (axis %d has size %lld)",
               axis, (long long)x->shape[axis]);
      return NULL;
    }
  }
  for (i = 0; i < x->ndim; i++) {
    if (axis == NN_ALL_AXES ? x->shape[i] == 1 : i == axis) continue;
    sh[d] = x->shape[i];
    st[d] = x->strides[i];
    d++;
  }
  return nn__view("nn_squeeze", x, sh, st, d, x->data);
}

NNDEF nn_tensor *nn_unsqueeze(const nn_tensor *x, int axis) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS];
  int i, d = 0;
  if (nn__check_cpu("nn_unsqueeze", x, "x") != NN_OK) return NULL;
  if (x->ndim >= NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "nn_unsqueeze: result would have more than %d dimensions", NN_MAX_DIMS);
    return NULL;
  }
  if (nn__norm_axis("nn_unsqueeze", &axis, x->ndim + 1) != NN_OK) return NULL;
  for (i = 0; i <= x->ndim; i++) {
    if (i == axis) {
      sh[i] = 1;
      st[i] = i < x->ndim ? x->strides[d] * x->shape[d] : 1;
      continue;
    }
    sh[i] = x->shape[d];
    st[i] = x->strides[d];
    d++;
  }
  return nn__view("nn_unsqueeze", x, sh, st, x->ndim + 1, x->data);
}

NNDEF nn_tensor *nn_broadcast_to(const nn_tensor *x, const int64_t *shape, int ndim) {
  int64_t st[NN_MAX_DIMS];
  char s1[160], s2[160];
  if (nn__check_cpu("nn_broadcast_to", x, "x") != NN_OK) return NULL;
  if (nn__check_shape("nn_broadcast_to", shape, ndim) != NN_OK) return NULL;
  if (!nn__can_broadcast_to(x, shape, ndim)) {
    nn__fail(NN_ERR_SHAPE, "nn_broadcast_to: operands could not be broadcast together with remapped shapes %s and requested shape %s",
             nn_shape_str(x, s1, sizeof s1), nn__fmt_shape(s2, sizeof s2, shape, ndim));
    return NULL;
  }
  nn__broadcast_strides(x, shape, ndim, st);
  return nn__view("nn_broadcast_to", x, shape, st, ndim, x->data);
}

NNDEF nn_tensor *nn_diagonal(const nn_tensor *x, int64_t offset, int axis1, int axis2) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS], n, off = 0;
  int i, d = 0;
  if (nn__check_cpu("nn_diagonal", x, "x") != NN_OK) return NULL;
  if (x->ndim < 2) {
    nn__fail(NN_ERR_SHAPE, "nn_diagonal: diag requires an array of at least two dimensions (got %d)", x->ndim);
    return NULL;
  }
  if (nn__norm_axis("nn_diagonal", &axis1, x->ndim) != NN_OK || nn__norm_axis("nn_diagonal", &axis2, x->ndim) != NN_OK)
    return NULL;
  if (axis1 == axis2) {
    nn__fail(NN_ERR_AXIS, "nn_diagonal: axis1 and axis2 cannot be the same (%d)", axis1);
    return NULL;
  }
  if (offset >= 0) {
    n = NN__MIN(x->shape[axis1], x->shape[axis2] - offset);
    off = offset * x->strides[axis2];
  } else {
    n = NN__MIN(x->shape[axis1] + offset, x->shape[axis2]);
    off = -offset * x->strides[axis1];
  }
  if (n <= 0) {
    n = 0;
    off = 0;
  }
  for (i = 0; i < x->ndim; i++) {
    if (i == axis1 || i == axis2) continue;
    sh[d] = x->shape[i];
    st[d] = x->strides[i];
    d++;
  }
  sh[d] = n;
  st[d] = x->strides[axis1] + x->strides[axis2];
  return nn__view("nn_diagonal", x, sh, st, d + 1, (char *)x->data + off * (int64_t)nn_dtype_size(x->dtype));
}

NNDEF nn_tensor *nn_ravel(const nn_tensor *x) {
  int64_t n;
  if (nn__check_cpu("nn_ravel", x, "x") != NN_OK) return NULL;
  n = x->size;
  return nn_reshape(x, &n, 1);
}
/* ---- end src/core/views.c ---- */
/* ---- begin src/kernels/vec_table.c ---- */
/* kernels/vec_table.c: the table of contiguous (vector) kernels, filled once at run time for the best instruction
   set the CPU has. A NULL entry means "use the portable strided row kernel". Kernels of one entry give the same
   results for any split of the array into pieces, so chunked threading does not change results. */

typedef void (*nn__vbin_fn)(int64_t n, void *o, const void *a, const void *b);
typedef void (*nn__vun_fn)(int64_t n, void *o, const void *x);

enum { NN__VV = 0, NN__VS = 1, NN__SV = 2 }; /* both contiguous; b is one element; a is one element */

typedef struct nn__vec_table {
  const char *isa; /* "avx512", "avx2", "neon", "scalar" */
  nn__vbin_fn bin[NN_DTYPE_COUNT][NN_BINOP_COUNT][3];
  nn__vun_fn un[NN_DTYPE_COUNT][NN_UNOP_COUNT];
  /* o = a + alpha * b (b may be one element when b_scalar) */
  void (*add_scaled_f32)(int64_t n, float *o, const float *a, const float *b, float alpha);
  /* o = alpha * x + beta */
  void (*affine_f32)(int64_t n, float *o, const float *x, float alpha, float beta);
  /* reductions over n contiguous elements */
  float (*sum_f32)(int64_t n, const float *x);
  double (*sum_f64)(int64_t n, const double *x);
  float (*max_f32)(int64_t n, const float *x); /* NaN-propagating */
  float (*min_f32)(int64_t n, const float *x);
  /* acc[i] += x[i] (column reductions) */
  void (*acc_add_f32)(int64_t n, float *acc, const float *x);
  /* o = softmax(x) and o = log_softmax(x) over n contiguous elements */
  void (*softmax_f32)(int64_t n, float *o, const float *x);
  void (*log_softmax_f32)(int64_t n, float *o, const float *x);
} nn__vec_table;

static nn__vec_table nn__vec;
static int nn__vec_ready = 0;
/* The table is published with release/acquire order so another thread never sees the flag before the entries. */
#if defined(__GNUC__) || defined(__clang__)
#define NN__READY_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define NN__READY_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#else
#define NN__READY_LOAD(p) (*(volatile int *)(p))
#define NN__READY_STORE(p, v) (*(volatile int *)(p) = (v))
#endif

#if NN__SIMD
/* Defined in kernels/simd.c: installs the best kernels this CPU runs; returns 1 if it installed any. */
NN__PRIVATE int nn__simd_install(nn__vec_table *t);
#endif

NN__PRIVATE const nn__vec_table *nn__kernels(void) {
  if (!NN__READY_LOAD(&nn__vec_ready)) {
    nn__vec_table t;
    memset(&t, 0, sizeof t);
    t.isa = "scalar";
#if NN__SIMD
    if (!getenv("NN_FORCE_SCALAR")) nn__simd_install(&t);
#endif
    nn__vec = t;
    NN__READY_STORE(&nn__vec_ready, 1);
  }
  return &nn__vec;
}
/* ---- end src/kernels/vec_table.c ---- */
/* ---- begin src/kernels/ewise_scalar.c ---- */
/* kernels/ewise_scalar.c: portable strided row kernels for every elementwise op and dtype.

   These are the reference implementation and the fallback; kernels/simd_*.c provide faster contiguous versions for
   the hot cases through nn__vec (see kernels/vec_table.c). Integer arithmetic wraps like NumPy's (done in unsigned
   arithmetic, because signed overflow is undefined in C). */

/* ---- scalar helpers with NumPy/Python semantics ---- */

NN__PRIVATE double nn__fmod_py(double a, double b) {
  double m;
  if (b == 0) return fmod(a, b); /* NaN */
  m = fmod(a, b);
  if (m != 0) {
    if ((b < 0) != (m < 0)) m += b;
  } else {
    m = copysign(0.0, b);
  }
  return m;
}

NN__PRIVATE double nn__floordiv_py(double a, double b) {
  double m, div, fl;
  if (b == 0) return a / b;
  m = fmod(a, b);
  div = (a - m) / b;
  if (m != 0 && ((b < 0) != (m < 0))) div -= 1.0;
  if (div != 0) {
    fl = floor(div);
    if (div - fl > 0.5) fl += 1.0;
  } else {
    fl = copysign(0.0, a / b);
  }
  return fl;
}

#define NN__INT_HELPERS(SFX, T, UT, TMIN)                                              \
  NN__PRIVATE T nn__ifloordiv_##SFX(T a, T b) {                                         \
    T q;                                                                               \
    if (b == 0) return 0;                                                              \
    if (b == -1) return (T)(UT)(0 - (UT)a);                                            \
    q = (T)(a / b);                                                                    \
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;                                     \
    return q;                                                                          \
  }                                                                                    \
  NN__PRIVATE T nn__imod_##SFX(T a, T b) {                                              \
    T m;                                                                               \
    if (b == 0 || b == -1) return 0;                                                   \
    m = (T)(a % b);                                                                    \
    if (m != 0 && ((m < 0) != (b < 0))) m = (T)(m + b);                                \
    return m;                                                                          \
  }                                                                                    \
  NN__PRIVATE T nn__ipow_##SFX(T a, T b) {                                             \
    UT r = 1, base = (UT)a;                                                            \
    if (b < 0) return 0; /* rejected earlier by the op */                              \
    while (b) {                                                                        \
      if (b & 1) r *= base;                                                            \
      base *= base;                                                                    \
      b = (T)(b >> 1);                                                                 \
    }                                                                                  \
    return (T)r;                                                                       \
  }
NN__INT_HELPERS(i32, int32_t, uint32_t, INT32_MIN)
NN__INT_HELPERS(i64, int64_t, uint64_t, INT64_MIN)

NN__PRIVATE uint8_t nn__ifloordiv_u8(uint8_t a, uint8_t b) { return b ? (uint8_t)(a / b) : 0; }
NN__PRIVATE uint8_t nn__imod_u8(uint8_t a, uint8_t b) { return b ? (uint8_t)(a % b) : 0; }
NN__PRIVATE uint8_t nn__ipow_u8(uint8_t a, uint8_t b) {
  unsigned r = 1, base = a;
  while (b) {
    if (b & 1) r = (r * base) & 0xffu;
    base = (base * base) & 0xffu;
    b = (uint8_t)(b >> 1);
  }
  return (uint8_t)r;
}

/* ---- binary rows: p[0] = out, p[1] = a, p[2] = b ---- */

#define NN__BIN_ROW(NAME, T, OT, EXPR)                                         \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *ctx) {   \
    OT *o = (OT *)p[0];                                                        \
    const T *a = (const T *)p[1], *b = (const T *)p[2];                        \
    int64_t i, so = st[0], sa = st[1], sb = st[2];                             \
    (void)ctx;                                                                 \
    if (so == 1 && sa == 1 && sb == 1) {                                       \
      for (i = 0; i < n; i++) {                                                \
        T x = a[i], y = b[i];                                                  \
        o[i] = (OT)(EXPR);                                                     \
      }                                                                        \
    } else if (so == 1 && sa == 1 && sb == 0) {                                \
      T y = b[0];                                                              \
      for (i = 0; i < n; i++) {                                                \
        T x = a[i];                                                            \
        o[i] = (OT)(EXPR);                                                     \
      }                                                                        \
    } else if (so == 1 && sa == 0 && sb == 1) {                                \
      T x = a[0];                                                              \
      for (i = 0; i < n; i++) {                                                \
        T y = b[i];                                                            \
        o[i] = (OT)(EXPR);                                                     \
      }                                                                        \
    } else {                                                                   \
      for (i = 0; i < n; i++) {                                                \
        T x = a[i * sa], y = b[i * sb];                                        \
        o[i * so] = (OT)(EXPR);                                                \
      }                                                                        \
    }                                                                          \
  }

/* Comparison and logic rows are the same for every dtype. */
#define NN__BIN_CMP_ROWS(SFX, T)                                                       \
  NN__BIN_ROW(nn__eq_##SFX, T, uint8_t, x == y)                                        \
  NN__BIN_ROW(nn__ne_##SFX, T, uint8_t, x != y)                                        \
  NN__BIN_ROW(nn__lt_##SFX, T, uint8_t, x < y)                                         \
  NN__BIN_ROW(nn__le_##SFX, T, uint8_t, x <= y)                                        \
  NN__BIN_ROW(nn__gt_##SFX, T, uint8_t, x > y)                                         \
  NN__BIN_ROW(nn__ge_##SFX, T, uint8_t, x >= y)                                        \
  NN__BIN_ROW(nn__land_##SFX, T, uint8_t, (x != 0) && (y != 0))                        \
  NN__BIN_ROW(nn__lor_##SFX, T, uint8_t, (x != 0) || (y != 0))                         \
  NN__BIN_ROW(nn__lxor_##SFX, T, uint8_t, (x != 0) != (y != 0))

#define NN__BIN_FLOAT_ROWS(SFX, T, POW, ATAN2)                                         \
  NN__BIN_ROW(nn__add_##SFX, T, T, x + y)                                              \
  NN__BIN_ROW(nn__sub_##SFX, T, T, x - y)                                              \
  NN__BIN_ROW(nn__mul_##SFX, T, T, x * y)                                              \
  NN__BIN_ROW(nn__div_##SFX, T, T, x / y)                                              \
  NN__BIN_ROW(nn__floordiv_##SFX, T, T, nn__floordiv_py(x, y))                         \
  NN__BIN_ROW(nn__mod_##SFX, T, T, nn__fmod_py(x, y))                                  \
  NN__BIN_ROW(nn__pow_##SFX, T, T, POW(x, y))                                          \
  NN__BIN_ROW(nn__max_##SFX, T, T, (x != x || x > y) ? x : y)                          \
  NN__BIN_ROW(nn__min_##SFX, T, T, (x != x || x < y) ? x : y)                          \
  NN__BIN_ROW(nn__atan2_##SFX, T, T, ATAN2(x, y))                                      \
  NN__BIN_CMP_ROWS(SFX, T)

#define NN__BIN_INT_ROWS(SFX, T, UT)                                                   \
  NN__BIN_ROW(nn__add_##SFX, T, T, (T)(UT)((UT)x + (UT)y))                             \
  NN__BIN_ROW(nn__sub_##SFX, T, T, (T)(UT)((UT)x - (UT)y))                             \
  NN__BIN_ROW(nn__mul_##SFX, T, T, (T)(UT)((UT)x * (UT)y))                             \
  NN__BIN_ROW(nn__floordiv_##SFX, T, T, nn__ifloordiv_##SFX(x, y))                      \
  NN__BIN_ROW(nn__mod_##SFX, T, T, nn__imod_##SFX(x, y))                                \
  NN__BIN_ROW(nn__pow_##SFX, T, T, nn__ipow_##SFX(x, y))                               \
  NN__BIN_ROW(nn__max_##SFX, T, T, x > y ? x : y)                                      \
  NN__BIN_ROW(nn__min_##SFX, T, T, x < y ? x : y)                                      \
  NN__BIN_CMP_ROWS(SFX, T)

NN__BIN_FLOAT_ROWS(f32, float, powf, atan2f)
NN__BIN_FLOAT_ROWS(f64, double, pow, atan2)
NN__BIN_INT_ROWS(i32, int32_t, uint32_t)
NN__BIN_INT_ROWS(i64, int64_t, uint64_t)
NN__BIN_INT_ROWS(u8, uint8_t, uint32_t)
/* bool: add/max = or, mul/min = and (NumPy); other arithmetic on bool computes in uint8. */
NN__BIN_ROW(nn__or_b, uint8_t, uint8_t, (x != 0) || (y != 0))
NN__BIN_ROW(nn__and_b, uint8_t, uint8_t, (x != 0) && (y != 0))
NN__BIN_CMP_ROWS(b, uint8_t)

/* [op][computation dtype]; NULL where the op never computes in that dtype (the op promotes first). */
#define NN__BIN_NUM(SFX) nn__add_##SFX, nn__sub_##SFX, nn__mul_##SFX
#define NN__BIN_CMP(SFX) \
  nn__eq_##SFX, nn__ne_##SFX, nn__lt_##SFX, nn__le_##SFX, nn__gt_##SFX, nn__ge_##SFX, nn__land_##SFX, nn__lor_##SFX, nn__lxor_##SFX
static const nn__row_fn nn__bin_rows[NN_DTYPE_COUNT][NN_BINOP_COUNT] = {
    {NN__BIN_NUM(f32), nn__div_f32, nn__floordiv_f32, nn__mod_f32, nn__pow_f32, nn__max_f32, nn__min_f32, nn__atan2_f32,
     NN__BIN_CMP(f32)},
    {NN__BIN_NUM(f64), nn__div_f64, nn__floordiv_f64, nn__mod_f64, nn__pow_f64, nn__max_f64, nn__min_f64, nn__atan2_f64,
     NN__BIN_CMP(f64)},
    {NN__BIN_NUM(i32), NULL, nn__floordiv_i32, nn__mod_i32, nn__pow_i32, nn__max_i32, nn__min_i32, NULL, NN__BIN_CMP(i32)},
    {NN__BIN_NUM(i64), NULL, nn__floordiv_i64, nn__mod_i64, nn__pow_i64, nn__max_i64, nn__min_i64, NULL, NN__BIN_CMP(i64)},
    {NN__BIN_NUM(u8), NULL, nn__floordiv_u8, nn__mod_u8, nn__pow_u8, nn__max_u8, nn__min_u8, NULL, NN__BIN_CMP(u8)},
    {nn__or_b, NULL, nn__and_b, NULL, NULL, NULL, NULL, nn__or_b, nn__and_b, NULL, NN__BIN_CMP(b)},
};

/* ---- unary rows: p[0] = out, p[1] = x ---- */

#define NN__UN_ROW(NAME, T, OT, EXPR)                                          \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *ctx) {   \
    OT *o = (OT *)p[0];                                                        \
    const T *a = (const T *)p[1];                                              \
    int64_t i, so = st[0], sa = st[1];                                         \
    (void)ctx;                                                                 \
    if (so == 1 && sa == 1)                                                    \
      for (i = 0; i < n; i++) {                                                \
        T x = a[i];                                                            \
        o[i] = (OT)(EXPR);                                                     \
      }                                                                        \
    else                                                                       \
      for (i = 0; i < n; i++) {                                                \
        T x = a[i * sa];                                                       \
        o[i * so] = (OT)(EXPR);                                                \
      }                                                                        \
  }

NN__PRIVATE float nn__sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }
NN__PRIVATE double nn__sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* The activations, in stable forms (the float32 rows compute in double). At -inf gelu, gelu_tanh and silu give NaN
   like torch's formulas (x times a factor that is 0). */
/* x Phi(x) = x erfc(-x / sqrt 2) / 2 (torch's gelu: 0.5 x (1 + erf(x / sqrt 2)), without its cancellation) */
NN__PRIVATE double nn__gelu(double x) { return 0.5 * x * erfc(-x * 0.70710678118654752440); }
/* x sigmoid(v) */
NN__PRIVATE double nn__xsig(double x, double v) {
  double e = exp(-fabs(v));
  return x < 0 ? x * e / (1.0 + e) : x / (1.0 + e);
}
/* x sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3): equal to torch's 0.5 x (1 + tanh(v / 2)) */
NN__PRIVATE double nn__gelu_tanh(double x) {
  return nn__xsig(x, x * (1.5957691216057308 + 0.071354816272600955 * (x * x)));
}
NN__PRIVATE double nn__silu(double x) { return nn__xsig(x, x); }
/* log1p(e^x), and x for x > 20 (torch's threshold) */
NN__PRIVATE double nn__softplus(double x) { return x > 20 ? x : (x > 0 ? x : 0.0) + log1p(exp(-fabs(x))); }
NN__PRIVATE double nn__log_sigmoid(double x) { return (x < 0 ? x : 0.0) - log1p(exp(-fabs(x))); }

#define NN__UN_FLOAT_ROWS(SFX, T, F)                                                      \
  NN__UN_ROW(nn__neg_##SFX, T, T, -x)                                                     \
  NN__UN_ROW(nn__abs_##SFX, T, T, fabs##F(x))                                             \
  NN__UN_ROW(nn__sign_##SFX, T, T, x > 0 ? (T)1 : x < 0 ? (T)-1 : x)                      \
  NN__UN_ROW(nn__square_##SFX, T, T, x *x)                                                \
  NN__UN_ROW(nn__relu_##SFX, T, T, x > 0 ? x : (x != x ? x : (T)0))                       \
  NN__UN_ROW(nn__round_##SFX, T, T, nearbyint##F(x))                                      \
  NN__UN_ROW(nn__floor_##SFX, T, T, floor##F(x))                                          \
  NN__UN_ROW(nn__ceil_##SFX, T, T, ceil##F(x))                                            \
  NN__UN_ROW(nn__trunc_##SFX, T, T, trunc##F(x))                                          \
  NN__UN_ROW(nn__exp_##SFX, T, T, exp##F(x))                                              \
  NN__UN_ROW(nn__exp2_##SFX, T, T, exp2##F(x))                                            \
  NN__UN_ROW(nn__expm1_##SFX, T, T, expm1##F(x))                                          \
  NN__UN_ROW(nn__log_##SFX, T, T, log##F(x))                                              \
  NN__UN_ROW(nn__log2_##SFX, T, T, log2##F(x))                                            \
  NN__UN_ROW(nn__log10_##SFX, T, T, log10##F(x))                                          \
  NN__UN_ROW(nn__log1p_##SFX, T, T, log1p##F(x))                                          \
  NN__UN_ROW(nn__sqrt_##SFX, T, T, sqrt##F(x))                                            \
  NN__UN_ROW(nn__rsqrt_##SFX, T, T, (T)1 / sqrt##F(x))                                    \
  NN__UN_ROW(nn__recip_##SFX, T, T, (T)1 / x)                                             \
  NN__UN_ROW(nn__sin_##SFX, T, T, sin##F(x))                                              \
  NN__UN_ROW(nn__cos_##SFX, T, T, cos##F(x))                                              \
  NN__UN_ROW(nn__tan_##SFX, T, T, tan##F(x))                                              \
  NN__UN_ROW(nn__asin_##SFX, T, T, asin##F(x))                                            \
  NN__UN_ROW(nn__acos_##SFX, T, T, acos##F(x))                                            \
  NN__UN_ROW(nn__atan_##SFX, T, T, atan##F(x))                                            \
  NN__UN_ROW(nn__sinh_##SFX, T, T, sinh##F(x))                                            \
  NN__UN_ROW(nn__cosh_##SFX, T, T, cosh##F(x))                                            \
  NN__UN_ROW(nn__tanh_##SFX, T, T, tanh##F(x))                                            \
  NN__UN_ROW(nn__erf_##SFX, T, T, erf##F(x))                                              \
  NN__UN_ROW(nn__isnan_##SFX, T, uint8_t, x != x)                                         \
  NN__UN_ROW(nn__isinf_##SFX, T, uint8_t, x == (T)INFINITY || x == -(T)INFINITY)          \
  NN__UN_ROW(nn__isfinite_##SFX, T, uint8_t, x - x == 0)                                  \
  NN__UN_ROW(nn__lnot_##SFX, T, uint8_t, x == 0)

NN__UN_FLOAT_ROWS(f32, float, f)
NN__UN_FLOAT_ROWS(f64, double, )
NN__UN_ROW(nn__sigmoid_f32, float, float, nn__sigmoidf(x))
NN__UN_ROW(nn__sigmoid_f64, double, double, nn__sigmoid(x))
/* one strided loop each (the libm calls dominate) */
#define NN__UN_ACT_ROW(NAME, SFX, T)                                                          \
  NN__PRIVATE void nn__##NAME##_##SFX(int64_t n, char **p, const int64_t *st, void *ctx) {    \
    int64_t i;                                                                                \
    (void)ctx;                                                                                \
    for (i = 0; i < n; i++) ((T *)p[0])[i * st[0]] = (T)nn__##NAME(((const T *)p[1])[i * st[1]]); \
  }
#define NN__UN_ACT_ROWS(NAME) NN__UN_ACT_ROW(NAME, f32, float) NN__UN_ACT_ROW(NAME, f64, double)
NN__UN_ACT_ROWS(gelu)
NN__UN_ACT_ROWS(gelu_tanh)
NN__UN_ACT_ROWS(silu)
NN__UN_ACT_ROWS(softplus)
NN__UN_ACT_ROWS(log_sigmoid)

#define NN__UN_INT_ROWS(SFX, T, UT)                                                      \
  NN__UN_ROW(nn__neg_##SFX, T, T, (T)(UT)(0 - (UT)x))                                    \
  NN__UN_ROW(nn__abs_##SFX, T, T, x < 0 ? (T)(UT)(0 - (UT)x) : x)                        \
  NN__UN_ROW(nn__sign_##SFX, T, T, x > 0 ? 1 : x < 0 ? -1 : 0)                           \
  NN__UN_ROW(nn__square_##SFX, T, T, (T)(UT)((UT)x * (UT)x))                             \
  NN__UN_ROW(nn__relu_##SFX, T, T, x > 0 ? x : 0)                                        \
  NN__UN_ROW(nn__ident_##SFX, T, T, x)                                                   \
  NN__UN_ROW(nn__false_##SFX, T, uint8_t, 0 * x)                                         \
  NN__UN_ROW(nn__true_##SFX, T, uint8_t, 1 + 0 * x)                                      \
  NN__UN_ROW(nn__lnot_##SFX, T, uint8_t, x == 0)
NN__UN_INT_ROWS(i32, int32_t, uint32_t)
NN__UN_INT_ROWS(i64, int64_t, uint64_t)
NN__UN_ROW(nn__neg_u8, uint8_t, uint8_t, (uint8_t)(0u - x))
NN__UN_ROW(nn__ident_u8, uint8_t, uint8_t, x)
NN__UN_ROW(nn__sign_u8, uint8_t, uint8_t, x > 0)
NN__UN_ROW(nn__square_u8, uint8_t, uint8_t, (uint8_t)((unsigned)x * x))
NN__UN_ROW(nn__false_u8, uint8_t, uint8_t, 0 * x)
NN__UN_ROW(nn__true_u8, uint8_t, uint8_t, 1 + 0 * x)
NN__UN_ROW(nn__lnot_u8, uint8_t, uint8_t, x == 0)
NN__UN_ROW(nn__nonzero_u8, uint8_t, uint8_t, x != 0)

#define NN__UN_FLOAT_TABLE(SFX)                                                                                   \
  {nn__neg_##SFX,   nn__abs_##SFX,   nn__sign_##SFX,  nn__square_##SFX, nn__relu_##SFX,   nn__round_##SFX,         \
   nn__floor_##SFX, nn__ceil_##SFX,  nn__trunc_##SFX, nn__exp_##SFX,    nn__exp2_##SFX,   nn__expm1_##SFX,         \
   nn__log_##SFX,   nn__log2_##SFX,  nn__log10_##SFX, nn__log1p_##SFX,  nn__sqrt_##SFX,   nn__rsqrt_##SFX,         \
   nn__recip_##SFX, nn__sin_##SFX,   nn__cos_##SFX,   nn__tan_##SFX,    nn__asin_##SFX,   nn__acos_##SFX,          \
   nn__atan_##SFX,  nn__sinh_##SFX,  nn__cosh_##SFX,  nn__tanh_##SFX,   nn__sigmoid_##SFX, nn__erf_##SFX,          \
   nn__gelu_##SFX,  nn__gelu_tanh_##SFX, nn__silu_##SFX, nn__softplus_##SFX, nn__log_sigmoid_##SFX,                \
   nn__isnan_##SFX, nn__isinf_##SFX, nn__isfinite_##SFX, nn__lnot_##SFX}
/* Integer rows: float functions are NULL because the op converts integers to float first. */
#define NN__UN_NO_ACT NULL, NULL, NULL, NULL, NULL /* gelu .. log_sigmoid */
#define NN__UN_INT_TABLE(SFX)                                                                                     \
  {nn__neg_##SFX, nn__abs_##SFX, nn__sign_##SFX, nn__square_##SFX, nn__relu_##SFX, nn__ident_##SFX, NULL, NULL, NULL, \
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,    \
   NULL, NULL, NN__UN_NO_ACT, nn__false_##SFX, nn__false_##SFX, nn__true_##SFX, nn__lnot_##SFX}
static const nn__row_fn nn__un_rows[NN_DTYPE_COUNT][NN_UNOP_COUNT] = {
    NN__UN_FLOAT_TABLE(f32),
    NN__UN_FLOAT_TABLE(f64),
    NN__UN_INT_TABLE(i32),
    NN__UN_INT_TABLE(i64),
    {nn__neg_u8, nn__ident_u8, nn__sign_u8, nn__square_u8, nn__ident_u8, nn__ident_u8, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NN__UN_NO_ACT, nn__false_u8, nn__false_u8, nn__true_u8, nn__lnot_u8},
    /* bool: abs/relu/round/square are the identity, sign is x != 0; neg is rejected by the op */
    {NULL, nn__ident_u8, nn__nonzero_u8, nn__ident_u8, nn__ident_u8, nn__ident_u8, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NN__UN_NO_ACT, nn__false_u8, nn__false_u8, nn__true_u8, nn__lnot_u8},
};

/* Compile-time checks that the tables cover every op (the negative-array trick). */
typedef char nn__check_binops[NN_BINOP_COUNT == 19 ? 1 : -1];
typedef char nn__check_unops[NN_UNOP_COUNT == 39 ? 1 : -1];
/* ---- end src/kernels/ewise_scalar.c ---- */
/* ---- begin src/kernels/simd.c ---- */
/* kernels/simd.c: the vector kernels behind nn__vec (kernels/vec_table.c), chosen for this CPU at run time.

   Every kernel is written once, in kernels/simd_f32.inc and kernels/simd_f64.inc, against a small set of macros
   (vector types, loads/stores, arithmetic, compares, masks). This file defines those macros once per instruction set
   and includes the templates after each definition:
     gen     128-bit GCC vector extensions: SSE2 on x86-64, NEON on arm64 (always available, no flags)
     avx2    AVX2 + FMA, 256-bit, through __attribute__((target)) so a plain `cc -O2` build still gets it
     avx512  AVX-512 F/DQ/BW/VL, 512-bit with mask registers
   nn__simd_install picks the widest one the CPU and the OS (CPUID + XGETBV) support.

   What is covered: float32 add/sub/mul/div/maximum/minimum and the six comparisons (vector-vector, vector-scalar,
   scalar-vector), pow with a scalar exponent 2, 0.5, 1, -1; neg, abs, sign, square, relu, sqrt, rsqrt, reciprocal,
   round/floor/ceil/trunc (AVX2 and up), exp, expm1, log, tanh, sigmoid; a + alpha*b, alpha*x + beta, acc += x, sum,
   NaN-propagating max/min, softmax and log_softmax of a row. float64: the same arithmetic, neg, abs, square, sqrt,
   reciprocal, relu, exp, log, tanh, sigmoid, sum.

   Rules the kernels keep: an element's result never depends on where it sits in the array (tails run through the
   same vector code on a partial vector), so any split into chunks gives identical results; arithmetic, sqrt,
   maximum/minimum, comparisons, neg, abs, rounding ... are bit-identical to the scalar rows; the math functions
   are within a few ulp of the exact result (float32 over every input: exp 0.99, log 0.83, expm1 1.5, tanh and
   sigmoid 2.5 ulp; float64: exp and log 1, tanh and sigmoid 2.5 ulp; tests/test_simd.c measures it) with the same
   special values (inf, NaN, -0, denormals) as the C library. Large outputs are written with non-temporal stores. */

#if NN__SIMD

#if NN__ARM64
#include <arm_neon.h>
#endif

/* Non-temporal (streaming) stores skip the read-for-ownership of the destination and write around the caches: about
   1.2-2x the write bandwidth for arrays far beyond the last-level cache, but the next op then finds the output in
   DRAM instead of L2/L3 (2-3x slower to consume for outputs of 64K-1M floats). Kernels see only their chunk of at
   most 65536 elements (NN__GRAIN in core/iter.c), so by default a call of at least nn__simd_nt_min elements streams.
   When the iterator publishes the size of the whole operation as NN__ITER_SIZE_HINT (an lvalue holding the element
   count, set before the chunks run), outputs stream only when that total reaches nn__simd_nt_total elements
   (sized from the last-level cache at install time), from calls of at least nn__simd_nt_min elements. */
#if defined(NN__ITER_SIZE_HINT)
static int64_t nn__simd_nt_min = 1024;
#else
static int64_t nn__simd_nt_min = 32768;
#endif
NN__PRIVATE int64_t nn__simd_nt_total = (int64_t)8 << 20;
#if defined(NN__ITER_SIZE_HINT)
#define NN__NT_WANTED(n) ((n) >= nn__simd_nt_min && (int64_t)(NN__ITER_SIZE_HINT) >= nn__simd_nt_total)
#else
#define NN__NT_WANTED(n) ((n) >= nn__simd_nt_min)
#endif

#define NN__KCAT2(a, b) nn__s_##a##_##b
#define NN__KCAT(a, b) NN__KCAT2(a, b)
/* NN__K(name): the name of a template function for the instruction set being instantiated. */
#define NN__K(name) NN__KCAT(name, NN__ISA)

#if defined(__clang__) || defined(__GNUC__)
#define NN__ALWAYS_INLINE static inline __attribute__((always_inline, unused))
#else
#define NN__ALWAYS_INLINE static inline
#endif

/* ---- loop skeletons shared by every instruction set (expanded inside the template functions) ----
   NN__F32_MAP(o, n, NT, OP): o[nn_i .. nn_i + nn_m) = OP for consecutive pieces of nn_m <= W elements (nn_m < W
   only for the tail and, when streaming, for the head up to the first aligned address). OP is an expression that
   loads its inputs with NN__K(ldm)(p + nn_i, nn_m) (a full or partial vector, zero-filled). When NT is nonzero and
   NN__NT_WANTED(n), full vectors are written with non-temporal stores. NN__F32_MAP has separate loops for full
   vectors (fastest, for cheap ops); NN__F32_MAP1 expands OP once (for the long math functions, to keep the
   library quick to compile). */
#define NN__F32_MAP(o, n, NT, OP)                                                                        \
  do {                                                                                                   \
    int64_t nn_i = 0, nn_m;                                                                              \
    NN__VF nn_v;                                                                                         \
    if (NN__HAS_NT && (NT) && NN__NT_WANTED(n) && ((uintptr_t)(o) & 3) == 0) {                           \
      nn_m = (int64_t)(((NN__VBYTES - ((uintptr_t)(o) & (NN__VBYTES - 1))) & (NN__VBYTES - 1)) / 4);    \
      if (nn_m) {                                                                                        \
        nn_v = (OP);                                                                                     \
        VSTOREN((o), nn_v, nn_m);                                                                        \
        nn_i = nn_m;                                                                                     \
      }                                                                                                  \
      for (nn_m = NN__W; nn_i + NN__W <= (n); nn_i += NN__W) {                                           \
        nn_v = (OP);                                                                                     \
        VSTREAM((o) + nn_i, nn_v);                                                                       \
      }                                                                                                  \
      VSFENCE();                                                                                         \
    } else {                                                                                             \
      for (nn_m = NN__W; nn_i + NN__W <= (n); nn_i += NN__W) {                                           \
        nn_v = (OP);                                                                                     \
        VSTORE((o) + nn_i, nn_v);                                                                        \
      }                                                                                                  \
    }                                                                                                    \
    if (nn_i < (n)) {                                                                                    \
      nn_m = (n) - nn_i;                                                                                 \
      nn_v = (OP);                                                                                       \
      VSTOREN((o) + nn_i, nn_v, nn_m);                                                                   \
    }                                                                                                    \
  } while (0)
#define NN__F64_MAP(o, n, NT, OP)                                                                        \
  do {                                                                                                   \
    int64_t nn_i = 0, nn_m;                                                                              \
    NN__VD nn_v;                                                                                         \
    if (NN__HAS_NT && (NT) && NN__NT_WANTED(n) && ((uintptr_t)(o) & 7) == 0) {                           \
      nn_m = (int64_t)(((NN__VBYTES - ((uintptr_t)(o) & (NN__VBYTES - 1))) & (NN__VBYTES - 1)) / 8);    \
      if (nn_m) {                                                                                        \
        nn_v = (OP);                                                                                     \
        VDSTOREN((o), nn_v, nn_m);                                                                       \
        nn_i = nn_m;                                                                                     \
      }                                                                                                  \
      for (nn_m = NN__WD; nn_i + NN__WD <= (n); nn_i += NN__WD) {                                        \
        nn_v = (OP);                                                                                     \
        VDSTREAM((o) + nn_i, nn_v);                                                                      \
      }                                                                                                  \
      VSFENCE();                                                                                         \
    } else {                                                                                             \
      for (nn_m = NN__WD; nn_i + NN__WD <= (n); nn_i += NN__WD) {                                        \
        nn_v = (OP);                                                                                     \
        VDSTORE((o) + nn_i, nn_v);                                                                       \
      }                                                                                                  \
    }                                                                                                    \
    if (nn_i < (n)) {                                                                                    \
      nn_m = (n) - nn_i;                                                                                 \
      nn_v = (OP);                                                                                       \
      VDSTOREN((o) + nn_i, nn_v, nn_m);                                                                  \
    }                                                                                                    \
  } while (0)

#define NN__F32_MAP1(o, n, NT, OP)                                                                        \
  do {                                                                                                   \
    int64_t nn_i = 0, nn_m = NN__W;                                                                      \
    int nn_nt = NN__HAS_NT && (NT) && NN__NT_WANTED(n) && ((uintptr_t)(o) & 3) == 0;                     \
    if (nn_nt) {                                                                                         \
      nn_m = (int64_t)(((NN__VBYTES - ((uintptr_t)(o) & (NN__VBYTES - 1))) & (NN__VBYTES - 1)) / 4);    \
      if (nn_m == 0) nn_m = NN__W;                                                                       \
    }                                                                                                    \
    while (nn_i < (n)) {                                                                                 \
      NN__VF nn_v;                                                                                       \
      if (nn_m > (n) - nn_i) nn_m = (n) - nn_i;                                                          \
      nn_v = (OP);                                                                                       \
      NN__K(stm)((o) + nn_i, nn_v, nn_m, nn_nt);                                                         \
      nn_i += nn_m;                                                                                      \
      nn_m = NN__W;                                                                                      \
    }                                                                                                    \
    if (nn_nt) VSFENCE();                                                                                \
  } while (0)

/* The single-copy form for float64 vectors (loads with NN__K(ldmd)). */
#define NN__F64_MAP1(o, n, NT, OP)                                                                        \
  do {                                                                                                   \
    int64_t nn_i = 0, nn_m = NN__WD;                                                                     \
    int nn_nt = NN__HAS_NT && (NT) && NN__NT_WANTED(n) && ((uintptr_t)(o) & 7) == 0;                     \
    if (nn_nt) {                                                                                         \
      nn_m = (int64_t)(((NN__VBYTES - ((uintptr_t)(o) & (NN__VBYTES - 1))) & (NN__VBYTES - 1)) / 8);    \
      if (nn_m == 0) nn_m = NN__WD;                                                                      \
    }                                                                                                    \
    while (nn_i < (n)) {                                                                                 \
      NN__VD nn_v;                                                                                       \
      if (nn_m > (n) - nn_i) nn_m = (n) - nn_i;                                                          \
      nn_v = (OP);                                                                                       \
      NN__K(stmd)((o) + nn_i, nn_v, nn_m, nn_nt);                                                        \
      nn_i += nn_m;                                                                                      \
      nn_m = NN__WD;                                                                                     \
    }                                                                                                    \
    if (nn_nt) VSFENCE();                                                                                \
  } while (0)

/* Binary kernels o = FN(a, b) for the three layouts (both contiguous; b one element; a one element): one body
   (not inlined, so its vector code exists once) and three entry points. */
#define NN__F32_BIN(NAME, FN)                                                                             \
  NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(NAME##_any)(int64_t n, float *o, const float *a, \
                                                                       const float *b, int mode) {        \
    const NN__VF sa = VSET1(a[0]), sb = VSET1(b[0]);                                                      \
    const int va = mode != NN__SV, vb = mode != NN__VS;                                                   \
    NN__F32_MAP(o, n, 1, FN(va ? NN__K(ldm)(a + nn_i, nn_m) : sa, vb ? NN__K(ldm)(b + nn_i, nn_m) : sb)); \
  }                                                                                                       \
  NN__F32_ENTRY(NAME, vv, float, NN__VV)                                                                  \
  NN__F32_ENTRY(NAME, vs, float, NN__VS)                                                                  \
  NN__F32_ENTRY(NAME, sv, float, NN__SV)
#define NN__F32_ENTRY(NAME, SFX, OT, MODE)                                                                \
  NN__PRIVATE NN__TGT void NN__K(NAME##_##SFX)(int64_t n, void *po, const void *pa, const void *pb) {      \
    if (n > 0) NN__K(NAME##_any)(n, (OT *)po, (const float *)pa, (const float *)pb, MODE);                \
  }

#define NN__F64_BIN(NAME, FN)                                                                             \
  NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(NAME##_any)(int64_t n, double *o, const double *a, \
                                                                       const double *b, int mode) {       \
    const NN__VD sa = VDSET1(a[0]), sb = VDSET1(b[0]);                                                    \
    const int va = mode != NN__SV, vb = mode != NN__VS;                                                   \
    NN__F64_MAP1(o, n, 1, FN(va ? NN__K(ldmd)(a + nn_i, nn_m) : sa, vb ? NN__K(ldmd)(b + nn_i, nn_m) : sb)); \
  }                                                                                                       \
  NN__F64_ENTRY(NAME, vv, NN__VV)                                                                         \
  NN__F64_ENTRY(NAME, vs, NN__VS)                                                                         \
  NN__F64_ENTRY(NAME, sv, NN__SV)
#define NN__F64_ENTRY(NAME, SFX, MODE)                                                                    \
  NN__PRIVATE NN__TGT void NN__K(NAME##_##SFX)(int64_t n, void *po, const void *pa, const void *pb) {      \
    if (n > 0) NN__K(NAME##_any)(n, (double *)po, (const double *)pa, (const double *)pb, MODE);          \
  }

/* Unary kernels o = FN(x); MAPK is NN__F32_MAP for cheap FN, NN__F32_MAP1 for long ones. */
#define NN__F32_UN(NAME, FN, MAPK)                                                            \
  NN__PRIVATE NN__TGT void NN__K(NAME)(int64_t n, void *po, const void *px) {                 \
    float *o = (float *)po;                                                                   \
    const float *x = (const float *)px;                                                       \
    MAPK(o, n, 1, FN(NN__K(ldm)(x + nn_i, nn_m)));                                            \
  }
/* Unary kernels of one family: one body NAME(n, o, x, k) (not inlined, so its vector code exists once) computing
   FN(x, k & 15), never streamed when k has NN__NOSTREAM; entry points NAME2 = body with a fixed k. */
#define NN__NOSTREAM 16
#define NN__F32_UNK(NAME, FN)                                                                                 \
  NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(NAME)(int64_t n, float *o, const float *x, int k) { \
    NN__F32_MAP1(o, n, !(k & NN__NOSTREAM), FN(NN__K(ldm)(x + nn_i, nn_m), k & 15));                            \
  }
#define NN__F32_UNE(NAME, BODY, K)                                                         \
  NN__PRIVATE NN__TGT void NN__K(NAME)(int64_t n, void *po, const void *px) {              \
    if (n > 0) NN__K(BODY)(n, (float *)po, (const float *)px, K);                          \
  }
#define NN__F64_UN(NAME, FN, MAPK)                                                            \
  NN__PRIVATE NN__TGT void NN__K(NAME)(int64_t n, void *po, const void *px) {                 \
    double *o = (double *)po;                                                                 \
    const double *x = (const double *)px;                                                     \
    MAPK(o, n, 1, FN(NN__K(ldmd)(x + nn_i, nn_m)));                                           \
  }

#if NN__SIMD_BASE
/* ================================================================================================================ */
/* gen: 128-bit GCC/clang vector extensions (SSE2 on x86-64, NEON on arm64)                                          */
/* ================================================================================================================ */

typedef float nn__g4f __attribute__((vector_size(16)));
typedef int32_t nn__g4i __attribute__((vector_size(16)));
typedef uint32_t nn__g4u __attribute__((vector_size(16)));
typedef double nn__g2d __attribute__((vector_size(16)));
typedef int64_t nn__g2l __attribute__((vector_size(16)));
typedef uint64_t nn__g2u __attribute__((vector_size(16)));

NN__ALWAYS_INLINE nn__g4f nn__g4f_load(const float *p) {
  nn__g4f v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__ALWAYS_INLINE void nn__g4f_store(float *p, nn__g4f v) { memcpy(p, &v, sizeof v); }
NN__ALWAYS_INLINE nn__g4f nn__g4f_set1(float s) {
  nn__g4f v = {s, s, s, s};
  return v;
}
NN__ALWAYS_INLINE nn__g4i nn__g4i_set1(int32_t s) {
  nn__g4i v = {s, s, s, s};
  return v;
}
NN__ALWAYS_INLINE nn__g4f nn__g4f_loadn(const float *p, int64_t n, nn__g4f fill) {
  float b[4];
  memcpy(b, &fill, sizeof b);
  memcpy(b, p, (size_t)n * sizeof(float));
  return nn__g4f_load(b);
}
NN__ALWAYS_INLINE void nn__g4f_storen(float *p, nn__g4f v, int64_t n) {
  float b[4];
  nn__g4f_store(b, v);
  memcpy(p, b, (size_t)n * sizeof(float));
}
NN__ALWAYS_INLINE nn__g4f nn__g4f_sel(nn__g4i m, nn__g4f a, nn__g4f b) {
  return (nn__g4f)(((nn__g4i)a & m) | ((nn__g4i)b & ~m));
}
NN__ALWAYS_INLINE int nn__g4i_any(nn__g4i m) { return (m[0] | m[1] | m[2] | m[3]) != 0; }
NN__ALWAYS_INLINE int nn__g4i_all(nn__g4i m) { return (m[0] & m[1] & m[2] & m[3]) != 0; }
NN__ALWAYS_INLINE nn__g4f nn__g4f_sqrt(nn__g4f a) {
#if NN__X86
  return (nn__g4f)_mm_sqrt_ps((__m128)a);
#else
  return (nn__g4f)vsqrtq_f32((float32x4_t)a);
#endif
}
NN__ALWAYS_INLINE nn__g4f nn__g4f_cvt(nn__g4i a) {
#if NN__X86
  return (nn__g4f)_mm_cvtepi32_ps((__m128i)a);
#else
  return (nn__g4f)vcvtq_f32_s32((int32x4_t)a);
#endif
}
NN__ALWAYS_INLINE float nn__g4f_hsum(nn__g4f v) { return (v[0] + v[2]) + (v[1] + v[3]); }
/* Stores the first n (<= 4) lanes of a compare mask as bytes 0/1. */
NN__ALWAYS_INLINE void nn__g4i_storeb(uint8_t *p, nn__g4i m, int64_t n) {
  int64_t k;
  for (k = 0; k < n; k++) p[k] = (uint8_t)(m[k] & 1);
}

NN__ALWAYS_INLINE nn__g2d nn__g2d_load(const double *p) {
  nn__g2d v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__ALWAYS_INLINE void nn__g2d_store(double *p, nn__g2d v) { memcpy(p, &v, sizeof v); }
NN__ALWAYS_INLINE nn__g2d nn__g2d_set1(double s) {
  nn__g2d v = {s, s};
  return v;
}
NN__ALWAYS_INLINE nn__g2l nn__g2l_set1(int64_t s) {
  nn__g2l v = {s, s};
  return v;
}
NN__ALWAYS_INLINE nn__g2d nn__g2d_loadn(const double *p, int64_t n, nn__g2d fill) {
  double b[2];
  memcpy(b, &fill, sizeof b);
  memcpy(b, p, (size_t)n * sizeof(double));
  return nn__g2d_load(b);
}
NN__ALWAYS_INLINE void nn__g2d_storen(double *p, nn__g2d v, int64_t n) {
  double b[2];
  nn__g2d_store(b, v);
  memcpy(p, b, (size_t)n * sizeof(double));
}
NN__ALWAYS_INLINE nn__g2d nn__g2d_sel(nn__g2l m, nn__g2d a, nn__g2d b) {
  return (nn__g2d)(((nn__g2l)a & m) | ((nn__g2l)b & ~m));
}
NN__ALWAYS_INLINE nn__g2d nn__g2d_sqrt(nn__g2d a) {
#if NN__X86
  return (nn__g2d)_mm_sqrt_pd((__m128d)a);
#else
  return (nn__g2d)vsqrtq_f64((float64x2_t)a);
#endif
}

#define NN__ISA gen
#define NN__TGT
#define NN__W 4
#define NN__VBYTES 16
#define NN__HAS_NT 0
#define NN__HAS_ROUND 0
#define NN__HAS_FMA 0 /* VFMA is a*b+c: two roundings where the compiler does not contract it */
#define NN__VF nn__g4f
#define NN__VI nn__g4i
#define NN__VM nn__g4i
#define VLOAD(p) nn__g4f_load(p)
#define VSTORE(p, v) nn__g4f_store((p), (v))
#define VSTREAM(p, v) nn__g4f_store((p), (v))
#define VSFENCE() ((void)0)
#define VLOADN(p, n, fill) nn__g4f_loadn((p), (n), (fill))
#define VSTOREN(p, v, n) nn__g4f_storen((p), (v), (n))
#define VSET1(s) nn__g4f_set1(s)
#define VZERO() nn__g4f_set1(0.0f)
#define VADD(a, b) ((a) + (b))
#define VSUB(a, b) ((a) - (b))
#define VMUL(a, b) ((a) * (b))
#define VDIV(a, b) ((a) / (b))
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VFNMA(a, b, c) ((c) - (a) * (b))
#define VMAXX(a, b) nn__g4f_sel((nn__g4i)((a) > (b)), (a), (b))
#define VMINX(a, b) nn__g4f_sel((nn__g4i)((a) < (b)), (a), (b))
#define VSQRT(a) nn__g4f_sqrt(a)
#define VAND(a, b) ((nn__g4f)((nn__g4i)(a) & (nn__g4i)(b)))
#define VOR(a, b) ((nn__g4f)((nn__g4i)(a) | (nn__g4i)(b)))
#define VXOR(a, b) ((nn__g4f)((nn__g4i)(a) ^ (nn__g4i)(b)))
#define VANDNOT(a, b) ((nn__g4f)(~(nn__g4i)(a) & (nn__g4i)(b)))
#define VLT(a, b) ((nn__g4i)((a) < (b)))
#define VLE(a, b) ((nn__g4i)((a) <= (b)))
#define VGT(a, b) ((nn__g4i)((a) > (b)))
#define VGE(a, b) ((nn__g4i)((a) >= (b)))
#define VEQ(a, b) ((nn__g4i)((a) == (b)))
#define VNEQ(a, b) ((nn__g4i)((a) != (b)))
#define VUNORD(a, b) ((nn__g4i)((a) != (a)) | (nn__g4i)((b) != (b)))
#define VSEL(m, a, b) nn__g4f_sel((m), (a), (b))
#define MAND(a, b) ((a) & (b))
#define MOR(a, b) ((a) | (b))
#define MNOT(a) (~(a))
#define MZERO() nn__g4i_set1(0)
#define MANY(m) nn__g4i_any(m)
#define MALL(m) nn__g4i_all(m)
#define VI_F(v) ((nn__g4i)(v))
#define VF_I(v) ((nn__g4f)(v))
#define VIADD(a, b) ((a) + (b))
#define VISUB(a, b) ((a) - (b))
#define VISLL(a, k) ((a) << (k))
#define VISRA(a, k) ((a) >> (k))
#define VISRL(a, k) ((nn__g4i)((nn__g4u)(a) >> (k)))
#define VISET1(s) nn__g4i_set1(s)
#define VIAND(a, b) ((a) & (b))
#define VIOR(a, b) ((a) | (b))
#define VCVTI(a) nn__g4f_cvt(a)
#define VHSUM(v) nn__g4f_hsum(v)
#define VSTOREB(p, m, n) nn__g4i_storeb((p), (m), (n))
/* float64 */
#define NN__WD 2
#define NN__VD nn__g2d
#define NN__VDM nn__g2l
#define VDLOAD(p) nn__g2d_load(p)
#define VDSTORE(p, v) nn__g2d_store((p), (v))
#define VDSTREAM(p, v) nn__g2d_store((p), (v))
#define VDLOADN(p, n, fill) nn__g2d_loadn((p), (n), (fill))
#define VDSTOREN(p, v, n) nn__g2d_storen((p), (v), (n))
#define VDSET1(s) nn__g2d_set1(s)
#define VDADD(a, b) ((a) + (b))
#define VDSUB(a, b) ((a) - (b))
#define VDMUL(a, b) ((a) * (b))
#define VDDIV(a, b) ((a) / (b))
#define VDFMA(a, b, c) ((a) * (b) + (c))
#define VDSQRT(a) nn__g2d_sqrt(a)
#define VDAND(a, b) ((nn__g2d)((nn__g2l)(a) & (nn__g2l)(b)))
#define VDXOR(a, b) ((nn__g2d)((nn__g2l)(a) ^ (nn__g2l)(b)))
#define VDANDNOT(a, b) ((nn__g2d)(~(nn__g2l)(a) & (nn__g2l)(b)))
#define VDGT(a, b) ((nn__g2l)((a) > (b)))
#define VDLT(a, b) ((nn__g2l)((a) < (b)))
#define VDEQ(a, b) ((nn__g2l)((a) == (b)))
#define VDUNORD(a, b) ((nn__g2l)((a) != (a)) | (nn__g2l)((b) != (b)))
#define VDSEL(m, a, b) nn__g2d_sel((m), (a), (b))
#define VDMAXX(a, b) nn__g2d_sel((nn__g2l)((a) > (b)), (a), (b))
#define VDMINX(a, b) nn__g2d_sel((nn__g2l)((a) < (b)), (a), (b))
#define MDOR(a, b) ((a) | (b))
#define VDHSUM(v) ((v)[0] + (v)[1])
#define NN__VDI nn__g2l
#define VDI_D(v) ((nn__g2l)(v))
#define VD_DI(v) ((nn__g2d)(v))
#define VDIADD(a, b) ((a) + (b))
#define VDISUB(a, b) ((a) - (b))
#define VDISLL(a, k) ((a) << (k))
#define VDISRL(a, k) ((nn__g2l)((nn__g2u)(a) >> (k)))
#define VDIAND(a, b) ((a) & (b))
#define VDIOR(a, b) ((a) | (b))
#define VDISET1(s) nn__g2l_set1(s)
#define VDFNMA(a, b, c) ((c) - (a) * (b))
#define VDGE(a, b) ((nn__g2l)((a) >= (b)))
#define VDLE(a, b) ((nn__g2l)((a) <= (b)))
#define MDAND(a, b) ((a) & (b))
#define MDALL(m) (((m)[0] & (m)[1]) != 0)
/* ---- begin src/kernels/simd_f32.inc ---- */
/* kernels/simd_f32.inc: float32 vector kernels, written once against the macros of kernels/simd.c and included
   once per instruction set (NN__ISA names it; NN__K(name) gives each function its per-ISA name). */

/* A full vector (m == W) or the first m lanes, zero-filled; and the matching store (streamed when nt). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(ldm)(const float *p, int64_t m) {
  return m == NN__W ? VLOAD(p) : VLOADN(p, m, VZERO());
}
NN__TGT NN__ALWAYS_INLINE void NN__K(stm)(float *p, NN__VF v, int64_t m, int nt) {
  if (m != NN__W) VSTOREN(p, v, m);
  else if (nt) VSTREAM(p, v);
  else VSTORE(p, v);
}

/* ---- vector math (each lane independent) ---- */

/* x = n ln2 + r with |r| <= ln2/2 (ln2 in two parts, n = round(x / ln2)); returns r and, in *t, a float whose low
   mantissa bits hold n (NN__TN(*t) extracts it). Needs |x| < 2^22. */
#define NN__TN(t) VISUB(VI_F(t), VISET1(0x4B400000))
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vred)(NN__VF x, NN__VF *t) {
  const NN__VF magic = VSET1(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
  NN__VF nf;
  *t = VFMA(x, VSET1(1.44269504088896341f), magic);
  nf = VSUB(*t, magic);
  return VFNMA(nf, VSET1(1.428606765330187045e-06f), VFNMA(nf, VSET1(0.693145751953125f), x));
}

/* e^r - 1 = r + r^2 p(r) for |r| <= ln2/2: degree-6 polynomial (SLEEF's coefficients, < 1 ulp). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexpm1r)(NN__VF r) {
  NN__VF u = VSET1(0.000198527617612853646278381f);
  u = VFMA(u, r, VSET1(0.00139304355252534151077271f));
  u = VFMA(u, r, VSET1(0.00833336077630519866943359f));
  u = VFMA(u, r, VSET1(0.0416664853692054748535156f));
  u = VFMA(u, r, VSET1(0.166666671633720397949219f));
  u = VFMA(u, r, VSET1(0.5f));
  return VFMA(VMUL(r, r), u, r);
}

/* 2^n for integer lanes n in [-126, 127] */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vpow2i)(NN__VI n) { return VF_I(VISLL(VIADD(n, VISET1(127)), 23)); }

/* u 2^n, |n| <= 151: one exact multiplication when `fast` (every lane's result normal), else two halves so that
   overflow gives inf and gradual underflow rounds once; NaN lanes of x give NaN. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vscale)(NN__VF u, NN__VI n, NN__VF x, int fast) {
  NN__VI n1;
  if (fast) return VMUL(u, NN__K(vpow2i)(n));
  n1 = VISRA(n, 1);
  u = VMUL(VMUL(u, NN__K(vpow2i)(n1)), NN__K(vpow2i)(VISUB(n, n1)));
  return VSEL(VUNORD(x, x), VADD(x, x), u);
}

/* m e^(x + xl): x clamped to [-104, 89] and reduced by vred, xl (|xl| <= 2^-12, or -0.0 for none) added to r, the
   degree-6 polynomial, then the scaling after the multiplication by m (so m e^x underflows with one rounding). With
   xl = -0.0 and m = 1 the compiler drops both. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexpx)(NN__VF x, NN__VF xl, NN__VF m) {
  NN__VF t, r = VADD(NN__K(vred)(VMINX(VMAXX(x, VSET1(-150.0f)), VSET1(89.0f)), &t), xl);
  return NN__K(vscale)(VMUL(VADD(NN__K(vexpm1r)(r), VSET1(1.0f)), m), NN__TN(t), x,
                       MALL(VLE(VANDNOT(VSET1(-0.0f), x), VSET1(87.0f))));
}

/* e^x (< 1 ulp): vexpx without correction. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexp)(NN__VF x) { return NN__K(vexpx)(x, VSET1(-0.0f), VSET1(1.0f)); }

/* The low part of a product: a b - p exactly for p = fl(a b) (no overflow or underflow). With FMA one fused
   operation; otherwise Dekker's product of 12-bit halves split off with a mask (exact whether or not the compiler
   contracts a*b+c). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vplo)(NN__VF a, NN__VF b, NN__VF p) {
#if NN__HAS_FMA
  return VFMA(a, b, VXOR(p, VSET1(-0.0f)));
#else
  const NN__VF hm = VF_I(VISET1(-4096)); /* clears the 12 low mantissa bits */
  NN__VF ah = VAND(a, hm), bh = VAND(b, hm), al = VSUB(a, ah), bl = VSUB(b, bh);
  return VADD(VADD(VADD(VSUB(VMUL(ah, bh), p), VMUL(ah, bl)), VMUL(al, bh)), VMUL(al, bl));
#endif
}

/* 2^x = e^(h + l), h + l = x ln2 (x clamped to [-152, 130]) in two parts. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexp2)(NN__VF x) {
  const NN__VF ln2 = VSET1(6.931471825e-01f);
  NN__VF xc = VMINX(VSET1(130.0f), VMAXX(VSET1(-152.0f), x)), h = VMUL(xc, ln2); /* a NaN stays NaN */
  return NN__K(vexpx)(h, VFMA(xc, VSET1(-1.904654212e-09f), NN__K(vplo)(xc, ln2, h)), VSET1(1.0f));
}

/* ln(2^e (1 + m)) without the e ln2 high part, for 1 + m in [sqrt(1/2), sqrt(2)): Cephes' degree-8 polynomial
   (< 1 ulp with ln2 in two parts); k2 is the low part of ln2, or 0 for ln(1 + m) alone. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vlogp)(NN__VF e, NN__VF m, float k2) {
  NN__VF z = VMUL(m, m), y = VSET1(7.0376836292e-2f);
  y = VFMA(y, m, VSET1(-1.1514610310e-1f));
  y = VFMA(y, m, VSET1(1.1676998740e-1f));
  y = VFMA(y, m, VSET1(-1.2420140846e-1f));
  y = VFMA(y, m, VSET1(1.4249322787e-1f));
  y = VFMA(y, m, VSET1(-1.6668057665e-1f));
  y = VFMA(y, m, VSET1(2.0000714765e-1f));
  y = VFMA(y, m, VSET1(-2.4999993993e-1f));
  y = VFMA(y, m, VSET1(3.3333331174e-1f));
  y = VMUL(VMUL(y, m), z);
  y = VFMA(e, VSET1(k2), y);
  y = VFNMA(VSET1(0.5f), z, y);
  return VADD(m, y);
}

/* ln x (kind 0), log2 x (1), log10 x (2), ln(1 + x) (3). u = x (log1p: 1 + x rounded, with c = x - (u - 1) its
   rounding error, exact) = 2^e (1 + f), 1 + f in [sqrt(1/2), sqrt(2)), f = m - 1 exactly (log1p: + c 2^-e); t =
   ln(1 + f) from vlogp; ln: e ln2 + t; log2: e + t log2(e); log10: e log10(2) + t log10(e) (constants in two parts).
   Denormals are scaled by 2^23 first; u = 0 -> -inf, u < 0 -> NaN, inf -> inf; log1p keeps the sign of x (-0). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vlogk)(NN__VF x, int kind) {
  const NN__VF one = VSET1(1.0f);
  NN__VF u = kind == 3 ? VADD(one, x) : x, xs, eoff = VZERO(), e, m, r;
  NN__VI bits;
  NN__VM lo;
  int fast = MALL(MAND(VGE(u, VSET1(FLT_MIN)), VLE(u, VSET1(FLT_MAX))));
  xs = u;
  if (!fast) { /* (u is never a denormal for log1p) */
    NN__VM den = VLT(u, VSET1(FLT_MIN));
    xs = VSEL(den, VMUL(u, VSET1(8388608.0f)), u);
    eoff = VSEL(den, VSET1(23.0f), VZERO());
  }
  bits = VI_F(xs);
  e = VSUB(VCVTI(VISUB(VISRL(bits, 23), VISET1(126))), eoff);
  m = VF_I(VIOR(VIAND(bits, VISET1(0x007fffff)), VISET1(0x3f000000))); /* [0.5, 1) */
  lo = VLT(m, VSET1(0.707106781186547524f));
  e = VSUB(e, VSEL(lo, one, VZERO()));
  if (kind == 3) { /* c 2^-e, 2^-e from the exponent bits: 2^(1 - e0) is 0 for u >= 2^127, where c = 0 */
    NN__VF sc = VF_I(VISLL(VISUB(VISET1(254), VISRL(bits, 23)), 23));
    NN__VF c = VMUL(VSUB(x, VSUB(u, one)), VMUL(sc, VSEL(lo, one, VSET1(0.5f))));
    m = VADD(VSUB(VADD(m, VSEL(lo, m, VZERO())), one), c);
  } else {
    m = VSUB(VADD(m, VSEL(lo, m, VZERO())), one);
  }
  r = NN__K(vlogp)(e, m, kind == 1 || kind == 2 ? 0.0f : -2.12194440e-4f);
  if (kind == 1) r = VFMA(r, VSET1(1.442695022e+00f), VFMA(r, VSET1(1.925963034e-08f), e));
  else if (kind == 2) r = VFMA(e, VSET1(0.301025390625f), VFMA(r, VSET1(4.342944920e-01f), VFMA(r, VSET1(-1.010304995e-08f), VMUL(e, VSET1(4.605039067e-06f)))));
  else r = VFMA(e, VSET1(0.693359375f), r);
  if (!fast) {
    r = VSEL(VEQ(u, VZERO()), VSET1(-INFINITY), r);
    r = VSEL(VLT(u, VZERO()), VSET1(NAN), r);
    r = VSEL(VEQ(u, VSET1(INFINITY)), u, r);
    r = VSEL(VUNORD(u, u), VADD(u, u), r);
  }
  return kind == 3 ? VOR(r, VAND(x, VSET1(-0.0f))) : r;
}

/* ln x, without the branches of the family */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vlog)(NN__VF x) { return NN__K(vlogk)(x, 0); }

/* tanh x = -m / (2 + m) with m = e^{-2|x|} - 1 = 2^n (e^r - 1) + (2^n - 1) (no cancellation), given x's sign.
   One formula for every |x|: no branch between a polynomial and an exp form. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vtanh)(NN__VF x) {
  const NN__VF sign = VSET1(-0.0f), one = VSET1(1.0f);
  NN__VF y = VMAXX(VSET1(-20.0f), VMUL(VANDNOT(sign, x), VSET1(-2.0f))); /* a NaN stays NaN (the second operand wins) */
  NN__VF t, r = NN__K(vred)(y, &t), s = NN__K(vpow2i)(NN__TN(t)); /* 2^n, n in [-29, 0] */
  NN__VF m = VFMA(s, NN__K(vexpm1r)(r), VSUB(s, one));                 /* e^y - 1 */
  r = VDIV(VSUB(VZERO(), m), VADD(VSET1(2.0f), m));                    /* >= +0, or NaN */
  return VOR(r, VAND(x, sign));
}

/* 1 / (1 + e^-x), as e/(1+e) with e = e^x for x < 0 so that tiny results keep their precision. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vsigmoid)(NN__VF x) {
  const NN__VF one = VSET1(1.0f);
  NN__VF e = NN__K(vexp)(VOR(x, VSET1(-0.0f))); /* e^{-|x|} */
  return VDIV(VSEL(VLT(x, VZERO()), e, one), VADD(one, e));
}

/* e^x - 1: x = n ln2 + r, e^x - 1 = 2^n (e^r - 1) + (2^n - 1) with e^r - 1 = r + r^2 p(r), one fused rounding. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexpm1)(NN__VF x) {
  NN__VF t, r = NN__K(vred)(VMINX(VMAXX(x, VSET1(-18.0f)), VSET1(17.0f)), &t), s = NN__K(vpow2i)(NN__TN(t));
  NN__VF res = VFMA(s, NN__K(vexpm1r)(r), VSUB(s, VSET1(1.0f)));
  NN__VM big = VGT(x, VSET1(17.0f));
  if (MANY(big)) res = VSEL(big, NN__K(vexp)(x), res);
  res = VSEL(VEQ(x, VZERO()), x, res);
  return VSEL(VUNORD(x, x), VADD(x, x), res);
}

/* h e^(a^2) erfc(a) for a in [0, 10.3]: h (1 + p(q)) / d with d = 1 + 2a (from the caller, rounded once), q =
   (a - 2) / (a + 2) and p of degree 9 (the method of M. M. Shepherd and J. G. Laframboise, Math. Comp. 36 (1981)
   249-253; coefficients fitted for float, relative error 2.4e-8 before rounding). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(verfcx)(NN__VF a, NN__VF h, NN__VF d) {
  const NN__VF two = VSET1(2.0f);
  NN__VF q = VDIV(VSUB(a, two), VADD(a, two)), p = VSET1(-3.961065377e-04f);
  p = VFMA(p, q, VSET1(-1.222339692e-03f));
  p = VFMA(p, q, VSET1(1.312571578e-03f));
  p = VFMA(p, q, VSET1(8.625355549e-03f));
  p = VFMA(p, q, VSET1(-8.060889319e-03f));
  p = VFMA(p, q, VSET1(-5.420261994e-02f));
  p = VFMA(p, q, VSET1(1.640556604e-01f));
  p = VFMA(p, q, VSET1(-1.660315692e-01f));
  p = VFMA(p, q, VSET1(-9.276399761e-02f));
  p = VFMA(p, q, VSET1(2.769784033e-01f));
  return VDIV(VFMA(p, h, h), d);
}

/* erf (gelu = 0) and gelu (gelu = 1), one body. With a = min(|x|, lim) and E = m e^(-k a^2) erfcx(a sqrt(k)) (a^2
   split exactly in two parts, so e^(-k a^2) keeps full precision):
     erf:  |x| < 1: x + x P(x^2) (P of degree 6, fitted, relative error 2.5e-9); else sign(x) (1 - E), k = 1, m = 1,
           lim = 4 (erf = 1 beyond 3.92).
     gelu: x Phi(x) = x - E for x > 0 and E for x <= 0, E = x Phi(-|x|), k = 1/2, m = x/2, lim = 14.5 (beyond it
           x Phi(-|x|) is below the smallest denormal); -inf gives NaN like torch's formula. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(verfg)(NN__VF x, int gelu) {
  const NN__VF sign = VSET1(-0.0f), one = VSET1(1.0f), ks = VSET1(gelu ? -0.5f : -1.0f);
  NN__VF ax = VANDNOT(sign, x), y = x, a, s, sl, m;
  if (!gelu) {
    NN__VF t = VMUL(x, x), p = VSET1(7.853857824e-05f);
    p = VFMA(p, t, VSET1(-8.010192541e-04f));
    p = VFMA(p, t, VSET1(5.188327748e-03f));
    p = VFMA(p, t, VSET1(-2.685381286e-02f));
    p = VFMA(p, t, VSET1(1.128358543e-01f));
    p = VFMA(p, t, VSET1(-3.761262596e-01f));
    p = VFMA(p, t, VSET1(1.283791661e-01f));
    y = VFMA(x, p, x);
    if (MALL(VLT(ax, one))) return y;
  }
  a = VMINX(VSET1(gelu ? 14.5f : 4.0f), ax); /* a NaN stays NaN */
  s = VMUL(a, a);
  sl = NN__K(vplo)(a, a, s);
  m = gelu ? NN__K(verfcx)(VMUL(a, VSET1(0.7071067690849304f)), VMUL(VOR(a, VAND(x, sign)), VSET1(0.5f)),
                           VFMA(a, VSET1(1.41421354f), one))
           : NN__K(verfcx)(a, one, VFMA(a, VSET1(2.0f), one));
  m = NN__K(vexpx)(VMUL(s, ks), VMUL(sl, ks), m);
  if (gelu) {
    y = VSEL(VLE(x, VZERO()), m, VSUB(x, m));
    return VSEL(VEQ(x, VSET1(-INFINITY)), VSET1(NAN), y);
  }
  return VSEL(VLT(ax, one), y, VOR(VSUB(one, m), VAND(x, sign)));
}

/* x sigmoid(v) for v = x (silu) or v = x (A + B x^2) = 2 sqrt(2/pi) (x + 0.044715 x^3) (gelu_tanh: 0.5 x (1 +
   tanh(v/2)), torch's constants). x / (1 + e^-v) for x >= 0, x e^v / (1 + e^v) for x < 0, with m e^v from vexpx so
   that tiny results round once. For gelu_tanh, |v| (up to ~100 where the result is not 0) is computed in two parts
   (A, B and the products exact to ~2^-40), because an error d in v is an error of about |v| d in the result. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vxsig)(NN__VF x, int gt) {
  const NN__VF sign = VSET1(-0.0f), one = VSET1(1.0f);
  NN__VF vh = VANDNOT(sign, x), vl = VZERO(), e, xe, r;
  if (gt) {
    const NN__VF ah = VSET1(1.595769167e+00f), bh = VSET1(7.135481387e-02f);
    NN__VF a = VMINX(VSET1(12.0f), vh), s = VMUL(a, a), sl = NN__K(vplo)(a, a, s), b = VMUL(s, bh), w;
    NN__VF bl = VADD(NN__K(vplo)(s, bh, b), VFMA(s, VSET1(2.398832466e-09f), VMUL(sl, bh)));
    w = VADD(ah, b); /* w + wl = A + B a^2; both terms >= 0: Fast2Sum with the larger first */
    bl = VADD(VADD(VSUB(VMAXX(ah, b), w), VMINX(ah, b)), VADD(VSET1(-4.534068054e-08f), bl));
    vh = VMUL(a, w);
    vl = VFMA(a, bl, NN__K(vplo)(a, w, vh));
  }
  vh = VXOR(vh, sign); /* -|v| */
  vl = VXOR(vl, sign);
  e = NN__K(vexpx)(vh, vl, one);
  xe = NN__K(vexpx)(vh, vl, VMAXX(VSET1(-120.0f), x)); /* x e^v underflows for x < -120 (and |v| >= 120) */
  r = VDIV(VSEL(VLT(x, VZERO()), xe, x), VADD(one, e));
  return VSEL(VEQ(x, VSET1(-INFINITY)), VSET1(NAN), r);
}


/* ---- elementwise helpers with the scalar rows' exact semantics ---- */

NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fadd)(NN__VF a, NN__VF b) { return VADD(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsub)(NN__VF a, NN__VF b) { return VSUB(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fmul)(NN__VF a, NN__VF b) { return VMUL(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fdiv)(NN__VF a, NN__VF b) { return VDIV(a, b); }
/* (a != a || a > b) ? a : b, and the same with < */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fmax)(NN__VF a, NN__VF b) { return VSEL(VUNORD(a, a), a, VMAXX(a, b)); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fmin)(NN__VF a, NN__VF b) { return VSEL(VUNORD(a, a), a, VMINX(a, b)); }

NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fneg)(NN__VF x) { return VXOR(x, VSET1(-0.0f)); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fabs)(NN__VF x) { return VANDNOT(VSET1(-0.0f), x); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsquare)(NN__VF x) { return VMUL(x, x); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(frelu)(NN__VF x) { return VSEL(MOR(VGT(x, VZERO()), VUNORD(x, x)), x, VZERO()); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsign)(NN__VF x) {
  return VSEL(VGT(x, VZERO()), VSET1(1.0f), VSEL(VLT(x, VZERO()), VSET1(-1.0f), x));
}
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsqrt)(NN__VF x) { return VSQRT(x); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(frsqrt)(NN__VF x) { return VDIV(VSET1(1.0f), VSQRT(x)); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(frecip)(NN__VF x) { return VDIV(VSET1(1.0f), x); }
#if NN__HAS_ROUND
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fround)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_NEAREST_INT); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(ffloor)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_NEG_INF); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fceil)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_POS_INF); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(ftrunc)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_ZERO); }
#endif

/* ---- kernels ---- */

NN__F32_BIN(add_f32, NN__K(fadd))
NN__F32_BIN(sub_f32, NN__K(fsub))
NN__F32_BIN(mul_f32, NN__K(fmul))
NN__F32_BIN(div_f32, NN__K(fdiv))
NN__F32_BIN(max_f32, NN__K(fmax))
NN__F32_BIN(min_f32, NN__K(fmin))

/* Comparisons (bool bytes out): one body for the six predicates and three layouts. */
NN__TGT NN__ALWAYS_INLINE NN__VM NN__K(fcmp)(NN__VF a, NN__VF b, int op) {
  switch (op) {
    case NN_OP_EQ: return VEQ(a, b);
    case NN_OP_NE: return VNEQ(a, b);
    case NN_OP_LT: return VLT(a, b);
    case NN_OP_LE: return VLE(a, b);
    case NN_OP_GT: return VGT(a, b);
    default: return VGE(a, b);
  }
}
NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(cmp_f32)(int64_t n, uint8_t *o, const float *a,
                                                                   const float *b, int mode, int op) {
  const NN__VF sa = VSET1(a[0]), sb = VSET1(b[0]);
  const int va = mode != NN__SV, vb = mode != NN__VS;
  int64_t i, m;
  for (i = 0; i < n; i += m) {
    m = n - i < NN__W ? n - i : NN__W;
    VSTOREB(o + i, NN__K(fcmp)(va ? NN__K(ldm)(a + i, m) : sa, vb ? NN__K(ldm)(b + i, m) : sb, op), m);
  }
}
#define NN__F32_CMPK(NAME, OP)                                                                         \
  NN__PRIVATE NN__TGT void NN__K(NAME##_vv)(int64_t n, void *po, const void *pa, const void *pb) {     \
    if (n > 0) NN__K(cmp_f32)(n, (uint8_t *)po, (const float *)pa, (const float *)pb, NN__VV, OP);     \
  }                                                                                                    \
  NN__PRIVATE NN__TGT void NN__K(NAME##_vs)(int64_t n, void *po, const void *pa, const void *pb) {     \
    if (n > 0) NN__K(cmp_f32)(n, (uint8_t *)po, (const float *)pa, (const float *)pb, NN__VS, OP);     \
  }                                                                                                    \
  NN__PRIVATE NN__TGT void NN__K(NAME##_sv)(int64_t n, void *po, const void *pa, const void *pb) {     \
    if (n > 0) NN__K(cmp_f32)(n, (uint8_t *)po, (const float *)pa, (const float *)pb, NN__SV, OP);     \
  }
NN__F32_CMPK(eq_f32, NN_OP_EQ)
NN__F32_CMPK(ne_f32, NN_OP_NE)
NN__F32_CMPK(lt_f32, NN_OP_LT)
NN__F32_CMPK(le_f32, NN_OP_LE)
NN__F32_CMPK(gt_f32, NN_OP_GT)
NN__F32_CMPK(ge_f32, NN_OP_GE)
#undef NN__F32_CMPK

NN__F32_UN(neg_f32, NN__K(fneg), NN__F32_MAP)
NN__F32_UN(abs_f32, NN__K(fabs), NN__F32_MAP)
NN__F32_UN(sign_f32, NN__K(fsign), NN__F32_MAP)
NN__F32_UN(square_f32, NN__K(fsquare), NN__F32_MAP)
NN__F32_UN(relu_f32, NN__K(frelu), NN__F32_MAP)
NN__F32_UN(sqrt_f32, NN__K(fsqrt), NN__F32_MAP)
NN__F32_UN(rsqrt_f32, NN__K(frsqrt), NN__F32_MAP)
NN__F32_UN(recip_f32, NN__K(frecip), NN__F32_MAP)
NN__F32_UN(expm1_f32, NN__K(vexpm1), NN__F32_MAP1)
NN__F32_UN(tanh_f32, NN__K(vtanh), NN__F32_MAP1)
NN__F32_UN(sigmoid_f32, NN__K(vsigmoid), NN__F32_MAP1)
NN__F32_UN(exp_f32, NN__K(vexp), NN__F32_MAP1)
NN__F32_UN(exp2_f32, NN__K(vexp2), NN__F32_MAP1)
NN__F32_UN(log_f32, NN__K(vlog), NN__F32_MAP1)
/* families with one body each: log2/log10/log1p, erf/gelu, silu/gelu_tanh */
NN__F32_UNK(log_any, NN__K(vlogk))
NN__F32_UNK(erf_any, NN__K(verfg))
NN__F32_UNK(xsig_any, NN__K(vxsig))

/* softplus (k = 0) = max(x, 0) + log1p(e^-|x|), equal to x for x > 20 in float (torch's threshold changes nothing),
   and log_sigmoid (k = 1) = -softplus(-x), by blocks that stay in L1: e^-|x|, then the log1p body (not streamed),
   then the sum (+ 0: log_sigmoid(inf) = +0 like torch). */
NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(softplus_any)(int64_t n, float *o, const float *x, int k) {
  const NN__VF sg = VSET1(k ? -0.0f : 0.0f), neg = VSET1(-0.0f);
  float b[1024];
  int64_t j, bn;
  for (j = 0; j < n; j += bn) {
    const float *xj = x + j;
    bn = n - j < 1024 ? n - j : 1024;
    NN__F32_MAP1(b, bn, 0, NN__K(vexp)(VOR(NN__K(ldm)(xj + nn_i, nn_m), neg)));
    NN__K(log_any)(bn, b, b, 3 | NN__NOSTREAM);
    NN__F32_MAP1(o + j, bn, 1, VADD(VXOR(VADD(VMAXX(VZERO(), VXOR(NN__K(ldm)(xj + nn_i, nn_m), sg)),
                                              NN__K(ldm)(b + nn_i, nn_m)), sg), VZERO()));
  }
}
NN__F32_UNE(log2_f32, log_any, 1)
NN__F32_UNE(log10_f32, log_any, 2)
NN__F32_UNE(log1p_f32, log_any, 3)
NN__F32_UNE(erf_f32, erf_any, 0)
NN__F32_UNE(gelu_f32, erf_any, 1)
NN__F32_UNE(silu_f32, xsig_any, 0)
NN__F32_UNE(gelu_tanh_f32, xsig_any, 1)
NN__F32_UNE(softplus_f32, softplus_any, 0)
NN__F32_UNE(log_sigmoid_f32, softplus_any, 1)
#if NN__HAS_ROUND
NN__F32_UN(round_f32, NN__K(fround), NN__F32_MAP)
NN__F32_UN(floor_f32, NN__K(ffloor), NN__F32_MAP)
NN__F32_UN(ceil_f32, NN__K(fceil), NN__F32_MAP)
NN__F32_UN(trunc_f32, NN__K(ftrunc), NN__F32_MAP)
#endif

/* x ** c for one exponent c: 2, 0.5, 1 and -1 in vector form (correctly rounded, C's pow special cases), any other
   exponent through the scalar row. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fpowhalf)(NN__VF x) {
  NN__VF r = VSQRT(x);
  r = VSEL(VEQ(x, VSET1(-INFINITY)), VSET1(INFINITY), r);
  return VSEL(VEQ(x, VZERO()), VZERO(), r); /* pow(-0, 0.5) = +0 */
}
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fone)(NN__VF x) { return VMUL(x, VSET1(1.0f)); }
NN__PRIVATE NN__TGT void NN__K(pow_f32_vs)(int64_t n, void *po, const void *pa, const void *pb) {
  float *o = (float *)po;
  const float *a = (const float *)pa;
  const float c = *(const float *)pb;
  if (c == 2.0f) {
    NN__F32_MAP(o, n, 1, NN__K(fsquare)(NN__K(ldm)(a + nn_i, nn_m)));
  } else if (c == 0.5f) {
    NN__F32_MAP(o, n, 1, NN__K(fpowhalf)(NN__K(ldm)(a + nn_i, nn_m)));
  } else if (c == 1.0f) {
    NN__F32_MAP(o, n, 1, NN__K(fone)(NN__K(ldm)(a + nn_i, nn_m)));
  } else if (c == -1.0f) {
    NN__F32_MAP(o, n, 1, NN__K(frecip)(NN__K(ldm)(a + nn_i, nn_m)));
  } else {
    char *p[3];
    int64_t st[3] = {1, 1, 0};
    p[0] = (char *)po;
    p[1] = (char *)pa;
    p[2] = (char *)pb;
    nn__pow_f32(n, p, st, NULL);
  }
}

/* o = a + alpha * b (one fused rounding) */
NN__PRIVATE NN__TGT void NN__K(add_scaled_f32)(int64_t n, float *o, const float *a, const float *b, float alpha) {
  const NN__VF al = VSET1(alpha);
  NN__F32_MAP(o, n, 1, VFMA(NN__K(ldm)(b + nn_i, nn_m), al, NN__K(ldm)(a + nn_i, nn_m)));
}

/* o = alpha * x + beta (one fused rounding) */
NN__PRIVATE NN__TGT void NN__K(affine_f32)(int64_t n, float *o, const float *x, float alpha, float beta) {
  const NN__VF al = VSET1(alpha), be = VSET1(beta);
  NN__F32_MAP(o, n, 1, VFMA(NN__K(ldm)(x + nn_i, nn_m), al, be));
}

/* acc += x; never streamed: acc is read again soon. */
NN__PRIVATE NN__TGT void NN__K(acc_add_f32)(int64_t n, float *acc, const float *x) {
  NN__F32_MAP(acc, n, 0, VADD(NN__K(ldm)(acc + nn_i, nn_m), NN__K(ldm)(x + nn_i, nn_m)));
}

/* Sum: blocks of 128 vectors go through 8 float accumulators (16 values per lane and block, like NumPy's pairwise
   blocks); block sums are added in double. */
NN__PRIVATE NN__TGT float NN__K(sum_f32)(int64_t n, const float *x) {
  double total = 0.0;
  int64_t i = 0;
  while (i < n) {
    int64_t m = n - i < 128 * NN__W ? n - i : 128 * NN__W, j = 0;
    const float *p = x + i;
    NN__VF a0 = VZERO(), a1 = VZERO(), a2 = VZERO(), a3 = VZERO();
    NN__VF a4 = VZERO(), a5 = VZERO(), a6 = VZERO(), a7 = VZERO();
    for (; j + 8 * NN__W <= m; j += 8 * NN__W) {
      a0 = VADD(a0, VLOAD(p + j));
      a1 = VADD(a1, VLOAD(p + j + NN__W));
      a2 = VADD(a2, VLOAD(p + j + 2 * NN__W));
      a3 = VADD(a3, VLOAD(p + j + 3 * NN__W));
      a4 = VADD(a4, VLOAD(p + j + 4 * NN__W));
      a5 = VADD(a5, VLOAD(p + j + 5 * NN__W));
      a6 = VADD(a6, VLOAD(p + j + 6 * NN__W));
      a7 = VADD(a7, VLOAD(p + j + 7 * NN__W));
    }
    for (; j + NN__W <= m; j += NN__W) a0 = VADD(a0, VLOAD(p + j));
    if (j < m) a1 = VADD(a1, VLOADN(p + j, m - j, VZERO()));
    a0 = VADD(VADD(VADD(a0, a1), VADD(a2, a3)), VADD(VADD(a4, a5), VADD(a6, a7)));
    total += (double)VHSUM(a0);
    i += m;
  }
  return (float)total;
}

/* NaN-propagating max / min: the first NaN in x if there is one; -inf / +inf for n == 0. */
#define NN__F32_MINMAX(NAME, VOP, INIT, BETTER)                                               \
  NN__PRIVATE NN__TGT float NN__K(NAME)(int64_t n, const float *x) {                          \
    const NN__VF init = VSET1(INIT);                                                          \
    NN__VF m0 = init, m1 = init, m2 = init, m3 = init, v0, v1, v2, v3;                        \
    NN__VM bad = MZERO();                                                                     \
    float lanes[NN__W], r;                                                                    \
    int64_t i = 0;                                                                            \
    int k;                                                                                    \
    for (; i + 4 * NN__W <= n; i += 4 * NN__W) {                                              \
      v0 = VLOAD(x + i);                                                                      \
      v1 = VLOAD(x + i + NN__W);                                                              \
      v2 = VLOAD(x + i + 2 * NN__W);                                                          \
      v3 = VLOAD(x + i + 3 * NN__W);                                                          \
      bad = MOR(bad, MOR(VUNORD(v0, v1), VUNORD(v2, v3)));                                    \
      m0 = VOP(v0, m0);                                                                       \
      m1 = VOP(v1, m1);                                                                       \
      m2 = VOP(v2, m2);                                                                       \
      m3 = VOP(v3, m3);                                                                       \
    }                                                                                         \
    for (; i + NN__W <= n; i += NN__W) {                                                      \
      v0 = VLOAD(x + i);                                                                      \
      bad = MOR(bad, VUNORD(v0, v0));                                                         \
      m0 = VOP(v0, m0);                                                                       \
    }                                                                                         \
    if (i < n) {                                                                              \
      v0 = VLOADN(x + i, n - i, init);                                                        \
      bad = MOR(bad, VUNORD(v0, v0));                                                         \
      m0 = VOP(v0, m0);                                                                       \
    }                                                                                         \
    if (MANY(bad))                                                                            \
      for (i = 0; i < n; i++)                                                                 \
        if (x[i] != x[i]) return x[i];                                                        \
    VSTORE(lanes, VOP(VOP(m0, m1), VOP(m2, m3)));                                             \
    r = lanes[0];                                                                             \
    for (k = 1; k < NN__W; k++) r = lanes[k] BETTER r ? lanes[k] : r;                         \
    return r;                                                                                 \
  }
NN__F32_MINMAX(maxr_f32, VMAXX, -INFINITY, >)
NN__F32_MINMAX(minr_f32, VMINX, INFINITY, <)
#undef NN__F32_MINMAX

/* sum of e^(x - m) over n values, also stored to o when o is not NULL. Blocks of 32 vectors go through a float
   accumulator (32 values per lane) and block sums are added in double, so long rows keep their precision. */
NN__PRIVATE NN__TGT __attribute__((noinline)) double NN__K(expsum_f32)(int64_t n, float *o, const float *x, float mx) {
  const NN__VF vm = VSET1(mx);
  double total = 0.0;
  int64_t i = 0;
  while (i < n) {
    int64_t end = n - i < 32 * NN__W ? n : i + 32 * NN__W;
    NN__VF s0 = VZERO(), s1 = VZERO(), e;
    for (; i + NN__W <= end; i += NN__W) {
      e = NN__K(vexp)(VSUB(VLOAD(x + i), vm));
      if (o) VSTORE(o + i, e);
      s0 = VADD(s0, e);
    }
    if (i < end) {
      e = NN__K(vexp)(VSUB(VLOADN(x + i, end - i, VSET1(-INFINITY)), vm)); /* padding lanes: e^-inf = 0 */
      if (o) VSTOREN(o + i, e, end - i);
      s1 = VADD(s1, e);
      i = end;
    }
    total += (double)VHSUM(VADD(s0, s1));
  }
  return total;
}

/* softmax over n contiguous values: max, then e^(x - max) stored and summed, then scaled by 1/sum; NaN everywhere
   when the max is not finite (like scipy.special.softmax). o may equal x. */
NN__PRIVATE NN__TGT void NN__K(softmax_f32)(int64_t n, float *o, const float *x) {
  NN__VF inv;
  if (n <= 0) return;
  inv = VSET1((float)(1.0 / NN__K(expsum_f32)(n, o, x, NN__K(maxr_f32)(n, x))));
  NN__F32_MAP(o, n, 0, VMUL(NN__K(ldm)(o + nn_i, nn_m), inv));
}

/* log_softmax: (x - m) - log(sum e^(x - m)) with m the max, or 0 when the max is not finite (like
   scipy.special.log_softmax). o may equal x. */
NN__PRIVATE NN__TGT void NN__K(log_softmax_f32)(int64_t n, float *o, const float *x) {
  NN__VF vm, lse;
  float mx;
  if (n <= 0) return;
  mx = NN__K(maxr_f32)(n, x);
  mx = mx - mx == 0.0f ? mx : 0.0f;
  vm = VSET1(mx);
  lse = VSET1((float)log(NN__K(expsum_f32)(n, NULL, x, mx)));
  NN__F32_MAP(o, n, 0, VSUB(VSUB(NN__K(ldm)(x + nn_i, nn_m), vm), lse));
}

NN__PRIVATE void NN__K(install_f32)(nn__vec_table *t) {
  nn__vbin_fn(*b)[3] = t->bin[NN_FLOAT32];
  nn__vun_fn *u = t->un[NN_FLOAT32];
#define NN__SET_BIN(OP, NAME)        \
  b[OP][NN__VV] = NN__K(NAME##_vv); \
  b[OP][NN__VS] = NN__K(NAME##_vs); \
  b[OP][NN__SV] = NN__K(NAME##_sv);
  NN__SET_BIN(NN_OP_ADD, add_f32)
  NN__SET_BIN(NN_OP_SUB, sub_f32)
  NN__SET_BIN(NN_OP_MUL, mul_f32)
  NN__SET_BIN(NN_OP_DIV, div_f32)
  NN__SET_BIN(NN_OP_MAXIMUM, max_f32)
  NN__SET_BIN(NN_OP_MINIMUM, min_f32)
  NN__SET_BIN(NN_OP_EQ, eq_f32)
  NN__SET_BIN(NN_OP_NE, ne_f32)
  NN__SET_BIN(NN_OP_LT, lt_f32)
  NN__SET_BIN(NN_OP_LE, le_f32)
  NN__SET_BIN(NN_OP_GT, gt_f32)
  NN__SET_BIN(NN_OP_GE, ge_f32)
#undef NN__SET_BIN
  b[NN_OP_POW][NN__VS] = NN__K(pow_f32_vs);
  u[NN_OP_NEG] = NN__K(neg_f32);
  u[NN_OP_ABS] = NN__K(abs_f32);
  u[NN_OP_SIGN] = NN__K(sign_f32);
  u[NN_OP_SQUARE] = NN__K(square_f32);
  u[NN_OP_RELU] = NN__K(relu_f32);
  u[NN_OP_SQRT] = NN__K(sqrt_f32);
  u[NN_OP_RSQRT] = NN__K(rsqrt_f32);
  u[NN_OP_RECIPROCAL] = NN__K(recip_f32);
  u[NN_OP_EXP] = NN__K(exp_f32);
  u[NN_OP_EXP2] = NN__K(exp2_f32);
  u[NN_OP_EXPM1] = NN__K(expm1_f32);
  u[NN_OP_LOG] = NN__K(log_f32);
  u[NN_OP_LOG2] = NN__K(log2_f32);
  u[NN_OP_LOG10] = NN__K(log10_f32);
  u[NN_OP_LOG1P] = NN__K(log1p_f32);
  u[NN_OP_TANH] = NN__K(tanh_f32);
  u[NN_OP_SIGMOID] = NN__K(sigmoid_f32);
  u[NN_OP_ERF] = NN__K(erf_f32);
  u[NN_OP_GELU] = NN__K(gelu_f32);
  u[NN_OP_GELU_TANH] = NN__K(gelu_tanh_f32);
  u[NN_OP_SILU] = NN__K(silu_f32);
  u[NN_OP_SOFTPLUS] = NN__K(softplus_f32);
  u[NN_OP_LOG_SIGMOID] = NN__K(log_sigmoid_f32);
#if NN__HAS_ROUND
  u[NN_OP_ROUND] = NN__K(round_f32);
  u[NN_OP_FLOOR] = NN__K(floor_f32);
  u[NN_OP_CEIL] = NN__K(ceil_f32);
  u[NN_OP_TRUNC] = NN__K(trunc_f32);
#endif
  t->add_scaled_f32 = NN__K(add_scaled_f32);
  t->affine_f32 = NN__K(affine_f32);
  t->acc_add_f32 = NN__K(acc_add_f32);
  t->sum_f32 = NN__K(sum_f32);
  t->max_f32 = NN__K(maxr_f32);
  t->min_f32 = NN__K(minr_f32);
  t->softmax_f32 = NN__K(softmax_f32);
  t->log_softmax_f32 = NN__K(log_softmax_f32);
}
/* ---- end src/kernels/simd_f32.inc ---- */
/* ---- begin src/kernels/simd_f64.inc ---- */
/* kernels/simd_f64.inc: float64 vector kernels (arithmetic, simple unary ops, sum), included once per instruction
   set like kernels/simd_f32.inc. */

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(ldmd)(const double *p, int64_t m) {
  return m == NN__WD ? VDLOAD(p) : VDLOADN(p, m, VDSET1(0.0));
}
NN__TGT NN__ALWAYS_INLINE void NN__K(stmd)(double *p, NN__VD v, int64_t m, int nt) {
  if (m != NN__WD) VDSTOREN(p, v, m);
  else if (nt) VDSTREAM(p, v);
  else VDSTORE(p, v);
}

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dadd)(NN__VD a, NN__VD b) { return VDADD(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsub)(NN__VD a, NN__VD b) { return VDSUB(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dmul)(NN__VD a, NN__VD b) { return VDMUL(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(ddiv)(NN__VD a, NN__VD b) { return VDDIV(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dmax)(NN__VD a, NN__VD b) { return VDSEL(VDUNORD(a, a), a, VDMAXX(a, b)); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dmin)(NN__VD a, NN__VD b) { return VDSEL(VDUNORD(a, a), a, VDMINX(a, b)); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dneg)(NN__VD x) { return VDXOR(x, VDSET1(-0.0)); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dabs)(NN__VD x) { return VDANDNOT(VDSET1(-0.0), x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsquare)(NN__VD x) { return VDMUL(x, x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsqrt)(NN__VD x) { return VDSQRT(x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(drecip)(NN__VD x) { return VDDIV(VDSET1(1.0), x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(drelu)(NN__VD x) {
  return VDSEL(MDOR(VDGT(x, VDSET1(0.0)), VDUNORD(x, x)), x, VDSET1(0.0));
}

/* ---- float64 vector math: exp, log, tanh, sigmoid (lanes outside the fast range go through the C library) ---- */

/* f applied lane by lane through the C library (the rare lanes: huge, tiny, inf, NaN). */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dlibm)(NN__VD x, double (*f)(double)) {
  double b[NN__WD];
  int k;
  VDSTORE(b, x);
  for (k = 0; k < NN__WD; k++) b[k] = f(b[k]);
  return VDLOAD(b);
}

/* e^r - 1 for |r| <= ln2/2: r + r^2 q(r), q the Taylor series of (e^r - 1 - r)/r^2 to r^11 (error < 0.01 ulp). */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dexpm1_r)(NN__VD r) {
  NN__VD q = VDSET1(1.0 / 6227020800.0);
  q = VDFMA(q, r, VDSET1(1.0 / 479001600.0));
  q = VDFMA(q, r, VDSET1(1.0 / 39916800.0));
  q = VDFMA(q, r, VDSET1(1.0 / 3628800.0));
  q = VDFMA(q, r, VDSET1(1.0 / 362880.0));
  q = VDFMA(q, r, VDSET1(1.0 / 40320.0));
  q = VDFMA(q, r, VDSET1(1.0 / 5040.0));
  q = VDFMA(q, r, VDSET1(1.0 / 720.0));
  q = VDFMA(q, r, VDSET1(1.0 / 120.0));
  q = VDFMA(q, r, VDSET1(1.0 / 24.0));
  q = VDFMA(q, r, VDSET1(1.0 / 6.0));
  q = VDFMA(q, r, VDSET1(0.5));
  return VDFMA(VDMUL(r, r), q, r);
}

/* x = n ln2 + r (ln2 in fdlibm's two parts); returns r and n as the integer bits of *t - magic. */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dreduce)(NN__VD x, NN__VDI *n) {
  const NN__VD magic = VDSET1(6755399441055744.0); /* 1.5 * 2^52 */
  NN__VD t = VDFMA(x, VDSET1(1.4426950408889634074), magic);
  NN__VD nf = VDSUB(t, magic);
  NN__VD r = VDFNMA(nf, VDSET1(6.93147180369123816490e-01), x);
  *n = VDISUB(VDI_D(t), VDI_D(magic));
  return VDFNMA(nf, VDSET1(1.90821492927058770002e-10), r);
}

/* 2^n for integer n in [-1022, 1023] */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dpow2)(NN__VDI n) { return VD_DI(VDISLL(VDIADD(n, VDISET1(1023)), 52)); }

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dexp)(NN__VD x) {
  NN__VDI n;
  NN__VD r, p;
  if (!MDALL(VDLE(VDANDNOT(VDSET1(-0.0), x), VDSET1(708.0)))) return NN__K(dlibm)(x, exp);
  r = NN__K(dreduce)(x, &n);
  p = VDADD(NN__K(dexpm1_r)(r), VDSET1(1.0));
  return VDMUL(p, NN__K(dpow2)(n));
}

/* ln x by fdlibm's method: x = 2^k m, m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f), ln(1 + f) from s. */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dlog)(NN__VD x) {
  const NN__VD one = VDSET1(1.0);
  NN__VDI bits = VDI_D(x);
  NN__VD k, m, f, s, z, w, t1, t2, hfsq;
  NN__VDM lo;
  if (!MDALL(MDAND(VDGE(x, VDSET1(DBL_MIN)), VDLE(x, VDSET1(DBL_MAX))))) return NN__K(dlibm)(x, log);
  /* the biased exponent as a double: its bits OR 2^52, minus 2^52 */
  k = VDSUB(VD_DI(VDIOR(VDISRL(bits, 52), VDISET1(0x4330000000000000LL))), VDSET1(4503599627370496.0 + 1022.0));
  m = VD_DI(VDIOR(VDIAND(bits, VDISET1(0x000fffffffffffffLL)), VDISET1(0x3fe0000000000000LL))); /* [0.5, 1) */
  lo = VDLT(m, VDSET1(0.70710678118654752440));
  k = VDSUB(k, VDSEL(lo, one, VDSET1(0.0)));
  m = VDADD(m, VDSEL(lo, m, VDSET1(0.0)));
  f = VDSUB(m, one);
  s = VDDIV(f, VDADD(VDSET1(2.0), f));
  z = VDMUL(s, s);
  w = VDMUL(z, z);
  t1 = VDMUL(w, VDFMA(w, VDFMA(w, VDSET1(1.531383769920937332e-01), VDSET1(2.222219843214978396e-01)),
                      VDSET1(3.999999999940941908e-01)));
  t2 = VDMUL(z, VDFMA(w, VDFMA(w, VDFMA(w, VDSET1(1.479819860511658591e-01), VDSET1(1.818357216161805012e-01)),
                               VDSET1(2.857142874366239149e-01)),
                      VDSET1(6.666666666666735130e-01)));
  hfsq = VDMUL(VDSET1(0.5), VDMUL(f, f));
  /* k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f) */
  w = VDFMA(s, VDADD(hfsq, VDADD(t2, t1)), VDMUL(k, VDSET1(1.90821492927058770002e-10)));
  return VDFMA(k, VDSET1(6.93147180369123816490e-01), VDSUB(f, VDSUB(hfsq, w)));
}

/* tanh x = -m / (2 + m), m = e^{-2|x|} - 1 = 2^n (e^r - 1) + (2^n - 1), with x's sign. */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dtanh)(NN__VD x) {
  const NN__VD sign = VDSET1(-0.0), one = VDSET1(1.0);
  NN__VD y = VDMAXX(VDMUL(VDANDNOT(sign, x), VDSET1(-2.0)), VDSET1(-40.0)), r, s, m;
  NN__VDI n;
  r = NN__K(dreduce)(y, &n);
  s = NN__K(dpow2)(n);
  m = VDFMA(s, NN__K(dexpm1_r)(r), VDSUB(s, one));
  r = VDDIV(VDSUB(VDSET1(0.0), m), VDADD(VDSET1(2.0), m)); /* >= +0 */
  r = VDXOR(r, VDAND(x, sign));
  return VDSEL(VDUNORD(x, x), VDADD(x, x), r);
}

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsigmoid)(NN__VD x) {
  const NN__VD one = VDSET1(1.0);
  NN__VD e = NN__K(dexp)(VDXOR(VDANDNOT(VDSET1(-0.0), x), VDSET1(-0.0))); /* e^{-|x|} */
  return VDDIV(VDSEL(VDLT(x, VDSET1(0.0)), e, one), VDADD(one, e));
}

NN__F64_BIN(add_f64, NN__K(dadd))
NN__F64_BIN(sub_f64, NN__K(dsub))
NN__F64_BIN(mul_f64, NN__K(dmul))
NN__F64_BIN(div_f64, NN__K(ddiv))
NN__F64_BIN(max_f64, NN__K(dmax))
NN__F64_BIN(min_f64, NN__K(dmin))
NN__F64_UN(neg_f64, NN__K(dneg), NN__F64_MAP)
NN__F64_UN(abs_f64, NN__K(dabs), NN__F64_MAP)
NN__F64_UN(square_f64, NN__K(dsquare), NN__F64_MAP)
NN__F64_UN(sqrt_f64, NN__K(dsqrt), NN__F64_MAP)
NN__F64_UN(recip_f64, NN__K(drecip), NN__F64_MAP)
NN__F64_UN(relu_f64, NN__K(drelu), NN__F64_MAP)
NN__F64_UN(exp_f64, NN__K(dexp), NN__F64_MAP1)
NN__F64_UN(log_f64, NN__K(dlog), NN__F64_MAP1)
NN__F64_UN(tanh_f64, NN__K(dtanh), NN__F64_MAP1)
NN__F64_UN(sigmoid_f64, NN__K(dsigmoid), NN__F64_MAP1)

/* x ** c for one exponent c (see pow_f32_vs). */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dpowhalf)(NN__VD x) {
  NN__VD r = VDSQRT(x);
  r = VDSEL(VDEQ(x, VDSET1(-INFINITY)), VDSET1(INFINITY), r);
  return VDSEL(VDEQ(x, VDSET1(0.0)), VDSET1(0.0), r);
}
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(done)(NN__VD x) { return VDMUL(x, VDSET1(1.0)); }
NN__PRIVATE NN__TGT void NN__K(pow_f64_vs)(int64_t n, void *po, const void *pa, const void *pb) {
  double *o = (double *)po;
  const double *a = (const double *)pa;
  const double c = *(const double *)pb;
  if (c == 2.0) {
    NN__F64_MAP(o, n, 1, NN__K(dsquare)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else if (c == 0.5) {
    NN__F64_MAP(o, n, 1, NN__K(dpowhalf)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else if (c == 1.0) {
    NN__F64_MAP(o, n, 1, NN__K(done)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else if (c == -1.0) {
    NN__F64_MAP(o, n, 1, NN__K(drecip)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else {
    char *p[3];
    int64_t st[3] = {1, 1, 0};
    p[0] = (char *)po;
    p[1] = (char *)pa;
    p[2] = (char *)pb;
    nn__pow_f64(n, p, st, NULL);
  }
}

/* Sum: blocks of 64 vectors through 8 accumulators; block sums combined with Neumaier's compensation. */
NN__PRIVATE NN__TGT double NN__K(sum_f64)(int64_t n, const double *x) {
  double total = 0.0, comp = 0.0;
  int64_t i = 0;
  while (i < n) {
    int64_t m = n - i < 64 * NN__WD ? n - i : 64 * NN__WD, j = 0;
    const double *p = x + i;
    const NN__VD z = VDSET1(0.0);
    NN__VD a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
    double s, t;
    for (; j + 8 * NN__WD <= m; j += 8 * NN__WD) {
      a0 = VDADD(a0, VDLOAD(p + j));
      a1 = VDADD(a1, VDLOAD(p + j + NN__WD));
      a2 = VDADD(a2, VDLOAD(p + j + 2 * NN__WD));
      a3 = VDADD(a3, VDLOAD(p + j + 3 * NN__WD));
      a4 = VDADD(a4, VDLOAD(p + j + 4 * NN__WD));
      a5 = VDADD(a5, VDLOAD(p + j + 5 * NN__WD));
      a6 = VDADD(a6, VDLOAD(p + j + 6 * NN__WD));
      a7 = VDADD(a7, VDLOAD(p + j + 7 * NN__WD));
    }
    for (; j + NN__WD <= m; j += NN__WD) a0 = VDADD(a0, VDLOAD(p + j));
    if (j < m) a1 = VDADD(a1, VDLOADN(p + j, m - j, z));
    a0 = VDADD(VDADD(VDADD(a0, a1), VDADD(a2, a3)), VDADD(VDADD(a4, a5), VDADD(a6, a7)));
    s = VDHSUM(a0);
    t = total + s;
    if (fabs(total) >= fabs(s)) comp += (total - t) + s;
    else comp += (s - t) + total;
    total = t;
    i += m;
  }
  return total + comp;
}

NN__PRIVATE void NN__K(install_f64)(nn__vec_table *t) {
  nn__vbin_fn(*b)[3] = t->bin[NN_FLOAT64];
  nn__vun_fn *u = t->un[NN_FLOAT64];
#define NN__SET_BIN(OP, NAME)        \
  b[OP][NN__VV] = NN__K(NAME##_vv); \
  b[OP][NN__VS] = NN__K(NAME##_vs); \
  b[OP][NN__SV] = NN__K(NAME##_sv);
  NN__SET_BIN(NN_OP_ADD, add_f64)
  NN__SET_BIN(NN_OP_SUB, sub_f64)
  NN__SET_BIN(NN_OP_MUL, mul_f64)
  NN__SET_BIN(NN_OP_DIV, div_f64)
  NN__SET_BIN(NN_OP_MAXIMUM, max_f64)
  NN__SET_BIN(NN_OP_MINIMUM, min_f64)
#undef NN__SET_BIN
  b[NN_OP_POW][NN__VS] = NN__K(pow_f64_vs);
  u[NN_OP_NEG] = NN__K(neg_f64);
  u[NN_OP_ABS] = NN__K(abs_f64);
  u[NN_OP_SQUARE] = NN__K(square_f64);
  u[NN_OP_SQRT] = NN__K(sqrt_f64);
  u[NN_OP_RECIPROCAL] = NN__K(recip_f64);
  u[NN_OP_RELU] = NN__K(relu_f64);
  u[NN_OP_EXP] = NN__K(exp_f64);
  u[NN_OP_LOG] = NN__K(log_f64);
  u[NN_OP_TANH] = NN__K(tanh_f64);
  u[NN_OP_SIGMOID] = NN__K(sigmoid_f64);
  t->sum_f64 = NN__K(sum_f64);
}
/* ---- end src/kernels/simd_f64.inc ---- */
/* ---- begin src/kernels/simd_undef.inc ---- */
/* kernels/simd_undef.inc: forgets one instruction set's vector macros so that the next one can define them. */
#undef NN__ISA
#undef NN__TGT
#undef NN__W
#undef NN__VBYTES
#undef NN__HAS_NT
#undef NN__HAS_ROUND
#undef NN__HAS_FMA
#undef NN__VF
#undef NN__VI
#undef NN__VM
#undef VLOAD
#undef VSTORE
#undef VSTREAM
#undef VSFENCE
#undef VLOADN
#undef VSTOREN
#undef VSET1
#undef VZERO
#undef VADD
#undef VSUB
#undef VMUL
#undef VDIV
#undef VFMA
#undef VFNMA
#undef VMAXX
#undef VMINX
#undef VSQRT
#undef VAND
#undef VOR
#undef VXOR
#undef VANDNOT
#undef VLT
#undef VLE
#undef VGT
#undef VGE
#undef VEQ
#undef VNEQ
#undef VSTOREB
#undef VUNORD
#undef VSEL
#undef MAND
#undef MOR
#undef MNOT
#undef MZERO
#undef MANY
#undef MALL
#undef VI_F
#undef VF_I
#undef VIADD
#undef VISUB
#undef VISLL
#undef VISRA
#undef VISRL
#undef VISET1
#undef VIAND
#undef VIOR
#undef VCVTI
#undef VHSUM
#undef VROUND
#undef NN__WD
#undef NN__VD
#undef NN__VDM
#undef VDLOAD
#undef VDSTORE
#undef VDSTREAM
#undef VDLOADN
#undef VDSTOREN
#undef VDSET1
#undef VDADD
#undef VDSUB
#undef VDMUL
#undef VDDIV
#undef VDFMA
#undef VDSQRT
#undef VDAND
#undef VDXOR
#undef VDANDNOT
#undef VDGT
#undef VDLT
#undef VDEQ
#undef VDUNORD
#undef VDSEL
#undef VDMAXX
#undef VDMINX
#undef MDOR
#undef VDHSUM
#undef NN__VDI
#undef VDI_D
#undef VD_DI
#undef VDIADD
#undef VDISUB
#undef VDISLL
#undef VDISRL
#undef VDIAND
#undef VDIOR
#undef VDISET1
#undef VDFNMA
#undef VDGE
#undef VDLE
#undef MDAND
#undef MDALL
/* ---- end src/kernels/simd_undef.inc ---- */

#endif /* NN__SIMD_BASE */

#if NN__X86
/* ================================================================================================================ */
/* avx2: AVX2 + FMA, 256-bit                                                                                         */
/* ================================================================================================================ */

#define NN__TGT2 __attribute__((target("avx2,fma")))

NN__TGT2 NN__ALWAYS_INLINE __m256i nn__avx2_tailmask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
NN__TGT2 NN__ALWAYS_INLINE __m256 nn__avx2_loadn(const float *p, int64_t n, __m256 fill) {
  __m256i m = nn__avx2_tailmask(n);
  return _mm256_blendv_ps(fill, _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
NN__TGT2 NN__ALWAYS_INLINE void nn__avx2_storen(float *p, __m256 v, int64_t n) {
  _mm256_maskstore_ps(p, nn__avx2_tailmask(n), v);
}
NN__TGT2 NN__ALWAYS_INLINE __m256i nn__avx2_tailmask_d(int64_t n) {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)n), _mm256_setr_epi64x(0, 1, 2, 3));
}
NN__TGT2 NN__ALWAYS_INLINE __m256d nn__avx2_loadn_d(const double *p, int64_t n, __m256d fill) {
  __m256i m = nn__avx2_tailmask_d(n);
  return _mm256_blendv_pd(fill, _mm256_maskload_pd(p, m), _mm256_castsi256_pd(m));
}
NN__TGT2 NN__ALWAYS_INLINE void nn__avx2_storen_d(double *p, __m256d v, int64_t n) {
  _mm256_maskstore_pd(p, nn__avx2_tailmask_d(n), v);
}
NN__TGT2 NN__ALWAYS_INLINE void nn__avx2_storeb(uint8_t *p, __m256 m, int64_t n) {
  __m256i mi = _mm256_castps_si256(m);
  __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(mi), _mm256_extracti128_si256(mi, 1));
  __m128i b = _mm_and_si128(_mm_packs_epi16(w, w), _mm_set1_epi8(1));
  if (n == 8) {
    _mm_storel_epi64((__m128i *)(void *)p, b);
  } else {
    uint8_t t[16];
    _mm_storeu_si128((__m128i *)(void *)t, b);
    memcpy(p, t, (size_t)n);
  }
}
NN__TGT2 NN__ALWAYS_INLINE float nn__avx2_hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}
NN__TGT2 NN__ALWAYS_INLINE double nn__avx2_hsum_d(__m256d v) {
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
  return _mm_cvtsd_f64(s);
}

#define NN__ISA avx2
#define NN__TGT NN__TGT2
#define NN__W 8
#define NN__VBYTES 32
#define NN__HAS_NT 1
#define NN__HAS_ROUND 1
#define NN__HAS_FMA 1
#define NN__VF __m256
#define NN__VI __m256i
#define NN__VM __m256
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSTREAM(p, v) _mm256_stream_ps((p), (v))
#define VSFENCE() _mm_sfence()
#define VLOADN(p, n, fill) nn__avx2_loadn((p), (n), (fill))
#define VSTOREN(p, v, n) nn__avx2_storen((p), (v), (n))
#define VSET1(s) _mm256_set1_ps(s)
#define VZERO() _mm256_setzero_ps()
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VSUB(a, b) _mm256_sub_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VDIV(a, b) _mm256_div_ps((a), (b))
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VFNMA(a, b, c) _mm256_fnmadd_ps((a), (b), (c))
#define VMAXX(a, b) _mm256_max_ps((a), (b))
#define VMINX(a, b) _mm256_min_ps((a), (b))
#define VSQRT(a) _mm256_sqrt_ps(a)
#define VAND(a, b) _mm256_and_ps((a), (b))
#define VOR(a, b) _mm256_or_ps((a), (b))
#define VXOR(a, b) _mm256_xor_ps((a), (b))
#define VANDNOT(a, b) _mm256_andnot_ps((a), (b))
#define VLT(a, b) _mm256_cmp_ps((a), (b), _CMP_LT_OQ)
#define VLE(a, b) _mm256_cmp_ps((a), (b), _CMP_LE_OQ)
#define VGT(a, b) _mm256_cmp_ps((a), (b), _CMP_GT_OQ)
#define VGE(a, b) _mm256_cmp_ps((a), (b), _CMP_GE_OQ)
#define VEQ(a, b) _mm256_cmp_ps((a), (b), _CMP_EQ_OQ)
#define VNEQ(a, b) _mm256_cmp_ps((a), (b), _CMP_NEQ_UQ)
#define VUNORD(a, b) _mm256_cmp_ps((a), (b), _CMP_UNORD_Q)
#define VSEL(m, a, b) _mm256_blendv_ps((b), (a), (m))
#define MAND(a, b) _mm256_and_ps((a), (b))
#define MOR(a, b) _mm256_or_ps((a), (b))
#define MNOT(a) _mm256_xor_ps((a), _mm256_castsi256_ps(_mm256_set1_epi32(-1)))
#define MZERO() _mm256_setzero_ps()
#define MANY(m) (_mm256_movemask_ps(m) != 0)
#define MALL(m) (_mm256_movemask_ps(m) == 0xff)
#define VI_F(v) _mm256_castps_si256(v)
#define VF_I(v) _mm256_castsi256_ps(v)
#define VIADD(a, b) _mm256_add_epi32((a), (b))
#define VISUB(a, b) _mm256_sub_epi32((a), (b))
#define VISLL(a, k) _mm256_slli_epi32((a), (k))
#define VISRA(a, k) _mm256_srai_epi32((a), (k))
#define VISRL(a, k) _mm256_srli_epi32((a), (k))
#define VISET1(s) _mm256_set1_epi32(s)
#define VIAND(a, b) _mm256_and_si256((a), (b))
#define VIOR(a, b) _mm256_or_si256((a), (b))
#define VCVTI(a) _mm256_cvtepi32_ps(a)
#define VHSUM(v) nn__avx2_hsum(v)
#define VSTOREB(p, m, n) nn__avx2_storeb((p), (m), (n))
#define VROUND(v, mode) _mm256_round_ps((v), (mode) | _MM_FROUND_NO_EXC)
#define NN__WD 4
#define NN__VD __m256d
#define NN__VDM __m256d
#define VDLOAD(p) _mm256_loadu_pd(p)
#define VDSTORE(p, v) _mm256_storeu_pd((p), (v))
#define VDSTREAM(p, v) _mm256_stream_pd((p), (v))
#define VDLOADN(p, n, fill) nn__avx2_loadn_d((p), (n), (fill))
#define VDSTOREN(p, v, n) nn__avx2_storen_d((p), (v), (n))
#define VDSET1(s) _mm256_set1_pd(s)
#define VDADD(a, b) _mm256_add_pd((a), (b))
#define VDSUB(a, b) _mm256_sub_pd((a), (b))
#define VDMUL(a, b) _mm256_mul_pd((a), (b))
#define VDDIV(a, b) _mm256_div_pd((a), (b))
#define VDFMA(a, b, c) _mm256_fmadd_pd((a), (b), (c))
#define VDSQRT(a) _mm256_sqrt_pd(a)
#define VDAND(a, b) _mm256_and_pd((a), (b))
#define VDXOR(a, b) _mm256_xor_pd((a), (b))
#define VDANDNOT(a, b) _mm256_andnot_pd((a), (b))
#define VDGT(a, b) _mm256_cmp_pd((a), (b), _CMP_GT_OQ)
#define VDLT(a, b) _mm256_cmp_pd((a), (b), _CMP_LT_OQ)
#define VDEQ(a, b) _mm256_cmp_pd((a), (b), _CMP_EQ_OQ)
#define VDUNORD(a, b) _mm256_cmp_pd((a), (b), _CMP_UNORD_Q)
#define VDSEL(m, a, b) _mm256_blendv_pd((b), (a), (m))
#define VDMAXX(a, b) _mm256_max_pd((a), (b))
#define VDMINX(a, b) _mm256_min_pd((a), (b))
#define MDOR(a, b) _mm256_or_pd((a), (b))
#define VDHSUM(v) nn__avx2_hsum_d(v)
#define NN__VDI __m256i
#define VDI_D(v) _mm256_castpd_si256(v)
#define VD_DI(v) _mm256_castsi256_pd(v)
#define VDIADD(a, b) _mm256_add_epi64((a), (b))
#define VDISUB(a, b) _mm256_sub_epi64((a), (b))
#define VDISLL(a, k) _mm256_slli_epi64((a), (k))
#define VDISRL(a, k) _mm256_srli_epi64((a), (k))
#define VDIAND(a, b) _mm256_and_si256((a), (b))
#define VDIOR(a, b) _mm256_or_si256((a), (b))
#define VDISET1(s) _mm256_set1_epi64x(s)
#define VDFNMA(a, b, c) _mm256_fnmadd_pd((a), (b), (c))
#define VDGE(a, b) _mm256_cmp_pd((a), (b), _CMP_GE_OQ)
#define VDLE(a, b) _mm256_cmp_pd((a), (b), _CMP_LE_OQ)
#define MDAND(a, b) _mm256_and_pd((a), (b))
#define MDALL(m) (_mm256_movemask_pd(m) == 0xf)
/* ---- begin src/kernels/simd_f32.inc ---- */
/* kernels/simd_f32.inc: float32 vector kernels, written once against the macros of kernels/simd.c and included
   once per instruction set (NN__ISA names it; NN__K(name) gives each function its per-ISA name). */

/* A full vector (m == W) or the first m lanes, zero-filled; and the matching store (streamed when nt). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(ldm)(const float *p, int64_t m) {
  return m == NN__W ? VLOAD(p) : VLOADN(p, m, VZERO());
}
NN__TGT NN__ALWAYS_INLINE void NN__K(stm)(float *p, NN__VF v, int64_t m, int nt) {
  if (m != NN__W) VSTOREN(p, v, m);
  else if (nt) VSTREAM(p, v);
  else VSTORE(p, v);
}

/* ---- vector math (each lane independent) ---- */

/* x = n ln2 + r with |r| <= ln2/2 (ln2 in two parts, n = round(x / ln2)); returns r and, in *t, a float whose low
   mantissa bits hold n (NN__TN(*t) extracts it). Needs |x| < 2^22. */
#define NN__TN(t) VISUB(VI_F(t), VISET1(0x4B400000))
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vred)(NN__VF x, NN__VF *t) {
  const NN__VF magic = VSET1(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
  NN__VF nf;
  *t = VFMA(x, VSET1(1.44269504088896341f), magic);
  nf = VSUB(*t, magic);
  return VFNMA(nf, VSET1(1.428606765330187045e-06f), VFNMA(nf, VSET1(0.693145751953125f), x));
}

/* e^r - 1 = r + r^2 p(r) for |r| <= ln2/2: degree-6 polynomial (SLEEF's coefficients, < 1 ulp). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexpm1r)(NN__VF r) {
  NN__VF u = VSET1(0.000198527617612853646278381f);
  u = VFMA(u, r, VSET1(0.00139304355252534151077271f));
  u = VFMA(u, r, VSET1(0.00833336077630519866943359f));
  u = VFMA(u, r, VSET1(0.0416664853692054748535156f));
  u = VFMA(u, r, VSET1(0.166666671633720397949219f));
  u = VFMA(u, r, VSET1(0.5f));
  return VFMA(VMUL(r, r), u, r);
}

/* 2^n for integer lanes n in [-126, 127] */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vpow2i)(NN__VI n) { return VF_I(VISLL(VIADD(n, VISET1(127)), 23)); }

/* u 2^n, |n| <= 151: one exact multiplication when `fast` (every lane's result normal), else two halves so that
   overflow gives inf and gradual underflow rounds once; NaN lanes of x give NaN. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vscale)(NN__VF u, NN__VI n, NN__VF x, int fast) {
  NN__VI n1;
  if (fast) return VMUL(u, NN__K(vpow2i)(n));
  n1 = VISRA(n, 1);
  u = VMUL(VMUL(u, NN__K(vpow2i)(n1)), NN__K(vpow2i)(VISUB(n, n1)));
  return VSEL(VUNORD(x, x), VADD(x, x), u);
}

/* m e^(x + xl): x clamped to [-104, 89] and reduced by vred, xl (|xl| <= 2^-12, or -0.0 for none) added to r, the
   degree-6 polynomial, then the scaling after the multiplication by m (so m e^x underflows with one rounding). With
   xl = -0.0 and m = 1 the compiler drops both. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexpx)(NN__VF x, NN__VF xl, NN__VF m) {
  NN__VF t, r = VADD(NN__K(vred)(VMINX(VMAXX(x, VSET1(-150.0f)), VSET1(89.0f)), &t), xl);
  return NN__K(vscale)(VMUL(VADD(NN__K(vexpm1r)(r), VSET1(1.0f)), m), NN__TN(t), x,
                       MALL(VLE(VANDNOT(VSET1(-0.0f), x), VSET1(87.0f))));
}

/* e^x (< 1 ulp): vexpx without correction. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexp)(NN__VF x) { return NN__K(vexpx)(x, VSET1(-0.0f), VSET1(1.0f)); }

/* The low part of a product: a b - p exactly for p = fl(a b) (no overflow or underflow). With FMA one fused
   operation; otherwise Dekker's product of 12-bit halves split off with a mask (exact whether or not the compiler
   contracts a*b+c). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vplo)(NN__VF a, NN__VF b, NN__VF p) {
#if NN__HAS_FMA
  return VFMA(a, b, VXOR(p, VSET1(-0.0f)));
#else
  const NN__VF hm = VF_I(VISET1(-4096)); /* clears the 12 low mantissa bits */
  NN__VF ah = VAND(a, hm), bh = VAND(b, hm), al = VSUB(a, ah), bl = VSUB(b, bh);
  return VADD(VADD(VADD(VSUB(VMUL(ah, bh), p), VMUL(ah, bl)), VMUL(al, bh)), VMUL(al, bl));
#endif
}

/* 2^x = e^(h + l), h + l = x ln2 (x clamped to [-152, 130]) in two parts. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexp2)(NN__VF x) {
  const NN__VF ln2 = VSET1(6.931471825e-01f);
  NN__VF xc = VMINX(VSET1(130.0f), VMAXX(VSET1(-152.0f), x)), h = VMUL(xc, ln2); /* a NaN stays NaN */
  return NN__K(vexpx)(h, VFMA(xc, VSET1(-1.904654212e-09f), NN__K(vplo)(xc, ln2, h)), VSET1(1.0f));
}

/* ln(2^e (1 + m)) without the e ln2 high part, for 1 + m in [sqrt(1/2), sqrt(2)): Cephes' degree-8 polynomial
   (< 1 ulp with ln2 in two parts); k2 is the low part of ln2, or 0 for ln(1 + m) alone. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vlogp)(NN__VF e, NN__VF m, float k2) {
  NN__VF z = VMUL(m, m), y = VSET1(7.0376836292e-2f);
  y = VFMA(y, m, VSET1(-1.1514610310e-1f));
  y = VFMA(y, m, VSET1(1.1676998740e-1f));
  y = VFMA(y, m, VSET1(-1.2420140846e-1f));
  y = VFMA(y, m, VSET1(1.4249322787e-1f));
  y = VFMA(y, m, VSET1(-1.6668057665e-1f));
  y = VFMA(y, m, VSET1(2.0000714765e-1f));
  y = VFMA(y, m, VSET1(-2.4999993993e-1f));
  y = VFMA(y, m, VSET1(3.3333331174e-1f));
  y = VMUL(VMUL(y, m), z);
  y = VFMA(e, VSET1(k2), y);
  y = VFNMA(VSET1(0.5f), z, y);
  return VADD(m, y);
}

/* ln x (kind 0), log2 x (1), log10 x (2), ln(1 + x) (3). u = x (log1p: 1 + x rounded, with c = x - (u - 1) its
   rounding error, exact) = 2^e (1 + f), 1 + f in [sqrt(1/2), sqrt(2)), f = m - 1 exactly (log1p: + c 2^-e); t =
   ln(1 + f) from vlogp; ln: e ln2 + t; log2: e + t log2(e); log10: e log10(2) + t log10(e) (constants in two parts).
   Denormals are scaled by 2^23 first; u = 0 -> -inf, u < 0 -> NaN, inf -> inf; log1p keeps the sign of x (-0). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vlogk)(NN__VF x, int kind) {
  const NN__VF one = VSET1(1.0f);
  NN__VF u = kind == 3 ? VADD(one, x) : x, xs, eoff = VZERO(), e, m, r;
  NN__VI bits;
  NN__VM lo;
  int fast = MALL(MAND(VGE(u, VSET1(FLT_MIN)), VLE(u, VSET1(FLT_MAX))));
  xs = u;
  if (!fast) { /* (u is never a denormal for log1p) */
    NN__VM den = VLT(u, VSET1(FLT_MIN));
    xs = VSEL(den, VMUL(u, VSET1(8388608.0f)), u);
    eoff = VSEL(den, VSET1(23.0f), VZERO());
  }
  bits = VI_F(xs);
  e = VSUB(VCVTI(VISUB(VISRL(bits, 23), VISET1(126))), eoff);
  m = VF_I(VIOR(VIAND(bits, VISET1(0x007fffff)), VISET1(0x3f000000))); /* [0.5, 1) */
  lo = VLT(m, VSET1(0.707106781186547524f));
  e = VSUB(e, VSEL(lo, one, VZERO()));
  if (kind == 3) { /* c 2^-e, 2^-e from the exponent bits: 2^(1 - e0) is 0 for u >= 2^127, where c = 0 */
    NN__VF sc = VF_I(VISLL(VISUB(VISET1(254), VISRL(bits, 23)), 23));
    NN__VF c = VMUL(VSUB(x, VSUB(u, one)), VMUL(sc, VSEL(lo, one, VSET1(0.5f))));
    m = VADD(VSUB(VADD(m, VSEL(lo, m, VZERO())), one), c);
  } else {
    m = VSUB(VADD(m, VSEL(lo, m, VZERO())), one);
  }
  r = NN__K(vlogp)(e, m, kind == 1 || kind == 2 ? 0.0f : -2.12194440e-4f);
  if (kind == 1) r = VFMA(r, VSET1(1.442695022e+00f), VFMA(r, VSET1(1.925963034e-08f), e));
  else if (kind == 2) r = VFMA(e, VSET1(0.301025390625f), VFMA(r, VSET1(4.342944920e-01f), VFMA(r, VSET1(-1.010304995e-08f), VMUL(e, VSET1(4.605039067e-06f)))));
  else r = VFMA(e, VSET1(0.693359375f), r);
  if (!fast) {
    r = VSEL(VEQ(u, VZERO()), VSET1(-INFINITY), r);
    r = VSEL(VLT(u, VZERO()), VSET1(NAN), r);
    r = VSEL(VEQ(u, VSET1(INFINITY)), u, r);
    r = VSEL(VUNORD(u, u), VADD(u, u), r);
  }
  return kind == 3 ? VOR(r, VAND(x, VSET1(-0.0f))) : r;
}

/* ln x, without the branches of the family */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vlog)(NN__VF x) { return NN__K(vlogk)(x, 0); }

/* tanh x = -m / (2 + m) with m = e^{-2|x|} - 1 = 2^n (e^r - 1) + (2^n - 1) (no cancellation), given x's sign.
   One formula for every |x|: no branch between a polynomial and an exp form. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vtanh)(NN__VF x) {
  const NN__VF sign = VSET1(-0.0f), one = VSET1(1.0f);
  NN__VF y = VMAXX(VSET1(-20.0f), VMUL(VANDNOT(sign, x), VSET1(-2.0f))); /* a NaN stays NaN (the second operand wins) */
  NN__VF t, r = NN__K(vred)(y, &t), s = NN__K(vpow2i)(NN__TN(t)); /* 2^n, n in [-29, 0] */
  NN__VF m = VFMA(s, NN__K(vexpm1r)(r), VSUB(s, one));                 /* e^y - 1 */
  r = VDIV(VSUB(VZERO(), m), VADD(VSET1(2.0f), m));                    /* >= +0, or NaN */
  return VOR(r, VAND(x, sign));
}

/* 1 / (1 + e^-x), as e/(1+e) with e = e^x for x < 0 so that tiny results keep their precision. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vsigmoid)(NN__VF x) {
  const NN__VF one = VSET1(1.0f);
  NN__VF e = NN__K(vexp)(VOR(x, VSET1(-0.0f))); /* e^{-|x|} */
  return VDIV(VSEL(VLT(x, VZERO()), e, one), VADD(one, e));
}

/* e^x - 1: x = n ln2 + r, e^x - 1 = 2^n (e^r - 1) + (2^n - 1) with e^r - 1 = r + r^2 p(r), one fused rounding. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexpm1)(NN__VF x) {
  NN__VF t, r = NN__K(vred)(VMINX(VMAXX(x, VSET1(-18.0f)), VSET1(17.0f)), &t), s = NN__K(vpow2i)(NN__TN(t));
  NN__VF res = VFMA(s, NN__K(vexpm1r)(r), VSUB(s, VSET1(1.0f)));
  NN__VM big = VGT(x, VSET1(17.0f));
  if (MANY(big)) res = VSEL(big, NN__K(vexp)(x), res);
  res = VSEL(VEQ(x, VZERO()), x, res);
  return VSEL(VUNORD(x, x), VADD(x, x), res);
}

/* h e^(a^2) erfc(a) for a in [0, 10.3]: h (1 + p(q)) / d with d = 1 + 2a (from the caller, rounded once), q =
   (a - 2) / (a + 2) and p of degree 9 (the method of M. M. Shepherd and J. G. Laframboise, Math. Comp. 36 (1981)
   249-253; coefficients fitted for float, relative error 2.4e-8 before rounding). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(verfcx)(NN__VF a, NN__VF h, NN__VF d) {
  const NN__VF two = VSET1(2.0f);
  NN__VF q = VDIV(VSUB(a, two), VADD(a, two)), p = VSET1(-3.961065377e-04f);
  p = VFMA(p, q, VSET1(-1.222339692e-03f));
  p = VFMA(p, q, VSET1(1.312571578e-03f));
  p = VFMA(p, q, VSET1(8.625355549e-03f));
  p = VFMA(p, q, VSET1(-8.060889319e-03f));
  p = VFMA(p, q, VSET1(-5.420261994e-02f));
  p = VFMA(p, q, VSET1(1.640556604e-01f));
  p = VFMA(p, q, VSET1(-1.660315692e-01f));
  p = VFMA(p, q, VSET1(-9.276399761e-02f));
  p = VFMA(p, q, VSET1(2.769784033e-01f));
  return VDIV(VFMA(p, h, h), d);
}

/* erf (gelu = 0) and gelu (gelu = 1), one body. With a = min(|x|, lim) and E = m e^(-k a^2) erfcx(a sqrt(k)) (a^2
   split exactly in two parts, so e^(-k a^2) keeps full precision):
     erf:  |x| < 1: x + x P(x^2) (P of degree 6, fitted, relative error 2.5e-9); else sign(x) (1 - E), k = 1, m = 1,
           lim = 4 (erf = 1 beyond 3.92).
     gelu: x Phi(x) = x - E for x > 0 and E for x <= 0, E = x Phi(-|x|), k = 1/2, m = x/2, lim = 14.5 (beyond it
           x Phi(-|x|) is below the smallest denormal); -inf gives NaN like torch's formula. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(verfg)(NN__VF x, int gelu) {
  const NN__VF sign = VSET1(-0.0f), one = VSET1(1.0f), ks = VSET1(gelu ? -0.5f : -1.0f);
  NN__VF ax = VANDNOT(sign, x), y = x, a, s, sl, m;
  if (!gelu) {
    NN__VF t = VMUL(x, x), p = VSET1(7.853857824e-05f);
    p = VFMA(p, t, VSET1(-8.010192541e-04f));
    p = VFMA(p, t, VSET1(5.188327748e-03f));
    p = VFMA(p, t, VSET1(-2.685381286e-02f));
    p = VFMA(p, t, VSET1(1.128358543e-01f));
    p = VFMA(p, t, VSET1(-3.761262596e-01f));
    p = VFMA(p, t, VSET1(1.283791661e-01f));
    y = VFMA(x, p, x);
    if (MALL(VLT(ax, one))) return y;
  }
  a = VMINX(VSET1(gelu ? 14.5f : 4.0f), ax); /* a NaN stays NaN */
  s = VMUL(a, a);
  sl = NN__K(vplo)(a, a, s);
  m = gelu ? NN__K(verfcx)(VMUL(a, VSET1(0.7071067690849304f)), VMUL(VOR(a, VAND(x, sign)), VSET1(0.5f)),
                           VFMA(a, VSET1(1.41421354f), one))
           : NN__K(verfcx)(a, one, VFMA(a, VSET1(2.0f), one));
  m = NN__K(vexpx)(VMUL(s, ks), VMUL(sl, ks), m);
  if (gelu) {
    y = VSEL(VLE(x, VZERO()), m, VSUB(x, m));
    return VSEL(VEQ(x, VSET1(-INFINITY)), VSET1(NAN), y);
  }
  return VSEL(VLT(ax, one), y, VOR(VSUB(one, m), VAND(x, sign)));
}

/* x sigmoid(v) for v = x (silu) or v = x (A + B x^2) = 2 sqrt(2/pi) (x + 0.044715 x^3) (gelu_tanh: 0.5 x (1 +
   tanh(v/2)), torch's constants). x / (1 + e^-v) for x >= 0, x e^v / (1 + e^v) for x < 0, with m e^v from vexpx so
   that tiny results round once. For gelu_tanh, |v| (up to ~100 where the result is not 0) is computed in two parts
   (A, B and the products exact to ~2^-40), because an error d in v is an error of about |v| d in the result. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vxsig)(NN__VF x, int gt) {
  const NN__VF sign = VSET1(-0.0f), one = VSET1(1.0f);
  NN__VF vh = VANDNOT(sign, x), vl = VZERO(), e, xe, r;
  if (gt) {
    const NN__VF ah = VSET1(1.595769167e+00f), bh = VSET1(7.135481387e-02f);
    NN__VF a = VMINX(VSET1(12.0f), vh), s = VMUL(a, a), sl = NN__K(vplo)(a, a, s), b = VMUL(s, bh), w;
    NN__VF bl = VADD(NN__K(vplo)(s, bh, b), VFMA(s, VSET1(2.398832466e-09f), VMUL(sl, bh)));
    w = VADD(ah, b); /* w + wl = A + B a^2; both terms >= 0: Fast2Sum with the larger first */
    bl = VADD(VADD(VSUB(VMAXX(ah, b), w), VMINX(ah, b)), VADD(VSET1(-4.534068054e-08f), bl));
    vh = VMUL(a, w);
    vl = VFMA(a, bl, NN__K(vplo)(a, w, vh));
  }
  vh = VXOR(vh, sign); /* -|v| */
  vl = VXOR(vl, sign);
  e = NN__K(vexpx)(vh, vl, one);
  xe = NN__K(vexpx)(vh, vl, VMAXX(VSET1(-120.0f), x)); /* x e^v underflows for x < -120 (and |v| >= 120) */
  r = VDIV(VSEL(VLT(x, VZERO()), xe, x), VADD(one, e));
  return VSEL(VEQ(x, VSET1(-INFINITY)), VSET1(NAN), r);
}


/* ---- elementwise helpers with the scalar rows' exact semantics ---- */

NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fadd)(NN__VF a, NN__VF b) { return VADD(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsub)(NN__VF a, NN__VF b) { return VSUB(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fmul)(NN__VF a, NN__VF b) { return VMUL(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fdiv)(NN__VF a, NN__VF b) { return VDIV(a, b); }
/* (a != a || a > b) ? a : b, and the same with < */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fmax)(NN__VF a, NN__VF b) { return VSEL(VUNORD(a, a), a, VMAXX(a, b)); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fmin)(NN__VF a, NN__VF b) { return VSEL(VUNORD(a, a), a, VMINX(a, b)); }

NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fneg)(NN__VF x) { return VXOR(x, VSET1(-0.0f)); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fabs)(NN__VF x) { return VANDNOT(VSET1(-0.0f), x); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsquare)(NN__VF x) { return VMUL(x, x); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(frelu)(NN__VF x) { return VSEL(MOR(VGT(x, VZERO()), VUNORD(x, x)), x, VZERO()); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsign)(NN__VF x) {
  return VSEL(VGT(x, VZERO()), VSET1(1.0f), VSEL(VLT(x, VZERO()), VSET1(-1.0f), x));
}
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsqrt)(NN__VF x) { return VSQRT(x); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(frsqrt)(NN__VF x) { return VDIV(VSET1(1.0f), VSQRT(x)); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(frecip)(NN__VF x) { return VDIV(VSET1(1.0f), x); }
#if NN__HAS_ROUND
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fround)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_NEAREST_INT); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(ffloor)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_NEG_INF); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fceil)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_POS_INF); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(ftrunc)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_ZERO); }
#endif

/* ---- kernels ---- */

NN__F32_BIN(add_f32, NN__K(fadd))
NN__F32_BIN(sub_f32, NN__K(fsub))
NN__F32_BIN(mul_f32, NN__K(fmul))
NN__F32_BIN(div_f32, NN__K(fdiv))
NN__F32_BIN(max_f32, NN__K(fmax))
NN__F32_BIN(min_f32, NN__K(fmin))

/* Comparisons (bool bytes out): one body for the six predicates and three layouts. */
NN__TGT NN__ALWAYS_INLINE NN__VM NN__K(fcmp)(NN__VF a, NN__VF b, int op) {
  switch (op) {
    case NN_OP_EQ: return VEQ(a, b);
    case NN_OP_NE: return VNEQ(a, b);
    case NN_OP_LT: return VLT(a, b);
    case NN_OP_LE: return VLE(a, b);
    case NN_OP_GT: return VGT(a, b);
    default: return VGE(a, b);
  }
}
NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(cmp_f32)(int64_t n, uint8_t *o, const float *a,
                                                                   const float *b, int mode, int op) {
  const NN__VF sa = VSET1(a[0]), sb = VSET1(b[0]);
  const int va = mode != NN__SV, vb = mode != NN__VS;
  int64_t i, m;
  for (i = 0; i < n; i += m) {
    m = n - i < NN__W ? n - i : NN__W;
    VSTOREB(o + i, NN__K(fcmp)(va ? NN__K(ldm)(a + i, m) : sa, vb ? NN__K(ldm)(b + i, m) : sb, op), m);
  }
}
#define NN__F32_CMPK(NAME, OP)                                                                         \
  NN__PRIVATE NN__TGT void NN__K(NAME##_vv)(int64_t n, void *po, const void *pa, const void *pb) {     \
    if (n > 0) NN__K(cmp_f32)(n, (uint8_t *)po, (const float *)pa, (const float *)pb, NN__VV, OP);     \
  }                                                                                                    \
  NN__PRIVATE NN__TGT void NN__K(NAME##_vs)(int64_t n, void *po, const void *pa, const void *pb) {     \
    if (n > 0) NN__K(cmp_f32)(n, (uint8_t *)po, (const float *)pa, (const float *)pb, NN__VS, OP);     \
  }                                                                                                    \
  NN__PRIVATE NN__TGT void NN__K(NAME##_sv)(int64_t n, void *po, const void *pa, const void *pb) {     \
    if (n > 0) NN__K(cmp_f32)(n, (uint8_t *)po, (const float *)pa, (const float *)pb, NN__SV, OP);     \
  }
NN__F32_CMPK(eq_f32, NN_OP_EQ)
NN__F32_CMPK(ne_f32, NN_OP_NE)
NN__F32_CMPK(lt_f32, NN_OP_LT)
NN__F32_CMPK(le_f32, NN_OP_LE)
NN__F32_CMPK(gt_f32, NN_OP_GT)
NN__F32_CMPK(ge_f32, NN_OP_GE)
#undef NN__F32_CMPK

NN__F32_UN(neg_f32, NN__K(fneg), NN__F32_MAP)
NN__F32_UN(abs_f32, NN__K(fabs), NN__F32_MAP)
NN__F32_UN(sign_f32, NN__K(fsign), NN__F32_MAP)
NN__F32_UN(square_f32, NN__K(fsquare), NN__F32_MAP)
NN__F32_UN(relu_f32, NN__K(frelu), NN__F32_MAP)
NN__F32_UN(sqrt_f32, NN__K(fsqrt), NN__F32_MAP)
NN__F32_UN(rsqrt_f32, NN__K(frsqrt), NN__F32_MAP)
NN__F32_UN(recip_f32, NN__K(frecip), NN__F32_MAP)
NN__F32_UN(expm1_f32, NN__K(vexpm1), NN__F32_MAP1)
NN__F32_UN(tanh_f32, NN__K(vtanh), NN__F32_MAP1)
NN__F32_UN(sigmoid_f32, NN__K(vsigmoid), NN__F32_MAP1)
NN__F32_UN(exp_f32, NN__K(vexp), NN__F32_MAP1)
NN__F32_UN(exp2_f32, NN__K(vexp2), NN__F32_MAP1)
NN__F32_UN(log_f32, NN__K(vlog), NN__F32_MAP1)
/* families with one body each: log2/log10/log1p, erf/gelu, silu/gelu_tanh */
NN__F32_UNK(log_any, NN__K(vlogk))
NN__F32_UNK(erf_any, NN__K(verfg))
NN__F32_UNK(xsig_any, NN__K(vxsig))

/* softplus (k = 0) = max(x, 0) + log1p(e^-|x|), equal to x for x > 20 in float (torch's threshold changes nothing),
   and log_sigmoid (k = 1) = -softplus(-x), by blocks that stay in L1: e^-|x|, then the log1p body (not streamed),
   then the sum (+ 0: log_sigmoid(inf) = +0 like torch). */
NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(softplus_any)(int64_t n, float *o, const float *x, int k) {
  const NN__VF sg = VSET1(k ? -0.0f : 0.0f), neg = VSET1(-0.0f);
  float b[1024];
  int64_t j, bn;
  for (j = 0; j < n; j += bn) {
    const float *xj = x + j;
    bn = n - j < 1024 ? n - j : 1024;
    NN__F32_MAP1(b, bn, 0, NN__K(vexp)(VOR(NN__K(ldm)(xj + nn_i, nn_m), neg)));
    NN__K(log_any)(bn, b, b, 3 | NN__NOSTREAM);
    NN__F32_MAP1(o + j, bn, 1, VADD(VXOR(VADD(VMAXX(VZERO(), VXOR(NN__K(ldm)(xj + nn_i, nn_m), sg)),
                                              NN__K(ldm)(b + nn_i, nn_m)), sg), VZERO()));
  }
}
NN__F32_UNE(log2_f32, log_any, 1)
NN__F32_UNE(log10_f32, log_any, 2)
NN__F32_UNE(log1p_f32, log_any, 3)
NN__F32_UNE(erf_f32, erf_any, 0)
NN__F32_UNE(gelu_f32, erf_any, 1)
NN__F32_UNE(silu_f32, xsig_any, 0)
NN__F32_UNE(gelu_tanh_f32, xsig_any, 1)
NN__F32_UNE(softplus_f32, softplus_any, 0)
NN__F32_UNE(log_sigmoid_f32, softplus_any, 1)
#if NN__HAS_ROUND
NN__F32_UN(round_f32, NN__K(fround), NN__F32_MAP)
NN__F32_UN(floor_f32, NN__K(ffloor), NN__F32_MAP)
NN__F32_UN(ceil_f32, NN__K(fceil), NN__F32_MAP)
NN__F32_UN(trunc_f32, NN__K(ftrunc), NN__F32_MAP)
#endif

/* x ** c for one exponent c: 2, 0.5, 1 and -1 in vector form (correctly rounded, C's pow special cases), any other
   exponent through the scalar row. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fpowhalf)(NN__VF x) {
  NN__VF r = VSQRT(x);
  r = VSEL(VEQ(x, VSET1(-INFINITY)), VSET1(INFINITY), r);
  return VSEL(VEQ(x, VZERO()), VZERO(), r); /* pow(-0, 0.5) = +0 */
}
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fone)(NN__VF x) { return VMUL(x, VSET1(1.0f)); }
NN__PRIVATE NN__TGT void NN__K(pow_f32_vs)(int64_t n, void *po, const void *pa, const void *pb) {
  float *o = (float *)po;
  const float *a = (const float *)pa;
  const float c = *(const float *)pb;
  if (c == 2.0f) {
    NN__F32_MAP(o, n, 1, NN__K(fsquare)(NN__K(ldm)(a + nn_i, nn_m)));
  } else if (c == 0.5f) {
    NN__F32_MAP(o, n, 1, NN__K(fpowhalf)(NN__K(ldm)(a + nn_i, nn_m)));
  } else if (c == 1.0f) {
    NN__F32_MAP(o, n, 1, NN__K(fone)(NN__K(ldm)(a + nn_i, nn_m)));
  } else if (c == -1.0f) {
    NN__F32_MAP(o, n, 1, NN__K(frecip)(NN__K(ldm)(a + nn_i, nn_m)));
  } else {
    char *p[3];
    int64_t st[3] = {1, 1, 0};
    p[0] = (char *)po;
    p[1] = (char *)pa;
    p[2] = (char *)pb;
    nn__pow_f32(n, p, st, NULL);
  }
}

/* o = a + alpha * b (one fused rounding) */
NN__PRIVATE NN__TGT void NN__K(add_scaled_f32)(int64_t n, float *o, const float *a, const float *b, float alpha) {
  const NN__VF al = VSET1(alpha);
  NN__F32_MAP(o, n, 1, VFMA(NN__K(ldm)(b + nn_i, nn_m), al, NN__K(ldm)(a + nn_i, nn_m)));
}

/* o = alpha * x + beta (one fused rounding) */
NN__PRIVATE NN__TGT void NN__K(affine_f32)(int64_t n, float *o, const float *x, float alpha, float beta) {
  const NN__VF al = VSET1(alpha), be = VSET1(beta);
  NN__F32_MAP(o, n, 1, VFMA(NN__K(ldm)(x + nn_i, nn_m), al, be));
}

/* acc += x; never streamed: acc is read again soon. */
NN__PRIVATE NN__TGT void NN__K(acc_add_f32)(int64_t n, float *acc, const float *x) {
  NN__F32_MAP(acc, n, 0, VADD(NN__K(ldm)(acc + nn_i, nn_m), NN__K(ldm)(x + nn_i, nn_m)));
}

/* Sum: blocks of 128 vectors go through 8 float accumulators (16 values per lane and block, like NumPy's pairwise
   blocks); block sums are added in double. */
NN__PRIVATE NN__TGT float NN__K(sum_f32)(int64_t n, const float *x) {
  double total = 0.0;
  int64_t i = 0;
  while (i < n) {
    int64_t m = n - i < 128 * NN__W ? n - i : 128 * NN__W, j = 0;
    const float *p = x + i;
    NN__VF a0 = VZERO(), a1 = VZERO(), a2 = VZERO(), a3 = VZERO();
    NN__VF a4 = VZERO(), a5 = VZERO(), a6 = VZERO(), a7 = VZERO();
    for (; j + 8 * NN__W <= m; j += 8 * NN__W) {
      a0 = VADD(a0, VLOAD(p + j));
      a1 = VADD(a1, VLOAD(p + j + NN__W));
      a2 = VADD(a2, VLOAD(p + j + 2 * NN__W));
      a3 = VADD(a3, VLOAD(p + j + 3 * NN__W));
      a4 = VADD(a4, VLOAD(p + j + 4 * NN__W));
      a5 = VADD(a5, VLOAD(p + j + 5 * NN__W));
      a6 = VADD(a6, VLOAD(p + j + 6 * NN__W));
      a7 = VADD(a7, VLOAD(p + j + 7 * NN__W));
    }
    for (; j + NN__W <= m; j += NN__W) a0 = VADD(a0, VLOAD(p + j));
    if (j < m) a1 = VADD(a1, VLOADN(p + j, m - j, VZERO()));
    a0 = VADD(VADD(VADD(a0, a1), VADD(a2, a3)), VADD(VADD(a4, a5), VADD(a6, a7)));
    total += (double)VHSUM(a0);
    i += m;
  }
  return (float)total;
}

/* NaN-propagating max / min: the first NaN in x if there is one; -inf / +inf for n == 0. */
#define NN__F32_MINMAX(NAME, VOP, INIT, BETTER)                                               \
  NN__PRIVATE NN__TGT float NN__K(NAME)(int64_t n, const float *x) {                          \
    const NN__VF init = VSET1(INIT);                                                          \
    NN__VF m0 = init, m1 = init, m2 = init, m3 = init, v0, v1, v2, v3;                        \
    NN__VM bad = MZERO();                                                                     \
    float lanes[NN__W], r;                                                                    \
    int64_t i = 0;                                                                            \
    int k;                                                                                    \
    for (; i + 4 * NN__W <= n; i += 4 * NN__W) {                                              \
      v0 = VLOAD(x + i);                                                                      \
      v1 = VLOAD(x + i + NN__W);                                                              \
      v2 = VLOAD(x + i + 2 * NN__W);                                                          \
      v3 = VLOAD(x + i + 3 * NN__W);                                                          \
      bad = MOR(bad, MOR(VUNORD(v0, v1), VUNORD(v2, v3)));                                    \
      m0 = VOP(v0, m0);                                                                       \
      m1 = VOP(v1, m1);                                                                       \
      m2 = VOP(v2, m2);                                                                       \
      m3 = VOP(v3, m3);                                                                       \
    }                                                                                         \
    for (; i + NN__W <= n; i += NN__W) {                                                      \
      v0 = VLOAD(x + i);                                                                      \
      bad = MOR(bad, VUNORD(v0, v0));                                                         \
      m0 = VOP(v0, m0);                                                                       \
    }                                                                                         \
    if (i < n) {                                                                              \
      v0 = VLOADN(x + i, n - i, init);                                                        \
      bad = MOR(bad, VUNORD(v0, v0));                                                         \
      m0 = VOP(v0, m0);                                                                       \
    }                                                                                         \
    if (MANY(bad))                                                                            \
      for (i = 0; i < n; i++)                                                                 \
        if (x[i] != x[i]) return x[i];                                                        \
    VSTORE(lanes, VOP(VOP(m0, m1), VOP(m2, m3)));                                             \
    r = lanes[0];                                                                             \
    for (k = 1; k < NN__W; k++) r = lanes[k] BETTER r ? lanes[k] : r;                         \
    return r;                                                                                 \
  }
NN__F32_MINMAX(maxr_f32, VMAXX, -INFINITY, >)
NN__F32_MINMAX(minr_f32, VMINX, INFINITY, <)
#undef NN__F32_MINMAX

/* sum of e^(x - m) over n values, also stored to o when o is not NULL. Blocks of 32 vectors go through a float
   accumulator (32 values per lane) and block sums are added in double, so long rows keep their precision. */
NN__PRIVATE NN__TGT __attribute__((noinline)) double NN__K(expsum_f32)(int64_t n, float *o, const float *x, float mx) {
  const NN__VF vm = VSET1(mx);
  double total = 0.0;
  int64_t i = 0;
  while (i < n) {
    int64_t end = n - i < 32 * NN__W ? n : i + 32 * NN__W;
    NN__VF s0 = VZERO(), s1 = VZERO(), e;
    for (; i + NN__W <= end; i += NN__W) {
      e = NN__K(vexp)(VSUB(VLOAD(x + i), vm));
      if (o) VSTORE(o + i, e);
      s0 = VADD(s0, e);
    }
    if (i < end) {
      e = NN__K(vexp)(VSUB(VLOADN(x + i, end - i, VSET1(-INFINITY)), vm)); /* padding lanes: e^-inf = 0 */
      if (o) VSTOREN(o + i, e, end - i);
      s1 = VADD(s1, e);
      i = end;
    }
    total += (double)VHSUM(VADD(s0, s1));
  }
  return total;
}

/* softmax over n contiguous values: max, then e^(x - max) stored and summed, then scaled by 1/sum; NaN everywhere
   when the max is not finite (like scipy.special.softmax). o may equal x. */
NN__PRIVATE NN__TGT void NN__K(softmax_f32)(int64_t n, float *o, const float *x) {
  NN__VF inv;
  if (n <= 0) return;
  inv = VSET1((float)(1.0 / NN__K(expsum_f32)(n, o, x, NN__K(maxr_f32)(n, x))));
  NN__F32_MAP(o, n, 0, VMUL(NN__K(ldm)(o + nn_i, nn_m), inv));
}

/* log_softmax: (x - m) - log(sum e^(x - m)) with m the max, or 0 when the max is not finite (like
   scipy.special.log_softmax). o may equal x. */
NN__PRIVATE NN__TGT void NN__K(log_softmax_f32)(int64_t n, float *o, const float *x) {
  NN__VF vm, lse;
  float mx;
  if (n <= 0) return;
  mx = NN__K(maxr_f32)(n, x);
  mx = mx - mx == 0.0f ? mx : 0.0f;
  vm = VSET1(mx);
  lse = VSET1((float)log(NN__K(expsum_f32)(n, NULL, x, mx)));
  NN__F32_MAP(o, n, 0, VSUB(VSUB(NN__K(ldm)(x + nn_i, nn_m), vm), lse));
}

NN__PRIVATE void NN__K(install_f32)(nn__vec_table *t) {
  nn__vbin_fn(*b)[3] = t->bin[NN_FLOAT32];
  nn__vun_fn *u = t->un[NN_FLOAT32];
#define NN__SET_BIN(OP, NAME)        \
  b[OP][NN__VV] = NN__K(NAME##_vv); \
  b[OP][NN__VS] = NN__K(NAME##_vs); \
  b[OP][NN__SV] = NN__K(NAME##_sv);
  NN__SET_BIN(NN_OP_ADD, add_f32)
  NN__SET_BIN(NN_OP_SUB, sub_f32)
  NN__SET_BIN(NN_OP_MUL, mul_f32)
  NN__SET_BIN(NN_OP_DIV, div_f32)
  NN__SET_BIN(NN_OP_MAXIMUM, max_f32)
  NN__SET_BIN(NN_OP_MINIMUM, min_f32)
  NN__SET_BIN(NN_OP_EQ, eq_f32)
  NN__SET_BIN(NN_OP_NE, ne_f32)
  NN__SET_BIN(NN_OP_LT, lt_f32)
  NN__SET_BIN(NN_OP_LE, le_f32)
  NN__SET_BIN(NN_OP_GT, gt_f32)
  NN__SET_BIN(NN_OP_GE, ge_f32)
#undef NN__SET_BIN
  b[NN_OP_POW][NN__VS] = NN__K(pow_f32_vs);
  u[NN_OP_NEG] = NN__K(neg_f32);
  u[NN_OP_ABS] = NN__K(abs_f32);
  u[NN_OP_SIGN] = NN__K(sign_f32);
  u[NN_OP_SQUARE] = NN__K(square_f32);
  u[NN_OP_RELU] = NN__K(relu_f32);
  u[NN_OP_SQRT] = NN__K(sqrt_f32);
  u[NN_OP_RSQRT] = NN__K(rsqrt_f32);
  u[NN_OP_RECIPROCAL] = NN__K(recip_f32);
  u[NN_OP_EXP] = NN__K(exp_f32);
  u[NN_OP_EXP2] = NN__K(exp2_f32);
  u[NN_OP_EXPM1] = NN__K(expm1_f32);
  u[NN_OP_LOG] = NN__K(log_f32);
  u[NN_OP_LOG2] = NN__K(log2_f32);
  u[NN_OP_LOG10] = NN__K(log10_f32);
  u[NN_OP_LOG1P] = NN__K(log1p_f32);
  u[NN_OP_TANH] = NN__K(tanh_f32);
  u[NN_OP_SIGMOID] = NN__K(sigmoid_f32);
  u[NN_OP_ERF] = NN__K(erf_f32);
  u[NN_OP_GELU] = NN__K(gelu_f32);
  u[NN_OP_GELU_TANH] = NN__K(gelu_tanh_f32);
  u[NN_OP_SILU] = NN__K(silu_f32);
  u[NN_OP_SOFTPLUS] = NN__K(softplus_f32);
  u[NN_OP_LOG_SIGMOID] = NN__K(log_sigmoid_f32);
#if NN__HAS_ROUND
  u[NN_OP_ROUND] = NN__K(round_f32);
  u[NN_OP_FLOOR] = NN__K(floor_f32);
  u[NN_OP_CEIL] = NN__K(ceil_f32);
  u[NN_OP_TRUNC] = NN__K(trunc_f32);
#endif
  t->add_scaled_f32 = NN__K(add_scaled_f32);
  t->affine_f32 = NN__K(affine_f32);
  t->acc_add_f32 = NN__K(acc_add_f32);
  t->sum_f32 = NN__K(sum_f32);
  t->max_f32 = NN__K(maxr_f32);
  t->min_f32 = NN__K(minr_f32);
  t->softmax_f32 = NN__K(softmax_f32);
  t->log_softmax_f32 = NN__K(log_softmax_f32);
}
/* ---- end src/kernels/simd_f32.inc ---- */
/* ---- begin src/kernels/simd_f64.inc ---- */
/* kernels/simd_f64.inc: float64 vector kernels (arithmetic, simple unary ops, sum), included once per instruction
   set like kernels/simd_f32.inc. */

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(ldmd)(const double *p, int64_t m) {
  return m == NN__WD ? VDLOAD(p) : VDLOADN(p, m, VDSET1(0.0));
}
NN__TGT NN__ALWAYS_INLINE void NN__K(stmd)(double *p, NN__VD v, int64_t m, int nt) {
  if (m != NN__WD) VDSTOREN(p, v, m);
  else if (nt) VDSTREAM(p, v);
  else VDSTORE(p, v);
}

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dadd)(NN__VD a, NN__VD b) { return VDADD(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsub)(NN__VD a, NN__VD b) { return VDSUB(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dmul)(NN__VD a, NN__VD b) { return VDMUL(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(ddiv)(NN__VD a, NN__VD b) { return VDDIV(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dmax)(NN__VD a, NN__VD b) { return VDSEL(VDUNORD(a, a), a, VDMAXX(a, b)); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dmin)(NN__VD a, NN__VD b) { return VDSEL(VDUNORD(a, a), a, VDMINX(a, b)); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dneg)(NN__VD x) { return VDXOR(x, VDSET1(-0.0)); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dabs)(NN__VD x) { return VDANDNOT(VDSET1(-0.0), x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsquare)(NN__VD x) { return VDMUL(x, x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsqrt)(NN__VD x) { return VDSQRT(x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(drecip)(NN__VD x) { return VDDIV(VDSET1(1.0), x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(drelu)(NN__VD x) {
  return VDSEL(MDOR(VDGT(x, VDSET1(0.0)), VDUNORD(x, x)), x, VDSET1(0.0));
}

/* ---- float64 vector math: exp, log, tanh, sigmoid (lanes outside the fast range go through the C library) ---- */

/* f applied lane by lane through the C library (the rare lanes: huge, tiny, inf, NaN). */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dlibm)(NN__VD x, double (*f)(double)) {
  double b[NN__WD];
  int k;
  VDSTORE(b, x);
  for (k = 0; k < NN__WD; k++) b[k] = f(b[k]);
  return VDLOAD(b);
}

/* e^r - 1 for |r| <= ln2/2: r + r^2 q(r), q the Taylor series of (e^r - 1 - r)/r^2 to r^11 (error < 0.01 ulp). */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dexpm1_r)(NN__VD r) {
  NN__VD q = VDSET1(1.0 / 6227020800.0);
  q = VDFMA(q, r, VDSET1(1.0 / 479001600.0));
  q = VDFMA(q, r, VDSET1(1.0 / 39916800.0));
  q = VDFMA(q, r, VDSET1(1.0 / 3628800.0));
  q = VDFMA(q, r, VDSET1(1.0 / 362880.0));
  q = VDFMA(q, r, VDSET1(1.0 / 40320.0));
  q = VDFMA(q, r, VDSET1(1.0 / 5040.0));
  q = VDFMA(q, r, VDSET1(1.0 / 720.0));
  q = VDFMA(q, r, VDSET1(1.0 / 120.0));
  q = VDFMA(q, r, VDSET1(1.0 / 24.0));
  q = VDFMA(q, r, VDSET1(1.0 / 6.0));
  q = VDFMA(q, r, VDSET1(0.5));
  return VDFMA(VDMUL(r, r), q, r);
}

/* x = n ln2 + r (ln2 in fdlibm's two parts); returns r and n as the integer bits of *t - magic. */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dreduce)(NN__VD x, NN__VDI *n) {
  const NN__VD magic = VDSET1(6755399441055744.0); /* 1.5 * 2^52 */
  NN__VD t = VDFMA(x, VDSET1(1.4426950408889634074), magic);
  NN__VD nf = VDSUB(t, magic);
  NN__VD r = VDFNMA(nf, VDSET1(6.93147180369123816490e-01), x);
  *n = VDISUB(VDI_D(t), VDI_D(magic));
  return VDFNMA(nf, VDSET1(1.90821492927058770002e-10), r);
}

/* 2^n for integer n in [-1022, 1023] */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dpow2)(NN__VDI n) { return VD_DI(VDISLL(VDIADD(n, VDISET1(1023)), 52)); }

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dexp)(NN__VD x) {
  NN__VDI n;
  NN__VD r, p;
  if (!MDALL(VDLE(VDANDNOT(VDSET1(-0.0), x), VDSET1(708.0)))) return NN__K(dlibm)(x, exp);
  r = NN__K(dreduce)(x, &n);
  p = VDADD(NN__K(dexpm1_r)(r), VDSET1(1.0));
  return VDMUL(p, NN__K(dpow2)(n));
}

/* ln x by fdlibm's method: x = 2^k m, m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f), ln(1 + f) from s. */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dlog)(NN__VD x) {
  const NN__VD one = VDSET1(1.0);
  NN__VDI bits = VDI_D(x);
  NN__VD k, m, f, s, z, w, t1, t2, hfsq;
  NN__VDM lo;
  if (!MDALL(MDAND(VDGE(x, VDSET1(DBL_MIN)), VDLE(x, VDSET1(DBL_MAX))))) return NN__K(dlibm)(x, log);
  /* the biased exponent as a double: its bits OR 2^52, minus 2^52 */
  k = VDSUB(VD_DI(VDIOR(VDISRL(bits, 52), VDISET1(0x4330000000000000LL))), VDSET1(4503599627370496.0 + 1022.0));
  m = VD_DI(VDIOR(VDIAND(bits, VDISET1(0x000fffffffffffffLL)), VDISET1(0x3fe0000000000000LL))); /* [0.5, 1) */
  lo = VDLT(m, VDSET1(0.70710678118654752440));
  k = VDSUB(k, VDSEL(lo, one, VDSET1(0.0)));
  m = VDADD(m, VDSEL(lo, m, VDSET1(0.0)));
  f = VDSUB(m, one);
  s = VDDIV(f, VDADD(VDSET1(2.0), f));
  z = VDMUL(s, s);
  w = VDMUL(z, z);
  t1 = VDMUL(w, VDFMA(w, VDFMA(w, VDSET1(1.531383769920937332e-01), VDSET1(2.222219843214978396e-01)),
                      VDSET1(3.999999999940941908e-01)));
  t2 = VDMUL(z, VDFMA(w, VDFMA(w, VDFMA(w, VDSET1(1.479819860511658591e-01), VDSET1(1.818357216161805012e-01)),
                               VDSET1(2.857142874366239149e-01)),
                      VDSET1(6.666666666666735130e-01)));
  hfsq = VDMUL(VDSET1(0.5), VDMUL(f, f));
  /* k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f) */
  w = VDFMA(s, VDADD(hfsq, VDADD(t2, t1)), VDMUL(k, VDSET1(1.90821492927058770002e-10)));
  return VDFMA(k, VDSET1(6.93147180369123816490e-01), VDSUB(f, VDSUB(hfsq, w)));
}

/* tanh x = -m / (2 + m), m = e^{-2|x|} - 1 = 2^n (e^r - 1) + (2^n - 1), with x's sign. */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dtanh)(NN__VD x) {
  const NN__VD sign = VDSET1(-0.0), one = VDSET1(1.0);
  NN__VD y = VDMAXX(VDMUL(VDANDNOT(sign, x), VDSET1(-2.0)), VDSET1(-40.0)), r, s, m;
  NN__VDI n;
  r = NN__K(dreduce)(y, &n);
  s = NN__K(dpow2)(n);
  m = VDFMA(s, NN__K(dexpm1_r)(r), VDSUB(s, one));
  r = VDDIV(VDSUB(VDSET1(0.0), m), VDADD(VDSET1(2.0), m)); /* >= +0 */
  r = VDXOR(r, VDAND(x, sign));
  return VDSEL(VDUNORD(x, x), VDADD(x, x), r);
}

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsigmoid)(NN__VD x) {
  const NN__VD one = VDSET1(1.0);
  NN__VD e = NN__K(dexp)(VDXOR(VDANDNOT(VDSET1(-0.0), x), VDSET1(-0.0))); /* e^{-|x|} */
  return VDDIV(VDSEL(VDLT(x, VDSET1(0.0)), e, one), VDADD(one, e));
}

NN__F64_BIN(add_f64, NN__K(dadd))
NN__F64_BIN(sub_f64, NN__K(dsub))
NN__F64_BIN(mul_f64, NN__K(dmul))
NN__F64_BIN(div_f64, NN__K(ddiv))
NN__F64_BIN(max_f64, NN__K(dmax))
NN__F64_BIN(min_f64, NN__K(dmin))
NN__F64_UN(neg_f64, NN__K(dneg), NN__F64_MAP)
NN__F64_UN(abs_f64, NN__K(dabs), NN__F64_MAP)
NN__F64_UN(square_f64, NN__K(dsquare), NN__F64_MAP)
NN__F64_UN(sqrt_f64, NN__K(dsqrt), NN__F64_MAP)
NN__F64_UN(recip_f64, NN__K(drecip), NN__F64_MAP)
NN__F64_UN(relu_f64, NN__K(drelu), NN__F64_MAP)
NN__F64_UN(exp_f64, NN__K(dexp), NN__F64_MAP1)
NN__F64_UN(log_f64, NN__K(dlog), NN__F64_MAP1)
NN__F64_UN(tanh_f64, NN__K(dtanh), NN__F64_MAP1)
NN__F64_UN(sigmoid_f64, NN__K(dsigmoid), NN__F64_MAP1)

/* x ** c for one exponent c (see pow_f32_vs). */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dpowhalf)(NN__VD x) {
  NN__VD r = VDSQRT(x);
  r = VDSEL(VDEQ(x, VDSET1(-INFINITY)), VDSET1(INFINITY), r);
  return VDSEL(VDEQ(x, VDSET1(0.0)), VDSET1(0.0), r);
}
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(done)(NN__VD x) { return VDMUL(x, VDSET1(1.0)); }
NN__PRIVATE NN__TGT void NN__K(pow_f64_vs)(int64_t n, void *po, const void *pa, const void *pb) {
  double *o = (double *)po;
  const double *a = (const double *)pa;
  const double c = *(const double *)pb;
  if (c == 2.0) {
    NN__F64_MAP(o, n, 1, NN__K(dsquare)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else if (c == 0.5) {
    NN__F64_MAP(o, n, 1, NN__K(dpowhalf)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else if (c == 1.0) {
    NN__F64_MAP(o, n, 1, NN__K(done)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else if (c == -1.0) {
    NN__F64_MAP(o, n, 1, NN__K(drecip)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else {
    char *p[3];
    int64_t st[3] = {1, 1, 0};
    p[0] = (char *)po;
    p[1] = (char *)pa;
    p[2] = (char *)pb;
    nn__pow_f64(n, p, st, NULL);
  }
}

/* Sum: blocks of 64 vectors through 8 accumulators; block sums combined with Neumaier's compensation. */
NN__PRIVATE NN__TGT double NN__K(sum_f64)(int64_t n, const double *x) {
  double total = 0.0, comp = 0.0;
  int64_t i = 0;
  while (i < n) {
    int64_t m = n - i < 64 * NN__WD ? n - i : 64 * NN__WD, j = 0;
    const double *p = x + i;
    const NN__VD z = VDSET1(0.0);
    NN__VD a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
    double s, t;
    for (; j + 8 * NN__WD <= m; j += 8 * NN__WD) {
      a0 = VDADD(a0, VDLOAD(p + j));
      a1 = VDADD(a1, VDLOAD(p + j + NN__WD));
      a2 = VDADD(a2, VDLOAD(p + j + 2 * NN__WD));
      a3 = VDADD(a3, VDLOAD(p + j + 3 * NN__WD));
      a4 = VDADD(a4, VDLOAD(p + j + 4 * NN__WD));
      a5 = VDADD(a5, VDLOAD(p + j + 5 * NN__WD));
      a6 = VDADD(a6, VDLOAD(p + j + 6 * NN__WD));
      a7 = VDADD(a7, VDLOAD(p + j + 7 * NN__WD));
    }
    for (; j + NN__WD <= m; j += NN__WD) a0 = VDADD(a0, VDLOAD(p + j));
    if (j < m) a1 = VDADD(a1, VDLOADN(p + j, m - j, z));
    a0 = VDADD(VDADD(VDADD(a0, a1), VDADD(a2, a3)), VDADD(VDADD(a4, a5), VDADD(a6, a7)));
    s = VDHSUM(a0);
    t = total + s;
    if (fabs(total) >= fabs(s)) comp += (total - t) + s;
    else comp += (s - t) + total;
    total = t;
    i += m;
  }
  return total + comp;
}

NN__PRIVATE void NN__K(install_f64)(nn__vec_table *t) {
  nn__vbin_fn(*b)[3] = t->bin[NN_FLOAT64];
  nn__vun_fn *u = t->un[NN_FLOAT64];
#define NN__SET_BIN(OP, NAME)        \
  b[OP][NN__VV] = NN__K(NAME##_vv); \
  b[OP][NN__VS] = NN__K(NAME##_vs); \
  b[OP][NN__SV] = NN__K(NAME##_sv);
  NN__SET_BIN(NN_OP_ADD, add_f64)
  NN__SET_BIN(NN_OP_SUB, sub_f64)
  NN__SET_BIN(NN_OP_MUL, mul_f64)
  NN__SET_BIN(NN_OP_DIV, div_f64)
  NN__SET_BIN(NN_OP_MAXIMUM, max_f64)
  NN__SET_BIN(NN_OP_MINIMUM, min_f64)
#undef NN__SET_BIN
  b[NN_OP_POW][NN__VS] = NN__K(pow_f64_vs);
  u[NN_OP_NEG] = NN__K(neg_f64);
  u[NN_OP_ABS] = NN__K(abs_f64);
  u[NN_OP_SQUARE] = NN__K(square_f64);
  u[NN_OP_SQRT] = NN__K(sqrt_f64);
  u[NN_OP_RECIPROCAL] = NN__K(recip_f64);
  u[NN_OP_RELU] = NN__K(relu_f64);
  u[NN_OP_EXP] = NN__K(exp_f64);
  u[NN_OP_LOG] = NN__K(log_f64);
  u[NN_OP_TANH] = NN__K(tanh_f64);
  u[NN_OP_SIGMOID] = NN__K(sigmoid_f64);
  t->sum_f64 = NN__K(sum_f64);
}
/* ---- end src/kernels/simd_f64.inc ---- */
/* ---- begin src/kernels/simd_undef.inc ---- */
/* kernels/simd_undef.inc: forgets one instruction set's vector macros so that the next one can define them. */
#undef NN__ISA
#undef NN__TGT
#undef NN__W
#undef NN__VBYTES
#undef NN__HAS_NT
#undef NN__HAS_ROUND
#undef NN__HAS_FMA
#undef NN__VF
#undef NN__VI
#undef NN__VM
#undef VLOAD
#undef VSTORE
#undef VSTREAM
#undef VSFENCE
#undef VLOADN
#undef VSTOREN
#undef VSET1
#undef VZERO
#undef VADD
#undef VSUB
#undef VMUL
#undef VDIV
#undef VFMA
#undef VFNMA
#undef VMAXX
#undef VMINX
#undef VSQRT
#undef VAND
#undef VOR
#undef VXOR
#undef VANDNOT
#undef VLT
#undef VLE
#undef VGT
#undef VGE
#undef VEQ
#undef VNEQ
#undef VSTOREB
#undef VUNORD
#undef VSEL
#undef MAND
#undef MOR
#undef MNOT
#undef MZERO
#undef MANY
#undef MALL
#undef VI_F
#undef VF_I
#undef VIADD
#undef VISUB
#undef VISLL
#undef VISRA
#undef VISRL
#undef VISET1
#undef VIAND
#undef VIOR
#undef VCVTI
#undef VHSUM
#undef VROUND
#undef NN__WD
#undef NN__VD
#undef NN__VDM
#undef VDLOAD
#undef VDSTORE
#undef VDSTREAM
#undef VDLOADN
#undef VDSTOREN
#undef VDSET1
#undef VDADD
#undef VDSUB
#undef VDMUL
#undef VDDIV
#undef VDFMA
#undef VDSQRT
#undef VDAND
#undef VDXOR
#undef VDANDNOT
#undef VDGT
#undef VDLT
#undef VDEQ
#undef VDUNORD
#undef VDSEL
#undef VDMAXX
#undef VDMINX
#undef MDOR
#undef VDHSUM
#undef NN__VDI
#undef VDI_D
#undef VD_DI
#undef VDIADD
#undef VDISUB
#undef VDISLL
#undef VDISRL
#undef VDIAND
#undef VDIOR
#undef VDISET1
#undef VDFNMA
#undef VDGE
#undef VDLE
#undef MDAND
#undef MDALL
/* ---- end src/kernels/simd_undef.inc ---- */

/* ================================================================================================================ */
/* avx512: AVX-512 F/DQ/BW/VL, 512-bit, mask registers for compares and tails                                        */
/* ================================================================================================================ */

#define NN__TGT5 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

/* g++ 12 warns inside its own AVX-512 intrinsics (the `__m512 __Y = __Y;` of _mm512_undefined_ps, GCC bug 105593). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

NN__TGT5 NN__ALWAYS_INLINE float nn__avx512_hsum(__m512 v) {
  __m256 s = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
  __m128 t = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  t = _mm_add_ps(t, _mm_movehl_ps(t, t));
  t = _mm_add_ss(t, _mm_shuffle_ps(t, t, 1));
  return _mm_cvtss_f32(t);
}
NN__TGT5 NN__ALWAYS_INLINE double nn__avx512_hsum_d(__m512d v) {
  __m256d s = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
  __m128d t = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
  t = _mm_add_sd(t, _mm_unpackhi_pd(t, t));
  return _mm_cvtsd_f64(t);
}

#define NN__ISA avx512
#define NN__TGT NN__TGT5
#define NN__W 16
#define NN__VBYTES 64
#define NN__HAS_NT 1
#define NN__HAS_ROUND 1
#define NN__HAS_FMA 1
#define NN__VF __m512
#define NN__VI __m512i
#define NN__VM __mmask16
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSTREAM(p, v) _mm512_stream_ps((p), (v))
#define VSFENCE() _mm_sfence()
#define VLOADN(p, n, fill) _mm512_mask_loadu_ps((fill), (__mmask16)((1u << (n)) - 1u), (p))
#define VSTOREN(p, v, n) _mm512_mask_storeu_ps((p), (__mmask16)((1u << (n)) - 1u), (v))
#define VSET1(s) _mm512_set1_ps(s)
#define VZERO() _mm512_setzero_ps()
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VSUB(a, b) _mm512_sub_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VDIV(a, b) _mm512_div_ps((a), (b))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VFNMA(a, b, c) _mm512_fnmadd_ps((a), (b), (c))
#define VMAXX(a, b) _mm512_max_ps((a), (b))
#define VMINX(a, b) _mm512_min_ps((a), (b))
#define VSQRT(a) _mm512_sqrt_ps(a)
#define VAND(a, b) _mm512_and_ps((a), (b))
#define VOR(a, b) _mm512_or_ps((a), (b))
#define VXOR(a, b) _mm512_xor_ps((a), (b))
#define VANDNOT(a, b) _mm512_andnot_ps((a), (b))
#define VLT(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_LT_OQ)
#define VLE(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_LE_OQ)
#define VGT(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_GT_OQ)
#define VGE(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_GE_OQ)
#define VEQ(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_EQ_OQ)
#define VNEQ(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_NEQ_UQ)
#define VUNORD(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_UNORD_Q)
#define VSEL(m, a, b) _mm512_mask_blend_ps((m), (b), (a))
#define MAND(a, b) ((__mmask16)((a) & (b)))
#define MOR(a, b) ((__mmask16)((a) | (b)))
#define MNOT(a) ((__mmask16)~(a))
#define MZERO() ((__mmask16)0)
#define MANY(m) ((m) != 0)
#define MALL(m) ((m) == 0xffff)
#define VI_F(v) _mm512_castps_si512(v)
#define VF_I(v) _mm512_castsi512_ps(v)
#define VIADD(a, b) _mm512_add_epi32((a), (b))
#define VISUB(a, b) _mm512_sub_epi32((a), (b))
#define VISLL(a, k) _mm512_slli_epi32((a), (k))
#define VISRA(a, k) _mm512_srai_epi32((a), (k))
#define VISRL(a, k) _mm512_srli_epi32((a), (k))
#define VISET1(s) _mm512_set1_epi32(s)
#define VIAND(a, b) _mm512_and_si512((a), (b))
#define VIOR(a, b) _mm512_or_si512((a), (b))
#define VCVTI(a) _mm512_cvtepi32_ps(a)
#define VHSUM(v) nn__avx512_hsum(v)
#define VSTOREB(p, m, n) _mm_mask_storeu_epi8((p), (__mmask16)((1u << (n)) - 1u), _mm_maskz_set1_epi8((m), 1))
#define VROUND(v, mode) _mm512_roundscale_ps((v), (mode) | _MM_FROUND_NO_EXC)
#define NN__WD 8
#define NN__VD __m512d
#define NN__VDM __mmask8
#define VDLOAD(p) _mm512_loadu_pd(p)
#define VDSTORE(p, v) _mm512_storeu_pd((p), (v))
#define VDSTREAM(p, v) _mm512_stream_pd((p), (v))
#define VDLOADN(p, n, fill) _mm512_mask_loadu_pd((fill), (__mmask8)((1u << (n)) - 1u), (p))
#define VDSTOREN(p, v, n) _mm512_mask_storeu_pd((p), (__mmask8)((1u << (n)) - 1u), (v))
#define VDSET1(s) _mm512_set1_pd(s)
#define VDADD(a, b) _mm512_add_pd((a), (b))
#define VDSUB(a, b) _mm512_sub_pd((a), (b))
#define VDMUL(a, b) _mm512_mul_pd((a), (b))
#define VDDIV(a, b) _mm512_div_pd((a), (b))
#define VDFMA(a, b, c) _mm512_fmadd_pd((a), (b), (c))
#define VDSQRT(a) _mm512_sqrt_pd(a)
#define VDAND(a, b) _mm512_and_pd((a), (b))
#define VDXOR(a, b) _mm512_xor_pd((a), (b))
#define VDANDNOT(a, b) _mm512_andnot_pd((a), (b))
#define VDGT(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_GT_OQ)
#define VDLT(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_LT_OQ)
#define VDEQ(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_EQ_OQ)
#define VDUNORD(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_UNORD_Q)
#define VDSEL(m, a, b) _mm512_mask_blend_pd((m), (b), (a))
#define VDMAXX(a, b) _mm512_max_pd((a), (b))
#define VDMINX(a, b) _mm512_min_pd((a), (b))
#define MDOR(a, b) ((__mmask8)((a) | (b)))
#define VDHSUM(v) nn__avx512_hsum_d(v)
#define NN__VDI __m512i
#define VDI_D(v) _mm512_castpd_si512(v)
#define VD_DI(v) _mm512_castsi512_pd(v)
#define VDIADD(a, b) _mm512_add_epi64((a), (b))
#define VDISUB(a, b) _mm512_sub_epi64((a), (b))
#define VDISLL(a, k) _mm512_slli_epi64((a), (k))
#define VDISRL(a, k) _mm512_srli_epi64((a), (k))
#define VDIAND(a, b) _mm512_and_si512((a), (b))
#define VDIOR(a, b) _mm512_or_si512((a), (b))
#define VDISET1(s) _mm512_set1_epi64(s)
#define VDFNMA(a, b, c) _mm512_fnmadd_pd((a), (b), (c))
#define VDGE(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_GE_OQ)
#define VDLE(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_LE_OQ)
#define MDAND(a, b) ((__mmask8)((a) & (b)))
#define MDALL(m) ((m) == 0xff)
/* ---- begin src/kernels/simd_f32.inc ---- */
/* kernels/simd_f32.inc: float32 vector kernels, written once against the macros of kernels/simd.c and included
   once per instruction set (NN__ISA names it; NN__K(name) gives each function its per-ISA name). */

/* A full vector (m == W) or the first m lanes, zero-filled; and the matching store (streamed when nt). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(ldm)(const float *p, int64_t m) {
  return m == NN__W ? VLOAD(p) : VLOADN(p, m, VZERO());
}
NN__TGT NN__ALWAYS_INLINE void NN__K(stm)(float *p, NN__VF v, int64_t m, int nt) {
  if (m != NN__W) VSTOREN(p, v, m);
  else if (nt) VSTREAM(p, v);
  else VSTORE(p, v);
}

/* ---- vector math (each lane independent) ---- */

/* x = n ln2 + r with |r| <= ln2/2 (ln2 in two parts, n = round(x / ln2)); returns r and, in *t, a float whose low
   mantissa bits hold n (NN__TN(*t) extracts it). Needs |x| < 2^22. */
#define NN__TN(t) VISUB(VI_F(t), VISET1(0x4B400000))
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vred)(NN__VF x, NN__VF *t) {
  const NN__VF magic = VSET1(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
  NN__VF nf;
  *t = VFMA(x, VSET1(1.44269504088896341f), magic);
  nf = VSUB(*t, magic);
  return VFNMA(nf, VSET1(1.428606765330187045e-06f), VFNMA(nf, VSET1(0.693145751953125f), x));
}

/* e^r - 1 = r + r^2 p(r) for |r| <= ln2/2: degree-6 polynomial (SLEEF's coefficients, < 1 ulp). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexpm1r)(NN__VF r) {
  NN__VF u = VSET1(0.000198527617612853646278381f);
  u = VFMA(u, r, VSET1(0.00139304355252534151077271f));
  u = VFMA(u, r, VSET1(0.00833336077630519866943359f));
  u = VFMA(u, r, VSET1(0.0416664853692054748535156f));
  u = VFMA(u, r, VSET1(0.166666671633720397949219f));
  u = VFMA(u, r, VSET1(0.5f));
  return VFMA(VMUL(r, r), u, r);
}

/* 2^n for integer lanes n in [-126, 127] */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vpow2i)(NN__VI n) { return VF_I(VISLL(VIADD(n, VISET1(127)), 23)); }

/* u 2^n, |n| <= 151: one exact multiplication when `fast` (every lane's result normal), else two halves so that
   overflow gives inf and gradual underflow rounds once; NaN lanes of x give NaN. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vscale)(NN__VF u, NN__VI n, NN__VF x, int fast) {
  NN__VI n1;
  if (fast) return VMUL(u, NN__K(vpow2i)(n));
  n1 = VISRA(n, 1);
  u = VMUL(VMUL(u, NN__K(vpow2i)(n1)), NN__K(vpow2i)(VISUB(n, n1)));
  return VSEL(VUNORD(x, x), VADD(x, x), u);
}

/* m e^(x + xl): x clamped to [-104, 89] and reduced by vred, xl (|xl| <= 2^-12, or -0.0 for none) added to r, the
   degree-6 polynomial, then the scaling after the multiplication by m (so m e^x underflows with one rounding). With
   xl = -0.0 and m = 1 the compiler drops both. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexpx)(NN__VF x, NN__VF xl, NN__VF m) {
  NN__VF t, r = VADD(NN__K(vred)(VMINX(VMAXX(x, VSET1(-150.0f)), VSET1(89.0f)), &t), xl);
  return NN__K(vscale)(VMUL(VADD(NN__K(vexpm1r)(r), VSET1(1.0f)), m), NN__TN(t), x,
                       MALL(VLE(VANDNOT(VSET1(-0.0f), x), VSET1(87.0f))));
}

/* e^x (< 1 ulp): vexpx without correction. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexp)(NN__VF x) { return NN__K(vexpx)(x, VSET1(-0.0f), VSET1(1.0f)); }

/* The low part of a product: a b - p exactly for p = fl(a b) (no overflow or underflow). With FMA one fused
   operation; otherwise Dekker's product of 12-bit halves split off with a mask (exact whether or not the compiler
   contracts a*b+c). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vplo)(NN__VF a, NN__VF b, NN__VF p) {
#if NN__HAS_FMA
  return VFMA(a, b, VXOR(p, VSET1(-0.0f)));
#else
  const NN__VF hm = VF_I(VISET1(-4096)); /* clears the 12 low mantissa bits */
  NN__VF ah = VAND(a, hm), bh = VAND(b, hm), al = VSUB(a, ah), bl = VSUB(b, bh);
  return VADD(VADD(VADD(VSUB(VMUL(ah, bh), p), VMUL(ah, bl)), VMUL(al, bh)), VMUL(al, bl));
#endif
}

/* 2^x = e^(h + l), h + l = x ln2 (x clamped to [-152, 130]) in two parts. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexp2)(NN__VF x) {
  const NN__VF ln2 = VSET1(6.931471825e-01f);
  NN__VF xc = VMINX(VSET1(130.0f), VMAXX(VSET1(-152.0f), x)), h = VMUL(xc, ln2); /* a NaN stays NaN */
  return NN__K(vexpx)(h, VFMA(xc, VSET1(-1.904654212e-09f), NN__K(vplo)(xc, ln2, h)), VSET1(1.0f));
}

/* ln(2^e (1 + m)) without the e ln2 high part, for 1 + m in [sqrt(1/2), sqrt(2)): Cephes' degree-8 polynomial
   (< 1 ulp with ln2 in two parts); k2 is the low part of ln2, or 0 for ln(1 + m) alone. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vlogp)(NN__VF e, NN__VF m, float k2) {
  NN__VF z = VMUL(m, m), y = VSET1(7.0376836292e-2f);
  y = VFMA(y, m, VSET1(-1.1514610310e-1f));
  y = VFMA(y, m, VSET1(1.1676998740e-1f));
  y = VFMA(y, m, VSET1(-1.2420140846e-1f));
  y = VFMA(y, m, VSET1(1.4249322787e-1f));
  y = VFMA(y, m, VSET1(-1.6668057665e-1f));
  y = VFMA(y, m, VSET1(2.0000714765e-1f));
  y = VFMA(y, m, VSET1(-2.4999993993e-1f));
  y = VFMA(y, m, VSET1(3.3333331174e-1f));
  y = VMUL(VMUL(y, m), z);
  y = VFMA(e, VSET1(k2), y);
  y = VFNMA(VSET1(0.5f), z, y);
  return VADD(m, y);
}

/* ln x (kind 0), log2 x (1), log10 x (2), ln(1 + x) (3). u = x (log1p: 1 + x rounded, with c = x - (u - 1) its
   rounding error, exact) = 2^e (1 + f), 1 + f in [sqrt(1/2), sqrt(2)), f = m - 1 exactly (log1p: + c 2^-e); t =
   ln(1 + f) from vlogp; ln: e ln2 + t; log2: e + t log2(e); log10: e log10(2) + t log10(e) (constants in two parts).
   Denormals are scaled by 2^23 first; u = 0 -> -inf, u < 0 -> NaN, inf -> inf; log1p keeps the sign of x (-0). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vlogk)(NN__VF x, int kind) {
  const NN__VF one = VSET1(1.0f);
  NN__VF u = kind == 3 ? VADD(one, x) : x, xs, eoff = VZERO(), e, m, r;
  NN__VI bits;
  NN__VM lo;
  int fast = MALL(MAND(VGE(u, VSET1(FLT_MIN)), VLE(u, VSET1(FLT_MAX))));
  xs = u;
  if (!fast) { /* (u is never a denormal for log1p) */
    NN__VM den = VLT(u, VSET1(FLT_MIN));
    xs = VSEL(den, VMUL(u, VSET1(8388608.0f)), u);
    eoff = VSEL(den, VSET1(23.0f), VZERO());
  }
  bits = VI_F(xs);
  e = VSUB(VCVTI(VISUB(VISRL(bits, 23), VISET1(126))), eoff);
  m = VF_I(VIOR(VIAND(bits, VISET1(0x007fffff)), VISET1(0x3f000000))); /* [0.5, 1) */
  lo = VLT(m, VSET1(0.707106781186547524f));
  e = VSUB(e, VSEL(lo, one, VZERO()));
  if (kind == 3) { /* c 2^-e, 2^-e from the exponent bits: 2^(1 - e0) is 0 for u >= 2^127, where c = 0 */
    NN__VF sc = VF_I(VISLL(VISUB(VISET1(254), VISRL(bits, 23)), 23));
    NN__VF c = VMUL(VSUB(x, VSUB(u, one)), VMUL(sc, VSEL(lo, one, VSET1(0.5f))));
    m = VADD(VSUB(VADD(m, VSEL(lo, m, VZERO())), one), c);
  } else {
    m = VSUB(VADD(m, VSEL(lo, m, VZERO())), one);
  }
  r = NN__K(vlogp)(e, m, kind == 1 || kind == 2 ? 0.0f : -2.12194440e-4f);
  if (kind == 1) r = VFMA(r, VSET1(1.442695022e+00f), VFMA(r, VSET1(1.925963034e-08f), e));
  else if (kind == 2) r = VFMA(e, VSET1(0.301025390625f), VFMA(r, VSET1(4.342944920e-01f), VFMA(r, VSET1(-1.010304995e-08f), VMUL(e, VSET1(4.605039067e-06f)))));
  else r = VFMA(e, VSET1(0.693359375f), r);
  if (!fast) {
    r = VSEL(VEQ(u, VZERO()), VSET1(-INFINITY), r);
    r = VSEL(VLT(u, VZERO()), VSET1(NAN), r);
    r = VSEL(VEQ(u, VSET1(INFINITY)), u, r);
    r = VSEL(VUNORD(u, u), VADD(u, u), r);
  }
  return kind == 3 ? VOR(r, VAND(x, VSET1(-0.0f))) : r;
}

/* ln x, without the branches of the family */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vlog)(NN__VF x) { return NN__K(vlogk)(x, 0); }

/* tanh x = -m / (2 + m) with m = e^{-2|x|} - 1 = 2^n (e^r - 1) + (2^n - 1) (no cancellation), given x's sign.
   One formula for every |x|: no branch between a polynomial and an exp form. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vtanh)(NN__VF x) {
  const NN__VF sign = VSET1(-0.0f), one = VSET1(1.0f);
  NN__VF y = VMAXX(VSET1(-20.0f), VMUL(VANDNOT(sign, x), VSET1(-2.0f))); /* a NaN stays NaN (the second operand wins) */
  NN__VF t, r = NN__K(vred)(y, &t), s = NN__K(vpow2i)(NN__TN(t)); /* 2^n, n in [-29, 0] */
  NN__VF m = VFMA(s, NN__K(vexpm1r)(r), VSUB(s, one));                 /* e^y - 1 */
  r = VDIV(VSUB(VZERO(), m), VADD(VSET1(2.0f), m));                    /* >= +0, or NaN */
  return VOR(r, VAND(x, sign));
}

/* 1 / (1 + e^-x), as e/(1+e) with e = e^x for x < 0 so that tiny results keep their precision. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vsigmoid)(NN__VF x) {
  const NN__VF one = VSET1(1.0f);
  NN__VF e = NN__K(vexp)(VOR(x, VSET1(-0.0f))); /* e^{-|x|} */
  return VDIV(VSEL(VLT(x, VZERO()), e, one), VADD(one, e));
}

/* e^x - 1: x = n ln2 + r, e^x - 1 = 2^n (e^r - 1) + (2^n - 1) with e^r - 1 = r + r^2 p(r), one fused rounding. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vexpm1)(NN__VF x) {
  NN__VF t, r = NN__K(vred)(VMINX(VMAXX(x, VSET1(-18.0f)), VSET1(17.0f)), &t), s = NN__K(vpow2i)(NN__TN(t));
  NN__VF res = VFMA(s, NN__K(vexpm1r)(r), VSUB(s, VSET1(1.0f)));
  NN__VM big = VGT(x, VSET1(17.0f));
  if (MANY(big)) res = VSEL(big, NN__K(vexp)(x), res);
  res = VSEL(VEQ(x, VZERO()), x, res);
  return VSEL(VUNORD(x, x), VADD(x, x), res);
}

/* h e^(a^2) erfc(a) for a in [0, 10.3]: h (1 + p(q)) / d with d = 1 + 2a (from the caller, rounded once), q =
   (a - 2) / (a + 2) and p of degree 9 (the method of M. M. Shepherd and J. G. Laframboise, Math. Comp. 36 (1981)
   249-253; coefficients fitted for float, relative error 2.4e-8 before rounding). */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(verfcx)(NN__VF a, NN__VF h, NN__VF d) {
  const NN__VF two = VSET1(2.0f);
  NN__VF q = VDIV(VSUB(a, two), VADD(a, two)), p = VSET1(-3.961065377e-04f);
  p = VFMA(p, q, VSET1(-1.222339692e-03f));
  p = VFMA(p, q, VSET1(1.312571578e-03f));
  p = VFMA(p, q, VSET1(8.625355549e-03f));
  p = VFMA(p, q, VSET1(-8.060889319e-03f));
  p = VFMA(p, q, VSET1(-5.420261994e-02f));
  p = VFMA(p, q, VSET1(1.640556604e-01f));
  p = VFMA(p, q, VSET1(-1.660315692e-01f));
  p = VFMA(p, q, VSET1(-9.276399761e-02f));
  p = VFMA(p, q, VSET1(2.769784033e-01f));
  return VDIV(VFMA(p, h, h), d);
}

/* erf (gelu = 0) and gelu (gelu = 1), one body. With a = min(|x|, lim) and E = m e^(-k a^2) erfcx(a sqrt(k)) (a^2
   split exactly in two parts, so e^(-k a^2) keeps full precision):
     erf:  |x| < 1: x + x P(x^2) (P of degree 6, fitted, relative error 2.5e-9); else sign(x) (1 - E), k = 1, m = 1,
           lim = 4 (erf = 1 beyond 3.92).
     gelu: x Phi(x) = x - E for x > 0 and E for x <= 0, E = x Phi(-|x|), k = 1/2, m = x/2, lim = 14.5 (beyond it
           x Phi(-|x|) is below the smallest denormal); -inf gives NaN like torch's formula. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(verfg)(NN__VF x, int gelu) {
  const NN__VF sign = VSET1(-0.0f), one = VSET1(1.0f), ks = VSET1(gelu ? -0.5f : -1.0f);
  NN__VF ax = VANDNOT(sign, x), y = x, a, s, sl, m;
  if (!gelu) {
    NN__VF t = VMUL(x, x), p = VSET1(7.853857824e-05f);
    p = VFMA(p, t, VSET1(-8.010192541e-04f));
    p = VFMA(p, t, VSET1(5.188327748e-03f));
    p = VFMA(p, t, VSET1(-2.685381286e-02f));
    p = VFMA(p, t, VSET1(1.128358543e-01f));
    p = VFMA(p, t, VSET1(-3.761262596e-01f));
    p = VFMA(p, t, VSET1(1.283791661e-01f));
    y = VFMA(x, p, x);
    if (MALL(VLT(ax, one))) return y;
  }
  a = VMINX(VSET1(gelu ? 14.5f : 4.0f), ax); /* a NaN stays NaN */
  s = VMUL(a, a);
  sl = NN__K(vplo)(a, a, s);
  m = gelu ? NN__K(verfcx)(VMUL(a, VSET1(0.7071067690849304f)), VMUL(VOR(a, VAND(x, sign)), VSET1(0.5f)),
                           VFMA(a, VSET1(1.41421354f), one))
           : NN__K(verfcx)(a, one, VFMA(a, VSET1(2.0f), one));
  m = NN__K(vexpx)(VMUL(s, ks), VMUL(sl, ks), m);
  if (gelu) {
    y = VSEL(VLE(x, VZERO()), m, VSUB(x, m));
    return VSEL(VEQ(x, VSET1(-INFINITY)), VSET1(NAN), y);
  }
  return VSEL(VLT(ax, one), y, VOR(VSUB(one, m), VAND(x, sign)));
}

/* x sigmoid(v) for v = x (silu) or v = x (A + B x^2) = 2 sqrt(2/pi) (x + 0.044715 x^3) (gelu_tanh: 0.5 x (1 +
   tanh(v/2)), torch's constants). x / (1 + e^-v) for x >= 0, x e^v / (1 + e^v) for x < 0, with m e^v from vexpx so
   that tiny results round once. For gelu_tanh, |v| (up to ~100 where the result is not 0) is computed in two parts
   (A, B and the products exact to ~2^-40), because an error d in v is an error of about |v| d in the result. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(vxsig)(NN__VF x, int gt) {
  const NN__VF sign = VSET1(-0.0f), one = VSET1(1.0f);
  NN__VF vh = VANDNOT(sign, x), vl = VZERO(), e, xe, r;
  if (gt) {
    const NN__VF ah = VSET1(1.595769167e+00f), bh = VSET1(7.135481387e-02f);
    NN__VF a = VMINX(VSET1(12.0f), vh), s = VMUL(a, a), sl = NN__K(vplo)(a, a, s), b = VMUL(s, bh), w;
    NN__VF bl = VADD(NN__K(vplo)(s, bh, b), VFMA(s, VSET1(2.398832466e-09f), VMUL(sl, bh)));
    w = VADD(ah, b); /* w + wl = A + B a^2; both terms >= 0: Fast2Sum with the larger first */
    bl = VADD(VADD(VSUB(VMAXX(ah, b), w), VMINX(ah, b)), VADD(VSET1(-4.534068054e-08f), bl));
    vh = VMUL(a, w);
    vl = VFMA(a, bl, NN__K(vplo)(a, w, vh));
  }
  vh = VXOR(vh, sign); /* -|v| */
  vl = VXOR(vl, sign);
  e = NN__K(vexpx)(vh, vl, one);
  xe = NN__K(vexpx)(vh, vl, VMAXX(VSET1(-120.0f), x)); /* x e^v underflows for x < -120 (and |v| >= 120) */
  r = VDIV(VSEL(VLT(x, VZERO()), xe, x), VADD(one, e));
  return VSEL(VEQ(x, VSET1(-INFINITY)), VSET1(NAN), r);
}


/* ---- elementwise helpers with the scalar rows' exact semantics ---- */

NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fadd)(NN__VF a, NN__VF b) { return VADD(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsub)(NN__VF a, NN__VF b) { return VSUB(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fmul)(NN__VF a, NN__VF b) { return VMUL(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fdiv)(NN__VF a, NN__VF b) { return VDIV(a, b); }
/* (a != a || a > b) ? a : b, and the same with < */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fmax)(NN__VF a, NN__VF b) { return VSEL(VUNORD(a, a), a, VMAXX(a, b)); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fmin)(NN__VF a, NN__VF b) { return VSEL(VUNORD(a, a), a, VMINX(a, b)); }

NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fneg)(NN__VF x) { return VXOR(x, VSET1(-0.0f)); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fabs)(NN__VF x) { return VANDNOT(VSET1(-0.0f), x); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsquare)(NN__VF x) { return VMUL(x, x); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(frelu)(NN__VF x) { return VSEL(MOR(VGT(x, VZERO()), VUNORD(x, x)), x, VZERO()); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsign)(NN__VF x) {
  return VSEL(VGT(x, VZERO()), VSET1(1.0f), VSEL(VLT(x, VZERO()), VSET1(-1.0f), x));
}
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fsqrt)(NN__VF x) { return VSQRT(x); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(frsqrt)(NN__VF x) { return VDIV(VSET1(1.0f), VSQRT(x)); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(frecip)(NN__VF x) { return VDIV(VSET1(1.0f), x); }
#if NN__HAS_ROUND
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fround)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_NEAREST_INT); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(ffloor)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_NEG_INF); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fceil)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_POS_INF); }
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(ftrunc)(NN__VF x) { return VROUND(x, _MM_FROUND_TO_ZERO); }
#endif

/* ---- kernels ---- */

NN__F32_BIN(add_f32, NN__K(fadd))
NN__F32_BIN(sub_f32, NN__K(fsub))
NN__F32_BIN(mul_f32, NN__K(fmul))
NN__F32_BIN(div_f32, NN__K(fdiv))
NN__F32_BIN(max_f32, NN__K(fmax))
NN__F32_BIN(min_f32, NN__K(fmin))

/* Comparisons (bool bytes out): one body for the six predicates and three layouts. */
NN__TGT NN__ALWAYS_INLINE NN__VM NN__K(fcmp)(NN__VF a, NN__VF b, int op) {
  switch (op) {
    case NN_OP_EQ: return VEQ(a, b);
    case NN_OP_NE: return VNEQ(a, b);
    case NN_OP_LT: return VLT(a, b);
    case NN_OP_LE: return VLE(a, b);
    case NN_OP_GT: return VGT(a, b);
    default: return VGE(a, b);
  }
}
NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(cmp_f32)(int64_t n, uint8_t *o, const float *a,
                                                                   const float *b, int mode, int op) {
  const NN__VF sa = VSET1(a[0]), sb = VSET1(b[0]);
  const int va = mode != NN__SV, vb = mode != NN__VS;
  int64_t i, m;
  for (i = 0; i < n; i += m) {
    m = n - i < NN__W ? n - i : NN__W;
    VSTOREB(o + i, NN__K(fcmp)(va ? NN__K(ldm)(a + i, m) : sa, vb ? NN__K(ldm)(b + i, m) : sb, op), m);
  }
}
#define NN__F32_CMPK(NAME, OP)                                                                         \
  NN__PRIVATE NN__TGT void NN__K(NAME##_vv)(int64_t n, void *po, const void *pa, const void *pb) {     \
    if (n > 0) NN__K(cmp_f32)(n, (uint8_t *)po, (const float *)pa, (const float *)pb, NN__VV, OP);     \
  }                                                                                                    \
  NN__PRIVATE NN__TGT void NN__K(NAME##_vs)(int64_t n, void *po, const void *pa, const void *pb) {     \
    if (n > 0) NN__K(cmp_f32)(n, (uint8_t *)po, (const float *)pa, (const float *)pb, NN__VS, OP);     \
  }                                                                                                    \
  NN__PRIVATE NN__TGT void NN__K(NAME##_sv)(int64_t n, void *po, const void *pa, const void *pb) {     \
    if (n > 0) NN__K(cmp_f32)(n, (uint8_t *)po, (const float *)pa, (const float *)pb, NN__SV, OP);     \
  }
NN__F32_CMPK(eq_f32, NN_OP_EQ)
NN__F32_CMPK(ne_f32, NN_OP_NE)
NN__F32_CMPK(lt_f32, NN_OP_LT)
NN__F32_CMPK(le_f32, NN_OP_LE)
NN__F32_CMPK(gt_f32, NN_OP_GT)
NN__F32_CMPK(ge_f32, NN_OP_GE)
#undef NN__F32_CMPK

NN__F32_UN(neg_f32, NN__K(fneg), NN__F32_MAP)
NN__F32_UN(abs_f32, NN__K(fabs), NN__F32_MAP)
NN__F32_UN(sign_f32, NN__K(fsign), NN__F32_MAP)
NN__F32_UN(square_f32, NN__K(fsquare), NN__F32_MAP)
NN__F32_UN(relu_f32, NN__K(frelu), NN__F32_MAP)
NN__F32_UN(sqrt_f32, NN__K(fsqrt), NN__F32_MAP)
NN__F32_UN(rsqrt_f32, NN__K(frsqrt), NN__F32_MAP)
NN__F32_UN(recip_f32, NN__K(frecip), NN__F32_MAP)
NN__F32_UN(expm1_f32, NN__K(vexpm1), NN__F32_MAP1)
NN__F32_UN(tanh_f32, NN__K(vtanh), NN__F32_MAP1)
NN__F32_UN(sigmoid_f32, NN__K(vsigmoid), NN__F32_MAP1)
NN__F32_UN(exp_f32, NN__K(vexp), NN__F32_MAP1)
NN__F32_UN(exp2_f32, NN__K(vexp2), NN__F32_MAP1)
NN__F32_UN(log_f32, NN__K(vlog), NN__F32_MAP1)
/* families with one body each: log2/log10/log1p, erf/gelu, silu/gelu_tanh */
NN__F32_UNK(log_any, NN__K(vlogk))
NN__F32_UNK(erf_any, NN__K(verfg))
NN__F32_UNK(xsig_any, NN__K(vxsig))

/* softplus (k = 0) = max(x, 0) + log1p(e^-|x|), equal to x for x > 20 in float (torch's threshold changes nothing),
   and log_sigmoid (k = 1) = -softplus(-x), by blocks that stay in L1: e^-|x|, then the log1p body (not streamed),
   then the sum (+ 0: log_sigmoid(inf) = +0 like torch). */
NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(softplus_any)(int64_t n, float *o, const float *x, int k) {
  const NN__VF sg = VSET1(k ? -0.0f : 0.0f), neg = VSET1(-0.0f);
  float b[1024];
  int64_t j, bn;
  for (j = 0; j < n; j += bn) {
    const float *xj = x + j;
    bn = n - j < 1024 ? n - j : 1024;
    NN__F32_MAP1(b, bn, 0, NN__K(vexp)(VOR(NN__K(ldm)(xj + nn_i, nn_m), neg)));
    NN__K(log_any)(bn, b, b, 3 | NN__NOSTREAM);
    NN__F32_MAP1(o + j, bn, 1, VADD(VXOR(VADD(VMAXX(VZERO(), VXOR(NN__K(ldm)(xj + nn_i, nn_m), sg)),
                                              NN__K(ldm)(b + nn_i, nn_m)), sg), VZERO()));
  }
}
NN__F32_UNE(log2_f32, log_any, 1)
NN__F32_UNE(log10_f32, log_any, 2)
NN__F32_UNE(log1p_f32, log_any, 3)
NN__F32_UNE(erf_f32, erf_any, 0)
NN__F32_UNE(gelu_f32, erf_any, 1)
NN__F32_UNE(silu_f32, xsig_any, 0)
NN__F32_UNE(gelu_tanh_f32, xsig_any, 1)
NN__F32_UNE(softplus_f32, softplus_any, 0)
NN__F32_UNE(log_sigmoid_f32, softplus_any, 1)
#if NN__HAS_ROUND
NN__F32_UN(round_f32, NN__K(fround), NN__F32_MAP)
NN__F32_UN(floor_f32, NN__K(ffloor), NN__F32_MAP)
NN__F32_UN(ceil_f32, NN__K(fceil), NN__F32_MAP)
NN__F32_UN(trunc_f32, NN__K(ftrunc), NN__F32_MAP)
#endif

/* x ** c for one exponent c: 2, 0.5, 1 and -1 in vector form (correctly rounded, C's pow special cases), any other
   exponent through the scalar row. */
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fpowhalf)(NN__VF x) {
  NN__VF r = VSQRT(x);
  r = VSEL(VEQ(x, VSET1(-INFINITY)), VSET1(INFINITY), r);
  return VSEL(VEQ(x, VZERO()), VZERO(), r); /* pow(-0, 0.5) = +0 */
}
NN__TGT NN__ALWAYS_INLINE NN__VF NN__K(fone)(NN__VF x) { return VMUL(x, VSET1(1.0f)); }
NN__PRIVATE NN__TGT void NN__K(pow_f32_vs)(int64_t n, void *po, const void *pa, const void *pb) {
  float *o = (float *)po;
  const float *a = (const float *)pa;
  const float c = *(const float *)pb;
  if (c == 2.0f) {
    NN__F32_MAP(o, n, 1, NN__K(fsquare)(NN__K(ldm)(a + nn_i, nn_m)));
  } else if (c == 0.5f) {
    NN__F32_MAP(o, n, 1, NN__K(fpowhalf)(NN__K(ldm)(a + nn_i, nn_m)));
  } else if (c == 1.0f) {
    NN__F32_MAP(o, n, 1, NN__K(fone)(NN__K(ldm)(a + nn_i, nn_m)));
  } else if (c == -1.0f) {
    NN__F32_MAP(o, n, 1, NN__K(frecip)(NN__K(ldm)(a + nn_i, nn_m)));
  } else {
    char *p[3];
    int64_t st[3] = {1, 1, 0};
    p[0] = (char *)po;
    p[1] = (char *)pa;
    p[2] = (char *)pb;
    nn__pow_f32(n, p, st, NULL);
  }
}

/* o = a + alpha * b (one fused rounding) */
NN__PRIVATE NN__TGT void NN__K(add_scaled_f32)(int64_t n, float *o, const float *a, const float *b, float alpha) {
  const NN__VF al = VSET1(alpha);
  NN__F32_MAP(o, n, 1, VFMA(NN__K(ldm)(b + nn_i, nn_m), al, NN__K(ldm)(a + nn_i, nn_m)));
}

/* o = alpha * x + beta (one fused rounding) */
NN__PRIVATE NN__TGT void NN__K(affine_f32)(int64_t n, float *o, const float *x, float alpha, float beta) {
  const NN__VF al = VSET1(alpha), be = VSET1(beta);
  NN__F32_MAP(o, n, 1, VFMA(NN__K(ldm)(x + nn_i, nn_m), al, be));
}

/* acc += x; never streamed: acc is read again soon. */
NN__PRIVATE NN__TGT void NN__K(acc_add_f32)(int64_t n, float *acc, const float *x) {
  NN__F32_MAP(acc, n, 0, VADD(NN__K(ldm)(acc + nn_i, nn_m), NN__K(ldm)(x + nn_i, nn_m)));
}

/* Sum: blocks of 128 vectors go through 8 float accumulators (16 values per lane and block, like NumPy's pairwise
   blocks); block sums are added in double. */
NN__PRIVATE NN__TGT float NN__K(sum_f32)(int64_t n, const float *x) {
  double total = 0.0;
  int64_t i = 0;
  while (i < n) {
    int64_t m = n - i < 128 * NN__W ? n - i : 128 * NN__W, j = 0;
    const float *p = x + i;
    NN__VF a0 = VZERO(), a1 = VZERO(), a2 = VZERO(), a3 = VZERO();
    NN__VF a4 = VZERO(), a5 = VZERO(), a6 = VZERO(), a7 = VZERO();
    for (; j + 8 * NN__W <= m; j += 8 * NN__W) {
      a0 = VADD(a0, VLOAD(p + j));
      a1 = VADD(a1, VLOAD(p + j + NN__W));
      a2 = VADD(a2, VLOAD(p + j + 2 * NN__W));
      a3 = VADD(a3, VLOAD(p + j + 3 * NN__W));
      a4 = VADD(a4, VLOAD(p + j + 4 * NN__W));
      a5 = VADD(a5, VLOAD(p + j + 5 * NN__W));
      a6 = VADD(a6, VLOAD(p + j + 6 * NN__W));
      a7 = VADD(a7, VLOAD(p + j + 7 * NN__W));
    }
    for (; j + NN__W <= m; j += NN__W) a0 = VADD(a0, VLOAD(p + j));
    if (j < m) a1 = VADD(a1, VLOADN(p + j, m - j, VZERO()));
    a0 = VADD(VADD(VADD(a0, a1), VADD(a2, a3)), VADD(VADD(a4, a5), VADD(a6, a7)));
    total += (double)VHSUM(a0);
    i += m;
  }
  return (float)total;
}

/* NaN-propagating max / min: the first NaN in x if there is one; -inf / +inf for n == 0. */
#define NN__F32_MINMAX(NAME, VOP, INIT, BETTER)                                               \
  NN__PRIVATE NN__TGT float NN__K(NAME)(int64_t n, const float *x) {                          \
    const NN__VF init = VSET1(INIT);                                                          \
    NN__VF m0 = init, m1 = init, m2 = init, m3 = init, v0, v1, v2, v3;                        \
    NN__VM bad = MZERO();                                                                     \
    float lanes[NN__W], r;                                                                    \
    int64_t i = 0;                                                                            \
    int k;                                                                                    \
    for (; i + 4 * NN__W <= n; i += 4 * NN__W) {                                              \
      v0 = VLOAD(x + i);                                                                      \
      v1 = VLOAD(x + i + NN__W);                                                              \
      v2 = VLOAD(x + i + 2 * NN__W);                                                          \
      v3 = VLOAD(x + i + 3 * NN__W);                                                          \
      bad = MOR(bad, MOR(VUNORD(v0, v1), VUNORD(v2, v3)));                                    \
      m0 = VOP(v0, m0);                                                                       \
      m1 = VOP(v1, m1);                                                                       \
      m2 = VOP(v2, m2);                                                                       \
      m3 = VOP(v3, m3);                                                                       \
    }                                                                                         \
    for (; i + NN__W <= n; i += NN__W) {                                                      \
      v0 = VLOAD(x + i);                                                                      \
      bad = MOR(bad, VUNORD(v0, v0));                                                         \
      m0 = VOP(v0, m0);                                                                       \
    }                                                                                         \
    if (i < n) {                                                                              \
      v0 = VLOADN(x + i, n - i, init);                                                        \
      bad = MOR(bad, VUNORD(v0, v0));                                                         \
      m0 = VOP(v0, m0);                                                                       \
    }                                                                                         \
    if (MANY(bad))                                                                            \
      for (i = 0; i < n; i++)                                                                 \
        if (x[i] != x[i]) return x[i];                                                        \
    VSTORE(lanes, VOP(VOP(m0, m1), VOP(m2, m3)));                                             \
    r = lanes[0];                                                                             \
    for (k = 1; k < NN__W; k++) r = lanes[k] BETTER r ? lanes[k] : r;                         \
    return r;                                                                                 \
  }
NN__F32_MINMAX(maxr_f32, VMAXX, -INFINITY, >)
NN__F32_MINMAX(minr_f32, VMINX, INFINITY, <)
#undef NN__F32_MINMAX

/* sum of e^(x - m) over n values, also stored to o when o is not NULL. Blocks of 32 vectors go through a float
   accumulator (32 values per lane) and block sums are added in double, so long rows keep their precision. */
NN__PRIVATE NN__TGT __attribute__((noinline)) double NN__K(expsum_f32)(int64_t n, float *o, const float *x, float mx) {
  const NN__VF vm = VSET1(mx);
  double total = 0.0;
  int64_t i = 0;
  while (i < n) {
    int64_t end = n - i < 32 * NN__W ? n : i + 32 * NN__W;
    NN__VF s0 = VZERO(), s1 = VZERO(), e;
    for (; i + NN__W <= end; i += NN__W) {
      e = NN__K(vexp)(VSUB(VLOAD(x + i), vm));
      if (o) VSTORE(o + i, e);
      s0 = VADD(s0, e);
    }
    if (i < end) {
      e = NN__K(vexp)(VSUB(VLOADN(x + i, end - i, VSET1(-INFINITY)), vm)); /* padding lanes: e^-inf = 0 */
      if (o) VSTOREN(o + i, e, end - i);
      s1 = VADD(s1, e);
      i = end;
    }
    total += (double)VHSUM(VADD(s0, s1));
  }
  return total;
}

/* softmax over n contiguous values: max, then e^(x - max) stored and summed, then scaled by 1/sum; NaN everywhere
   when the max is not finite (like scipy.special.softmax). o may equal x. */
NN__PRIVATE NN__TGT void NN__K(softmax_f32)(int64_t n, float *o, const float *x) {
  NN__VF inv;
  if (n <= 0) return;
  inv = VSET1((float)(1.0 / NN__K(expsum_f32)(n, o, x, NN__K(maxr_f32)(n, x))));
  NN__F32_MAP(o, n, 0, VMUL(NN__K(ldm)(o + nn_i, nn_m), inv));
}

/* log_softmax: (x - m) - log(sum e^(x - m)) with m the max, or 0 when the max is not finite (like
   scipy.special.log_softmax). o may equal x. */
NN__PRIVATE NN__TGT void NN__K(log_softmax_f32)(int64_t n, float *o, const float *x) {
  NN__VF vm, lse;
  float mx;
  if (n <= 0) return;
  mx = NN__K(maxr_f32)(n, x);
  mx = mx - mx == 0.0f ? mx : 0.0f;
  vm = VSET1(mx);
  lse = VSET1((float)log(NN__K(expsum_f32)(n, NULL, x, mx)));
  NN__F32_MAP(o, n, 0, VSUB(VSUB(NN__K(ldm)(x + nn_i, nn_m), vm), lse));
}

NN__PRIVATE void NN__K(install_f32)(nn__vec_table *t) {
  nn__vbin_fn(*b)[3] = t->bin[NN_FLOAT32];
  nn__vun_fn *u = t->un[NN_FLOAT32];
#define NN__SET_BIN(OP, NAME)        \
  b[OP][NN__VV] = NN__K(NAME##_vv); \
  b[OP][NN__VS] = NN__K(NAME##_vs); \
  b[OP][NN__SV] = NN__K(NAME##_sv);
  NN__SET_BIN(NN_OP_ADD, add_f32)
  NN__SET_BIN(NN_OP_SUB, sub_f32)
  NN__SET_BIN(NN_OP_MUL, mul_f32)
  NN__SET_BIN(NN_OP_DIV, div_f32)
  NN__SET_BIN(NN_OP_MAXIMUM, max_f32)
  NN__SET_BIN(NN_OP_MINIMUM, min_f32)
  NN__SET_BIN(NN_OP_EQ, eq_f32)
  NN__SET_BIN(NN_OP_NE, ne_f32)
  NN__SET_BIN(NN_OP_LT, lt_f32)
  NN__SET_BIN(NN_OP_LE, le_f32)
  NN__SET_BIN(NN_OP_GT, gt_f32)
  NN__SET_BIN(NN_OP_GE, ge_f32)
#undef NN__SET_BIN
  b[NN_OP_POW][NN__VS] = NN__K(pow_f32_vs);
  u[NN_OP_NEG] = NN__K(neg_f32);
  u[NN_OP_ABS] = NN__K(abs_f32);
  u[NN_OP_SIGN] = NN__K(sign_f32);
  u[NN_OP_SQUARE] = NN__K(square_f32);
  u[NN_OP_RELU] = NN__K(relu_f32);
  u[NN_OP_SQRT] = NN__K(sqrt_f32);
  u[NN_OP_RSQRT] = NN__K(rsqrt_f32);
  u[NN_OP_RECIPROCAL] = NN__K(recip_f32);
  u[NN_OP_EXP] = NN__K(exp_f32);
  u[NN_OP_EXP2] = NN__K(exp2_f32);
  u[NN_OP_EXPM1] = NN__K(expm1_f32);
  u[NN_OP_LOG] = NN__K(log_f32);
  u[NN_OP_LOG2] = NN__K(log2_f32);
  u[NN_OP_LOG10] = NN__K(log10_f32);
  u[NN_OP_LOG1P] = NN__K(log1p_f32);
  u[NN_OP_TANH] = NN__K(tanh_f32);
  u[NN_OP_SIGMOID] = NN__K(sigmoid_f32);
  u[NN_OP_ERF] = NN__K(erf_f32);
  u[NN_OP_GELU] = NN__K(gelu_f32);
  u[NN_OP_GELU_TANH] = NN__K(gelu_tanh_f32);
  u[NN_OP_SILU] = NN__K(silu_f32);
  u[NN_OP_SOFTPLUS] = NN__K(softplus_f32);
  u[NN_OP_LOG_SIGMOID] = NN__K(log_sigmoid_f32);
#if NN__HAS_ROUND
  u[NN_OP_ROUND] = NN__K(round_f32);
  u[NN_OP_FLOOR] = NN__K(floor_f32);
  u[NN_OP_CEIL] = NN__K(ceil_f32);
  u[NN_OP_TRUNC] = NN__K(trunc_f32);
#endif
  t->add_scaled_f32 = NN__K(add_scaled_f32);
  t->affine_f32 = NN__K(affine_f32);
  t->acc_add_f32 = NN__K(acc_add_f32);
  t->sum_f32 = NN__K(sum_f32);
  t->max_f32 = NN__K(maxr_f32);
  t->min_f32 = NN__K(minr_f32);
  t->softmax_f32 = NN__K(softmax_f32);
  t->log_softmax_f32 = NN__K(log_softmax_f32);
}
/* ---- end src/kernels/simd_f32.inc ---- */
/* ---- begin src/kernels/simd_f64.inc ---- */
/* kernels/simd_f64.inc: float64 vector kernels (arithmetic, simple unary ops, sum), included once per instruction
   set like kernels/simd_f32.inc. */

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(ldmd)(const double *p, int64_t m) {
  return m == NN__WD ? VDLOAD(p) : VDLOADN(p, m, VDSET1(0.0));
}
NN__TGT NN__ALWAYS_INLINE void NN__K(stmd)(double *p, NN__VD v, int64_t m, int nt) {
  if (m != NN__WD) VDSTOREN(p, v, m);
  else if (nt) VDSTREAM(p, v);
  else VDSTORE(p, v);
}

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dadd)(NN__VD a, NN__VD b) { return VDADD(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsub)(NN__VD a, NN__VD b) { return VDSUB(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dmul)(NN__VD a, NN__VD b) { return VDMUL(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(ddiv)(NN__VD a, NN__VD b) { return VDDIV(a, b); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dmax)(NN__VD a, NN__VD b) { return VDSEL(VDUNORD(a, a), a, VDMAXX(a, b)); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dmin)(NN__VD a, NN__VD b) { return VDSEL(VDUNORD(a, a), a, VDMINX(a, b)); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dneg)(NN__VD x) { return VDXOR(x, VDSET1(-0.0)); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dabs)(NN__VD x) { return VDANDNOT(VDSET1(-0.0), x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsquare)(NN__VD x) { return VDMUL(x, x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsqrt)(NN__VD x) { return VDSQRT(x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(drecip)(NN__VD x) { return VDDIV(VDSET1(1.0), x); }
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(drelu)(NN__VD x) {
  return VDSEL(MDOR(VDGT(x, VDSET1(0.0)), VDUNORD(x, x)), x, VDSET1(0.0));
}

/* ---- float64 vector math: exp, log, tanh, sigmoid (lanes outside the fast range go through the C library) ---- */

/* f applied lane by lane through the C library (the rare lanes: huge, tiny, inf, NaN). */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dlibm)(NN__VD x, double (*f)(double)) {
  double b[NN__WD];
  int k;
  VDSTORE(b, x);
  for (k = 0; k < NN__WD; k++) b[k] = f(b[k]);
  return VDLOAD(b);
}

/* e^r - 1 for |r| <= ln2/2: r + r^2 q(r), q the Taylor series of (e^r - 1 - r)/r^2 to r^11 (error < 0.01 ulp). */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dexpm1_r)(NN__VD r) {
  NN__VD q = VDSET1(1.0 / 6227020800.0);
  q = VDFMA(q, r, VDSET1(1.0 / 479001600.0));
  q = VDFMA(q, r, VDSET1(1.0 / 39916800.0));
  q = VDFMA(q, r, VDSET1(1.0 / 3628800.0));
  q = VDFMA(q, r, VDSET1(1.0 / 362880.0));
  q = VDFMA(q, r, VDSET1(1.0 / 40320.0));
  q = VDFMA(q, r, VDSET1(1.0 / 5040.0));
  q = VDFMA(q, r, VDSET1(1.0 / 720.0));
  q = VDFMA(q, r, VDSET1(1.0 / 120.0));
  q = VDFMA(q, r, VDSET1(1.0 / 24.0));
  q = VDFMA(q, r, VDSET1(1.0 / 6.0));
  q = VDFMA(q, r, VDSET1(0.5));
  return VDFMA(VDMUL(r, r), q, r);
}

/* x = n ln2 + r (ln2 in fdlibm's two parts); returns r and n as the integer bits of *t - magic. */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dreduce)(NN__VD x, NN__VDI *n) {
  const NN__VD magic = VDSET1(6755399441055744.0); /* 1.5 * 2^52 */
  NN__VD t = VDFMA(x, VDSET1(1.4426950408889634074), magic);
  NN__VD nf = VDSUB(t, magic);
  NN__VD r = VDFNMA(nf, VDSET1(6.93147180369123816490e-01), x);
  *n = VDISUB(VDI_D(t), VDI_D(magic));
  return VDFNMA(nf, VDSET1(1.90821492927058770002e-10), r);
}

/* 2^n for integer n in [-1022, 1023] */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dpow2)(NN__VDI n) { return VD_DI(VDISLL(VDIADD(n, VDISET1(1023)), 52)); }

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dexp)(NN__VD x) {
  NN__VDI n;
  NN__VD r, p;
  if (!MDALL(VDLE(VDANDNOT(VDSET1(-0.0), x), VDSET1(708.0)))) return NN__K(dlibm)(x, exp);
  r = NN__K(dreduce)(x, &n);
  p = VDADD(NN__K(dexpm1_r)(r), VDSET1(1.0));
  return VDMUL(p, NN__K(dpow2)(n));
}

/* ln x by fdlibm's method: x = 2^k m, m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f), ln(1 + f) from s. */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dlog)(NN__VD x) {
  const NN__VD one = VDSET1(1.0);
  NN__VDI bits = VDI_D(x);
  NN__VD k, m, f, s, z, w, t1, t2, hfsq;
  NN__VDM lo;
  if (!MDALL(MDAND(VDGE(x, VDSET1(DBL_MIN)), VDLE(x, VDSET1(DBL_MAX))))) return NN__K(dlibm)(x, log);
  /* the biased exponent as a double: its bits OR 2^52, minus 2^52 */
  k = VDSUB(VD_DI(VDIOR(VDISRL(bits, 52), VDISET1(0x4330000000000000LL))), VDSET1(4503599627370496.0 + 1022.0));
  m = VD_DI(VDIOR(VDIAND(bits, VDISET1(0x000fffffffffffffLL)), VDISET1(0x3fe0000000000000LL))); /* [0.5, 1) */
  lo = VDLT(m, VDSET1(0.70710678118654752440));
  k = VDSUB(k, VDSEL(lo, one, VDSET1(0.0)));
  m = VDADD(m, VDSEL(lo, m, VDSET1(0.0)));
  f = VDSUB(m, one);
  s = VDDIV(f, VDADD(VDSET1(2.0), f));
  z = VDMUL(s, s);
  w = VDMUL(z, z);
  t1 = VDMUL(w, VDFMA(w, VDFMA(w, VDSET1(1.531383769920937332e-01), VDSET1(2.222219843214978396e-01)),
                      VDSET1(3.999999999940941908e-01)));
  t2 = VDMUL(z, VDFMA(w, VDFMA(w, VDFMA(w, VDSET1(1.479819860511658591e-01), VDSET1(1.818357216161805012e-01)),
                               VDSET1(2.857142874366239149e-01)),
                      VDSET1(6.666666666666735130e-01)));
  hfsq = VDMUL(VDSET1(0.5), VDMUL(f, f));
  /* k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f) */
  w = VDFMA(s, VDADD(hfsq, VDADD(t2, t1)), VDMUL(k, VDSET1(1.90821492927058770002e-10)));
  return VDFMA(k, VDSET1(6.93147180369123816490e-01), VDSUB(f, VDSUB(hfsq, w)));
}

/* tanh x = -m / (2 + m), m = e^{-2|x|} - 1 = 2^n (e^r - 1) + (2^n - 1), with x's sign. */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dtanh)(NN__VD x) {
  const NN__VD sign = VDSET1(-0.0), one = VDSET1(1.0);
  NN__VD y = VDMAXX(VDMUL(VDANDNOT(sign, x), VDSET1(-2.0)), VDSET1(-40.0)), r, s, m;
  NN__VDI n;
  r = NN__K(dreduce)(y, &n);
  s = NN__K(dpow2)(n);
  m = VDFMA(s, NN__K(dexpm1_r)(r), VDSUB(s, one));
  r = VDDIV(VDSUB(VDSET1(0.0), m), VDADD(VDSET1(2.0), m)); /* >= +0 */
  r = VDXOR(r, VDAND(x, sign));
  return VDSEL(VDUNORD(x, x), VDADD(x, x), r);
}

NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dsigmoid)(NN__VD x) {
  const NN__VD one = VDSET1(1.0);
  NN__VD e = NN__K(dexp)(VDXOR(VDANDNOT(VDSET1(-0.0), x), VDSET1(-0.0))); /* e^{-|x|} */
  return VDDIV(VDSEL(VDLT(x, VDSET1(0.0)), e, one), VDADD(one, e));
}

NN__F64_BIN(add_f64, NN__K(dadd))
NN__F64_BIN(sub_f64, NN__K(dsub))
NN__F64_BIN(mul_f64, NN__K(dmul))
NN__F64_BIN(div_f64, NN__K(ddiv))
NN__F64_BIN(max_f64, NN__K(dmax))
NN__F64_BIN(min_f64, NN__K(dmin))
NN__F64_UN(neg_f64, NN__K(dneg), NN__F64_MAP)
NN__F64_UN(abs_f64, NN__K(dabs), NN__F64_MAP)
NN__F64_UN(square_f64, NN__K(dsquare), NN__F64_MAP)
NN__F64_UN(sqrt_f64, NN__K(dsqrt), NN__F64_MAP)
NN__F64_UN(recip_f64, NN__K(drecip), NN__F64_MAP)
NN__F64_UN(relu_f64, NN__K(drelu), NN__F64_MAP)
NN__F64_UN(exp_f64, NN__K(dexp), NN__F64_MAP1)
NN__F64_UN(log_f64, NN__K(dlog), NN__F64_MAP1)
NN__F64_UN(tanh_f64, NN__K(dtanh), NN__F64_MAP1)
NN__F64_UN(sigmoid_f64, NN__K(dsigmoid), NN__F64_MAP1)

/* x ** c for one exponent c (see pow_f32_vs). */
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(dpowhalf)(NN__VD x) {
  NN__VD r = VDSQRT(x);
  r = VDSEL(VDEQ(x, VDSET1(-INFINITY)), VDSET1(INFINITY), r);
  return VDSEL(VDEQ(x, VDSET1(0.0)), VDSET1(0.0), r);
}
NN__TGT NN__ALWAYS_INLINE NN__VD NN__K(done)(NN__VD x) { return VDMUL(x, VDSET1(1.0)); }
NN__PRIVATE NN__TGT void NN__K(pow_f64_vs)(int64_t n, void *po, const void *pa, const void *pb) {
  double *o = (double *)po;
  const double *a = (const double *)pa;
  const double c = *(const double *)pb;
  if (c == 2.0) {
    NN__F64_MAP(o, n, 1, NN__K(dsquare)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else if (c == 0.5) {
    NN__F64_MAP(o, n, 1, NN__K(dpowhalf)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else if (c == 1.0) {
    NN__F64_MAP(o, n, 1, NN__K(done)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else if (c == -1.0) {
    NN__F64_MAP(o, n, 1, NN__K(drecip)(NN__K(ldmd)(a + nn_i, nn_m)));
  } else {
    char *p[3];
    int64_t st[3] = {1, 1, 0};
    p[0] = (char *)po;
    p[1] = (char *)pa;
    p[2] = (char *)pb;
    nn__pow_f64(n, p, st, NULL);
  }
}

/* Sum: blocks of 64 vectors through 8 accumulators; block sums combined with Neumaier's compensation. */
NN__PRIVATE NN__TGT double NN__K(sum_f64)(int64_t n, const double *x) {
  double total = 0.0, comp = 0.0;
  int64_t i = 0;
  while (i < n) {
    int64_t m = n - i < 64 * NN__WD ? n - i : 64 * NN__WD, j = 0;
    const double *p = x + i;
    const NN__VD z = VDSET1(0.0);
    NN__VD a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
    double s, t;
    for (; j + 8 * NN__WD <= m; j += 8 * NN__WD) {
      a0 = VDADD(a0, VDLOAD(p + j));
      a1 = VDADD(a1, VDLOAD(p + j + NN__WD));
      a2 = VDADD(a2, VDLOAD(p + j + 2 * NN__WD));
      a3 = VDADD(a3, VDLOAD(p + j + 3 * NN__WD));
      a4 = VDADD(a4, VDLOAD(p + j + 4 * NN__WD));
      a5 = VDADD(a5, VDLOAD(p + j + 5 * NN__WD));
      a6 = VDADD(a6, VDLOAD(p + j + 6 * NN__WD));
      a7 = VDADD(a7, VDLOAD(p + j + 7 * NN__WD));
    }
    for (; j + NN__WD <= m; j += NN__WD) a0 = VDADD(a0, VDLOAD(p + j));
    if (j < m) a1 = VDADD(a1, VDLOADN(p + j, m - j, z));
    a0 = VDADD(VDADD(VDADD(a0, a1), VDADD(a2, a3)), VDADD(VDADD(a4, a5), VDADD(a6, a7)));
    s = VDHSUM(a0);
    t = total + s;
    if (fabs(total) >= fabs(s)) comp += (total - t) + s;
    else comp += (s - t) + total;
    total = t;
    i += m;
  }
  return total + comp;
}

NN__PRIVATE void NN__K(install_f64)(nn__vec_table *t) {
  nn__vbin_fn(*b)[3] = t->bin[NN_FLOAT64];
  nn__vun_fn *u = t->un[NN_FLOAT64];
#define NN__SET_BIN(OP, NAME)        \
  b[OP][NN__VV] = NN__K(NAME##_vv); \
  b[OP][NN__VS] = NN__K(NAME##_vs); \
  b[OP][NN__SV] = NN__K(NAME##_sv);
  NN__SET_BIN(NN_OP_ADD, add_f64)
  NN__SET_BIN(NN_OP_SUB, sub_f64)
  NN__SET_BIN(NN_OP_MUL, mul_f64)
  NN__SET_BIN(NN_OP_DIV, div_f64)
  NN__SET_BIN(NN_OP_MAXIMUM, max_f64)
  NN__SET_BIN(NN_OP_MINIMUM, min_f64)
#undef NN__SET_BIN
  b[NN_OP_POW][NN__VS] = NN__K(pow_f64_vs);
  u[NN_OP_NEG] = NN__K(neg_f64);
  u[NN_OP_ABS] = NN__K(abs_f64);
  u[NN_OP_SQUARE] = NN__K(square_f64);
  u[NN_OP_SQRT] = NN__K(sqrt_f64);
  u[NN_OP_RECIPROCAL] = NN__K(recip_f64);
  u[NN_OP_RELU] = NN__K(relu_f64);
  u[NN_OP_EXP] = NN__K(exp_f64);
  u[NN_OP_LOG] = NN__K(log_f64);
  u[NN_OP_TANH] = NN__K(tanh_f64);
  u[NN_OP_SIGMOID] = NN__K(sigmoid_f64);
  t->sum_f64 = NN__K(sum_f64);
}
/* ---- end src/kernels/simd_f64.inc ---- */
/* ---- begin src/kernels/simd_undef.inc ---- */
/* kernels/simd_undef.inc: forgets one instruction set's vector macros so that the next one can define them. */
#undef NN__ISA
#undef NN__TGT
#undef NN__W
#undef NN__VBYTES
#undef NN__HAS_NT
#undef NN__HAS_ROUND
#undef NN__HAS_FMA
#undef NN__VF
#undef NN__VI
#undef NN__VM
#undef VLOAD
#undef VSTORE
#undef VSTREAM
#undef VSFENCE
#undef VLOADN
#undef VSTOREN
#undef VSET1
#undef VZERO
#undef VADD
#undef VSUB
#undef VMUL
#undef VDIV
#undef VFMA
#undef VFNMA
#undef VMAXX
#undef VMINX
#undef VSQRT
#undef VAND
#undef VOR
#undef VXOR
#undef VANDNOT
#undef VLT
#undef VLE
#undef VGT
#undef VGE
#undef VEQ
#undef VNEQ
#undef VSTOREB
#undef VUNORD
#undef VSEL
#undef MAND
#undef MOR
#undef MNOT
#undef MZERO
#undef MANY
#undef MALL
#undef VI_F
#undef VF_I
#undef VIADD
#undef VISUB
#undef VISLL
#undef VISRA
#undef VISRL
#undef VISET1
#undef VIAND
#undef VIOR
#undef VCVTI
#undef VHSUM
#undef VROUND
#undef NN__WD
#undef NN__VD
#undef NN__VDM
#undef VDLOAD
#undef VDSTORE
#undef VDSTREAM
#undef VDLOADN
#undef VDSTOREN
#undef VDSET1
#undef VDADD
#undef VDSUB
#undef VDMUL
#undef VDDIV
#undef VDFMA
#undef VDSQRT
#undef VDAND
#undef VDXOR
#undef VDANDNOT
#undef VDGT
#undef VDLT
#undef VDEQ
#undef VDUNORD
#undef VDSEL
#undef VDMAXX
#undef VDMINX
#undef MDOR
#undef VDHSUM
#undef NN__VDI
#undef VDI_D
#undef VD_DI
#undef VDIADD
#undef VDISUB
#undef VDISLL
#undef VDISRL
#undef VDIAND
#undef VDIOR
#undef VDISET1
#undef VDFNMA
#undef VDGE
#undef VDLE
#undef MDAND
#undef MDALL
/* ---- end src/kernels/simd_undef.inc ---- */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* ---- CPU detection ---- */

NN__PRIVATE void nn__cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
  unsigned a, b, c, d;
  __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(sub));
  r[0] = a;
  r[1] = b;
  r[2] = c;
  r[3] = d;
}

/* 0: SSE2 only, 1: AVX2 + FMA, 2: AVX-512 F/DQ/BW/VL; each also needs the OS to save the wider registers. */
NN__PRIVATE int nn__x86_level(void) {
  unsigned r[4], max_leaf, b7, xlo, xhi;
  int avx_os, zmm_os;
  nn__cpuid(0, 0, r);
  max_leaf = r[0];
  if (max_leaf < 7) return 0;
  nn__cpuid(1, 0, r);
  if (!(r[2] & (1u << 27)) || !(r[2] & (1u << 28)) || !(r[2] & (1u << 12))) return 0; /* OSXSAVE, AVX, FMA */
  __asm__ __volatile__("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  (void)xhi;
  avx_os = (xlo & 0x6u) == 0x6u;    /* XMM and YMM state */
  zmm_os = (xlo & 0xe6u) == 0xe6u;  /* plus opmask, ZMM_Hi256, Hi16_ZMM */
  if (!avx_os) return 0;
  nn__cpuid(7, 0, r);
  b7 = r[1];
  if (!(b7 & (1u << 5))) return 0; /* AVX2 */
  if (zmm_os && (b7 & (1u << 16)) && (b7 & (1u << 17)) && (b7 & (1u << 30)) && (b7 & (1u << 31))) return 2;
  return 1;
}
/* Bytes of the largest cache one core sees (0 if unknown): the deterministic cache parameters of AMD's leaf
   0x8000001D or Intel's leaf 4 (one cache instance, not the package total). */
NN__PRIVATE int64_t nn__llc_bytes(void) {
  unsigned r[4], i, k, leaves[2], max_ext, max_std;
  int64_t best = 0;
  nn__cpuid(0, 0, r);
  max_std = r[0];
  nn__cpuid(0x80000000u, 0, r);
  max_ext = r[0];
  leaves[0] = max_ext >= 0x8000001Du ? 0x8000001Du : 0;
  leaves[1] = max_std >= 4 ? 4u : 0;
  for (k = 0; k < 2 && best == 0; k++) {
    if (!leaves[k]) continue;
    for (i = 0; i < 8; i++) {
      int64_t size;
      nn__cpuid(leaves[k], i, r);
      if ((r[0] & 31) == 0) break;
      size = (int64_t)(((r[1] >> 22) & 1023) + 1) * (((r[1] >> 12) & 1023) + 1) * ((r[1] & 4095) + 1) * ((int64_t)r[2] + 1);
      if (size > best) best = size;
    }
  }
  return best;
}
#endif /* NN__X86 */

/* Installs the kernels of one instruction set level into t (0 gen, 1 avx2, 2 avx512). Used by tests to check every
   level this machine can run; returns the level actually installed (never above what the CPU supports). */
NN__PRIVATE int nn__simd_install_level(nn__vec_table *t, int level) {
  int have = 0;
#if NN__X86
  have = nn__x86_level();
#endif
  if (level > have) level = have;
#if NN__SIMD_BASE
  nn__s_install_f32_gen(t);
  nn__s_install_f64_gen(t);
#endif
#if NN__ARM64
  t->isa = "neon";
#endif
#if NN__X86
  t->isa = NN__SIMD_BASE ? "sse2" : "scalar";
  if (level >= 1) {
    nn__s_install_f32_avx2(t);
    nn__s_install_f64_avx2(t);
    t->isa = "avx2";
  }
  if (level >= 2) {
    nn__s_install_f32_avx512(t);
    nn__s_install_f64_avx512(t);
    t->isa = "avx512";
  }
#endif
  return level;
}

NN__PRIVATE int nn__simd_install(nn__vec_table *t) {
#if NN__X86
  {
    int64_t llc = nn__llc_bytes();
    if (llc >= ((int64_t)1 << 20)) nn__simd_nt_total = llc / 4; /* outputs of a cache's worth of floats stream */
  }
#endif
  nn__simd_install_level(t, 2);
  return 1;
}

#endif /* NN__SIMD */
/* ---- end src/kernels/simd.c ---- */
/* ---- begin src/kernels/reduce_scalar.c ---- */
/* kernels/reduce_scalar.c: portable reduction kernels (sums, products, min/max, any/all, arg-reductions,
   centered sums for var/logsumexp), cumulative scans and softmax rows, for every dtype.

   Two shapes of kernel cover the common layouts without copies:
   - row kernels reduce n contiguous elements to one partial result (an nn__racc);
   - column kernels accumulate nrows rows of m contiguous elements (rows rstride apart) into an accumulator
     vector acc[0..m).
   The hot float loops keep several independent accumulators so the compiler can pipeline them; with GCC or Clang
   they use generic 16-byte vector types (NN__RVEXT), which compile to the baseline ISA (SSE2 on x86-64, NEON on
   arm64) with no target attributes; plain C otherwise, and under NN_NO_SIMD. Where nn__kernels() has an entry
   (sum_f32, sum_f64, max_f32, min_f32, acc_add_f32, softmax_f32, log_softmax_f32) that entry is used instead.
   Float32 sums are accumulated as float partials of NN__RBLOCK elements folded in double.
   Integer sums and products wrap around (computed in uint64_t, as NumPy's int64 arithmetic does). */

#if (defined(__GNUC__) || defined(__clang__)) && !defined(NN_NO_SIMD) && !defined(__TINYC__)
#define NN__RVEXT 1
/* small vector helpers must be inlined into the loops that use them */
#define NN__RVFN static __inline__ __attribute__((always_inline, unused))
typedef float nn__rv4f __attribute__((vector_size(16)));
typedef double nn__rv2d __attribute__((vector_size(16)));
typedef int32_t nn__rv4i __attribute__((vector_size(16)));
typedef int64_t nn__rv2l __attribute__((vector_size(16)));
#else
#define NN__RVEXT 0
#endif

/* Which reduction a kernel computes. */
typedef enum nn__rkind {
  NN__RK_SUM = 0,
  NN__RK_PROD,
  NN__RK_MIN,
  NN__RK_MAX,
  NN__RK_ANY,
  NN__RK_ALL,
  NN__RK_SQDEV,  /* sum((x - c)^2), float inputs */
  NN__RK_SUMEXP, /* sum(exp(x - c)), float inputs */
  NN__RK_ARGMIN,
  NN__RK_ARGMAX,
  NN__RK_COUNT
} nn__rkind;

/* A partial result over a piece of a row. Which fields are used depends on the kind and dtype:
   d: float sums, products and min/max values; u: integer sums/products (wrapping), any/all flags;
   i: integer min/max values; idx: position of the arg-min/max inside the piece. */
typedef struct nn__racc {
  double d;
  uint64_t u;
  int64_t i;
  int64_t idx;
} nn__racc;

typedef void (*nn__rrow_fn)(int64_t n, const void *x, double c, nn__racc *r);
typedef void (*nn__rcol_fn)(int64_t m, int64_t nrows, int64_t rstride, void *acc, const void *x, const double *c);

/* Elements summed as one float partial before it is added to the double total. */
#define NN__RBLOCK 2048

/* ---------------------------------------------------------------------------------------------------------- */
/* float32 / float64 sums                                                                                      */
/* ---------------------------------------------------------------------------------------------------------- */

#if NN__RVEXT
NN__RVFN nn__rv4f nn__rld4f(const float *p) {
  nn__rv4f v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__RVFN nn__rv2d nn__rld2d(const double *p) {
  nn__rv2d v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__RVFN void nn__rst4f(float *p, nn__rv4f v) { memcpy(p, &v, sizeof v); }
NN__RVFN void nn__rst2d(double *p, nn__rv2d v) { memcpy(p, &v, sizeof v); }
typedef uint32_t nn__rv4u __attribute__((vector_size(16)));
NN__RVFN nn__rv4f nn__rsplat4f(float a) {
  nn__rv4f v = {a, a, a, a};
  return v;
}
/* Lane select: k ? a : b, with k lanes all ones or all zeros (comparison results). */
NN__RVFN nn__rv4f nn__rsel4f(nn__rv4i k, nn__rv4f a, nn__rv4f b) {
  return (nn__rv4f)(((nn__rv4i)a & k) | ((nn__rv4i)b & ~k));
}
NN__RVFN nn__rv2d nn__rsel2d(nn__rv2l k, nn__rv2d a, nn__rv2d b) {
  return (nn__rv2d)(((nn__rv2l)a & k) | ((nn__rv2l)b & ~k));
}
NN__RVFN float nn__rhsum4f(nn__rv4f v) {
  float r[4];
  memcpy(r, &v, sizeof r);
  return (r[0] + r[1]) + (r[2] + r[3]);
}
/* exp of four floats: Cephes' expf polynomial after reduction by ln 2 (about 2 ulp); +inf above 88.376,
   0 below -87.336 (so exp(-inf) = 0), NaN stays NaN. */
NN__RVFN nn__rv4f nn__rvexp4f(nn__rv4f x) {
  const nn__rv4f hi = nn__rsplat4f(88.3762626647949f), lo = nn__rsplat4f(-87.3365447505531f);
  const nn__rv4f magic = nn__rsplat4f(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
  nn__rv4i big = x > hi, small = x < lo;
  nn__rv4f t, nf, r, p, z;
  nn__rv4u e;
  x = nn__rsel4f(big, hi, x);
  x = nn__rsel4f(small, lo, x);
  t = x * nn__rsplat4f(1.44269504088896341f) + magic;
  nf = t - magic;
  e = (((nn__rv4u)t - (nn__rv4u)magic) + 127u) << 23; /* 2^n as float bits */
  r = x - nf * nn__rsplat4f(0.693359375f);
  r = r - nf * nn__rsplat4f(-2.12194440e-4f);
  z = r * r;
  p = r * nn__rsplat4f(1.9875691500E-4f) + nn__rsplat4f(1.3981999507E-3f);
  p = p * r + nn__rsplat4f(8.3334519073E-3f);
  p = p * r + nn__rsplat4f(4.1665795894E-2f);
  p = p * r + nn__rsplat4f(1.6666665459E-1f);
  p = p * r + nn__rsplat4f(5.0000001201E-1f);
  p = (p * z + r) + nn__rsplat4f(1.0f);
  p = p * (nn__rv4f)e;
  p = nn__rsel4f(big, nn__rsplat4f(INFINITY), p);
  return nn__rsel4f(small, nn__rsplat4f(0.0f), p);
}
#endif

/* o[i] = exp(x[i] - shift) for i < n (o may be NULL, or equal to x); returns the sum of those values, accumulated
   as float partials of NN__RBLOCK elements folded in double. */
NN__PRIVATE double nn__rexpsum_f32(int64_t n, float *o, const float *x, float shift) {
  double total = 0;
  int64_t i = 0;
#if NN__RVEXT
  const nn__rv4f sv = nn__rsplat4f(shift);
  while (i + 8 <= n) {
    int64_t end = n - i < NN__RBLOCK ? n : i + NN__RBLOCK;
    nn__rv4f a0 = nn__rsplat4f(0.0f), a1 = a0;
    for (; i + 8 <= end; i += 8) {
      nn__rv4f e0 = nn__rvexp4f(nn__rld4f(x + i) - sv), e1 = nn__rvexp4f(nn__rld4f(x + i + 4) - sv);
      if (o) {
        nn__rst4f(o + i, e0);
        nn__rst4f(o + i + 4, e1);
      }
      a0 += e0;
      a1 += e1;
    }
    total += (double)nn__rhsum4f(a0 + a1);
  }
#endif
  for (; i < n; i++) {
    float e = expf(x[i] - shift);
    if (o) o[i] = e;
    total += (double)e;
  }
  return total;
}

/* o[i] = x[i] * a (o may equal x). */
NN__PRIVATE void nn__rscale_f32(int64_t n, float *o, const float *x, float a) {
  int64_t i = 0;
#if NN__RVEXT
  const nn__rv4f av = nn__rsplat4f(a);
  for (; i + 8 <= n; i += 8) {
    nn__rst4f(o + i, nn__rld4f(x + i) * av);
    nn__rst4f(o + i + 4, nn__rld4f(x + i + 4) * av);
  }
#endif
  for (; i < n; i++) o[i] = x[i] * a;
}

/* o[i] = (x[i] - a) - b (o may equal x). */
NN__PRIVATE void nn__rsub2_f32(int64_t n, float *o, const float *x, float a, float b) {
  int64_t i = 0;
#if NN__RVEXT
  const nn__rv4f av = nn__rsplat4f(a), bv = nn__rsplat4f(b);
  for (; i + 8 <= n; i += 8) {
    nn__rst4f(o + i, (nn__rld4f(x + i) - av) - bv);
    nn__rst4f(o + i + 4, (nn__rld4f(x + i + 4) - av) - bv);
  }
#endif
  for (; i < n; i++) o[i] = (x[i] - a) - b;
}

/* Sum of n floats (n <= NN__RBLOCK) in float with 16 independent lanes. */
NN__PRIVATE float nn__rsum_block_f32(int64_t n, const float *x) {
  int64_t i = 0;
  float s;
#if NN__RVEXT
  nn__rv4f a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0;
  float r[4];
  for (; i + 16 <= n; i += 16) {
    a0 += nn__rld4f(x + i);
    a1 += nn__rld4f(x + i + 4);
    a2 += nn__rld4f(x + i + 8);
    a3 += nn__rld4f(x + i + 12);
  }
  a0 = (a0 + a1) + (a2 + a3);
  memcpy(r, &a0, sizeof r);
  s = (r[0] + r[1]) + (r[2] + r[3]);
#else
  float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  for (; i + 8 <= n; i += 8) {
    a0 += x[i];
    a1 += x[i + 1];
    a2 += x[i + 2];
    a3 += x[i + 3];
    a4 += x[i + 4];
    a5 += x[i + 5];
    a6 += x[i + 6];
    a7 += x[i + 7];
  }
  s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
#endif
  for (; i < n; i++) s += x[i];
  return s;
}

/* Sum of n float32 values, accumulated as float partials of NN__RBLOCK elements folded in double. */
NN__PRIVATE double nn__rsum_f32(int64_t n, const float *x) {
  const nn__vec_table *vt;
  double d = 0;
  int64_t i;
  if (n < 16) { /* short rows: no setup */
    for (i = 0; i < n; i++) d += (double)x[i];
    return d;
  }
  vt = nn__kernels();
  for (i = 0; i < n; i += NN__RBLOCK) {
    int64_t b = n - i < NN__RBLOCK ? n - i : NN__RBLOCK;
    d += (double)(vt->sum_f32 ? vt->sum_f32(b, x + i) : nn__rsum_block_f32(b, x + i));
  }
  return d;
}

NN__PRIVATE double nn__rsum_block_f64(int64_t n, const double *x) {
  int64_t i = 0;
  double s;
#if NN__RVEXT
  nn__rv2d a0 = {0, 0}, a1 = a0, a2 = a0, a3 = a0;
  for (; i + 8 <= n; i += 8) {
    a0 += nn__rld2d(x + i);
    a1 += nn__rld2d(x + i + 2);
    a2 += nn__rld2d(x + i + 4);
    a3 += nn__rld2d(x + i + 6);
  }
  a0 = (a0 + a1) + (a2 + a3);
  s = a0[0] + a0[1];
#else
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  for (; i + 8 <= n; i += 8) {
    a0 += x[i];
    a1 += x[i + 1];
    a2 += x[i + 2];
    a3 += x[i + 3];
    a4 += x[i + 4];
    a5 += x[i + 5];
    a6 += x[i + 6];
    a7 += x[i + 7];
  }
  s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
#endif
  for (; i < n; i++) s += x[i];
  return s;
}

/* Sum of n float64 values: block partials folded into a running total (keeps the error near log-size). */
NN__PRIVATE double nn__rsum_f64(int64_t n, const double *x) {
  const nn__vec_table *vt;
  double d = 0;
  int64_t i;
  if (n < 16) {
    for (i = 0; i < n; i++) d += x[i];
    return d;
  }
  vt = nn__kernels();
  for (i = 0; i < n; i += NN__RBLOCK) {
    int64_t b = n - i < NN__RBLOCK ? n - i : NN__RBLOCK;
    d += vt->sum_f64 ? vt->sum_f64(b, x + i) : nn__rsum_block_f64(b, x + i);
  }
  return d;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* float min / max (NaN-propagating)                                                                           */
/* ---------------------------------------------------------------------------------------------------------- */

/* Min (want_max = 0) or max of n >= 1 floats; NaN if any element is NaN. */
NN__PRIVATE float nn__rminmax_f32(int64_t n, const float *x, int want_max) {
  const nn__vec_table *vt = nn__kernels();
  int64_t i = 0;
  float best;
  int nan = 0;
  if (want_max && vt->max_f32) return vt->max_f32(n, x);
  if (!want_max && vt->min_f32) return vt->min_f32(n, x);
  best = x[0];
#if NN__RVEXT
  if (n >= 16) {
    nn__rv4f a0 = nn__rld4f(x), a1 = nn__rld4f(x + 4), a2 = nn__rld4f(x + 8), a3 = nn__rld4f(x + 12);
    nn__rv4i bad = {0, 0, 0, 0}, k;
    float r[4];
    int j;
#define NN__RVSEL(a, v, cond) \
  do {                       \
    k = (cond);              \
    a = (nn__rv4f)(((nn__rv4i)(v) & k) | ((nn__rv4i)(a) & ~k)); \
  } while (0)
    for (i = 16; i + 16 <= n; i += 16) {
      nn__rv4f v0 = nn__rld4f(x + i), v1 = nn__rld4f(x + i + 4), v2 = nn__rld4f(x + i + 8), v3 = nn__rld4f(x + i + 12);
      bad |= (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3);
      if (want_max) {
        NN__RVSEL(a0, v0, v0 > a0);
        NN__RVSEL(a1, v1, v1 > a1);
        NN__RVSEL(a2, v2, v2 > a2);
        NN__RVSEL(a3, v3, v3 > a3);
      } else {
        NN__RVSEL(a0, v0, v0 < a0);
        NN__RVSEL(a1, v1, v1 < a1);
        NN__RVSEL(a2, v2, v2 < a2);
        NN__RVSEL(a3, v3, v3 < a3);
      }
    }
    bad |= (a0 != a0) | (a1 != a1) | (a2 != a2) | (a3 != a3);
    if (want_max) {
      NN__RVSEL(a0, a1, a1 > a0);
      NN__RVSEL(a2, a3, a3 > a2);
      NN__RVSEL(a0, a2, a2 > a0);
    } else {
      NN__RVSEL(a0, a1, a1 < a0);
      NN__RVSEL(a2, a3, a3 < a2);
      NN__RVSEL(a0, a2, a2 < a0);
    }
#undef NN__RVSEL
    if (bad[0] | bad[1] | bad[2] | bad[3]) return NAN;
    memcpy(r, &a0, sizeof r);
    best = r[0];
    for (j = 1; j < 4; j++) best = want_max ? (r[j] > best ? r[j] : best) : (r[j] < best ? r[j] : best);
  }
#else
  if (n >= 8) {
    float a[8];
    int j;
    for (j = 0; j < 8; j++) a[j] = x[j];
    for (i = 8; i + 8 <= n; i += 8)
      for (j = 0; j < 8; j++) {
        float v = x[i + j];
        nan |= v != v;
        a[j] = want_max ? (v > a[j] ? v : a[j]) : (v < a[j] ? v : a[j]);
      }
    for (j = 0; j < 8; j++) {
      nan |= a[j] != a[j];
      if (j) best = want_max ? (a[j] > best ? a[j] : best) : (a[j] < best ? a[j] : best);
      else best = a[0];
    }
  }
#endif
  for (; i < n; i++) {
    float v = x[i];
    nan |= v != v;
    best = want_max ? (v > best ? v : best) : (v < best ? v : best);
  }
  return nan || best != best ? NAN : best;
}

NN__PRIVATE double nn__rminmax_f64(int64_t n, const double *x, int want_max) {
  int64_t i = 0;
  double best = x[0];
  int nan = 0;
#if NN__RVEXT
  if (n >= 8) {
    nn__rv2d a0 = nn__rld2d(x), a1 = nn__rld2d(x + 2), a2 = nn__rld2d(x + 4), a3 = nn__rld2d(x + 6);
    nn__rv2l bad = {0, 0}, k;
#define NN__RVSEL(a, v, cond) \
  do {                       \
    k = (cond);              \
    a = (nn__rv2d)(((nn__rv2l)(v) & k) | ((nn__rv2l)(a) & ~k)); \
  } while (0)
    for (i = 8; i + 8 <= n; i += 8) {
      nn__rv2d v0 = nn__rld2d(x + i), v1 = nn__rld2d(x + i + 2), v2 = nn__rld2d(x + i + 4), v3 = nn__rld2d(x + i + 6);
      bad |= (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3);
      if (want_max) {
        NN__RVSEL(a0, v0, v0 > a0);
        NN__RVSEL(a1, v1, v1 > a1);
        NN__RVSEL(a2, v2, v2 > a2);
        NN__RVSEL(a3, v3, v3 > a3);
      } else {
        NN__RVSEL(a0, v0, v0 < a0);
        NN__RVSEL(a1, v1, v1 < a1);
        NN__RVSEL(a2, v2, v2 < a2);
        NN__RVSEL(a3, v3, v3 < a3);
      }
    }
    bad |= (a0 != a0) | (a1 != a1) | (a2 != a2) | (a3 != a3);
    if (want_max) {
      NN__RVSEL(a0, a1, a1 > a0);
      NN__RVSEL(a2, a3, a3 > a2);
      NN__RVSEL(a0, a2, a2 > a0);
    } else {
      NN__RVSEL(a0, a1, a1 < a0);
      NN__RVSEL(a2, a3, a3 < a2);
      NN__RVSEL(a0, a2, a2 < a0);
    }
#undef NN__RVSEL
    if (bad[0] | bad[1]) return NAN;
    best = want_max ? (a0[1] > a0[0] ? a0[1] : a0[0]) : (a0[1] < a0[0] ? a0[1] : a0[0]);
  }
#endif
  for (; i < n; i++) {
    double v = x[i];
    nan |= v != v;
    best = want_max ? (v > best ? v : best) : (v < best ? v : best);
  }
  return nan || best != best ? NAN : best;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* row kernels: n contiguous elements -> one nn__racc                                                          */
/* ---------------------------------------------------------------------------------------------------------- */

NN__PRIVATE void nn__rrow_sum_f32(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rsum_f32(n, (const float *)x);
}
NN__PRIVATE void nn__rrow_sum_f64(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rsum_f64(n, (const double *)x);
}
NN__PRIVATE void nn__rrow_min_f32(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rminmax_f32(n, (const float *)x, 0);
}
NN__PRIVATE void nn__rrow_max_f32(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rminmax_f32(n, (const float *)x, 1);
}
NN__PRIVATE void nn__rrow_min_f64(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rminmax_f64(n, (const double *)x, 0);
}
NN__PRIVATE void nn__rrow_max_f64(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rminmax_f64(n, (const double *)x, 1);
}

/* Integer conversions to the 64-bit accumulator. */
#define NN__RCV_S(v) ((uint64_t)(int64_t)(v))
#define NN__RCV_U(v) ((uint64_t)(v))
#define NN__RCV_B(v) ((uint64_t)((v) != 0))

/* Integer sum / product with four lanes, wrapping. */
#define NN__RROW_ISUMPROD(NAME, T, CV, OP, ID)                                   \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {      \
    const T *x = (const T *)vx;                                                  \
    uint64_t a0 = ID, a1 = ID, a2 = ID, a3 = ID;                                 \
    int64_t i = 0;                                                               \
    (void)c;                                                                     \
    for (; i + 4 <= n; i += 4) {                                                 \
      a0 = a0 OP CV(x[i]);                                                       \
      a1 = a1 OP CV(x[i + 1]);                                                   \
      a2 = a2 OP CV(x[i + 2]);                                                   \
      a3 = a3 OP CV(x[i + 3]);                                                   \
    }                                                                            \
    for (; i < n; i++) a0 = a0 OP CV(x[i]);                                      \
    r->u = (a0 OP a1) OP(a2 OP a3);                                              \
  }
NN__RROW_ISUMPROD(nn__rrow_sum_i32, int32_t, NN__RCV_S, +, 0)
NN__RROW_ISUMPROD(nn__rrow_sum_i64, int64_t, NN__RCV_S, +, 0)
NN__RROW_ISUMPROD(nn__rrow_sum_u8, uint8_t, NN__RCV_U, +, 0)
NN__RROW_ISUMPROD(nn__rrow_sum_b, uint8_t, NN__RCV_B, +, 0)
NN__RROW_ISUMPROD(nn__rrow_prod_i32, int32_t, NN__RCV_S, *, 1)
NN__RROW_ISUMPROD(nn__rrow_prod_i64, int64_t, NN__RCV_S, *, 1)
NN__RROW_ISUMPROD(nn__rrow_prod_u8, uint8_t, NN__RCV_U, *, 1)
NN__RROW_ISUMPROD(nn__rrow_prod_b, uint8_t, NN__RCV_B, *, 1)

/* Float products in double with four lanes. */
#define NN__RROW_FPROD(NAME, T)                                              \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    double a0 = 1, a1 = 1, a2 = 1, a3 = 1;                                   \
    int64_t i = 0;                                                           \
    (void)c;                                                                 \
    for (; i + 4 <= n; i += 4) {                                             \
      a0 *= x[i];                                                            \
      a1 *= x[i + 1];                                                        \
      a2 *= x[i + 2];                                                        \
      a3 *= x[i + 3];                                                        \
    }                                                                        \
    for (; i < n; i++) a0 *= x[i];                                           \
    r->d = (a0 * a1) * (a2 * a3);                                            \
  }
NN__RROW_FPROD(nn__rrow_prod_f32, float)
NN__RROW_FPROD(nn__rrow_prod_f64, double)

/* Integer min / max (n >= 1) with four lanes; the result goes to r->i. */
#define NN__RROW_IMINMAX(NAME, T, CMP)                                       \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    T a0 = x[0], a1 = x[0], a2 = x[0], a3 = x[0];                            \
    int64_t i = 1;                                                           \
    (void)c;                                                                 \
    for (; i + 4 <= n; i += 4) {                                             \
      a0 = x[i] CMP a0 ? x[i] : a0;                                          \
      a1 = x[i + 1] CMP a1 ? x[i + 1] : a1;                                  \
      a2 = x[i + 2] CMP a2 ? x[i + 2] : a2;                                  \
      a3 = x[i + 3] CMP a3 ? x[i + 3] : a3;                                  \
    }                                                                        \
    for (; i < n; i++) a0 = x[i] CMP a0 ? x[i] : a0;                         \
    a0 = a1 CMP a0 ? a1 : a0;                                                \
    a2 = a3 CMP a2 ? a3 : a2;                                                \
    a0 = a2 CMP a0 ? a2 : a0;                                                \
    r->i = (int64_t)a0;                                                      \
  }
NN__RROW_IMINMAX(nn__rrow_min_i32, int32_t, <)
NN__RROW_IMINMAX(nn__rrow_max_i32, int32_t, >)
NN__RROW_IMINMAX(nn__rrow_min_i64, int64_t, <)
NN__RROW_IMINMAX(nn__rrow_max_i64, int64_t, >)
NN__RROW_IMINMAX(nn__rrow_min_u8, uint8_t, <)
NN__RROW_IMINMAX(nn__rrow_max_u8, uint8_t, >)

/* any / all stop at the first deciding element. */
#define NN__RROW_ANYALL(NAME, T, IS_ANY)                                     \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    int64_t i;                                                               \
    (void)c;                                                                 \
    for (i = 0; i < n; i++)                                                  \
      if ((x[i] != 0) == (IS_ANY)) break;                                    \
    r->u = (uint64_t)((i < n) == (IS_ANY));                                  \
  }
NN__RROW_ANYALL(nn__rrow_any_f32, float, 1)
NN__RROW_ANYALL(nn__rrow_any_f64, double, 1)
NN__RROW_ANYALL(nn__rrow_any_i32, int32_t, 1)
NN__RROW_ANYALL(nn__rrow_any_i64, int64_t, 1)
NN__RROW_ANYALL(nn__rrow_any_u8, uint8_t, 1)
NN__RROW_ANYALL(nn__rrow_all_f32, float, 0)
NN__RROW_ANYALL(nn__rrow_all_f64, double, 0)
NN__RROW_ANYALL(nn__rrow_all_i32, int32_t, 0)
NN__RROW_ANYALL(nn__rrow_all_i64, int64_t, 0)
NN__RROW_ANYALL(nn__rrow_all_u8, uint8_t, 0)

/* Centered sums in double: sum((x - c)^2) and sum(exp(x - c)). */
#define NN__RROW_SQDEV(NAME, T)                                              \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0, t0, t1, t2, t3;                   \
    int64_t i = 0;                                                           \
    for (; i + 4 <= n; i += 4) {                                             \
      t0 = (double)x[i] - c;                                                 \
      t1 = (double)x[i + 1] - c;                                             \
      t2 = (double)x[i + 2] - c;                                             \
      t3 = (double)x[i + 3] - c;                                             \
      a0 += t0 * t0;                                                         \
      a1 += t1 * t1;                                                         \
      a2 += t2 * t2;                                                         \
      a3 += t3 * t3;                                                         \
    }                                                                        \
    for (; i < n; i++) {                                                     \
      t0 = (double)x[i] - c;                                                 \
      a0 += t0 * t0;                                                         \
    }                                                                        \
    r->d = (a0 + a1) + (a2 + a3);                                            \
  }
NN__RROW_SQDEV(nn__rrow_sqdev_f64, double)

/* float32: deviations and squares in float, 8 lanes per block of NN__RBLOCK, blocks folded in double. */
NN__PRIVATE void nn__rrow_sqdev_f32(int64_t n, const void *vx, double c, nn__racc *r) {
  const float *x = (const float *)vx;
  float cf = (float)c;
  double total = 0;
  int64_t i = 0;
#if NN__RVEXT
  const nn__rv4f cv = nn__rsplat4f(cf);
  while (i + 8 <= n) {
    int64_t end = n - i < NN__RBLOCK ? n : i + NN__RBLOCK;
    nn__rv4f a0 = nn__rsplat4f(0.0f), a1 = a0;
    for (; i + 8 <= end; i += 8) {
      nn__rv4f d0 = nn__rld4f(x + i) - cv, d1 = nn__rld4f(x + i + 4) - cv;
      a0 += d0 * d0;
      a1 += d1 * d1;
    }
    total += (double)nn__rhsum4f(a0 + a1);
  }
#endif
  for (; i < n; i++) {
    float d = x[i] - cf;
    total += (double)(d * d);
  }
  r->d = total;
}

NN__PRIVATE void nn__rrow_sumexp_f32(int64_t n, const void *vx, double c, nn__racc *r) {
  r->d = nn__rexpsum_f32(n, NULL, (const float *)vx, (float)c);
}
NN__PRIVATE void nn__rrow_sumexp_f64(int64_t n, const void *vx, double c, nn__racc *r) {
  const double *x = (const double *)vx;
  double a0 = 0, a1 = 0;
  int64_t i = 0;
  for (; i + 2 <= n; i += 2) {
    a0 += exp(x[i] - c);
    a1 += exp(x[i + 1] - c);
  }
  for (; i < n; i++) a0 += exp(x[i] - c);
  r->d = a0 + a1;
}

/* Arg-min / arg-max (n >= 1): first occurrence; for floats the first NaN wins (as np.argmax). Float rows take the
   vector min/max of blocks of 256, remember the first block that improved the best value, and search only that
   block (or the first block holding a NaN) for the position. */
#define NN__RARGROW 256
#define NN__RROW_ARGF(NAME, T, MINMAX, WANT_MAX, BETTER)                     \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    int64_t b0, bb = 0, i, e;                                                \
    T best;                                                                  \
    (void)c;                                                                 \
    if (n <= 32) { /* short rows: one plain pass */                          \
      best = x[0];                                                           \
      for (i = 0, e = 0; i < n && best == best; i++)                         \
        if (BETTER(x[i], best) || x[i] != x[i]) {                            \
          best = x[i];                                                       \
          e = i;                                                             \
        }                                                                    \
      r->d = (double)best;                                                   \
      r->idx = e;                                                            \
      return;                                                                \
    }                                                                        \
    best = (T)MINMAX(n < NN__RARGROW ? n : NN__RARGROW, x, WANT_MAX);          \
    for (b0 = NN__RARGROW; best == best && b0 < n; b0 += NN__RARGROW) {       \
      T m = (T)MINMAX(n - b0 < NN__RARGROW ? n - b0 : NN__RARGROW, x + b0, WANT_MAX); \
      if (m != m || BETTER(m, best)) {                                       \
        best = m;                                                            \
        bb = b0;                                                             \
      }                                                                      \
    }                                                                        \
    e = n - bb < NN__RARGROW ? n : bb + NN__RARGROW;                           \
    i = bb;                                                                  \
    if (best != best) {                                                      \
      while (i < e && x[i] == x[i]) i++;                                     \
    } else {                                                                 \
      while (i < e && x[i] != best) i++;                                     \
    }                                                                        \
    if (i >= e) i = bb;                                                      \
    r->d = (double)best;                                                     \
    r->idx = i;                                                              \
  }
#define NN__RGT(a, b) ((a) > (b))
#define NN__RLT(a, b) ((a) < (b))
NN__RROW_ARGF(nn__rrow_argmin_f32, float, nn__rminmax_f32, 0, NN__RLT)
NN__RROW_ARGF(nn__rrow_argmax_f32, float, nn__rminmax_f32, 1, NN__RGT)
NN__RROW_ARGF(nn__rrow_argmin_f64, double, nn__rminmax_f64, 0, NN__RLT)
NN__RROW_ARGF(nn__rrow_argmax_f64, double, nn__rminmax_f64, 1, NN__RGT)

#define NN__RROW_ARGI(NAME, T, CMP)                                          \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    T best = x[0];                                                           \
    int64_t i, bi = 0;                                                       \
    (void)c;                                                                 \
    for (i = 1; i < n; i++)                                                  \
      if (x[i] CMP best) {                                                   \
        best = x[i];                                                         \
        bi = i;                                                              \
      }                                                                      \
    r->i = (int64_t)best;                                                    \
    r->idx = bi;                                                             \
  }
NN__RROW_ARGI(nn__rrow_argmin_i32, int32_t, <)
NN__RROW_ARGI(nn__rrow_argmax_i32, int32_t, >)
NN__RROW_ARGI(nn__rrow_argmin_i64, int64_t, <)
NN__RROW_ARGI(nn__rrow_argmax_i64, int64_t, >)
NN__RROW_ARGI(nn__rrow_argmin_u8, uint8_t, <)
NN__RROW_ARGI(nn__rrow_argmax_u8, uint8_t, >)

/* bool min/max/argmin/argmax compare truth values, so bytes other than 0/1 still behave as bools. */
NN__PRIVATE void nn__rrow_argmin_b(int64_t n, const void *vx, double c, nn__racc *r) {
  const uint8_t *x = (const uint8_t *)vx;
  int64_t i = 0;
  (void)c;
  while (i < n && x[i]) i++;
  r->i = i < n ? 0 : 1;
  r->idx = i < n ? i : 0;
}
NN__PRIVATE void nn__rrow_argmax_b(int64_t n, const void *vx, double c, nn__racc *r) {
  const uint8_t *x = (const uint8_t *)vx;
  int64_t i = 0;
  (void)c;
  while (i < n && !x[i]) i++;
  r->i = i < n ? 1 : 0;
  r->idx = i < n ? i : 0;
}
NN__PRIVATE void nn__rrow_min_b(int64_t n, const void *x, double c, nn__racc *r) {
  nn__rrow_argmin_b(n, x, c, r);
}
NN__PRIVATE void nn__rrow_max_b(int64_t n, const void *x, double c, nn__racc *r) {
  nn__rrow_argmax_b(n, x, c, r);
}

/* [kind][dtype] in nn_dtype order f32 f64 i32 i64 u8 bool; NULL: not defined for that dtype. */
static const nn__rrow_fn nn__rrow_table[NN__RK_COUNT][NN_DTYPE_COUNT] = {
    {nn__rrow_sum_f32, nn__rrow_sum_f64, nn__rrow_sum_i32, nn__rrow_sum_i64, nn__rrow_sum_u8, nn__rrow_sum_b},
    {nn__rrow_prod_f32, nn__rrow_prod_f64, nn__rrow_prod_i32, nn__rrow_prod_i64, nn__rrow_prod_u8, nn__rrow_prod_b},
    {nn__rrow_min_f32, nn__rrow_min_f64, nn__rrow_min_i32, nn__rrow_min_i64, nn__rrow_min_u8, nn__rrow_min_b},
    {nn__rrow_max_f32, nn__rrow_max_f64, nn__rrow_max_i32, nn__rrow_max_i64, nn__rrow_max_u8, nn__rrow_max_b},
    {nn__rrow_any_f32, nn__rrow_any_f64, nn__rrow_any_i32, nn__rrow_any_i64, nn__rrow_any_u8, nn__rrow_any_u8},
    {nn__rrow_all_f32, nn__rrow_all_f64, nn__rrow_all_i32, nn__rrow_all_i64, nn__rrow_all_u8, nn__rrow_all_u8},
    {nn__rrow_sqdev_f32, nn__rrow_sqdev_f64, NULL, NULL, NULL, NULL},
    {nn__rrow_sumexp_f32, nn__rrow_sumexp_f64, NULL, NULL, NULL, NULL},
    {nn__rrow_argmin_f32, nn__rrow_argmin_f64, nn__rrow_argmin_i32, nn__rrow_argmin_i64, nn__rrow_argmin_u8,
     nn__rrow_argmin_b},
    {nn__rrow_argmax_f32, nn__rrow_argmax_f64, nn__rrow_argmax_i32, nn__rrow_argmax_i64, nn__rrow_argmax_u8,
     nn__rrow_argmax_b},
};

/* Folds partial b (the later piece, starting at element offset off) into a (the earlier pieces). */
NN__PRIVATE void nn__racc_fold(nn__rkind k, nn_dtype dt, nn__racc *a, const nn__racc *b, int64_t off) {
  int fl = nn__is_float(dt);
  switch (k) {
    case NN__RK_SUM:
      if (fl) a->d += b->d;
      else a->u += b->u;
      break;
    case NN__RK_PROD:
      if (fl) a->d *= b->d;
      else a->u *= b->u;
      break;
    case NN__RK_MIN:
      if (fl) a->d = (a->d != a->d || a->d <= b->d) ? a->d : b->d;
      else a->i = a->i <= b->i ? a->i : b->i;
      break;
    case NN__RK_MAX:
      if (fl) a->d = (a->d != a->d || a->d >= b->d) ? a->d : b->d;
      else a->i = a->i >= b->i ? a->i : b->i;
      break;
    case NN__RK_ANY: a->u = a->u || b->u; break;
    case NN__RK_ALL: a->u = a->u && b->u; break;
    case NN__RK_SQDEV:
    case NN__RK_SUMEXP: a->d += b->d; break;
    case NN__RK_ARGMIN:
    case NN__RK_ARGMAX: {
      int take;
      if (fl) {
        if (a->d != a->d) take = 0;
        else if (b->d != b->d) take = 1;
        else take = k == NN__RK_ARGMIN ? b->d < a->d : b->d > a->d;
        if (take) a->d = b->d;
      } else {
        take = k == NN__RK_ARGMIN ? b->i < a->i : b->i > a->i;
        if (take) a->i = b->i;
      }
      if (take) a->idx = b->idx + off;
      break;
    }
    default: break;
  }
}

/* ---------------------------------------------------------------------------------------------------------- */
/* column kernels: acc[0..m) op= each of nrows rows of m contiguous elements                                   */
/* ---------------------------------------------------------------------------------------------------------- */

/* float32 sums into a float accumulator; four rows at a time keep the accumulator traffic low. */
NN__PRIVATE void nn__rcol_sum_f32(int64_t m, int64_t nrows, int64_t rs, void *vacc, const void *vx, const double *c) {
  float *acc = (float *)vacc;
  const float *x = (const float *)vx;
  const nn__vec_table *vt = nn__kernels();
  int64_t r = 0, j;
  (void)c;
  if (vt->acc_add_f32) {
    for (r = 0; r < nrows; r++) vt->acc_add_f32(m, acc, x + r * rs);
    return;
  }
  for (; r + 4 <= nrows; r += 4) {
    const float *x0 = x + r * rs, *x1 = x0 + rs, *x2 = x1 + rs, *x3 = x2 + rs;
    j = 0;
#if NN__RVEXT
    for (; j + 8 <= m; j += 8) {
      nn__rv4f s0 = (nn__rld4f(x0 + j) + nn__rld4f(x1 + j)) + (nn__rld4f(x2 + j) + nn__rld4f(x3 + j));
      nn__rv4f s1 = (nn__rld4f(x0 + j + 4) + nn__rld4f(x1 + j + 4)) + (nn__rld4f(x2 + j + 4) + nn__rld4f(x3 + j + 4));
      nn__rst4f(acc + j, nn__rld4f(acc + j) + s0);
      nn__rst4f(acc + j + 4, nn__rld4f(acc + j + 4) + s1);
    }
#endif
    for (; j < m; j++) acc[j] += (x0[j] + x1[j]) + (x2[j] + x3[j]);
  }
  for (; r < nrows; r++) {
    const float *x0 = x + r * rs;
    j = 0;
#if NN__RVEXT
    for (; j + 8 <= m; j += 8) {
      nn__rst4f(acc + j, nn__rld4f(acc + j) + nn__rld4f(x0 + j));
      nn__rst4f(acc + j + 4, nn__rld4f(acc + j + 4) + nn__rld4f(x0 + j + 4));
    }
#endif
    for (; j < m; j++) acc[j] += x0[j];
  }
}

NN__PRIVATE void nn__rcol_sum_f64(int64_t m, int64_t nrows, int64_t rs, void *vacc, const void *vx, const double *c) {
  double *acc = (double *)vacc;
  const double *x = (const double *)vx;
  int64_t r = 0, j;
  (void)c;
  for (; r + 4 <= nrows; r += 4) {
    const double *x0 = x + r * rs, *x1 = x0 + rs, *x2 = x1 + rs, *x3 = x2 + rs;
    j = 0;
#if NN__RVEXT
    for (; j + 4 <= m; j += 4) {
      nn__rv2d s0 = (nn__rld2d(x0 + j) + nn__rld2d(x1 + j)) + (nn__rld2d(x2 + j) + nn__rld2d(x3 + j));
      nn__rv2d s1 = (nn__rld2d(x0 + j + 2) + nn__rld2d(x1 + j + 2)) + (nn__rld2d(x2 + j + 2) + nn__rld2d(x3 + j + 2));
      nn__rst2d(acc + j, nn__rld2d(acc + j) + s0);
      nn__rst2d(acc + j + 2, nn__rld2d(acc + j + 2) + s1);
    }
#endif
    for (; j < m; j++) acc[j] += (x0[j] + x1[j]) + (x2[j] + x3[j]);
  }
  for (; r < nrows; r++) {
    const double *x0 = x + r * rs;
    for (j = 0; j < m; j++) acc[j] += x0[j];
  }
}

/* float32 partials summed into a double accumulator (combining row-chunk partials of float32 sums). */
NN__PRIVATE void nn__rcol_sumd_f32(int64_t m, int64_t nrows, int64_t rs, void *vacc, const void *vx, const double *c) {
  double *acc = (double *)vacc;
  const float *x = (const float *)vx;
  int64_t r, j;
  (void)c;
  for (r = 0; r < nrows; r++, x += rs)
    for (j = 0; j < m; j++) acc[j] += (double)x[j];
}

/* Generic column loop: STEP(a, v, cj) updates accumulator a with element v (cj: the column's center). */
#define NN__RCOL(NAME, T, AT, STEP)                                                                       \
  NN__PRIVATE void NAME(int64_t m, int64_t nrows, int64_t rs, void *vacc, const void *vx, const double *c) { \
    AT *acc = (AT *)vacc;                                                                                 \
    const T *x = (const T *)vx;                                                                           \
    int64_t r, j;                                                                                         \
    (void)c;                                                                                              \
    for (r = 0; r < nrows; r++, x += rs)                                                                  \
      for (j = 0; j < m; j++) {                                                                           \
        STEP(acc[j], x[j], c[j]);                                                                         \
      }                                                                                                   \
  }

#define NN__RST_ISUM(a, v, cj) (a) += (uint64_t)(int64_t)(v)
#define NN__RST_USUM(a, v, cj) (a) += (uint64_t)(v)
#define NN__RST_BSUM(a, v, cj) (a) += (uint64_t)((v) != 0)
#define NN__RST_IPROD(a, v, cj) (a) *= (uint64_t)(int64_t)(v)
#define NN__RST_UPROD(a, v, cj) (a) *= (uint64_t)(v)
#define NN__RST_BPROD(a, v, cj) (a) *= (uint64_t)((v) != 0)
#define NN__RST_FPROD(a, v, cj) (a) *= (double)(v)
#define NN__RST_FMIN(a, v, cj) (a) = ((v) < (a) || (v) != (v)) ? (v) : (a)
#define NN__RST_FMAX(a, v, cj) (a) = ((v) > (a) || (v) != (v)) ? (v) : (a)
#define NN__RST_IMIN(a, v, cj) (a) = (v) < (a) ? (v) : (a)
#define NN__RST_IMAX(a, v, cj) (a) = (v) > (a) ? (v) : (a)
#define NN__RST_ANY(a, v, cj) (a) = (uint8_t)((a) | ((v) != 0))
#define NN__RST_ALL(a, v, cj) (a) = (uint8_t)((a) & ((v) != 0))
#define NN__RST_SQDEV(a, v, cj)   \
  do {                           \
    double t_ = (double)(v) - (cj); \
    (a) += t_ * t_;              \
  } while (0)
#define NN__RST_SUMEXPD(a, v, cj) (a) += exp((v) - (cj))

NN__RCOL(nn__rcol_sum_i32, int32_t, uint64_t, NN__RST_ISUM)
NN__RCOL(nn__rcol_sum_i64, int64_t, uint64_t, NN__RST_ISUM)
NN__RCOL(nn__rcol_sum_u8, uint8_t, uint64_t, NN__RST_USUM)
NN__RCOL(nn__rcol_sum_b, uint8_t, uint64_t, NN__RST_BSUM)
NN__RCOL(nn__rcol_prod_f32, float, double, NN__RST_FPROD)
NN__RCOL(nn__rcol_prod_f64, double, double, NN__RST_FPROD)
NN__RCOL(nn__rcol_prod_i32, int32_t, uint64_t, NN__RST_IPROD)
NN__RCOL(nn__rcol_prod_i64, int64_t, uint64_t, NN__RST_IPROD)
NN__RCOL(nn__rcol_prod_u8, uint8_t, uint64_t, NN__RST_UPROD)
NN__RCOL(nn__rcol_prod_b, uint8_t, uint64_t, NN__RST_BPROD)
#if NN__RVEXT
/* NaN-propagating column min/max: a lane takes v when v is better or NaN; a NaN accumulator then stays. */
#define NN__RCOL_FMINMAX(NAME, T, VT, MT, W, LD, ST, SEL, CMP)                                            \
  NN__PRIVATE void NAME(int64_t m, int64_t nrows, int64_t rs, void *vacc, const void *vx, const double *c) { \
    T *acc = (T *)vacc;                                                                                   \
    const T *x = (const T *)vx;                                                                           \
    int64_t r = 0, j;                                                                                     \
    (void)c;                                                                                              \
    for (; r + 4 <= nrows; r += 4) { /* combine four rows, then the accumulator */                        \
      const T *x0 = x + r * rs, *x1 = x0 + rs, *x2 = x1 + rs, *x3 = x2 + rs;                              \
      for (j = 0; j + (W) <= m; j += (W)) {                                                               \
        VT a = LD(acc + j), v0 = LD(x0 + j), v1 = LD(x1 + j), v2 = LD(x2 + j), v3 = LD(x3 + j);           \
        v0 = SEL((v1 CMP v0) | (v1 != v1), v1, v0);                                                       \
        v2 = SEL((v3 CMP v2) | (v3 != v3), v3, v2);                                                       \
        v0 = SEL((v2 CMP v0) | (v2 != v2), v2, v0);                                                       \
        ST(acc + j, SEL((v0 CMP a) | (v0 != v0), v0, a));                                                 \
      }                                                                                                   \
      for (; j < m; j++) {                                                                                \
        T a = acc[j];                                                                                     \
        a = (x0[j] CMP a || x0[j] != x0[j]) ? x0[j] : a;                                                  \
        a = (x1[j] CMP a || x1[j] != x1[j]) ? x1[j] : a;                                                  \
        a = (x2[j] CMP a || x2[j] != x2[j]) ? x2[j] : a;                                                  \
        acc[j] = (x3[j] CMP a || x3[j] != x3[j]) ? x3[j] : a;                                             \
      }                                                                                                   \
    }                                                                                                     \
    for (; r < nrows; r++) {                                                                              \
      const T *x0 = x + r * rs;                                                                           \
      for (j = 0; j + (W) <= m; j += (W)) {                                                               \
        VT a = LD(acc + j), v0 = LD(x0 + j);                                                              \
        ST(acc + j, SEL((v0 CMP a) | (v0 != v0), v0, a));                                                 \
      }                                                                                                   \
      for (; j < m; j++) acc[j] = (x0[j] CMP acc[j] || x0[j] != x0[j]) ? x0[j] : acc[j];                  \
    }                                                                                                     \
  }
NN__RCOL_FMINMAX(nn__rcol_min_f32, float, nn__rv4f, nn__rv4i, 4, nn__rld4f, nn__rst4f, nn__rsel4f, <)
NN__RCOL_FMINMAX(nn__rcol_max_f32, float, nn__rv4f, nn__rv4i, 4, nn__rld4f, nn__rst4f, nn__rsel4f, >)
NN__RCOL_FMINMAX(nn__rcol_min_f64, double, nn__rv2d, nn__rv2l, 2, nn__rld2d, nn__rst2d, nn__rsel2d, <)
NN__RCOL_FMINMAX(nn__rcol_max_f64, double, nn__rv2d, nn__rv2l, 2, nn__rld2d, nn__rst2d, nn__rsel2d, >)
#else
NN__RCOL(nn__rcol_min_f32, float, float, NN__RST_FMIN)
NN__RCOL(nn__rcol_max_f32, float, float, NN__RST_FMAX)
NN__RCOL(nn__rcol_min_f64, double, double, NN__RST_FMIN)
NN__RCOL(nn__rcol_max_f64, double, double, NN__RST_FMAX)
#endif
NN__RCOL(nn__rcol_min_i32, int32_t, int32_t, NN__RST_IMIN)
NN__RCOL(nn__rcol_max_i32, int32_t, int32_t, NN__RST_IMAX)
NN__RCOL(nn__rcol_min_i64, int64_t, int64_t, NN__RST_IMIN)
NN__RCOL(nn__rcol_max_i64, int64_t, int64_t, NN__RST_IMAX)
NN__RCOL(nn__rcol_min_u8, uint8_t, uint8_t, NN__RST_IMIN)
NN__RCOL(nn__rcol_max_u8, uint8_t, uint8_t, NN__RST_IMAX)
NN__RCOL(nn__rcol_any_f32, float, uint8_t, NN__RST_ANY)
NN__RCOL(nn__rcol_any_f64, double, uint8_t, NN__RST_ANY)
NN__RCOL(nn__rcol_any_i32, int32_t, uint8_t, NN__RST_ANY)
NN__RCOL(nn__rcol_any_i64, int64_t, uint8_t, NN__RST_ANY)
NN__RCOL(nn__rcol_any_u8, uint8_t, uint8_t, NN__RST_ANY)
NN__RCOL(nn__rcol_all_f32, float, uint8_t, NN__RST_ALL)
NN__RCOL(nn__rcol_all_f64, double, uint8_t, NN__RST_ALL)
NN__RCOL(nn__rcol_all_i32, int32_t, uint8_t, NN__RST_ALL)
NN__RCOL(nn__rcol_all_i64, int64_t, uint8_t, NN__RST_ALL)
NN__RCOL(nn__rcol_all_u8, uint8_t, uint8_t, NN__RST_ALL)
NN__RCOL(nn__rcol_sqdev_f64, double, double, NN__RST_SQDEV)
NN__RCOL(nn__rcol_sumexp_f64, double, double, NN__RST_SUMEXPD)

/* float32 centered column sums: the centers are rounded to float once per call; each row's terms are computed in
   float (vectorized) and summed in float over groups of 64 rows, and the group sums go to the double accumulators. */
NN__PRIVATE void nn__rcol_centered_f32(int64_t m, int64_t nrows, int64_t rs, double *acc, const float *x,
                                       const double *c, int is_exp) {
  float cf[NN__RBLOCK], t[NN__RBLOCK];
  int64_t j0, j, r, g;
  for (j0 = 0; j0 < m; j0 += NN__RBLOCK) {
    int64_t w = m - j0 < NN__RBLOCK ? m - j0 : NN__RBLOCK;
    for (j = 0; j < w; j++) cf[j] = (float)c[j0 + j];
    for (r = 0; r < nrows; r = g) {
      g = nrows - r < 64 ? nrows : r + 64;
      memset(t, 0, (size_t)w * sizeof(float));
      for (; r < g; r++) {
        const float *xr = x + r * rs + j0;
        j = 0;
#if NN__RVEXT
        for (; j + 4 <= w; j += 4) {
          nn__rv4f d = nn__rld4f(xr + j) - nn__rld4f(cf + j);
          nn__rst4f(t + j, nn__rld4f(t + j) + (is_exp ? nn__rvexp4f(d) : d * d));
        }
#endif
        for (; j < w; j++) {
          float d = xr[j] - cf[j];
          t[j] += is_exp ? expf(d) : d * d;
        }
      }
      for (j = 0; j < w; j++) acc[j0 + j] += (double)t[j];
    }
  }
}
NN__PRIVATE void nn__rcol_sqdev_f32(int64_t m, int64_t nrows, int64_t rs, void *acc, const void *x, const double *c) {
  nn__rcol_centered_f32(m, nrows, rs, (double *)acc, (const float *)x, c, 0);
}
NN__PRIVATE void nn__rcol_sumexp_f32(int64_t m, int64_t nrows, int64_t rs, void *acc, const void *x, const double *c) {
  nn__rcol_centered_f32(m, nrows, rs, (double *)acc, (const float *)x, c, 1);
}

/* bool min/max: truth values. */
#define NN__RST_BMIN(a, v, cj) (a) = (uint8_t)((a) & ((v) != 0))
#define NN__RST_BMAX(a, v, cj) (a) = (uint8_t)((a) | ((v) != 0))
NN__RCOL(nn__rcol_min_b, uint8_t, uint8_t, NN__RST_BMIN)
NN__RCOL(nn__rcol_max_b, uint8_t, uint8_t, NN__RST_BMAX)

/* [kind][dtype]; arg kinds have no column form (the caller copies to rows instead). */
static const nn__rcol_fn nn__rcol_table[NN__RK_COUNT][NN_DTYPE_COUNT] = {
    {nn__rcol_sum_f32, nn__rcol_sum_f64, nn__rcol_sum_i32, nn__rcol_sum_i64, nn__rcol_sum_u8, nn__rcol_sum_b},
    {nn__rcol_prod_f32, nn__rcol_prod_f64, nn__rcol_prod_i32, nn__rcol_prod_i64, nn__rcol_prod_u8, nn__rcol_prod_b},
    {nn__rcol_min_f32, nn__rcol_min_f64, nn__rcol_min_i32, nn__rcol_min_i64, nn__rcol_min_u8, nn__rcol_min_b},
    {nn__rcol_max_f32, nn__rcol_max_f64, nn__rcol_max_i32, nn__rcol_max_i64, nn__rcol_max_u8, nn__rcol_max_b},
    {nn__rcol_any_f32, nn__rcol_any_f64, nn__rcol_any_i32, nn__rcol_any_i64, nn__rcol_any_u8, nn__rcol_any_u8},
    {nn__rcol_all_f32, nn__rcol_all_f64, nn__rcol_all_i32, nn__rcol_all_i64, nn__rcol_all_u8, nn__rcol_all_u8},
    {nn__rcol_sqdev_f32, nn__rcol_sqdev_f64, NULL, NULL, NULL, NULL},
    {nn__rcol_sumexp_f32, nn__rcol_sumexp_f64, NULL, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

/* Arg-min / arg-max down columns: rows r0, r0+1, ... update the best value and its row index per column (strictly
   better values only, so the first occurrence wins; the first NaN wins and then stays). vals/idx start at the
   identity (see nn__rcolarg_init) so any first row replaces them. */
typedef void (*nn__rcolarg_fn)(int64_t m, int64_t nrows, int64_t rs, int64_t r0, int64_t *idx, void *vals,
                               const void *x);
#define NN__RCOLARG(NAME, T, VT, CV, BETTER)                                                                   \
  NN__PRIVATE void NAME(int64_t m, int64_t nrows, int64_t rs, int64_t r0, int64_t *idx, void *vvals,         \
                        const void *vx) {                                                                    \
    VT *vals = (VT *)vvals;                                                                                  \
    const T *x = (const T *)vx;                                                                              \
    int64_t r, j;                                                                                            \
    for (r = 0; r < nrows; r++, x += rs)                                                                     \
      for (j = 0; j < m; j++) {                                                                              \
        VT v = (VT)CV(x[j]), b = vals[j];                                                                    \
        if (BETTER(v, b) || (v != v && b == b)) {                                                            \
          vals[j] = v;                                                                                       \
          idx[j] = r0 + r;                                                                                   \
        }                                                                                                    \
      }                                                                                                      \
  }
#define NN__RCV_ID(v) (v)
#define NN__RCV_TRUTH(v) ((v) != 0)
#if NN__RVEXT
/* float32 with vectors: row numbers are kept as int32 lanes next to the values (rows beyond 2^31 go scalar). */
#define NN__RCOLARG_F32(NAME, CMP)                                                                             \
  NN__PRIVATE void NAME(int64_t m, int64_t nrows, int64_t rs, int64_t r0, int64_t *idx, void *vvals,         \
                        const void *vx) {                                                                    \
    float *vals = (float *)vvals;                                                                            \
    const float *x = (const float *)vx;                                                                      \
    int32_t li[1024];                                                                                         \
    int64_t j0, j, r;                                                                                        \
    if (nrows >= INT32_MAX) {                                                                                \
      for (r = 0; r < nrows; r++, x += rs)                                                                   \
        for (j = 0; j < m; j++) {                                                                            \
          float v = x[j], b = vals[j];                                                                       \
          if (v CMP b || (v != v && b == b)) {                                                               \
            vals[j] = v;                                                                                     \
            idx[j] = r0 + r;                                                                                 \
          }                                                                                                  \
        }                                                                                                    \
      return;                                                                                                \
    }                                                                                                        \
    for (j0 = 0; j0 < m; j0 += 1024) {                                                                       \
      int64_t w = m - j0 < 1024 ? m - j0 : 1024;                                                             \
      float *vb = vals + j0;                                                                                 \
      for (j = 0; j < w; j++) li[j] = -1;                                                                    \
      for (r = 0; r < nrows; r++) {                                                                          \
        const float *xr = x + r * rs + j0;                                                                   \
        nn__rv4i rv = {(int32_t)r, (int32_t)r, (int32_t)r, (int32_t)r};                                       \
        for (j = 0; j + 4 <= w; j += 4) {                                                                    \
          nn__rv4f v = nn__rld4f(xr + j), b = nn__rld4f(vb + j);                                                \
          nn__rv4i k = (v CMP b) | ((v != v) & (b == b)), l;                                                  \
          memcpy(&l, li + j, sizeof l);                                                                      \
          l = (l & ~k) | (rv & k);                                                                           \
          memcpy(li + j, &l, sizeof l);                                                                      \
          nn__rst4f(vb + j, nn__rsel4f(k, v, b));                                                              \
        }                                                                                                    \
        for (; j < w; j++) {                                                                                 \
          float v = xr[j], b = vb[j];                                                                        \
          if (v CMP b || (v != v && b == b)) {                                                               \
            vb[j] = v;                                                                                       \
            li[j] = (int32_t)r;                                                                              \
          }                                                                                                  \
        }                                                                                                    \
      }                                                                                                      \
      for (j = 0; j < w; j++)                                                                                \
        if (li[j] >= 0) idx[j0 + j] = r0 + li[j];                                                            \
    }                                                                                                        \
  }
NN__RCOLARG_F32(nn__rcolarg_min_f32, <)
NN__RCOLARG_F32(nn__rcolarg_max_f32, >)
#else
NN__RCOLARG(nn__rcolarg_min_f32, float, float, NN__RCV_ID, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_f32, float, float, NN__RCV_ID, NN__RGT)
#endif
NN__RCOLARG(nn__rcolarg_min_f64, double, double, NN__RCV_ID, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_f64, double, double, NN__RCV_ID, NN__RGT)
NN__RCOLARG(nn__rcolarg_min_i32, int32_t, int32_t, NN__RCV_ID, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_i32, int32_t, int32_t, NN__RCV_ID, NN__RGT)
NN__RCOLARG(nn__rcolarg_min_i64, int64_t, int64_t, NN__RCV_ID, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_i64, int64_t, int64_t, NN__RCV_ID, NN__RGT)
NN__RCOLARG(nn__rcolarg_min_u8, uint8_t, uint8_t, NN__RCV_ID, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_u8, uint8_t, uint8_t, NN__RCV_ID, NN__RGT)
NN__RCOLARG(nn__rcolarg_min_b, uint8_t, uint8_t, NN__RCV_TRUTH, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_b, uint8_t, uint8_t, NN__RCV_TRUTH, NN__RGT)

/* [0: argmin, 1: argmax][dtype] */
static const nn__rcolarg_fn nn__rcolarg_table[2][NN_DTYPE_COUNT] = {
    {nn__rcolarg_min_f32, nn__rcolarg_min_f64, nn__rcolarg_min_i32, nn__rcolarg_min_i64, nn__rcolarg_min_u8,
     nn__rcolarg_min_b},
    {nn__rcolarg_max_f32, nn__rcolarg_max_f64, nn__rcolarg_max_i32, nn__rcolarg_max_i64, nn__rcolarg_max_u8,
     nn__rcolarg_max_b},
};

/* Identity of an arg column accumulator: index 0 and a value every element (or NaN) replaces, or equals. */
NN__PRIVATE void nn__rcolarg_init(int want_max, nn_dtype dt, int64_t *idx, void *vals, int64_t m) {
  int64_t j;
  memset(idx, 0, (size_t)m * sizeof(int64_t));
  switch (dt) {
    case NN_FLOAT32:
      for (j = 0; j < m; j++) ((float *)vals)[j] = want_max ? -INFINITY : INFINITY;
      break;
    case NN_FLOAT64:
      for (j = 0; j < m; j++) ((double *)vals)[j] = want_max ? -INFINITY : INFINITY;
      break;
    case NN_INT32:
      for (j = 0; j < m; j++) ((int32_t *)vals)[j] = want_max ? INT32_MIN : INT32_MAX;
      break;
    case NN_INT64:
      for (j = 0; j < m; j++) ((int64_t *)vals)[j] = want_max ? INT64_MIN : INT64_MAX;
      break;
    case NN_UINT8: memset(vals, want_max ? 0 : 0xff, (size_t)m); break;
    default: memset(vals, want_max ? 0 : 1, (size_t)m); break;
  }
}

/* The accumulator dtype of a column kernel (NN_INT64 holds the wrapping uint64_t sums/products). */
NN__PRIVATE nn_dtype nn__rcol_acc_dtype(nn__rkind k, nn_dtype dt) {
  switch (k) {
    case NN__RK_SUM: return nn__is_float(dt) ? dt : NN_INT64;
    case NN__RK_PROD: return nn__is_float(dt) ? NN_FLOAT64 : NN_INT64;
    case NN__RK_MIN:
    case NN__RK_MAX: return dt;
    case NN__RK_ANY:
    case NN__RK_ALL: return NN_BOOL;
    default: return NN_FLOAT64;
  }
}

/* Fills acc[0..m) (of the accumulator dtype for kind k over dtype dt) with the identity of the reduction. */
NN__PRIVATE void nn__rcol_init(nn__rkind k, nn_dtype dt, void *acc, int64_t m) {
  nn_dtype at = nn__rcol_acc_dtype(k, dt);
  int64_t j;
  if (k == NN__RK_SUM || k == NN__RK_SQDEV || k == NN__RK_SUMEXP || k == NN__RK_ANY) {
    memset(acc, 0, (size_t)m * nn_dtype_size(at));
    return;
  }
  if (k == NN__RK_ALL || (k == NN__RK_MIN && at == NN_BOOL)) {
    memset(acc, 1, (size_t)m);
    return;
  }
  switch (at) {
    case NN_FLOAT32: {
      float v = k == NN__RK_MIN ? INFINITY : -INFINITY;
      for (j = 0; j < m; j++) ((float *)acc)[j] = v;
      break;
    }
    case NN_FLOAT64: {
      double v = k == NN__RK_PROD ? 1.0 : k == NN__RK_MIN ? INFINITY : -INFINITY;
      for (j = 0; j < m; j++) ((double *)acc)[j] = v;
      break;
    }
    case NN_INT32: {
      int32_t v = k == NN__RK_MIN ? INT32_MAX : INT32_MIN;
      for (j = 0; j < m; j++) ((int32_t *)acc)[j] = v;
      break;
    }
    case NN_INT64: {
      int64_t v = k == NN__RK_PROD ? 1 : k == NN__RK_MIN ? INT64_MAX : INT64_MIN;
      for (j = 0; j < m; j++) ((int64_t *)acc)[j] = v;
      break;
    }
    default: /* uint8 and bool min/max */
      memset(acc, k == NN__RK_MIN ? 0xff : 0, (size_t)m);
      break;
  }
}

/* ---------------------------------------------------------------------------------------------------------- */
/* cumulative sums and products                                                                                */
/* ---------------------------------------------------------------------------------------------------------- */

/* One contiguous line: o[i] = x[0] op ... op x[i]. In-place (o == x) is fine. */
#define NN__RCUM_LINE(NAME, T, AT, OP)                             \
  NN__PRIVATE void NAME(int64_t n, T *o, const T *x) {            \
    AT a = (AT)x[0];                                              \
    int64_t i;                                                    \
    o[0] = x[0];                                                  \
    for (i = 1; i < n; i++) {                                     \
      a = a OP(AT) x[i];                                          \
      o[i] = (T)a;                                                \
    }                                                             \
  }
/* Next row of a scan across rows: o[j] = prev[j] op x[j]. */
#define NN__RCUM_ROW(NAME, T, AT, OP)                                      \
  NN__PRIVATE void NAME(int64_t m, T *o, const T *prev, const T *x) {     \
    int64_t j;                                                            \
    for (j = 0; j < m; j++) o[j] = (T)((AT)prev[j] OP(AT) x[j]);          \
  }
NN__RCUM_LINE(nn__rcumsum_line_f32, float, float, +)
NN__RCUM_LINE(nn__rcumsum_line_f64, double, double, +)
NN__RCUM_LINE(nn__rcumsum_line_i64, int64_t, uint64_t, +)
NN__RCUM_LINE(nn__rcumprod_line_f32, float, float, *)
NN__RCUM_LINE(nn__rcumprod_line_f64, double, double, *)
NN__RCUM_LINE(nn__rcumprod_line_i64, int64_t, uint64_t, *)
#if NN__RVEXT
NN__PRIVATE void nn__rcumsum_row_f32(int64_t m, float *o, const float *prev, const float *x) {
  int64_t j = 0;
  for (; j + 8 <= m; j += 8) {
    nn__rst4f(o + j, nn__rld4f(prev + j) + nn__rld4f(x + j));
    nn__rst4f(o + j + 4, nn__rld4f(prev + j + 4) + nn__rld4f(x + j + 4));
  }
  for (; j < m; j++) o[j] = prev[j] + x[j];
}
NN__PRIVATE void nn__rcumsum_row_f64(int64_t m, double *o, const double *prev, const double *x) {
  int64_t j = 0;
  for (; j + 4 <= m; j += 4) {
    nn__rst2d(o + j, nn__rld2d(prev + j) + nn__rld2d(x + j));
    nn__rst2d(o + j + 2, nn__rld2d(prev + j + 2) + nn__rld2d(x + j + 2));
  }
  for (; j < m; j++) o[j] = prev[j] + x[j];
}
#else
NN__RCUM_ROW(nn__rcumsum_row_f32, float, float, +)
NN__RCUM_ROW(nn__rcumsum_row_f64, double, double, +)
#endif
NN__RCUM_ROW(nn__rcumsum_row_i64, int64_t, uint64_t, +)
NN__RCUM_ROW(nn__rcumprod_row_f32, float, float, *)
NN__RCUM_ROW(nn__rcumprod_row_f64, double, double, *)
NN__RCUM_ROW(nn__rcumprod_row_i64, int64_t, uint64_t, *)

/* ---------------------------------------------------------------------------------------------------------- */
/* softmax / log_softmax                                                                                       */
/* ---------------------------------------------------------------------------------------------------------- */

/* One contiguous row of n >= 1 elements; o may equal x. Softmax shifts by the max (NaN if the max is not finite,
   like scipy); log_softmax shifts by the max, or 0 when it is not finite (scipy.special.log_softmax). */
NN__PRIVATE void nn__rsoftmax_row_f32(int64_t n, float *o, const float *x, int logsm) {
  const nn__vec_table *vt = nn__kernels();
  float m;
  if (!logsm && vt->softmax_f32) {
    vt->softmax_f32(n, o, x);
    return;
  }
  if (logsm && vt->log_softmax_f32) {
    vt->log_softmax_f32(n, o, x);
    return;
  }
  m = nn__rminmax_f32(n, x, 1);
  if (logsm) {
    if (!isfinite(m)) m = 0;
    nn__rsub2_f32(n, o, x, m, (float)log(nn__rexpsum_f32(n, NULL, x, m)));
  } else {
    nn__rscale_f32(n, o, o, (float)(1.0 / nn__rexpsum_f32(n, o, x, m)));
  }
}

NN__PRIVATE void nn__rsoftmax_row_f64(int64_t n, double *o, const double *x, int logsm) {
  double m = nn__rminmax_f64(n, x, 1), s0 = 0, s1 = 0;
  int64_t i = 0;
  if (logsm) {
    double ls;
    if (!isfinite(m)) m = 0;
    for (; i + 2 <= n; i += 2) {
      s0 += exp(x[i] - m);
      s1 += exp(x[i + 1] - m);
    }
    for (; i < n; i++) s0 += exp(x[i] - m);
    ls = log(s0 + s1);
    for (i = 0; i < n; i++) o[i] = (x[i] - m) - ls;
  } else {
    double inv;
    for (; i + 2 <= n; i += 2) {
      double e0 = exp(x[i] - m), e1 = exp(x[i + 1] - m);
      o[i] = e0;
      o[i + 1] = e1;
      s0 += e0;
      s1 += e1;
    }
    for (; i < n; i++) {
      o[i] = exp(x[i] - m);
      s0 += o[i];
    }
    inv = 1.0 / (s0 + s1);
    for (i = 0; i < n; i++) o[i] *= inv;
  }
}

/* Softmax down the columns of an n x m block (rows rs elements apart in both x and o): each of the m columns is
   normalized over its n entries. mb and sb are scratch of m doubles. o may equal x. */
#define NN__RSOFTMAX_COLS(NAME, T, EXPROW)                                                                  \
  NN__PRIVATE void NAME(int64_t n, int64_t m, int64_t rs, T *o, const T *x, int logsm, double *mb, double *sb) { \
    int64_t i, j;                                                                                          \
    for (j = 0; j < m; j++) {                                                                              \
      mb[j] = (double)x[j];                                                                                \
      sb[j] = 0;                                                                                           \
    }                                                                                                      \
    for (i = 1; i < n; i++) {                                                                              \
      const T *xr = x + i * rs;                                                                            \
      for (j = 0; j < m; j++) {                                                                            \
        double v = (double)xr[j];                                                                          \
        mb[j] = (v > mb[j] || v != v) ? v : mb[j];                                                         \
      }                                                                                                    \
    }                                                                                                      \
    if (logsm)                                                                                             \
      for (j = 0; j < m; j++)                                                                              \
        if (!isfinite(mb[j])) mb[j] = 0;                                                                   \
    EXPROW                                                                                                 \
    if (logsm)                                                                                             \
      for (j = 0; j < m; j++) sb[j] = log(sb[j]);                                                          \
    else                                                                                                   \
      for (j = 0; j < m; j++) sb[j] = 1.0 / sb[j];                                                         \
    for (i = 0; i < n; i++) {                                                                              \
      const T *xr = x + i * rs;                                                                            \
      T *orow = o + i * rs;                                                                                \
      if (logsm)                                                                                           \
        for (j = 0; j < m; j++) orow[j] = (xr[j] - (T)mb[j]) - (T)sb[j];                                   \
      else                                                                                                 \
        for (j = 0; j < m; j++) orow[j] *= (T)sb[j];                                                       \
    }                                                                                                      \
  }
/* exp(x - max) of every row into o (softmax) or a scratch row (log_softmax), summed into sb */
#define NN__RSM_EXPROW_F64                                                                                  \
  for (i = 0; i < n; i++) {                                                                                \
    const double *xr = x + i * rs;                                                                         \
    double *orow = o + i * rs;                                                                             \
    for (j = 0; j < m; j++) {                                                                              \
      double e = exp(xr[j] - mb[j]);                                                                       \
      if (!logsm) orow[j] = e;                                                                             \
      sb[j] += e;                                                                                          \
    }                                                                                                      \
  }
/* float32 columns (m <= NN__RBLOCK): max with the vector column kernel, exp in float, sums in float over groups of
   64 rows folded into double. */
NN__PRIVATE void nn__rsoftmax_cols_f32(int64_t n, int64_t m, int64_t rs, float *o, const float *x, int logsm,
                                      double *mb, double *sb) {
  float mf[NN__RBLOCK], part[NN__RBLOCK], t[NN__RBLOCK];
  int64_t i, j, g;
  memcpy(mf, x, (size_t)m * sizeof(float));
  nn__rcol_max_f32(m, n - 1, rs, mf, x + rs, NULL);
  for (j = 0; j < m; j++) {
    if (logsm && !isfinite(mf[j])) mf[j] = 0;
    sb[j] = 0;
  }
  for (i = 0; i < n; i = g) {
    g = n - i < 64 ? n : i + 64;
    memset(part, 0, (size_t)m * sizeof(float));
    for (; i < g; i++) {
      const float *xr = x + i * rs;
      float *e = logsm ? t : o + i * rs;
      j = 0;
#if NN__RVEXT
      for (; j + 4 <= m; j += 4) {
        nn__rv4f ev = nn__rvexp4f(nn__rld4f(xr + j) - nn__rld4f(mf + j));
        nn__rst4f(e + j, ev);
        nn__rst4f(part + j, nn__rld4f(part + j) + ev);
      }
#endif
      for (; j < m; j++) {
        e[j] = expf(xr[j] - mf[j]);
        part[j] += e[j];
      }
    }
    for (j = 0; j < m; j++) sb[j] += (double)part[j];
  }
  /* part: the per-column scale 1/sum (softmax) or log(sum) (log_softmax: (x - max) - log(sum)) */
  for (j = 0; j < m; j++) part[j] = logsm ? (float)log(sb[j]) : (float)(1.0 / sb[j]);
  (void)mb;
  for (i = 0; i < n; i++) {
    const float *xr = x + i * rs;
    float *orow = o + i * rs;
    j = 0;
#if NN__RVEXT
    if (logsm)
      for (; j + 4 <= m; j += 4) nn__rst4f(orow + j, (nn__rld4f(xr + j) - nn__rld4f(mf + j)) - nn__rld4f(part + j));
    else
      for (; j + 4 <= m; j += 4) nn__rst4f(orow + j, nn__rld4f(orow + j) * nn__rld4f(part + j));
#endif
    for (; j < m; j++) orow[j] = logsm ? (xr[j] - mf[j]) - part[j] : orow[j] * part[j];
  }
}
NN__RSOFTMAX_COLS(nn__rsoftmax_cols_f64, double, NN__RSM_EXPROW_F64)
/* ---- end src/kernels/reduce_scalar.c ---- */
/* ---- begin src/kernels/gemm.c ---- */
/* kernels/gemm.c: matrix products, C = alpha * op(A) op(B) + beta * C, row-major, op(X) = X or X^T.

   Blocked path (the BLIS/GotoBLAS scheme, with op(A) read in place):

     parallel over chunks = (block of rows of C) x (group of NR-column micro-panels of C):
       for each K slice [p0, p0 + kc):                    beta applies to the first slice only
         pack op(B)[p0:p0+kc, group columns] into NR-column micro-panels (kc x NR each, zero padded)
         for each MR = 6 row panel of the block:          op(A) rows read in place, MR x kc reused from L1/L2
           for each micro-panel of the group:             the packed group (kc x cols, <= 512 KiB) stays in L2
             micro-kernel: one MR x NR tile of C

   op(A) is never packed: the micro-kernel reads element (i, p) at a[i * rsa + p * csa], which covers A and A^T
   with any leading dimension. op(B) is packed by the chunk that uses it, so one fork-join covers the whole product
   and no chunk waits on another; row blocks (which re-pack their B) are only formed when the columns give too few
   chunks. A block of at most 96 rows reads an untransposed B in place too (a packed copy would be read only a few
   times). Chunks are formed from the sizes only and K is never split across chunks, so every element of C is summed
   in the same order for any thread count (bit-identical results).

   Micro-kernels: AVX-512 (6 x 64 floats, 6 x 32 doubles) and AVX2+FMA (6 x 16, 6 x 8) from the template
   kernels/gemm_ukr.inc, each also in narrower widths (down to one vector) for the last columns, and portable C
   (6 x 16, 6 x 8). Edge tiles go through a scratch tile. The instruction set is picked once per process from
   CPUID; NN_FORCE_SCALAR in the environment (or building with NN_NO_SIMD) forces the portable kernels.

   Tiny products (M*N*K < NN__GEMM_SMALL) and matrix-vector shapes (M == 1 or N == 1) take direct loops.
   These kernels know nothing about tensors or error messages: they return 0, or -1 when a buffer cannot be
   allocated (nothing is leaked). */

/* ---- block sizes ---- */
#define NN__GEMM_MR 6                   /* rows of every register tile */
#define NN__GEMM_NRMAX 64               /* the widest register tile (AVX-512 float) */
#define NN__GEMM_GROUP_BYTES (512 << 10) /* bound on a chunk's packed B (kc x group columns), kept in L2 */
#define NN__GEMM_CHUNKS 8               /* aim for this many chunks (column groups x row blocks) */
#define NN__GEMM_MIN_ROWS 256           /* a row block is not cut shorter than this (each block re-packs its B) */
#define NN__GEMM_BDIRECT_ROWS 96        /* row blocks up to this size read an untransposed B in place */
#define NN__GEMM_MAX_SLOTS 64           /* packing buffers in flight at once (one per running chunk) */
#define NN__GEMM_SMALL (10 * 10 * 10)   /* M*N*K below this: direct loops (measured: packing wins from ~12^3 up) */
#define NN__GEMM_DIRECT_GRAIN (1 << 18) /* multiply-adds per parallel chunk in the direct loops */
#define NN__GEMM_ROWBLK 1024            /* accumulator length of the direct loops */

/* ---- micro-kernels ---- */

/* One MR x NR tile: c[i*ldc + j] (i < MR, j < NR) = alpha * sum_p a[i*rsa + p*csa] * b[p*ldbp + j] + beta * c[...]
   with alpha = ab[0], beta = ab[1]; beta == 0: c is not read. b is a kc x NR micro-panel of op(B), packed (ldbp =
   NR) or B itself; rows of a at or past mr are not read (the tile's rows from mr on are then meaningless). pfo: a
   prefetch hint for SIMD kernels (0: none; see kernels/gemm_ukr.inc). */
typedef void (*nn__sgemm_ukr_fn)(int64_t kc, const float *a, int64_t rsa, int64_t csa, const float *b, int64_t ldbp,
                                 float *c, int64_t ldc, int mr, const float *ab, int64_t pfo);
typedef void (*nn__dgemm_ukr_fn)(int64_t kc, const double *a, int64_t rsa, int64_t csa, const double *b,
                                 int64_t ldbp, double *c, int64_t ldc, int mr, const double *ab, int64_t pfo);
/* Packs op(B)[0:kc, 0:nc] into NR-column micro-panels: bp[q*kc + p*NR + j] = op(B)(p, q + j), zero past nc. */
typedef void (*nn__sgemm_packb_fn)(int tb, const float *B, int64_t ldb, int64_t kc, int64_t nc, float *bp);
typedef void (*nn__dgemm_packb_fn)(int tb, const double *B, int64_t ldb, int64_t kc, int64_t nc, double *bp);

/* One instruction set's kernels and block sizes. */
typedef struct nn__sgemm_cfg {
  int nr;                  /* columns of the widest register tile and of a packed micro-panel */
  int w;                   /* columns per vector: ukr[v - 1] computes tiles v * w columns wide (v * w <= nr) */
  int64_t kc;              /* longest K slice */
  nn__sgemm_ukr_fn ukr[4];
  nn__sgemm_packb_fn packb;
} nn__sgemm_cfg;
typedef struct nn__dgemm_cfg {
  int nr, w;
  int64_t kc;
  nn__dgemm_ukr_fn ukr[4];
  nn__dgemm_packb_fn packb;
} nn__dgemm_cfg;

/* Portable body (MR = 6, NR columns): six accumulator rows with constant trip counts, which compilers keep in
   vector registers. */
#define NN__GEMM_UKR_C(T, NR)                                                                                    \
  const T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);                              \
  const T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0), *a5 = a + (mr > 5 ? 5 * rsa : 0); \
  T c0[NR], c1[NR], c2[NR], c3[NR], c4[NR], c5[NR];                                                             \
  int64_t p, o = 0;                                                                                             \
  int i, j;                                                                                                     \
  for (j = 0; j < NR; j++) {                                                                                    \
    c0[j] = 0;                                                                                                  \
    c1[j] = 0;                                                                                                  \
    c2[j] = 0;                                                                                                  \
    c3[j] = 0;                                                                                                  \
    c4[j] = 0;                                                                                                  \
    c5[j] = 0;                                                                                                  \
  }                                                                                                             \
  for (p = 0; p < kc; p++, o += csa) {                                                                          \
    const T *bp = b + p * ldbp;                                                                                 \
    T x0 = a0[o], x1 = a1[o], x2 = a2[o], x3 = a3[o], x4 = a4[o], x5 = a5[o];                                   \
    for (j = 0; j < NR; j++) {                                                                                  \
      T bj = bp[j];                                                                                             \
      c0[j] += x0 * bj;                                                                                         \
      c1[j] += x1 * bj;                                                                                         \
      c2[j] += x2 * bj;                                                                                         \
      c3[j] += x3 * bj;                                                                                         \
      c4[j] += x4 * bj;                                                                                         \
      c5[j] += x5 * bj;                                                                                         \
    }                                                                                                           \
  }                                                                                                             \
  for (i = 0; i < 6; i++) {                                                                                     \
    const T *r = i == 0 ? c0 : i == 1 ? c1 : i == 2 ? c2 : i == 3 ? c3 : i == 4 ? c4 : c5;                      \
    T *ci = c + i * ldc;                                                                                        \
    if (ab[1] == 0)                                                                                             \
      for (j = 0; j < NR; j++) ci[j] = ab[0] * r[j];                                                            \
    else                                                                                                        \
      for (j = 0; j < NR; j++) ci[j] = ab[0] * r[j] + ab[1] * ci[j];                                            \
  }

/* Portable packing of op(B) into NR-column micro-panels. */
#define NN__GEMM_PACKB_C(T, NR)                                            \
  int64_t q, p;                                                            \
  int j;                                                                   \
  for (q = 0; q < nc; q += NR) {                                           \
    int nr = (int)(nc - q < NR ? nc - q : NR);                             \
    T *dst = bp + q * kc;                                                  \
    for (p = 0; p < kc; p++) {                                             \
      const T *src = tb ? B + q * ldb + p : B + p * ldb + q;               \
      int64_t sj = tb ? ldb : 1;                                           \
      for (j = 0; j < nr; j++) dst[p * NR + j] = src[j * sj];              \
      for (; j < NR; j++) dst[p * NR + j] = 0;                             \
    }                                                                      \
  }

NN__PRIVATE void nn__sgemm_ukr_c(int64_t kc, const float *a, int64_t rsa, int64_t csa, const float *b, int64_t ldbp,
                                 float *c, int64_t ldc, int mr, const float *ab, int64_t pfo) {
  (void)pfo;
  NN__GEMM_UKR_C(float, 16)
}
NN__PRIVATE void nn__dgemm_ukr_c(int64_t kc, const double *a, int64_t rsa, int64_t csa, const double *b,
                                 int64_t ldbp, double *c, int64_t ldc, int mr, const double *ab, int64_t pfo) {
  (void)pfo;
  NN__GEMM_UKR_C(double, 8)
}
NN__PRIVATE void nn__sgemm_packb_c(int tb, const float *B, int64_t ldb, int64_t kc, int64_t nc, float *bp) {
  NN__GEMM_PACKB_C(float, 16)
}
NN__PRIVATE void nn__dgemm_packb_c(int tb, const double *B, int64_t ldb, int64_t kc, int64_t nc, double *bp) {
  NN__GEMM_PACKB_C(double, 8)
}

/* Plain-C transposing packers (see nn__sgemm_packbt_x86): dst[p*NR + j] = B[j*ldb + p], zero past nr. */
#define NN__GEMM_PACKBT_C(T)                                                   \
  int64_t p;                                                                   \
  int j;                                                                       \
  for (p = 0; p < kc; p++) {                                                   \
    for (j = 0; j < nr; j++) dst[p * NR + j] = B[j * ldb + p];                 \
    for (; j < NR; j++) dst[p * NR + j] = 0;                                   \
  }
NN__PRIVATE void nn__sgemm_packbt_c(const float *B, int64_t ldb, int64_t kc, int nr, int NR, float *dst) {
  NN__GEMM_PACKBT_C(float)
}
NN__PRIVATE void nn__dgemm_packbt_c(const double *B, int64_t ldb, int64_t kc, int nr, int NR, double *dst) {
  NN__GEMM_PACKBT_C(double)
}

#if NN__SIMD_BASE
/* The portable micro-kernels in generic 16-byte vectors (GCC/Clang vector extensions): the same template as the
   x86 kernels, compiled for the baseline instruction set (SSE2 on x86-64, NEON on arm64), with the same packing as
   the plain C kernels (6 x 16 floats, 6 x 8 doubles). */
#define NN__GEMM_VEXT 1
#define NN__GEMM_VFN static __inline__ __attribute__((always_inline, unused))
typedef float nn__gemm_v4f __attribute__((vector_size(16)));
typedef double nn__gemm_v2d __attribute__((vector_size(16)));
NN__GEMM_VFN nn__gemm_v4f nn__gemm_v4f_set1(float x) {
  nn__gemm_v4f v = {x, x, x, x};
  return v;
}
NN__GEMM_VFN nn__gemm_v4f nn__gemm_v4f_load(const float *p) {
  nn__gemm_v4f v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__GEMM_VFN void nn__gemm_v4f_store(float *p, nn__gemm_v4f v) { memcpy(p, &v, sizeof v); }
NN__GEMM_VFN nn__gemm_v2d nn__gemm_v2d_set1(double x) {
  nn__gemm_v2d v = {x, x};
  return v;
}
NN__GEMM_VFN nn__gemm_v2d nn__gemm_v2d_load(const double *p) {
  nn__gemm_v2d v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__GEMM_VFN void nn__gemm_v2d_store(double *p, nn__gemm_v2d v) { memcpy(p, &v, sizeof v); }

#define NN__UK_T float
#define NN__UK_V nn__gemm_v4f
#define NN__UK_W 4
#define NN__UK_NRP 16
#define NN__UK_TARGET
#define NN__UK_ZERO() nn__gemm_v4f_set1(0.0f)
#define NN__UK_LOAD(p) nn__gemm_v4f_load(p)
#define NN__UK_STORE(p, v) nn__gemm_v4f_store(p, v)
#define NN__UK_SET1(x) nn__gemm_v4f_set1(x)
#define NN__UK_FMA(a, b, c) ((a) * (b) + (c))
#define NN__UK_MUL(a, b) ((a) * (b))
#define NN__UK_PACKBT nn__sgemm_packbt_c
#define NN__UK_UKR nn__sgemm_ukr_v_4
#define NN__UK_NV 4
#define NN__UK_PACKB nn__sgemm_packb_v
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__sgemm_ukr_v_3
#define NN__UK_NV 3
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__sgemm_ukr_v_2
#define NN__UK_NV 2
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__sgemm_ukr_v_1
#define NN__UK_NV 1
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
/* ---- begin src/kernels/gemm_ukr_end.inc ---- */
/* kernels/gemm_ukr_end.inc: undefines the per-type, per-instruction-set parameters of kernels/gemm_ukr.inc after the
   last micro-kernel of a family. */
#undef NN__UK_T
#undef NN__UK_V
#undef NN__UK_W
#undef NN__UK_NRP
#undef NN__UK_TARGET
#undef NN__UK_ZERO
#undef NN__UK_LOAD
#undef NN__UK_STORE
#undef NN__UK_SET1
#undef NN__UK_FMA
#undef NN__UK_MUL
#undef NN__UK_PACKBT
/* ---- end src/kernels/gemm_ukr_end.inc ---- */

#define NN__UK_T double
#define NN__UK_V nn__gemm_v2d
#define NN__UK_W 2
#define NN__UK_NRP 8
#define NN__UK_TARGET
#define NN__UK_ZERO() nn__gemm_v2d_set1(0.0)
#define NN__UK_LOAD(p) nn__gemm_v2d_load(p)
#define NN__UK_STORE(p, v) nn__gemm_v2d_store(p, v)
#define NN__UK_SET1(x) nn__gemm_v2d_set1(x)
#define NN__UK_FMA(a, b, c) ((a) * (b) + (c))
#define NN__UK_MUL(a, b) ((a) * (b))
#define NN__UK_PACKBT nn__dgemm_packbt_c
#define NN__UK_UKR nn__dgemm_ukr_v_4
#define NN__UK_NV 4
#define NN__UK_PACKB nn__dgemm_packb_v
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__dgemm_ukr_v_3
#define NN__UK_NV 3
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__dgemm_ukr_v_2
#define NN__UK_NV 2
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__dgemm_ukr_v_1
#define NN__UK_NV 1
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
/* ---- begin src/kernels/gemm_ukr_end.inc ---- */
/* kernels/gemm_ukr_end.inc: undefines the per-type, per-instruction-set parameters of kernels/gemm_ukr.inc after the
   last micro-kernel of a family. */
#undef NN__UK_T
#undef NN__UK_V
#undef NN__UK_W
#undef NN__UK_NRP
#undef NN__UK_TARGET
#undef NN__UK_ZERO
#undef NN__UK_LOAD
#undef NN__UK_STORE
#undef NN__UK_SET1
#undef NN__UK_FMA
#undef NN__UK_MUL
#undef NN__UK_PACKBT
/* ---- end src/kernels/gemm_ukr_end.inc ---- */
#endif /* vector extensions */

#if defined(NN__X86)
#define NN__GEMM_T_AVX2 __attribute__((target("avx2,fma")))
#define NN__GEMM_T_AVX512 __attribute__((target("avx512f,avx2,fma")))

/* Transposing packers for op(B) = B^T: dst[p*NR + j] = B[j*ldb + p] for j < nr, zero for nr <= j < NR. Whole 8 x 8
   (float) or 4 x 4 (double) blocks are transposed in registers, a block row of dst at a time so that dst is written
   in whole lines and the source lines of the panel's rows stay in L1 between consecutive block rows. */
NN__PRIVATE NN__GEMM_T_AVX2 void nn__sgemm_packbt_x86(const float *B, int64_t ldb, int64_t kc, int nr, int NR,
                                                      float *dst) {
  int64_t p, kc8 = kc & ~(int64_t)7;
  int j, jj, nr8 = nr & ~7;
  for (p = 0; p < kc8; p += 8) {
    float *d = dst + p * NR;
    for (j = 0; j < nr8; j += 8) {
      const float *s = B + j * ldb + p;
      __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ldb), r2 = _mm256_loadu_ps(s + 2 * ldb);
      __m256 r3 = _mm256_loadu_ps(s + 3 * ldb), r4 = _mm256_loadu_ps(s + 4 * ldb);
      __m256 r5 = _mm256_loadu_ps(s + 5 * ldb), r6 = _mm256_loadu_ps(s + 6 * ldb);
      __m256 r7 = _mm256_loadu_ps(s + 7 * ldb);
      __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3);
      __m256 t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
      __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
      __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
      __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
      __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
      __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
      _mm256_storeu_ps(d + j, _mm256_permute2f128_ps(u0, u4, 0x20));
      _mm256_storeu_ps(d + NR + j, _mm256_permute2f128_ps(u1, u5, 0x20));
      _mm256_storeu_ps(d + 2 * NR + j, _mm256_permute2f128_ps(u2, u6, 0x20));
      _mm256_storeu_ps(d + 3 * NR + j, _mm256_permute2f128_ps(u3, u7, 0x20));
      _mm256_storeu_ps(d + 4 * NR + j, _mm256_permute2f128_ps(u0, u4, 0x31));
      _mm256_storeu_ps(d + 5 * NR + j, _mm256_permute2f128_ps(u1, u5, 0x31));
      _mm256_storeu_ps(d + 6 * NR + j, _mm256_permute2f128_ps(u2, u6, 0x31));
      _mm256_storeu_ps(d + 7 * NR + j, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
    for (jj = 0; jj < 8; jj++) {
      for (j = nr8; j < nr; j++) d[jj * NR + j] = B[j * ldb + p + jj];
      for (j = nr; j < NR; j++) d[jj * NR + j] = 0;
    }
  }
  for (; p < kc; p++) {
    for (j = 0; j < nr; j++) dst[p * NR + j] = B[j * ldb + p];
    for (j = nr; j < NR; j++) dst[p * NR + j] = 0;
  }
}
NN__PRIVATE NN__GEMM_T_AVX2 void nn__dgemm_packbt_x86(const double *B, int64_t ldb, int64_t kc, int nr, int NR,
                                                      double *dst) {
  int64_t p, kc4 = kc & ~(int64_t)3;
  int j, jj, nr4 = nr & ~3;
  for (p = 0; p < kc4; p += 4) {
    double *d = dst + p * NR;
    for (j = 0; j < nr4; j += 4) {
      const double *s = B + j * ldb + p;
      __m256d r0 = _mm256_loadu_pd(s), r1 = _mm256_loadu_pd(s + ldb);
      __m256d r2 = _mm256_loadu_pd(s + 2 * ldb), r3 = _mm256_loadu_pd(s + 3 * ldb);
      __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
      __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
      _mm256_storeu_pd(d + j, _mm256_permute2f128_pd(t0, t2, 0x20));
      _mm256_storeu_pd(d + NR + j, _mm256_permute2f128_pd(t1, t3, 0x20));
      _mm256_storeu_pd(d + 2 * NR + j, _mm256_permute2f128_pd(t0, t2, 0x31));
      _mm256_storeu_pd(d + 3 * NR + j, _mm256_permute2f128_pd(t1, t3, 0x31));
    }
    for (jj = 0; jj < 4; jj++) {
      for (j = nr4; j < nr; j++) d[jj * NR + j] = B[j * ldb + p + jj];
      for (j = nr; j < NR; j++) d[jj * NR + j] = 0;
    }
  }
  for (; p < kc; p++) {
    for (j = 0; j < nr; j++) dst[p * NR + j] = B[j * ldb + p];
    for (j = nr; j < NR; j++) dst[p * NR + j] = 0;
  }
}

/* AVX-512: tiles of 6 x 16/32/48/64 floats and 6 x 8/16/24/32 doubles */
#define NN__UK_T float
#define NN__UK_V __m512
#define NN__UK_W 16
#define NN__UK_NRP 64
#define NN__UK_TARGET NN__GEMM_T_AVX512
#define NN__UK_ZERO() _mm512_setzero_ps()
#define NN__UK_LOAD(p) _mm512_loadu_ps(p)
#define NN__UK_STORE(p, v) _mm512_storeu_ps(p, v)
#define NN__UK_SET1(x) _mm512_set1_ps(x)
#define NN__UK_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define NN__UK_MUL(a, b) _mm512_mul_ps(a, b)
#define NN__UK_PACKBT nn__sgemm_packbt_x86
#define NN__UK_UKR nn__sgemm_ukr_avx512_4
#define NN__UK_NV 4
#define NN__UK_PACKB nn__sgemm_packb_avx512
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__sgemm_ukr_avx512_3
#define NN__UK_NV 3
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__sgemm_ukr_avx512_2
#define NN__UK_NV 2
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__sgemm_ukr_avx512_1
#define NN__UK_NV 1
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
/* ---- begin src/kernels/gemm_ukr_end.inc ---- */
/* kernels/gemm_ukr_end.inc: undefines the per-type, per-instruction-set parameters of kernels/gemm_ukr.inc after the
   last micro-kernel of a family. */
#undef NN__UK_T
#undef NN__UK_V
#undef NN__UK_W
#undef NN__UK_NRP
#undef NN__UK_TARGET
#undef NN__UK_ZERO
#undef NN__UK_LOAD
#undef NN__UK_STORE
#undef NN__UK_SET1
#undef NN__UK_FMA
#undef NN__UK_MUL
#undef NN__UK_PACKBT
/* ---- end src/kernels/gemm_ukr_end.inc ---- */

#define NN__UK_T double
#define NN__UK_V __m512d
#define NN__UK_W 8
#define NN__UK_NRP 32
#define NN__UK_TARGET NN__GEMM_T_AVX512
#define NN__UK_ZERO() _mm512_setzero_pd()
#define NN__UK_LOAD(p) _mm512_loadu_pd(p)
#define NN__UK_STORE(p, v) _mm512_storeu_pd(p, v)
#define NN__UK_SET1(x) _mm512_set1_pd(x)
#define NN__UK_FMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define NN__UK_MUL(a, b) _mm512_mul_pd(a, b)
#define NN__UK_PACKBT nn__dgemm_packbt_x86
#define NN__UK_UKR nn__dgemm_ukr_avx512_4
#define NN__UK_NV 4
#define NN__UK_PACKB nn__dgemm_packb_avx512
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__dgemm_ukr_avx512_3
#define NN__UK_NV 3
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__dgemm_ukr_avx512_2
#define NN__UK_NV 2
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__dgemm_ukr_avx512_1
#define NN__UK_NV 1
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
/* ---- begin src/kernels/gemm_ukr_end.inc ---- */
/* kernels/gemm_ukr_end.inc: undefines the per-type, per-instruction-set parameters of kernels/gemm_ukr.inc after the
   last micro-kernel of a family. */
#undef NN__UK_T
#undef NN__UK_V
#undef NN__UK_W
#undef NN__UK_NRP
#undef NN__UK_TARGET
#undef NN__UK_ZERO
#undef NN__UK_LOAD
#undef NN__UK_STORE
#undef NN__UK_SET1
#undef NN__UK_FMA
#undef NN__UK_MUL
#undef NN__UK_PACKBT
/* ---- end src/kernels/gemm_ukr_end.inc ---- */

/* AVX2+FMA: tiles of 6 x 8/16 floats and 6 x 4/8 doubles */
#define NN__UK_T float
#define NN__UK_V __m256
#define NN__UK_W 8
#define NN__UK_NRP 16
#define NN__UK_TARGET NN__GEMM_T_AVX2
#define NN__UK_ZERO() _mm256_setzero_ps()
#define NN__UK_LOAD(p) _mm256_loadu_ps(p)
#define NN__UK_STORE(p, v) _mm256_storeu_ps(p, v)
#define NN__UK_SET1(x) _mm256_set1_ps(x)
#define NN__UK_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define NN__UK_MUL(a, b) _mm256_mul_ps(a, b)
#define NN__UK_PACKBT nn__sgemm_packbt_x86
#define NN__UK_UKR nn__sgemm_ukr_avx2_2
#define NN__UK_NV 2
#define NN__UK_PACKB nn__sgemm_packb_avx2
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__sgemm_ukr_avx2_1
#define NN__UK_NV 1
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
/* ---- begin src/kernels/gemm_ukr_end.inc ---- */
/* kernels/gemm_ukr_end.inc: undefines the per-type, per-instruction-set parameters of kernels/gemm_ukr.inc after the
   last micro-kernel of a family. */
#undef NN__UK_T
#undef NN__UK_V
#undef NN__UK_W
#undef NN__UK_NRP
#undef NN__UK_TARGET
#undef NN__UK_ZERO
#undef NN__UK_LOAD
#undef NN__UK_STORE
#undef NN__UK_SET1
#undef NN__UK_FMA
#undef NN__UK_MUL
#undef NN__UK_PACKBT
/* ---- end src/kernels/gemm_ukr_end.inc ---- */

#define NN__UK_T double
#define NN__UK_V __m256d
#define NN__UK_W 4
#define NN__UK_NRP 8
#define NN__UK_TARGET NN__GEMM_T_AVX2
#define NN__UK_ZERO() _mm256_setzero_pd()
#define NN__UK_LOAD(p) _mm256_loadu_pd(p)
#define NN__UK_STORE(p, v) _mm256_storeu_pd(p, v)
#define NN__UK_SET1(x) _mm256_set1_pd(x)
#define NN__UK_FMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define NN__UK_MUL(a, b) _mm256_mul_pd(a, b)
#define NN__UK_PACKBT nn__dgemm_packbt_x86
#define NN__UK_UKR nn__dgemm_ukr_avx2_2
#define NN__UK_NV 2
#define NN__UK_PACKB nn__dgemm_packb_avx2
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
#define NN__UK_UKR nn__dgemm_ukr_avx2_1
#define NN__UK_NV 1
/* ---- begin src/kernels/gemm_ukr.inc ---- */
/* kernels/gemm_ukr.inc: one SIMD micro-kernel (and, when asked, the B packing routine of its instruction set), a
   template that kernels/gemm.c includes once per (element type, instruction set, tile width). Per instance (this
   file undefines them at its end):
     NN__UK_UKR                 name of the micro-kernel
     NN__UK_NV                  vectors per row of the register tile (1 to 4): the tile is NV * W columns wide
     NN__UK_PACKB               name of the B packing routine (optional: only defined once per type and set)
   Per type and instruction set (left defined for the next instance):
     NN__UK_T                   element type (float or double)
     NN__UK_V, NN__UK_W         vector type and its number of lanes
     NN__UK_NRP                 columns of a packed micro-panel (the widest tile of the set, for NN__UK_PACKB)
     NN__UK_TARGET              the target attribute of the functions
     NN__UK_ZERO() NN__UK_LOAD(p) NN__UK_STORE(p, v) NN__UK_SET1(x) NN__UK_FMA(a, b, c) NN__UK_MUL(a, b)
     NN__UK_PACKBT              the transposing panel packer used when op(B) = B^T (with NN__UK_PACKB)

   The register tile is MR = 6 rows by NV vectors: 6 * NV accumulators, NV vectors of B and one broadcast of A.
   With NV = 4 that is 24 + 4 + 1 of the 32 AVX-512 registers, with NV = 2 it is 12 + 2 + 1 of the 16 AVX2 ones;
   the narrower tiles serve the last columns of a product whose width is not a multiple of the widest tile. Each
   step of k loads one row of the B micro-panel, broadcasts op(A)(i, p) for the six rows and issues 6 * NV fused
   multiply-adds. op(A) is read in place: element (i, p) at a[i * rsa + p * csa], so a row-major A (rsa = lda,
   csa = 1) and a transposed one (rsa = 1, csa = lda) need no packing. */

#define NN__UK_NR (NN__UK_NV * NN__UK_W)

/* NN__UK_IFv(x): x when the tile has more than v vectors */
#if NN__UK_NV > 1
#define NN__UK_IF1(...) __VA_ARGS__
#else
#define NN__UK_IF1(...)
#endif
#if NN__UK_NV > 2
#define NN__UK_IF2(...) __VA_ARGS__
#else
#define NN__UK_IF2(...)
#endif
#if NN__UK_NV > 3
#define NN__UK_IF3(...) __VA_ARGS__
#else
#define NN__UK_IF3(...)
#endif

#define NN__UK_LOADB(off)                                 \
  b0 = NN__UK_LOAD(b + (off));                            \
  NN__UK_IF1(b1 = NN__UK_LOAD(b + (off) + NN__UK_W);)     \
  NN__UK_IF2(b2 = NN__UK_LOAD(b + (off) + 2 * NN__UK_W);) \
  NN__UK_IF3(b3 = NN__UK_LOAD(b + (off) + 3 * NN__UK_W);)
#define NN__UK_ROW(x, r0, r1, r2, r3)     \
  t = NN__UK_SET1(x);                     \
  r0 = NN__UK_FMA(t, b0, r0);             \
  NN__UK_IF1(r1 = NN__UK_FMA(t, b1, r1);) \
  NN__UK_IF2(r2 = NN__UK_FMA(t, b2, r2);) \
  NN__UK_IF3(r3 = NN__UK_FMA(t, b3, r3);)
#define NN__UK_APPLY(F, i, r0, r1, r2, r3) \
  F(i, 0, r0);                             \
  NN__UK_IF1(F(i, 1, r1);)                 \
  NN__UK_IF2(F(i, 2, r2);)                 \
  NN__UK_IF3(F(i, 3, r3);)
#define NN__UK_DECL(v) \
  NN__UK_V c0##v = NN__UK_ZERO(), c1##v = NN__UK_ZERO(), c2##v = NN__UK_ZERO(), c3##v = NN__UK_ZERO(), \
           c4##v = NN__UK_ZERO(), c5##v = NN__UK_ZERO(), b##v;

/* one step of k: B row at b + boff, A column at offset o of the six row pointers */
#define NN__UK_STEP(o, boff)                 \
  NN__UK_LOADB(boff);                        \
  NN__UK_ROW(a0[o], c00, c01, c02, c03);     \
  NN__UK_ROW(a1[o], c10, c11, c12, c13);     \
  NN__UK_ROW(a2[o], c20, c21, c22, c23);     \
  NN__UK_ROW(a3[o], c30, c31, c32, c33);     \
  NN__UK_ROW(a4[o], c40, c41, c42, c43);     \
  NN__UK_ROW(a5[o], c50, c51, c52, c53)

/* writers of one vector of the finished tile: C = alpha acc, C = alpha acc + beta C */
#define NN__UK_PUT0(i, v, r) NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_MUL(va, r))
#define NN__UK_PUTB(i, v, r) \
  NN__UK_STORE(c + (i) * ldc + (v) * NN__UK_W, NN__UK_FMA(vb, NN__UK_LOAD(c + (i) * ldc + (v) * NN__UK_W), NN__UK_MUL(va, r)))
#define NN__UK_ALLROWS(F)                       \
  NN__UK_APPLY(F, 0, c00, c01, c02, c03);       \
  NN__UK_APPLY(F, 1, c10, c11, c12, c13);       \
  NN__UK_APPLY(F, 2, c20, c21, c22, c23);       \
  NN__UK_APPLY(F, 3, c30, c31, c32, c33);       \
  NN__UK_APPLY(F, 4, c40, c41, c42, c43);       \
  NN__UK_APPLY(F, 5, c50, c51, c52, c53)

/* C[0:6, 0:NR] = alpha * op(A)[0:6, 0:kc] * Bpanel + beta * C with alpha = ab[0], beta = ab[1] (beta == 0: C is
   not read). Bpanel is kc x NR at b with rows ldbp apart (a packed micro-panel: ldbp = NR); rows of op(A) at or past mr are not read (their results are
   garbage: the caller passes a scratch tile for edge tiles). alpha and beta come through memory so that they do not
   hold two vector registers across the loop, which made GCC spill accumulators. pfo != 0 (only with csa == 1):
   the rows pfo elements further on (the next row panel) are prefetched along the way, a line per row each time
   the loop enters a new line; op(A) streamed from memory otherwise stalls the first pass over each panel. */
NN__PRIVATE NN__UK_TARGET void NN__UK_UKR(int64_t kc, const NN__UK_T *a, int64_t rsa, int64_t csa, const NN__UK_T *b,
                                          int64_t ldbp, NN__UK_T *c, int64_t ldc, int mr, const NN__UK_T *ab,
                                          int64_t pfo) {
  const NN__UK_T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);
  const NN__UK_T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0);
  const NN__UK_T *a5 = a + (mr > 5 ? 5 * rsa : 0);
  NN__UK_DECL(0)
  NN__UK_IF1(NN__UK_DECL(1))
  NN__UK_IF2(NN__UK_DECL(2))
  NN__UK_IF3(NN__UK_DECL(3))
  NN__UK_V t, va, vb;
  int64_t p, o = 0, l;
  int i;
  /* the C tile is only needed at the end: start fetching it now */
  for (i = 0; i < 6; i++)
    for (l = 0; l < NN__UK_NR; l += 64 / (int64_t)sizeof(NN__UK_T)) __builtin_prefetch((const void *)(c + i * ldc + l), 0, 3);
  for (p = 0; p + 1 < kc; p += 2) {
    if (pfo && (o & (64 / (int64_t)sizeof(NN__UK_T) - 1)) == 0) {
      /* one line of each row of the next row panel (csa == 1 only) */
      __builtin_prefetch((const void *)(a0 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a1 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a2 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a3 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a4 + pfo + o), 0, 3);
      __builtin_prefetch((const void *)(a5 + pfo + o), 0, 3);
    }
    NN__UK_STEP(o, 0);
    NN__UK_STEP(o + csa, ldbp);
    o += 2 * csa;
    b += 2 * ldbp;
  }
  if (p < kc) {
    NN__UK_STEP(o, 0);
  }
  va = NN__UK_SET1(ab[0]);
  if (ab[1] == 0) {
    NN__UK_ALLROWS(NN__UK_PUT0);
  } else {
    vb = NN__UK_SET1(ab[1]);
    NN__UK_ALLROWS(NN__UK_PUTB);
  }
}

#if defined(NN__UK_PACKB)
/* Packs op(B)[0:kc, 0:nc] (B points at its first element) into NR-column micro-panels, each kc x NR and zero
   padded past nc: bp[q * kc + p * NR + j] = op(B)(p, q + j) for panel start q. */
NN__PRIVATE NN__UK_TARGET void NN__UK_PACKB(int tb, const NN__UK_T *B, int64_t ldb, int64_t kc, int64_t nc,
                                            NN__UK_T *bp) {
  int64_t q, p;
  for (q = 0; q < nc; q += NN__UK_NRP) {
    int nr = (int)(nc - q < NN__UK_NRP ? nc - q : NN__UK_NRP);
    NN__UK_T *dst = bp + q * kc;
    if (tb) {
      NN__UK_PACKBT(B + q * ldb, ldb, kc, nr, NN__UK_NRP, dst);
    } else if (nr == NN__UK_NRP) {
      const NN__UK_T *src = B + q;
      for (p = 0; p < kc; p++) {
        int v;
        for (v = 0; v < NN__UK_NRP; v += NN__UK_W) NN__UK_STORE(dst + p * NN__UK_NRP + v, NN__UK_LOAD(src + p * ldb + v));
      }
    } else {
      const NN__UK_T *src = B + q;
      int j;
      for (p = 0; p < kc; p++) {
        for (j = 0; j < nr; j++) dst[p * NN__UK_NRP + j] = src[p * ldb + j];
        for (; j < NN__UK_NRP; j++) dst[p * NN__UK_NRP + j] = 0;
      }
    }
  }
}
#endif

#undef NN__UK_NR
#undef NN__UK_NRP
#undef NN__UK_IF1
#undef NN__UK_IF2
#undef NN__UK_IF3
#undef NN__UK_DECL
#undef NN__UK_LOADB
#undef NN__UK_ROW
#undef NN__UK_APPLY
#undef NN__UK_STEP
#undef NN__UK_PUT0
#undef NN__UK_PUTB
#undef NN__UK_ALLROWS
#undef NN__UK_UKR
#undef NN__UK_NV
#undef NN__UK_PACKB
/* ---- end src/kernels/gemm_ukr.inc ---- */
/* ---- begin src/kernels/gemm_ukr_end.inc ---- */
/* kernels/gemm_ukr_end.inc: undefines the per-type, per-instruction-set parameters of kernels/gemm_ukr.inc after the
   last micro-kernel of a family. */
#undef NN__UK_T
#undef NN__UK_V
#undef NN__UK_W
#undef NN__UK_NRP
#undef NN__UK_TARGET
#undef NN__UK_ZERO
#undef NN__UK_LOAD
#undef NN__UK_STORE
#undef NN__UK_SET1
#undef NN__UK_FMA
#undef NN__UK_MUL
#undef NN__UK_PACKBT
/* ---- end src/kernels/gemm_ukr_end.inc ---- */
#endif /* NN__X86 */

/* Instruction sets: 0 portable C, 1 AVX2+FMA, 2 AVX-512F. */
enum { NN__GEMM_ISA_C = 0, NN__GEMM_ISA_AVX2 = 1, NN__GEMM_ISA_AVX512 = 2 };

/* The best instruction set this CPU runs (NN_FORCE_SCALAR in the environment: portable C). */
NN__PRIVATE int nn__gemm_isa_max(void) {
  int isa = NN__GEMM_ISA_C;
#if defined(NN__X86)
  if (!getenv("NN_FORCE_SCALAR")) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) isa = NN__GEMM_ISA_AVX512;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) isa = NN__GEMM_ISA_AVX2;
  }
#endif
  return isa;
}

/* The instruction set in use, decided once; nn__gemm_set_isa lowers it (tests and benchmarks run every kernel). */
static volatile int nn__gemm_isa_cached = -1;
NN__PRIVATE int nn__gemm_isa(void) {
  int isa = nn__gemm_isa_cached;
  if (isa < 0) {
    isa = nn__gemm_isa_max();
    nn__gemm_isa_cached = isa;
  }
  return isa;
}
/* Uses instruction set isa (clamped to what the CPU runs); a negative isa restores the default. Returns the set in use. */
NN__PRIVATE int nn__gemm_set_isa(int isa) {
  int mx = nn__gemm_isa_max();
  nn__gemm_isa_cached = isa < 0 || isa > mx ? mx : isa;
  return nn__gemm_isa_cached;
}

/* Block sizes per instruction set: kc * NR * sizeof(T) = 128 KiB for the SIMD kernels (one micro-panel of B streamed
   from L2 per row panel), and an MR x kc panel of op(A) of 12 KiB (float) or 24 KiB (double) reused from L1. */
NN__PRIVATE void nn__sgemm_get_cfg(int isa, nn__sgemm_cfg *cfg) {
  cfg->nr = cfg->w = 16;
  cfg->kc = 512;
  cfg->ukr[0] = cfg->ukr[1] = cfg->ukr[2] = cfg->ukr[3] = nn__sgemm_ukr_c;
  cfg->packb = nn__sgemm_packb_c;
#if defined(NN__GEMM_VEXT)
  cfg->w = 4;
  cfg->ukr[0] = nn__sgemm_ukr_v_1;
  cfg->ukr[1] = nn__sgemm_ukr_v_2;
  cfg->ukr[2] = nn__sgemm_ukr_v_3;
  cfg->ukr[3] = nn__sgemm_ukr_v_4;
  cfg->packb = nn__sgemm_packb_v;
#endif
#if defined(NN__X86)
  if (isa == NN__GEMM_ISA_AVX512) {
    cfg->nr = 64;
    cfg->w = 16;
    cfg->ukr[0] = nn__sgemm_ukr_avx512_1;
    cfg->ukr[1] = nn__sgemm_ukr_avx512_2;
    cfg->ukr[2] = nn__sgemm_ukr_avx512_3;
    cfg->ukr[3] = nn__sgemm_ukr_avx512_4;
    cfg->packb = nn__sgemm_packb_avx512;
  } else if (isa == NN__GEMM_ISA_AVX2) {
    cfg->nr = 16;
    cfg->w = 8;
    cfg->ukr[0] = nn__sgemm_ukr_avx2_1;
    cfg->ukr[1] = cfg->ukr[2] = cfg->ukr[3] = nn__sgemm_ukr_avx2_2;
    cfg->packb = nn__sgemm_packb_avx2;
  }
#else
  (void)isa;
#endif
}
NN__PRIVATE void nn__dgemm_get_cfg(int isa, nn__dgemm_cfg *cfg) {
  cfg->nr = cfg->w = 8;
  cfg->kc = 512;
  cfg->ukr[0] = cfg->ukr[1] = cfg->ukr[2] = cfg->ukr[3] = nn__dgemm_ukr_c;
  cfg->packb = nn__dgemm_packb_c;
#if defined(NN__GEMM_VEXT)
  cfg->w = 2;
  cfg->ukr[0] = nn__dgemm_ukr_v_1;
  cfg->ukr[1] = nn__dgemm_ukr_v_2;
  cfg->ukr[2] = nn__dgemm_ukr_v_3;
  cfg->ukr[3] = nn__dgemm_ukr_v_4;
  cfg->packb = nn__dgemm_packb_v;
#endif
#if defined(NN__X86)
  if (isa == NN__GEMM_ISA_AVX512) {
    cfg->nr = 32;
    cfg->w = 8;
    cfg->ukr[0] = nn__dgemm_ukr_avx512_1;
    cfg->ukr[1] = nn__dgemm_ukr_avx512_2;
    cfg->ukr[2] = nn__dgemm_ukr_avx512_3;
    cfg->ukr[3] = nn__dgemm_ukr_avx512_4;
    cfg->packb = nn__dgemm_packb_avx512;
  } else if (isa == NN__GEMM_ISA_AVX2) {
    cfg->nr = 8;
    cfg->w = 4;
    cfg->ukr[0] = nn__dgemm_ukr_avx2_1;
    cfg->ukr[1] = cfg->ukr[2] = cfg->ukr[3] = nn__dgemm_ukr_avx2_2;
    cfg->packb = nn__dgemm_packb_avx2;
  }
#else
  (void)isa;
#endif
}

/* Packing buffers. Consecutive GEMM calls reuse one cached buffer (allocating and freeing a few MiB per call costs
   page faults comparable to the arithmetic of a 256^3 product); a call that finds it in use by another thread
   allocates its own. The cache holds at most the largest buffer a call needed (one 512 KiB slot per thread) for the
   life of the process. */
static void *nn__gemm_cache = NULL;
static size_t nn__gemm_cache_bytes = 0;
static long nn__gemm_cache_busy = 0;

/* Returns a 64-byte aligned buffer of at least nbytes, or NULL; *cached says which kind to give back. The cache
   needs a real atomic counter, so other compilers always allocate. */
#if defined(__GNUC__) || defined(__clang__)
#define NN__GEMM_CACHE_TAKE() (__atomic_add_fetch(&nn__gemm_cache_busy, 1, __ATOMIC_ACQ_REL) == 1)
#define NN__GEMM_CACHE_DROP() ((void)__atomic_add_fetch(&nn__gemm_cache_busy, -1, __ATOMIC_ACQ_REL))
#else
#define NN__GEMM_CACHE_TAKE() 0
#define NN__GEMM_CACHE_DROP() ((void)0)
#endif
NN__PRIVATE void *nn__gemm_buf_get(size_t nbytes, int *cached) {
  *cached = 0;
  if (NN__GEMM_CACHE_TAKE()) {
    if (nn__gemm_cache_bytes < nbytes) {
      nn__dealloc(nn__gemm_cache);
      nn__gemm_cache = nn__alloc(nbytes);
      nn__gemm_cache_bytes = nn__gemm_cache ? nbytes : 0;
    }
    if (nn__gemm_cache) {
      *cached = 1;
      return nn__gemm_cache;
    }
  }
  NN__GEMM_CACHE_DROP();
  return nn__alloc(nbytes);
}

NN__PRIVATE void nn__gemm_buf_put(void *p, int cached) {
  if (cached) NN__GEMM_CACHE_DROP();
  else nn__dealloc(p);
}

/* Which direct loop computes a small or matrix-vector product:
   0: dot products (rows of op(A) and columns of op(B) both contiguous, or one of them a single vector),
   1: rows, C[i, :] += op(A)(i, p) * B[p, :] (B not transposed), 2: columns, C[:, j] += op(B)(p, j) * A[p, :]. */
enum { NN__GEMM_DOT = 0, NN__GEMM_ROWS = 1, NN__GEMM_COLS = 2 };
NN__PRIVATE int nn__gemm_direct_form(int ta, int tb, int64_t M, int64_t N) {
  if ((tb || N == 1) && (!ta || M == 1)) return NN__GEMM_DOT;
  if (!tb && N > 1) return NN__GEMM_ROWS;
  return NN__GEMM_COLS;
}

/* The direct loops' parallel split: *split_rows and the chunk length *blk; returns the number of chunks. It depends
   on the sizes only. The row and column loops stream long contiguous runs, so they are not cut shorter than
   NN__GEMM_ROWBLK along the contiguous dimension. */
NN__PRIVATE int64_t nn__gemm_direct_split(int form, int64_t M, int64_t N, int64_t K, int *split_rows, int64_t *blk) {
  double nch = (double)M * (double)N * (double)K / NN__GEMM_DIRECT_GRAIN;
  int64_t len, n, minblk = 1;
  if (form == NN__GEMM_DOT) *split_rows = M >= N;
  else if (form == NN__GEMM_ROWS) *split_rows = M > 1;
  else *split_rows = N == 1;
  if ((form == NN__GEMM_ROWS && !*split_rows) || (form == NN__GEMM_COLS && *split_rows)) minblk = NN__GEMM_ROWBLK;
  len = *split_rows ? M : N;
  n = nch < 1 ? 1 : nch > 64 ? 64 : (int64_t)nch;
  *blk = (len + n - 1) / n;
  if (*blk < minblk) *blk = minblk;
  return (len + *blk - 1) / *blk;
}

/* Chunks of the blocked path, from the sizes only: K slices of *kc (equal, <= kcmax), groups of *ppc micro-panels
   of NR columns (*ncg groups) and blocks of *rpb row panels (*nrb blocks). */
NN__PRIVATE void nn__gemm_plan(int64_t M, int64_t N, int64_t K, int nr, int64_t kcmax, size_t esize, int64_t *kc,
                               int64_t *ppc, int64_t *ncg, int64_t *rpb, int64_t *nrb) {
  int64_t nsl = (K + kcmax - 1) / kcmax, npan = (N + nr - 1) / nr, nrp = (M + NN__GEMM_MR - 1) / NN__GEMM_MR;
  int64_t maxppc, want;
  *kc = (K + nsl - 1) / nsl;
  /* column groups: at most GROUP_BYTES of packed B each, and about CHUNKS of them when there are enough panels */
  maxppc = (int64_t)(NN__GEMM_GROUP_BYTES / ((size_t)nr * (size_t)*kc * esize));
  if (maxppc < 1) maxppc = 1;
  *ppc = npan / NN__GEMM_CHUNKS;
  if (*ppc < 1) *ppc = 1;
  if (*ppc > maxppc) *ppc = maxppc;
  *ncg = (npan + *ppc - 1) / *ppc;
  /* row blocks only when the columns give too few chunks, and never shorter than MIN_ROWS rows */
  want = (NN__GEMM_CHUNKS + *ncg - 1) / *ncg;
  *nrb = M / NN__GEMM_MIN_ROWS;
  if (*nrb > want) *nrb = want;
  if (*nrb < 1) *nrb = 1;
  *rpb = (nrp + *nrb - 1) / *nrb;
  *nrb = (nrp + *rpb - 1) / *rpb;
}

/* Packing-buffer slots of one product: a running chunk holds one; there are never more chunks running than
   threads, and never more slots than chunks. */
NN__PRIVATE int nn__gemm_nslots(int64_t nchunks) {
  int n = nn_get_num_threads();
#if !defined(NN_NO_THREADS)
  if (nn__in_worker) n = 1; /* a nested product runs on this thread only */
#endif
  if (n > NN__GEMM_MAX_SLOTS) n = NN__GEMM_MAX_SLOTS;
  if (n > nchunks) n = (int)nchunks;
  return n < 1 ? 1 : n;
}
NN__PRIVATE int nn__gemm_slot_take(int64_t *busy, int nslots) {
#if defined(NN_NO_THREADS)
  (void)busy;
  (void)nslots;
  return 0;
#else
  int s;
  for (;;) {
    for (s = 0; s < nslots; s++)
      if (nn__load_acq(&busy[s]) == 0) {
        if (nn__fetch_add(&busy[s], 1) == 0) return s;
        nn__fetch_add(&busy[s], -1);
      }
    nn__pause(); /* only if the thread count changed during the call */
  }
#endif
}
NN__PRIVATE void nn__gemm_slot_give(int64_t *busy, int s) {
#if defined(NN_NO_THREADS)
  (void)busy;
  (void)s;
#else
  nn__fetch_add(&busy[s], -1);
#endif
}

/* ---- the typed driver, instantiated for float (s) and double (d) ---- */

#define NN__GEMM_DEFINE(S, T)                                                                                  \
  typedef struct nn__##S##gemm_job {                                                                           \
    int ta, tb;                                                                                                \
    int64_t M, N, K;                                                                                           \
    T alpha, beta;                                                                                             \
    T ab[2], ab1[2]; /* {alpha, beta} for the first K slice, {alpha, 1} for the others */                      \
    const T *A, *B;                                                                                            \
    T *C;                                                                                                      \
    int64_t lda, ldb, ldc;                                                                                     \
    nn__##S##gemm_cfg cfg;                                                                                     \
    int64_t kc, ppc, ncg, rpb; /* K slice, micro-panels per column group, groups, row panels per row block */  \
    T *buf;                    /* nslots packing buffers of slot elements each */                              \
    int64_t slot;                                                                                              \
    int nslots;                                                                                                \
    int64_t busy[NN__GEMM_MAX_SLOTS];                                                                          \
    /* direct loops: chunks of rows (split_rows) or columns of C, blk each */                                  \
    int form, split_rows;                                                                                      \
    int64_t blk;                                                                                               \
  } nn__##S##gemm_job;                                                                                         \
                                                                                                               \
  /* Rows [i0, i1) x columns [j0, j1) of C for the K slice [p0, p0 + kc), ab = {alpha, beta}. The micro-panels of \
     columns below jd are read from B in place at bd (row stride ldb); the others are packed at bp, from column    \
     jd on. Edge tiles are computed into a scratch tile and merged. */                                         \
  NN__PRIVATE void nn__##S##gemm_block(const nn__##S##gemm_job *g, const T *bd, int64_t jd, const T *bp,       \
                                       int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t p0, int64_t kc, \
                                       const T *ab) {                                                          \
    int64_t i, j, nrc = g->cfg.nr, lda = g->lda, ldc = g->ldc;                                                 \
    int64_t rsa = g->ta ? 1 : lda, csa = g->ta ? lda : 1;                                                      \
    T tile[NN__GEMM_MR * NN__GEMM_NRMAX], ab0[2];                                                              \
    ab0[0] = ab[0];                                                                                            \
    ab0[1] = 0;                                                                                                \
    for (i = i0; i < i1; i += NN__GEMM_MR) {                                                                   \
      int mr = (int)(i1 - i < NN__GEMM_MR ? i1 - i : NN__GEMM_MR);                                             \
      const T *a = g->ta ? g->A + p0 * lda + i : g->A + i * lda + p0;                                          \
      T *c = g->C + i * ldc;                                                                                   \
      /* the first tile of a row panel prefetches the next row panel of a row-major A (from L3 or memory) */    \
      int64_t pfo = !g->ta && i + 2 * NN__GEMM_MR <= i1 ? NN__GEMM_MR * lda : 0;                               \
      for (j = j0; j < j1; j += nrc) {                                                                         \
        int64_t nr = j1 - j < nrc ? j1 - j : nrc, ldbp = j < jd ? g->ldb : nrc;                                \
        int nv = (int)((nr + g->cfg.w - 1) / g->cfg.w); /* the narrowest tile that covers nr columns */        \
        nn__##S##gemm_ukr_fn ukr = g->cfg.ukr[nv - 1];                                                         \
        const T *b = j < jd ? bd + j : bp + (j - jd) * kc;                                                     \
        if (mr == NN__GEMM_MR && nr == nv * g->cfg.w) {                                                        \
          ukr(kc, a, rsa, csa, b, ldbp, c + j, ldc, mr, ab, j == j0 ? pfo : 0);                                \
        } else {                                                                                               \
          int64_t ii, jj;                                                                                      \
          T beta = ab[1];                                                                                      \
          ukr(kc, a, rsa, csa, b, ldbp, tile, nrc, mr, ab0, j == j0 ? pfo : 0);                                \
          for (ii = 0; ii < mr; ii++)                                                                          \
            for (jj = 0; jj < nr; jj++)                                                                        \
              c[ii * ldc + j + jj] =                                                                           \
                  beta == 0 ? tile[ii * nrc + jj] : tile[ii * nrc + jj] + beta * c[ii * ldc + j + jj];         \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* One chunk: a row block times a column group, every K slice in order. op(B) is packed into this chunk's    \
     slot, except that the full-width micro-panels of an untransposed B are read in place when the block has   \
     few rows (a packed copy would be read only a few times). */                                              \
  NN__PRIVATE void nn__##S##gemm_chunk(void *vctx, int64_t c) {                                                \
    nn__##S##gemm_job *g = (nn__##S##gemm_job *)vctx;                                                          \
    int64_t cg = c % g->ncg, rb = c / g->ncg, cols = g->ppc * g->cfg.nr;                                       \
    int64_t j0 = cg * cols, j1 = j0 + cols < g->N ? j0 + cols : g->N;                                          \
    int64_t i0 = rb * g->rpb * NN__GEMM_MR, i1 = i0 + g->rpb * NN__GEMM_MR < g->M ? i0 + g->rpb * NN__GEMM_MR : g->M; \
    int64_t p0, jd = j0;                                                                                       \
    int s = nn__gemm_slot_take(g->busy, g->nslots);                                                            \
    T *bp = g->buf + s * g->slot;                                                                              \
    if (!g->tb && i1 - i0 <= NN__GEMM_BDIRECT_ROWS) jd = j0 + (j1 - j0) / g->cfg.nr * g->cfg.nr;               \
    for (p0 = 0; p0 < g->K; p0 += g->kc) {                                                                     \
      int64_t kc = g->K - p0 < g->kc ? g->K - p0 : g->kc;                                                      \
      const T *B = g->tb ? g->B + jd * g->ldb + p0 : g->B + p0 * g->ldb + jd;                                  \
      if (jd < j1) g->cfg.packb(g->tb, B, g->ldb, kc, j1 - jd, bp);                                            \
      nn__##S##gemm_block(g, g->B + p0 * g->ldb, jd, bp, i0, i1, j0, j1, p0, kc, p0 == 0 ? g->ab : g->ab1);    \
    }                                                                                                          \
    nn__gemm_slot_give(g->busy, s);                                                                            \
  }                                                                                                            \
                                                                                                               \
  /* Dot product of n elements with strides sx, sy in 8 lanes and a fixed combining order. */                  \
  NN__PRIVATE T nn__##S##gemm_dot(int64_t n, const T *x, int64_t sx, const T *y, int64_t sy) {                 \
    T s[8], t = 0;                                                                                             \
    int64_t p = 0;                                                                                             \
    int l;                                                                                                     \
    for (l = 0; l < 8; l++) s[l] = 0;                                                                          \
    if (sx == 1 && sy == 1) {                                                                                  \
      for (; p + 8 <= n; p += 8)                                                                               \
        for (l = 0; l < 8; l++) s[l] += x[p + l] * y[p + l];                                                   \
    } else {                                                                                                   \
      for (; p + 8 <= n; p += 8)                                                                               \
        for (l = 0; l < 8; l++) s[l] += x[(p + l) * sx] * y[(p + l) * sy];                                     \
    }                                                                                                          \
    for (; p < n; p++) t += x[p * sx] * y[p * sy];                                                             \
    return (((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))) + t;                            \
  }                                                                                                            \
                                                                                                               \
  /* Writes c = alpha * v + beta * c (beta == 0: c is not read). */                                            \
  NN__PRIVATE void nn__##S##gemm_put(T *c, T v, T alpha, T beta) { *c = beta == 0 ? alpha * v : alpha * v + beta * *c; } \
                                                                                                               \
  /* Direct loops over C[i0:i1, j0:j1]. */                                                                     \
  NN__PRIVATE void nn__##S##gemm_direct_rect(const nn__##S##gemm_job *g, int64_t i0, int64_t i1, int64_t j0,   \
                                             int64_t j1) {                                                     \
    const T *A = g->A, *B = g->B;                                                                              \
    T *C = g->C;                                                                                               \
    int64_t i, j, p, K = g->K, lda = g->lda, ldb = g->ldb, ldc = g->ldc;                                       \
    T alpha = g->alpha, beta = g->beta;                                                                        \
    T acc[NN__GEMM_ROWBLK];                                                                                    \
    int l, q;                                                                                                  \
    if (g->form == NN__GEMM_DOT) {                                                                             \
      /* dot products: row i of op(A) with column j of op(B) */                                                \
      int64_t sa = g->ta ? lda : 1, sb = g->tb ? 1 : ldb;                                                      \
      for (i = i0; i < i1; i++) {                                                                              \
        const T *ai = g->ta ? A + i : A + i * lda;                                                             \
        for (j = j0; j < j1; j++) {                                                                            \
          const T *bj = g->tb ? B + j * ldb : B + j;                                                           \
          nn__##S##gemm_put(C + i * ldc + j, nn__##S##gemm_dot(K, ai, sa, bj, sb), alpha, beta);               \
        }                                                                                                      \
      }                                                                                                        \
    } else if (g->form == NN__GEMM_ROWS) {                                                                     \
      /* rows: C[i, :] accumulates op(A)(i, p) * B[p, :] */                                                    \
      for (i = i0; i < i1; i++) {                                                                              \
        for (j = j0; j < j1; j += NN__GEMM_ROWBLK) {                                                           \
          int64_t n = j1 - j < NN__GEMM_ROWBLK ? j1 - j : NN__GEMM_ROWBLK;                                     \
          int n8 = (int)n & ~7;                                                                                \
          for (l = 0; l < (int)n; l++) acc[l] = 0;                                                            \
          for (p = 0; p < K; p += 4) {                                                                         \
            /* four rows of B at a time, then the last K % 4 one by one */                                     \
            int64_t sa = g->ta ? lda : 1, np = K - p < 4 ? 1 : 4, p1 = p + np / 4, p2 = p1 + np / 4;           \
            int64_t p3 = p2 + np / 4;                                                                          \
            const T *ai = g->ta ? A + i : A + i * lda;                                                         \
            T a0 = ai[p * sa], a1 = ai[p1 * sa], a2 = ai[p2 * sa], a3 = ai[p3 * sa];                           \
            const T *b0 = B + p * ldb + j, *b1 = B + p1 * ldb + j, *b2 = B + p2 * ldb + j;                     \
            const T *b3 = B + p3 * ldb + j;                                                                    \
            if (np == 4) {                                                                                     \
              for (l = 0; l < n8; l += 8)                                                                      \
                for (q = 0; q < 8; q++)                                                                        \
                  acc[l + q] += (a0 * b0[l + q] + a1 * b1[l + q]) + (a2 * b2[l + q] + a3 * b3[l + q]);         \
              for (l = n8; l < (int)n; l++) acc[l] += (a0 * b0[l] + a1 * b1[l]) + (a2 * b2[l] + a3 * b3[l]);   \
            } else {                                                                                           \
              for (l = 0; l < n8; l += 8)                                                                      \
                for (q = 0; q < 8; q++) acc[l + q] += a0 * b0[l + q];                                          \
              for (l = n8; l < (int)n; l++) acc[l] += a0 * b0[l];                                              \
              p -= 3;                                                                                          \
            }                                                                                                  \
          }                                                                                                    \
          for (l = 0; l < (int)n; l++) nn__##S##gemm_put(C + i * ldc + j + l, acc[l], alpha, beta);            \
        }                                                                                                      \
      }                                                                                                        \
    } else {                                                                                                   \
      /* op(A) = A^T, and op(B) = B^T or one column: C[:, j] accumulates op(B)(p, j) * A[p, :] */              \
      for (j = j0; j < j1; j++) {                                                                              \
        for (i = i0; i < i1; i += NN__GEMM_ROWBLK) {                                                           \
          int64_t n = i1 - i < NN__GEMM_ROWBLK ? i1 - i : NN__GEMM_ROWBLK;                                     \
          int n8 = (int)n & ~7;                                                                                \
          for (l = 0; l < (int)n; l++) acc[l] = 0;                                                            \
          for (p = 0; p < K; p += 4) {                                                                         \
            /* four rows of A at a time, then the last K % 4 one by one */                                     \
            int64_t sb = g->tb ? 1 : ldb, np = K - p < 4 ? 1 : 4, p1 = p + np / 4, p2 = p1 + np / 4;           \
            int64_t p3 = p2 + np / 4;                                                                          \
            const T *bj = g->tb ? B + j * ldb : B + j;                                                         \
            T c0 = bj[p * sb], c1 = bj[p1 * sb], c2 = bj[p2 * sb], c3 = bj[p3 * sb];                           \
            const T *r0 = A + p * lda + i, *r1 = A + p1 * lda + i, *r2 = A + p2 * lda + i;                     \
            const T *r3 = A + p3 * lda + i;                                                                    \
            if (np == 4) {                                                                                     \
              for (l = 0; l < n8; l += 8)                                                                      \
                for (q = 0; q < 8; q++)                                                                        \
                  acc[l + q] += (c0 * r0[l + q] + c1 * r1[l + q]) + (c2 * r2[l + q] + c3 * r3[l + q]);         \
              for (l = n8; l < (int)n; l++) acc[l] += (c0 * r0[l] + c1 * r1[l]) + (c2 * r2[l] + c3 * r3[l]);   \
            } else {                                                                                           \
              for (l = 0; l < n8; l += 8)                                                                      \
                for (q = 0; q < 8; q++) acc[l + q] += c0 * r0[l + q];                                          \
              for (l = n8; l < (int)n; l++) acc[l] += c0 * r0[l];                                              \
              p -= 3;                                                                                          \
            }                                                                                                  \
          }                                                                                                    \
          for (l = 0; l < (int)n; l++) nn__##S##gemm_put(C + (i + l) * ldc + j, acc[l], alpha, beta);          \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  NN__PRIVATE void nn__##S##gemm_direct_chunk(void *vctx, int64_t c) {                                         \
    const nn__##S##gemm_job *g = (const nn__##S##gemm_job *)vctx;                                              \
    int64_t lo = c * g->blk, hi;                                                                               \
    if (g->split_rows) {                                                                                       \
      hi = lo + g->blk < g->M ? lo + g->blk : g->M;                                                            \
      nn__##S##gemm_direct_rect(g, lo, hi, 0, g->N);                                                           \
    } else {                                                                                                   \
      hi = lo + g->blk < g->N ? lo + g->blk : g->N;                                                            \
      nn__##S##gemm_direct_rect(g, 0, g->M, lo, hi);                                                           \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
                                                                                                               \
                                                                                                               \
  /* The GEMM with the kernels of instruction set isa. Arguments are trusted (checked by the caller). Returns 0, \
     or -1 if a buffer allocation failed. */                                                                   \
  NN__PRIVATE int nn__##S##gemm_kernel_isa(int isa, int ta, int tb, int64_t M, int64_t N, int64_t K, T alpha,  \
                                           const T *A, int64_t lda, const T *B, int64_t ldb, T beta, T *C,     \
                                           int64_t ldc) {                                                      \
    nn__##S##gemm_job g;                                                                                       \
    double work = (double)M * (double)N * (double)K;                                                           \
    int64_t nrb, nch;                                                                                          \
    int cached;                                                                                                \
    if (M <= 0 || N <= 0) return 0;                                                                            \
    if (K <= 0 || alpha == 0) {                                                                                \
      int64_t i, j;                                                                                            \
      if (beta == 1) return 0;                                                                                 \
      for (i = 0; i < M; i++)                                                                                  \
        for (j = 0; j < N; j++) C[i * ldc + j] = beta == 0 ? (T)0 : beta * C[i * ldc + j];                     \
      return 0;                                                                                                \
    }                                                                                                          \
    memset(&g, 0, sizeof g);                                                                                   \
    g.ta = ta;                                                                                                 \
    g.tb = tb;                                                                                                 \
    g.M = M;                                                                                                   \
    g.N = N;                                                                                                   \
    g.K = K;                                                                                                   \
    g.alpha = alpha;                                                                                           \
    g.beta = beta;                                                                                             \
    g.A = A;                                                                                                   \
    g.B = B;                                                                                                   \
    g.C = C;                                                                                                   \
    g.lda = lda;                                                                                               \
    g.ldb = ldb;                                                                                               \
    g.ldc = ldc;                                                                                               \
    if (work < NN__GEMM_SMALL || M == 1 || N == 1) {                                                           \
      int64_t n;                                                                                               \
      g.form = nn__gemm_direct_form(ta, tb, M, N);                                                             \
      n = nn__gemm_direct_split(g.form, M, N, K, &g.split_rows, &g.blk);                                       \
      if (n == 1) nn__##S##gemm_direct_rect(&g, 0, M, 0, N);                                                   \
      else nn__parallel_for(n, nn__##S##gemm_direct_chunk, &g);                                                \
      return 0;                                                                                                \
    }                                                                                                          \
    g.ab[0] = g.ab1[0] = alpha;                                                                                \
    g.ab[1] = beta;                                                                                            \
    g.ab1[1] = 1;                                                                                              \
    nn__##S##gemm_get_cfg(isa, &g.cfg);                                                                        \
    nn__gemm_plan(M, N, K, g.cfg.nr, g.cfg.kc, sizeof(T), &g.kc, &g.ppc, &g.ncg, &g.rpb, &nrb);                \
    nch = g.ncg * nrb;                                                                                         \
    g.nslots = nn__gemm_nslots(nch);                                                                           \
    g.slot = (g.kc * g.ppc * g.cfg.nr + 15) / 16 * 16; /* 64-byte aligned slots */                             \
    g.buf = (T *)nn__gemm_buf_get((size_t)(g.slot * g.nslots) * sizeof(T), &cached);                           \
    if (!g.buf) return -1;                                                                                     \
    if (nch == 1) nn__##S##gemm_chunk(&g, 0);                                                                  \
    else nn__parallel_for(nch, nn__##S##gemm_chunk, &g);                                                       \
    nn__gemm_buf_put(g.buf, cached);                                                                           \
    return 0;                                                                                                  \
  }                                                                                                            \
                                                                                                               \
  NN__PRIVATE int nn__##S##gemm_kernel(int ta, int tb, int64_t M, int64_t N, int64_t K, T alpha, const T *A,   \
                                       int64_t lda, const T *B, int64_t ldb, T beta, T *C, int64_t ldc) {      \
    return nn__##S##gemm_kernel_isa(nn__gemm_isa(), ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);     \
  }
                                                                                                               \
NN__GEMM_DEFINE(s, float)
NN__GEMM_DEFINE(d, double)

/* ---- integer and boolean products (nn_matmul on int dtypes) ----
   C[i, :] for rows [i0, i1) of one matrix; A, B with arbitrary element strides, C rows contiguous (row stride ldc).
   Arithmetic is done in the unsigned type of the same width, so overflow wraps like NumPy and is never undefined. */
#define NN__IGEMM_DEFINE(S, T, UT)                                                                             \
  NN__PRIVATE void nn__igemm_##S(int64_t i0, int64_t i1, int64_t N, int64_t K, const T *A, int64_t a_rs,      \
                                 int64_t a_cs, const T *B, int64_t b_rs, int64_t b_cs, T *Cv, int64_t ldc) {   \
    UT *C = (UT *)Cv;                                                                                          \
    int64_t i, j, p;                                                                                           \
    for (i = i0; i < i1; i++) {                                                                                \
      UT *c = C + i * ldc;                                                                                     \
      for (j = 0; j < N; j++) c[j] = 0;                                                                        \
      for (p = 0; p < K; p++) {                                                                                \
        UT a = (UT)A[i * a_rs + p * a_cs];                                                                     \
        const T *b = B + p * b_rs;                                                                             \
        if (b_cs == 1)                                                                                         \
          for (j = 0; j < N; j++) c[j] = (UT)(c[j] + a * (UT)b[j]);                                            \
        else                                                                                                   \
          for (j = 0; j < N; j++) c[j] = (UT)(c[j] + a * (UT)b[j * b_cs]);                                     \
      }                                                                                                        \
    }                                                                                                          \
  }
NN__IGEMM_DEFINE(i32, int32_t, uint32_t)
NN__IGEMM_DEFINE(i64, int64_t, uint64_t)
NN__IGEMM_DEFINE(u8, uint8_t, uint8_t)

/* Boolean product: C[i, j] = any_p (A[i, p] and B[p, j]). */
NN__PRIVATE void nn__igemm_b(int64_t i0, int64_t i1, int64_t N, int64_t K, const uint8_t *A, int64_t a_rs,
                             int64_t a_cs, const uint8_t *B, int64_t b_rs, int64_t b_cs, uint8_t *C, int64_t ldc) {
  int64_t i, j, p;
  for (i = i0; i < i1; i++) {
    uint8_t *c = C + i * ldc;
    for (j = 0; j < N; j++) c[j] = 0;
    for (p = 0; p < K; p++) {
      const uint8_t *b = B + p * b_rs;
      if (!A[i * a_rs + p * a_cs]) continue;
      for (j = 0; j < N; j++) c[j] = (uint8_t)(c[j] | (b[j * b_cs] != 0));
    }
  }
}
/* ---- end src/kernels/gemm.c ---- */
#ifndef NN_NO_CONV
/* ---- begin src/kernels/conv.c ---- */
/* kernels/conv.c: the loops behind convolution and pooling (NCHW, float and double).

   A convolution runs as im2col + GEMM: nn__im2col_* copies the input patches of a block of output rows into a
   (C*kh*kw) x (rows*Wo) matrix (row (c*kh + i)*kw + j holds x[c, oh*sh - pt + i*dh, ow*sw - pl + j*dw], zero in the
   padding, the order of torch.nn.functional.unfold); nn__col2im_* is its adjoint (adds each column entry back into
   the input position it came from). The pooling kernels work on one (H, W) plane at a time. Padding may be
   asymmetric (pt/pl at the start, pb/pr at the end), which is how padding "same" with an even kernel is done.
   On x86-64 with AVX2 (checked at run time), col2im's row additions and max pooling of the windows that lie inside
   the plane use vector code that gives the same results as the plain loops. These kernels know nothing about
   tensors, scopes or errors. */

typedef struct nn__conv_geom {
  int64_t N, C, H, W;     /* input batch, channels, height, width */
  int64_t Co, G, Cg, Mg;  /* output channels, groups, input and output channels per group */
  int64_t kh, kw;         /* kernel */
  int64_t sh, sw, dh, dw; /* stride, dilation */
  int64_t pt, pl, pb, pr; /* zero padding: top, left, bottom, right */
  int64_t Ho, Wo;         /* output height, width */
} nn__conv_geom;

/* Output columns ow with 0 <= ow*s + off < W form the range [*lo, *hi) within [0, Wo). */
NN__PRIVATE void nn__conv_valid_range(int64_t off, int64_t s, int64_t W, int64_t Wo, int64_t *lo, int64_t *hi) {
  int64_t a, b;
  if (s == 1) { /* no divisions in the common case */
    a = off >= 0 ? 0 : -off;
    b = W - off < 0 ? 0 : W - off;
  } else {
    a = off >= 0 ? 0 : (-off + s - 1) / s;
    b = W - 1 - off < 0 ? 0 : (W - 1 - off) / s + 1;
  }
  if (a > Wo) a = Wo;
  if (b > Wo) b = Wo;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}

#define NN__POOL_BLK 128 /* outputs of a max-pooling row done together */
#define NN__POOL_KMAX 16 /* kernel columns whose valid output ranges are computed once per plane */

/* ---- x86 vector helpers (AVX2, picked at run time with the GEMM's CPU check; others use the plain loops) ---- */
#if defined(NN__X86)
#define NN__CONV_T_AVX2 __attribute__((target("avx2,fma")))

NN__PRIVATE NN__CONV_T_AVX2 void nn__conv_add_avx2_s(int64_t n, float *d, const float *s) {
  int64_t q = 0;
  for (; q + 8 <= n; q += 8) _mm256_storeu_ps(d + q, _mm256_add_ps(_mm256_loadu_ps(d + q), _mm256_loadu_ps(s + q)));
  for (; q < n; q++) d[q] += s[q];
}
NN__PRIVATE NN__CONV_T_AVX2 void nn__conv_add_avx2_d(int64_t n, double *d, const double *s) {
  int64_t q = 0;
  for (; q + 4 <= n; q += 4) _mm256_storeu_pd(d + q, _mm256_add_pd(_mm256_loadu_pd(d + q), _mm256_loadu_pd(s + q)));
  for (; q < n; q++) d[q] += s[q];
}

/* p[0], p[2], ..., p[14] (reads p[0..15]) and p[0], p[2], p[4], p[6] (reads p[0..7]). */
NN__PRIVATE NN__CONV_T_AVX2 __m256 nn__conv_even_s(const float *p) {
  __m256 t = _mm256_shuffle_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8), _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), _MM_SHUFFLE(3, 1, 2, 0)));
}
NN__PRIVATE NN__CONV_T_AVX2 __m256d nn__conv_even_d(const double *p) {
  __m256d t = _mm256_unpacklo_pd(_mm256_loadu_pd(p), _mm256_loadu_pd(p + 4));
  return _mm256_permute4x64_pd(t, _MM_SHUFFLE(3, 1, 2, 0));
}

/* Max pooling of outputs [o0, o1) of row oh whose windows lie inside the plane, VL at a time (stride 1 or 2; the
   caller checks that plane indices fit in int32). Same selection rule as the scalar code: the first tap starts the maximum, a later
   tap replaces it when greater or NaN. Returns the first output not done. */
#define NN__MAXPOOL_AVX2_DEFINE(S, T, VL, VT, SFX, IT, CAST_I2F, CAST_F2I, EVEN, SET1, ADDI, STOREIDX)          \
  NN__PRIVATE NN__CONV_T_AVX2 int64_t nn__maxpool_avx2_##S(const nn__conv_geom *g, const T *x, int64_t oh,      \
                                                          int64_t o0, int64_t o1, T *y, int64_t *idx) {        \
    int64_t HW = g->H * g->W, sw = g->sw, h0 = oh * g->sh - g->pt, o, i, j;                                    \
    IT ramp = nn__conv_ramp_##S(sw);                                                                           \
    for (o = o0; o + VL <= o1; o += VL) {                                                                      \
      int64_t last = (h0 + (g->kh - 1) * g->dh) * g->W + o * sw + (g->kw - 1) * g->dw - g->pl;                 \
      VT best = _mm256_setzero_##SFX(), v, m;                                                                  \
      IT bi = _mm256_setzero_si256(), cand;                                                                    \
      if (sw == 2 && last + 2 * VL > HW) break; /* the even-element load reads one past the last tap */       \
      for (i = 0; i < g->kh; i++) {                                                                            \
        int64_t r = (h0 + i * g->dh) * g->W + o * sw - g->pl;                                                  \
        for (j = 0; j < g->kw; j++) {                                                                          \
          int64_t k0 = r + j * g->dw;                                                                          \
          v = sw == 1 ? _mm256_loadu_##SFX(x + k0) : EVEN(x + k0);                                             \
          cand = ADDI(SET1(k0), ramp);                                                                         \
          if (i == 0 && j == 0) {                                                                              \
            best = v;                                                                                          \
            bi = cand;                                                                                         \
          } else {                                                                                             \
            m = _mm256_or_##SFX(_mm256_cmp_##SFX(v, best, _CMP_GT_OQ), _mm256_cmp_##SFX(v, v, _CMP_UNORD_Q));  \
            best = _mm256_blendv_##SFX(best, v, m);                                                            \
            bi = CAST_F2I(_mm256_blendv_##SFX(CAST_I2F(bi), CAST_I2F(cand), m));                               \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
      _mm256_storeu_##SFX(y + o, best);                                                                        \
      if (idx) STOREIDX(idx + o, bi);                                                                          \
    }                                                                                                          \
    return o;                                                                                                  \
  }

NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_ramp_s(int64_t sw) {
  return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)sw));
}
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_ramp_d(int64_t sw) {
  return _mm256_setr_epi64x(0, sw, 2 * sw, 3 * sw);
}
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_set1_s(int64_t k) { return _mm256_set1_epi32((int)k); }
NN__PRIVATE NN__CONV_T_AVX2 void nn__conv_storeidx_s(int64_t *p, __m256i bi) {
  _mm256_storeu_si256((__m256i *)p, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(bi)));
  _mm256_storeu_si256((__m256i *)(p + 4), _mm256_cvtepi32_epi64(_mm256_extracti128_si256(bi, 1)));
}
NN__PRIVATE NN__CONV_T_AVX2 void nn__conv_storeidx_d(int64_t *p, __m256i bi) { _mm256_storeu_si256((__m256i *)p, bi); }

NN__MAXPOOL_AVX2_DEFINE(s, float, 8, __m256, ps, __m256i, _mm256_castsi256_ps, _mm256_castps_si256, nn__conv_even_s,
                        nn__conv_set1_s, _mm256_add_epi32, nn__conv_storeidx_s)
NN__MAXPOOL_AVX2_DEFINE(d, double, 4, __m256d, pd, __m256i, _mm256_castsi256_pd, _mm256_castpd_si256,
                        nn__conv_even_d, _mm256_set1_epi64x, _mm256_add_epi64, nn__conv_storeidx_d)
/* Max pooling of a plane whose every window lies inside it, over the flattened outputs t = oh*Wo + ow, VL at a time
   with gathers (for narrow rows, where the row kernel above has too few outputs). Returns the outputs done. */
#define NN__MAXPOOL_GATHER_DEFINE(S, T, VL, VT, SFX, IT, GATHER, CAST_I2F, CAST_F2I, WIDEN, STOREIDX)           \
  NN__PRIVATE NN__CONV_T_AVX2 int64_t nn__maxpool_gather_##S(const nn__conv_geom *g, const T *x, T *y,         \
                                                            int64_t *idx) {                                    \
    int64_t n = g->Ho * g->Wo, t, i, j, oh = 0, ow = 0, l;                                                     \
    int32_t base[VL];                                                                                          \
    for (t = 0; t + VL <= n; t += VL) {                                                                        \
      __m256i b;                                                                                               \
      VT best = _mm256_setzero_##SFX(), v, m;                                                                  \
      IT bi = _mm256_setzero_si256(), cand;                                                                    \
      for (l = 0; l < VL; l++) {                                                                               \
        base[l] = (int32_t)((oh * g->sh - g->pt) * g->W + ow * g->sw - g->pl);                                 \
        if (++ow == g->Wo) {                                                                                   \
          ow = 0;                                                                                              \
          oh++;                                                                                                \
        }                                                                                                      \
      }                                                                                                        \
      b = nn__conv_load_base_##S(base);                                                                        \
      for (i = 0; i < g->kh; i++) {                                                                            \
        for (j = 0; j < g->kw; j++) {                                                                          \
          __m256i k = nn__conv_add_base_##S(b, (int32_t)(i * g->dh * g->W + j * g->dw));                       \
          v = GATHER(x, k);                                                                                    \
          cand = WIDEN(k);                                                                                     \
          if (i == 0 && j == 0) {                                                                              \
            best = v;                                                                                          \
            bi = cand;                                                                                         \
          } else {                                                                                             \
            m = _mm256_or_##SFX(_mm256_cmp_##SFX(v, best, _CMP_GT_OQ), _mm256_cmp_##SFX(v, v, _CMP_UNORD_Q));  \
            best = _mm256_blendv_##SFX(best, v, m);                                                            \
            bi = CAST_F2I(_mm256_blendv_##SFX(CAST_I2F(bi), CAST_I2F(cand), m));                               \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
      _mm256_storeu_##SFX(y + t, best);                                                                        \
      if (idx) STOREIDX(idx + t, bi);                                                                          \
    }                                                                                                          \
    return t;                                                                                                  \
  }

/* float: 8 int32 positions in a __m256i; double: 4 int32 positions in the low half. */
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_load_base_s(const int32_t *b) { return _mm256_loadu_si256((const __m256i *)b); }
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_load_base_d(const int32_t *b) {
  return _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)b));
}
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_add_base_s(__m256i b, int32_t k) { return _mm256_add_epi32(b, _mm256_set1_epi32(k)); }
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_add_base_d(__m256i b, int32_t k) { return _mm256_add_epi32(b, _mm256_set1_epi32(k)); }
/* (the masked forms: the plain ones start from an undefined register, which some compilers warn about) */
NN__PRIVATE NN__CONV_T_AVX2 __m256 nn__conv_gather_s(const float *x, __m256i k) {
  return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), x, k, _mm256_castsi256_ps(_mm256_set1_epi32(-1)), 4);
}
NN__PRIVATE NN__CONV_T_AVX2 __m256d nn__conv_gather_d(const double *x, __m256i k) {
  return _mm256_mask_i32gather_pd(_mm256_setzero_pd(), x, _mm256_castsi256_si128(k),
                                  _mm256_castsi256_pd(_mm256_set1_epi64x(-1)), 8);
}
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_widen_s(__m256i k) { return k; }
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_widen_d(__m256i k) { return _mm256_cvtepi32_epi64(_mm256_castsi256_si128(k)); }

NN__MAXPOOL_GATHER_DEFINE(s, float, 8, __m256, ps, __m256i, nn__conv_gather_s, _mm256_castsi256_ps, _mm256_castps_si256,
                          nn__conv_widen_s, nn__conv_storeidx_s)
NN__MAXPOOL_GATHER_DEFINE(d, double, 4, __m256d, pd, __m256i, nn__conv_gather_d, _mm256_castsi256_pd,
                          _mm256_castpd_si256, nn__conv_widen_d, nn__conv_storeidx_d)
#endif

/* dst[q] += src[q], q < n (distinct arrays). */
NN__PRIVATE void nn__conv_addrow_s(int64_t n, float *d, const float *s) {
  int64_t q;
#if defined(NN__X86)
  if (n >= 8 && nn__gemm_isa() >= 1) {
    nn__conv_add_avx2_s(n, d, s);
    return;
  }
#endif
  for (q = 0; q < n; q++) d[q] += s[q];
}
NN__PRIVATE void nn__conv_addrow_d(int64_t n, double *d, const double *s) {
  int64_t q;
#if defined(NN__X86)
  if (n >= 4 && nn__gemm_isa() >= 1) {
    nn__conv_add_avx2_d(n, d, s);
    return;
  }
#endif
  for (q = 0; q < n; q++) d[q] += s[q];
}

/* 1 when the row kernels may run for this geometry, 2 when the gather kernel may run for whole planes (all
   windows inside the plane, rows too narrow for the row kernels), 0 for neither. */
NN__PRIVATE int nn__pool_simd_ok(const nn__conv_geom *g) {
#if defined(NN__X86)
  int inside = g->pt == 0 && g->pl == 0 && (g->Ho - 1) * g->sh + (g->kh - 1) * g->dh < g->H &&
               (g->Wo - 1) * g->sw + (g->kw - 1) * g->dw < g->W;
  if (g->H * g->W >= ((int64_t)1 << 30) || g->kw > NN__POOL_KMAX || nn__gemm_isa() < 1) return 0;
  if (inside && g->Wo < 16) return 2;
  return g->sw == 1 || g->sw == 2;
#else
  (void)g;
  return 0;
#endif
}

/* The gather kernel over a whole plane, or nothing done (returns 0) without it. */
NN__PRIVATE int64_t nn__maxpool_plane_simd_s(const nn__conv_geom *g, const float *x, float *y, int64_t *idx) {
#if defined(NN__X86)
  return nn__maxpool_gather_s(g, x, y, idx);
#else
  (void)g, (void)x, (void)y, (void)idx;
  return 0;
#endif
}
NN__PRIVATE int64_t nn__maxpool_plane_simd_d(const nn__conv_geom *g, const double *x, double *y, int64_t *idx) {
#if defined(NN__X86)
  return nn__maxpool_gather_d(g, x, y, idx);
#else
  (void)g, (void)x, (void)y, (void)idx;
  return 0;
#endif
}

/* The vector rows, or nothing done (returns o0) without them. */
NN__PRIVATE int64_t nn__maxpool_row_simd_s(const nn__conv_geom *g, const float *x, int64_t oh, int64_t o0, int64_t o1,
                                           float *y, int64_t *idx) {
#if defined(NN__X86)
  return nn__maxpool_avx2_s(g, x, oh, o0, o1, y, idx);
#else
  (void)g, (void)x, (void)oh, (void)o1, (void)y, (void)idx;
  return o0;
#endif
}
NN__PRIVATE int64_t nn__maxpool_row_simd_d(const nn__conv_geom *g, const double *x, int64_t oh, int64_t o0,
                                           int64_t o1, double *y, int64_t *idx) {
#if defined(NN__X86)
  return nn__maxpool_avx2_d(g, x, oh, o0, o1, y, idx);
#else
  (void)g, (void)x, (void)oh, (void)o1, (void)y, (void)idx;
  return o0;
#endif
}

#define NN__CONV_KERNELS_DEFINE(S, T, UT)                                                                          \
  /* Patches of output rows [oh0, oh1) of one image's C channels (x: C x H x W, contiguous) into dst:         \
     (C*kh*kw) rows of (oh1-oh0)*Wo entries, rows ldd apart. */                                               \
  NN__PRIVATE void nn__im2col_##S(const nn__conv_geom *g, const T *x, int64_t C, int64_t oh0, int64_t oh1,    \
                                  T *dst, int64_t ldd) {                                                       \
    int64_t c, i, j, oh, ow, H = g->H, W = g->W, Wo = g->Wo, sw = g->sw;                                      \
    for (c = 0; c < C; c++) {                                                                                  \
      for (i = 0; i < g->kh; i++) {                                                                            \
        for (j = 0; j < g->kw; j++) {                                                                          \
          T *row = dst + ((c * g->kh + i) * g->kw + j) * ldd;                                                  \
          int64_t off = j * g->dw - g->pl, lo, hi;                                                             \
          nn__conv_valid_range(off, sw, W, Wo, &lo, &hi);                                                      \
          for (oh = oh0; oh < oh1; oh++, row += Wo) {                                                          \
            int64_t ih = oh * g->sh - g->pt + i * g->dh;                                                       \
            const T *xr;                                                                                       \
            if (ih < 0 || ih >= H) {                                                                           \
              for (ow = 0; ow < Wo; ow++) row[ow] = 0;                                                         \
              continue;                                                                                        \
            }                                                                                                  \
            xr = x + (c * H + ih) * W;                                                                         \
            for (ow = 0; ow < lo; ow++) row[ow] = 0;                                                           \
            if (sw == 1) {                                                                                     \
              if (hi > lo) memcpy(row + lo, xr + off + lo, (size_t)(hi - lo) * sizeof(T));                     \
            } else {                                                                                           \
              for (ow = lo; ow < hi; ow++) row[ow] = xr[ow * sw + off];                                        \
            }                                                                                                  \
            for (ow = hi; ow < Wo; ow++) row[ow] = 0;                                                          \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* The adjoint of nn__im2col: x[c, ih, iw] += src[row, col] for every entry that is not padding. */          \
  NN__PRIVATE void nn__col2im_##S(const nn__conv_geom *g, const T *src, int64_t lds, int64_t C, int64_t oh0,   \
                                  int64_t oh1, T *x) {                                                         \
    int64_t c, i, j, oh, ow, H = g->H, W = g->W, Wo = g->Wo, sw = g->sw;                                      \
    for (c = 0; c < C; c++) {                                                                                  \
      for (i = 0; i < g->kh; i++) {                                                                            \
        for (j = 0; j < g->kw; j++) {                                                                          \
          const T *row = src + ((c * g->kh + i) * g->kw + j) * lds;                                            \
          int64_t off = j * g->dw - g->pl, lo, hi;                                                             \
          nn__conv_valid_range(off, sw, W, Wo, &lo, &hi);                                                      \
          for (oh = oh0; oh < oh1; oh++, row += Wo) {                                                          \
            int64_t ih = oh * g->sh - g->pt + i * g->dh;                                                       \
            T *xr;                                                                                             \
            if (ih < 0 || ih >= H) continue;                                                                   \
            xr = x + (c * H + ih) * W;                                                                         \
            if (sw == 1) {                                                                                     \
              if (hi > lo) nn__conv_addrow_##S(hi - lo, xr + off + lo, row + lo);                              \
            } else {                                                                                           \
              for (ow = lo; ow < hi; ow++) xr[ow * sw + off] += row[ow];                                       \
            }                                                                                                  \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Max pooling of outputs [c0, c1) of output row oh (y, idx: that row) with the scalar code. Blocks of       \
     NN__POOL_BLK outputs with the window taps outermost: the inner loop over outputs has no bounds checks,    \
     no loop-carried dependency, and updates the running maxima with bitwise selects (random data would       \
     mispredict a branch on every other element). jr: valid output range of kernel column j < NN__POOL_KMAX. */ \
  NN__PRIVATE void nn__maxpool_range_##S(const nn__conv_geom *g, const T *x, int64_t oh, int64_t c0, int64_t c1, \
                                         const int64_t *jr, T *y, int64_t *idx) {                              \
    UT best[NN__POOL_BLK];                                                                                     \
    int64_t bi[NN__POOL_BLK], b0, i, j, W = g->W, sw = g->sw, h0 = oh * g->sh - g->pt, i0, i1;                 \
    T ninf = -(T)INFINITY;                                                                                     \
    UT ninf_bits;                                                                                              \
    memcpy(&ninf_bits, &ninf, sizeof ninf_bits);                                                               \
    nn__conv_valid_range(h0, g->dh, g->H, g->kh, &i0, &i1);                                                    \
    for (b0 = c0; b0 < c1; b0 += NN__POOL_BLK) {                                                               \
      int64_t b1 = b0 + NN__POOL_BLK < c1 ? b0 + NN__POOL_BLK : c1, o;                                         \
      for (o = 0; o < b1 - b0; o++) {                                                                          \
        best[o] = ninf_bits;                                                                                   \
        bi[o] = -1;                                                                                            \
      }                                                                                                        \
      for (i = i0; i < i1; i++) {                                                                              \
        int64_t r = (h0 + i * g->dh) * W;                                                                      \
        const T *xr = x + r;                                                                                   \
        for (j = 0; j < g->kw; j++) {                                                                          \
          int64_t off = j * g->dw - g->pl, lo, hi;                                                             \
          if (j < NN__POOL_KMAX) {                                                                             \
            lo = jr[2 * j];                                                                                    \
            hi = jr[2 * j + 1];                                                                                \
          } else {                                                                                             \
            nn__conv_valid_range(off, sw, W, g->Wo, &lo, &hi);                                                 \
          }                                                                                                    \
          if (lo < b0) lo = b0;                                                                                \
          if (hi > b1) hi = b1;                                                                                \
          for (o = lo; o < hi; o++) {                                                                          \
            int64_t k = o * sw + off, m;                                                                       \
            T v = xr[k], cur;                                                                                  \
            UT vb, um;                                                                                         \
            memcpy(&cur, &best[o - b0], sizeof cur);                                                           \
            m = -(int64_t)((v > cur) | (v != v) | (bi[o - b0] < 0));                                           \
            um = (UT)m;                                                                                        \
            memcpy(&vb, &v, sizeof vb);                                                                        \
            best[o - b0] = (vb & um) | (best[o - b0] & ~um);                                                   \
            bi[o - b0] = ((r + k) & m) | (bi[o - b0] & ~m);                                                    \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
      memcpy(y + b0, best, (size_t)(b1 - b0) * sizeof(T));                                                     \
      if (idx) memcpy(idx + b0, bi, (size_t)(b1 - b0) * sizeof(int64_t));                                     \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Max pooling of one H x W plane into Ho x Wo. Padding never wins (it is -inf); NaN wins and propagates     \
     (the last NaN of a window gives the index, as PyTorch's CPU kernel); a tie keeps the first position.      \
     idx (may be NULL) gets the flat index ih*W + iw of each maximum, or -1 for a window that covers no input  \
     element (possible only with dilation; the value is then -inf). Outputs whose whole window lies inside the \
     plane go through the AVX2 kernel when there is one for this stride (same results). */                    \
  NN__PRIVATE void nn__maxpool_plane_##S(const nn__conv_geom *g, const T *x, T *y, int64_t *idx) {             \
    int64_t jr[2 * NN__POOL_KMAX], oh, j, clo = 0, chi = g->Wo, Wo = g->Wo;                                    \
    int vec = nn__pool_simd_ok(g);                                                                             \
    for (j = 0; j < g->kw && j < NN__POOL_KMAX; j++) {                                                         \
      nn__conv_valid_range(j * g->dw - g->pl, g->sw, g->W, Wo, jr + 2 * j, jr + 2 * j + 1);                    \
      if (jr[2 * j] > clo) clo = jr[2 * j];                                                                    \
      if (jr[2 * j + 1] < chi) chi = jr[2 * j + 1];                                                            \
    }                                                                                                          \
    if (vec == 2) { /* narrow rows, every window inside: flattened outputs, then the rest of its row */       \
      int64_t t = nn__maxpool_plane_simd_##S(g, x, y, idx), t0 = t / Wo;                                       \
      for (oh = t0; oh < g->Ho; oh++)                                                                          \
        nn__maxpool_range_##S(g, x, oh, oh == t0 ? t % Wo : 0, Wo, jr, y + oh * Wo, idx ? idx + oh * Wo : NULL); \
      return;                                                                                                  \
    }                                                                                                          \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      T *yr = y + oh * Wo;                                                                                     \
      int64_t *ir = idx ? idx + oh * Wo : NULL, h0 = oh * g->sh - g->pt, o = 0;                                \
      if (vec && clo < chi && h0 >= 0 && h0 + (g->kh - 1) * g->dh < g->H) {                                    \
        nn__maxpool_range_##S(g, x, oh, 0, clo, jr, yr, ir);                                                  \
        o = nn__maxpool_row_simd_##S(g, x, oh, clo, chi, yr, ir);                                              \
      }                                                                                                        \
      nn__maxpool_range_##S(g, x, oh, o, Wo, jr, yr, ir);                                                      \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Average pooling of one plane, padding counted as zeros (count_include_pad): sum / (kh*kw). */             \
  NN__PRIVATE void nn__avgpool_plane_##S(const nn__conv_geom *g, const T *x, T *y) {                           \
    int64_t oh, ow, i, j, W = g->W;                                                                            \
    T div = (T)(g->kh * g->kw);                                                                                \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      int64_t h0 = oh * g->sh - g->pt, i0, i1;                                                                 \
      nn__conv_valid_range(h0, 1, g->H, g->kh, &i0, &i1);                                                      \
      for (ow = 0; ow < g->Wo; ow++) {                                                                         \
        int64_t w0 = ow * g->sw - g->pl, j0, j1;                                                               \
        T s = 0;                                                                                               \
        nn__conv_valid_range(w0, 1, W, g->kw, &j0, &j1);                                                       \
        for (i = i0; i < i1; i++) {                                                                            \
          const T *xr = x + (h0 + i) * W;                                                                      \
          for (j = j0; j < j1; j++) s += xr[w0 + j];                                                                \
        }                                                                                                      \
        y[oh * g->Wo + ow] = s / div;                                                                          \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Gradient of nn__avgpool_plane: dx (zeroed by the caller) += dy / (kh*kw) over each window. */             \
  NN__PRIVATE void nn__avgpool_back_plane_##S(const nn__conv_geom *g, const T *dy, T *dx) {                    \
    int64_t oh, ow, i, j, W = g->W;                                                                            \
    T div = (T)(g->kh * g->kw);                                                                                \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      int64_t h0 = oh * g->sh - g->pt, i0, i1;                                                                 \
      nn__conv_valid_range(h0, 1, g->H, g->kh, &i0, &i1);                                                      \
      for (ow = 0; ow < g->Wo; ow++) {                                                                         \
        int64_t w0 = ow * g->sw - g->pl, j0, j1;                                                               \
        T v = dy[oh * g->Wo + ow] / div;                                                                       \
        nn__conv_valid_range(w0, 1, W, g->kw, &j0, &j1);                                                       \
        for (i = i0; i < i1; i++) {                                                                            \
          T *xr = dx + (h0 + i) * W;                                                                           \
          for (j = j0; j < j1; j++) xr[w0 + j] += v;                                                                \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Gradient of max pooling for one plane: dx (zeroed by the caller, hw elements) += dy[i] at idx[i]. Index   \
     -1 (a window with no input element) is skipped. Returns -1, or the position of the first index outside    \
     [0, hw) (nothing is written for it). */                                                                   \
  NN__PRIVATE int64_t nn__maxpool_back_plane_##S(int64_t n, const T *dy, const int64_t *idx, int64_t hw, T *dx) { \
    int64_t i;                                                                                                 \
    for (i = 0; i < n; i++) {                                                                                  \
      int64_t k = idx[i];                                                                                      \
      if (k >= 0 && k < hw) dx[k] += dy[i];                                                                    \
      else if (k != -1) return i;                                                                              \
    }                                                                                                          \
    return -1;                                                                                                 \
  }

NN__CONV_KERNELS_DEFINE(s, float, uint32_t)
NN__CONV_KERNELS_DEFINE(d, double, uint64_t)
/* ---- end src/kernels/conv.c ---- */
#endif
#ifndef NN_NO_RANDOM
/* ---- begin src/base/random.c ---- */
/* base/random.c: xoshiro256** with splitmix64 seeding, and the tensor samplers built on it. Everything draws
   sequentially from the caller's state, so results never depend on threads. */

NN__PRIVATE uint64_t nn__rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

NN__PRIVATE uint64_t nn__splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* The generator step without argument checks (r is known to be valid). */
NN__PRIVATE uint64_t nn__rng_u64(nn_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = nn__rotl64(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = nn__rotl64(s[3], 45);
  return result;
}

NN__PRIVATE double nn__rng_f64(nn_rng *r) { return (double)(nn__rng_u64(r) >> 11) * (1.0 / 9007199254740992.0); }
NN__PRIVATE float nn__rng_f32(nn_rng *r) { return (float)(nn__rng_u64(r) >> 40) * (1.0f / 16777216.0f); }

/* High and low 64-bit halves of a * b, portably (no 128-bit type needed). */
NN__PRIVATE void nn__mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) {
  uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
  *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  *lo = a * b;
}

/* Uniform in [0, range) for range >= 1 (range 0 means 2^64), without bias: Lemire's nearly divisionless method. */
NN__PRIVATE uint64_t nn__rng_below(nn_rng *r, uint64_t range) {
  uint64_t hi, lo;
  if (range == 0) return nn__rng_u64(r);
  nn__mul64(nn__rng_u64(r), range, &hi, &lo);
  if (lo < range) {
    uint64_t t = (0 - range) % range;
    while (lo < t) nn__mul64(nn__rng_u64(r), range, &hi, &lo);
  }
  return hi;
}

/* A normal pair by Marsaglia's polar method: returns one, stores the other. */
NN__PRIVATE double nn__rng_gauss(nn_rng *r, double *other) {
  double u, v, s, m;
  do {
    u = 2.0 * nn__rng_f64(r) - 1.0;
    v = 2.0 * nn__rng_f64(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  m = sqrt(-2.0 * log(s) / s);
  *other = v * m;
  return u * m;
}

NN__PRIVATE double nn__rng_normal1(nn_rng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  r->has_spare = 1;
  return nn__rng_gauss(r, &r->spare);
}

NNDEF void nn_rng_seed(nn_rng *r, uint64_t seed) {
  uint64_t x = seed;
  int i;
  if (!r) {
    nn__fail_null("nn_rng_seed", "r");
    return;
  }
  for (i = 0; i < 4; i++) r->s[i] = nn__splitmix64(&x);
  r->has_spare = 0;
  r->spare = 0;
}

NNDEF uint64_t nn_rng_next(nn_rng *r) {
  if (!r) {
    nn__fail_null("nn_rng_next", "r");
    return 0;
  }
  return nn__rng_u64(r);
}

NNDEF double nn_rng_uniform(nn_rng *r) {
  if (!r) {
    nn__fail_null("nn_rng_uniform", "r");
    return NAN;
  }
  return nn__rng_f64(r);
}

NNDEF double nn_rng_normal(nn_rng *r) {
  if (!r) {
    nn__fail_null("nn_rng_normal", "r");
    return NAN;
  }
  return nn__rng_normal1(r);
}

NNDEF int64_t nn_rng_int(nn_rng *r, int64_t lo, int64_t hi) {
  if (!r) {
    nn__fail_null("nn_rng_int", "r");
    return lo;
  }
  if (lo >= hi) {
    nn__fail(NN_ERR_VALUE, "nn_rng_int: low >= high (low = %lld, high = %lld)", (long long)lo, (long long)hi);
    return lo;
  }
  return (int64_t)((uint64_t)lo + nn__rng_below(r, (uint64_t)hi - (uint64_t)lo));
}

/* Shared checks of the float samplers: rng present, float dtype, valid shape; returns the new tensor. */
NN__PRIVATE nn_tensor *nn__rng_new_float(const char *op, nn_rng *r, const int64_t *shape, int ndim, nn_dtype dtype) {
  if (!r) {
    nn__fail_null(op, "r");
    return NULL;
  }
  if (dtype != NN_FLOAT32 && dtype != NN_FLOAT64) {
    nn__fail(NN_ERR_DTYPE, "%s: unsupported dtype %s for random floats (use float32 or float64)", op,
             nn_dtype_name(dtype));
    return NULL;
  }
  return nn__new(op, dtype, shape, ndim);
}

NNDEF nn_tensor *nn_rand(nn_rng *r, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t = nn__rng_new_float("nn_rand", r, shape, ndim, dtype);
  int64_t i;
  if (!t) return NULL;
  if (dtype == NN_FLOAT32) {
    float *p = (float *)t->data;
    for (i = 0; i < t->size; i++) p[i] = nn__rng_f32(r);
  } else {
    double *p = (double *)t->data;
    for (i = 0; i < t->size; i++) p[i] = nn__rng_f64(r);
  }
  return t;
}

NNDEF nn_tensor *nn_uniform(nn_rng *r, double lo, double hi, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t;
  double w = hi - lo;
  int64_t i;
  if (!(lo <= hi) || !isfinite(w)) {
    nn__fail(NN_ERR_VALUE, "nn_uniform: need finite low <= high with a finite range, got low = %g, high = %g", lo, hi);
    return NULL;
  }
  t = nn__rng_new_float("nn_uniform", r, shape, ndim, dtype);
  if (!t) return NULL;
  if (dtype == NN_FLOAT32) {
    float *p = (float *)t->data;
    for (i = 0; i < t->size; i++) {
      float v = (float)(lo + w * nn__rng_f64(r));
      /* rounding to float32 may reach hi: step back below it to keep the interval half-open */
      while ((double)v >= hi && (double)v > lo) v = nextafterf(v, -HUGE_VALF);
      p[i] = v;
    }
  } else {
    double *p = (double *)t->data;
    for (i = 0; i < t->size; i++) {
      double v = lo + w * nn__rng_f64(r);
      if (v >= hi && v > lo) v = nextafter(hi, lo);
      p[i] = v;
    }
  }
  return t;
}

/* Fills t (float32/float64, contiguous) with mean + std * z, drawing pairs sequentially. */
NN__PRIVATE void nn__rng_fill_normal(nn_rng *r, nn_tensor *t, double mean, double std) {
  int64_t i, n = t->size;
  double a, b;
  if (t->dtype == NN_FLOAT32) {
    float *p = (float *)t->data;
    for (i = 0; i < n && r->has_spare; i++) p[i] = (float)(mean + std * nn__rng_normal1(r));
    for (; i + 1 < n; i += 2) {
      a = nn__rng_gauss(r, &b);
      p[i] = (float)(mean + std * a);
      p[i + 1] = (float)(mean + std * b);
    }
    if (i < n) p[i] = (float)(mean + std * nn__rng_normal1(r));
  } else {
    double *p = (double *)t->data;
    for (i = 0; i < n && r->has_spare; i++) p[i] = mean + std * nn__rng_normal1(r);
    for (; i + 1 < n; i += 2) {
      a = nn__rng_gauss(r, &b);
      p[i] = mean + std * a;
      p[i + 1] = mean + std * b;
    }
    if (i < n) p[i] = mean + std * nn__rng_normal1(r);
  }
}

NNDEF nn_tensor *nn_randn(nn_rng *r, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t = nn__rng_new_float("nn_randn", r, shape, ndim, dtype);
  if (t) nn__rng_fill_normal(r, t, 0.0, 1.0);
  return t;
}

NNDEF nn_tensor *nn_normal(nn_rng *r, double mean, double std, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t;
  if (!(std >= 0) || !isfinite(std) || !isfinite(mean)) {
    nn__fail(NN_ERR_VALUE, "nn_normal: scale < 0 or not finite (mean = %g, std = %g)", mean, std);
    return NULL;
  }
  t = nn__rng_new_float("nn_normal", r, shape, ndim, dtype);
  if (t) nn__rng_fill_normal(r, t, mean, std);
  return t;
}

NNDEF nn_tensor *nn_randint(nn_rng *r, int64_t lo, int64_t hi, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t;
  int64_t i, n, dmin, dmax;
  uint64_t range;
  if (!r) {
    nn__fail_null("nn_randint", "r");
    return NULL;
  }
  switch (dtype) {
    case NN_INT32: dmin = INT32_MIN; dmax = INT32_MAX; break;
    case NN_INT64: dmin = INT64_MIN; dmax = INT64_MAX; break;
    case NN_UINT8: dmin = 0; dmax = 255; break;
    case NN_BOOL: dmin = 0; dmax = 1; break;
    default:
      nn__fail(NN_ERR_DTYPE, "nn_randint: unsupported dtype %s (use an integer dtype or bool)", nn_dtype_name(dtype));
      return NULL;
  }
  if (lo >= hi) {
    nn__fail(NN_ERR_VALUE, "nn_randint: low >= high (low = %lld, high = %lld)", (long long)lo, (long long)hi);
    return NULL;
  }
  if (lo < dmin) {
    nn__fail(NN_ERR_VALUE, "nn_randint: low is out of bounds for %s (low = %lld)", nn_dtype_name(dtype), (long long)lo);
    return NULL;
  }
  if (hi - 1 > dmax) {
    nn__fail(NN_ERR_VALUE, "nn_randint: high is out of bounds for %s (high = %lld)", nn_dtype_name(dtype),
             (long long)hi);
    return NULL;
  }
  t = nn__new("nn_randint", dtype, shape, ndim);
  if (!t) return NULL;
  n = t->size;
  range = (uint64_t)hi - (uint64_t)lo;
  switch (dtype) {
    case NN_INT32: {
      int32_t *p = (int32_t *)t->data;
      for (i = 0; i < n; i++) p[i] = (int32_t)(lo + (int64_t)nn__rng_below(r, range));
      break;
    }
    case NN_INT64: {
      int64_t *p = (int64_t *)t->data;
      for (i = 0; i < n; i++) p[i] = (int64_t)((uint64_t)lo + nn__rng_below(r, range));
      break;
    }
    default: {
      uint8_t *p = (uint8_t *)t->data;
      for (i = 0; i < n; i++) p[i] = (uint8_t)(lo + (int64_t)nn__rng_below(r, range));
      break;
    }
  }
  return t;
}

NNDEF nn_tensor *nn_permutation(nn_rng *r, int64_t n) {
  nn_tensor *t;
  int64_t i, *p;
  if (!r) {
    nn__fail_null("nn_permutation", "r");
    return NULL;
  }
  if (n < 0) {
    nn__fail(NN_ERR_VALUE, "nn_permutation: negative dimensions are not allowed (n = %lld)", (long long)n);
    return NULL;
  }
  t = nn__new("nn_permutation", NN_INT64, &n, 1);
  if (!t) return NULL;
  p = (int64_t *)t->data;
  for (i = 0; i < n; i++) p[i] = i;
  for (i = n - 1; i > 0; i--) {
    int64_t j = (int64_t)nn__rng_below(r, (uint64_t)i + 1), tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
  return t;
}

/* Swaps the sub-arrays at byte addresses a and b, both with x's geometry below axis 0 (axes 1..ndim-1). */
NN__PRIVATE void nn__swap_sub(const nn_tensor *x, char *a, char *b) {
  int64_t idx[NN_MAX_DIMS], i, inner, st, off;
  size_t es = nn_dtype_size(x->dtype);
  int nd = x->ndim, d;
  if (nd == 1) {
    inner = 1;
    st = 0;
  } else {
    inner = x->shape[nd - 1];
    st = x->strides[nd - 1] * (int64_t)es;
  }
  for (d = 0; d < nd; d++) idx[d] = 0;
  for (;;) {
    off = 0;
    for (d = 1; d < nd - 1; d++) off += idx[d] * x->strides[d];
    off *= (int64_t)es;
    for (i = 0; i < inner; i++) {
      char *pa = a + off + i * st, *pb = b + off + i * st;
      if (es == 8) {
        uint64_t t;
        memcpy(&t, pa, 8);
        memcpy(pa, pb, 8);
        memcpy(pb, &t, 8);
      } else if (es == 4) {
        uint32_t t;
        memcpy(&t, pa, 4);
        memcpy(pa, pb, 4);
        memcpy(pb, &t, 4);
      } else {
        char t = *pa;
        *pa = *pb;
        *pb = t;
      }
    }
    for (d = nd - 2; d >= 1; d--) {
      if (++idx[d] < x->shape[d]) break;
      idx[d] = 0;
    }
    if (d < 1) break;
  }
}

NNDEF nn_status nn_shuffle(nn_rng *r, nn_tensor *x) {
  int64_t i, n, rowbytes = 0;
  size_t es;
  int contig_rows = 0, d;
  char *buf = NULL;
  if (!r) return nn__fail_null("nn_shuffle", "r");
  if (nn__check_cpu("nn_shuffle", x, "x") != NN_OK) return nn_last_status();
  if (x->ndim == 0) return nn__fail(NN_ERR_SHAPE, "nn_shuffle: cannot shuffle a 0-d array (it has no axis 0)");
  n = x->shape[0];
  if (n <= 1 || x->size == 0) return NN_OK;
  es = nn_dtype_size(x->dtype);
  /* Rows that are contiguous blocks are swapped with memcpy through a buffer. */
  if (x->ndim > 1) {
    int64_t s = 1;
    contig_rows = 1;
    for (d = x->ndim - 1; d >= 1; d--) {
      if (x->shape[d] != 1 && x->strides[d] != s) contig_rows = 0;
      s *= x->shape[d];
    }
    rowbytes = s * (int64_t)es;
    if (contig_rows) {
      buf = (char *)nn__xalloc("nn_shuffle", (size_t)rowbytes);
      if (!buf) return nn_last_status();
    }
  }
  for (i = n - 1; i > 0; i--) {
    int64_t j = (int64_t)nn__rng_below(r, (uint64_t)i + 1);
    char *a, *b;
    if (j == i) continue;
    a = (char *)x->data + i * x->strides[0] * (int64_t)es;
    b = (char *)x->data + j * x->strides[0] * (int64_t)es;
    if (contig_rows) {
      memcpy(buf, a, (size_t)rowbytes);
      memcpy(a, b, (size_t)rowbytes);
      memcpy(b, buf, (size_t)rowbytes);
    } else {
      nn__swap_sub(x, a, b);
    }
  }
  nn__dealloc(buf);
  return NN_OK;
}

NNDEF nn_tensor *nn_choice(nn_rng *r, int64_t n, int64_t k, int replace) {
  nn_tensor *t;
  int64_t i, *p;
  if (!r) {
    nn__fail_null("nn_choice", "r");
    return NULL;
  }
  if (n < 0 || k < 0) {
    nn__fail(NN_ERR_VALUE, "nn_choice: population size and sample size must be non-negative (n = %lld, k = %lld)",
             (long long)n, (long long)k);
    return NULL;
  }
  if (n == 0 && k > 0) {
    nn__fail(NN_ERR_VALUE, "nn_choice: a cannot be empty unless no samples are taken (k = %lld)", (long long)k);
    return NULL;
  }
  if (!replace && k > n) {
    nn__fail(NN_ERR_VALUE,
             "nn_choice: cannot take a larger sample than population when replace is false (n = %lld, k = %lld)",
             (long long)n, (long long)k);
    return NULL;
  }
  t = nn__new("nn_choice", NN_INT64, &k, 1);
  if (!t) return NULL;
  p = (int64_t *)t->data;
  if (replace) {
    for (i = 0; i < k; i++) p[i] = (int64_t)nn__rng_below(r, (uint64_t)n);
  } else if (n <= 4 * k || n <= 4096) {
    /* partial Fisher-Yates over 0..n-1 */
    int64_t *a = (int64_t *)nn__xalloc("nn_choice", (size_t)n * sizeof(int64_t));
    if (!a) {
      nn_free(t);
      return NULL;
    }
    for (i = 0; i < n; i++) a[i] = i;
    for (i = 0; i < k; i++) {
      int64_t j = i + (int64_t)nn__rng_below(r, (uint64_t)(n - i)), tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
      p[i] = a[i];
    }
    nn__dealloc(a);
  } else {
    /* k much smaller than n: draw and reject repeats, remembering drawn values in an open-addressing set */
    uint64_t cap = 16, mask, h;
    int64_t *set;
    while (cap < (uint64_t)k * 2) cap <<= 1;
    mask = cap - 1;
    set = (int64_t *)nn__xalloc("nn_choice", (size_t)cap * sizeof(int64_t));
    if (!set) {
      nn_free(t);
      return NULL;
    }
    for (h = 0; h < cap; h++) set[h] = -1;
    for (i = 0; i < k;) {
      int64_t v = (int64_t)nn__rng_below(r, (uint64_t)n);
      h = ((uint64_t)v * 0x9E3779B97F4A7C15ull) >> 20;
      for (;;) {
        h &= mask;
        if (set[h] == -1 || set[h] == v) break;
        h++;
      }
      if (set[h] == v) continue;
      set[h] = v;
      p[i++] = v;
    }
    nn__dealloc(set);
  }
  return t;
}
/* ---- end src/base/random.c ---- */
#endif
/* ---- begin src/ops/elementwise.c ---- */
/* ops/elementwise.c: argument checks, dtype rules and dispatch for elementwise ops. */

static const char *const nn__binop_names[NN_BINOP_COUNT] = {
    "add", "subtract", "multiply", "divide", "floor_divide", "mod", "power", "maximum", "minimum", "arctan2",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor"};
static const char *const nn__unop_names[NN_UNOP_COUNT] = {
    "negative", "absolute", "sign", "square", "relu", "round", "floor", "ceil", "trunc", "exp", "exp2", "expm1",
    "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "arcsin", "arccos",
    "arctan", "sinh", "cosh", "tanh", "sigmoid", "erf", "gelu", "gelu_tanh", "silu", "softplus", "log_sigmoid",
    "isnan", "isinf", "isfinite", "logical_not"};

NNDEF const char *nn_binop_name(nn_binop op) {
  return (int)op >= 0 && op < NN_BINOP_COUNT ? nn__binop_names[op] : "invalid";
}
NNDEF const char *nn_unop_name(nn_unop op) { return (int)op >= 0 && op < NN_UNOP_COUNT ? nn__unop_names[op] : "invalid"; }

/* The float type NumPy would use for a math function of dt (float16 replaced by float32). */
NN__PRIVATE nn_dtype nn__float_for(nn_dtype dt) {
  if (nn__is_float(dt)) return dt;
  return (dt == NN_UINT8 || dt == NN_BOOL) ? NN_FLOAT32 : NN_FLOAT64;
}

/* NumPy 1.x promotion with a 0-d operand treated like a Python scalar. Categories bool < integer < float: a scalar
   of a higher category promotes normally (bool array + 2 -> int64, int32 array + 2.5 -> float64); one of the same
   or a lower category keeps the array's dtype, except that an integer scalar's value may widen an integer array
   (uint8 + 3 -> uint8, uint8 + -1 -> int16 in NumPy, int32 here; int32 + 2**40 -> int64). */
NN__PRIVATE nn_dtype nn__promote_weak(const nn_tensor *a, const nn_tensor *b) {
  const nn_tensor *s, *arr;
  int sc, ac;
  double v;
  if ((a->ndim == 0) == (b->ndim == 0)) return nn_promote_types(a->dtype, b->dtype);
  s = a->ndim == 0 ? a : b;
  arr = a->ndim == 0 ? b : a;
  sc = s->dtype == NN_BOOL ? 0 : nn__is_int(s->dtype) ? 1 : 2;
  ac = arr->dtype == NN_BOOL ? 0 : nn__is_int(arr->dtype) ? 1 : 2;
  if (sc > ac) return nn_promote_types(arr->dtype, s->dtype);
  if (sc < ac || sc != 1) return arr->dtype;
  v = nn__load(s->dtype, s->data);
  if (arr->dtype == NN_UINT8) {
    if (v >= 0 && v <= 255) return NN_UINT8;
    return (v >= -2147483648.0 && v <= 2147483647.0) ? NN_INT32 : NN_INT64;
  }
  if (arr->dtype == NN_INT32 && !(v >= -2147483648.0 && v <= 2147483647.0)) return NN_INT64;
  return arr->dtype;
}

/* Picks the dtype an op computes in and the dtype it returns; returns NN_DTYPE_COUNT with an error if unsupported. */
NN__PRIVATE nn_dtype nn__binop_types(const char *name, nn_binop op, const nn_tensor *a, const nn_tensor *b,
                                     nn_dtype *result) {
  nn_dtype c = nn__promote_weak(a, b);
  switch (op) {
    case NN_OP_DIV: /* true division of integers is float64 whatever their size */
      if (!nn__is_float(c)) c = NN_FLOAT64;
      break;
    case NN_OP_ATAN2:
      c = nn__float_for(c);
      break;
    case NN_OP_SUB:
      if (c == NN_BOOL) {
        nn__fail(NN_ERR_DTYPE, "%s: boolean subtract is not supported (bool and bool); use nn_logical_xor", name);
        return NN_DTYPE_COUNT;
      }
      break;
    case NN_OP_FLOOR_DIVIDE:
    case NN_OP_MOD:
    case NN_OP_POW:
      if (c == NN_BOOL) c = NN_UINT8;
      break;
    default:
      break;
  }
  *result = op >= NN_OP_EQ ? NN_BOOL : c;
  return c;
}

NNDEF nn_dtype nn_binary_result_type(nn_binop op, const nn_tensor *a, const nn_tensor *b) {
  nn_dtype r;
  if (!a || !b) {
    nn__fail_null("nn_binary_result_type", !a ? "a" : "b");
    return NN_DTYPE_COUNT;
  }
  if ((int)op < 0 || op >= NN_BINOP_COUNT) {
    nn__fail(NN_ERR_ARG, "nn_binary_result_type: invalid op %d", (int)op);
    return NN_DTYPE_COUNT;
  }
  if (nn__binop_types("nn_binary_result_type", op, a, b, &r) == NN_DTYPE_COUNT) return NN_DTYPE_COUNT;
  return r;
}

/* ---- row dispatch: vector kernel for contiguous rows when one exists ---- */

typedef struct nn__bin_ctx {
  nn__row_fn row;
  nn__vbin_fn v[3];
} nn__bin_ctx;

NN__PRIVATE void nn__bin_row(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__bin_ctx *c = (const nn__bin_ctx *)vctx;
  if (st[0] == 1) {
    if (st[1] == 1 && st[2] == 1 && c->v[NN__VV]) {
      c->v[NN__VV](n, p[0], p[1], p[2]);
      return;
    }
    if (st[1] == 1 && st[2] == 0 && c->v[NN__VS]) {
      c->v[NN__VS](n, p[0], p[1], p[2]);
      return;
    }
    if (st[1] == 0 && st[2] == 1 && c->v[NN__SV]) {
      c->v[NN__SV](n, p[0], p[1], p[2]);
      return;
    }
  }
  c->row(n, p, st, NULL);
}

typedef struct nn__un_ctx {
  nn__row_fn row;
  nn__vun_fn v;
} nn__un_ctx;

NN__PRIVATE void nn__un_row(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__un_ctx *c = (const nn__un_ctx *)vctx;
  if (st[0] == 1 && st[1] == 1 && c->v) c->v(n, p[0], p[1]);
  else c->row(n, p, st, NULL);
}

/* x converted to dt, or x itself when it already has dt (then *tmp stays NULL). */
NN__PRIVATE const nn_tensor *nn__as_dtype(const nn_tensor *x, nn_dtype dt, nn_tensor **tmp) {
  *tmp = NULL;
  if (x->dtype == dt) return x;
  *tmp = nn_astype(x, dt);
  return *tmp;
}

/* Checks an out tensor: on the CPU, with exactly the given shape. */
NN__PRIVATE nn_status nn__check_out(const char *name, const nn_tensor *out, const int64_t *shape, int ndim) {
  char s1[160], s2[160];
  int i, same = out->ndim == ndim;
  if (nn__check_cpu(name, out, "out") != NN_OK) return nn_last_status();
  for (i = 0; same && i < ndim; i++) same = out->shape[i] == shape[i];
  if (!same)
    return nn__fail(NN_ERR_SHAPE, "%s: output shape %s does not match the broadcast shape %s", name,
                    nn_shape_str(out, s1, sizeof s1), nn__fmt_shape(s2, sizeof s2, shape, ndim));
  return NN_OK;
}

/* Runs a 3-operand elementwise computation out = f(a, b) given a ready out (dtype = compute or bool result). */
NN__PRIVATE void nn__run3(nn_tensor *out, const nn_tensor *a, const nn_tensor *b, nn__row_fn fn, void *ctx) {
  nn__iter it;
  nn_tensor *ops[3];
  ops[0] = out;
  ops[1] = (nn_tensor *)a;
  ops[2] = (nn_tensor *)b;
  nn__iter_init(&it, 3, ops, out->shape, out->ndim);
  nn__iter_run(&it, fn, ctx);
}

NN__PRIVATE void nn__run2(nn_tensor *out, const nn_tensor *x, nn__row_fn fn, void *ctx) {
  nn__iter it;
  nn_tensor *ops[2];
  ops[0] = out;
  ops[1] = (nn_tensor *)x;
  nn__iter_init(&it, 2, ops, out->shape, out->ndim);
  nn__iter_run(&it, fn, ctx);
}

/* 1 if any element of an integer tensor is negative. */
NN__PRIVATE int nn__any_negative(const nn_tensor *t) {
  int64_t i;
  if (t->dtype == NN_UINT8 || t->dtype == NN_BOOL) return 0;
  for (i = 0; i < t->size; i++)
    if (nn__load(t->dtype, nn__flat_ptr(t, i)) < 0) return 1;
  return 0;
}

/* The shared body of every binary op. out may be NULL (allocate) or an existing tensor. */
NN__PRIVATE nn_tensor *nn__binary(const char *name, nn_binop op, nn_tensor *out, const nn_tensor *a,
                                  const nn_tensor *b) {
  int64_t shape[NN_MAX_DIMS];
  int ndim;
  nn_dtype cdt, rdt;
  nn_tensor *ta = NULL, *tb = NULL, *res = NULL, *tmp = NULL;
  const nn_tensor *ca, *cb;
  nn__bin_ctx ctx;
  const nn__vec_table *vt;
  if (nn__check_cpu(name, a, "a") != NN_OK || nn__check_cpu(name, b, "b") != NN_OK) return NULL;
  if ((int)op < 0 || op >= NN_BINOP_COUNT) {
    nn__fail(NN_ERR_ARG, "%s: invalid op %d", name, (int)op);
    return NULL;
  }
  if (nn__broadcast_shapes(name, a->shape, a->ndim, b->shape, b->ndim, shape, &ndim) != NN_OK) return NULL;
  cdt = nn__binop_types(name, op, a, b, &rdt);
  if (cdt == NN_DTYPE_COUNT) return NULL;
  if (out && nn__check_out(name, out, shape, ndim) != NN_OK) return NULL;
  ca = nn__as_dtype(a, cdt, &ta);
  cb = nn__as_dtype(b, cdt, &tb);
  if (!ca || !cb) goto done;
  if (op == NN_OP_POW && nn__is_int(cdt) && nn__any_negative(cb)) {
    nn__fail(NN_ERR_VALUE, "%s: integers to negative integer powers are not allowed", name);
    goto done;
  }
  if (!out || out->dtype != rdt) {
    tmp = nn__new(name, rdt, shape, ndim);
    if (!tmp) goto done;
  }
  vt = nn__kernels();
  ctx.row = nn__bin_rows[cdt][op];
  ctx.v[0] = vt->bin[cdt][op][0];
  ctx.v[1] = vt->bin[cdt][op][1];
  ctx.v[2] = vt->bin[cdt][op][2];
  NN_ASSERT(ctx.row != NULL);
  nn__run3(tmp ? tmp : out, ca, cb, nn__bin_row, &ctx);
  if (out && tmp) {
    nn__assign(out, tmp);
    nn_free(tmp);
    tmp = NULL;
  }
  res = out ? out : tmp;
  if (!out && nn__ag_wanted2(a, b)) res = nn__grad_binary(op, res, a, b);
done:
  nn_free(ta);
  nn_free(tb);
  return res;
}

NNDEF nn_tensor *nn_binary(nn_binop op, const nn_tensor *a, const nn_tensor *b) {
  return nn__binary("nn_binary", op, NULL, a, b);
}

NNDEF nn_status nn_binary_out(nn_binop op, nn_tensor *out, const nn_tensor *a, const nn_tensor *b) {
  if (!out) return nn__fail_null("nn_binary_out", "out");
  return nn__binary("nn_binary_out", op, out, a, b) ? NN_OK : nn_last_status();
}

#define NN__BINARY_API(FN, OP) \
  NNDEF nn_tensor *FN(const nn_tensor *a, const nn_tensor *b) { return nn__binary(#FN, OP, NULL, a, b); }
NN__BINARY_API(nn_add, NN_OP_ADD)
NN__BINARY_API(nn_sub, NN_OP_SUB)
NN__BINARY_API(nn_mul, NN_OP_MUL)
NN__BINARY_API(nn_div, NN_OP_DIV)
NN__BINARY_API(nn_floor_divide, NN_OP_FLOOR_DIVIDE)
NN__BINARY_API(nn_mod, NN_OP_MOD)
NN__BINARY_API(nn_pow, NN_OP_POW)
NN__BINARY_API(nn_maximum, NN_OP_MAXIMUM)
NN__BINARY_API(nn_minimum, NN_OP_MINIMUM)
NN__BINARY_API(nn_atan2, NN_OP_ATAN2)
NN__BINARY_API(nn_equal, NN_OP_EQ)
NN__BINARY_API(nn_not_equal, NN_OP_NE)
NN__BINARY_API(nn_less, NN_OP_LT)
NN__BINARY_API(nn_less_equal, NN_OP_LE)
NN__BINARY_API(nn_greater, NN_OP_GT)
NN__BINARY_API(nn_greater_equal, NN_OP_GE)
NN__BINARY_API(nn_logical_and, NN_OP_LOGICAL_AND)
NN__BINARY_API(nn_logical_or, NN_OP_LOGICAL_OR)
NN__BINARY_API(nn_logical_xor, NN_OP_LOGICAL_XOR)

/* A Python scalar: integral values become int64 (kind int), others float64 (kind float). */
NN__PRIVATE nn_tensor *nn__py_scalar(double s) {
  if (s == floor(s) && fabs(s) < 9.0e15) return nn_scalar(s, NN_INT64);
  return nn_scalar(s, NN_FLOAT64);
}

#define NN__SCALAR_API(FN, OP)                                     \
  NNDEF nn_tensor *FN(const nn_tensor *a, double s) {              \
    nn_tensor *b, *r;                                              \
    if (nn__check_cpu(#FN, a, "a") != NN_OK) return NULL;          \
    b = nn__py_scalar(s);                                          \
    if (!b) return NULL;                                           \
                                                                   \
    r = nn__binary(#FN, OP, NULL, a, b);                           \
    nn_free(b);                                                    \
    return r;                                                      \
  }
NN__SCALAR_API(nn_add_scalar, NN_OP_ADD)
NN__SCALAR_API(nn_sub_scalar, NN_OP_SUB)
NN__SCALAR_API(nn_mul_scalar, NN_OP_MUL)
NN__SCALAR_API(nn_div_scalar, NN_OP_DIV)
NN__SCALAR_API(nn_pow_scalar, NN_OP_POW)

/* ---- unary ---- */

NN__PRIVATE nn_tensor *nn__unary(const char *name, nn_unop op, nn_tensor *out, const nn_tensor *x) {
  nn_dtype cdt, rdt;
  nn_tensor *tx = NULL, *tmp = NULL, *res = NULL;
  const nn_tensor *cx;
  nn__un_ctx ctx;
  if (nn__check_cpu(name, x, "x") != NN_OK) return NULL;
  if ((int)op < 0 || op >= NN_UNOP_COUNT) {
    nn__fail(NN_ERR_ARG, "%s: invalid op %d", name, (int)op);
    return NULL;
  }
  cdt = x->dtype;
  if (op == NN_OP_NEG && cdt == NN_BOOL) {
    nn__fail(NN_ERR_DTYPE, "%s: the boolean negative is not supported; use nn_logical_not", name);
    return NULL;
  }
  if ((op >= NN_OP_FLOOR && op < NN_OP_ISNAN) || (op == NN_OP_ROUND && cdt == NN_BOOL)) cdt = nn__float_for(cdt);
  rdt = op >= NN_OP_ISNAN ? NN_BOOL : cdt;
  if (out && nn__check_out(name, out, x->shape, x->ndim) != NN_OK) return NULL;
  cx = nn__as_dtype(x, cdt, &tx);
  if (!cx) return NULL;
  if (!out || out->dtype != rdt) {
    tmp = nn__new(name, rdt, x->shape, x->ndim);
    if (!tmp) goto done;
  }
  ctx.row = nn__un_rows[cdt][op];
  ctx.v = nn__kernels()->un[cdt][op];
  NN_ASSERT(ctx.row != NULL);
  nn__run2(tmp ? tmp : out, cx, nn__un_row, &ctx);
  if (out && tmp) {
    nn__assign(out, tmp);
    nn_free(tmp);
    tmp = NULL;
  }
  res = out ? out : tmp;
  if (!out && nn__ag_wanted1(x)) res = nn__grad_unary(op, res, x);
done:
  nn_free(tx);
  return res;
}

NNDEF nn_tensor *nn_unary(nn_unop op, const nn_tensor *x) { return nn__unary("nn_unary", op, NULL, x); }
NNDEF nn_status nn_unary_out(nn_unop op, nn_tensor *out, const nn_tensor *x) {
  if (!out) return nn__fail_null("nn_unary_out", "out");
  return nn__unary("nn_unary_out", op, out, x) ? NN_OK : nn_last_status();
}

#define NN__UNARY_API(FN, OP) \
  NNDEF nn_tensor *FN(const nn_tensor *x) { return nn__unary(#FN, OP, NULL, x); }
NN__UNARY_API(nn_neg, NN_OP_NEG)
NN__UNARY_API(nn_abs, NN_OP_ABS)
NN__UNARY_API(nn_sign, NN_OP_SIGN)
NN__UNARY_API(nn_square, NN_OP_SQUARE)
NN__UNARY_API(nn_relu, NN_OP_RELU)
NN__UNARY_API(nn_round, NN_OP_ROUND)
NN__UNARY_API(nn_floor, NN_OP_FLOOR)
NN__UNARY_API(nn_ceil, NN_OP_CEIL)
NN__UNARY_API(nn_trunc, NN_OP_TRUNC)
NN__UNARY_API(nn_exp, NN_OP_EXP)
NN__UNARY_API(nn_exp2, NN_OP_EXP2)
NN__UNARY_API(nn_expm1, NN_OP_EXPM1)
NN__UNARY_API(nn_log, NN_OP_LOG)
NN__UNARY_API(nn_log2, NN_OP_LOG2)
NN__UNARY_API(nn_log10, NN_OP_LOG10)
NN__UNARY_API(nn_log1p, NN_OP_LOG1P)
NN__UNARY_API(nn_sqrt, NN_OP_SQRT)
NN__UNARY_API(nn_rsqrt, NN_OP_RSQRT)
NN__UNARY_API(nn_reciprocal, NN_OP_RECIPROCAL)
NN__UNARY_API(nn_sin, NN_OP_SIN)
NN__UNARY_API(nn_cos, NN_OP_COS)
NN__UNARY_API(nn_tan, NN_OP_TAN)
NN__UNARY_API(nn_asin, NN_OP_ASIN)
NN__UNARY_API(nn_acos, NN_OP_ACOS)
NN__UNARY_API(nn_atan, NN_OP_ATAN)
NN__UNARY_API(nn_sinh, NN_OP_SINH)
NN__UNARY_API(nn_cosh, NN_OP_COSH)
NN__UNARY_API(nn_tanh, NN_OP_TANH)
NN__UNARY_API(nn_sigmoid, NN_OP_SIGMOID)
NN__UNARY_API(nn_erf, NN_OP_ERF)
NN__UNARY_API(nn_gelu, NN_OP_GELU)
NN__UNARY_API(nn_gelu_tanh, NN_OP_GELU_TANH)
NN__UNARY_API(nn_silu, NN_OP_SILU)
NN__UNARY_API(nn_softplus, NN_OP_SOFTPLUS)
NN__UNARY_API(nn_log_sigmoid, NN_OP_LOG_SIGMOID)
NN__UNARY_API(nn_isnan, NN_OP_ISNAN)
NN__UNARY_API(nn_isinf, NN_OP_ISINF)
NN__UNARY_API(nn_isfinite, NN_OP_ISFINITE)
NN__UNARY_API(nn_logical_not, NN_OP_LOGICAL_NOT)

/* ---- fused forms: a + alpha*b and alpha*x + beta ---- */

typedef struct nn__axpb_ctx {
  double alpha, beta;
  const nn__vec_table *vt;
} nn__axpb_ctx;

NN__PRIVATE void nn__add_scaled_row_f32(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__axpb_ctx *c = (const nn__axpb_ctx *)vctx;
  float *o = (float *)p[0];
  const float *a = (const float *)p[1], *b = (const float *)p[2];
  float al = (float)c->alpha;
  int64_t i;
  if (st[0] == 1 && st[1] == 1 && st[2] == 1 && c->vt->add_scaled_f32) {
    c->vt->add_scaled_f32(n, o, a, b, al);
    return;
  }
  for (i = 0; i < n; i++) o[i * st[0]] = a[i * st[1]] + al * b[i * st[2]];
}

NN__PRIVATE void nn__add_scaled_row_f64(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__axpb_ctx *c = (const nn__axpb_ctx *)vctx;
  double *o = (double *)p[0];
  const double *a = (const double *)p[1], *b = (const double *)p[2];
  int64_t i;
  for (i = 0; i < n; i++) o[i * st[0]] = a[i * st[1]] + c->alpha * b[i * st[2]];
}

NNDEF nn_status nn_add_scaled_out(nn_tensor *out, const nn_tensor *a, const nn_tensor *b, double alpha) {
  nn_tensor *s, *prod;
  nn_status st = NN_OK;
  int64_t shape[NN_MAX_DIMS];
  int ndim;
  if (!out) return nn__fail_null("nn_add_scaled_out", "out");
  if (nn__check_cpu("nn_add_scaled_out", a, "a") != NN_OK || nn__check_cpu("nn_add_scaled_out", b, "b") != NN_OK)
    return nn_last_status();
  if (nn__broadcast_shapes("nn_add_scaled_out", a->shape, a->ndim, b->shape, b->ndim, shape, &ndim) != NN_OK)
    return nn_last_status();
  if (nn__check_out("nn_add_scaled_out", out, shape, ndim) != NN_OK) return nn_last_status();
  if (nn__is_float(out->dtype) && a->dtype == out->dtype && b->dtype == out->dtype) {
    nn__axpb_ctx c;
    c.alpha = alpha;
    c.beta = 0;
    c.vt = nn__kernels();
    nn__run3(out, a, b, out->dtype == NN_FLOAT32 ? nn__add_scaled_row_f32 : nn__add_scaled_row_f64, &c);
    return NN_OK;
  }
  /* mixed dtypes: the two-step form has the right promotion */
  s = nn__py_scalar(alpha);
  if (!s) return nn_last_status();

  prod = nn__binary("nn_add_scaled_out", NN_OP_MUL, NULL, b, s);

  if (!prod || !nn__binary("nn_add_scaled_out", NN_OP_ADD, out, a, prod)) st = nn_last_status();
  nn_free(prod);
  nn_free(s);
  return st;
}

NNDEF nn_tensor *nn_add_scaled(const nn_tensor *a, const nn_tensor *b, double alpha) {
  int64_t shape[NN_MAX_DIMS];
  int ndim;
  nn_tensor *out;
  nn_dtype dt;
  if (nn__check_cpu("nn_add_scaled", a, "a") != NN_OK || nn__check_cpu("nn_add_scaled", b, "b") != NN_OK) return NULL;
  if (nn__broadcast_shapes("nn_add_scaled", a->shape, a->ndim, b->shape, b->ndim, shape, &ndim) != NN_OK) return NULL;
  dt = nn__promote_weak(a, b);
  if (!nn__is_float(dt) && alpha != floor(alpha)) dt = nn__float_for(dt);
  if (dt == NN_BOOL) dt = NN_INT64;
  out = nn__new("nn_add_scaled", dt, shape, ndim);
  if (!out) return NULL;
  if (nn_add_scaled_out(out, a, b, alpha) != NN_OK) {
    nn_free(out);
    return NULL;
  }
  if (nn__ag_wanted2(a, b)) out = nn__grad_add_scaled(out, a, b, alpha);
  return out;
}

NN__PRIVATE void nn__affine_row(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__axpb_ctx *c = (const nn__axpb_ctx *)vctx;
  int64_t i;
  if (st[0] == 1 && st[1] == 1 && c->vt->affine_f32) {
    c->vt->affine_f32(n, (float *)p[0], (const float *)p[1], (float)c->alpha, (float)c->beta);
    return;
  }
  {
    float *o = (float *)p[0];
    const float *x = (const float *)p[1];
    float al = (float)c->alpha, be = (float)c->beta;
    for (i = 0; i < n; i++) o[i * st[0]] = al * x[i * st[1]] + be;
  }
}

NN__PRIVATE void nn__affine_row_f64(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__axpb_ctx *c = (const nn__axpb_ctx *)vctx;
  double *o = (double *)p[0];
  const double *x = (const double *)p[1];
  int64_t i;
  for (i = 0; i < n; i++) o[i * st[0]] = c->alpha * x[i * st[1]] + c->beta;
}

NNDEF nn_status nn_affine_out(nn_tensor *out, const nn_tensor *x, double alpha, double beta) {
  nn__axpb_ctx c;
  if (!out) return nn__fail_null("nn_affine_out", "out");
  if (nn__check_cpu("nn_affine_out", x, "x") != NN_OK) return nn_last_status();
  if (nn__check_out("nn_affine_out", out, x->shape, x->ndim) != NN_OK) return nn_last_status();
  if (!nn__is_float(out->dtype) || out->dtype != x->dtype)
    return nn__fail(NN_ERR_DTYPE, "nn_affine_out: needs float32 or float64 tensors of one dtype (got %s and %s)",
                    nn_dtype_name(out->dtype), nn_dtype_name(x->dtype));
  c.alpha = alpha;
  c.beta = beta;
  c.vt = nn__kernels();
  nn__run2(out, x, out->dtype == NN_FLOAT32 ? nn__affine_row : nn__affine_row_f64, &c);
  return NN_OK;
}

/* ---- where / clip ---- */

#define NN__WHERE_ROW(NAME, T)                                                                      \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *ctx) {                        \
    T *o = (T *)p[0];                                                                               \
    const uint8_t *c = (const uint8_t *)p[1];                                                       \
    const T *a = (const T *)p[2], *b = (const T *)p[3];                                             \
    int64_t i;                                                                                      \
    (void)ctx;                                                                                      \
    for (i = 0; i < n; i++) o[i * st[0]] = c[i * st[1]] ? a[i * st[2]] : b[i * st[3]];              \
  }
NN__WHERE_ROW(nn__where_row1, uint8_t)
NN__WHERE_ROW(nn__where_row4, uint32_t)
NN__WHERE_ROW(nn__where_row8, uint64_t)

NNDEF nn_tensor *nn_where(const nn_tensor *cond, const nn_tensor *a, const nn_tensor *b) {
  int64_t s1[NN_MAX_DIMS], shape[NN_MAX_DIMS];
  int n1, ndim;
  nn_dtype dt;
  nn_tensor *tc = NULL, *ta = NULL, *tb = NULL, *out = NULL;
  const nn_tensor *cc, *ca, *cb;
  nn__iter it;
  nn_tensor *ops[4];
  size_t es;
  if (nn__check_cpu("nn_where", cond, "cond") != NN_OK || nn__check_cpu("nn_where", a, "a") != NN_OK ||
      nn__check_cpu("nn_where", b, "b") != NN_OK)
    return NULL;
  if (nn__broadcast_shapes("nn_where", cond->shape, cond->ndim, a->shape, a->ndim, s1, &n1) != NN_OK) return NULL;
  if (nn__broadcast_shapes("nn_where", s1, n1, b->shape, b->ndim, shape, &ndim) != NN_OK) return NULL;
  dt = nn__promote_weak(a, b);
  cc = nn__as_dtype(cond, NN_BOOL, &tc);
  ca = nn__as_dtype(a, dt, &ta);
  cb = nn__as_dtype(b, dt, &tb);
  if (!cc || !ca || !cb) goto done;
  out = nn__new("nn_where", dt, shape, ndim);
  if (!out) goto done;
  ops[0] = out;
  ops[1] = (nn_tensor *)cc;
  ops[2] = (nn_tensor *)ca;
  ops[3] = (nn_tensor *)cb;
  nn__iter_init(&it, 4, ops, shape, ndim);
  es = nn_dtype_size(dt);
  nn__iter_run(&it, es == 1 ? nn__where_row1 : es == 4 ? nn__where_row4 : nn__where_row8, NULL);
  if (nn__ag_wanted2(a, b)) out = nn__grad_where(out, cond, a, b);
done:
  nn_free(tc);
  nn_free(ta);
  nn_free(tb);
  return out;
}

typedef struct nn__clip_ctx {
  double lo, hi;
} nn__clip_ctx;

#define NN__CLIP_ROW(NAME, T, LO, HI)                                          \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *vctx) {  \
    const nn__clip_ctx *c = (const nn__clip_ctx *)vctx;                        \
    T *o = (T *)p[0];                                                          \
    const T *x = (const T *)p[1];                                              \
    T lo = LO, hi = HI;                                                        \
    int64_t i;                                                                 \
    for (i = 0; i < n; i++) {                                                  \
      T v = x[i * st[1]];                                                      \
      v = v < lo ? lo : v;                                                     \
      o[i * st[0]] = v > hi ? hi : v;                                          \
    }                                                                          \
  }
/* Integer bounds are clamped to the type's range first so the conversion is defined. */
NN__CLIP_ROW(nn__clip_f32, float, (float)c->lo, (float)c->hi)
NN__CLIP_ROW(nn__clip_f64, double, c->lo, c->hi)
NN__CLIP_ROW(nn__clip_i32, int32_t, (int32_t)NN__MAX(c->lo, (double)INT32_MIN), (int32_t)NN__MIN(c->hi, (double)INT32_MAX))
NN__CLIP_ROW(nn__clip_i64, int64_t, nn__f2i64(NN__MAX(c->lo, -9.2233720368547758e18)),
             nn__f2i64(NN__MIN(c->hi, 9.2233720368547748e18)))
NN__CLIP_ROW(nn__clip_u8, uint8_t, (uint8_t)NN__MIN(NN__MAX(c->lo, 0.0), 255.0), (uint8_t)NN__MIN(NN__MAX(c->hi, 0.0), 255.0))

NNDEF nn_status nn_clip_out(nn_tensor *out, const nn_tensor *x, double lo, double hi) {
  nn__clip_ctx c;
  static const nn__row_fn rows[NN_DTYPE_COUNT] = {nn__clip_f32, nn__clip_f64, nn__clip_i32,
                                                  nn__clip_i64, nn__clip_u8,  nn__clip_u8};
  if (!out) return nn__fail_null("nn_clip_out", "out");
  if (nn__check_cpu("nn_clip_out", x, "x") != NN_OK) return nn_last_status();
  if (nn__check_out("nn_clip_out", out, x->shape, x->ndim) != NN_OK) return nn_last_status();
  if (lo != lo || hi != hi) return nn__fail(NN_ERR_VALUE, "nn_clip_out: bounds must not be NaN (got %g, %g)", lo, hi);
  if (out->dtype != x->dtype)
    return nn__fail(NN_ERR_DTYPE, "nn_clip_out: out dtype %s differs from input dtype %s", nn_dtype_name(out->dtype),
                    nn_dtype_name(x->dtype));
  if (nn__is_int(x->dtype) || x->dtype == NN_BOOL) {
    lo = ceil(lo); /* the integers inside [lo, hi] */
    hi = floor(hi);
  }
  if (x->dtype == NN_BOOL) {
    lo = NN__MIN(NN__MAX(lo, 0.0), 1.0);
    hi = NN__MIN(NN__MAX(hi, 0.0), 1.0);
  }
  c.lo = lo;
  c.hi = hi;
  nn__run2(out, x, rows[x->dtype], &c);
  return NN_OK;
}

NNDEF nn_tensor *nn_clip(const nn_tensor *x, double lo, double hi) {
  nn_tensor *src, *tx = NULL, *out;
  nn_dtype dt;
  if (nn__check_cpu("nn_clip", x, "x") != NN_OK) return NULL;
  dt = x->dtype;
  /* like NumPy: an integer array clipped to fractional bounds becomes float64 */
  if (!nn__is_float(dt) && ((isfinite(lo) && lo != floor(lo)) || (isfinite(hi) && hi != floor(hi)))) dt = NN_FLOAT64;
  src = (nn_tensor *)nn__as_dtype(x, dt, &tx);
  if (!src) return NULL;
  out = nn__new("nn_clip", dt, x->shape, x->ndim);
  if (out && nn_clip_out(out, src, lo, hi) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
  if (out && nn__ag_wanted1(x)) out = nn__grad_clip(out, x, lo, hi);
  nn_free(tx);
  return out;
}
/* ---- end src/ops/elementwise.c ---- */
/* ---- begin src/ops/reduce.c ---- */
/* ops/reduce.c: argument checks, dtype rules, layout analysis and dispatch for reductions, cumulative scans and
   softmax.

   Layouts. After dropping length-1 axes and merging axes that are contiguous with each other, a reduction is run
   without copying in one of two forms:
   (A) the innermost reduced axis has stride 1: every output element reduces Q rows of L contiguous elements
       (row kernels, one partial per row piece, folded in order);
   (B) the innermost kept axis has stride 1: each reduced position contributes a row of m contiguous elements that
       is accumulated into a vector of m outputs (column kernels).
   Anything else (reversed or stepped slices, arg-reductions not along rows) is first copied into a contiguous
   tensor with the axes ordered (kept..., reduced...), which is form (A).

   Determinism. Work is cut into pieces of about NN__RCHUNK elements whose boundaries depend only on the shape;
   partial results are folded in a fixed order, so results are bit-identical for any number of threads. */

#define NN__RCHUNK ((int64_t)1 << 16) /* elements per parallel piece */
#define NN__RCOLBLK 2048              /* outputs per block in column (B) reductions */

/* Internal ops beyond nn_reduce_op. */
#define NN__ROP_ARGMIN ((int)NN_REDUCE_COUNT + 1)
#define NN__ROP_ARGMAX ((int)NN_REDUCE_COUNT + 2)

/* How a pass turns an accumulated value into an output value. */
enum { NN__FIN_PLAIN = 0, NN__FIN_MEAN, NN__FIN_VAR, NN__FIN_STD, NN__FIN_LSE, NN__FIN_CENTER };

/* The reduction after normalizing axes: kept axes (output order) and reduced axes (innermost last), merged. */
typedef struct nn__rplan {
  int nk, nr;
  int64_t kshape[NN_MAX_DIMS], kst[NN_MAX_DIMS];
  int64_t rshape[NN_MAX_DIMS], rst[NN_MAX_DIMS];
} nn__rplan;

/* red[i] != 0 marks axis i as reduced. c_order keeps reduced axes in index order (arg-reductions need positions in
   row-major order); otherwise they are sorted by stride so that more of them merge. */
NN__PRIVATE void nn__rplan_make(const nn_tensor *x, const int *red, int c_order, nn__rplan *p) {
  int i, j;
  p->nk = p->nr = 0;
  for (i = 0; i < x->ndim; i++) {
    int64_t n = x->shape[i], s = x->strides[i];
    if (n == 1) continue;
    if (red[i]) {
      p->rshape[p->nr] = n;
      p->rst[p->nr] = s;
      p->nr++;
    } else if (p->nk > 0 && p->kst[p->nk - 1] == s * n) {
      p->kshape[p->nk - 1] *= n;
      p->kst[p->nk - 1] = s;
    } else {
      p->kshape[p->nk] = n;
      p->kst[p->nk] = s;
      p->nk++;
    }
  }
  if (!c_order) /* stable insertion sort, largest |stride| first (reversed axes then still end in stride 1) */
    for (i = 1; i < p->nr; i++) {
      int64_t n = p->rshape[i], s = p->rst[i];
      for (j = i; j > 0 && (p->rst[j - 1] < 0 ? -p->rst[j - 1] : p->rst[j - 1]) < (s < 0 ? -s : s); j--) {
        p->rshape[j] = p->rshape[j - 1];
        p->rst[j] = p->rst[j - 1];
      }
      p->rshape[j] = n;
      p->rst[j] = s;
    }
  j = 0;
  for (i = 0; i < p->nr; i++) {
    if (j > 0 && p->rst[j - 1] == p->rst[i] * p->rshape[i]) {
      p->rshape[j - 1] *= p->rshape[i];
      p->rst[j - 1] = p->rst[i];
    } else {
      p->rshape[j] = p->rshape[i];
      p->rst[j] = p->rst[i];
      j++;
    }
  }
  p->nr = j;
}

/* Element offset of flat index idx over dims (shape, st). */
NN__PRIVATE int64_t nn__roff(int64_t idx, int n, const int64_t *shape, const int64_t *st) {
  int64_t off = 0;
  int d;
  if (n == 1) return idx * st[0];
  for (d = n - 1; d >= 0; d--) {
    int64_t s = shape[d];
    off += (idx % s) * st[d];
    idx /= s;
  }
  return off;
}

NN__PRIVATE double nn__rtransform(int fin, double v, int64_t N, int ddof, double c) {
  switch (fin) {
    case NN__FIN_MEAN: return v / (double)N;
    case NN__FIN_VAR:
    case NN__FIN_STD: {
      double d = N - (int64_t)ddof > 0 ? (double)(N - (int64_t)ddof) : 0.0;
      v = v / d;
      return fin == NN__FIN_STD ? sqrt(v) : v;
    }
    case NN__FIN_LSE: return log(v) + c;
    case NN__FIN_CENTER: return isfinite(v) ? v : 0.0;
    default: return v;
  }
}

/* What one pass computes and where the results go (nout contiguous elements of outdt). */
typedef struct nn__rpass {
  nn__rkind kind;
  nn_dtype dt; /* input dtype */
  int fin;
  void *out;
  nn_dtype outdt;
  const double *centers; /* per output, or NULL */
  int64_t N;             /* reduced element count */
  int ddof;
} nn__rpass;

/* Stores a row-form result for output o. */
NN__PRIVATE void nn__rstore(const nn__rpass *ps, int64_t o, const nn__racc *r) {
  char *op = (char *)ps->out + o * (int64_t)nn_dtype_size(ps->outdt);
  int fl = nn__is_float(ps->dt);
  double v;
  switch (ps->kind) {
    case NN__RK_ARGMIN:
    case NN__RK_ARGMAX: *(int64_t *)op = r->idx; return;
    case NN__RK_SUM:
    case NN__RK_PROD:
      if (!fl) {
        if (ps->fin == NN__FIN_PLAIN && ps->outdt == NN_INT64) {
          *(int64_t *)op = (int64_t)r->u;
          return;
        }
        v = (double)(int64_t)r->u;
      } else {
        v = r->d;
      }
      break;
    case NN__RK_MIN:
    case NN__RK_MAX:
      if (!fl) {
        switch (ps->outdt) {
          case NN_INT32: *(int32_t *)op = (int32_t)r->i; return;
          case NN_INT64: *(int64_t *)op = r->i; return;
          case NN_UINT8: *(uint8_t *)op = (uint8_t)r->i; return;
          case NN_BOOL: *(uint8_t *)op = (uint8_t)(r->i != 0); return;
          default: v = (double)r->i; break;
        }
      } else {
        v = r->d;
      }
      break;
    case NN__RK_ANY:
    case NN__RK_ALL: v = (double)r->u; break;
    default: v = r->d; break;
  }
  v = nn__rtransform(ps->fin, v, ps->N, ps->ddof, ps->centers ? ps->centers[o] : 0.0);
  nn__store(ps->outdt, op, v);
}

/* Stores w column-form accumulators (dtype at) into outputs [o0, o0 + w). */
NN__PRIVATE void nn__rstore_vec(const nn__rpass *ps, int64_t o0, int64_t w, nn_dtype at, const void *acc) {
  size_t osz = nn_dtype_size(ps->outdt);
  char *op = (char *)ps->out + o0 * (int64_t)osz;
  int64_t j;
  if (ps->fin == NN__FIN_PLAIN && at == ps->outdt) {
    memcpy(op, acc, (size_t)w * osz);
    return;
  }
  if (at == NN_FLOAT32 && ps->outdt == NN_FLOAT32 && ps->fin == NN__FIN_MEAN) {
    const float *a = (const float *)acc;
    float *o = (float *)op;
    double n = (double)ps->N;
    for (j = 0; j < w; j++) o[j] = (float)((double)a[j] / n);
    return;
  }
  if (at == NN_FLOAT64 && ps->fin == NN__FIN_PLAIN && ps->outdt == NN_FLOAT32) {
    const double *a = (const double *)acc;
    float *o = (float *)op;
    for (j = 0; j < w; j++) o[j] = (float)a[j];
    return;
  }
  for (j = 0; j < w; j++) {
    double v = nn__load(at, (const char *)acc + j * (int64_t)nn_dtype_size(at));
    v = nn__rtransform(ps->fin, v, ps->N, ps->ddof, ps->centers ? ps->centers[o0 + j] : 0.0);
    nn__store(ps->outdt, op + j * (int64_t)osz, v);
  }
}

/* ---- form (A): rows ---- */

typedef struct nn__rA {
  const nn__rpass *ps;
  const nn__rplan *p;
  const char *base;
  int64_t esz, L, Q, nout;
  int64_t P;  /* pieces per row when L >= NN__RCHUNK, else 0 */
  int64_t RU; /* rows per unit when L < NN__RCHUNK */
  int64_t U;  /* units per output */
  int64_t G;  /* outputs per chunk when U == 1 */
  nn__rrow_fn row;
  nn__racc *part;
} nn__rA;

NN__PRIVATE void nn__rA_unit(const nn__rA *a, int64_t o, int64_t u, nn__racc *res) {
  const nn__rplan *p = a->p;
  int nq = p->nr > 0 ? p->nr - 1 : 0;
  double c = a->ps->centers ? a->ps->centers[o] : 0.0;
  const char *ob = a->base + nn__roff(o, p->nk, p->kshape, p->kst) * a->esz;
  if (a->P) {
    int64_t q = u / a->P, start = (u % a->P) * NN__RCHUNK;
    int64_t len = a->L - start < NN__RCHUNK ? a->L - start : NN__RCHUNK;
    a->row(len, ob + (nn__roff(q, nq, p->rshape, p->rst) + start) * a->esz, c, res);
    res->idx += start + q * a->L;
  } else {
    int64_t q0 = u * a->RU, q1 = q0 + a->RU, q;
    nn__racc t;
    if (q1 > a->Q) q1 = a->Q;
    a->row(a->L, ob + nn__roff(q0, nq, p->rshape, p->rst) * a->esz, c, res);
    res->idx += q0 * a->L;
    for (q = q0 + 1; q < q1; q++) {
      a->row(a->L, ob + nn__roff(q, nq, p->rshape, p->rst) * a->esz, c, &t);
      nn__racc_fold(a->ps->kind, a->ps->dt, res, &t, q * a->L);
    }
  }
}

NN__PRIVATE void nn__rA_outputs(void *ctx, int64_t chunk) {
  const nn__rA *a = (const nn__rA *)ctx;
  int64_t o = chunk * a->G, e = o + a->G;
  nn__racc r;
  if (e > a->nout) e = a->nout;
  memset(&r, 0, sizeof r);
  if (a->Q == 1 && a->p->nk <= 1 && !a->ps->centers) { /* one row per output, rows at a constant stride */
    int64_t st = (a->p->nk ? a->p->kst[0] : 0) * a->esz;
    for (; o < e; o++) {
      a->row(a->L, a->base + o * st, 0.0, &r);
      nn__rstore(a->ps, o, &r);
    }
    return;
  }
  for (; o < e; o++) {
    memset(&r, 0, sizeof r);
    nn__rA_unit(a, o, 0, &r);
    nn__rstore(a->ps, o, &r);
  }
}

NN__PRIVATE void nn__rA_units(void *ctx, int64_t chunk) {
  const nn__rA *a = (const nn__rA *)ctx;
  nn__racc *r = &a->part[chunk];
  memset(r, 0, sizeof *r);
  nn__rA_unit(a, chunk / a->U, chunk % a->U, r);
}

NN__PRIVATE nn_status nn__rA_run(const char *name, const nn__rpass *ps, const nn__rplan *p, const nn_tensor *x) {
  nn__rA a;
  int i;
  a.ps = ps;
  a.p = p;
  a.base = (const char *)x->data;
  a.esz = (int64_t)nn_dtype_size(x->dtype);
  a.L = p->nr > 0 ? p->rshape[p->nr - 1] : 1;
  a.Q = 1;
  for (i = 0; i + 1 < p->nr; i++) a.Q *= p->rshape[i];
  a.nout = 1;
  for (i = 0; i < p->nk; i++) a.nout *= p->kshape[i];
  a.row = nn__rrow_table[ps->kind][ps->dt];
  a.part = NULL;
  NN_ASSERT(a.row != NULL);
  if (a.L >= NN__RCHUNK) {
    a.P = (a.L + NN__RCHUNK - 1) / NN__RCHUNK;
    a.RU = 1;
    a.U = a.Q * a.P;
  } else {
    a.P = 0;
    a.RU = NN__RCHUNK / a.L;
    a.U = (a.Q + a.RU - 1) / a.RU;
  }
  if (a.U == 1) {
    int64_t work = a.Q * a.L;
    a.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
    nn__parallel_for((a.nout + a.G - 1) / a.G, nn__rA_outputs, &a);
  } else {
    int64_t o, u, nunits = a.nout * a.U;
    a.G = 1;
    a.part = (nn__racc *)nn__xalloc(name, (size_t)nunits * sizeof(nn__racc));
    if (!a.part) return nn_last_status();
    nn__parallel_for(nunits, nn__rA_units, &a);
    for (o = 0; o < a.nout; o++) {
      nn__racc r = a.part[o * a.U];
      for (u = 1; u < a.U; u++) nn__racc_fold(ps->kind, ps->dt, &r, &a.part[o * a.U + u], 0);
      nn__rstore(ps, o, &r);
    }
    nn__dealloc(a.part);
  }
  return NN_OK;
}

/* ---- form (B): columns ---- */

typedef struct nn__rB {
  const nn__rpass *ps;
  const nn__rplan *p;
  const char *base;
  int64_t esz, m, nko, R, rin_n, rin_st, RC, nrc, ncb, ntask, G, nout;
  int nkoax, nq;
  nn_dtype at;  /* accumulator dtype */
  size_t asz;
  nn__rcol_fn col;
  char *part;   /* nrc * nout accumulators when nrc > 1 */
} nn__rB;

/* Accumulates reduced rows [r0, r1) of kept-outer index ko, columns [j0, j0 + w), into acc. */
NN__PRIVATE void nn__rB_rows(const nn__rB *b, int64_t ko, int64_t j0, int64_t w, int64_t r0, int64_t r1, void *acc) {
  const nn__rplan *p = b->p;
  int64_t kooff = nn__roff(ko, b->nkoax, p->kshape, p->kst) + j0;
  const double *c = b->ps->centers ? b->ps->centers + ko * b->m + j0 : NULL;
  while (r0 < r1) {
    int64_t q = r0 / b->rin_n, i = r0 % b->rin_n, cnt = b->rin_n - i;
    if (cnt > r1 - r0) cnt = r1 - r0;
    b->col(w, cnt, b->rin_st, acc,
           b->base + (kooff + nn__roff(q, b->nq, p->rshape, p->rst) + i * b->rin_st) * b->esz, c);
    r0 += cnt;
  }
}

NN__PRIVATE void nn__rB_task(void *ctx, int64_t chunk) {
  const nn__rB *b = (const nn__rB *)ctx;
  double local[NN__RCOLBLK];
  int64_t t = chunk * b->G, e = t + b->G;
  if (e > b->ntask) e = b->ntask;
  for (; t < e; t++) {
    int64_t cb = t % b->ncb, rest = t / b->ncb, ko = rest % b->nko, rc = rest / b->nko;
    int64_t j0 = cb * NN__RCOLBLK, w = b->m - j0 < NN__RCOLBLK ? b->m - j0 : NN__RCOLBLK;
    int64_t r0 = rc * b->RC, r1 = r0 + b->RC < b->R ? r0 + b->RC : b->R;
    void *acc = b->part ? (void *)(b->part + (rc * b->nout + ko * b->m + j0) * (int64_t)b->asz) : (void *)local;
    nn__rcol_init(b->ps->kind, b->ps->dt, acc, w);
    nn__rB_rows(b, ko, j0, w, r0, r1, acc);
    if (!b->part) nn__rstore_vec(b->ps, ko * b->m + j0, w, b->at, acc);
  }
}

/* Folds the nrc row-chunk partials of one output block in chunk order, then stores it. */
NN__PRIVATE void nn__rB_fold(void *ctx, int64_t t) {
  const nn__rB *b = (const nn__rB *)ctx;
  double local[NN__RCOLBLK];
  int64_t cb = t % b->ncb, ko = t / b->ncb;
  int64_t j0 = cb * NN__RCOLBLK, w = b->m - j0 < NN__RCOLBLK ? b->m - j0 : NN__RCOLBLK;
  nn__rkind k = b->ps->kind, fk;
  nn_dtype fat;
  nn__rcol_fn fold;
  const char *src = b->part + (ko * b->m + j0) * (int64_t)b->asz;
  if (k == NN__RK_SUM && b->at == NN_FLOAT32) {
    fk = NN__RK_SUM;
    fat = NN_FLOAT64;
    fold = nn__rcol_sumd_f32;
    memset(local, 0, (size_t)w * sizeof(double));
  } else {
    fk = (k == NN__RK_SQDEV || k == NN__RK_SUMEXP) ? NN__RK_SUM : k;
    fat = nn__rcol_acc_dtype(fk, b->at);
    fold = nn__rcol_table[fk][b->at];
    nn__rcol_init(fk, b->at, local, w);
  }
  fold(w, b->nrc, b->nout, local, src, NULL);
  nn__rstore_vec(b->ps, ko * b->m + j0, w, fat, local);
}

NN__PRIVATE nn_status nn__rB_run(const char *name, const nn__rpass *ps, const nn__rplan *p, const nn_tensor *x) {
  nn__rB b;
  int i;
  int64_t per;
  b.ps = ps;
  b.p = p;
  b.base = (const char *)x->data;
  b.esz = (int64_t)nn_dtype_size(x->dtype);
  b.nkoax = p->nk - 1;
  b.m = p->kshape[p->nk - 1];
  b.nko = 1;
  for (i = 0; i < b.nkoax; i++) b.nko *= p->kshape[i];
  b.nout = b.nko * b.m;
  b.nq = p->nr - 1;
  b.rin_n = p->rshape[p->nr - 1];
  b.rin_st = p->rst[p->nr - 1];
  b.R = 1;
  for (i = 0; i < p->nr; i++) b.R *= p->rshape[i];
  b.at = nn__rcol_acc_dtype(ps->kind, ps->dt);
  b.asz = nn_dtype_size(b.at);
  b.col = nn__rcol_table[ps->kind][ps->dt];
  NN_ASSERT(b.col != NULL);
  b.ncb = (b.m + NN__RCOLBLK - 1) / NN__RCOLBLK;
  /* row chunks of about 4 pieces' worth, at most 1024 rows: fewer partials to fold, bounded float error */
  per = b.m < NN__RCOLBLK ? b.m : NN__RCOLBLK;
  b.RC = 4 * NN__RCHUNK / per;
  if (b.RC > 1024) b.RC = 1024;
  if (b.RC < 1) b.RC = 1;
  b.nrc = (b.R + b.RC - 1) / b.RC;
  b.ntask = b.nrc * b.nko * b.ncb;
  b.part = NULL;
  {
    int64_t work = per * (b.R < b.RC ? b.R : b.RC);
    b.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
  }
  if (b.nrc > 1) {
    b.part = (char *)nn__xalloc(name, (size_t)(b.nrc * b.nout) * b.asz);
    if (!b.part) return nn_last_status();
  }
  nn__parallel_for((b.ntask + b.G - 1) / b.G, nn__rB_task, &b);
  if (b.part) {
    nn__parallel_for(b.nko * b.ncb, nn__rB_fold, &b);
    nn__dealloc(b.part);
  }
  return NN_OK;
}

/* ---- form (B) for argmin / argmax along one axis: column blocks, all rows in one task ---- */

#define NN__RARGBLK 1024

typedef struct nn__rBarg {
  const nn__rpass *ps;
  const nn__rplan *p;
  const char *base;
  int64_t esz, m, nko, R, rst, ncb, ntask, G;
  nn__rcolarg_fn fn;
} nn__rBarg;

NN__PRIVATE void nn__rBarg_task(void *ctx, int64_t chunk) {
  const nn__rBarg *b = (const nn__rBarg *)ctx;
  int64_t idx[NN__RARGBLK];
  double vals[NN__RARGBLK];
  int64_t t = chunk * b->G, e = t + b->G;
  int want_max = b->ps->kind == NN__RK_ARGMAX;
  if (e > b->ntask) e = b->ntask;
  for (; t < e; t++) {
    int64_t cb = t % b->ncb, ko = t / b->ncb, j0 = cb * NN__RARGBLK;
    int64_t w = b->m - j0 < NN__RARGBLK ? b->m - j0 : NN__RARGBLK;
    const char *x = b->base + (nn__roff(ko, b->p->nk - 1, b->p->kshape, b->p->kst) + j0) * b->esz;
    nn__rcolarg_init(want_max, b->ps->dt, idx, vals, w);
    b->fn(w, b->R, b->rst, 0, idx, vals, x);
    memcpy((int64_t *)b->ps->out + ko * b->m + j0, idx, (size_t)w * sizeof(int64_t));
  }
}

NN__PRIVATE void nn__rBarg_run(const nn__rpass *ps, const nn__rplan *p, const nn_tensor *x) {
  nn__rBarg b;
  int i;
  int64_t work;
  b.ps = ps;
  b.p = p;
  b.base = (const char *)x->data;
  b.esz = (int64_t)nn_dtype_size(x->dtype);
  b.m = p->kshape[p->nk - 1];
  b.nko = 1;
  for (i = 0; i + 1 < p->nk; i++) b.nko *= p->kshape[i];
  b.R = p->rshape[0];
  b.rst = p->rst[0];
  b.ncb = (b.m + NN__RARGBLK - 1) / NN__RARGBLK;
  b.ntask = b.nko * b.ncb;
  b.fn = nn__rcolarg_table[ps->kind == NN__RK_ARGMAX][ps->dt];
  work = (b.m < NN__RARGBLK ? b.m : NN__RARGBLK) * b.R;
  b.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
  nn__parallel_for((b.ntask + b.G - 1) / b.G, nn__rBarg_task, &b);
}

/* ---- the shared driver ---- */

NN__PRIVATE const char *nn__rop_numpy_name(int op) {
  switch (op) {
    case NN_REDUCE_MIN: return "minimum";
    case NN_REDUCE_MAX:
    case NN_REDUCE_LOGSUMEXP: return "maximum";
    default: return "?";
  }
}

/* 1 when the reduction of x over red runs in place (form A or B), 0 when x must first be copied. */
NN__PRIVATE int nn__rlayout_ok(const nn_tensor *x, const int *red, int is_arg) {
  nn__rplan p;
  nn__rplan_make(x, red, is_arg, &p);
  if (p.nr == 0 || p.rst[p.nr - 1] == 1) return !is_arg || p.nr <= 1;
  return p.nk > 0 && p.kst[p.nk - 1] == 1 && (!is_arg || p.nr == 1);
}

/* A contiguous copy of x with the axes ordered (kept..., reduced...); red2 receives the reduced mask for it. */
NN__PRIVATE nn_tensor *nn__rlayout_copy(const nn_tensor *x, const int *red, int *red2) {
  int axes[NN_MAX_DIMS], i, k = 0;
  nn_tensor *perm, *cp;
  for (i = 0; i < x->ndim; i++)
    if (!red[i]) axes[k++] = i;
  for (i = 0; i < x->ndim; i++)
    if (red[i]) axes[k++] = i;
  for (i = 0; i < x->ndim; i++) red2[i] = red[axes[i]];
  perm = nn_permute(x, axes, x->ndim);
  cp = perm ? nn_copy(perm) : NULL;
  nn_free(perm);
  return cp;
}

/* Runs one pass (kind, fin) over x for the reduced axes red, writing nout elements of outdt to ps->out. Copies x
   into row layout first when neither form applies. */
NN__PRIVATE nn_status nn__rpass_run(const char *name, const nn_tensor *x, const int *red, nn__rpass *ps) {
  nn__rplan p;
  int is_arg = ps->kind == NN__RK_ARGMIN || ps->kind == NN__RK_ARGMAX;
  if (nn__rlayout_ok(x, red, is_arg)) {
    nn__rplan_make(x, red, is_arg, &p);
    if (p.nr == 0 || p.rst[p.nr - 1] == 1) return nn__rA_run(name, ps, &p, x);
    if (!is_arg) return nn__rB_run(name, ps, &p, x);
    nn__rBarg_run(ps, &p, x);
    return NN_OK;
  } else {
    int red2[NN_MAX_DIMS];
    nn_tensor *cp = nn__rlayout_copy(x, red, red2);
    nn_status st;
    if (!cp) return nn_last_status();
    nn__rplan_make(cp, red2, is_arg, &p);
    st = nn__rA_run(name, ps, &p, cp);
    nn_free(cp);
    return st;
  }
}

/* The float dtype a mean/var/std of dt is computed in. */
NN__PRIVATE nn_dtype nn__rmean_dtype(nn_dtype dt) { return nn__is_float(dt) ? dt : NN_FLOAT64; }

/* Fills a fresh contiguous tensor with one value (empty reductions). */
NN__PRIVATE void nn__rfill(nn_tensor *t, double v) {
  int64_t i;
  size_t es = nn_dtype_size(t->dtype);
  for (i = 0; i < t->size; i++) nn__store(t->dtype, (char *)t->data + i * (int64_t)es, v);
}

/* The body of every reduction. op: an nn_reduce_op or NN__ROP_ARG*. all: reduce over every axis. force_out: an
   output dtype replacing the usual one (NN_DTYPE_COUNT for none; used by nn_sum_all). */
NN__PRIVATE nn_tensor *nn__reduce_impl(const char *name, int op, const nn_tensor *x, const int *axes, int naxes,
                                       int all, int keepdims, int ddof, nn_dtype force_out) {
  int red[NN_MAX_DIMS], i, ondim = 0;
  int64_t oshape[NN_MAX_DIMS], N = 1;
  nn_dtype cdt, odt;
  nn_tensor *xs = NULL, *out = NULL;
  const nn_tensor *src;
  nn__rpass ps;
  double *centers = NULL;
  if (nn__check_cpu(name, x, "x") != NN_OK) return NULL;
  if (op < 0 || (op >= (int)NN_REDUCE_COUNT && op != NN__ROP_ARGMIN && op != NN__ROP_ARGMAX)) {
    nn__fail(NN_ERR_ARG, "%s: invalid reduce op %d", name, op);
    return NULL;
  }
  if (!nn__dtype_valid(x->dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", name, (int)x->dtype);
    return NULL;
  }
  for (i = 0; i < x->ndim; i++) red[i] = all;
  if (!all) {
    if (naxes < 0 || naxes > NN_MAX_DIMS) {
      nn__fail(NN_ERR_AXIS, "%s: invalid number of axes %d", name, naxes);
      return NULL;
    }
    for (i = 0; i < naxes; i++) {
      int a = axes[i];
      if (nn__norm_axis(name, &a, x->ndim) != NN_OK) return NULL;
      if (red[a]) {
        nn__fail(NN_ERR_AXIS, "%s: duplicate value in 'axis' (axis %d)", name, axes[i]);
        return NULL;
      }
      red[a] = 1;
    }
  }
  /* dtypes */
  cdt = x->dtype;
  switch (op) {
    case NN_REDUCE_SUM:
    case NN_REDUCE_PROD: odt = nn__is_float(cdt) ? cdt : NN_INT64; break;
    case NN_REDUCE_MEAN:
    case NN_REDUCE_VAR:
    case NN_REDUCE_STD: cdt = odt = nn__rmean_dtype(cdt); break;
    case NN_REDUCE_LOGSUMEXP: cdt = odt = nn__float_for(cdt); break;
    case NN_REDUCE_ANY:
    case NN_REDUCE_ALL: odt = NN_BOOL; break;
    case NN__ROP_ARGMIN:
    case NN__ROP_ARGMAX: odt = NN_INT64; break;
    default: odt = cdt; break;
  }
  if (force_out != NN_DTYPE_COUNT) odt = force_out;
  /* output shape */
  for (i = 0; i < x->ndim; i++) {
    if (red[i]) {
      N *= x->shape[i];
      if (keepdims) oshape[ondim++] = 1;
    } else {
      oshape[ondim++] = x->shape[i];
    }
  }
  if (N == 0) {
    if (op == NN_REDUCE_MIN || op == NN_REDUCE_MAX || op == NN_REDUCE_LOGSUMEXP) {
      nn__fail(NN_ERR_VALUE, "%s: zero-size array to reduction operation %s which has no identity", name,
               nn__rop_numpy_name(op));
      return NULL;
    }
    if (op == NN__ROP_ARGMIN || op == NN__ROP_ARGMAX) {
      nn__fail(NN_ERR_VALUE, "%s: attempt to get %s of an empty sequence", name,
               op == NN__ROP_ARGMIN ? "argmin" : "argmax");
      return NULL;
    }
  }
  out = nn__new(name, odt, oshape, ondim);
  if (!out) return NULL;
  if (out->size == 0) return out;
  if (N == 0) {
    double v = op == NN_REDUCE_PROD || op == NN_REDUCE_ALL ? 1.0 : op == NN_REDUCE_SUM || op == NN_REDUCE_ANY ? 0.0 : NAN;
    nn__rfill(out, v);
    return out;
  }
  src = x;
  if (cdt != x->dtype) {
    xs = nn_astype(x, cdt);
    if (!xs) goto fail;
    src = xs;
  }
  ps.dt = cdt;
  ps.out = out->data;
  ps.outdt = odt;
  ps.centers = NULL;
  ps.N = N;
  ps.ddof = ddof;
  ps.fin = NN__FIN_PLAIN;
  switch (op) {
    case NN_REDUCE_SUM: ps.kind = NN__RK_SUM; break;
    case NN_REDUCE_MEAN:
      ps.kind = NN__RK_SUM;
      ps.fin = NN__FIN_MEAN;
      break;
    case NN_REDUCE_PROD: ps.kind = NN__RK_PROD; break;
    case NN_REDUCE_MIN: ps.kind = NN__RK_MIN; break;
    case NN_REDUCE_MAX: ps.kind = NN__RK_MAX; break;
    case NN_REDUCE_ANY: ps.kind = NN__RK_ANY; break;
    case NN_REDUCE_ALL: ps.kind = NN__RK_ALL; break;
    case NN__ROP_ARGMIN: ps.kind = NN__RK_ARGMIN; break;
    case NN__ROP_ARGMAX: ps.kind = NN__RK_ARGMAX; break;
    default: { /* two passes: a center per output (mean or max), then the centered sum */
      nn__rpass p1 = ps;
      if (!nn__rlayout_ok(src, red, 0)) { /* copy once for both passes */
        int red2[NN_MAX_DIMS];
        nn_tensor *cp = nn__rlayout_copy(src, red, red2);
        if (!cp) goto fail;
        memcpy(red, red2, (size_t)src->ndim * sizeof(int));
        nn_free(xs);
        xs = cp;
        src = cp;
      }
      centers = (double *)nn__xalloc(name, (size_t)out->size * sizeof(double));
      if (!centers) goto fail;
      p1.kind = op == NN_REDUCE_LOGSUMEXP ? NN__RK_MAX : NN__RK_SUM;
      p1.fin = op == NN_REDUCE_LOGSUMEXP ? NN__FIN_CENTER : NN__FIN_MEAN;
      p1.out = centers;
      p1.outdt = NN_FLOAT64;
      if (nn__rpass_run(name, src, red, &p1) != NN_OK) goto fail;
      ps.centers = centers;
      ps.kind = op == NN_REDUCE_LOGSUMEXP ? NN__RK_SUMEXP : NN__RK_SQDEV;
      ps.fin = op == NN_REDUCE_LOGSUMEXP ? NN__FIN_LSE : op == NN_REDUCE_VAR ? NN__FIN_VAR : NN__FIN_STD;
      break;
    }
  }
  if (nn__rpass_run(name, src, red, &ps) != NN_OK) goto fail;
  nn__dealloc(centers);
  nn_free(xs);
  return out;
fail:
  nn__dealloc(centers);
  nn_free(xs);
  nn_free(out);
  return NULL;
}

/* nn__reduce_impl plus gradient recording (the reduced axes, normalized, go to the node). */
NN__PRIVATE nn_tensor *nn__reduce(const char *name, int op, const nn_tensor *x, const int *axes, int naxes, int all,
                                  int keepdims, int ddof, nn_dtype force_out) {
  nn_tensor *out = nn__reduce_impl(name, op, x, axes, naxes, all, keepdims, ddof, force_out);
  if (out && op < (int)NN_REDUCE_COUNT && nn__ag_wanted1(x)) {
    int red[NN_MAX_DIMS], i;
    for (i = 0; i < x->ndim; i++) red[i] = all;
    for (i = 0; !all && i < naxes; i++) {
      int a = axes[i];
      if (nn__norm_axis(name, &a, x->ndim) == NN_OK) red[a] = 1;
    }
    out = nn__grad_reduce(op, out, x, red, ddof);
  }
  return out;
}

NNDEF nn_tensor *nn_reduce(nn_reduce_op op, const nn_tensor *x, const int *axes, int naxes, int keepdims, int ddof) {
  if (!axes && naxes != 0) {
    nn__fail_null("nn_reduce", "axes");
    return NULL;
  }
  return nn__reduce("nn_reduce", (int)op, x, axes, naxes, axes == NULL, keepdims, ddof, NN_DTYPE_COUNT);
}

/* A single axis or NN_ALL_AXES. */
NN__PRIVATE nn_tensor *nn__reduce1(const char *name, int op, const nn_tensor *x, int axis, int keepdims, int ddof) {
  return nn__reduce(name, op, x, &axis, 1, axis == NN_ALL_AXES, keepdims, ddof, NN_DTYPE_COUNT);
}

NNDEF nn_tensor *nn_sum(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_sum", NN_REDUCE_SUM, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_mean(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_mean", NN_REDUCE_MEAN, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_prod(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_prod", NN_REDUCE_PROD, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_min(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_min", NN_REDUCE_MIN, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_max(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_max", NN_REDUCE_MAX, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_any(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_any", NN_REDUCE_ANY, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_all(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_all", NN_REDUCE_ALL, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_logsumexp(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_logsumexp", NN_REDUCE_LOGSUMEXP, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_var(const nn_tensor *x, int axis, int ddof, int keepdims) {
  return nn__reduce1("nn_var", NN_REDUCE_VAR, x, axis, keepdims, ddof);
}
NNDEF nn_tensor *nn_std(const nn_tensor *x, int axis, int ddof, int keepdims) {
  return nn__reduce1("nn_std", NN_REDUCE_STD, x, axis, keepdims, ddof);
}
NNDEF nn_tensor *nn_argmin(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_argmin", NN__ROP_ARGMIN, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_argmax(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_argmax", NN__ROP_ARGMAX, x, axis, keepdims, 0);
}

NNDEF double nn_sum_all(const nn_tensor *x) {
  nn_tensor *s;
  double v;
  if (nn__check_cpu("nn_sum_all", x, "x") != NN_OK) return NAN;
  s = nn__reduce("nn_sum_all", NN_REDUCE_SUM, x, NULL, 0, 1, 0, 0, x->dtype == NN_FLOAT32 ? NN_FLOAT64 : NN_DTYPE_COUNT);
  if (!s) return NAN;
  v = s->dtype == NN_INT64 ? (double)*(const int64_t *)s->data : nn__load(s->dtype, s->data);
  nn_free(s);
  return v;
}

/* ---- cumulative sums and products ---- */


typedef struct nn__rcum_ctx {
  char *o;
  const char *x;
  int64_t A, N, B, esz, G, ncb;
  int isprod;
  nn_dtype dt;
} nn__rcum_ctx;

NN__PRIVATE void nn__rcum_lines(void *vctx, int64_t chunk) {
  const nn__rcum_ctx *c = (const nn__rcum_ctx *)vctx;
  int64_t a = chunk * c->G, e = a + c->G;
  if (e > c->A) e = c->A;
  for (; a < e; a++) {
    int64_t off = a * c->N * c->esz;
    void *o = c->o + off;
    const void *x = c->x + off;
    switch (c->dt) {
      case NN_FLOAT32:
        if (c->isprod) nn__rcumprod_line_f32(c->N, (float *)o, (const float *)x);
        else nn__rcumsum_line_f32(c->N, (float *)o, (const float *)x);
        break;
      case NN_FLOAT64:
        if (c->isprod) nn__rcumprod_line_f64(c->N, (double *)o, (const double *)x);
        else nn__rcumsum_line_f64(c->N, (double *)o, (const double *)x);
        break;
      default:
        if (c->isprod) nn__rcumprod_line_i64(c->N, (int64_t *)o, (const int64_t *)x);
        else nn__rcumsum_line_i64(c->N, (int64_t *)o, (const int64_t *)x);
        break;
    }
  }
}

NN__PRIVATE void nn__rcum_cols(void *vctx, int64_t chunk) {
  const nn__rcum_ctx *c = (const nn__rcum_ctx *)vctx;
  int64_t t = chunk * c->G, e = t + c->G;
  if (e > c->A * c->ncb) e = c->A * c->ncb;
  for (; t < e; t++) {
    int64_t a = t / c->ncb, j0 = (t % c->ncb) * NN__RCOLBLK;
    int64_t w = c->B - j0 < NN__RCOLBLK ? c->B - j0 : NN__RCOLBLK, i;
    int64_t base = (a * c->N * c->B + j0) * c->esz, rs = c->B * c->esz;
    memcpy(c->o + base, c->x + base, (size_t)(w * c->esz));
    for (i = 1; i < c->N; i++) {
      char *o = c->o + base + i * rs;
      const char *prev = o - rs, *x = c->x + base + i * rs;
      switch (c->dt) {
        case NN_FLOAT32:
          if (c->isprod) nn__rcumprod_row_f32(w, (float *)o, (const float *)prev, (const float *)x);
          else nn__rcumsum_row_f32(w, (float *)o, (const float *)prev, (const float *)x);
          break;
        case NN_FLOAT64:
          if (c->isprod) nn__rcumprod_row_f64(w, (double *)o, (const double *)prev, (const double *)x);
          else nn__rcumsum_row_f64(w, (double *)o, (const double *)prev, (const double *)x);
          break;
        default:
          if (c->isprod) nn__rcumprod_row_i64(w, (int64_t *)o, (const int64_t *)prev, (const int64_t *)x);
          else nn__rcumsum_row_i64(w, (int64_t *)o, (const int64_t *)prev, (const int64_t *)x);
          break;
      }
    }
  }
}

NN__PRIVATE nn_tensor *nn__rcum(const char *name, int isprod, const nn_tensor *x, int axis) {
  nn_dtype rdt;
  nn_tensor *xs = NULL, *out;
  const nn_tensor *src;
  int64_t oshape[NN_MAX_DIMS];
  int ondim, i;
  nn__rcum_ctx c;
  if (nn__check_cpu(name, x, "x") != NN_OK) return NULL;
  if (!nn__dtype_valid(x->dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", name, (int)x->dtype);
    return NULL;
  }
  rdt = nn__is_float(x->dtype) ? x->dtype : NN_INT64;
  if (axis == NN_ALL_AXES || x->ndim == 0) {
    /* flattened (a 0-d array behaves as a 1-element 1-D array, as in NumPy) */
    if (axis != NN_ALL_AXES && nn__norm_axis(name, &axis, 1) != NN_OK) return NULL;
    oshape[0] = x->size;
    ondim = 1;
    axis = 0;
  } else {
    if (nn__norm_axis(name, &axis, x->ndim) != NN_OK) return NULL;
    for (i = 0; i < x->ndim; i++) oshape[i] = x->shape[i];
    ondim = x->ndim;
  }
  out = nn__new(name, rdt, oshape, ondim);
  if (!out || out->size == 0) return out;
  src = x;
  if (x->dtype != rdt || !nn_is_contiguous(x)) {
    xs = nn_astype(x, rdt);
    if (!xs) {
      nn_free(out);
      return NULL;
    }
    src = xs;
  }
  c.o = (char *)out->data;
  c.x = (const char *)src->data;
  c.esz = (int64_t)nn_dtype_size(rdt);
  c.isprod = isprod;
  c.dt = rdt;
  c.A = 1;
  c.B = 1;
  for (i = 0; i < axis; i++) c.A *= oshape[i];
  c.N = oshape[axis];
  for (i = axis + 1; i < ondim; i++) c.B *= oshape[i];
  if (c.B == 1) {
    c.G = c.N >= NN__RCHUNK ? 1 : NN__RCHUNK / c.N;
    c.ncb = 1;
    nn__parallel_for((c.A + c.G - 1) / c.G, nn__rcum_lines, &c);
  } else {
    int64_t per = c.B < NN__RCOLBLK ? c.B : NN__RCOLBLK, work = per * c.N;
    c.ncb = (c.B + NN__RCOLBLK - 1) / NN__RCOLBLK;
    c.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
    nn__parallel_for((c.A * c.ncb + c.G - 1) / c.G, nn__rcum_cols, &c);
  }
  nn_free(xs);
  return out;
}

NNDEF nn_tensor *nn_cumsum(const nn_tensor *x, int axis) { return nn__rcum("nn_cumsum", 0, x, axis); }
NNDEF nn_tensor *nn_cumprod(const nn_tensor *x, int axis) { return nn__rcum("nn_cumprod", 1, x, axis); }

/* ---- softmax ---- */

typedef struct nn__rsm_ctx {
  char *o;
  const char *x;
  int64_t A, N, B, esz, G, ncb;
  int logsm;
  nn_dtype dt;
} nn__rsm_ctx;

NN__PRIVATE void nn__rsm_rows(void *vctx, int64_t chunk) {
  const nn__rsm_ctx *c = (const nn__rsm_ctx *)vctx;
  int64_t a = chunk * c->G, e = a + c->G;
  if (e > c->A) e = c->A;
  for (; a < e; a++) {
    int64_t off = a * c->N * c->esz;
    if (c->dt == NN_FLOAT32) nn__rsoftmax_row_f32(c->N, (float *)(c->o + off), (const float *)(c->x + off), c->logsm);
    else nn__rsoftmax_row_f64(c->N, (double *)(c->o + off), (const double *)(c->x + off), c->logsm);
  }
}

NN__PRIVATE void nn__rsm_cols(void *vctx, int64_t chunk) {
  const nn__rsm_ctx *c = (const nn__rsm_ctx *)vctx;
  double mb[NN__RCOLBLK], sb[NN__RCOLBLK];
  int64_t t = chunk * c->G, e = t + c->G;
  if (e > c->A * c->ncb) e = c->A * c->ncb;
  for (; t < e; t++) {
    int64_t a = t / c->ncb, j0 = (t % c->ncb) * NN__RCOLBLK;
    int64_t w = c->B - j0 < NN__RCOLBLK ? c->B - j0 : NN__RCOLBLK;
    int64_t off = (a * c->N * c->B + j0) * c->esz;
    if (c->dt == NN_FLOAT32)
      nn__rsoftmax_cols_f32(c->N, w, c->B, (float *)(c->o + off), (const float *)(c->x + off), c->logsm, mb, sb);
    else
      nn__rsoftmax_cols_f64(c->N, w, c->B, (double *)(c->o + off), (const double *)(c->x + off), c->logsm, mb, sb);
  }
}

/* out: contiguous float tensor of src's shape and dtype; axis normalized or NN_ALL_AXES. out may be src. */
NN__PRIVATE nn_status nn__rsoftmax_into(const char *name, nn_tensor *out, const nn_tensor *src, int axis, int logsm) {
  nn__rsm_ctx c;
  nn_tensor *tmp = NULL;
  int i;
  (void)name;
  if (out->size == 0) return NN_OK;
  if (!nn_is_contiguous(src) || (src->storage == out->storage && src->data != out->data)) {
    tmp = nn_copy(src);
    if (!tmp) return nn_last_status();
    src = tmp;
  }
  c.o = (char *)out->data;
  c.x = (const char *)src->data;
  c.dt = out->dtype;
  c.esz = (int64_t)nn_dtype_size(out->dtype);
  c.logsm = logsm;
  c.A = 1;
  c.B = 1;
  if (axis == NN_ALL_AXES) {
    c.N = out->size;
  } else {
    for (i = 0; i < axis; i++) c.A *= out->shape[i];
    c.N = out->shape[axis];
    for (i = axis + 1; i < out->ndim; i++) c.B *= out->shape[i];
  }
  if (c.B == 1) {
    c.G = c.N >= NN__RCHUNK ? 1 : NN__RCHUNK / c.N;
    c.ncb = 1;
    nn__parallel_for((c.A + c.G - 1) / c.G, nn__rsm_rows, &c);
  } else {
    int64_t per = c.B < NN__RCOLBLK ? c.B : NN__RCOLBLK, work = per * c.N;
    c.ncb = (c.B + NN__RCOLBLK - 1) / NN__RCOLBLK;
    c.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
    nn__parallel_for((c.A * c.ncb + c.G - 1) / c.G, nn__rsm_cols, &c);
  }
  nn_free(tmp);
  return NN_OK;
}

/* Checks x and axis for softmax; normalizes axis (NN_ALL_AXES stays). */
NN__PRIVATE nn_status nn__rsoftmax_check(const char *name, const nn_tensor *x, int *axis) {
  int64_t n;
  if (nn__check_cpu(name, x, "x") != NN_OK) return nn_last_status();
  if (!nn__dtype_valid(x->dtype)) return nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", name, (int)x->dtype);
  if (*axis == NN_ALL_AXES) {
    n = x->size;
  } else {
    if (nn__norm_axis(name, axis, x->ndim) != NN_OK) return nn_last_status();
    n = x->shape[*axis];
  }
  if (n == 0)
    return nn__fail(NN_ERR_VALUE, "%s: zero-size array to reduction operation maximum which has no identity", name);
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__rsoftmax(const char *name, const nn_tensor *x, int axis, int logsm) {
  nn_tensor *out, *xs = NULL;
  const nn_tensor *src = x;
  nn_dtype rdt;
  if (nn__rsoftmax_check(name, x, &axis) != NN_OK) return NULL;
  rdt = nn__float_for(x->dtype);
  out = nn__new(name, rdt, x->shape, x->ndim);
  if (!out) return NULL;
  if (x->dtype != rdt) {
    xs = nn_astype(x, rdt);
    if (!xs) {
      nn_free(out);
      return NULL;
    }
    src = xs;
  }
  if (nn__rsoftmax_into(name, out, src, axis, logsm) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
  nn_free(xs);
  return out;
}

NNDEF nn_tensor *nn_softmax(const nn_tensor *x, int axis) { return nn__rsoftmax("nn_softmax", x, axis, 0); }
NNDEF nn_tensor *nn_log_softmax(const nn_tensor *x, int axis) { return nn__rsoftmax("nn_log_softmax", x, axis, 1); }

NNDEF nn_status nn_softmax_out(nn_tensor *out, const nn_tensor *x, int axis) {
  const char *name = "nn_softmax_out";
  nn_tensor *xs = NULL, *tmp = NULL;
  const nn_tensor *src = x;
  nn_status st;
  char s1[160], s2[160];
  int i, same;
  if (nn__check_cpu(name, out, "out") != NN_OK) return nn_last_status();
  if (nn__rsoftmax_check(name, x, &axis) != NN_OK) return nn_last_status();
  same = out->ndim == x->ndim;
  for (i = 0; same && i < x->ndim; i++) same = out->shape[i] == x->shape[i];
  if (!same)
    return nn__fail(NN_ERR_SHAPE, "%s: output shape %s does not match the input shape %s", name,
                    nn_shape_str(out, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
  if (!nn__is_float(out->dtype))
    return nn__fail(NN_ERR_DTYPE, "%s: out must be float32 or float64, got %s", name, nn_dtype_name(out->dtype));
  if (x->dtype != out->dtype) {
    xs = nn_astype(x, out->dtype);
    if (!xs) return nn_last_status();
    src = xs;
  }
  if (nn_is_contiguous(out)) {
    st = nn__rsoftmax_into(name, out, src, axis, 0);
  } else {
    tmp = nn__new(name, out->dtype, out->shape, out->ndim);
    st = tmp ? nn__rsoftmax_into(name, tmp, src, axis, 0) : nn_last_status();
    if (st == NN_OK) nn__assign(out, tmp);
  }
  nn_free(tmp);
  nn_free(xs);
  return st;
}
/* ---- end src/ops/reduce.c ---- */
/* ---- begin src/ops/shape.c ---- */
/* ops/shape.c: joining, splitting, tiling, padding, flipping and rolling.

   Most ops here only move elements. Joins and roll are nn__assign calls between slices (which also converts
   dtypes and runs on the thread pool). Tile, repeat, pad and take (ops/index.c) are one primitive,
   nn__gather_axes: every output axis reads the source through its own index map,
   out[j0,...,jn] = x[map0[j0], ..., mapn[jn]], an entry -1 giving a constant. Its inner rows are split into runs
   of consecutive source elements copied with memcpy when they are contiguous. Element moves are typed by element
   size (1, 4 or 8 bytes), never by dtype. */

/* A header on the stack describing part of an existing buffer: it owns nothing and belongs to no scope, so it
   needs no freeing. It only carries geometry to nn__assign and the iterator. strides NULL: contiguous. */
NN__PRIVATE void nn__hdr(nn_tensor *h, nn_dtype dt, const int64_t *shape, const int64_t *strides, int ndim,
                         void *data) {
  int i;
  memset(h, 0, sizeof *h);
  h->dtype = dt;
  h->ndim = ndim;
  for (i = 0; i < ndim; i++) h->shape[i] = shape[i];
  h->size = nn__shape_size(shape, ndim);
  if (strides)
    for (i = 0; i < ndim; i++) h->strides[i] = strides[i];
  else
    nn__contiguous_strides(h->strides, shape, ndim);
  h->data = data;
  h->device = NN_CPU;
}

/* The largest element count an op may create (nn__check_shape's limit), used to reject overflowing sizes. */
#define NN__MAX_ELEMS ((int64_t)1 << 48)

/* Element address helper: byte pointer of element offset k (in elements) from data. */
#define NN__EPTR(data, k, esz) ((char *)(data) + (int64_t)(k) * (int64_t)(esz))

/* ---- the gather engine ---- */

typedef struct nn__gx {
  char *out;        /* contiguous output */
  const char *src;  /* source element (0,...,0) */
  int ndim;         /* >= 1 */
  int64_t oshape[NN_MAX_DIMS];
  int64_t sst[NN_MAX_DIMS]; /* source strides in bytes */
  const int64_t *map[NN_MAX_DIMS];
  int64_t wlo[NN_MAX_DIMS], whi[NN_MAX_DIMS], wsrc[NN_MAX_DIMS]; /* identity window of each mapped axis */
  int64_t esz;
  unsigned char cval[8];
  int64_t m;            /* row length: the last output axis */
  int64_t nrows;        /* product of the other output axes */
  int64_t rpc, cw, cpr; /* rows per chunk; column width and column chunks per row (long rows) */
  const int64_t *runs;  /* nruns triples (output start, source byte offset or INT64_MIN for the constant, length) */
  int64_t nruns;
  const int64_t *offs;  /* when runs is NULL: per element source byte offset or INT64_MIN */
} nn__gx;

#define NN__CONST_OFF INT64_MIN

/* Source index of output position j along axis d: identity without a map; with one, j - wlo + wsrc inside the
   window [wlo, whi) and the table outside it (the table skips the window). */
NN__PRIVATE int64_t nn__gx_index(const nn__gx *g, int d, int64_t j) {
  if (!g->map[d]) return j;
  if (j < g->wlo[d]) return g->map[d][j];
  if (j < g->whi[d]) return j - g->wlo[d] + g->wsrc[d];
  return g->map[d][j - (g->whi[d] - g->wlo[d])];
}

/* Row kernels, one per element size: output columns [k0, k1) of one row; base NULL means a constant row. */
#define NN__GX_ROW(SUF, T)                                                                    \
  NN__PRIVATE void nn__gx_row_##SUF(const nn__gx *g, T *o, const char *base, int64_t k0, int64_t k1) { \
    T cv;                                                                                     \
    int64_t k;                                                                                \
    memcpy(&cv, g->cval, sizeof(T));                                                          \
    if (!base) {                                                                              \
      for (k = k0; k < k1; k++) o[k] = cv;                                                    \
      return;                                                                                 \
    }                                                                                         \
    if (g->runs) {                                                                            \
      int64_t sl = g->sst[g->ndim - 1], lo = 0, hi = g->nruns, r;                             \
      /* first run that ends after k0 */                                                      \
      while (lo < hi) {                                                                       \
        int64_t mid = lo + (hi - lo) / 2;                                                     \
        if (g->runs[3 * mid] + g->runs[3 * mid + 2] <= k0) lo = mid + 1;                      \
        else hi = mid;                                                                        \
      }                                                                                       \
      for (r = lo; r < g->nruns && g->runs[3 * r] < k1; r++) {                                \
        const int64_t *ru = g->runs + 3 * r;                                                  \
        int64_t a = ru[0] > k0 ? ru[0] : k0, b = ru[0] + ru[2] < k1 ? ru[0] + ru[2] : k1;     \
        T *d = o + a;                                                                         \
        if (ru[1] == NN__CONST_OFF) {                                                         \
          for (k = 0; k < b - a; k++) d[k] = cv;                                              \
        } else {                                                                              \
          const char *s = base + ru[1] + (a - ru[0]) * sl;                                    \
          if (sl == (int64_t)sizeof(T)) memcpy(d, s, (size_t)(b - a) * sizeof(T));            \
          else                                                                                \
            for (k = 0; k < b - a; k++) memcpy(d + k, s + k * sl, sizeof(T));                 \
        }                                                                                     \
      }                                                                                       \
    } else {                                                                                  \
      const int64_t *off = g->offs;                                                           \
      for (k = k0; k < k1; k++) {                                                             \
        if (off[k] == NN__CONST_OFF) o[k] = cv;                                               \
        else memcpy(o + k, base + off[k], sizeof(T));                                         \
      }                                                                                       \
    }                                                                                         \
  }
NN__GX_ROW(1, uint8_t)
NN__GX_ROW(4, uint32_t)
NN__GX_ROW(8, uint64_t)

NN__PRIVATE void nn__gx_chunk(void *ctx, int64_t c) {
  const nn__gx *g = (const nn__gx *)ctx;
  int64_t idx[NN_MAX_DIMS], r0 = (c / g->cpr) * g->rpc, r1 = r0 + g->rpc, rem, r;
  int64_t k0 = (c % g->cpr) * g->cw, k1 = k0 + g->cw;
  int nd = g->ndim - 1, d;
  if (r1 > g->nrows) r1 = g->nrows;
  if (k1 > g->m) k1 = g->m;
  rem = r0;
  for (d = nd - 1; d >= 0; d--) {
    idx[d] = rem % g->oshape[d];
    rem /= g->oshape[d];
  }
  for (r = r0; r < r1; r++) {
    const char *base = g->src;
    char *o = g->out + r * g->m * g->esz;
    for (d = 0; d < nd; d++) {
      int64_t j = nn__gx_index(g, d, idx[d]);
      if (j < 0) {
        base = NULL;
        break;
      }
      base += j * g->sst[d];
    }
    if (g->esz == 1) nn__gx_row_1(g, (uint8_t *)o, base, k0, k1);
    else if (g->esz == 4) nn__gx_row_4(g, (uint32_t *)o, base, k0, k1);
    else nn__gx_row_8(g, (uint64_t *)o, base, k0, k1);
    for (d = nd - 1; d >= 0; d--) {
      if (++idx[d] < g->oshape[d]) break;
      idx[d] = 0;
    }
  }
}

/* out (contiguous, shape oshape[0..ndim)) = x gathered through maps: out[j] = x[maps[0][j0], ..., maps[n-1][jn-1]].
   x is a header with the same ndim; maps[d] NULL is the identity (oshape[d] == x->shape[d]); entries are in
   [0, x->shape[d]) or -1 for the constant *cval (of x's dtype; NULL allowed when no entry is -1). win (NULL or
   3 * ndim values lo, hi, src per axis) lets a map skip an identity stretch: on [lo, hi) the index is
   j - lo + src and maps[d] holds only the oshape[d] - (hi - lo) entries outside it (what pad uses). Work is
   chunked by output size only. */
NN__PRIVATE nn_status nn__gather_axes(const char *op, void *out, const int64_t *oshape, int ndim, const nn_tensor *x,
                                      const int64_t *const *maps, const int64_t *win, const void *cval) {
  nn__gx g;
  int d, last;
  int64_t total = nn__shape_size(oshape, ndim), *buf = NULL, k, nruns, nchunks, prev, cur;
  memset(&g, 0, sizeof g);
  g.esz = (int64_t)nn_dtype_size(x->dtype);
  if (cval) memcpy(g.cval, cval, (size_t)g.esz);
  if (total <= 0) return NN_OK;
  if (ndim == 0) {
    memcpy(out, x->data, (size_t)g.esz);
    return NN_OK;
  }
  g.out = (char *)out;
  g.src = (const char *)x->data;
  g.ndim = ndim;
  for (d = 0; d < ndim; d++) {
    g.oshape[d] = oshape[d];
    g.sst[d] = x->strides[d] * g.esz;
    g.map[d] = maps ? maps[d] : NULL;
    g.wlo[d] = win ? win[3 * d] : 0;
    g.whi[d] = win ? win[3 * d + 1] : 0;
    g.wsrc[d] = win ? win[3 * d + 2] : 0;
  }
  g.m = oshape[ndim - 1];
  g.nrows = total / g.m;
  /* the last axis: runs of consecutive source elements, or per-element offsets when runs are short */
  last = ndim - 1;
  nruns = 1;
  if (g.map[last])
    for (k = 1, prev = nn__gx_index(&g, last, 0); k < g.m; k++, prev = cur) {
      cur = nn__gx_index(&g, last, k);
      if (!((cur < 0 && prev < 0) || (cur >= 0 && prev >= 0 && cur == prev + 1))) nruns++;
    }
  if (nruns * 4 <= g.m || nruns == 1) {
    int64_t r = 0;
    buf = (int64_t *)nn__xalloc(op, (size_t)nruns * 3 * sizeof(int64_t));
    if (!buf) return nn_last_status();
    for (k = 0, prev = 0; k < g.m; k++, prev = cur) {
      cur = nn__gx_index(&g, last, k);
      if (k == 0 || !((cur < 0 && prev < 0) || (cur >= 0 && prev >= 0 && cur == prev + 1))) {
        if (k > 0) r++;
        buf[3 * r] = k;
        buf[3 * r + 1] = cur < 0 ? NN__CONST_OFF : cur * g.sst[last];
        buf[3 * r + 2] = 0;
      }
      buf[3 * r + 2]++;
    }
    g.runs = buf;
    g.nruns = nruns;
  } else {
    buf = (int64_t *)nn__xalloc(op, (size_t)g.m * sizeof(int64_t));
    if (!buf) return nn_last_status();
    for (k = 0; k < g.m; k++) {
      cur = nn__gx_index(&g, last, k);
      buf[k] = cur < 0 ? NN__CONST_OFF : cur * g.sst[last];
    }
    g.offs = buf;
  }
  if (g.m >= NN__GRAIN) {
    g.rpc = 1;
    g.cw = NN__GRAIN;
    g.cpr = (g.m + NN__GRAIN - 1) / NN__GRAIN;
  } else {
    g.rpc = NN__GRAIN / g.m;
    g.cw = g.m;
    g.cpr = 1;
  }
  nchunks = (g.nrows + g.rpc - 1) / g.rpc * g.cpr;
  nn__parallel_for(nchunks, nn__gx_chunk, &g);
  nn__dealloc(buf);
  return NN_OK;
}

/* ---- concatenate / stack ---- */

/* Checks the tensor list of a join and returns the promoted dtype (NN_DTYPE_COUNT on error). */
NN__PRIVATE nn_dtype nn__join_check(const char *op, nn_tensor *const *ts, int n, const char *what) {
  nn_dtype dt = NN_DTYPE_COUNT;
  char nm[32];
  int i;
  if (!ts) {
    nn__fail_null(op, "ts");
    return NN_DTYPE_COUNT;
  }
  if (n <= 0) {
    nn__fail(NN_ERR_ARG, "%s: need at least one array to %s (n = %d)", op, what, n);
    return NN_DTYPE_COUNT;
  }
  for (i = 0; i < n; i++) {
    snprintf(nm, sizeof nm, "ts[%d]", i);
    if (nn__check_cpu(op, ts[i], nm) != NN_OK) return NN_DTYPE_COUNT;
    dt = i ? nn_promote_types(dt, ts[i]->dtype) : ts[i]->dtype;
  }
  if (!nn__dtype_valid(dt)) nn__fail(NN_ERR_DTYPE, "%s: invalid dtype among the inputs", op);
  return dt;
}

NNDEF nn_tensor *nn_concatenate(nn_tensor *const *ts, int n, int axis) {
  const char *op = "nn_concatenate";
  int64_t shape[NN_MAX_DIMS], total = 0, off = 0;
  char s1[160], s2[160];
  nn_tensor *out, h;
  nn_dtype dt = nn__join_check(op, ts, n, "concatenate");
  int i, d, nd;
  size_t esz;
  if (dt == NN_DTYPE_COUNT) return NULL;
  esz = nn_dtype_size(dt);
  if (axis == NN_ALL_AXES) {
    for (i = 0; i < n; i++) {
      total += ts[i]->size;
      if (total > NN__MAX_ELEMS) {
        nn__fail(NN_ERR_SHAPE, "%s: the result would have too many elements", op);
        return NULL;
      }
    }
    out = nn__new(op, dt, &total, 1);
    if (!out) return NULL;
    for (i = 0; i < n; i++) {
      nn__hdr(&h, dt, ts[i]->shape, NULL, ts[i]->ndim, NN__EPTR(out->data, off, esz));
      nn__assign(&h, ts[i]);
      off += ts[i]->size;
    }
    return out;
  }
  nd = ts[0]->ndim;
  if (nd == 0) {
    nn__fail(NN_ERR_SHAPE, "%s: zero-dimensional arrays cannot be concatenated (use NN_ALL_AXES to flatten them)", op);
    return NULL;
  }
  if (nn__norm_axis(op, &axis, nd) != NN_OK) return NULL;
  for (i = 1; i < n; i++) {
    if (ts[i]->ndim != nd) {
      nn__fail(NN_ERR_SHAPE,
               "%s: all the input arrays must have same number of dimensions, but the array at index 0 has %d "
               "dimension(s) and the array at index %d has %d dimension(s)",
               op, nd, i, ts[i]->ndim);
      return NULL;
    }
    for (d = 0; d < nd; d++)
      if (d != axis && ts[i]->shape[d] != ts[0]->shape[d]) {
        nn__fail(NN_ERR_SHAPE,
                 "%s: all the input array dimensions except for the concatenation axis must match exactly, but along "
                 "dimension %d, the array at index 0 has size %lld and the array at index %d has size %lld "
                 "(shapes %s and %s)",
                 op, d, (long long)ts[0]->shape[d], i, (long long)ts[i]->shape[d], nn_shape_str(ts[0], s1, sizeof s1),
                 nn_shape_str(ts[i], s2, sizeof s2));
        return NULL;
      }
  }
  for (i = 0; i < n; i++) {
    total += ts[i]->shape[axis];
    if (total > NN__MAX_ELEMS) {
      nn__fail(NN_ERR_SHAPE, "%s: the result would have too many elements", op);
      return NULL;
    }
  }
  for (d = 0; d < nd; d++) shape[d] = ts[0]->shape[d];
  shape[axis] = total;
  out = nn__new(op, dt, shape, nd);
  if (!out) return NULL;
  for (i = 0; i < n; i++) {
    nn__hdr(&h, dt, ts[i]->shape, out->strides, nd, NN__EPTR(out->data, off * out->strides[axis], esz));
    nn__assign(&h, ts[i]);
    off += ts[i]->shape[axis];
  }
  return out;
}

NNDEF nn_tensor *nn_stack(nn_tensor *const *ts, int n, int axis) {
  const char *op = "nn_stack";
  int64_t shape[NN_MAX_DIMS] = {0}, st[NN_MAX_DIMS] = {0};
  char s1[160], s2[160];
  nn_tensor *out, h;
  nn_dtype dt = nn__join_check(op, ts, n, "stack");
  int i, d, k, nd;
  size_t esz;
  if (dt == NN_DTYPE_COUNT) return NULL;
  esz = nn_dtype_size(dt);
  nd = ts[0]->ndim;
  for (i = 1; i < n; i++) {
    int same = ts[i]->ndim == nd;
    for (d = 0; same && d < nd; d++) same = ts[i]->shape[d] == ts[0]->shape[d];
    if (!same) {
      nn__fail(NN_ERR_SHAPE,
               "%s: all input arrays must have the same shape, but the array at index 0 has shape %s and the array "
               "at index %d has shape %s",
               op, nn_shape_str(ts[0], s1, sizeof s1), i, nn_shape_str(ts[i], s2, sizeof s2));
      return NULL;
    }
  }
  if (nd + 1 > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "%s: the result would have %d dimensions, more than NN_MAX_DIMS (%d)", op, nd + 1,
             NN_MAX_DIMS);
    return NULL;
  }
  if (nn__norm_axis(op, &axis, nd + 1) != NN_OK) return NULL;
  for (d = 0, k = 0; d <= nd; d++) shape[d] = d == axis ? (int64_t)n : ts[0]->shape[k++];
  out = nn__new(op, dt, shape, nd + 1);
  if (!out) return NULL;
  for (d = 0, k = 0; d <= nd; d++)
    if (d != axis) st[k++] = out->strides[d];
  for (i = 0; i < n; i++) {
    nn__hdr(&h, dt, ts[0]->shape, st, nd, NN__EPTR(out->data, (int64_t)i * out->strides[axis], esz));
    nn__assign(&h, ts[i]);
  }
  return out;
}

/* ---- split ---- */

/* Section i of a split: sections > 0 gives array_split's sizes; otherwise the index list (Python slice rules). */
NN__PRIVATE void nn__split_bounds(int64_t i, int64_t len, int64_t sections, const int64_t *ind, int64_t nind,
                                  int64_t *start, int64_t *count) {
  if (sections > 0) {
    int64_t each = len / sections, extra = len % sections;
    *start = i * each + (i < extra ? i : extra);
    *count = each + (i < extra ? 1 : 0);
  } else {
    int64_t b = i == 0 ? 0 : ind[i - 1], e = i == nind ? len : ind[i];
    *count = nn__slice_indices(len, &b, &e, 1);
    *start = b;
  }
}

NN__PRIVATE nn_status nn__split(const char *op, const nn_tensor *x, int64_t sections, const int64_t *ind,
                                int64_t nind, int axis, nn_tensor **out) {
  int64_t nout = sections > 0 ? sections : nind + 1, i, j, shape[NN_MAX_DIMS], start, count;
  size_t esz;
  int d;
  for (i = 0; i < nout; i++) out[i] = NULL;
  if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return nn_last_status();
  esz = nn_dtype_size(x->dtype);
  for (d = 0; d < x->ndim; d++) shape[d] = x->shape[d];
  for (i = 0; i < nout; i++) {
    nn__split_bounds(i, x->shape[axis], sections, ind, nind, &start, &count);
    shape[axis] = count;
    out[i] = nn__view(op, x, shape, x->strides, x->ndim,
                      count > 0 ? NN__EPTR(x->data, start * x->strides[axis], esz) : (char *)x->data);
    if (!out[i]) {
      nn_status st = nn_last_status();
      for (j = 0; j < i; j++) {
        nn_free(out[j]);
        out[j] = NULL;
      }
      return st;
    }
  }
  return NN_OK;
}

NNDEF nn_status nn_split(const nn_tensor *x, int sections, int axis, nn_tensor **out) {
  const char *op = "nn_split";
  if (nn__check_cpu(op, x, "x") != NN_OK) return nn_last_status();
  if (!out) return nn__fail_null(op, "out");
  if (sections <= 0) return nn__fail(NN_ERR_VALUE, "%s: number sections must be larger than 0 (got %d)", op, sections);
  if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return nn_last_status();
  if (x->shape[axis] % sections != 0)
    return nn__fail(NN_ERR_VALUE,
                    "%s: array split does not result in an equal division (axis %d of length %lld into %d sections)",
                    op, axis, (long long)x->shape[axis], sections);
  return nn__split(op, x, sections, NULL, 0, axis, out);
}

NNDEF nn_status nn_array_split(const nn_tensor *x, int sections, int axis, nn_tensor **out) {
  const char *op = "nn_array_split";
  if (nn__check_cpu(op, x, "x") != NN_OK) return nn_last_status();
  if (!out) return nn__fail_null(op, "out");
  if (sections <= 0) return nn__fail(NN_ERR_VALUE, "%s: number sections must be larger than 0 (got %d)", op, sections);
  return nn__split(op, x, sections, NULL, 0, axis, out);
}

NNDEF nn_status nn_split_at(const nn_tensor *x, const int64_t *indices, int nindices, int axis, nn_tensor **out) {
  const char *op = "nn_split_at";
  if (nn__check_cpu(op, x, "x") != NN_OK) return nn_last_status();
  if (!out) return nn__fail_null(op, "out");
  if (nindices < 0) return nn__fail(NN_ERR_VALUE, "%s: nindices must be >= 0 (got %d)", op, nindices);
  if (nindices > 0 && !indices) return nn__fail_null(op, "indices");
  return nn__split(op, x, 0, indices, nindices, axis, out);
}

/* ---- tile / repeat ---- */

NNDEF nn_tensor *nn_tile(const nn_tensor *x, const int64_t *reps, int nreps) {
  const char *op = "nn_tile";
  int64_t oshape[NN_MAX_DIMS], xs[NN_MAX_DIMS], xst[NN_MAX_DIMS], r[NN_MAX_DIMS], nmap = 0, *buf = NULL, *p, j;
  const int64_t *maps[NN_MAX_DIMS];
  nn_tensor *out, h;
  int D, d, lead;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  if (nreps < 0 || nreps > NN_MAX_DIMS) {
    nn__fail(NN_ERR_ARG, "%s: nreps %d is outside [0, %d]", op, nreps, NN_MAX_DIMS);
    return NULL;
  }
  if (nreps > 0 && !reps) {
    nn__fail_null(op, "reps");
    return NULL;
  }
  D = x->ndim > nreps ? x->ndim : nreps;
  lead = D - x->ndim;
  for (d = 0; d < D; d++) {
    xs[d] = d < lead ? 1 : x->shape[d - lead];
    xst[d] = d < lead ? 0 : x->strides[d - lead];
    r[d] = d < D - nreps ? 1 : reps[d - (D - nreps)];
    if (r[d] < 0) {
      nn__fail(NN_ERR_VALUE, "%s: negative dimensions are not allowed (reps[%d] = %lld)", op, d - (D - nreps),
               (long long)r[d]);
      return NULL;
    }
    if (xs[d] > 0 && r[d] > NN__MAX_ELEMS / xs[d]) {
      nn__fail(NN_ERR_SHAPE, "%s: the result would have too many elements", op);
      return NULL;
    }
    oshape[d] = xs[d] * r[d];
    if (r[d] != 1 && oshape[d] > 0) nmap += oshape[d];
  }
  out = nn__new(op, x->dtype, oshape, D);
  if (!out) return NULL;
  if (out->size == 0) return out;
  if (nmap > 0) {
    buf = (int64_t *)nn__xalloc(op, (size_t)nmap * sizeof(int64_t));
    if (!buf) {
      nn_free(out);
      return NULL;
    }
  }
  p = buf;
  for (d = 0; d < D; d++) {
    maps[d] = NULL;
    if (r[d] != 1) {
      for (j = 0; j < oshape[d]; j++) p[j] = j % xs[d];
      maps[d] = p;
      p += oshape[d];
    }
  }
  nn__hdr(&h, x->dtype, xs, xst, D, x->data);
  if (nn__gather_axes(op, out->data, oshape, D, &h, maps, NULL, NULL) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
  nn__dealloc(buf);
  return out;
}

/* repeat with counts[ncounts] (ncounts 1: every element the same count). scalar: report like np.repeat(x, int). */
NN__PRIVATE nn_tensor *nn__repeat(const char *op, const nn_tensor *x, const int64_t *counts, int64_t ncounts, int axis,
                                  int scalar) {
  nn_tensor *flat = NULL, *out = NULL, h;
  const nn_tensor *src = x;
  const int64_t *maps[NN_MAX_DIMS];
  int64_t shape[NN_MAX_DIMS], n, total = 0, i, k, *map = NULL, *p;
  int d, nd;
  for (i = 0; i < ncounts; i++)
    if (counts[i] < 0) {
      if (scalar) nn__fail(NN_ERR_VALUE, "%s: negative dimensions are not allowed (repeats = %lld)", op, (long long)counts[i]);
      else nn__fail(NN_ERR_VALUE, "%s: repeats may not contain negative values (repeats[%lld] = %lld)", op, (long long)i,
                    (long long)counts[i]);
      return NULL;
    }
  if (axis == NN_ALL_AXES) {
    if (nn_is_contiguous(x)) {
      n = x->size;
      nn__hdr(&h, x->dtype, &n, NULL, 1, x->data);
      src = &h;
    } else {
      flat = nn_ravel(x);
      if (!flat) return NULL;
      src = flat;
    }
    axis = 0;
  } else if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) {
    return NULL;
  }
  nd = src->ndim;
  n = src->shape[axis];
  if (ncounts != 1 && ncounts != n) {
    nn__fail(NN_ERR_SHAPE, "%s: operands could not be broadcast together with shape (%lld,) (%lld,)", op, (long long)n,
             (long long)ncounts);
    goto done;
  }
  for (i = 0; i < n; i++) {
    int64_t c = counts[ncounts == 1 ? 0 : i];
    if (c > NN__MAX_ELEMS || total > NN__MAX_ELEMS - c) {
      nn__fail(NN_ERR_SHAPE, "%s: the result would have too many elements", op);
      goto done;
    }
    total += c;
  }
  for (d = 0; d < nd; d++) {
    shape[d] = src->shape[d];
    maps[d] = NULL;
  }
  shape[axis] = total;
  out = nn__new(op, x->dtype, shape, nd);
  if (!out || out->size == 0) goto done;
  map = (int64_t *)nn__xalloc(op, (size_t)total * sizeof(int64_t));
  if (!map) goto fail;
  for (i = 0, p = map; i < n; i++)
    for (k = counts[ncounts == 1 ? 0 : i]; k > 0; k--) *p++ = i;
  maps[axis] = map;
  if (nn__gather_axes(op, out->data, shape, nd, src, maps, NULL, NULL) == NN_OK) goto done;
fail:
  nn_free(out);
  out = NULL;
done:
  nn__dealloc(map);
  nn_free(flat);
  return out;
}

NNDEF nn_tensor *nn_repeat(const nn_tensor *x, int64_t repeats, int axis) {
  if (nn__check_cpu("nn_repeat", x, "x") != NN_OK) return NULL;
  return nn__repeat("nn_repeat", x, &repeats, 1, axis, 1);
}

NNDEF nn_tensor *nn_repeat_each(const nn_tensor *x, const int64_t *repeats, int64_t nrepeats, int axis) {
  const char *op = "nn_repeat_each";
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  if (!repeats) {
    nn__fail_null(op, "repeats");
    return NULL;
  }
  if (nrepeats < 1) {
    nn__fail(NN_ERR_VALUE, "%s: nrepeats must be at least 1 (got %lld)", op, (long long)nrepeats);
    return NULL;
  }
  return nn__repeat(op, x, repeats, nrepeats, axis, 0);
}

/* ---- pad ---- */

/* Source index for padded position j of an axis of length n with `before` elements in front, or -1 (constant). */
NN__PRIVATE int64_t nn__pad_index(int64_t j, int64_t before, int64_t n, nn_pad_mode mode) {
  int64_t p = j - before, q;
  if (p >= 0 && p < n) return p;
  switch (mode) {
    case NN_PAD_EDGE: return p < 0 ? 0 : n - 1;
    case NN_PAD_WRAP:
      q = p % n;
      return q < 0 ? q + n : q;
    case NN_PAD_REFLECT:
      if (n == 1) return 0;
      q = p % (2 * (n - 1));
      if (q < 0) q += 2 * (n - 1);
      return q < n ? q : 2 * (n - 1) - q;
    case NN_PAD_SYMMETRIC:
      q = p % (2 * n);
      if (q < 0) q += 2 * n;
      return q < n ? q : 2 * n - 1 - q;
    default: return -1;
  }
}

NNDEF nn_tensor *nn_pad(const nn_tensor *x, const int64_t *pad_width, nn_pad_mode mode, double value) {
  const char *op = "nn_pad";
  int64_t oshape[NN_MAX_DIMS], win[3 * NN_MAX_DIMS], nmap = 0, *buf = NULL, *p, j;
  const int64_t *maps[NN_MAX_DIMS];
  unsigned char cval[8];
  nn_tensor *out;
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  if ((int)mode < (int)NN_PAD_CONSTANT || (int)mode > (int)NN_PAD_WRAP) {
    nn__fail(NN_ERR_ARG, "%s: invalid pad mode %d", op, (int)mode);
    return NULL;
  }
  if (x->ndim > 0 && !pad_width) {
    nn__fail_null(op, "pad_width");
    return NULL;
  }
  for (d = 0; d < x->ndim; d++) {
    int64_t b = pad_width[2 * d], a = pad_width[2 * d + 1];
    if (b < 0 || a < 0) {
      nn__fail(NN_ERR_VALUE, "%s: index can't contain negative values (pad_width for axis %d is (%lld, %lld))", op, d,
               (long long)b, (long long)a);
      return NULL;
    }
    if (b > NN__MAX_ELEMS || a > NN__MAX_ELEMS) {
      nn__fail(NN_ERR_SHAPE, "%s: the result would have too many elements", op);
      return NULL;
    }
    if (x->shape[d] == 0 && (a > 0 || b > 0) && mode != NN_PAD_CONSTANT) {
      nn__fail(NN_ERR_VALUE, "%s: can't extend empty axis %d using modes other than 'constant' or 'empty'", op, d);
      return NULL;
    }
    oshape[d] = b + x->shape[d] + a;
    nmap += a + b;
  }
  nn__store(x->dtype, cval, value);
  out = nn__new(op, x->dtype, oshape, x->ndim);
  if (!out || out->size == 0) return out;
  if (nmap > 0) {
    buf = (int64_t *)nn__xalloc(op, (size_t)nmap * sizeof(int64_t));
    if (!buf) {
      nn_free(out);
      return NULL;
    }
  }
  /* each padded axis maps only its pad regions; the original elements are the identity window [b, b + n) */
  p = buf;
  for (d = 0; d < x->ndim; d++) {
    int64_t b = pad_width[2 * d], a = pad_width[2 * d + 1], n = x->shape[d];
    maps[d] = NULL;
    win[3 * d] = b;
    win[3 * d + 1] = b + n;
    win[3 * d + 2] = 0;
    if (a > 0 || b > 0) {
      for (j = 0; j < b; j++) p[j] = nn__pad_index(j, b, n, mode);
      for (j = 0; j < a; j++) p[b + j] = nn__pad_index(b + n + j, b, n, mode);
      maps[d] = p;
      p += a + b;
    }
  }
  if (nn__gather_axes(op, out->data, oshape, x->ndim, x, maps, win, cval) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
  nn__dealloc(buf);
  return out;
}

/* ---- flip / roll ---- */

NNDEF nn_tensor *nn_flip(const nn_tensor *x, int axis) {
  const char *op = "nn_flip";
  int64_t st[NN_MAX_DIMS];
  char *data;
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  if (axis != NN_ALL_AXES && nn__norm_axis(op, &axis, x->ndim) != NN_OK) return NULL;
  data = (char *)x->data;
  for (d = 0; d < x->ndim; d++) {
    st[d] = x->strides[d];
    if ((axis == NN_ALL_AXES || d == axis) && x->shape[d] > 0) {
      data = NN__EPTR(data, (x->shape[d] - 1) * x->strides[d], nn_dtype_size(x->dtype));
      st[d] = -x->strides[d];
    }
  }
  return nn__view(op, x, x->shape, st, x->ndim, data);
}

NNDEF nn_tensor *nn_roll(const nn_tensor *x, int64_t shift, int axis) {
  const char *op = "nn_roll";
  nn_tensor *flat = NULL, *out, fh, h, dst, part;
  const nn_tensor *src = x;
  int64_t shape[NN_MAX_DIMS], n, s;
  size_t esz;
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  if (axis != NN_ALL_AXES && nn__norm_axis(op, &axis, x->ndim) != NN_OK) return NULL;
  out = nn__new(op, x->dtype, x->shape, x->ndim);
  if (!out || out->size == 0) return out;
  if (axis == NN_ALL_AXES) {
    if (nn_is_contiguous(x)) {
      n = x->size;
      nn__hdr(&fh, x->dtype, &n, NULL, 1, x->data);
      src = &fh;
    } else {
      flat = nn_ravel(x);
      if (!flat) {
        nn_free(out);
        return NULL;
      }
      src = flat;
    }
    axis = 0;
  }
  /* out[s:] = src[:n-s] and out[:s] = src[n-s:] along axis: two strided copies */
  esz = nn_dtype_size(x->dtype);
  n = src->shape[axis];
  s = shift % n;
  if (s < 0) s += n;
  nn__hdr(&dst, x->dtype, src->shape, NULL, src->ndim, out->data);
  for (d = 0; d < src->ndim; d++) shape[d] = src->shape[d];
  shape[axis] = n - s;
  nn__hdr(&h, x->dtype, shape, dst.strides, src->ndim, NN__EPTR(out->data, s * dst.strides[axis], esz));
  nn__hdr(&part, x->dtype, shape, src->strides, src->ndim, src->data);
  nn__assign(&h, &part);
  if (s > 0) {
    shape[axis] = s;
    nn__hdr(&h, x->dtype, shape, dst.strides, src->ndim, out->data);
    nn__hdr(&part, x->dtype, shape, src->strides, src->ndim, NN__EPTR(src->data, (n - s) * src->strides[axis], esz));
    nn__assign(&h, &part);
  }
  nn_free(flat);
  return out;
}
/* ---- end src/ops/shape.c ---- */
#ifndef NN_NO_INDEX
/* ---- begin src/ops/index.c ---- */
/* ops/index.c: take/put, gather/scatter, masks, argwhere, one_hot.

   Index tensors are first copied into contiguous int64 tensors, where negative indices are wrapped and every
   index is bounds-checked before anything is written; the kernels then trust them. Reads (take, gather,
   masked_select, argwhere) are chunked by size for the thread pool; scattered writes (put, scatter, index_add)
   run in index order on one thread, which is what makes duplicates deterministic. */

/* Index dtype check: integers only. */
NN__PRIVATE nn_status nn__check_idx_dtype(const char *op, const nn_tensor *idx, const char *arg) {
  if (!nn__is_int(idx->dtype))
    return nn__fail(NN_ERR_DTYPE, "%s: %s must have an integer dtype (int32, int64 or uint8), got %s", op, arg,
                    nn_dtype_name(idx->dtype));
  return NN_OK;
}

/* Checks (and, when write is set, wraps in place) the int64 indices p[0..n) chunk by chunk: per chunk the first
   out-of-range position (or -1) and whether a negative index was seen. */
typedef struct nn__idx_job {
  int64_t *p;
  int64_t n, size;
  int write;
  int64_t *bad;
  unsigned char *neg;
} nn__idx_job;

NN__PRIVATE void nn__idx_task(void *vj, int64_t c) {
  const nn__idx_job *j = (const nn__idx_job *)vj;
  int64_t b = c * NN__GRAIN, e = b + NN__GRAIN, i, size = j->size;
  int neg = 0;
  if (e > j->n) e = j->n;
  j->bad[c] = -1;
  for (i = b; i < e; i++) {
    int64_t v = j->p[i];
    if (v < 0) {
      neg = 1;
      v += size;
    }
    if (v < 0 || v >= size) {
      j->bad[c] = i;
      break;
    }
    if (j->write) j->p[i] = v;
  }
  j->neg[c] = (unsigned char)neg;
}

/* Runs nn__idx_task over p; returns the first bad position (-1 if none) and sets *anyneg. */
NN__PRIVATE int64_t nn__idx_scan(int64_t *p, int64_t n, int64_t size, int write, int64_t *bad, unsigned char *neg,
                                 int *anyneg) {
  nn__idx_job j;
  int64_t c, nch = (n + NN__GRAIN - 1) / NN__GRAIN;
  j.p = p;
  j.n = n;
  j.size = size;
  j.write = write;
  j.bad = bad;
  j.neg = neg;
  nn__parallel_for(nch, nn__idx_task, &j);
  *anyneg = 0;
  for (c = 0; c < nch; c++) {
    if (bad[c] >= 0) return bad[c];
    if (neg[c]) *anyneg = 1;
  }
  return -1;
}

/* Integer indices as a contiguous int64 tensor with negative entries wrapped and all checked against size: a
   view of idx itself when it already is contiguous int64 without negatives and does not share memory with
   `target` (the tensor an in-place op writes; NULL for none), else a converted copy. axis only appears in the
   message. */
NN__PRIVATE nn_tensor *nn__idx64(const char *op, const nn_tensor *idx, int64_t size, int axis, const nn_tensor *target) {
  int64_t nch = (idx->size + NN__GRAIN - 1) / NN__GRAIN, *bad, badpos = -1, badval = 0;
  unsigned char *neg;
  nn_tensor *t = NULL;
  int anyneg = 0;
  if (nch < 1) nch = 1;
  bad = (int64_t *)nn__xalloc(op, (size_t)nch * (sizeof(int64_t) + 1));
  if (!bad) return NULL;
  neg = (unsigned char *)(bad + nch);
  if (idx->dtype == NN_INT64 && nn_is_contiguous(idx) && !(target && target->storage == idx->storage)) {
    badpos = nn__idx_scan((int64_t *)idx->data, idx->size, size, 0, bad, neg, &anyneg);
    if (badpos >= 0) {
      badval = ((const int64_t *)idx->data)[badpos];
      goto fail;
    }
    if (!anyneg) {
      nn__dealloc(bad);
      return nn__view(op, idx, idx->shape, idx->strides, idx->ndim, idx->data);
    }
  }
  t = nn__new(op, NN_INT64, idx->shape, idx->ndim);
  if (!t) goto done;
  nn__assign(t, idx);
  badpos = nn__idx_scan((int64_t *)t->data, t->size, size, 1, bad, neg, &anyneg);
  if (badpos < 0) goto done;
  /* the scan wrapped the entries before badpos; the bad one itself is untouched */
  badval = ((const int64_t *)t->data)[badpos];
fail:
  nn__fail(NN_ERR_INDEX, "%s: index %lld is out of bounds for axis %d with size %lld", op, (long long)badval, axis,
           (long long)size);
  nn_free(t);
  t = NULL;
done:
  nn__dealloc(bad);
  return t;
}

/* src as a tensor of dtype dt that does not share memory with dst: src itself or a new copy in *tmp. */
NN__PRIVATE const nn_tensor *nn__values_for(const char *op, const nn_tensor *src, nn_dtype dt, const nn_tensor *dst,
                                            nn_tensor **tmp) {
  *tmp = NULL;
  if (src->dtype == dt && (!src->storage || src->storage != dst->storage)) return src;
  *tmp = nn__new(op, dt, src->shape, src->ndim);
  if (*tmp) nn__assign(*tmp, src);
  return *tmp;
}

/* ---- row kernels ---- */

/* gather: p = [out, idx, x base]; ctx = stride of the indexed axis (elements). */
#define NN__GATHER_ROW(SUF, T)                                                                  \
  NN__PRIVATE void nn__gather_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {    \
    T *o = (T *)p[0];                                                                           \
    const int64_t *ix = (const int64_t *)p[1];                                                  \
    const T *s = (const T *)p[2];                                                               \
    int64_t ax = *(const int64_t *)ctx, i;                                                      \
    for (i = 0; i < n; i++) o[i * st[0]] = s[i * st[2] + ix[i * st[1]] * ax];                   \
  }
NN__GATHER_ROW(1, uint8_t)
NN__GATHER_ROW(4, uint32_t)
NN__GATHER_ROW(8, uint64_t)

/* scatter: p = [out base, idx, src]. */
#define NN__SCATTER_ROW(SUF, T)                                                                 \
  NN__PRIVATE void nn__scatter_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {   \
    T *o = (T *)p[0];                                                                           \
    const int64_t *ix = (const int64_t *)p[1];                                                  \
    const T *s = (const T *)p[2];                                                               \
    int64_t ax = *(const int64_t *)ctx, i;                                                      \
    for (i = 0; i < n; i++) o[i * st[0] + ix[i * st[1]] * ax] = s[i * st[2]];                   \
  }
NN__SCATTER_ROW(1, uint8_t)
NN__SCATTER_ROW(4, uint32_t)
NN__SCATTER_ROW(8, uint64_t)

/* Additions that never overflow into undefined behaviour: integers wrap, bool is logical or. */
#define NN__ADD_PLAIN(T, a, b) ((T)((a) + (b)))
#define NN__ADD_I32(T, a, b) ((int32_t)((uint32_t)(a) + (uint32_t)(b)))
#define NN__ADD_I64(T, a, b) ((int64_t)((uint64_t)(a) + (uint64_t)(b)))
#define NN__ADD_OR(T, a, b) ((uint8_t)((a) | (b)))

/* scatter_add: p = [out base, idx, src]; index_add: p = [dst, src]. */
#define NN__ACC_ROWS(SUF, T, ADD)                                                                    \
  NN__PRIVATE void nn__scatter_add_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {    \
    T *o = (T *)p[0];                                                                                \
    const int64_t *ix = (const int64_t *)p[1];                                                       \
    const T *s = (const T *)p[2];                                                                    \
    int64_t ax = *(const int64_t *)ctx, i;                                                           \
    for (i = 0; i < n; i++) {                                                                        \
      T *d = o + i * st[0] + ix[i * st[1]] * ax;                                                     \
      *d = ADD(T, *d, s[i * st[2]]);                                                                 \
    }                                                                                                \
  }                                                                                                  \
  NN__PRIVATE void nn__acc_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {            \
    T *d = (T *)p[0];                                                                                \
    const T *s = (const T *)p[1];                                                                    \
    int64_t i;                                                                                       \
    (void)ctx;                                                                                       \
    if (st[0] == 1 && st[1] == 1)                                                                    \
      for (i = 0; i < n; i++) d[i] = ADD(T, d[i], s[i]);                                             \
    else                                                                                             \
      for (i = 0; i < n; i++) d[i * st[0]] = ADD(T, d[i * st[0]], s[i * st[1]]);                     \
  }
NN__ACC_ROWS(f32, float, NN__ADD_PLAIN)
NN__ACC_ROWS(f64, double, NN__ADD_PLAIN)
NN__ACC_ROWS(i32, int32_t, NN__ADD_I32)
NN__ACC_ROWS(i64, int64_t, NN__ADD_I64)
NN__ACC_ROWS(u8, uint8_t, NN__ADD_PLAIN)
NN__ACC_ROWS(b, uint8_t, NN__ADD_OR)

/* In dtype enum order: float32 float64 int32 int64 uint8 bool. */
static const nn__row_fn nn__scatter_add_rows[NN_DTYPE_COUNT] = {nn__scatter_add_row_f32, nn__scatter_add_row_f64,
                                                                nn__scatter_add_row_i32, nn__scatter_add_row_i64,
                                                                nn__scatter_add_row_u8,  nn__scatter_add_row_b};
static const nn__row_fn nn__acc_rows[NN_DTYPE_COUNT] = {nn__acc_row_f32, nn__acc_row_f64, nn__acc_row_i32,
                                                        nn__acc_row_i64, nn__acc_row_u8,  nn__acc_row_b};

NN__PRIVATE nn__row_fn nn__by_size(size_t esz, nn__row_fn f1, nn__row_fn f4, nn__row_fn f8) {
  return esz == 1 ? f1 : esz == 4 ? f4 : f8;
}

/* Runs fn over the iterator in fixed chunks of NN__GRAIN elements, chunk c getting ctxs + c * csz. */
typedef struct nn__chunks_job {
  const nn__iter *it;
  nn__row_fn fn;
  char *ctxs;
  size_t csz;
} nn__chunks_job;

NN__PRIVATE void nn__chunks_task(void *vj, int64_t c) {
  const nn__chunks_job *j = (const nn__chunks_job *)vj;
  int64_t b = c * NN__GRAIN, e = b + NN__GRAIN;
  if (e > j->it->size) e = j->it->size;
  nn__iter_range(j->it, j->fn, j->ctxs + (size_t)c * j->csz, b, e);
}

NN__PRIVATE int64_t nn__nchunks(int64_t size) { return (size + NN__GRAIN - 1) / NN__GRAIN; }

NN__PRIVATE void nn__iter_chunks(const nn__iter *it, nn__row_fn fn, void *ctxs, size_t csz) {
  nn__chunks_job j;
  if (it->size <= 0) return;
  j.it = it;
  j.fn = fn;
  j.ctxs = (char *)ctxs;
  j.csz = csz;
  nn__parallel_for(nn__nchunks(it->size), nn__chunks_task, &j);
}

/* ---- take family ---- */

NN__PRIVATE nn_tensor *nn__take(const char *op, const nn_tensor *x, const nn_tensor *indices, int axis) {
  nn_tensor *flat = NULL, *idx = NULL, *out = NULL, h;
  const nn_tensor *src = x;
  const int64_t *maps[NN_MAX_DIMS];
  int64_t oshape[NN_MAX_DIMS], gshape[NN_MAX_DIMS], n;
  int d, k, nd;
  if (axis == NN_ALL_AXES) {
    if (nn_is_contiguous(x)) {
      n = x->size;
      nn__hdr(&h, x->dtype, &n, NULL, 1, x->data);
      src = &h;
    } else {
      flat = nn_ravel(x);
      if (!flat) return NULL;
      src = flat;
    }
    axis = 0;
  } else if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) {
    return NULL;
  }
  nd = src->ndim - 1 + indices->ndim;
  if (nd > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "%s: the result would have %d dimensions, more than NN_MAX_DIMS (%d)", op, nd, NN_MAX_DIMS);
    goto done;
  }
  n = src->shape[axis];
  if (n == 0 && indices->size > 0) {
    nn__fail(NN_ERR_INDEX, "%s: cannot do a non-empty take from an empty axes (axis %d has size 0)", op, axis);
    goto done;
  }
  idx = nn__idx64(op, indices, n, axis, NULL);
  if (!idx) goto done;
  for (d = 0, k = 0; d < axis; d++) oshape[k++] = src->shape[d];
  for (d = 0; d < indices->ndim; d++) oshape[k++] = indices->shape[d];
  for (d = axis + 1; d < src->ndim; d++) oshape[k++] = src->shape[d];
  out = nn__new(op, x->dtype, oshape, nd);
  if (!out) goto done;
  for (d = 0; d < src->ndim; d++) {
    gshape[d] = src->shape[d];
    maps[d] = NULL;
  }
  gshape[axis] = indices->size;
  maps[axis] = (const int64_t *)idx->data;
  if (nn__gather_axes(op, out->data, gshape, src->ndim, src, maps, NULL, NULL) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
done:
  nn_free(idx);
  nn_free(flat);
  return out;
}

NNDEF nn_tensor *nn_take(const nn_tensor *x, const nn_tensor *indices, int axis) {
  const char *op = "nn_take";
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, indices, "indices") != NN_OK) return NULL;
  if (nn__check_idx_dtype(op, indices, "indices") != NN_OK) return NULL;
  return nn__take(op, x, indices, axis);
}

/* out = x gathered along axis through idx (int64, checked); xshape: x's geometry as seen by the iterator (axis
   set to 1, other axes 1 or out's). */
NN__PRIVATE void nn__gather_along(nn_tensor *out, const nn_tensor *x, const int64_t *xshape, const nn_tensor *idx,
                                  int axis) {
  nn_tensor xb, *ops[3];
  nn__iter it;
  int64_t ax = x->strides[axis];
  size_t esz = nn_dtype_size(x->dtype);
  if (out->size == 0) return;
  nn__hdr(&xb, x->dtype, xshape, x->strides, x->ndim, x->data);
  ops[0] = out;
  ops[1] = (nn_tensor *)idx;
  ops[2] = &xb;
  nn__iter_init(&it, 3, ops, out->shape, out->ndim);
  nn__iter_run(&it, nn__by_size(esz, nn__gather_row_1, nn__gather_row_4, nn__gather_row_8), &ax);
}

/* The shape of x[indices-along-axis]: indices and x broadcast outside axis; indices' length along axis. */
NN__PRIVATE nn_status nn__along_shape(const char *op, const nn_tensor *x, const nn_tensor *ind, int axis,
                                      int64_t *shape) {
  char s1[160], s2[160];
  int d;
  for (d = 0; d < x->ndim; d++) {
    int64_t a = x->shape[d], b = ind->shape[d];
    if (d == axis) shape[d] = b;
    else if (a == b || b == 1) shape[d] = a;
    else if (a == 1) shape[d] = b;
    else
      return nn__fail(NN_ERR_SHAPE,
                      "%s: shape mismatch: indices of shape %s and x of shape %s cannot be broadcast together along "
                      "dimension %d",
                      op, nn_shape_str(ind, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2), d);
  }
  return NN_OK;
}

NNDEF nn_tensor *nn_take_along_axis(const nn_tensor *x, const nn_tensor *indices, int axis) {
  const char *op = "nn_take_along_axis";
  int64_t shape[NN_MAX_DIMS], xshape[NN_MAX_DIMS];
  nn_tensor *idx, *out;
  char s1[160], s2[160];
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, indices, "indices") != NN_OK) return NULL;
  if (nn__check_idx_dtype(op, indices, "indices") != NN_OK) return NULL;
  if (axis == NN_ALL_AXES) {
    if (indices->ndim != 1) {
      nn__fail(NN_ERR_SHAPE, "%s: when axis is NN_ALL_AXES, indices must be 1-D (got shape %s)", op,
               nn_shape_str(indices, s1, sizeof s1));
      return NULL;
    }
    return nn__take(op, x, indices, NN_ALL_AXES);
  }
  if (indices->ndim != x->ndim) {
    nn__fail(NN_ERR_SHAPE, "%s: `indices` and `arr` must have the same number of dimensions (shapes %s and %s)", op,
             nn_shape_str(indices, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
    return NULL;
  }
  if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return NULL;
  if (nn__along_shape(op, x, indices, axis, shape) != NN_OK) return NULL;
  idx = nn__idx64(op, indices, x->shape[axis], axis, NULL);
  if (!idx) return NULL;
  out = nn__new(op, x->dtype, shape, x->ndim);
  if (out) {
    for (d = 0; d < x->ndim; d++) xshape[d] = d == axis ? 1 : x->shape[d];
    nn__gather_along(out, x, xshape, idx, axis);
  }
  nn_free(idx);
  return out;
}

/* PyTorch's shape rule for gather/scatter: index has x's ndim and, outside axis, sizes no larger than x's. */
NN__PRIVATE nn_status nn__torch_index_check(const char *op, const nn_tensor *x, const nn_tensor *index, int *axis) {
  char s1[160], s2[160];
  int d;
  if (index->ndim != x->ndim)
    return nn__fail(NN_ERR_SHAPE, "%s: index must have the same number of dimensions as x (index shape %s, x shape %s)",
                    op, nn_shape_str(index, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
  if (nn__norm_axis(op, axis, x->ndim) != NN_OK) return nn_last_status();
  for (d = 0; d < x->ndim; d++)
    if (d != *axis && index->shape[d] > x->shape[d])
      return nn__fail(NN_ERR_SHAPE,
                      "%s: size does not match at dimension %d: expected index %s to be no larger than x %s apart from "
                      "dimension %d",
                      op, d, nn_shape_str(index, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2), *axis);
  return NN_OK;
}

NNDEF nn_tensor *nn_gather(const nn_tensor *x, int axis, const nn_tensor *index) {
  const char *op = "nn_gather";
  int64_t xshape[NN_MAX_DIMS];
  nn_tensor *idx, *out;
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, index, "index") != NN_OK) return NULL;
  if (nn__check_idx_dtype(op, index, "index") != NN_OK) return NULL;
  if (nn__torch_index_check(op, x, index, &axis) != NN_OK) return NULL;
  idx = nn__idx64(op, index, x->shape[axis], axis, NULL);
  if (!idx) return NULL;
  out = nn__new(op, x->dtype, index->shape, index->ndim);
  if (out) {
    for (d = 0; d < x->ndim; d++) xshape[d] = d == axis ? 1 : index->shape[d];
    nn__gather_along(out, x, xshape, idx, axis);
  }
  nn_free(idx);
  return out;
}

/* ---- scatter family ---- */

NN__PRIVATE nn_tensor *nn__scatter(const char *op, const nn_tensor *x, int axis, const nn_tensor *index,
                                   const nn_tensor *src, int add) {
  int64_t bshape[NN_MAX_DIMS], ax;
  nn_tensor *idx = NULL, *out = NULL, *tmp = NULL, xb, sv, *ops[3];
  const nn_tensor *s;
  nn__iter it;
  char s1[160], s2[160];
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, index, "index") != NN_OK ||
      nn__check_cpu(op, src, "src") != NN_OK)
    return NULL;
  if (nn__check_idx_dtype(op, index, "index") != NN_OK) return NULL;
  if (nn__torch_index_check(op, x, index, &axis) != NN_OK) return NULL;
  if (src->ndim != 0 && src->ndim != x->ndim) {
    nn__fail(NN_ERR_SHAPE, "%s: src must be 0-d or have the same number of dimensions as x (src shape %s, x shape %s)",
             op, nn_shape_str(src, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
    return NULL;
  }
  for (d = 0; src->ndim && d < x->ndim; d++)
    if (index->shape[d] > src->shape[d]) {
      nn__fail(NN_ERR_SHAPE, "%s: size does not match at dimension %d: expected index %s to be no larger than src %s", op,
               d, nn_shape_str(index, s1, sizeof s1), nn_shape_str(src, s2, sizeof s2));
      return NULL;
    }
  idx = nn__idx64(op, index, x->shape[axis], axis, NULL);
  if (!idx) return NULL;
  out = nn__new(op, x->dtype, x->shape, x->ndim);
  if (!out) goto done;
  nn__assign(out, x);
  if (index->size == 0) goto done;
  s = nn__values_for(op, src, x->dtype, out, &tmp);
  if (!s) {
    nn_free(out);
    out = NULL;
    goto done;
  }
  for (d = 0; d < x->ndim; d++) bshape[d] = d == axis ? 1 : index->shape[d];
  nn__hdr(&xb, out->dtype, bshape, out->strides, out->ndim, out->data);
  if (s->ndim == 0) sv = *s;
  else nn__hdr(&sv, s->dtype, index->shape, s->strides, s->ndim, s->data);
  sv.scope = NULL;
  ops[0] = &xb;
  ops[1] = idx;
  ops[2] = &sv;
  ax = out->strides[axis];
  nn__iter_init(&it, 3, ops, index->shape, index->ndim);
  nn__iter_range(&it,
                 add ? nn__scatter_add_rows[x->dtype]
                     : nn__by_size(nn_dtype_size(x->dtype), nn__scatter_row_1, nn__scatter_row_4, nn__scatter_row_8),
                 &ax, 0, it.size);
done:
  nn_free(tmp);
  nn_free(idx);
  return out;
}

NNDEF nn_tensor *nn_scatter(const nn_tensor *x, int axis, const nn_tensor *index, const nn_tensor *src) {
  return nn__scatter("nn_scatter", x, axis, index, src, 0);
}

NNDEF nn_tensor *nn_scatter_add(const nn_tensor *x, int axis, const nn_tensor *index, const nn_tensor *src) {
  return nn__scatter("nn_scatter_add", x, axis, index, src, 1);
}

NNDEF nn_tensor *nn_index_add(const nn_tensor *x, int axis, const nn_tensor *index, const nn_tensor *src) {
  const char *op = "nn_index_add";
  int64_t shape[NN_MAX_DIMS], dst_st[NN_MAX_DIMS], src_st[NN_MAX_DIMS], i, *ix;
  nn_tensor *idx = NULL, *out = NULL, *tmp = NULL, dh, sh, *ops[2];
  const nn_tensor *s;
  char s1[160], s2[160];
  size_t esz;
  int d, k;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, index, "index") != NN_OK ||
      nn__check_cpu(op, src, "src") != NN_OK)
    return NULL;
  if (nn__check_idx_dtype(op, index, "index") != NN_OK) return NULL;
  if (index->ndim > 1) {
    nn__fail(NN_ERR_SHAPE, "%s: index must be 0-d or 1-D, got shape %s", op, nn_shape_str(index, s1, sizeof s1));
    return NULL;
  }
  if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return NULL;
  if (src->ndim != x->ndim) {
    nn__fail(NN_ERR_SHAPE, "%s: src must have the same number of dimensions as x (src shape %s, x shape %s)", op,
             nn_shape_str(src, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
    return NULL;
  }
  if (src->shape[axis] != index->size) {
    nn__fail(NN_ERR_SHAPE, "%s: index has %lld elements but src has size %lld along axis %d (src shape %s)", op,
             (long long)index->size, (long long)src->shape[axis], axis, nn_shape_str(src, s1, sizeof s1));
    return NULL;
  }
  for (d = 0; d < x->ndim; d++)
    if (d != axis && src->shape[d] != x->shape[d]) {
      nn__fail(NN_ERR_SHAPE, "%s: src shape %s must match x shape %s outside axis %d (they differ in dimension %d)", op,
               nn_shape_str(src, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2), axis, d);
      return NULL;
    }
  idx = nn__idx64(op, index, x->shape[axis], axis, NULL);
  if (!idx) return NULL;
  out = nn__new(op, x->dtype, x->shape, x->ndim);
  if (!out) goto done;
  nn__assign(out, x);
  if (index->size == 0) goto done;
  s = nn__values_for(op, src, x->dtype, out, &tmp);
  if (!s) {
    nn_free(out);
    out = NULL;
    goto done;
  }
  for (d = 0, k = 0; d < x->ndim; d++)
    if (d != axis) {
      shape[k] = x->shape[d];
      dst_st[k] = out->strides[d];
      src_st[k] = s->strides[d];
      k++;
    }
  esz = nn_dtype_size(x->dtype);
  ix = (int64_t *)idx->data;
  for (i = 0; i < idx->size; i++) {
    nn__iter it;
    nn__hdr(&dh, x->dtype, shape, dst_st, k, NN__EPTR(out->data, ix[i] * out->strides[axis], esz));
    nn__hdr(&sh, x->dtype, shape, src_st, k, NN__EPTR(s->data, i * s->strides[axis], esz));
    if (dh.size == 0) break;
    ops[0] = &dh;
    ops[1] = &sh;
    nn__iter_init(&it, 2, ops, shape, k);
    nn__iter_run(&it, nn__acc_rows[x->dtype], NULL);
  }
done:
  nn_free(tmp);
  nn_free(idx);
  return out;
}

/* ---- put family ---- */

/* x.flat[ix[i]] = vals[i % nv] (vals contiguous, x's dtype); indices already checked. */
NN__PRIVATE void nn__put_flat(nn_tensor *x, const int64_t *ix, int64_t ni, const char *vals, int64_t nv) {
  size_t esz = nn_dtype_size(x->dtype);
  int contig = nn_is_contiguous(x);
  int64_t i;
  for (i = 0; i < ni; i++) {
    char *d = contig ? NN__EPTR(x->data, ix[i], esz) : nn__flat_ptr(x, ix[i]);
    const char *s = vals + (i % nv) * (int64_t)esz;
    if (esz == 1) *d = *s;
    else if (esz == 4) memcpy(d, s, 4);
    else memcpy(d, s, 8);
  }
}

NNDEF nn_status nn_put(nn_tensor *x, const nn_tensor *indices, const nn_tensor *values) {
  const char *op = "nn_put";
  nn_tensor *idx, *tmp = NULL;
  const nn_tensor *v;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, indices, "indices") != NN_OK ||
      nn__check_cpu(op, values, "values") != NN_OK)
    return nn_last_status();
  if (nn__check_idx_dtype(op, indices, "indices") != NN_OK) return nn_last_status();
  if (indices->size == 0 || values->size == 0) return NN_OK;
  idx = nn__idx64(op, indices, x->size, 0, x);
  if (!idx) return nn_last_status();
  v = values;
  if (values->dtype != x->dtype || !nn_is_contiguous(values) || values->storage == x->storage) {
    tmp = nn__new(op, x->dtype, values->shape, values->ndim);
    if (!tmp) {
      nn_free(idx);
      return nn_last_status();
    }
    nn__assign(tmp, values);
    v = tmp;
  }
  nn__put_flat(x, (const int64_t *)idx->data, idx->size, (const char *)v->data, v->size);
  nn_free(tmp);
  nn_free(idx);
  return NN_OK;
}

NNDEF nn_status nn_put_along_axis(nn_tensor *x, const nn_tensor *indices, const nn_tensor *values, int axis) {
  const char *op = "nn_put_along_axis";
  int64_t shape[NN_MAX_DIMS], xshape[NN_MAX_DIMS], ax;
  nn_tensor *idx = NULL, *tmp = NULL, xb, *ops[3];
  const nn_tensor *v;
  nn__iter it;
  char s1[160], s2[160];
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, indices, "indices") != NN_OK ||
      nn__check_cpu(op, values, "values") != NN_OK)
    return nn_last_status();
  if (nn__check_idx_dtype(op, indices, "indices") != NN_OK) return nn_last_status();
  if (axis == NN_ALL_AXES) {
    if (indices->ndim != 1)
      return nn__fail(NN_ERR_SHAPE, "%s: when axis is NN_ALL_AXES, indices must be 1-D (got shape %s)", op,
                      nn_shape_str(indices, s1, sizeof s1));
    if (!nn__can_broadcast_to(values, indices->shape, 1))
      return nn__fail(NN_ERR_SHAPE, "%s: shape mismatch: value array of shape %s could not be broadcast to indexing result of shape %s",
                      op, nn_shape_str(values, s1, sizeof s1), nn_shape_str(indices, s2, sizeof s2));
    idx = nn__idx64(op, indices, x->size, 0, x);
    if (!idx) return nn_last_status();
    tmp = nn__new(op, x->dtype, indices->shape, 1);
    if (!tmp) {
      nn_free(idx);
      return nn_last_status();
    }
    nn__assign(tmp, values);
    nn__put_flat(x, (const int64_t *)idx->data, idx->size, (const char *)tmp->data, tmp->size);
    nn_free(tmp);
    nn_free(idx);
    return NN_OK;
  }
  if (indices->ndim != x->ndim)
    return nn__fail(NN_ERR_SHAPE, "%s: `indices` and `arr` must have the same number of dimensions (shapes %s and %s)",
                    op, nn_shape_str(indices, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
  if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return nn_last_status();
  if (nn__along_shape(op, x, indices, axis, shape) != NN_OK) return nn_last_status();
  if (!nn__can_broadcast_to(values, shape, x->ndim))
    return nn__fail(NN_ERR_SHAPE, "%s: shape mismatch: value array of shape %s could not be broadcast to indexing result of shape %s",
                    op, nn_shape_str(values, s1, sizeof s1), nn__fmt_shape(s2, sizeof s2, shape, x->ndim));
  idx = nn__idx64(op, indices, x->shape[axis], axis, x);
  if (!idx) return nn_last_status();
  v = nn__values_for(op, values, x->dtype, x, &tmp);
  if (!v) {
    nn_free(idx);
    return nn_last_status();
  }
  for (d = 0; d < x->ndim; d++) xshape[d] = d == axis ? 1 : x->shape[d];
  nn__hdr(&xb, x->dtype, xshape, x->strides, x->ndim, x->data);
  ops[0] = &xb;
  ops[1] = idx;
  ops[2] = (nn_tensor *)v;
  ax = x->strides[axis];
  nn__iter_init(&it, 3, ops, shape, x->ndim);
  if (it.size > 0)
    nn__iter_range(&it, nn__by_size(nn_dtype_size(x->dtype), nn__scatter_row_1, nn__scatter_row_4, nn__scatter_row_8),
                   &ax, 0, it.size);
  nn_free(tmp);
  nn_free(idx);
  return NN_OK;
}

/* ---- masks ---- */

NN__PRIVATE nn_status nn__check_mask(const char *op, const nn_tensor *mask) {
  if (mask->dtype != NN_BOOL)
    return nn__fail(NN_ERR_DTYPE, "%s: mask must have dtype bool, got %s", op, nn_dtype_name(mask->dtype));
  return NN_OK;
}

typedef struct nn__sel_ctx {
  int64_t count;
  char *dst;
} nn__sel_ctx;

/* p = [x, mask]: counts true mask entries. */
NN__PRIVATE void nn__mask_count_row(int64_t n, char **p, const int64_t *st, void *ctx) {
  const uint8_t *m = (const uint8_t *)p[1];
  int64_t i, c = 0;
  for (i = 0; i < n; i++) c += m[i * st[1]] != 0;
  ((nn__sel_ctx *)ctx)->count += c;
}

#define NN__SELECT_ROW(SUF, T)                                                                   \
  NN__PRIVATE void nn__select_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {     \
    nn__sel_ctx *c = (nn__sel_ctx *)ctx;                                                         \
    const T *s = (const T *)p[0];                                                                \
    const uint8_t *m = (const uint8_t *)p[1];                                                    \
    T *d = (T *)c->dst;                                                                          \
    int64_t i;                                                                                   \
    for (i = 0; i < n; i++)                                                                      \
      if (m[i * st[1]]) *d++ = s[i * st[0]];                                                     \
    c->dst = (char *)d;                                                                          \
  }
NN__SELECT_ROW(1, uint8_t)
NN__SELECT_ROW(4, uint32_t)
NN__SELECT_ROW(8, uint64_t)

NNDEF nn_tensor *nn_masked_select(const nn_tensor *x, const nn_tensor *mask) {
  const char *op = "nn_masked_select";
  int64_t shape[NN_MAX_DIMS], nch, c, total = 0;
  nn_tensor *ops[2], *out;
  nn__sel_ctx *ctx;
  nn__iter it;
  size_t esz;
  int nd;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, mask, "mask") != NN_OK) return NULL;
  if (nn__check_mask(op, mask) != NN_OK) return NULL;
  if (nn__broadcast_shapes(op, x->shape, x->ndim, mask->shape, mask->ndim, shape, &nd) != NN_OK) return NULL;
  ops[0] = (nn_tensor *)x;
  ops[1] = (nn_tensor *)mask;
  nn__iter_init(&it, 2, ops, shape, nd);
  nch = nn__nchunks(it.size);
  ctx = (nn__sel_ctx *)nn__xalloc(op, (size_t)(nch > 0 ? nch : 1) * sizeof(nn__sel_ctx));
  if (!ctx) return NULL;
  memset(ctx, 0, (size_t)(nch > 0 ? nch : 1) * sizeof(nn__sel_ctx));
  nn__iter_chunks(&it, nn__mask_count_row, ctx, sizeof(nn__sel_ctx));
  for (c = 0; c < nch; c++) total += ctx[c].count;
  out = nn__new(op, x->dtype, &total, 1);
  if (out && total > 0) {
    esz = nn_dtype_size(x->dtype);
    for (c = 0, total = 0; c < nch; c++) {
      ctx[c].dst = NN__EPTR(out->data, total, esz);
      total += ctx[c].count;
    }
    nn__iter_chunks(&it, nn__by_size(esz, nn__select_row_1, nn__select_row_4, nn__select_row_8), ctx,
                    sizeof(nn__sel_ctx));
  }
  nn__dealloc(ctx);
  return out;
}

#define NN__FILL_ROW(SUF, T)                                                                    \
  NN__PRIVATE void nn__mfill_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {     \
    T *d = (T *)p[0], v;                                                                        \
    const uint8_t *m = (const uint8_t *)p[1];                                                   \
    int64_t i;                                                                                  \
    memcpy(&v, ctx, sizeof v);                                                                  \
    for (i = 0; i < n; i++)                                                                     \
      if (m[i * st[1]]) d[i * st[0]] = v;                                                       \
  }
NN__FILL_ROW(1, uint8_t)
NN__FILL_ROW(4, uint32_t)
NN__FILL_ROW(8, uint64_t)

NNDEF nn_status nn_masked_fill(nn_tensor *x, const nn_tensor *mask, double value) {
  const char *op = "nn_masked_fill";
  unsigned char cval[8];
  nn_tensor *ops[2], *tmp = NULL;
  nn__iter it;
  char s1[160], s2[160];
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, mask, "mask") != NN_OK) return nn_last_status();
  if (nn__check_mask(op, mask) != NN_OK) return nn_last_status();
  if (!nn__can_broadcast_to(mask, x->shape, x->ndim))
    return nn__fail(NN_ERR_SHAPE, "%s: mask of shape %s cannot be broadcast to x of shape %s", op,
                    nn_shape_str(mask, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
  if (mask->storage && mask->storage == x->storage) {
    tmp = nn_copy(mask);
    if (!tmp) return nn_last_status();
    mask = tmp;
  }
  nn__store(x->dtype, cval, value);
  ops[0] = x;
  ops[1] = (nn_tensor *)mask;
  nn__iter_init(&it, 2, ops, x->shape, x->ndim);
  nn__iter_run(&it, nn__by_size(nn_dtype_size(x->dtype), nn__mfill_row_1, nn__mfill_row_4, nn__mfill_row_8), cval);
  nn_free(tmp);
  return NN_OK;
}

/* ---- nonzero ---- */

/* p = [x]: adds the number of nonzero elements to *(int64_t *)ctx. Floats compare (so -0.0 is zero, NaN is not);
   integers test their bits. */
#define NN__NZ_ROW(SUF, T)                                                                      \
  NN__PRIVATE void nn__nz_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {        \
    const T *s = (const T *)p[0];                                                               \
    int64_t i, c = 0, ss = st[0];                                                               \
    if (ss == 1)                                                                                \
      for (i = 0; i < n; i++) c += s[i] != 0;                                                   \
    else                                                                                        \
      for (i = 0; i < n; i++) c += s[i * ss] != 0;                                              \
    *(int64_t *)ctx += c;                                                                       \
  }
NN__NZ_ROW(f32, float)
NN__NZ_ROW(f64, double)
NN__NZ_ROW(1, uint8_t)
NN__NZ_ROW(4, uint32_t)
NN__NZ_ROW(8, uint64_t)

static const nn__row_fn nn__nz_rows[NN_DTYPE_COUNT] = {nn__nz_row_f32, nn__nz_row_f64, nn__nz_row_4,
                                                       nn__nz_row_8,   nn__nz_row_1,   nn__nz_row_1};

/* Per-chunk nonzero counts of x (chunks of NN__GRAIN row-major elements); *nch receives the chunk count. */
NN__PRIVATE int64_t *nn__nz_counts(const char *op, const nn_tensor *x, int64_t *nch) {
  nn__iter it;
  nn_tensor *ops[1];
  int64_t *counts, n;
  ops[0] = (nn_tensor *)x;
  nn__iter_init(&it, 1, ops, x->shape, x->ndim);
  *nch = nn__nchunks(it.size);
  n = *nch > 0 ? *nch : 1;
  counts = (int64_t *)nn__xalloc(op, (size_t)n * sizeof(int64_t));
  if (!counts) return NULL;
  memset(counts, 0, (size_t)n * sizeof(int64_t));
  nn__iter_chunks(&it, nn__nz_rows[x->dtype], counts, sizeof(int64_t));
  return counts;
}

NNDEF nn_tensor *nn_count_nonzero(const nn_tensor *x) {
  const char *op = "nn_count_nonzero";
  int64_t nch, c, total = 0, *counts;
  nn_tensor *out;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  counts = nn__nz_counts(op, x, &nch);
  if (!counts) return NULL;
  for (c = 0; c < nch; c++) total += counts[c];
  nn__dealloc(counts);
  out = nn__new(op, NN_INT64, NULL, 0);
  if (out) *(int64_t *)out->data = total;
  return out;
}

typedef struct nn__argw_job {
  const nn_tensor *x;
  const int64_t *start; /* output row of each chunk's first hit */
  int64_t *out;
} nn__argw_job;

/* Writes the coordinates of the nonzero elements among row-major positions [b, e) of x, a row segment at a time. */
#define NN__ARGW(SUF, T)                                                                         \
  NN__PRIVATE void nn__argw_##SUF(const nn_tensor *x, int64_t b, int64_t e, int64_t *o) {        \
    int64_t idx[NN_MAX_DIMS], rem = b, off = 0, f, k, len, sl;                                   \
    const T *p = (const T *)x->data;                                                             \
    int nd = x->ndim, d;                                                                         \
    if (nd == 0) return; /* a nonzero 0-d element has no coordinates to write */                 \
    for (d = nd - 1; d >= 0; d--) {                                                              \
      idx[d] = rem % x->shape[d];                                                                \
      rem /= x->shape[d];                                                                        \
      off += idx[d] * x->strides[d];                                                             \
    }                                                                                            \
    sl = x->strides[nd - 1];                                                                     \
    for (f = b; f < e; f += len) {                                                               \
      const T *q = p + off;                                                                      \
      len = x->shape[nd - 1] - idx[nd - 1];                                                      \
      if (len > e - f) len = e - f;                                                              \
      for (k = 0; k < len; k++)                                                                  \
        if (q[k * sl] != 0) {                                                                    \
          for (d = 0; d < nd - 1; d++) *o++ = idx[d];                                            \
          *o++ = idx[nd - 1] + k;                                                                \
        }                                                                                        \
      idx[nd - 1] += len;                                                                        \
      off += len * sl;                                                                           \
      for (d = nd - 1; d > 0 && idx[d] >= x->shape[d]; d--) {                                    \
        off -= idx[d] * x->strides[d];                                                           \
        idx[d] = 0;                                                                              \
        idx[d - 1]++;                                                                            \
        off += x->strides[d - 1];                                                                \
      }                                                                                          \
    }                                                                                            \
  }
NN__ARGW(f32, float)
NN__ARGW(f64, double)
NN__ARGW(1, uint8_t)
NN__ARGW(4, uint32_t)
NN__ARGW(8, uint64_t)

NN__PRIVATE void nn__argw_task(void *vj, int64_t c) {
  const nn__argw_job *j = (const nn__argw_job *)vj;
  int64_t b = c * NN__GRAIN, e = b + NN__GRAIN, *o = j->out + j->start[c] * j->x->ndim;
  if (e > j->x->size) e = j->x->size;
  switch (j->x->dtype) {
    case NN_FLOAT32: nn__argw_f32(j->x, b, e, o); break;
    case NN_FLOAT64: nn__argw_f64(j->x, b, e, o); break;
    case NN_INT32: nn__argw_4(j->x, b, e, o); break;
    case NN_INT64: nn__argw_8(j->x, b, e, o); break;
    default: nn__argw_1(j->x, b, e, o); break;
  }
}

NNDEF nn_tensor *nn_argwhere(const nn_tensor *x) {
  const char *op = "nn_argwhere";
  int64_t nch, c, total = 0, *counts, shape[2];
  nn_tensor *out;
  nn__argw_job j;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  counts = nn__nz_counts(op, x, &nch);
  if (!counts) return NULL;
  for (c = 0; c < nch; c++) {
    int64_t k = counts[c];
    counts[c] = total; /* becomes the chunk's first output row */
    total += k;
  }
  shape[0] = total;
  shape[1] = x->ndim;
  out = nn__new(op, NN_INT64, shape, 2);
  if (out && out->size > 0) {
    j.x = x;
    j.start = counts;
    j.out = (int64_t *)out->data;
    nn__parallel_for(nch, nn__argw_task, &j);
  }
  nn__dealloc(counts);
  return out;
}

/* ---- one_hot ---- */

NNDEF nn_tensor *nn_one_hot(const nn_tensor *indices, int64_t num_classes, nn_dtype dtype) {
  const char *op = "nn_one_hot";
  int64_t shape[NN_MAX_DIMS], i, mx = -1, *p;
  unsigned char one[8];
  nn_tensor *idx, *out;
  size_t esz;
  int d;
  if (nn__check_cpu(op, indices, "indices") != NN_OK) return NULL;
  if (nn__check_idx_dtype(op, indices, "indices") != NN_OK) return NULL;
  if (!nn__dtype_valid(dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", op, (int)dtype);
    return NULL;
  }
  if (indices->ndim + 1 > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "%s: the result would have %d dimensions, more than NN_MAX_DIMS (%d)", op,
             indices->ndim + 1, NN_MAX_DIMS);
    return NULL;
  }
  idx = nn__new(op, NN_INT64, indices->shape, indices->ndim);
  if (!idx) return NULL;
  nn__assign(idx, indices);
  p = (int64_t *)idx->data;
  for (i = 0; i < idx->size; i++) {
    if (p[i] < 0) {
      nn__fail(NN_ERR_INDEX, "%s: class values must be non-negative, got %lld", op, (long long)p[i]);
      nn_free(idx);
      return NULL;
    }
    if (p[i] > mx) mx = p[i];
  }
  if (num_classes < 0) {
    if (idx->size == 0) {
      nn__fail(NN_ERR_VALUE, "%s: cannot infer the number of classes from an empty tensor (pass num_classes)", op);
      nn_free(idx);
      return NULL;
    }
    num_classes = mx + 1;
  } else if (mx >= num_classes) {
    nn__fail(NN_ERR_INDEX, "%s: class value %lld is out of range for num_classes = %lld", op, (long long)mx,
             (long long)num_classes);
    nn_free(idx);
    return NULL;
  }
  for (d = 0; d < indices->ndim; d++) shape[d] = indices->shape[d];
  shape[indices->ndim] = num_classes;
  out = nn__new(op, dtype, shape, indices->ndim + 1);
  if (out) {
    esz = nn_dtype_size(dtype);
    memset(out->data, 0, (size_t)out->size * esz);
    nn__store(dtype, one, 1.0);
    for (i = 0; i < idx->size; i++) memcpy(NN__EPTR(out->data, i * num_classes + p[i], esz), one, esz);
  }
  nn_free(idx);
  return out;
}
/* ---- end src/ops/index.c ---- */
#endif
#ifndef NN_NO_SORT
/* ---- begin src/ops/sort.c ---- */
/* ops/sort.c: stable merge sorts typed per dtype, run over the rows of an axis; unique, searchsorted, topk.

   Each row is gathered into a scratch buffer with NaNs moved aside (after the other values ascending, before them
   descending, in their original order), so the comparisons are plain < and >. Values are sorted alone; argsort and
   topk sort (key, index) pairs. uint8 and bool rows use a counting sort. Rows are independent and run in chunks of
   rows sized by the row length; a single long row is sorted in parallel fixed-size blocks that are then merged in
   parallel fixed-size output pieces. A stable sort has a unique result, so any split gives identical output. */

#define NN__SORT_RUN 16                       /* rows are first insertion-sorted in runs of this length */
#define NN__SORT_GRAIN ((int64_t)1 << 15)      /* elements per chunk of rows */
#define NN__PSORT_MIN ((int64_t)1 << 17)       /* a row this long is sorted with the parallel merge sort */
#define NN__PSORT_BLOCK ((int64_t)1 << 15)     /* parallel merge sort: block sorted by one task */
#define NN__PSORT_PIECE ((int64_t)1 << 16)     /* parallel merge sort: output elements merged by one task */
#define NN__SORT_ESZ 16                       /* scratch bytes per element: the largest (key, index) pair */

/* A sort for one element type, as functions over untyped buffers (called per block, never per element). */
typedef struct nn__sorter {
  size_t esz;
  void (*sort)(void *a, void *buf, int64_t n);
  void (*merge)(const void *a, int64_t na, const void *b, int64_t nb, void *out);
  int64_t (*corank)(const void *a, int64_t na, const void *b, int64_t nb, int64_t k);
} nn__sorter;

/* NN__MSORT_DEF(NAME, E, BEFORE): a stable merge sort of E elements, where BEFORE(a, b) is true when a must come
   before b (a strict weak order). Elements that compare equal keep their order. */
#define NN__MSORT_DEF(NAME, E, BEFORE)                                                                    \
  NN__PRIVATE void NAME##_ins(E *a, int64_t n) {                                                          \
    int64_t i, j;                                                                                         \
    for (i = 1; i < n; i++) {                                                                             \
      E x = a[i];                                                                                         \
      for (j = i; j > 0 && BEFORE(x, a[j - 1]); j--) a[j] = a[j - 1];                                     \
      a[j] = x;                                                                                           \
    }                                                                                                     \
  }                                                                                                       \
  NN__PRIVATE void NAME##_merge(const E *a, int64_t na, const E *b, int64_t nb, E *o) {                   \
    int64_t i = 0, j = 0, k = 0;                                                                          \
    if (na > 0 && nb > 0 && BEFORE(b[0], a[na - 1])) {                                                    \
      while (i < na && j < nb) { /* branch-free: the comparison is unpredictable on random data */       \
        int tb = BEFORE(b[j], a[i]);                                                                      \
        o[k++] = tb ? b[j] : a[i];                                                                        \
        j += tb;                                                                                          \
        i += !tb;                                                                                         \
      }                                                                                                   \
    }                                                                                                     \
    if (i < na) memcpy(o + k, a + i, (size_t)(na - i) * sizeof(E));                                       \
    k += na - i;                                                                                          \
    if (j < nb) memcpy(o + k, b + j, (size_t)(nb - j) * sizeof(E));                                       \
  }                                                                                                       \
  /* How many of the first k merged elements come from a (the merge-path split of a stable merge). */     \
  NN__PRIVATE int64_t NAME##_corank(const E *a, int64_t na, const E *b, int64_t nb, int64_t k) {          \
    int64_t lo = k > nb ? k - nb : 0, hi = k < na ? k : na;                                               \
    while (lo < hi) {                                                                                     \
      int64_t i = lo + (hi - lo) / 2, j = k - i;                                                          \
      if (j > 0 && !BEFORE(b[j - 1], a[i])) lo = i + 1; /* a[i] is merged before b[j-1] */               \
      else hi = i;                                                                                        \
    }                                                                                                     \
    return lo;                                                                                            \
  }                                                                                                       \
  NN__PRIVATE void NAME##_sort(E *a, E *buf, int64_t n) {                                                 \
    E *src = a, *dst = buf, *t;                                                                           \
    int64_t w, lo;                                                                                        \
    for (lo = 0; lo < n; lo += NN__SORT_RUN) NAME##_ins(a + lo, NN__MIN(NN__SORT_RUN, n - lo));          \
    for (w = NN__SORT_RUN; w < n; w *= 2) {                                                               \
      for (lo = 0; lo < n; lo += 2 * w) {                                                                 \
        int64_t m = NN__MIN(lo + w, n), hi = NN__MIN(lo + 2 * w, n);                                      \
        NAME##_merge(src + lo, m - lo, src + m, hi - m, dst + lo);                                        \
      }                                                                                                   \
      t = src;                                                                                            \
      src = dst;                                                                                          \
      dst = t;                                                                                            \
    }                                                                                                     \
    if (src != a) memcpy(a, src, (size_t)n * sizeof(E));                                                  \
  }                                                                                                       \
  NN__PRIVATE void NAME##_vsort(void *a, void *buf, int64_t n) { NAME##_sort((E *)a, (E *)buf, n); }      \
  NN__PRIVATE void NAME##_vmerge(const void *a, int64_t na, const void *b, int64_t nb, void *o) {         \
    NAME##_merge((const E *)a, na, (const E *)b, nb, (E *)o);                                             \
  }                                                                                                       \
  NN__PRIVATE int64_t NAME##_vcorank(const void *a, int64_t na, const void *b, int64_t nb, int64_t k) {   \
    return NAME##_corank((const E *)a, na, (const E *)b, nb, k);                                          \
  }

/* NN__HSEL_DEF(NAME, E, BEFORE): the first k elements of a[0..n) in stable order, via a bounded heap.
   AFTER is the strict total order "later in the stable output": later by key, or equal keys and larger index. */
#define NN__HSEL_DEF(NAME, E, BEFORE)                                                                     \
  NN__PRIVATE int NAME##_after(const E *x, const E *y) {                                                  \
    return BEFORE(*y, *x) || (!BEFORE(*x, *y) && x->i > y->i);                                            \
  }                                                                                                       \
  NN__PRIVATE void NAME##_sift(E *h, int64_t n, int64_t i) {                                              \
    for (;;) {                                                                                            \
      int64_t l = 2 * i + 1, c = l;                                                                       \
      E t;                                                                                                \
      if (l >= n) break;                                                                                  \
      if (l + 1 < n && NAME##_after(&h[l + 1], &h[l])) c = l + 1;                                         \
      if (!NAME##_after(&h[c], &h[i])) break;                                                             \
      t = h[c];                                                                                           \
      h[c] = h[i];                                                                                        \
      h[i] = t;                                                                                           \
      i = c;                                                                                              \
    }                                                                                                     \
  }                                                                                                       \
  /* Leaves the first k (0 < k <= n) elements of a's stable order, sorted, in a[0..k); h has k slots. */ \
  NN__PRIVATE void NAME##_hsel(E *a, int64_t n, int64_t k, E *h) {                                       \
    int64_t i;                                                                                            \
    memcpy(h, a, (size_t)k * sizeof(E));                                                                  \
    for (i = k / 2 - 1; i >= 0; i--) NAME##_sift(h, k, i);                                                \
    for (i = k; i < n; i++)                                                                               \
      if (NAME##_after(&h[0], &a[i])) {                                                                   \
        h[0] = a[i];                                                                                      \
        NAME##_sift(h, k, 0);                                                                             \
      }                                                                                                   \
    for (i = k - 1; i > 0; i--) {                                                                         \
      E t = h[0];                                                                                         \
      h[0] = h[i];                                                                                        \
      h[i] = t;                                                                                           \
      NAME##_sift(h, i, 0);                                                                               \
    }                                                                                                     \
    memcpy(a, h, (size_t)k * sizeof(E));                                                                  \
  }

/* ---- the parallel merge sort of one long buffer ---- */

typedef struct nn__psort_job {
  const nn__sorter *s;
  char *src, *dst;
  int64_t n, w;
} nn__psort_job;

NN__PRIVATE void nn__psort_block(void *ctx, int64_t c) {
  nn__psort_job *j = (nn__psort_job *)ctx;
  int64_t lo = c * NN__PSORT_BLOCK, len = NN__MIN(NN__PSORT_BLOCK, j->n - lo);
  size_t es = j->s->esz;
  j->s->sort(j->src + (size_t)lo * es, j->dst + (size_t)lo * es, len);
}

/* Merges output positions [c*PIECE, (c+1)*PIECE) of one pass that merges pairs of sorted runs of length w. */
NN__PRIVATE void nn__psort_piece(void *ctx, int64_t c) {
  nn__psort_job *j = (nn__psort_job *)ctx;
  int64_t from = c * NN__PSORT_PIECE, to = NN__MIN(from + NN__PSORT_PIECE, j->n), w2 = 2 * j->w, plo;
  size_t es = j->s->esz;
  for (plo = (from / w2) * w2; plo < to; plo += w2) {
    int64_t m = NN__MIN(plo + j->w, j->n), phi = NN__MIN(plo + w2, j->n);
    int64_t na = m - plo, nb = phi - m;
    int64_t k1 = NN__MAX(from, plo) - plo, k2 = NN__MIN(to, phi) - plo;
    const char *a = j->src + (size_t)plo * es, *b = j->src + (size_t)m * es;
    int64_t i1 = j->s->corank(a, na, b, nb, k1), i2 = j->s->corank(a, na, b, nb, k2);
    j->s->merge(a + (size_t)i1 * es, i2 - i1, b + (size_t)(k1 - i1) * es, (k2 - i2) - (k1 - i1),
                j->dst + (size_t)(plo + k1) * es);
  }
}

/* Sorts a[0..n) (buf: n scratch elements); long buffers run on the thread pool. */
NN__PRIVATE void nn__psort(const nn__sorter *s, void *a, void *buf, int64_t n) {
  nn__psort_job j;
  char *t;
  if (n < NN__PSORT_MIN) {
    s->sort(a, buf, n);
    return;
  }
  j.s = s;
  j.src = (char *)a;
  j.dst = (char *)buf;
  j.n = n;
  j.w = 0;
  nn__parallel_for((n + NN__PSORT_BLOCK - 1) / NN__PSORT_BLOCK, nn__psort_block, &j);
  for (j.w = NN__PSORT_BLOCK; j.w < n; j.w *= 2) {
    nn__parallel_for((n + NN__PSORT_PIECE - 1) / NN__PSORT_PIECE, nn__psort_piece, &j);
    t = j.src;
    j.src = j.dst;
    j.dst = t;
  }
  if (j.src != (char *)a) memcpy(a, j.src, (size_t)n * s->esz);
}

/* ---- rows ---- */

enum { NN__SM_SORT = 0, NN__SM_ARG = 1, NN__SM_TOPK = 2 };

typedef struct nn__sortjob {
  int mode, desc;
  nn_dtype dt;
  int64_t k;                                         /* outputs per row: n (sort, argsort) or k (topk) */
  const char *x;                                     /* input data */
  size_t esz;                                        /* input element bytes */
  int64_t n, xst;                                    /* row length and element stride along the axis */
  int nod;                                           /* the other axes: count, shape and strides */
  int64_t oshape[NN_MAX_DIMS], ost[NN_MAX_DIMS];
  int64_t nrows, inner;                              /* rows; output stride along the axis (elements) */
  char *ov;                                          /* sorted values out (contiguous, x's dtype) or NULL */
  int64_t *oi;                                       /* indices out (contiguous) or NULL */
  int64_t rows_per_chunk;
  long failed;
} nn__sortjob;

#define NN__LT_V(a, b) ((a) < (b))
#define NN__GT_V(a, b) ((a) > (b))
#define NN__LT_P(a, b) ((a).k < (b).k)
#define NN__GT_P(a, b) ((a).k > (b).k)

/* NN__SORT_TYPE_DEF(SFX, T, ISNAN): sorters and the row function for one dtype. */
#define NN__SORT_TYPE_DEF(SFX, T, ISNAN)                                                                    \
  typedef struct nn__kv_##SFX {                                                                             \
    T k;                                                                                                    \
    int64_t i;                                                                                              \
  } nn__kv_##SFX;                                                                                           \
  NN__MSORT_DEF(nn__msva_##SFX, T, NN__LT_V)                                                                \
  NN__MSORT_DEF(nn__msvd_##SFX, T, NN__GT_V)                                                                \
  NN__MSORT_DEF(nn__mspa_##SFX, nn__kv_##SFX, NN__LT_P)                                                     \
  NN__MSORT_DEF(nn__mspd_##SFX, nn__kv_##SFX, NN__GT_P)                                                     \
  NN__HSEL_DEF(nn__hsa_##SFX, nn__kv_##SFX, NN__LT_P)                                                       \
  NN__HSEL_DEF(nn__hsd_##SFX, nn__kv_##SFX, NN__GT_P)                                                       \
  static const nn__sorter nn__sorters_##SFX[4] = {                                                          \
      {sizeof(T), nn__msva_##SFX##_vsort, nn__msva_##SFX##_vmerge, nn__msva_##SFX##_vcorank},               \
      {sizeof(T), nn__msvd_##SFX##_vsort, nn__msvd_##SFX##_vmerge, nn__msvd_##SFX##_vcorank},               \
      {sizeof(nn__kv_##SFX), nn__mspa_##SFX##_vsort, nn__mspa_##SFX##_vmerge, nn__mspa_##SFX##_vcorank},    \
      {sizeof(nn__kv_##SFX), nn__mspd_##SFX##_vsort, nn__mspd_##SFX##_vmerge, nn__mspd_##SFX##_vcorank}};   \
  /* Sorted first k' of a region of pairs into its front: heap when k' is small, else a full sort. */       \
  NN__PRIVATE void nn__sortsel_##SFX(int desc, nn__kv_##SFX *a, int64_t n, int64_t k, nn__kv_##SFX *buf) {  \
    if (k <= 0) return;                                                                                     \
    if (k * 8 <= n && n > 64) {                                                                             \
      if (desc) nn__hsd_##SFX##_hsel(a, n, k, buf);                                                         \
      else nn__hsa_##SFX##_hsel(a, n, k, buf);                                                              \
    } else {                                                                                                \
      nn__psort(&nn__sorters_##SFX[2 + desc], a, buf, n);                                                   \
    }                                                                                                       \
  }                                                                                                         \
  NN__PRIVATE void nn__sortrow_##SFX(const nn__sortjob *j, const T *x, int64_t oo, void *s1, void *s2) {    \
    int64_t n = j->n, xs = j->xst, os = j->inner, i, nnan = 0, base, np, p = 0;                             \
    for (i = 0; i < n; i++)                                                                                 \
      if (ISNAN(x[i * xs])) nnan++;                                                                         \
    base = j->desc ? nnan : 0;       /* start of the non-NaN values */                                    \
    np = j->desc ? 0 : n - nnan;     /* next NaN slot */                                                  \
    if (j->mode == NN__SM_SORT) {                                                                           \
      T *a = (T *)s1, *o = (T *)j->ov + oo;                                                                 \
      for (i = 0; i < n; i++) {                                                                             \
        T v = x[i * xs];                                                                                    \
        if (ISNAN(v)) a[np++] = v;                                                                          \
        else a[base + p++] = v;                                                                             \
      }                                                                                                     \
      nn__psort(&nn__sorters_##SFX[j->desc != 0], a + base, s2, n - nnan);                                  \
      if (os == 1) memcpy(o, a, (size_t)n * sizeof(T));                                                     \
      else                                                                                                  \
        for (i = 0; i < n; i++) o[i * os] = a[i];                                                           \
    } else {                                                                                                \
      nn__kv_##SFX *a = (nn__kv_##SFX *)s1;                                                                 \
      int64_t nout = j->k;                                                                                  \
      for (i = 0; i < n; i++) {                                                                             \
        T v = x[i * xs];                                                                                    \
        nn__kv_##SFX *e = ISNAN(v) ? &a[np++] : &a[base + p++];                                             \
        e->k = v;                                                                                           \
        e->i = i;                                                                                           \
      }                                                                                                     \
      if (j->mode == NN__SM_ARG || nout >= n - nnan) {                                                      \
        nn__psort(&nn__sorters_##SFX[2 + (j->desc != 0)], a + base, s2, n - nnan);                          \
      } else if (j->desc) {                                                                                 \
        if (nout > nnan) nn__sortsel_##SFX(1, a + nnan, n - nnan, nout - nnan, (nn__kv_##SFX *)s2);         \
      } else {                                                                                              \
        nn__sortsel_##SFX(0, a, n - nnan, nout, (nn__kv_##SFX *)s2);                                        \
      }                                                                                                     \
      if (j->oi)                                                                                            \
        for (i = 0; i < nout; i++) j->oi[oo + i * os] = a[i].i;                                             \
      if (j->ov) {                                                                                          \
        T *o = (T *)j->ov + oo;                                                                             \
        for (i = 0; i < nout; i++) o[i * os] = a[i].k;                                                      \
      }                                                                                                     \
    }                                                                                                       \
  }

#define NN__ISNAN_F(v) ((v) != (v))
#define NN__ISNAN_I(v) 0
NN__SORT_TYPE_DEF(f32, float, NN__ISNAN_F)
NN__SORT_TYPE_DEF(f64, double, NN__ISNAN_F)
NN__SORT_TYPE_DEF(i32, int32_t, NN__ISNAN_I)
NN__SORT_TYPE_DEF(i64, int64_t, NN__ISNAN_I)

/* uint8 and bool: a counting sort, stable by construction, needing no scratch. */
NN__PRIVATE void nn__sortrow_u8(const nn__sortjob *j, const uint8_t *x, int64_t oo) {
  int64_t cnt[256], start[256], n = j->n, xs = j->xst, os = j->inner, i, pos = 0;
  int v, vi;
  memset(cnt, 0, sizeof cnt);
  for (i = 0; i < n; i++) cnt[x[i * xs]]++;
  for (vi = 0; vi < 256; vi++) {
    v = j->desc ? 255 - vi : vi;
    start[v] = pos;
    pos += cnt[v];
  }
  if (j->mode == NN__SM_SORT) {
    uint8_t *o = (uint8_t *)j->ov + oo;
    int64_t q = 0;
    for (vi = 0; vi < 256; vi++) {
      v = j->desc ? 255 - vi : vi;
      for (i = 0; i < cnt[v]; i++, q++) o[q * os] = (uint8_t)v;
    }
  } else {
    uint8_t *o = j->ov ? (uint8_t *)j->ov + oo : NULL;
    for (i = 0; i < n; i++) {
      uint8_t xv = x[i * xs];
      int64_t q = start[xv]++;
      if (q >= j->k) continue;
      if (j->oi) j->oi[oo + q * os] = i;
      if (o) o[q * os] = xv;
    }
  }
}

NN__PRIVATE void nn__sort_chunk(void *ctx, int64_t c) {
  nn__sortjob *j = (nn__sortjob *)ctx;
  int64_t r0 = c * j->rows_per_chunk, r1 = NN__MIN(r0 + j->rows_per_chunk, j->nrows), r;
  void *s1 = NULL, *s2 = NULL;
  int counting = j->dt == NN_UINT8 || j->dt == NN_BOOL;
  if (!counting) {
    size_t bytes = (size_t)j->n * (j->mode == NN__SM_SORT ? j->esz : NN__SORT_ESZ);
    s1 = nn__alloc(bytes);
    s2 = nn__alloc(bytes);
    if (!s1 || !s2) {
      nn__dealloc(s1);
      nn__dealloc(s2);
      NN__ATOMIC_ADD(&j->failed, 1);
      return;
    }
  }
  for (r = r0; r < r1; r++) {
    int64_t off = 0, rem = r, oo;
    const char *x;
    int d;
    for (d = j->nod - 1; d >= 0; d--) {
      off += (rem % j->oshape[d]) * j->ost[d];
      rem /= j->oshape[d];
    }
    x = j->x + off * (int64_t)j->esz;
    oo = (r / j->inner) * (j->k * j->inner) + r % j->inner;
    switch (j->dt) {
      case NN_FLOAT32: nn__sortrow_f32(j, (const float *)x, oo, s1, s2); break;
      case NN_FLOAT64: nn__sortrow_f64(j, (const double *)x, oo, s1, s2); break;
      case NN_INT32: nn__sortrow_i32(j, (const int32_t *)x, oo, s1, s2); break;
      case NN_INT64: nn__sortrow_i64(j, (const int64_t *)x, oo, s1, s2); break;
      default: nn__sortrow_u8(j, (const uint8_t *)x, oo); break;
    }
  }
  nn__dealloc(s1);
  nn__dealloc(s2);
}

/* Checks x and axis and describes its rows in j. For NN_ALL_AXES, *flat receives a contiguous version of x (a view
   when x already is one) that the caller frees. */
NN__PRIVATE nn_status nn__sort_setup(const char *op, const nn_tensor *x, int axis, nn__sortjob *j, nn_tensor **flat) {
  int d;
  memset(j, 0, sizeof *j);
  *flat = NULL;
  if (nn__check_cpu(op, x, "x") != NN_OK) return nn_last_status();
  if (!nn__dtype_valid(x->dtype)) return nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", op, (int)x->dtype);
  j->dt = x->dtype;
  j->esz = nn_dtype_size(x->dtype);
  if (axis == NN_ALL_AXES) {
    *flat = nn_contiguous(x);
    if (!*flat) return nn_last_status();
    j->x = (const char *)(*flat)->data;
    j->n = x->size;
    j->xst = 1;
    j->nod = 0;
    j->nrows = 1;
    j->inner = 1;
  } else {
    if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return nn_last_status();
    j->x = (const char *)x->data;
    j->n = x->shape[axis];
    j->xst = x->strides[axis];
    j->nrows = 1;
    j->inner = 1;
    for (d = 0; d < x->ndim; d++) {
      if (d == axis) continue;
      j->oshape[j->nod] = x->shape[d];
      j->ost[j->nod] = x->strides[d];
      j->nod++;
      j->nrows *= x->shape[d];
      if (d > axis) j->inner *= x->shape[d];
    }
  }
  j->k = j->n;
  return NN_OK;
}

/* Runs the row jobs: rows in parallel chunks, or one long row at a time with the parallel merge sort inside. */
NN__PRIVATE nn_status nn__sort_run(const char *op, nn__sortjob *j) {
  int64_t nchunks, c;
  if (j->n == 0 || j->nrows == 0 || j->k == 0) return NN_OK;
  j->rows_per_chunk = NN__MAX(1, NN__SORT_GRAIN / j->n);
  nchunks = (j->nrows + j->rows_per_chunk - 1) / j->rows_per_chunk;
  if (j->n >= NN__PSORT_MIN) {
    for (c = 0; c < nchunks; c++) nn__sort_chunk(j, c);
  } else {
    nn__parallel_for(nchunks, nn__sort_chunk, j);
  }
  if (j->failed)
    return nn__fail(NN_ERR_OOM, "%s: cannot allocate scratch buffers for rows of %lld elements", op, (long long)j->n);
  return NN_OK;
}

/* nn_sort and nn_argsort: output shape is x's shape, or (size,) for NN_ALL_AXES. */
NN__PRIVATE nn_tensor *nn__sort_common(const char *op, const nn_tensor *x, int axis, int desc, int mode) {
  nn__sortjob j;
  nn_tensor *flat = NULL, *out = NULL;
  if (nn__sort_setup(op, x, axis, &j, &flat) != NN_OK) return NULL;
  j.mode = mode;
  j.desc = desc != 0;
  if (axis == NN_ALL_AXES) out = nn__new(op, mode == NN__SM_SORT ? x->dtype : NN_INT64, &j.n, 1);
  else out = nn__new(op, mode == NN__SM_SORT ? x->dtype : NN_INT64, x->shape, x->ndim);
  if (!out) goto done;
  if (mode == NN__SM_SORT) j.ov = (char *)out->data;
  else j.oi = (int64_t *)out->data;
  if (nn__sort_run(op, &j) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
done:
  nn_free(flat);
  return out;
}

NNDEF nn_tensor *nn_sort(const nn_tensor *x, int axis, int descending) {
  return nn__sort_common("nn_sort", x, axis, descending, NN__SM_SORT);
}

NNDEF nn_tensor *nn_argsort(const nn_tensor *x, int axis, int descending) {
  return nn__sort_common("nn_argsort", x, axis, descending, NN__SM_ARG);
}

NNDEF nn_status nn_topk(const nn_tensor *x, int64_t k, int axis, int largest, nn_tensor **values, nn_tensor **indices) {
  nn__sortjob j;
  nn_tensor *flat = NULL, *v = NULL, *ix = NULL;
  int64_t shape[NN_MAX_DIMS];
  int ndim, ax = axis;
  nn_status st;
  if (values) *values = NULL;
  if (indices) *indices = NULL;
  if (!values && !indices) return nn__fail_null("nn_topk", "values and indices (both)");
  st = nn__sort_setup("nn_topk", x, axis, &j, &flat);
  if (st != NN_OK) return st;
  if (k < 0 || k > j.n) {
    nn_free(flat);
    return nn__fail(NN_ERR_INDEX, "nn_topk: selected index k out of range (k = %lld, size of the axis = %lld)",
                    (long long)k, (long long)j.n);
  }
  if (axis == NN_ALL_AXES) {
    ndim = 1;
    shape[0] = k;
  } else {
    nn__norm_axis("nn_topk", &ax, x->ndim);
    ndim = x->ndim;
    memcpy(shape, x->shape, sizeof(int64_t) * (size_t)ndim);
    shape[ax] = k;
  }
  j.mode = NN__SM_TOPK;
  j.desc = largest != 0;
  j.k = k;
  if (values) {
    v = nn__new("nn_topk", x->dtype, shape, ndim);
    if (!v) goto fail;
    j.ov = (char *)v->data;
  }
  if (indices) {
    ix = nn__new("nn_topk", NN_INT64, shape, ndim);
    if (!ix) goto fail;
    j.oi = (int64_t *)ix->data;
  }
  if (nn__sort_run("nn_topk", &j) != NN_OK) goto fail;
  nn_free(flat);
  if (values) *values = v;
  if (indices) *indices = ix;
  return NN_OK;
fail:
  st = nn_last_status();
  nn_free(v);
  nn_free(ix);
  nn_free(flat);
  return st;
}

/* ---- unique ---- */

/* grp[i] = index of the group of sorted element i (equal neighbours share one; all NaNs form one group). */
#define NN__UNIQ_GROUPS(T, SAME)                                    \
  {                                                                 \
    const T *s = (const T *)sv;                                     \
    for (i = 1; i < n; i++) grp[i] = grp[i - 1] + !SAME(s[i - 1], s[i]); \
  }
#define NN__SAME_F(a, b) ((a) == (b) || ((a) != (a) && (b) != (b)))
#define NN__SAME_I(a, b) ((a) == (b))

NNDEF nn_tensor *nn_unique(const nn_tensor *x, nn_tensor **counts, nn_tensor **inverse) {
  nn__sortjob j;
  nn_tensor *flat = NULL, *out = NULL, *cnt = NULL, *inv = NULL;
  char *sv = NULL;
  int64_t *idx = NULL, *grp = NULL, n, g, i;
  size_t es;
  if (counts) *counts = NULL;
  if (inverse) *inverse = NULL;
  if (nn__sort_setup("nn_unique", x, NN_ALL_AXES, &j, &flat) != NN_OK) return NULL;
  n = j.n;
  es = j.esz;
  sv = (char *)nn__xalloc("nn_unique", (size_t)n * es);
  grp = (int64_t *)nn__xalloc("nn_unique", (size_t)n * sizeof(int64_t));
  if (inverse) idx = (int64_t *)nn__xalloc("nn_unique", (size_t)n * sizeof(int64_t));
  if (!sv || !grp || (inverse && !idx)) goto fail;
  /* ascending; with the inverse, values and indices (topk of all), else the values alone */
  j.mode = inverse ? NN__SM_TOPK : NN__SM_SORT;
  j.desc = 0;
  j.ov = sv;
  j.oi = idx;
  if (nn__sort_run("nn_unique", &j) != NN_OK) goto fail;
  if (n > 0) grp[0] = 0;
  switch (x->dtype) {
    case NN_FLOAT32: NN__UNIQ_GROUPS(float, NN__SAME_F) break;
    case NN_FLOAT64: NN__UNIQ_GROUPS(double, NN__SAME_F) break;
    case NN_INT32: NN__UNIQ_GROUPS(int32_t, NN__SAME_I) break;
    case NN_INT64: NN__UNIQ_GROUPS(int64_t, NN__SAME_I) break;
    default: NN__UNIQ_GROUPS(uint8_t, NN__SAME_I) break;
  }
  g = n > 0 ? grp[n - 1] + 1 : 0;
  out = nn__new("nn_unique", x->dtype, &g, 1);
  if (!out) goto fail;
  if (counts) {
    cnt = nn__new("nn_unique", NN_INT64, &g, 1);
    if (!cnt) goto fail;
    memset(cnt->data, 0, (size_t)g * sizeof(int64_t));
  }
  if (inverse) {
    inv = nn__new("nn_unique", NN_INT64, &n, 1);
    if (!inv) goto fail;
  }
  for (i = 0; i < n; i++) {
    if (i == 0 || grp[i] != grp[i - 1]) memcpy((char *)out->data + (size_t)grp[i] * es, sv + (size_t)i * es, es);
    if (cnt) ((int64_t *)cnt->data)[grp[i]]++;
    if (inv) ((int64_t *)inv->data)[idx[i]] = grp[i];
  }
  nn__dealloc(sv);
  nn__dealloc(idx);
  nn__dealloc(grp);
  nn_free(flat);
  if (counts) *counts = cnt;
  if (inverse) *inverse = inv;
  return out;
fail:
  nn__dealloc(sv);
  nn__dealloc(idx);
  nn__dealloc(grp);
  nn_free(flat);
  nn_free(out);
  nn_free(cnt);
  nn_free(inv);
  return NULL;
}

/* ---- searchsorted ---- */

#define NN__SS_CHUNK ((int64_t)1 << 14)

typedef struct nn__ss_job {
  nn_dtype dt;
  const char *a;
  int64_t n, ast;
  const char *v;
  int64_t nv;
  int64_t *out;
  int right;
} nn__ss_job;

/* Binary searches with NumPy's order: LT is < with NaN after everything (as np.sort leaves it). */
#define NN__SS_DEF(SFX, T, LT)                                                                      \
  NN__PRIVATE void nn__ss_##SFX(const nn__ss_job *j, int64_t b, int64_t e) {                        \
    const T *a = (const T *)j->a, *v = (const T *)j->v;                                             \
    int64_t i, as = j->ast;                                                                         \
    for (i = b; i < e; i++) {                                                                       \
      T x = v[i];                                                                                   \
      int64_t lo = 0, hi = j->n;                                                                    \
      if (j->right)                                                                                 \
        while (lo < hi) {                                                                           \
          int64_t mid = lo + (hi - lo) / 2;                                                         \
          if (LT(x, a[mid * as])) hi = mid;                                                         \
          else lo = mid + 1;                                                                        \
        }                                                                                           \
      else                                                                                          \
        while (lo < hi) {                                                                           \
          int64_t mid = lo + (hi - lo) / 2;                                                         \
          if (LT(a[mid * as], x)) lo = mid + 1;                                                     \
          else hi = mid;                                                                            \
        }                                                                                           \
      j->out[i] = lo;                                                                               \
    }                                                                                               \
  }
#define NN__LT_NAN(a, b) ((a) < (b) || ((b) != (b) && (a) == (a)))
NN__SS_DEF(f32, float, NN__LT_NAN)
NN__SS_DEF(f64, double, NN__LT_NAN)
NN__SS_DEF(i32, int32_t, NN__LT_V)
NN__SS_DEF(i64, int64_t, NN__LT_V)
NN__SS_DEF(u8, uint8_t, NN__LT_V)

NN__PRIVATE void nn__ss_chunk(void *ctx, int64_t c) {
  const nn__ss_job *j = (const nn__ss_job *)ctx;
  int64_t b = c * NN__SS_CHUNK, e = NN__MIN(b + NN__SS_CHUNK, j->nv);
  switch (j->dt) {
    case NN_FLOAT32: nn__ss_f32(j, b, e); break;
    case NN_FLOAT64: nn__ss_f64(j, b, e); break;
    case NN_INT32: nn__ss_i32(j, b, e); break;
    case NN_INT64: nn__ss_i64(j, b, e); break;
    default: nn__ss_u8(j, b, e); break;
  }
}

NNDEF nn_tensor *nn_searchsorted(const nn_tensor *sorted, const nn_tensor *values, int right) {
  nn_tensor *ca = NULL, *cv = NULL, *out = NULL;
  const nn_tensor *a;
  nn_dtype dt;
  nn__ss_job j;
  char sh[128];
  if (nn__check_cpu("nn_searchsorted", sorted, "sorted") != NN_OK) return NULL;
  if (nn__check_cpu("nn_searchsorted", values, "values") != NN_OK) return NULL;
  if (sorted->ndim != 1) {
    nn__fail(NN_ERR_SHAPE, "nn_searchsorted: the sorted array must be 1-D, got shape %s",
             nn_shape_str(sorted, sh, sizeof sh));
    return NULL;
  }
  dt = nn_promote_types(sorted->dtype, values->dtype);
  if (dt == NN_DTYPE_COUNT) {
    nn__fail(NN_ERR_DTYPE, "nn_searchsorted: invalid dtypes %d and %d", (int)sorted->dtype, (int)values->dtype);
    return NULL;
  }
  a = sorted;
  if (sorted->dtype != dt) {
    ca = nn_astype(sorted, dt);
    if (!ca) goto done;
    a = ca;
  }
  cv = values->dtype != dt ? nn_astype(values, dt) : nn_contiguous(values);
  if (!cv) goto done;
  out = nn__new("nn_searchsorted", NN_INT64, values->shape, values->ndim);
  if (!out) goto done;
  j.dt = dt;
  j.a = (const char *)a->data;
  j.n = a->shape[0];
  j.ast = a->strides[0];
  j.v = (const char *)cv->data;
  j.nv = cv->size;
  j.out = (int64_t *)out->data;
  j.right = right != 0;
  nn__parallel_for((j.nv + NN__SS_CHUNK - 1) / NN__SS_CHUNK, nn__ss_chunk, &j);
done:
  nn_free(ca);
  nn_free(cv);
  return out;
}
/* ---- end src/ops/sort.c ---- */
#endif
/* ---- begin src/ops/matmul.c ---- */
/* ops/matmul.c: argument checks, shapes and dtype rules for the matrix products; the arithmetic is in
   kernels/gemm.c. */

/* ---- BLAS-style entry points ---- */

NN__PRIVATE nn_status nn__gemm_check(const char *op, int ta, int tb, int64_t M, int64_t N, int64_t K, const void *A,
                                     int64_t lda, const void *B, int64_t ldb, const void *C, int64_t ldc) {
  int64_t acols = ta ? M : K, bcols = tb ? K : N;
  int64_t amin = acols > 1 ? acols : 1, bmin = bcols > 1 ? bcols : 1, cmin = N > 1 ? N : 1;
  if (M < 0 || N < 0 || K < 0)
    return nn__fail(NN_ERR_ARG, "%s: sizes must be non-negative, got M=%lld, N=%lld, K=%lld", op, (long long)M,
                    (long long)N, (long long)K);
  if (lda < amin)
    return nn__fail(NN_ERR_ARG, "%s: lda=%lld is too small: it must be >= max(1, %s) = %lld (trans_a=%d, M=%lld, K=%lld)",
                    op, (long long)lda, ta ? "M" : "K", (long long)amin, ta ? 1 : 0, (long long)M, (long long)K);
  if (ldb < bmin)
    return nn__fail(NN_ERR_ARG, "%s: ldb=%lld is too small: it must be >= max(1, %s) = %lld (trans_b=%d, K=%lld, N=%lld)",
                    op, (long long)ldb, tb ? "K" : "N", (long long)bmin, tb ? 1 : 0, (long long)K, (long long)N);
  if (ldc < cmin)
    return nn__fail(NN_ERR_ARG, "%s: ldc=%lld is too small: it must be >= max(1, N) = %lld", op, (long long)ldc,
                    (long long)cmin);
  if (!A && M > 0 && K > 0)
    return nn__fail(NN_ERR_ARG, "%s: A is NULL but op(A) has %lld x %lld elements", op, (long long)M, (long long)K);
  if (!B && K > 0 && N > 0)
    return nn__fail(NN_ERR_ARG, "%s: B is NULL but op(B) has %lld x %lld elements", op, (long long)K, (long long)N);
  if (!C && M > 0 && N > 0)
    return nn__fail(NN_ERR_ARG, "%s: C is NULL but C has %lld x %lld elements", op, (long long)M, (long long)N);
  return NN_OK;
}

NNDEF nn_status nn_sgemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                         int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
  if (nn__gemm_check("nn_sgemm", trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc) != NN_OK) return nn_last_status();
  if (nn__sgemm_kernel(trans_a != 0, trans_b != 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) != 0)
    return nn__fail(NN_ERR_OOM, "nn_sgemm: cannot allocate the packing buffers (M=%lld, N=%lld, K=%lld)", (long long)M,
                    (long long)N, (long long)K);
  return NN_OK;
}

NNDEF nn_status nn_dgemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double *A,
                         int64_t lda, const double *B, int64_t ldb, double beta, double *C, int64_t ldc) {
  if (nn__gemm_check("nn_dgemm", trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc) != NN_OK) return nn_last_status();
  if (nn__dgemm_kernel(trans_a != 0, trans_b != 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) != 0)
    return nn__fail(NN_ERR_OOM, "nn_dgemm: cannot allocate the packing buffers (M=%lld, N=%lld, K=%lld)", (long long)M,
                    (long long)N, (long long)K);
  return NN_OK;
}

/* ---- np.matmul ---- */

/* Batched products of per-matrix work below this many multiply-adds run in parallel over the batch. */
#define NN__MM_BATCH_PAR (1 << 21)
/* Multiply-adds per parallel chunk of the batch loop and of the integer loops. */
#define NN__MM_GRAIN (1 << 20)

/* One operand seen as a stack of matrices. */
typedef struct nn__mm_operand {
  const char *data;
  int64_t rows, cols, rs, cs;   /* the core matrix and its element strides */
  int64_t bst[NN_MAX_DIMS];     /* element strides along the result's batch axes (0 where broadcast) */
  int trans;                    /* GEMM layout (float dtypes) */
  int64_t ld;
} nn__mm_operand;

typedef struct nn__mm_job {
  nn_dtype dt;
  int64_t M, N, K, nbatch, per; /* per: batch matrices (or row blocks) per chunk */
  int nbd;
  int64_t bshape[NN_MAX_DIMS];
  nn__mm_operand a, b;
  char *c; /* contiguous result */
  int64_t rows_per, nrowblk; /* integer loops: rows per chunk, row blocks per matrix */
  int64_t failed;
} nn__mm_job;

/* Core geometry of x as operand `which` (0: a, 1: b) of matmul, with 1-D promotion. */
NN__PRIVATE void nn__mm_geom(nn__mm_operand *o, const nn_tensor *x, int which, int nbd, const int64_t *bshape) {
  int nd = x->ndim, xb = nd >= 2 ? nd - 2 : 0, off = nbd - xb, d;
  o->data = (const char *)x->data;
  if (nd == 1 && which == 0) {
    o->rows = 1;
    o->cols = x->shape[0];
    o->rs = 0;
    o->cs = x->strides[0];
  } else if (nd == 1) {
    o->rows = x->shape[0];
    o->cols = 1;
    o->rs = x->strides[0];
    o->cs = 0;
  } else {
    o->rows = x->shape[nd - 2];
    o->cols = x->shape[nd - 1];
    o->rs = x->strides[nd - 2];
    o->cs = x->strides[nd - 1];
  }
  for (d = 0; d < nbd; d++)
    o->bst[d] = (d < off || (x->shape[d - off] == 1 && bshape[d] != 1)) ? 0 : x->strides[d - off];
}

/* The GEMM layout of an operand's matrices: 1 (with trans and ld set) if they can be read in place, 0 if the
   operand needs a contiguous copy. Rows and columns of length 1 ignore their stride. */
NN__PRIVATE int nn__mm_layout(nn__mm_operand *o) {
  int64_t r1 = o->rows > 1 ? o->rows : 1, c1 = o->cols > 1 ? o->cols : 1;
  if (o->rows == 0 || o->cols == 0) {
    o->trans = 0;
    o->ld = c1;
    return 1;
  }
  if ((o->cols == 1 || o->cs == 1) && (o->rows == 1 || o->rs >= c1)) {
    o->trans = 0;
    o->ld = o->rows == 1 ? c1 : o->rs;
    return 1;
  }
  if ((o->rows == 1 || o->rs == 1) && (o->cols == 1 || o->cs >= r1)) {
    o->trans = 1;
    o->ld = o->cols == 1 ? r1 : o->cs;
    return 1;
  }
  return 0;
}

/* Element offsets of batch matrix bi in a and b. */
NN__PRIVATE void nn__mm_offsets(const nn__mm_job *j, int64_t bi, int64_t *oa, int64_t *ob) {
  int d;
  *oa = 0;
  *ob = 0;
  for (d = j->nbd - 1; d >= 0; d--) {
    int64_t n = j->bshape[d], k = bi % n;
    bi /= n;
    *oa += k * j->a.bst[d];
    *ob += k * j->b.bst[d];
  }
}

/* Float product of batch matrix bi; returns the kernel's status. */
NN__PRIVATE int nn__mm_float_one(const nn__mm_job *j, int64_t bi) {
  int64_t oa, ob, ldc = j->N > 1 ? j->N : 1;
  nn__mm_offsets(j, bi, &oa, &ob);
  if (j->dt == NN_FLOAT32)
    return nn__sgemm_kernel(j->a.trans, j->b.trans, j->M, j->N, j->K, 1.0f, (const float *)j->a.data + oa, j->a.ld,
                            (const float *)j->b.data + ob, j->b.ld, 0.0f, (float *)j->c + bi * j->M * j->N, ldc);
  return nn__dgemm_kernel(j->a.trans, j->b.trans, j->M, j->N, j->K, 1.0, (const double *)j->a.data + oa, j->a.ld,
                          (const double *)j->b.data + ob, j->b.ld, 0.0, (double *)j->c + bi * j->M * j->N, ldc);
}

NN__PRIVATE void nn__mm_float_chunk(void *vctx, int64_t c) {
  nn__mm_job *j = (nn__mm_job *)vctx;
  int64_t bi, b1 = (c + 1) * j->per < j->nbatch ? (c + 1) * j->per : j->nbatch;
  for (bi = c * j->per; bi < b1; bi++)
    if (nn__mm_float_one(j, bi) != 0) {
#if defined(NN_NO_THREADS)
      j->failed = 1;
#else
      nn__fetch_add(&j->failed, 1);
#endif
      return;
    }
}

/* Integer products: chunk c is row block c % nrowblk of batch matrix c / nrowblk. */
NN__PRIVATE void nn__mm_int_chunk(void *vctx, int64_t c) {
  const nn__mm_job *j = (const nn__mm_job *)vctx;
  int64_t bi = c / j->nrowblk, i0 = (c % j->nrowblk) * j->rows_per, i1 = i0 + j->rows_per, oa, ob;
  size_t es = nn_dtype_size(j->dt);
  const char *pa, *pb;
  char *pc = j->c + (size_t)(bi * j->M * j->N) * es;
  if (i1 > j->M) i1 = j->M;
  nn__mm_offsets(j, bi, &oa, &ob);
  pa = j->a.data + oa * (int64_t)es;
  pb = j->b.data + ob * (int64_t)es;
  switch (j->dt) {
    case NN_INT32:
      nn__igemm_i32(i0, i1, j->N, j->K, (const int32_t *)pa, j->a.rs, j->a.cs, (const int32_t *)pb, j->b.rs, j->b.cs,
                    (int32_t *)pc, j->N);
      break;
    case NN_INT64:
      nn__igemm_i64(i0, i1, j->N, j->K, (const int64_t *)pa, j->a.rs, j->a.cs, (const int64_t *)pb, j->b.rs, j->b.cs,
                    (int64_t *)pc, j->N);
      break;
    case NN_UINT8:
      nn__igemm_u8(i0, i1, j->N, j->K, (const uint8_t *)pa, j->a.rs, j->a.cs, (const uint8_t *)pb, j->b.rs, j->b.cs,
                   (uint8_t *)pc, j->N);
      break;
    default:
      nn__igemm_b(i0, i1, j->N, j->K, (const uint8_t *)pa, j->a.rs, j->a.cs, (const uint8_t *)pb, j->b.rs, j->b.cs,
                  (uint8_t *)pc, j->N);
      break;
  }
}

/* Checks an out tensor for a product: on the CPU, with exactly the result's shape. */
NN__PRIVATE nn_status nn__mm_check_out(const char *name, const nn_tensor *out, const int64_t *shape, int ndim) {
  char s1[160], s2[160];
  int i, same = out->ndim == ndim;
  if (nn__check_cpu(name, out, "out") != NN_OK) return nn_last_status();
  for (i = 0; same && i < ndim; i++) same = out->shape[i] == shape[i];
  if (!same)
    return nn__fail(NN_ERR_SHAPE, "%s: output shape %s does not match the result shape %s", name,
                    nn_shape_str(out, s1, sizeof s1), nn__fmt_shape(s2, sizeof s2, shape, ndim));
  return NN_OK;
}

/* The body of nn_matmul / nn_matmul_out (out may be NULL) and of the products built on it. */
NN__PRIVATE nn_tensor *nn__matmul(const char *name, nn_tensor *out, const nn_tensor *a, const nn_tensor *b) {
  int64_t bshape[NN_MAX_DIMS], oshape[NN_MAX_DIMS], M, N, K, Kb;
  int nbd, na, nb, ond = 0, d;
  nn_dtype cdt;
  nn_tensor *ca = NULL, *cb = NULL, *tmp = NULL, *res = NULL;
  const nn_tensor *xa = a, *xb = b;
  nn__mm_job job;
  char s1[160], s2[160];
  if (nn__check_cpu(name, a, "a") != NN_OK || nn__check_cpu(name, b, "b") != NN_OK) return NULL;
  if (a->ndim == 0 || b->ndim == 0) {
    nn__fail(NN_ERR_SHAPE,
             "%s: Input operand %d does not have enough dimensions (has 0, gufunc core with signature "
             "(n?,k),(k,m?)->(n?,m?) requires 1)",
             name, a->ndim == 0 ? 0 : 1);
    return NULL;
  }
  M = a->ndim == 1 ? 1 : a->shape[a->ndim - 2];
  K = a->shape[a->ndim - 1];
  Kb = b->ndim == 1 ? b->shape[0] : b->shape[b->ndim - 2];
  N = b->ndim == 1 ? 1 : b->shape[b->ndim - 1];
  if (K != Kb) {
    nn__fail(NN_ERR_SHAPE,
             "%s: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) "
             "(size %lld is different from %lld): shapes %s and %s",
             name, (long long)Kb, (long long)K, nn_shape_str(a, s1, sizeof s1), nn_shape_str(b, s2, sizeof s2));
    return NULL;
  }
  na = a->ndim > 2 ? a->ndim - 2 : 0;
  nb = b->ndim > 2 ? b->ndim - 2 : 0;
  nbd = na > nb ? na : nb;
  for (d = 0; d < nbd; d++) {
    int64_t da = d < nbd - na ? 1 : a->shape[d - (nbd - na)];
    int64_t db = d < nbd - nb ? 1 : b->shape[d - (nbd - nb)];
    if (da != db && da != 1 && db != 1) {
      nn__fail(NN_ERR_SHAPE,
               "%s: the batch dimensions of shapes %s and %s cannot be broadcast together (%lld and %lld in batch "
               "axis %d)",
               name, nn_shape_str(a, s1, sizeof s1), nn_shape_str(b, s2, sizeof s2), (long long)da, (long long)db, d);
      return NULL;
    }
    bshape[d] = da == 1 ? db : da;
    oshape[ond++] = bshape[d];
  }
  if (a->ndim > 1) oshape[ond++] = M;
  if (b->ndim > 1) oshape[ond++] = N;
  cdt = nn_promote_types(a->dtype, b->dtype);
  if (cdt == NN_DTYPE_COUNT) {
    nn__fail(NN_ERR_DTYPE, "%s: invalid dtypes %d and %d", name, (int)a->dtype, (int)b->dtype);
    return NULL;
  }
  if (out && nn__mm_check_out(name, out, oshape, ond) != NN_OK) return NULL;
  if (a->dtype != cdt) {
    ca = nn_astype(a, cdt);
    if (!ca) goto done;
    xa = ca;
  }
  if (b->dtype != cdt) {
    cb = nn_astype(b, cdt);
    if (!cb) goto done;
    xb = cb;
  }
  memset(&job, 0, sizeof job);
  job.dt = cdt;
  job.M = M;
  job.N = N;
  job.K = K;
  job.nbd = nbd;
  job.nbatch = 1;
  for (d = 0; d < nbd; d++) {
    job.bshape[d] = bshape[d];
    job.nbatch *= bshape[d];
  }
  nn__mm_geom(&job.a, xa, 0, nbd, bshape);
  nn__mm_geom(&job.b, xb, 1, nbd, bshape);
  if (nn__is_float(cdt)) {
    /* matrices the GEMM cannot read in place (negative, zero or gapped inner strides) are copied */
    if (!nn__mm_layout(&job.a)) {
      nn_tensor *t = nn_copy(xa);
      if (!t) goto done;
      nn_free(ca);
      ca = t;
      xa = t;
      nn__mm_geom(&job.a, xa, 0, nbd, bshape);
      nn__mm_layout(&job.a);
    }
    if (!nn__mm_layout(&job.b)) {
      nn_tensor *t = nn_copy(xb);
      if (!t) goto done;
      nn_free(cb);
      cb = t;
      xb = t;
      nn__mm_geom(&job.b, xb, 1, nbd, bshape);
      nn__mm_layout(&job.b);
    }
  }
  /* write straight into out when it is contiguous, of the right dtype, and not sharing memory with an input */
  if (!(out && out->dtype == cdt && nn_is_contiguous(out) && out->storage != a->storage &&
        out->storage != b->storage)) {
    tmp = nn__new(name, cdt, oshape, ond);
    if (!tmp) goto done;
  }
  job.c = (char *)(tmp ? tmp->data : out->data);
  if (job.nbatch > 0 && M > 0 && N > 0) {
    double work = (double)M * (double)N * (double)K;
    if (nn__is_float(cdt)) {
      if (job.nbatch > 1 && work < NN__MM_BATCH_PAR) {
        job.per = (int64_t)(NN__MM_GRAIN / (work > 1 ? work : 1));
        if (job.per < 1) job.per = 1;
        nn__parallel_for((job.nbatch + job.per - 1) / job.per, nn__mm_float_chunk, &job);
      } else {
        job.per = job.nbatch;
        nn__mm_float_chunk(&job, 0);
      }
      if (job.failed) {
        nn__fail(NN_ERR_OOM, "%s: cannot allocate the packing buffers for a %lld x %lld x %lld product", name,
                 (long long)M, (long long)K, (long long)N);
        goto done;
      }
    } else {
      double row = (double)N * (double)(K > 1 ? K : 1);
      job.rows_per = (int64_t)(NN__MM_GRAIN / row);
      if (job.rows_per < 1) job.rows_per = 1;
      if (job.rows_per > M) job.rows_per = M;
      job.nrowblk = (M + job.rows_per - 1) / job.rows_per;
      nn__parallel_for(job.nbatch * job.nrowblk, nn__mm_int_chunk, &job);
    }
  }
  if (out && tmp) {
    nn__assign(out, tmp);
    nn_free(tmp);
    tmp = NULL;
  }
  res = out ? out : tmp;
  tmp = NULL;
done:
  nn_free(tmp);
  nn_free(ca);
  nn_free(cb);
  return res;
}

NNDEF nn_tensor *nn_matmul(const nn_tensor *a, const nn_tensor *b) { return nn__matmul("nn_matmul", NULL, a, b); }

NNDEF nn_status nn_matmul_out(nn_tensor *out, const nn_tensor *a, const nn_tensor *b) {
  if (!out) return nn__fail_null("nn_matmul_out", "out");
  return nn__matmul("nn_matmul_out", out, a, b) ? NN_OK : nn_last_status();
}

/* ---- np.dot, np.inner, np.outer ---- */

/* Product of the first n entries of shape. */
NN__PRIVATE int64_t nn__mm_prod(const int64_t *shape, int n) {
  int64_t p = 1;
  int i;
  for (i = 0; i < n; i++) p *= shape[i];
  return p;
}

NNDEF nn_tensor *nn_dot(const nn_tensor *a, const nn_tensor *b) {
  int64_t K, Kb, s2[2], oshape[NN_MAX_DIMS];
  int kb_axis, ond = 0, d, axes[NN_MAX_DIMS];
  nn_tensor *a2 = NULL, *bp = NULL, *b2 = NULL, *r = NULL, *res = NULL;
  char x1[160], x2[160];
  if (nn__check_cpu("nn_dot", a, "a") != NN_OK || nn__check_cpu("nn_dot", b, "b") != NN_OK) return NULL;
  if (a->ndim == 0 || b->ndim == 0) return nn_mul(a, b);
  K = a->shape[a->ndim - 1];
  kb_axis = b->ndim == 1 ? 0 : b->ndim - 2;
  Kb = b->shape[kb_axis];
  if (K != Kb) {
    nn__fail(NN_ERR_SHAPE, "nn_dot: shapes %s and %s not aligned: %lld (dim %d) != %lld (dim %d)",
             nn_shape_str(a, x1, sizeof x1), nn_shape_str(b, x2, sizeof x2), (long long)K, a->ndim - 1, (long long)Kb,
             kb_axis);
    return NULL;
  }
  if (b->ndim <= 2) return nn__matmul("nn_dot", NULL, a, b); /* same result as matmul for these shapes */
  if (a->ndim - 1 + b->ndim - 1 > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "nn_dot: the result of shapes %s and %s would have %d dimensions, more than NN_MAX_DIMS=%d",
             nn_shape_str(a, x1, sizeof x1), nn_shape_str(b, x2, sizeof x2), a->ndim + b->ndim - 2, NN_MAX_DIMS);
    return NULL;
  }
  /* a -> (A, K); b (J..., K, N) -> (K, J..., N) -> (K, J*N); result (A, J*N) -> a.shape[:-1] + J + (N,) */
  s2[0] = nn__mm_prod(a->shape, a->ndim - 1);
  s2[1] = K;
  a2 = nn_reshape(a, s2, 2);
  if (!a2) goto done;
  axes[0] = b->ndim - 2;
  for (d = 0; d < b->ndim - 2; d++) axes[d + 1] = d;
  axes[b->ndim - 1] = b->ndim - 1;
  bp = nn_permute(b, axes, b->ndim);
  if (!bp) goto done;
  s2[0] = K;
  s2[1] = nn__mm_prod(b->shape, b->ndim - 2) * b->shape[b->ndim - 1];
  b2 = nn_reshape(bp, s2, 2);
  if (!b2) goto done;
  r = nn__matmul("nn_dot", NULL, a2, b2);
  if (!r) goto done;
  for (d = 0; d < a->ndim - 1; d++) oshape[ond++] = a->shape[d];
  for (d = 0; d < b->ndim - 2; d++) oshape[ond++] = b->shape[d];
  oshape[ond++] = b->shape[b->ndim - 1];
  res = nn_reshape(r, oshape, ond);
done:
  nn_free(a2);
  nn_free(bp);
  nn_free(b2);
  nn_free(r);
  return res;
}

NNDEF nn_tensor *nn_inner(const nn_tensor *a, const nn_tensor *b) {
  int64_t K, sa[2], sb[2], oshape[NN_MAX_DIMS];
  int ond = 0, d;
  nn_tensor *a2 = NULL, *b2 = NULL, *bt = NULL, *r = NULL, *res = NULL;
  char x1[160], x2[160];
  if (nn__check_cpu("nn_inner", a, "a") != NN_OK || nn__check_cpu("nn_inner", b, "b") != NN_OK) return NULL;
  if (a->ndim == 0 || b->ndim == 0) return nn_mul(a, b);
  K = a->shape[a->ndim - 1];
  if (K != b->shape[b->ndim - 1]) {
    nn__fail(NN_ERR_SHAPE, "nn_inner: shapes %s and %s not aligned: %lld (dim %d) != %lld (dim %d)",
             nn_shape_str(a, x1, sizeof x1), nn_shape_str(b, x2, sizeof x2), (long long)K, a->ndim - 1,
             (long long)b->shape[b->ndim - 1], b->ndim - 1);
    return NULL;
  }
  if (a->ndim - 1 + b->ndim - 1 > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "nn_inner: the result of shapes %s and %s would have %d dimensions, more than NN_MAX_DIMS=%d",
             nn_shape_str(a, x1, sizeof x1), nn_shape_str(b, x2, sizeof x2), a->ndim + b->ndim - 2, NN_MAX_DIMS);
    return NULL;
  }
  /* (A, K) @ (B, K)^T -> (A, B); the transpose is a view the GEMM reads in place */
  sa[0] = nn__mm_prod(a->shape, a->ndim - 1);
  sa[1] = K;
  sb[0] = nn__mm_prod(b->shape, b->ndim - 1);
  sb[1] = K;
  a2 = nn_reshape(a, sa, 2);
  if (!a2) goto done;
  b2 = nn_reshape(b, sb, 2);
  if (!b2) goto done;
  bt = nn_transpose(b2);
  if (!bt) goto done;
  r = nn__matmul("nn_inner", NULL, a2, bt);
  if (!r) goto done;
  for (d = 0; d < a->ndim - 1; d++) oshape[ond++] = a->shape[d];
  for (d = 0; d < b->ndim - 1; d++) oshape[ond++] = b->shape[d];
  res = nn_reshape(r, oshape, ond);
done:
  nn_free(a2);
  nn_free(b2);
  nn_free(bt);
  nn_free(r);
  return res;
}

NNDEF nn_tensor *nn_outer(const nn_tensor *a, const nn_tensor *b) {
  int64_t sa[2], sb[2];
  nn_tensor *a2 = NULL, *b2 = NULL, *res = NULL;
  if (nn__check_cpu("nn_outer", a, "a") != NN_OK || nn__check_cpu("nn_outer", b, "b") != NN_OK) return NULL;
  sa[0] = a->size;
  sa[1] = 1;
  sb[0] = 1;
  sb[1] = b->size;
  a2 = nn_reshape(a, sa, 2);
  b2 = a2 ? nn_reshape(b, sb, 2) : NULL;
  if (a2 && b2) res = nn_mul(a2, b2);
  nn_free(a2);
  nn_free(b2);
  return res;
}

/* ---- np.trace ---- */

NNDEF nn_tensor *nn_trace(const nn_tensor *a) {
  int64_t n, i, st;
  nn_tensor *r;
  char s1[160];
  if (nn__check_cpu("nn_trace", a, "a") != NN_OK) return NULL;
  if (a->ndim != 2) {
    nn__fail(NN_ERR_SHAPE, "nn_trace: expected a 2-D array, got a %d-D array of shape %s", a->ndim,
             nn_shape_str(a, s1, sizeof s1));
    return NULL;
  }
  n = a->shape[0] < a->shape[1] ? a->shape[0] : a->shape[1];
  st = a->strides[0] + a->strides[1];
  r = nn__new("nn_trace", nn__is_float(a->dtype) ? a->dtype : NN_INT64, NULL, 0);
  if (!r) return NULL;
  if (nn__is_float(a->dtype)) {
    double s = 0;
    if (a->dtype == NN_FLOAT32)
      for (i = 0; i < n; i++) s += (double)((const float *)a->data)[i * st];
    else
      for (i = 0; i < n; i++) s += ((const double *)a->data)[i * st];
    nn__store(a->dtype, r->data, s);
  } else {
    uint64_t s = 0;
    switch (a->dtype) {
      case NN_INT32:
        for (i = 0; i < n; i++) s += (uint64_t)(int64_t)((const int32_t *)a->data)[i * st];
        break;
      case NN_INT64:
        for (i = 0; i < n; i++) s += (uint64_t)((const int64_t *)a->data)[i * st];
        break;
      case NN_UINT8:
        for (i = 0; i < n; i++) s += ((const uint8_t *)a->data)[i * st];
        break;
      default:
        for (i = 0; i < n; i++) s += ((const uint8_t *)a->data)[i * st] != 0;
        break;
    }
    memcpy(r->data, &s, sizeof s);
  }
  return r;
}
/* ---- end src/ops/matmul.c ---- */
#ifndef NN_NO_CONV
/* ---- begin src/ops/conv.c ---- */
/* ops/conv.c: argument checks, geometry and parallel drivers for convolution and pooling; the loops are in
   kernels/conv.c and kernels/gemm.c.

   Convolution (per group g, W_g the (Mg, Kg) slice of the weight, Kg = Cg*kh*kw, cols the im2col matrix of a block
   of output rows):   forward       y[n, g] = W_g @ cols(x[n, g])
                      input grad    dx[n, g] = col2im(W_g^T @ dy[n, g])
                      weight grad   dW_g = sum_n dy[n, g] @ cols(x[n, g])^T
   The GEMMs work on panels: several small images side by side (one GEMM for all of them), or a block of output
   rows of one large image; a 1x1 kernel with stride 1 and no padding on one image uses x itself as cols. Work is
   cut into chunks that depend only on the sizes: the forward pass over panels, the input gradient over whole
   images, the weight gradient over groups of panels, each with its own partial gradient, summed in chunk order at
   the end. GEMMs inside a chunk run on the thread that owns the chunk (the pool does not nest); when there are
   fewer chunks than threads the chunks run in turn with parallel GEMMs. Either way every result is bit-identical
   for any thread count. The scratch of a chunk is bounded by about 2 * NN__CONV_COLS elements (more only when a
   single output row needs more). */

#define NN__CONV_GRAIN (1 << 18)    /* multiply-adds per parallel chunk */
#define NN__CONV_COLS (1 << 18)     /* elements of an im2col block */
#define NN__CONV_MINPANELS 16      /* images are grouped into panels, but into no fewer than this many */
#define NN__CONV_MAXPART 32         /* most chunks (partial weight gradients) of a weight gradient */
#define NN__CONV_PARTCAP (1 << 22)  /* most elements of all partial weight gradients together */
#define NN__CONV_COPY_GRAIN (1 << 16) /* elements per chunk of im2col/col2im/pooling */
#define NN__CONV_MAXDIM ((int64_t)1 << 48)

enum { NN__CK_CONV = 0, NN__CK_MAXPOOL, NN__CK_AVGPOOL, NN__CK_COLS };

/* ---- messages ---- */

/* "(a,b)" for 2-D ops, "b" for 1-D ops (which use the second, width, entry). */
NN__PRIVATE const char *nn__conv_pair(char *buf, size_t cap, int is1d, int64_t a, int64_t b) {
  if (is1d) snprintf(buf, cap, "%lld", (long long)b);
  else snprintf(buf, cap, "(%lld,%lld)", (long long)a, (long long)b);
  return buf;
}

/* ---- geometry ---- */

/* Reads stride, padding, dilation, groups and same for a kernel of kh x kw into g; checks them. */
NN__PRIVATE nn_status nn__conv_params_read(const char *name, int is1d, int kind, int64_t kh, int64_t kw,
                                           const nn_conv_params *p, nn__conv_geom *g) {
  int64_t s[2] = {0, 0}, pd[2] = {0, 0}, d[2] = {0, 0}, groups = 0;
  int same = 0, pool = kind == NN__CK_MAXPOOL || kind == NN__CK_AVGPOOL, i;
  char b1[64], b2[64], b3[64];
  if (p) {
    if (is1d) {
      s[1] = p->stride[0];
      pd[1] = p->padding[0];
      d[1] = p->dilation[0];
    } else {
      for (i = 0; i < 2; i++) {
        s[i] = p->stride[i];
        pd[i] = p->padding[i];
        d[i] = p->dilation[i];
      }
    }
    groups = p->groups;
    same = p->same != 0;
  }
  if (s[0] < 0 || s[1] < 0 || pd[0] < 0 || pd[1] < 0 || d[0] < 0 || d[1] < 0)
    return nn__fail(NN_ERR_VALUE,
                    "%s: stride, padding and dilation must be non-negative (0 means the default), got stride=%s, "
                    "padding=%s, dilation=%s",
                    name, nn__conv_pair(b1, sizeof b1, is1d, s[0], s[1]), nn__conv_pair(b2, sizeof b2, is1d, pd[0], pd[1]),
                    nn__conv_pair(b3, sizeof b3, is1d, d[0], d[1]));
  if (groups < 0) return nn__fail(NN_ERR_VALUE, "%s: groups must be positive (0 means 1), got %lld", name, (long long)groups);
  if (kind != NN__CK_CONV && groups > 1)
    return nn__fail(NN_ERR_VALUE, "%s: groups applies to convolutions only; it must be 0 or 1, got %lld", name,
                    (long long)groups);
  if (pool && same) return nn__fail(NN_ERR_VALUE, "%s: padding='same' is not supported for pooling", name);
  for (i = 0; i < 2; i++) {
    if (s[i] == 0) s[i] = pool ? (i ? kw : kh) : 1;
    if (d[i] == 0) d[i] = 1;
  }
  if (is1d) s[0] = d[0] = 1;
  if (same && (s[0] != 1 || s[1] != 1))
    return nn__fail(NN_ERR_VALUE, "%s: padding='same' is not supported for strided convolutions (stride=%s)", name,
                    nn__conv_pair(b1, sizeof b1, is1d, s[0], s[1]));
  if (same && (pd[0] != 0 || pd[1] != 0))
    return nn__fail(NN_ERR_VALUE, "%s: padding='same' cannot be combined with explicit padding=%s", name,
                    nn__conv_pair(b1, sizeof b1, is1d, pd[0], pd[1]));
  if (pool && (pd[0] > kh / 2 || pd[1] > kw / 2))
    return nn__fail(NN_ERR_VALUE, "%s: pad should be at most half of kernel size, but got padding=%s and kernel size %s",
                    name, nn__conv_pair(b1, sizeof b1, is1d, pd[0], pd[1]), nn__conv_pair(b2, sizeof b2, is1d, kh, kw));
  if (kind == NN__CK_AVGPOOL && (d[0] != 1 || d[1] != 1))
    return nn__fail(NN_ERR_VALUE, "%s: average pooling has no dilation; it must be 0 or 1, got dilation=%s", name,
                    nn__conv_pair(b1, sizeof b1, is1d, d[0], d[1]));
  if ((double)d[0] * (double)(kh - 1) > (double)NN__CONV_MAXDIM || (double)d[1] * (double)(kw - 1) > (double)NN__CONV_MAXDIM)
    return nn__fail(NN_ERR_VALUE, "%s: the dilated kernel is too large (kernel %s, dilation %s)", name,
                    nn__conv_pair(b1, sizeof b1, is1d, kh, kw), nn__conv_pair(b2, sizeof b2, is1d, d[0], d[1]));
  g->kh = kh;
  g->kw = kw;
  g->sh = s[0];
  g->sw = s[1];
  g->dh = d[0];
  g->dw = d[1];
  if (same) {
    int64_t th = d[0] * (kh - 1), tw = d[1] * (kw - 1);
    g->pt = th / 2;
    g->pb = th - g->pt;
    g->pl = tw / 2;
    g->pr = tw - g->pl;
  } else {
    g->pt = g->pb = pd[0];
    g->pl = g->pr = pd[1];
  }
  g->G = groups > 0 ? groups : 1;
  return NN_OK;
}

/* Checks a user-given shape of nd sizes: NULL, negative or absurd sizes, and an empty channel or spatial axis. */
NN__PRIVATE nn_status nn__conv_check_sizes(const char *name, const char *what, const int64_t *s, int nd) {
  char b[160];
  int i;
  if (!s) return nn__fail_null(name, what);
  for (i = 0; i < nd; i++)
    if (s[i] < 0 || s[i] > NN__CONV_MAXDIM)
      return nn__fail(NN_ERR_SHAPE, "%s: %s %s has an invalid size in axis %d", name, what,
                      nn__fmt_shape(b, sizeof b, s, nd), i);
  for (i = 1; i < nd; i++)
    if (s[i] == 0)
      return nn__fail(NN_ERR_SHAPE, "%s: expected %s with non-zero sizes in every axis but the batch axis, got %s", name,
                      what, nn__fmt_shape(b, sizeof b, s, nd));
  return NN_OK;
}

/* Output size from the input size (g->H, g->W, padding, kernel, dilation, stride). extra names the kernel's origin. */
NN__PRIVATE nn_status nn__conv_out_size(const char *name, int is1d, const int64_t *xs, int nd, nn__conv_geom *g,
                                        const char *extra) {
  int64_t eh = g->dh * (g->kh - 1) + 1, ew = g->dw * (g->kw - 1) + 1;
  int64_t ph = g->H + g->pt + g->pb, pw = g->W + g->pl + g->pr;
  char b0[160], b1[64], b2[64];
  if (ph < eh || pw < ew)
    return nn__fail(NN_ERR_SHAPE, "%s: the output would be empty: input %s, padded to %s, is smaller than the %skernel %s%s",
                    name, nn__fmt_shape(b0, sizeof b0, xs, nd), nn__conv_pair(b1, sizeof b1, is1d, ph, pw),
                    (g->dh > 1 || g->dw > 1) ? "dilated " : "", nn__conv_pair(b2, sizeof b2, is1d, eh, ew), extra);
  g->Ho = (ph - eh) / g->sh + 1;
  g->Wo = (pw - ew) / g->sw + 1;
  return NN_OK;
}

/* The geometry of a convolution of an input of shape xs with a weight of shape ws (user shapes: 3 or 4 sizes). */
NN__PRIVATE nn_status nn__conv_setup(const char *name, int is1d, const int64_t *xs, const int64_t *ws,
                                     const nn_conv_params *p, nn__conv_geom *g) {
  int nd = is1d ? 3 : 4;
  int64_t x4[4], w4[4];
  char b1[160], b2[160], b3[400];
  memset(g, 0, sizeof *g);
  if (nn__conv_check_sizes(name, "weight", ws, nd) != NN_OK) return nn_last_status();
  if (ws[0] == 0)
    return nn__fail(NN_ERR_SHAPE, "%s: expected a weight with at least one output channel, got weight %s", name,
                    nn__fmt_shape(b1, sizeof b1, ws, nd));
  x4[0] = xs[0];
  x4[1] = xs[1];
  w4[0] = ws[0];
  w4[1] = ws[1];
  x4[2] = is1d ? 1 : xs[2];
  x4[3] = xs[nd - 1];
  w4[2] = is1d ? 1 : ws[2];
  w4[3] = ws[nd - 1];
  if (nn__conv_params_read(name, is1d, NN__CK_CONV, w4[2], w4[3], p, g) != NN_OK) return nn_last_status();
  nn__fmt_shape(b2, sizeof b2, ws, nd);
  if (w4[0] % g->G != 0)
    return nn__fail(NN_ERR_SHAPE, "%s: groups %lld must divide the output channels, got weight %s", name,
                    (long long)g->G, b2);
  if (w4[1] > NN__CONV_MAXDIM / g->G || x4[1] != w4[1] * g->G)
    return nn__fail(NN_ERR_SHAPE, "%s: expected input with %lld channels (weight %s, groups %lld), got input %s", name,
                    (long long)(w4[1] * g->G), b2, (long long)g->G, nn__fmt_shape(b1, sizeof b1, xs, nd));
  if (nn__conv_check_sizes(name, "input", xs, nd) != NN_OK) return nn_last_status();
  g->N = x4[0];
  g->C = x4[1];
  g->H = x4[2];
  g->W = x4[3];
  g->Co = w4[0];
  g->Cg = w4[1];
  g->Mg = w4[0] / g->G;
  snprintf(b3, sizeof b3, " (weight %s, dilation %s)", b2, nn__conv_pair(b1, sizeof b1, is1d, g->dh, g->dw));
  return nn__conv_out_size(name, is1d, xs, nd, g, b3);
}

/* Checks that t is a tensor of nd dimensions; what describes the expected layout, e.g. "input (N, C, H, W)". */
NN__PRIVATE nn_status nn__conv_check_ndim(const char *name, const nn_tensor *t, int nd, const char *arg,
                                          const char *layout) {
  char b[160];
  if (nn__check_cpu(name, t, arg) != NN_OK) return nn_last_status();
  if (t->ndim != nd)
    return nn__fail(NN_ERR_SHAPE, "%s: expected a %d-D %s %s, got %s of shape %s", name, nd, arg, layout, arg,
                    nn_shape_str(t, b, sizeof b));
  return NN_OK;
}

/* Checks that t is float32/float64 and, if ref != NULL, has ref's dtype. */
NN__PRIVATE nn_status nn__conv_check_dtype(const char *name, const nn_tensor *t, const char *arg, const nn_tensor *ref,
                                           const char *refarg) {
  if (!nn__is_float(t->dtype))
    return nn__fail(NN_ERR_DTYPE, "%s: unsupported dtype %s for %s (float32 and float64 only)", name,
                    nn_dtype_name(t->dtype), arg);
  if (ref && ref->dtype != t->dtype)
    return nn__fail(NN_ERR_DTYPE, "%s: %s dtype (%s) and %s dtype (%s) should be the same", name, refarg,
                    nn_dtype_name(ref->dtype), arg, nn_dtype_name(t->dtype));
  return NN_OK;
}

/* The data of t in row-major order: t's own when contiguous, else a copy in *tmp (freed by the caller). */
NN__PRIVATE const void *nn__conv_data(const char *name, const nn_tensor *t, nn_tensor **tmp) {
  *tmp = NULL;
  if (nn_is_contiguous(t)) return t->data;
  *tmp = nn__new(name, t->dtype, t->shape, t->ndim);
  if (!*tmp) return NULL;
  nn__assign(*tmp, t);
  return (*tmp)->data;
}

/* Checks that dy has exactly the shape (N, Co, Ho, Wo) (or (N, Co, Wo) for 1-D). */
NN__PRIVATE nn_status nn__conv_check_dy(const char *name, int is1d, const nn_tensor *dy, const nn__conv_geom *g,
                                        const char *what) {
  int64_t e[4];
  int nd = is1d ? 3 : 4, i, ok = dy->ndim == nd;
  char b1[160], b2[160];
  e[0] = g->N;
  e[1] = g->Co;
  e[2] = is1d ? g->Wo : g->Ho;
  e[3] = g->Wo;
  for (i = 0; ok && i < nd; i++) ok = dy->shape[i] == e[i];
  if (!ok)
    return nn__fail(NN_ERR_SHAPE, "%s: expected dy of shape %s (the output of %s), got %s", name,
                    nn__fmt_shape(b1, sizeof b1, e, nd), what, nn_shape_str(dy, b2, sizeof b2));
  return NN_OK;
}

/* ---- convolution drivers ---- */

typedef struct nn__conv_job {
  nn__conv_geom g;
  const void *x, *w, *b, *dy; /* contiguous inputs (b may be NULL) */
  void *y;                    /* forward output, input gradient, or weight gradient */
  void *part;                 /* weight gradient: per-chunk partials (wsize each), or NULL to write y directly */
  double *dbp;                /* weight gradient: per-chunk bias partials (Co each), or NULL */
  int direct;                 /* x is its own im2col matrix (1x1 kernel, stride 1, no padding) */
  int64_t nb;                 /* images per panel (1: a panel is a block of rb output rows of one image) */
  int64_t rb, nblk;           /* output rows per block, blocks per image */
  int64_t npanel;             /* panels: nb == 1 ? N * nblk : ceil(N / nb) */
  int64_t per, n;             /* units per chunk, units */
  int64_t wsize;
  unsigned char *fail;        /* per chunk: a scratch allocation failed */
} nn__conv_job;

/* Panel u: images [*n0, *n0 + *cnt), output rows [*oh0, *oh1) of each. */
NN__PRIVATE void nn__conv_panel(const nn__conv_job *j, int64_t u, int64_t *n0, int64_t *cnt, int64_t *oh0,
                                int64_t *oh1) {
  if (j->nb == 1) {
    int64_t blk = u % j->nblk;
    *n0 = u / j->nblk;
    *cnt = 1;
    *oh0 = blk * j->rb;
    *oh1 = *oh0 + j->rb < j->g.Ho ? *oh0 + j->rb : j->g.Ho;
  } else {
    *n0 = u * j->nb;
    *cnt = j->g.N - *n0 < j->nb ? j->g.N - *n0 : j->nb;
    *oh0 = 0;
    *oh1 = j->g.Ho;
  }
}

/* Scratch of a chunk: the im2col matrix of a panel (Kg x cols) and, for panels of several images, a matrix of Mg x
   cols (the forward GEMM's result before it is scattered to the images, or dy gathered from them). */
#define NN__CONV_SCRATCH(T)                                                                                    \
  int64_t L = g->Ho * g->Wo, Kg = g->Cg * g->kh * g->kw, HW = g->H * g->W, maxcols = j->nb * j->rb * g->Wo;   \
  T *cols = NULL, *tmp = NULL;                                                                                 \
  if (!j->direct || j->nb > 1) {                                                                               \
    cols = (T *)nn__alloc((size_t)(Kg * maxcols) * sizeof(T));                                                 \
    if (j->nb > 1) tmp = (T *)nn__alloc((size_t)(g->Mg * maxcols) * sizeof(T));                                \
    if (!cols || (j->nb > 1 && !tmp)) {                                                                        \
      nn__dealloc(cols);                                                                                       \
      nn__dealloc(tmp);                                                                                        \
      j->fail[c] = 1;                                                                                          \
      return;                                                                                                  \
    }                                                                                                          \
  }

#define NN__CONV_DRIVERS_DEFINE(S, T)                                                                          \
  /* The im2col matrix of group gi of a panel: x itself for a 1x1 kernel on one image, else built in cols. */  \
  NN__PRIVATE const T *nn__conv_cols_##S(const nn__conv_job *j, int64_t gi, int64_t n0, int64_t cnt,            \
                                         int64_t oh0, int64_t oh1, T *cols, int64_t *ld) {                     \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t HW = g->H * g->W, lb = (oh1 - oh0) * g->Wo, b;                                                     \
    if (j->direct && cnt == 1) {                                                                               \
      *ld = HW;                                                                                                \
      return (const T *)j->x + (n0 * g->C + gi * g->Cg) * HW + oh0 * g->Wo;                                    \
    }                                                                                                          \
    *ld = cnt * lb;                                                                                            \
    for (b = 0; b < cnt; b++)                                                                                  \
      nn__im2col_##S(g, (const T *)j->x + ((n0 + b) * g->C + gi * g->Cg) * HW, g->Cg, oh0, oh1, cols + b * lb, \
                     cnt * lb);                                                                                \
    return cols;                                                                                               \
  }                                                                                                            \
                                                                                                               \
  /* dy of group gi of a panel as an Mg x cols matrix: dy itself for one image, else gathered into tmp. */     \
  NN__PRIVATE const T *nn__conv_dy_##S(const nn__conv_job *j, int64_t gi, int64_t n0, int64_t cnt, int64_t oh0, \
                                       int64_t oh1, T *tmp, int64_t *ld) {                                     \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t L = g->Ho * g->Wo, lb = (oh1 - oh0) * g->Wo, b, m;                                                 \
    if (cnt == 1) {                                                                                            \
      *ld = L;                                                                                                 \
      return (const T *)j->dy + (n0 * g->Co + gi * g->Mg) * L + oh0 * g->Wo;                                   \
    }                                                                                                          \
    *ld = cnt * lb;                                                                                            \
    for (m = 0; m < g->Mg; m++)                                                                                \
      for (b = 0; b < cnt; b++)                                                                                \
        memcpy(tmp + m * cnt * lb + b * lb, (const T *)j->dy + ((n0 + b) * g->Co + gi * g->Mg + m) * L,        \
               (size_t)lb * sizeof(T));                                                                        \
    return tmp;                                                                                                \
  }                                                                                                            \
                                                                                                               \
  NN__PRIVATE void nn__conv_fwd_chunk_##S(void *vctx, int64_t c) {                                             \
    const nn__conv_job *j = (const nn__conv_job *)vctx;                                                        \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t u, u1 = (c + 1) * j->per < j->n ? (c + 1) * j->per : j->n;                                         \
    NN__CONV_SCRATCH(T)                                                                                        \
    (void)HW;                                                                                                  \
    for (u = c * j->per; u < u1; u++) {                                                                        \
      int64_t n0, cnt, oh0, oh1, lb, ncols, gi, b, m, q, ldb;                                                  \
      nn__conv_panel(j, u, &n0, &cnt, &oh0, &oh1);                                                             \
      lb = (oh1 - oh0) * g->Wo;                                                                                \
      ncols = cnt * lb;                                                                                        \
      for (gi = 0; gi < g->G; gi++) {                                                                          \
        const T *B = nn__conv_cols_##S(j, gi, n0, cnt, oh0, oh1, cols, &ldb);                                  \
        const T *bias = j->b ? (const T *)j->b + gi * g->Mg : NULL;                                            \
        T *y1 = (T *)j->y + (n0 * g->Co + gi * g->Mg) * L + oh0 * g->Wo;                                       \
        T *dst = cnt == 1 ? y1 : tmp;                                                                          \
        int64_t ldc = cnt == 1 ? L : ncols;                                                                    \
        if (nn__##S##gemm_kernel(0, 0, g->Mg, ncols, Kg, (T)1, (const T *)j->w + gi * g->Mg * Kg, Kg, B, ldb,   \
                                 (T)0, dst, ldc) != 0) {                                                       \
          j->fail[c] = 1;                                                                                      \
          goto done;                                                                                           \
        }                                                                                                      \
        for (m = 0; m < g->Mg; m++) {                                                                          \
          T bm = bias ? bias[m] : (T)0;                                                                        \
          for (b = 0; b < cnt; b++) {                                                                          \
            T *yr = y1 + (b * g->Co + m) * L;                                                                  \
            const T *tr = dst + m * ldc + b * lb;                                                              \
            if (cnt == 1) {                                                                                    \
              if (bias)                                                                                        \
                for (q = 0; q < lb; q++) yr[q] += bm;                                                          \
            } else if (bias) {                                                                                 \
              for (q = 0; q < lb; q++) yr[q] = tr[q] + bm;                                                     \
            } else {                                                                                           \
              memcpy(yr, tr, (size_t)lb * sizeof(T));                                                          \
            }                                                                                                  \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  done:                                                                                                        \
    nn__dealloc(cols);                                                                                         \
    nn__dealloc(tmp);                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Units are whole images (nb == 1: all the row blocks of one image) since col2im adds into them. */         \
  NN__PRIVATE void nn__conv_bwd_input_chunk_##S(void *vctx, int64_t c) {                                       \
    const nn__conv_job *j = (const nn__conv_job *)vctx;                                                        \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t u, u1 = (c + 1) * j->per < j->n ? (c + 1) * j->per : j->n;                                         \
    int64_t ppu = j->nb == 1 ? j->nblk : 1; /* panels per unit */                                              \
    NN__CONV_SCRATCH(T)                                                                                        \
    (void)L;                                                                                                   \
    for (u = c * j->per; u < u1; u++) {                                                                        \
      int64_t pn, n0, cnt, oh0, oh1, gi, b, ldb;                                                               \
      nn__conv_panel(j, u * ppu, &n0, &cnt, &oh0, &oh1);                                                       \
      if (!j->direct || cnt > 1) memset((T *)j->y + n0 * g->C * HW, 0, (size_t)(cnt * g->C * HW) * sizeof(T)); \
      for (pn = u * ppu; pn < (u + 1) * ppu; pn++) {                                                           \
        int64_t lb, ncols;                                                                                     \
        nn__conv_panel(j, pn, &n0, &cnt, &oh0, &oh1);                                                          \
        lb = (oh1 - oh0) * g->Wo;                                                                              \
        ncols = cnt * lb;                                                                                      \
        for (gi = 0; gi < g->G; gi++) {                                                                        \
          const T *dyb = nn__conv_dy_##S(j, gi, n0, cnt, oh0, oh1, tmp, &ldb);                                 \
          T *dx1 = (T *)j->y + (n0 * g->C + gi * g->Cg) * HW;                                                  \
          int into_dx = j->direct && cnt == 1;                                                                 \
          if (nn__##S##gemm_kernel(1, 0, Kg, ncols, g->Mg, (T)1, (const T *)j->w + gi * g->Mg * Kg, Kg, dyb,    \
                                   ldb, (T)0, into_dx ? dx1 + oh0 * g->Wo : cols, into_dx ? HW : ncols) != 0) { \
            j->fail[c] = 1;                                                                                    \
            goto done;                                                                                         \
          }                                                                                                    \
          if (!into_dx)                                                                                        \
            for (b = 0; b < cnt; b++)                                                                          \
              nn__col2im_##S(g, cols + b * lb, ncols, g->Cg, oh0, oh1, dx1 + b * g->C * HW);                   \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  done:                                                                                                        \
    nn__dealloc(cols);                                                                                         \
    nn__dealloc(tmp);                                                                                          \
  }                                                                                                            \
                                                                                                               \
  NN__PRIVATE void nn__conv_bwd_weight_chunk_##S(void *vctx, int64_t c) {                                      \
    const nn__conv_job *j = (const nn__conv_job *)vctx;                                                        \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t u, u0 = c * j->per, u1 = (c + 1) * j->per < j->n ? (c + 1) * j->per : j->n;                        \
    T *dw = j->part ? (T *)j->part + c * j->wsize : (T *)j->y;                                                 \
    double *db = j->dbp ? j->dbp + c * j->g.Co : NULL;                                                         \
    NN__CONV_SCRATCH(T)                                                                                        \
    (void)HW;                                                                                                  \
    if (db) memset(db, 0, (size_t)g->Co * sizeof(double));                                                     \
    for (u = u0; u < u1; u++) {                                                                                \
      int64_t n0, cnt, oh0, oh1, lb, ncols, gi, b, co, q, lda, ldb;                                            \
      nn__conv_panel(j, u, &n0, &cnt, &oh0, &oh1);                                                             \
      lb = (oh1 - oh0) * g->Wo;                                                                                \
      ncols = cnt * lb;                                                                                        \
      for (gi = 0; gi < g->G; gi++) {                                                                          \
        const T *A = nn__conv_dy_##S(j, gi, n0, cnt, oh0, oh1, tmp, &lda);                                     \
        const T *B = nn__conv_cols_##S(j, gi, n0, cnt, oh0, oh1, cols, &ldb);                                  \
        if (nn__##S##gemm_kernel(0, 1, g->Mg, Kg, ncols, (T)1, A, lda, B, ldb, u == u0 ? (T)0 : (T)1,           \
                                 dw + gi * g->Mg * Kg, Kg) != 0) {                                             \
          j->fail[c] = 1;                                                                                      \
          goto done;                                                                                           \
        }                                                                                                      \
      }                                                                                                        \
      if (db) {                                                                                                \
        for (b = 0; b < cnt; b++) {                                                                            \
          for (co = 0; co < g->Co; co++) {                                                                     \
            const T *r = (const T *)j->dy + ((n0 + b) * g->Co + co) * L + oh0 * g->Wo;                         \
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                             \
            for (q = 0; q + 4 <= lb; q += 4) {                                                                 \
              s0 += r[q];                                                                                      \
              s1 += r[q + 1];                                                                                  \
              s2 += r[q + 2];                                                                                  \
              s3 += r[q + 3];                                                                                  \
            }                                                                                                  \
            for (; q < lb; q++) s0 += r[q];                                                                    \
            db[co] += (s0 + s1) + (s2 + s3);                                                                   \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  done:                                                                                                        \
    nn__dealloc(cols);                                                                                         \
    nn__dealloc(tmp);                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* dw = sum of the partials, in chunk order. */                                                              \
  NN__PRIVATE void nn__conv_sum_parts_##S(const nn__conv_job *j, int64_t nch) {                                \
    T *dw = (T *)j->y;                                                                                         \
    const T *pp = (const T *)j->part;                                                                          \
    int64_t i, c;                                                                                              \
    for (i = 0; i < j->wsize; i++) dw[i] = pp[i];                                                              \
    for (c = 1; c < nch; c++) {                                                                                \
      const T *pc = pp + c * j->wsize;                                                                         \
      for (i = 0; i < j->wsize; i++) dw[i] += pc[i];                                                           \
    }                                                                                                          \
  }

NN__CONV_DRIVERS_DEFINE(s, float)
NN__CONV_DRIVERS_DEFINE(d, double)

/* Units per chunk for `work` multiply-adds per unit. */
NN__PRIVATE int64_t nn__conv_per(double work) {
  double per = (double)NN__CONV_GRAIN / (work > 1 ? work : 1);
  return per < 1 ? 1 : (int64_t)per;
}

/* Panels (images per panel, or row blocks of one image), the 1x1 shortcut and the weight size. Small images are
   grouped nb to a panel, so that one GEMM covers several images (the weight is packed once for them and the GEMM
   gets wider, for the price of copying its result out to the images or dy in), as many as fit NN__CONV_COLS
   elements in the panel's im2col and Mg x cols matrices, but into no fewer than NN__CONV_MINPANELS panels when the
   batch allows; an image whose im2col matrix exceeds NN__CONV_COLS / 2 elements is cut into blocks of rows instead
   (a 1x1 convolution then reads x in place, with no im2col copy). */
NN__PRIVATE void nn__conv_plan(nn__conv_job *j) {
  const nn__conv_geom *g = &j->g;
  int64_t Kg = g->Cg * g->kh * g->kw;
  double row = (double)Kg * (double)g->Wo, img = row * (double)g->Ho;
  j->direct = g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 && g->pb == 0 &&
              g->pr == 0;
  j->wsize = g->Co * Kg;
  if (img * 2 > NN__CONV_COLS) {
    j->nb = 1;
    j->rb = row >= NN__CONV_COLS ? 1 : (int64_t)(NN__CONV_COLS / (row > 1 ? row : 1));
    if (j->rb > g->Ho) j->rb = g->Ho;
    if (j->rb < 1) j->rb = 1;
  } else {
    int64_t most = (g->N + NN__CONV_MINPANELS - 1) / NN__CONV_MINPANELS;
    double out = (double)g->Mg * (double)(g->Ho * g->Wo); /* the Mg x cols matrix of the panel is bounded too */
    j->nb = (int64_t)(NN__CONV_COLS / (img > out ? (img > 1 ? img : 1) : out));
    if (j->nb > most) j->nb = most;
    if (j->nb < 1) j->nb = 1;
    j->rb = g->Ho;
  }
  j->nblk = (g->Ho + j->rb - 1) / j->rb;
  j->npanel = j->nb == 1 ? g->N * j->nblk : (g->N + j->nb - 1) / j->nb;
}

/* Runs the chunks: in parallel, or, when there are too few of them to keep the threads busy, one after the other
   on this thread so that the GEMMs inside run in parallel. The results are the same either way. */
NN__PRIVATE void nn__conv_run(int64_t nch, nn__task_fn fn, void *job) {
  int64_t c;
  if (nch * 2 <= nn_get_num_threads()) {
    for (c = 0; c < nch; c++) fn(job, c);
  } else {
    nn__parallel_for(nch, fn, job);
  }
}

/* Zeroed per-chunk failure flags; NULL with an error. */
NN__PRIVATE unsigned char *nn__conv_flags(const char *name, int64_t nch) {
  unsigned char *f = (unsigned char *)nn__xalloc(name, (size_t)(nch > 0 ? nch : 1));
  if (f) memset(f, 0, (size_t)(nch > 0 ? nch : 1));
  return f;
}

NN__PRIVATE int nn__conv_any_failed(const unsigned char *f, int64_t nch) {
  int64_t c;
  for (c = 0; c < nch; c++)
    if (f[c]) return 1;
  return 0;
}

NN__PRIVATE nn_tensor *nn__conv_forward(const char *name, int is1d, const nn_tensor *x, const nn_tensor *w,
                                        const nn_tensor *b, const nn_conv_params *p) {
  int nd = is1d ? 3 : 4;
  nn__conv_geom g;
  nn__conv_job j;
  nn_tensor *tx = NULL, *tw = NULL, *tb = NULL, *y = NULL, *res = NULL;
  int64_t ys[4], nch;
  char b1[160];
  if (nn__conv_check_ndim(name, x, nd, "input", is1d ? "(N, C_in, L)" : "(N, C_in, H, W)") != NN_OK ||
      nn__conv_check_ndim(name, w, nd, "weight", is1d ? "(C_out, C_in/groups, k)" : "(C_out, C_in/groups, kH, kW)") !=
          NN_OK)
    return NULL;
  if (nn__conv_check_dtype(name, x, "input", NULL, NULL) != NN_OK ||
      nn__conv_check_dtype(name, w, "weight", x, "input") != NN_OK)
    return NULL;
  if (b && (nn__check_cpu(name, b, "bias") != NN_OK || nn__conv_check_dtype(name, b, "bias", x, "input") != NN_OK))
    return NULL;
  if (nn__conv_setup(name, is1d, x->shape, w->shape, p, &g) != NN_OK) return NULL;
  if (b && (b->ndim != 1 || b->shape[0] != g.Co)) {
    nn__fail(NN_ERR_SHAPE, "%s: expected bias of shape (%lld,) (one per output channel), got bias of shape %s", name,
             (long long)g.Co, nn_shape_str(b, b1, sizeof b1));
    return NULL;
  }
  memset(&j, 0, sizeof j);
  j.g = g;
  j.x = nn__conv_data(name, x, &tx);
  j.w = nn__conv_data(name, w, &tw);
  j.b = b ? nn__conv_data(name, b, &tb) : NULL;
  if (!j.x || !j.w || (b && !j.b)) goto done;
  ys[0] = g.N;
  ys[1] = g.Co;
  ys[2] = is1d ? g.Wo : g.Ho;
  ys[3] = g.Wo;
  y = nn__new(name, x->dtype, ys, nd);
  if (!y) goto done;
  j.y = y->data;
  nn__conv_plan(&j);
  j.n = j.npanel;
  j.per = nn__conv_per((double)g.Co * (double)(g.Cg * g.kh * g.kw) * (double)(j.nb * j.rb * g.Wo));
  nch = (j.n + j.per - 1) / j.per;
  j.fail = nn__conv_flags(name, nch);
  if (!j.fail) goto done;
  nn__conv_run(nch, x->dtype == NN_FLOAT64 ? nn__conv_fwd_chunk_d : nn__conv_fwd_chunk_s, &j);
  if (nn__conv_any_failed(j.fail, nch)) {
    nn__fail(NN_ERR_OOM, "%s: cannot allocate the im2col and GEMM scratch buffers", name);
    goto done;
  }
  res = y;
done:
  nn__dealloc(j.fail);
  if (!res) nn_free(y);
  nn_free(tx);
  nn_free(tw);
  nn_free(tb);
  return res;
}

NN__PRIVATE nn_tensor *nn__conv_backward_input(const char *name, int is1d, const nn_tensor *dy, const nn_tensor *w,
                                               const int64_t *x_shape, const nn_conv_params *p) {
  int nd = is1d ? 3 : 4;
  nn__conv_geom g;
  nn__conv_job j;
  nn_tensor *tdy = NULL, *tw = NULL, *dx = NULL, *res = NULL;
  int64_t nch;
  char what[400], b1[160], b2[160];
  if (nn__conv_check_ndim(name, dy, nd, "dy", is1d ? "(N, C_out, L_out)" : "(N, C_out, H_out, W_out)") != NN_OK ||
      nn__conv_check_ndim(name, w, nd, "weight", is1d ? "(C_out, C_in/groups, k)" : "(C_out, C_in/groups, kH, kW)") !=
          NN_OK)
    return NULL;
  if (nn__conv_check_dtype(name, dy, "dy", NULL, NULL) != NN_OK ||
      nn__conv_check_dtype(name, w, "weight", dy, "dy") != NN_OK)
    return NULL;
  if (!x_shape) {
    nn__fail_null(name, "x_shape");
    return NULL;
  }
  if (nn__conv_check_sizes(name, "x_shape", x_shape, nd) != NN_OK) return NULL;
  if (nn__conv_setup(name, is1d, x_shape, w->shape, p, &g) != NN_OK) return NULL;
  snprintf(what, sizeof what, "an input %s and weight %s", nn__fmt_shape(b1, sizeof b1, x_shape, nd),
           nn_shape_str(w, b2, sizeof b2));
  if (nn__conv_check_dy(name, is1d, dy, &g, what) != NN_OK) return NULL;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.dy = nn__conv_data(name, dy, &tdy);
  j.w = nn__conv_data(name, w, &tw);
  if (!j.dy || !j.w) goto done;
  dx = nn__new(name, dy->dtype, x_shape, nd);
  if (!dx) goto done;
  j.y = dx->data;
  nn__conv_plan(&j);
  j.n = j.nb == 1 ? g.N : j.npanel; /* whole images */
  j.per = nn__conv_per((double)g.Co * (double)(g.Cg * g.kh * g.kw) * (double)(j.nb * g.Ho * g.Wo));
  nch = (j.n + j.per - 1) / j.per;
  j.fail = nn__conv_flags(name, nch);
  if (!j.fail) goto done;
  nn__conv_run(nch, dy->dtype == NN_FLOAT64 ? nn__conv_bwd_input_chunk_d : nn__conv_bwd_input_chunk_s, &j);
  if (nn__conv_any_failed(j.fail, nch)) {
    nn__fail(NN_ERR_OOM, "%s: cannot allocate the im2col and GEMM scratch buffers", name);
    goto done;
  }
  res = dx;
done:
  nn__dealloc(j.fail);
  if (!res) nn_free(dx);
  nn_free(tdy);
  nn_free(tw);
  return res;
}

NN__PRIVATE nn_tensor *nn__conv_backward_weight(const char *name, int is1d, const nn_tensor *dy, const nn_tensor *x,
                                                const int64_t *w_shape, const nn_conv_params *p, nn_tensor **db) {
  int nd = is1d ? 3 : 4, f64;
  nn__conv_geom g;
  nn__conv_job j;
  nn_tensor *tdy = NULL, *tx = NULL, *dw = NULL, *dbt = NULL, *res = NULL;
  int64_t nch, cap, c, co;
  double work;
  char what[400], b1[160], b2[160];
  if (db) *db = NULL;
  if (nn__conv_check_ndim(name, dy, nd, "dy", is1d ? "(N, C_out, L_out)" : "(N, C_out, H_out, W_out)") != NN_OK ||
      nn__conv_check_ndim(name, x, nd, "input", is1d ? "(N, C_in, L)" : "(N, C_in, H, W)") != NN_OK)
    return NULL;
  if (nn__conv_check_dtype(name, dy, "dy", NULL, NULL) != NN_OK ||
      nn__conv_check_dtype(name, x, "input", dy, "dy") != NN_OK)
    return NULL;
  if (!w_shape) {
    nn__fail_null(name, "w_shape");
    return NULL;
  }
  if (nn__conv_setup(name, is1d, x->shape, w_shape, p, &g) != NN_OK) return NULL;
  snprintf(what, sizeof what, "an input %s and weight %s", nn_shape_str(x, b1, sizeof b1),
           nn__fmt_shape(b2, sizeof b2, w_shape, nd));
  if (nn__conv_check_dy(name, is1d, dy, &g, what) != NN_OK) return NULL;
  f64 = dy->dtype == NN_FLOAT64;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.dy = nn__conv_data(name, dy, &tdy);
  j.x = nn__conv_data(name, x, &tx);
  if (!j.dy || !j.x) goto done;
  dw = nn__new(name, dy->dtype, w_shape, nd);
  if (!dw) goto done;
  if (db) {
    dbt = nn__new(name, dy->dtype, &g.Co, 1);
    if (!dbt) goto done;
  }
  j.y = dw->data;
  nn__conv_plan(&j);
  j.n = j.npanel;
  /* chunks: at most one per panel, NN__CONV_MAXPART, one per NN__CONV_GRAIN of work, and PARTCAP of partials */
  work = (double)g.N * (double)g.Co * (double)(g.Cg * g.kh * g.kw) * (double)(g.Ho * g.Wo);
  nch = j.n < NN__CONV_MAXPART ? j.n : NN__CONV_MAXPART;
  if (work < (double)nch * NN__CONV_GRAIN) nch = (int64_t)(work / NN__CONV_GRAIN);
  cap = NN__CONV_PARTCAP / j.wsize;
  if (nch > cap) nch = cap;
  if (nch < 1) nch = 1;
  j.per = (j.n + nch - 1) / nch;
  if (j.per < 1) j.per = 1;
  nch = (j.n + j.per - 1) / j.per;
  if (nch == 0) { /* empty batch: zero gradients */
    memset(dw->data, 0, (size_t)j.wsize * nn_dtype_size(dw->dtype));
    if (dbt) memset(dbt->data, 0, (size_t)g.Co * nn_dtype_size(dbt->dtype));
    res = dw;
    goto done;
  }
  j.fail = nn__conv_flags(name, nch);
  if (!j.fail) goto done;
  if (nch > 1) {
    j.part = nn__xalloc(name, (size_t)(nch * j.wsize) * nn_dtype_size(dw->dtype));
    if (!j.part) goto done;
  }
  if (dbt) {
    j.dbp = (double *)nn__xalloc(name, (size_t)(nch * g.Co) * sizeof(double));
    if (!j.dbp) goto done;
  }
  nn__conv_run(nch, f64 ? nn__conv_bwd_weight_chunk_d : nn__conv_bwd_weight_chunk_s, &j);
  if (nn__conv_any_failed(j.fail, nch)) {
    nn__fail(NN_ERR_OOM, "%s: cannot allocate the im2col and GEMM scratch buffers", name);
    goto done;
  }
  if (j.part) {
    if (f64) nn__conv_sum_parts_d(&j, nch);
    else nn__conv_sum_parts_s(&j, nch);
  }
  if (dbt) {
    for (co = 0; co < g.Co; co++) {
      double s = 0;
      for (c = 0; c < nch; c++) s += j.dbp[c * g.Co + co];
      if (f64) ((double *)dbt->data)[co] = s;
      else ((float *)dbt->data)[co] = (float)s;
    }
  }
  res = dw;
done:
  nn__dealloc(j.fail);
  nn__dealloc(j.part);
  nn__dealloc(j.dbp);
  nn_free(tdy);
  nn_free(tx);
  if (!res) {
    nn_free(dw);
    nn_free(dbt);
  } else if (db) {
    *db = dbt;
  }
  return res;
}

NNDEF nn_tensor *nn_conv2d(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b, const nn_conv_params *p) {
  return nn__conv_forward("nn_conv2d", 0, x, w, b, p);
}
NNDEF nn_tensor *nn_conv1d(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b, const nn_conv_params *p) {
  return nn__conv_forward("nn_conv1d", 1, x, w, b, p);
}
NNDEF nn_tensor *nn_conv2d_backward_input(const nn_tensor *dy, const nn_tensor *w, const int64_t *x_shape,
                                          const nn_conv_params *p) {
  return nn__conv_backward_input("nn_conv2d_backward_input", 0, dy, w, x_shape, p);
}
NNDEF nn_tensor *nn_conv1d_backward_input(const nn_tensor *dy, const nn_tensor *w, const int64_t *x_shape,
                                          const nn_conv_params *p) {
  return nn__conv_backward_input("nn_conv1d_backward_input", 1, dy, w, x_shape, p);
}
NNDEF nn_tensor *nn_conv2d_backward_weight(const nn_tensor *dy, const nn_tensor *x, const int64_t *w_shape,
                                           const nn_conv_params *p, nn_tensor **db) {
  return nn__conv_backward_weight("nn_conv2d_backward_weight", 0, dy, x, w_shape, p, db);
}
NNDEF nn_tensor *nn_conv1d_backward_weight(const nn_tensor *dy, const nn_tensor *x, const int64_t *w_shape,
                                           const nn_conv_params *p, nn_tensor **db) {
  return nn__conv_backward_weight("nn_conv1d_backward_weight", 1, dy, x, w_shape, p, db);
}

/* ---- im2col / col2im ---- */

typedef struct nn__cols_job {
  nn__conv_geom g;
  const void *src;
  void *dst;
  int64_t per;
} nn__cols_job;

#define NN__COLS_DRIVERS_DEFINE(S, T)                                                                          \
  NN__PRIVATE void nn__im2col_chunk_##S(void *vctx, int64_t c) {                                               \
    const nn__cols_job *j = (const nn__cols_job *)vctx;                                                        \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t n, n1 = (c + 1) * j->per < g->N ? (c + 1) * j->per : g->N;                                         \
    int64_t L = g->Ho * g->Wo, K = g->C * g->kh * g->kw, HW = g->H * g->W;                                     \
    for (n = c * j->per; n < n1; n++)                                                                          \
      nn__im2col_##S(g, (const T *)j->src + n * g->C * HW, g->C, 0, g->Ho, (T *)j->dst + n * K * L, L);        \
  }                                                                                                            \
  NN__PRIVATE void nn__col2im_chunk_##S(void *vctx, int64_t c) {                                               \
    const nn__cols_job *j = (const nn__cols_job *)vctx;                                                        \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t n, n1 = (c + 1) * j->per < g->N ? (c + 1) * j->per : g->N;                                         \
    int64_t L = g->Ho * g->Wo, K = g->C * g->kh * g->kw, HW = g->H * g->W;                                     \
    for (n = c * j->per; n < n1; n++) {                                                                        \
      T *x = (T *)j->dst + n * g->C * HW;                                                                      \
      memset(x, 0, (size_t)(g->C * HW) * sizeof(T));                                                           \
      nn__col2im_##S(g, (const T *)j->src + n * K * L, L, g->C, 0, g->Ho, x);                                  \
    }                                                                                                          \
  }

NN__COLS_DRIVERS_DEFINE(s, float)
NN__COLS_DRIVERS_DEFINE(d, double)

/* Geometry of im2col/col2im/pooling over an input of user shape xs (3 or 4 sizes) with a kh x kw window. */
NN__PRIVATE nn_status nn__window_setup(const char *name, int is1d, int kind, const int64_t *xs, int kh, int kw,
                                       const nn_conv_params *p, nn__conv_geom *g) {
  int nd = is1d ? 3 : 4;
  char b1[64];
  memset(g, 0, sizeof *g);
  if (kh < 1 || kw < 1)
    return nn__fail(NN_ERR_VALUE, "%s: kernel size must be positive, got %s", name,
                    nn__conv_pair(b1, sizeof b1, is1d, kh, kw));
  if (nn__conv_params_read(name, is1d, kind, kh, kw, p, g) != NN_OK) return nn_last_status();
  if (nn__conv_check_sizes(name, "input", xs, nd) != NN_OK) return nn_last_status();
  g->N = xs[0];
  g->C = g->Co = g->Cg = g->Mg = xs[1];
  g->H = is1d ? 1 : xs[2];
  g->W = xs[nd - 1];
  return nn__conv_out_size(name, is1d, xs, nd, g, "");
}

NNDEF nn_tensor *nn_im2col(const nn_tensor *x, int kh, int kw, const nn_conv_params *p) {
  const char *name = "nn_im2col";
  nn__conv_geom g;
  nn__cols_job j;
  nn_tensor *tx = NULL, *y = NULL;
  int64_t ys[3];
  if (nn__conv_check_ndim(name, x, 4, "input", "(N, C, H, W)") != NN_OK ||
      nn__conv_check_dtype(name, x, "input", NULL, NULL) != NN_OK)
    return NULL;
  if (nn__window_setup(name, 0, NN__CK_COLS, x->shape, kh, kw, p, &g) != NN_OK) return NULL;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.src = nn__conv_data(name, x, &tx);
  if (!j.src) return NULL;
  ys[0] = g.N;
  ys[1] = g.C * g.kh * g.kw;
  ys[2] = g.Ho * g.Wo;
  y = nn__new(name, x->dtype, ys, 3);
  if (y && g.N > 0) {
    j.dst = y->data;
    j.per = NN__CONV_COPY_GRAIN / (ys[1] * ys[2] > 0 ? ys[1] * ys[2] : 1);
    if (j.per < 1) j.per = 1;
    nn__parallel_for((g.N + j.per - 1) / j.per, x->dtype == NN_FLOAT64 ? nn__im2col_chunk_d : nn__im2col_chunk_s, &j);
  }
  nn_free(tx);
  return y;
}

NNDEF nn_tensor *nn_col2im(const nn_tensor *cols, const int64_t *x_shape, int kh, int kw, const nn_conv_params *p) {
  const char *name = "nn_col2im";
  nn__conv_geom g;
  nn__cols_job j;
  nn_tensor *tc = NULL, *y = NULL;
  int64_t e[3];
  char b1[160], b2[160], b3[160];
  if (nn__conv_check_ndim(name, cols, 3, "cols", "(N, C*kh*kw, L)") != NN_OK ||
      nn__conv_check_dtype(name, cols, "cols", NULL, NULL) != NN_OK)
    return NULL;
  if (!x_shape) {
    nn__fail_null(name, "x_shape");
    return NULL;
  }
  if (nn__window_setup(name, 0, NN__CK_COLS, x_shape, kh, kw, p, &g) != NN_OK) return NULL;
  e[0] = g.N;
  e[1] = g.C * g.kh * g.kw;
  e[2] = g.Ho * g.Wo;
  if (cols->shape[0] != e[0] || cols->shape[1] != e[1] || cols->shape[2] != e[2]) {
    nn__fail(NN_ERR_SHAPE, "%s: expected cols of shape %s for output size %s and kernel (%d,%d), got %s", name,
             nn__fmt_shape(b1, sizeof b1, e, 3), nn__fmt_shape(b2, sizeof b2, x_shape, 4), kh, kw,
             nn_shape_str(cols, b3, sizeof b3));
    return NULL;
  }
  memset(&j, 0, sizeof j);
  j.g = g;
  j.src = nn__conv_data(name, cols, &tc);
  if (!j.src) return NULL;
  y = nn__new(name, cols->dtype, x_shape, 4);
  if (y && g.N > 0) {
    j.dst = y->data;
    j.per = NN__CONV_COPY_GRAIN / (e[1] * e[2] > 0 ? e[1] * e[2] : 1);
    if (j.per < 1) j.per = 1;
    nn__parallel_for((g.N + j.per - 1) / j.per, cols->dtype == NN_FLOAT64 ? nn__col2im_chunk_d : nn__col2im_chunk_s,
                     &j);
  }
  nn_free(tc);
  return y;
}

/* ---- pooling ---- */

typedef struct nn__pool_job {
  nn__conv_geom g;
  const void *src;
  const int64_t *idx_in; /* max-pool backward: argmax */
  void *dst;
  int64_t *idx_out;      /* max-pool forward: argmax or NULL */
  int64_t per, planes;
  int64_t *bad;          /* max-pool backward, per chunk: first bad flat position or -1 */
} nn__pool_job;

#define NN__POOL_DRIVERS_DEFINE(S, T)                                                                          \
  NN__PRIVATE void nn__maxpool_chunk_##S(void *vctx, int64_t c) {                                              \
    const nn__pool_job *j = (const nn__pool_job *)vctx;                                                        \
    int64_t i, i1 = (c + 1) * j->per < j->planes ? (c + 1) * j->per : j->planes;                               \
    int64_t hw = j->g.H * j->g.W, ohw = j->g.Ho * j->g.Wo;                                                     \
    for (i = c * j->per; i < i1; i++)                                                                          \
      nn__maxpool_plane_##S(&j->g, (const T *)j->src + i * hw, (T *)j->dst + i * ohw,                          \
                            j->idx_out ? j->idx_out + i * ohw : NULL);                                         \
  }                                                                                                            \
  NN__PRIVATE void nn__avgpool_chunk_##S(void *vctx, int64_t c) {                                              \
    const nn__pool_job *j = (const nn__pool_job *)vctx;                                                        \
    int64_t i, i1 = (c + 1) * j->per < j->planes ? (c + 1) * j->per : j->planes;                               \
    int64_t hw = j->g.H * j->g.W, ohw = j->g.Ho * j->g.Wo;                                                     \
    for (i = c * j->per; i < i1; i++)                                                                          \
      nn__avgpool_plane_##S(&j->g, (const T *)j->src + i * hw, (T *)j->dst + i * ohw);                         \
  }                                                                                                            \
  NN__PRIVATE void nn__avgpool_back_chunk_##S(void *vctx, int64_t c) {                                         \
    const nn__pool_job *j = (const nn__pool_job *)vctx;                                                        \
    int64_t i, i1 = (c + 1) * j->per < j->planes ? (c + 1) * j->per : j->planes;                              \
    int64_t hw = j->g.H * j->g.W, ohw = j->g.Ho * j->g.Wo;                                                     \
    T *dx = (T *)j->dst + c * j->per * hw;                                                                     \
    memset(dx, 0, (size_t)((i1 - c * j->per) * hw) * sizeof(T));                                               \
    for (i = c * j->per; i < i1; i++)                                                                          \
      nn__avgpool_back_plane_##S(&j->g, (const T *)j->src + i * ohw, (T *)j->dst + i * hw);                    \
  }                                                                                                            \
  NN__PRIVATE void nn__maxpool_back_chunk_##S(void *vctx, int64_t c) {                                         \
    const nn__pool_job *j = (const nn__pool_job *)vctx;                                                        \
    int64_t i, i1 = (c + 1) * j->per < j->planes ? (c + 1) * j->per : j->planes;                               \
    int64_t hw = j->g.H * j->g.W, ohw = j->g.Ho * j->g.Wo;                                                     \
    T *dx = (T *)j->dst + c * j->per * hw;                                                                     \
    j->bad[c] = -1;                                                                                            \
    memset(dx, 0, (size_t)((i1 - c * j->per) * hw) * sizeof(T));                                               \
    for (i = c * j->per; i < i1; i++) {                                                                        \
      int64_t k = nn__maxpool_back_plane_##S(ohw, (const T *)j->src + i * ohw, j->idx_in + i * ohw, hw,         \
                                             (T *)j->dst + i * hw);                                            \
      if (k >= 0) {                                                                                            \
        j->bad[c] = i * ohw + k;                                                                               \
        return;                                                                                                \
      }                                                                                                        \
    }                                                                                                          \
  }

NN__POOL_DRIVERS_DEFINE(s, float)
NN__POOL_DRIVERS_DEFINE(d, double)

/* Planes per chunk for work of `each` elements per plane. */
NN__PRIVATE int64_t nn__pool_per(int64_t each) {
  int64_t per = NN__CONV_COPY_GRAIN / (each > 0 ? each : 1);
  return per < 1 ? 1 : per;
}

NN__PRIVATE nn_tensor *nn__max_pool(const char *name, int is1d, const nn_tensor *x, int kh, int kw,
                                    const nn_conv_params *p, nn_tensor **argmax) {
  int nd = is1d ? 3 : 4;
  nn__conv_geom g;
  nn__pool_job j;
  nn_tensor *tx = NULL, *y = NULL, *ix = NULL;
  int64_t ys[4];
  if (argmax) *argmax = NULL;
  if (nn__conv_check_ndim(name, x, nd, "input", is1d ? "(N, C, L)" : "(N, C, H, W)") != NN_OK ||
      nn__conv_check_dtype(name, x, "input", NULL, NULL) != NN_OK)
    return NULL;
  if (nn__window_setup(name, is1d, NN__CK_MAXPOOL, x->shape, kh, kw, p, &g) != NN_OK) return NULL;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.src = nn__conv_data(name, x, &tx);
  if (!j.src) return NULL;
  ys[0] = g.N;
  ys[1] = g.C;
  ys[2] = is1d ? g.Wo : g.Ho;
  ys[3] = g.Wo;
  y = nn__new(name, x->dtype, ys, nd);
  if (y && argmax) {
    ix = nn__new(name, NN_INT64, ys, nd);
    if (!ix) {
      nn_free(y);
      y = NULL;
    }
  }
  if (y) {
    j.dst = y->data;
    j.idx_out = ix ? (int64_t *)ix->data : NULL;
    j.planes = g.N * g.C;
    j.per = nn__pool_per(g.Ho * g.Wo * g.kh * g.kw);
    nn__parallel_for((j.planes + j.per - 1) / j.per, x->dtype == NN_FLOAT64 ? nn__maxpool_chunk_d : nn__maxpool_chunk_s,
                     &j);
    if (argmax) *argmax = ix;
  }
  nn_free(tx);
  return y;
}

NN__PRIVATE nn_tensor *nn__avg_pool(const char *name, int is1d, const nn_tensor *x, int kh, int kw,
                                    const nn_conv_params *p) {
  int nd = is1d ? 3 : 4;
  nn__conv_geom g;
  nn__pool_job j;
  nn_tensor *tx = NULL, *y;
  int64_t ys[4];
  if (nn__conv_check_ndim(name, x, nd, "input", is1d ? "(N, C, L)" : "(N, C, H, W)") != NN_OK ||
      nn__conv_check_dtype(name, x, "input", NULL, NULL) != NN_OK)
    return NULL;
  if (nn__window_setup(name, is1d, NN__CK_AVGPOOL, x->shape, kh, kw, p, &g) != NN_OK) return NULL;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.src = nn__conv_data(name, x, &tx);
  if (!j.src) return NULL;
  ys[0] = g.N;
  ys[1] = g.C;
  ys[2] = is1d ? g.Wo : g.Ho;
  ys[3] = g.Wo;
  y = nn__new(name, x->dtype, ys, nd);
  if (y) {
    j.dst = y->data;
    j.planes = g.N * g.C;
    j.per = nn__pool_per(g.Ho * g.Wo * g.kh * g.kw);
    nn__parallel_for((j.planes + j.per - 1) / j.per, x->dtype == NN_FLOAT64 ? nn__avgpool_chunk_d : nn__avgpool_chunk_s,
                     &j);
  }
  nn_free(tx);
  return y;
}

NN__PRIVATE nn_tensor *nn__avg_pool_backward(const char *name, int is1d, const nn_tensor *dy, const int64_t *x_shape,
                                             int kh, int kw, const nn_conv_params *p) {
  int nd = is1d ? 3 : 4;
  nn__conv_geom g;
  nn__pool_job j;
  nn_tensor *tdy = NULL, *dx;
  char what[400], b1[160];
  if (nn__conv_check_ndim(name, dy, nd, "dy", is1d ? "(N, C, L_out)" : "(N, C, H_out, W_out)") != NN_OK ||
      nn__conv_check_dtype(name, dy, "dy", NULL, NULL) != NN_OK)
    return NULL;
  if (!x_shape) {
    nn__fail_null(name, "x_shape");
    return NULL;
  }
  if (nn__window_setup(name, is1d, NN__CK_AVGPOOL, x_shape, kh, kw, p, &g) != NN_OK) return NULL;
  snprintf(what, sizeof what, "average pooling of an input %s", nn__fmt_shape(b1, sizeof b1, x_shape, nd));
  if (nn__conv_check_dy(name, is1d, dy, &g, what) != NN_OK) return NULL;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.src = nn__conv_data(name, dy, &tdy);
  if (!j.src) return NULL;
  dx = nn__new(name, dy->dtype, x_shape, nd);
  if (dx) {
    j.dst = dx->data;
    j.planes = g.N * g.C;
    j.per = nn__pool_per(g.Ho * g.Wo * g.kh * g.kw + g.H * g.W);
    nn__parallel_for((j.planes + j.per - 1) / j.per,
                     dy->dtype == NN_FLOAT64 ? nn__avgpool_back_chunk_d : nn__avgpool_back_chunk_s, &j);
  }
  nn_free(tdy);
  return dx;
}

NN__PRIVATE nn_tensor *nn__max_pool_backward(const char *name, int is1d, const nn_tensor *dy, const nn_tensor *argmax,
                                             const int64_t *x_shape) {
  int nd = is1d ? 3 : 4, i;
  nn__conv_geom g;
  nn__pool_job j;
  nn_tensor *tdy = NULL, *tix = NULL, *dx = NULL, *res = NULL;
  int64_t nch, c;
  char b1[160], b2[160];
  if (nn__conv_check_ndim(name, dy, nd, "dy", is1d ? "(N, C, L_out)" : "(N, C, H_out, W_out)") != NN_OK ||
      nn__conv_check_dtype(name, dy, "dy", NULL, NULL) != NN_OK)
    return NULL;
  if (nn__check_cpu(name, argmax, "argmax") != NN_OK) return NULL;
  if (argmax->dtype != NN_INT64) {
    nn__fail(NN_ERR_DTYPE, "%s: argmax must be int64 (as nn_max_pool%s returns it), got %s", name, is1d ? "1d" : "2d",
             nn_dtype_name(argmax->dtype));
    return NULL;
  }
  if (!x_shape) {
    nn__fail_null(name, "x_shape");
    return NULL;
  }
  if (nn__conv_check_sizes(name, "x_shape", x_shape, nd) != NN_OK) return NULL;
  for (i = 0; i < nd && argmax->ndim == nd; i++)
    if (argmax->shape[i] != dy->shape[i]) break;
  if (argmax->ndim != nd || i < nd) {
    nn__fail(NN_ERR_SHAPE, "%s: argmax of shape %s does not match dy of shape %s", name,
             nn_shape_str(argmax, b1, sizeof b1), nn_shape_str(dy, b2, sizeof b2));
    return NULL;
  }
  if (dy->shape[0] != x_shape[0] || dy->shape[1] != x_shape[1]) {
    nn__fail(NN_ERR_SHAPE, "%s: dy of shape %s does not match the batch and channels of x_shape %s", name,
             nn_shape_str(dy, b1, sizeof b1), nn__fmt_shape(b2, sizeof b2, x_shape, nd));
    return NULL;
  }
  memset(&j, 0, sizeof j);
  g.N = x_shape[0];
  g.C = x_shape[1];
  g.H = is1d ? 1 : x_shape[2];
  g.W = x_shape[nd - 1];
  g.Ho = is1d ? 1 : dy->shape[2];
  g.Wo = dy->shape[nd - 1];
  j.g = g;
  j.src = nn__conv_data(name, dy, &tdy);
  j.idx_in = (const int64_t *)nn__conv_data(name, argmax, &tix);
  if (!j.src || !j.idx_in) goto done;
  dx = nn__new(name, dy->dtype, x_shape, nd);
  if (!dx) goto done;
  j.dst = dx->data;
  j.planes = g.N * g.C;
  j.per = nn__pool_per(g.Ho * g.Wo + g.H * g.W);
  nch = (j.planes + j.per - 1) / j.per;
  j.bad = (int64_t *)nn__xalloc(name, (size_t)(nch > 0 ? nch : 1) * sizeof(int64_t));
  if (!j.bad) goto done;
  nn__parallel_for(nch, dy->dtype == NN_FLOAT64 ? nn__maxpool_back_chunk_d : nn__maxpool_back_chunk_s, &j);
  for (c = 0; c < nch; c++) {
    if (j.bad[c] >= 0) {
      int64_t k = j.bad[c];
      nn__fail(NN_ERR_INDEX,
               "%s: argmax value %lld at flat position %lld is out of range for an input plane of %lld elements "
               "(x_shape %s)",
               name, (long long)j.idx_in[k], (long long)k, (long long)(g.H * g.W),
               nn__fmt_shape(b1, sizeof b1, x_shape, nd));
      goto done;
    }
  }
  res = dx;
done:
  nn__dealloc(j.bad);
  if (!res) nn_free(dx);
  nn_free(tdy);
  nn_free(tix);
  return res;
}

NNDEF nn_tensor *nn_max_pool2d(const nn_tensor *x, int kh, int kw, const nn_conv_params *p, nn_tensor **argmax) {
  return nn__max_pool("nn_max_pool2d", 0, x, kh, kw, p, argmax);
}
NNDEF nn_tensor *nn_max_pool1d(const nn_tensor *x, int k, const nn_conv_params *p, nn_tensor **argmax) {
  return nn__max_pool("nn_max_pool1d", 1, x, 1, k, p, argmax);
}
NNDEF nn_tensor *nn_avg_pool2d(const nn_tensor *x, int kh, int kw, const nn_conv_params *p) {
  return nn__avg_pool("nn_avg_pool2d", 0, x, kh, kw, p);
}
NNDEF nn_tensor *nn_avg_pool1d(const nn_tensor *x, int k, const nn_conv_params *p) {
  return nn__avg_pool("nn_avg_pool1d", 1, x, 1, k, p);
}
NNDEF nn_tensor *nn_max_pool2d_backward(const nn_tensor *dy, const nn_tensor *argmax, const int64_t *x_shape) {
  return nn__max_pool_backward("nn_max_pool2d_backward", 0, dy, argmax, x_shape);
}
NNDEF nn_tensor *nn_max_pool1d_backward(const nn_tensor *dy, const nn_tensor *argmax, const int64_t *x_shape) {
  return nn__max_pool_backward("nn_max_pool1d_backward", 1, dy, argmax, x_shape);
}
NNDEF nn_tensor *nn_avg_pool2d_backward(const nn_tensor *dy, const int64_t *x_shape, int kh, int kw,
                                        const nn_conv_params *p) {
  return nn__avg_pool_backward("nn_avg_pool2d_backward", 0, dy, x_shape, kh, kw, p);
}
NNDEF nn_tensor *nn_avg_pool1d_backward(const nn_tensor *dy, const int64_t *x_shape, int k, const nn_conv_params *p) {
  return nn__avg_pool_backward("nn_avg_pool1d_backward", 1, dy, x_shape, 1, k, p);
}
/* ---- end src/ops/conv.c ---- */
#endif
#ifndef NN_NO_PRINT
/* ---- begin src/core/print.c ---- */
/* core/print.c: NumPy's array repr (numpy/core/arrayprint.py, default options, floatmode='maxprec').

   The layout code mirrors arrayprint's _formatArray / _extendLine step by step; float digits come from the C
   library's correctly rounded printf: the shortest "%.{p}e" that reads back to the same value gives Dragon4's
   unique digits, and "%.{p}f" / "%.{p}e" give the digits cut at the precision. */

#define NN__PMAXPREC 100
#define NN__PBUF 400

/* ---- a growing string ---- */

typedef struct nn__sb {
  char *p;
  size_t n, cap;
  int oom;
} nn__sb;

NN__PRIVATE void nn__sb_putn(nn__sb *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *np;
    while (cap < b->n + n + 1) cap *= 2;
    np = (char *)NN_REALLOC(b->p, cap);
    if (!np) {
      b->oom = 1;
      return;
    }
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}
NN__PRIVATE void nn__sb_puts(nn__sb *b, const char *s) { nn__sb_putn(b, s, strlen(s)); }
NN__PRIVATE void nn__sb_spaces(nn__sb *b, int k) {
  static const char sp[] = "                                ";
  while (k > 0) {
    int m = k < 32 ? k : 32;
    nn__sb_putn(b, sp, (size_t)m);
    k -= m;
  }
}

/* ---- float digits ---- */

/* Digits and decimal exponent of printf's "%e" output: "d.ddde+XX" -> "dddd", XX. Returns the digit count. */
NN__PRIVATE int nn__parse_e(const char *s, char *dig, int *e10) {
  int nd = 0;
  for (; *s && *s != 'e' && *s != 'E'; s++)
    if (*s >= '0' && *s <= '9') dig[nd++] = *s;
  dig[nd] = 0;
  *e10 = *s ? atoi(s + 1) : 0;
  return nd;
}

/* The shortest digits that read back as a (finite, >= 0; float32 when f32): a = d.ddd x 10^e10. */
NN__PRIVATE int nn__shortest(double a, int f32, char *dig, int *e10) {
  char buf[64];
  int p, maxp = f32 ? 8 : 16;
  for (p = 0; p <= maxp; p++) {
    snprintf(buf, sizeof buf, "%.*e", p, a);
    if (f32 ? (strtof(buf, NULL) == (float)a) : (strtod(buf, NULL) == a)) break;
  }
  return nn__parse_e(buf, dig, e10);
}

NN__PRIVATE void nn__trim_zeros(char *s) {
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == '0') s[--n] = 0;
}

/* Positional digits of v with at most prec decimals, trailing zeros dropped: integer part (with '-') in ip,
   fraction in fp (maybe empty). exact_int: when the shortest digits stop before the units digit, print the exact
   integer instead of padding with zeros (what NumPy's print pass does with min_digits=0: float32 33564168 prints
   as "33564168." where format_float_positional gives "33564170."). */
NN__PRIVATE void nn__fmt_pos(double v, int f32, int prec, int exact_int, char *ip, char *fp) {
  char dig[64], buf[NN__PBUF];
  int e, nd, nfrac, k = 0, i;
  double a = fabs(v);
  if (signbit(v)) ip[k++] = '-';
  nd = nn__shortest(a, f32, dig, &e);
  nfrac = nd - 1 - e;
  if (exact_int && e >= nd) { /* only integers get here: the spacing of such values is at least 2 */
    snprintf(buf, sizeof buf, "%.0f", a);
    strcpy(ip + k, buf);
    fp[0] = 0;
  } else if (nfrac <= prec) {
    if (e >= 0) {
      for (i = 0; i <= e; i++) ip[k++] = i < nd ? dig[i] : '0';
      ip[k] = 0;
      strcpy(fp, nd > e + 1 ? dig + e + 1 : "");
    } else {
      ip[k++] = '0';
      ip[k] = 0;
      for (i = 0; i < -e - 1; i++) fp[i] = '0';
      strcpy(fp + i, dig);
    }
  } else {
    char *s = buf;
    snprintf(buf, sizeof buf, "%.*f", prec, a);
    while (*s >= '0' && *s <= '9') ip[k++] = *s++;
    ip[k] = 0;
    if (*s) s++;
    strcpy(fp, s);
  }
  nn__trim_zeros(fp);
}

/* Scientific digits of v with at most prec decimals in the mantissa, trailing zeros dropped: "-d" in ip, the
   decimals in fp, the exponent in *e10. */
NN__PRIVATE void nn__fmt_sci(double v, int f32, int prec, char *ip, char *fp, int *e10) {
  char dig[NN__PBUF], buf[NN__PBUF];
  int nd, k = 0;
  double a = fabs(v);
  if (signbit(v)) ip[k++] = '-';
  nd = nn__shortest(a, f32, dig, e10);
  if (nd - 1 > prec) {
    snprintf(buf, sizeof buf, "%.*e", prec, a);
    nd = nn__parse_e(buf, dig, e10);
  }
  ip[k++] = dig[0];
  ip[k] = 0;
  strcpy(fp, dig + 1);
  nn__trim_zeros(fp);
}

NN__PRIVATE int nn__exp_digits(int e) {
  int n = 0;
  if (e < 0) e = -e;
  do {
    n++;
    e /= 10;
  } while (e);
  return n < 2 ? 2 : n;
}

/* ---- the format of one array ---- */

typedef struct nn__pctx {
  const nn_tensor *t;
  nn_dtype dt;
  int prec, edge, linewidth, suppress, summarize;
  /* integers */
  int width;
  /* floats (FloatingFormat) */
  int exp, pad_left, pad_right, exp_size, fprec;
  /* fill pass state */
  int any_finite, any_nonfinite, neg_inf;
  double maxv, minv;
  int64_t imax, imin;
  int any;
  nn__sb *out;
} nn__pctx;

NN__PRIVATE int64_t nn__load_i64(nn_dtype dt, const char *p) {
  switch (dt) {
    case NN_INT32: return *(const int32_t *)p;
    case NN_INT64: return *(const int64_t *)p;
    default: return *(const uint8_t *)p;
  }
}

typedef void (*nn__pvisit_fn)(nn__pctx *c, const char *p);

/* Calls fn on every element that will be shown (all, or the edge items of every axis when summarizing). */
NN__PRIVATE void nn__pvisit(nn__pctx *c, const char *p, int axis, nn__pvisit_fn fn) {
  const nn_tensor *t = c->t;
  int64_t n, i, es = (int64_t)nn_dtype_size(t->dtype);
  if (axis == t->ndim) {
    fn(c, p);
    return;
  }
  n = t->shape[axis];
  for (i = 0; i < n; i++) {
    if (c->summarize && n > 2 * (int64_t)c->edge && i == c->edge) i = n - c->edge;
    nn__pvisit(c, p + i * t->strides[axis] * es, axis + 1, fn);
  }
}

NN__PRIVATE void nn__pscan(nn__pctx *c, const char *p) {
  if (nn__is_float(c->dt)) {
    double v = nn__load(c->dt, p), a = fabs(v);
    if (!isfinite(v)) {
      c->any_nonfinite = 1;
      if (v < 0) c->neg_inf = 1;
      return;
    }
    c->any_finite = 1;
    if (a != 0) {
      if (!c->any || a > c->maxv) c->maxv = a;
      if (!c->any || a < c->minv) c->minv = a;
      c->any = 1;
    }
  } else if (c->dt != NN_BOOL) {
    int64_t v = nn__load_i64(c->dt, p);
    if (!c->any || v > c->imax) c->imax = v;
    if (!c->any || v < c->imin) c->imin = v;
    c->any = 1;
  }
}

NN__PRIVATE void nn__pwidths(nn__pctx *c, const char *p) {
  char ip[NN__PBUF], fp[NN__PBUF];
  double v = nn__load(c->dt, p);
  int li, lf, e;
  if (!isfinite(v)) return;
  if (c->exp) {
    nn__fmt_sci(v, c->dt == NN_FLOAT32, c->prec, ip, fp, &e);
    if (nn__exp_digits(e) > c->exp_size) c->exp_size = nn__exp_digits(e);
  } else {
    nn__fmt_pos(v, c->dt == NN_FLOAT32, c->prec, 0, ip, fp);
  }
  li = (int)strlen(ip);
  lf = (int)strlen(fp);
  if (li > c->pad_left) c->pad_left = li;
  if (lf > c->pad_right) c->pad_right = lf;
}

/* FloatingFormat.fillFormat / IntegerFormat: one format for all shown elements. */
NN__PRIVATE void nn__pfill(nn__pctx *c) {
  const char *d = (const char *)c->t->data;
  nn__pvisit(c, d, 0, nn__pscan);
  if (nn__is_float(c->dt)) {
    if (c->any) {
      if (c->dt == NN_FLOAT32) {
        float mx = (float)c->maxv, mn = (float)c->minv;
        c->exp = mx >= 1e8f || (!c->suppress && (mn < 0.0001f || mx / mn > 1000.f));
      } else {
        c->exp = c->maxv >= 1e8 || (!c->suppress && (c->minv < 0.0001 || c->maxv / c->minv > 1000.));
      }
    }
    c->pad_left = c->pad_right = 0;
    c->exp_size = -1;
    if (c->any_finite) {
      nn__pvisit(c, d, 0, nn__pwidths);
      if (c->exp) {
        c->fprec = c->pad_right; /* decimals of the mantissa, all printed */
        c->pad_right = c->exp_size + 2 + c->fprec;
      }
    }
    if (c->any_nonfinite) {
      int off = c->pad_right + 1;
      c->pad_left = NN__MAX(c->pad_left, 3 - off);
      c->pad_left = NN__MAX(c->pad_left, 3 + c->neg_inf - off);
    }
  } else if (c->dt != NN_BOOL) {
    char b1[32], b2[32];
    int l1 = snprintf(b1, sizeof b1, "%lld", (long long)c->imax), l2 = snprintf(b2, sizeof b2, "%lld", (long long)c->imin);
    c->width = c->any ? NN__MAX(l1, l2) : 0;
  }
}

/* The text of one element, with the array's format. */
NN__PRIVATE void nn__pelem(const nn__pctx *c, const char *p, char *s) {
  if (c->dt == NN_BOOL) {
    strcpy(s, *(const uint8_t *)p ? (c->t->ndim == 0 ? "True" : " True") : "False");
  } else if (!nn__is_float(c->dt)) {
    snprintf(s, NN__PBUF, "%*lld", c->width, (long long)nn__load_i64(c->dt, p));
  } else {
    double v = nn__load(c->dt, p);
    char ip[NN__PBUF], fp[NN__PBUF];
    int k = 0, i, e;
    if (!isfinite(v)) {
      const char *r = v != v ? "nan" : v < 0 ? "-inf" : "inf";
      int w = c->pad_left + c->pad_right + 1 - (int)strlen(r);
      for (i = 0; i < w; i++) s[k++] = ' ';
      strcpy(s + k, r);
      return;
    }
    if (c->exp) {
      /* Dragon4 with min_digits = precision: exactly fprec decimals of the exact binary value, rounded (past the
         shortest digits these are the value's true digits, not zeros: float32 0.1 -> 1.00000001e-01) */
      char dig[NN__PBUF], buf[NN__PBUF];
      int q = 0;
      if (signbit(v)) ip[q++] = '-';
      snprintf(buf, sizeof buf, "%.*e", c->fprec, fabs(v));
      nn__parse_e(buf, dig, &e);
      ip[q++] = dig[0];
      ip[q] = 0;
      strcpy(fp, dig + 1);
    } else {
      nn__fmt_pos(v, c->dt == NN_FLOAT32, c->prec, 1, ip, fp);
    }
    for (i = (int)strlen(ip); i < c->pad_left; i++) s[k++] = ' ';
    k += snprintf(s + k, (size_t)(NN__PBUF - k), "%s.%s", ip, fp);
    if (c->exp) {
      for (i = (int)strlen(fp); i < c->fprec; i++) s[k++] = '0';
      s[k++] = 'e';
      s[k++] = e < 0 ? '-' : '+';
      k += snprintf(s + k, (size_t)(NN__PBUF - k), "%0*d", c->exp_size, e < 0 ? -e : e);
    } else {
      for (i = (int)strlen(fp); i < c->pad_right; i++) s[k++] = ' ';
    }
    s[k] = 0;
  }
}

/* _extendLine: adds word to the current line, first moving to a new line when it would pass width. */
NN__PRIVATE void nn__pextend(nn__pctx *c, nn__sb *line, int *first, const char *word, int width, int hang) {
  size_t wl = strlen(word);
  if ((int)(line->n + wl) > width && (int)line->n > hang) {
    size_t n = line->n;
    while (n > 0 && line->p[n - 1] == ' ') n--;
    if (*first) nn__sb_putn(c->out, line->p + hang, n - (size_t)hang);
    else nn__sb_putn(c->out, line->p, n);
    nn__sb_putn(c->out, "\n", 1);
    line->n = 0;
    nn__sb_spaces(line, hang);
    *first = 0;
  }
  nn__sb_putn(line, word, wl);
}

/* _formatArray's recurser for the sub-array at p starting at axis; hang is the hanging indent, width the line
   width left. Writes '[' ... ']' to c->out (the caller already wrote the indent of the first line). */
NN__PRIVATE void nn__precurse(nn__pctx *c, const char *p, int axis, int hang, int width) {
  const nn_tensor *t = c->t;
  int64_t n = t->shape[axis], i, es = (int64_t)nn_dtype_size(t->dtype), st = t->strides[axis] * es;
  int left = t->ndim - axis, show = c->summarize && 2 * (int64_t)c->edge < n;
  int64_t lead = show ? c->edge : 0, trail = show ? c->edge : n;
  nn__sb_putn(c->out, "[", 1);
  if (left == 1) {
    nn__sb line;
    char word[NN__PBUF];
    int first = 1, ew = width - 1; /* room for ',' or ']' */
    memset(&line, 0, sizeof line);
    nn__sb_spaces(&line, hang);
    for (i = 0; i < lead; i++) {
      nn__pelem(c, p + i * st, word);
      nn__pextend(c, &line, &first, word, ew, hang);
      nn__sb_puts(&line, ", ");
    }
    if (show) {
      nn__pextend(c, &line, &first, "...", ew, hang);
      nn__sb_puts(&line, ", ");
    }
    for (i = trail; i > 1; i--) {
      nn__pelem(c, p + (n - i) * st, word);
      nn__pextend(c, &line, &first, word, ew, hang);
      nn__sb_puts(&line, ", ");
    }
    nn__pelem(c, p + (n - 1) * st, word);
    nn__pextend(c, &line, &first, word, ew, hang);
    if (line.oom) c->out->oom = 1;
    else if (first) nn__sb_putn(c->out, line.p + hang, line.n - (size_t)hang);
    else nn__sb_putn(c->out, line.p, line.n);
    NN_FREE(line.p);
  } else {
    int k, started = 0;
    /* line separator: ',' and one newline per remaining axis beyond the last */
#define NN__PSEP()                                                     \
  do {                                                                 \
    nn__sb_putn(c->out, ",", 1);                                       \
    for (k = 0; k < left - 1; k++) nn__sb_putn(c->out, "\n", 1);       \
  } while (0)
    for (i = 0; i < lead; i++) {
      if (started) nn__sb_spaces(c->out, hang);
      started = 1;
      nn__precurse(c, p + i * st, axis + 1, hang + 1, width - 1);
      NN__PSEP();
    }
    if (show) {
      if (started) nn__sb_spaces(c->out, hang);
      started = 1;
      nn__sb_puts(c->out, "...");
      NN__PSEP();
    }
    for (i = trail; i > 1; i--) {
      if (started) nn__sb_spaces(c->out, hang);
      started = 1;
      nn__precurse(c, p + (n - i) * st, axis + 1, hang + 1, width - 1);
      NN__PSEP();
    }
    if (started) nn__sb_spaces(c->out, hang);
    nn__precurse(c, p + (n - 1) * st, axis + 1, hang + 1, width - 1);
#undef NN__PSEP
  }
  nn__sb_putn(c->out, "]", 1);
}

/* The whole repr into b (NUL-terminated). */
NN__PRIVATE nn_status nn__repr(const char *op, const nn_tensor *t, const nn_print_options *opt, nn__sb *b) {
  nn__pctx c;
  int skipdtype, i;
  size_t lastnl;
  char dts[48];
  if (nn__check_cpu(op, t, "t") != NN_OK) return nn_last_status();
  if (!nn__dtype_valid(t->dtype)) return nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", op, (int)t->dtype);
  memset(&c, 0, sizeof c);
  c.prec = 8;
  c.edge = 3;
  c.linewidth = 75;
  if (opt) {
    if (opt->precision < 0 || opt->threshold < 0 || opt->edgeitems < 0 || opt->linewidth < 0)
      return nn__fail(NN_ERR_ARG,
                      "%s: print options must be non-negative (precision %d, threshold %lld, edgeitems %d, "
                      "linewidth %d)",
                      op, opt->precision, (long long)opt->threshold, opt->edgeitems, opt->linewidth);
    if (opt->precision) c.prec = NN__MIN(opt->precision, NN__PMAXPREC);
    if (opt->edgeitems) c.edge = opt->edgeitems;
    if (opt->linewidth) c.linewidth = opt->linewidth;
    c.suppress = opt->suppress != 0;
  }
  c.t = t;
  c.dt = t->dtype;
  c.out = b;
  c.summarize = t->size > (opt && opt->threshold ? opt->threshold : 1000);
  skipdtype = (c.dt == NN_FLOAT64 || c.dt == NN_INT64 || c.dt == NN_BOOL) && t->size > 0;
  nn__sb_puts(b, "array(");
  if (t->size == 0) {
    if (t->ndim == 1) {
      nn__sb_puts(b, "[]");
    } else {
      nn__sb_puts(b, "[], shape=(");
      for (i = 0; i < t->ndim; i++) {
        char num[32];
        snprintf(num, sizeof num, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
        nn__sb_puts(b, num);
      }
      nn__sb_puts(b, t->ndim == 1 ? ",)" : ")");
    }
  } else {
    nn__pfill(&c);
    if (t->ndim == 0) {
      char word[NN__PBUF];
      nn__pelem(&c, (const char *)t->data, word);
      nn__sb_puts(b, word);
    } else {
      /* array2string takes the suffix's length off the width; the hanging indent is len("array(") + 1 */
      nn__precurse(&c, (const char *)t->data, 0, 7, c.linewidth - 1);
    }
  }
  if (skipdtype) {
    nn__sb_puts(b, ")");
  } else {
    nn__sb_puts(b, ",");
    snprintf(dts, sizeof dts, "dtype=%s)", nn_dtype_name(t->dtype));
    lastnl = 0;
    if (!b->oom)
      for (lastnl = b->n; lastnl > 0 && b->p[lastnl - 1] != '\n'; lastnl--) {
      }
    if ((int)(b->n - lastnl + strlen(dts) + 1) > c.linewidth) nn__sb_puts(b, "\n      ");
    else nn__sb_puts(b, " ");
    nn__sb_puts(b, dts);
  }
  if (b->oom) return nn__fail(NN_ERR_OOM, "%s: cannot allocate the output string", op);
  return NN_OK;
}

NNDEF int nn_to_string(const nn_tensor *t, char *buf, size_t cap, const nn_print_options *opt) {
  nn__sb b;
  int len;
  memset(&b, 0, sizeof b);
  if (!buf && cap > 0) {
    nn__fail_null("nn_to_string", "buf");
    return -1;
  }
  if (nn__repr("nn_to_string", t, opt, &b) != NN_OK) {
    NN_FREE(b.p);
    return -1;
  }
  if (b.n > (size_t)INT_MAX) {
    NN_FREE(b.p);
    nn__fail(NN_ERR_ARG, "nn_to_string: the text is longer than INT_MAX");
    return -1;
  }
  len = (int)b.n;
  if (cap > 0) {
    size_t m = b.n < cap - 1 ? b.n : cap - 1;
    memcpy(buf, b.p, m);
    buf[m] = 0;
  }
  NN_FREE(b.p);
  return len;
}

NNDEF nn_status nn_fprint(FILE *f, const nn_tensor *t, const nn_print_options *opt) {
  nn__sb b;
  nn_status st;
  if (!f) return nn__fail_null("nn_fprint", "f");
  memset(&b, 0, sizeof b);
  st = nn__repr("nn_fprint", t, opt, &b);
  if (st == NN_OK) {
    nn__sb_putn(&b, "\n", 1);
    if (b.oom) st = nn__fail(NN_ERR_OOM, "nn_fprint: cannot allocate the output string");
    else if (fwrite(b.p, 1, b.n, f) != b.n) st = nn__fail(NN_ERR_IO, "nn_fprint: write failed");
  }
  NN_FREE(b.p);
  return st;
}

NNDEF nn_status nn_print(const nn_tensor *t) { return nn_fprint(stdout, t, NULL); }
/* ---- end src/core/print.c ---- */
#endif
/* ---- begin src/autograd/engine.c ---- */
/* autograd/engine.c: graph nodes, their lifetime, and the backward pass.

   A node is reference-counted: one reference per tensor header it produced (t->grad_node) and one per consuming
   node's edge. When the last tensor of a step is freed the whole graph of that step goes with it. Leaves get an
   accumulate node lazily (the first time an op consumes them); it points back at the leaf weakly and is cut loose
   when the leaf is freed. Freeing walks the graph with an explicit list, so long chains cannot overflow the stack. */

static NN_THREAD_LOCAL unsigned long nn__ag_stamp = 0;

NN__PRIVATE void nn__node_decref(nn__node *n) {
  nn__node *work;
  int i;
  if (!n || --n->refs > 0) return;
  n->link = NULL;
  work = n;
  while (work) {
    nn__node *m = work;
    work = m->link;
    for (i = 0; i < m->nin; i++) {
      nn__node *c = m->in[i].node;
      if (c && --c->refs == 0) {
        c->link = work;
        work = c;
      }
    }
    for (i = 0; i < NN__AG_SAVED; i++) nn_free(m->saved[i]);
    nn_free(m->gacc);
    if (m->extra) {
      if (m->free_extra) m->free_extra(m->extra);
      else NN_FREE(m->extra);
    }
    if (m->leaf) m->leaf->grad_node = NULL;
    NN_FREE(m->in);
    NN_FREE(m);
  }
}

NN__PRIVATE void nn__ag_tensor_freed(nn_tensor *t) {
  nn__node *n = (nn__node *)t->grad_node;
  t->grad_node = NULL;
  if (!n) return;
  if (n->leaf == t) n->leaf = NULL;
  nn__node_decref(n);
}

NN__PRIVATE nn__node *nn__node_alloc(const char *name, int nin) {
  nn__node *n = (nn__node *)NN_MALLOC(sizeof(nn__node));
  if (!n) {
    nn__fail(NN_ERR_OOM, "%s: cannot allocate an autograd node", name);
    return NULL;
  }
  memset(n, 0, sizeof(*n));
  n->name = name;
  n->refs = 1;
  if (nin > 0) {
    n->in = (nn__edge *)NN_MALLOC(sizeof(nn__edge) * (size_t)nin);
    if (!n->in) {
      NN_FREE(n);
      nn__fail(NN_ERR_OOM, "%s: cannot allocate an autograd node", name);
      return NULL;
    }
    memset(n->in, 0, sizeof(nn__edge) * (size_t)nin);
  }
  n->nin = nin;
  return n;
}

/* The node gradients of t flow into: its producer, or (for a leaf requiring gradients) its accumulate node, made on
   first use. NULL when t needs no gradient. Sets an error and returns NULL with *oom = 1 on allocation failure. */
NN__PRIVATE nn__node *nn__ag_edge_of(nn_tensor *t, int *oom) {
  nn__node *n;
  if (!t || !t->requires_grad) return NULL;
  if (t->grad_node) return (nn__node *)t->grad_node;
  n = nn__node_alloc("nn_requires_grad", 0);
  if (!n) {
    *oom = 1;
    return NULL;
  }
  n->is_leaf = 1;
  n->leaf = t;
  t->grad_node = n;
  return n;
}

NN__PRIVATE nn__node *nn__ag_node(const char *name, nn__backward_fn fn, int nin, const nn_tensor *const *inputs) {
  nn__node *n = nn__node_alloc(name, nin);
  int i, j, oom = 0;
  if (!n) return NULL;
  n->backward = fn;
  for (i = 0; i < nin; i++) {
    nn_tensor *x = (nn_tensor *)inputs[i]; /* the edge is bookkeeping; x's values are untouched */
    nn__edge *e = &n->in[i];
    if (!x) continue;
    e->dtype = x->dtype;
    e->ndim = x->ndim;
    for (j = 0; j < x->ndim; j++) e->shape[j] = x->shape[j];
    e->node = nn__ag_edge_of(x, &oom);
    if (oom) {
      nn__node_decref(n);
      return NULL;
    }
    if (e->node) e->node->refs++;
  }
  return n;
}

/* Keeps t's values for the backward pass: a private header over the same storage, outside every scope. */
NN__PRIVATE nn_status nn__ag_save(nn__node *n, int slot, const nn_tensor *t) {
  nn_tensor *v;
  if (!t) return NN_OK;
  NN_ASSERT(slot >= 0 && slot < NN__AG_SAVED && !n->saved[slot]);
  v = nn__view(n->name, t, t->shape, t->strides, t->ndim, t->data);
  if (!v) return nn_last_status();
  nn__scope_unlink(v);
  n->saved[slot] = v;
  return NN_OK;
}

/* Makes n the producer of out. Takes over the caller's reference to n. Returns out; with n == NULL (a failed
   node) frees out and returns NULL so that the op reports the failure. */
NN__PRIVATE nn_tensor *nn__ag_attach(nn__node *n, nn_tensor *out) {
  if (!n) {
    nn_free(out);
    return NULL;
  }
  if (out->grad_node) nn__ag_tensor_freed(out);
  out->grad_node = n;
  out->requires_grad = 1;
  return out;
}

/* ---- public switches ---- */

NNDEF nn_status nn_requires_grad(nn_tensor *t, int on) {
  if (nn__check_cpu("nn_requires_grad", t, "t") != NN_OK) return nn_last_status();
  if (t->grad_node && !((nn__node *)t->grad_node)->is_leaf)
    return nn__fail(NN_ERR_ARG,
                    "nn_requires_grad: t was produced by a recorded op (%s) and is not a leaf; use nn_detach for a leaf",
                    ((nn__node *)t->grad_node)->name);
  if (on && !nn__is_float(t->dtype))
    return nn__fail(NN_ERR_DTYPE, "nn_requires_grad: only float tensors can require gradients, got %s",
                    nn_dtype_name(t->dtype));
  t->requires_grad = on ? 1 : 0;
  if (!on && t->grad_node) nn__ag_tensor_freed(t);
  return NN_OK;
}

NNDEF int nn_requires_grad_get(const nn_tensor *t) { return t && t->requires_grad; }
NNDEF int nn_is_leaf(const nn_tensor *t) {
  return t && (!t->grad_node || ((nn__node *)t->grad_node)->is_leaf);
}
NNDEF nn_tensor *nn_grad(const nn_tensor *t) { return t ? t->grad : NULL; }
NNDEF void nn_zero_grad(nn_tensor *t) {
  if (t && t->grad) {
    nn_tensor *g = t->grad;
    t->grad = NULL;
    nn_free(g);
  }
}
NNDEF int nn_set_grad_enabled(int enabled) {
  int prev = nn__no_grad_depth == 0;
  nn__no_grad_depth = enabled ? 0 : 1;
  return prev;
}
NNDEF int nn_is_grad_enabled(void) { return nn__no_grad_depth == 0; }
NNDEF void nn_no_grad_begin(void) { nn__no_grad_depth++; }
NNDEF void nn_no_grad_end(void) {
  if (nn__no_grad_depth > 0) nn__no_grad_depth--;
}

NNDEF nn_tensor *nn_detach(const nn_tensor *t) {
  nn_tensor *v;
  if (nn__check_cpu("nn_detach", t, "t") != NN_OK) return NULL;
  v = nn__view("nn_detach", t, t->shape, t->strides, t->ndim, t->data);
  return v;
}

/* ---- fitting a gradient to its input ---- */

/* Sums g over the dimensions that broadcasting added or stretched so it has the given shape, and converts it to
   dtype. Returns g itself when nothing needs doing, else a new tensor (g is left to the caller). */
NN__PRIVATE nn_tensor *nn__ag_fit(const char *name, nn_tensor *g, const int64_t *shape, int ndim, nn_dtype dt) {
  int axes[NN_MAX_DIMS], naxes = 0, lead = g->ndim - ndim, i;
  nn_tensor *r = g, *s, *c;
  if (lead < 0) {
    char b1[96], b2[96];
    nn__fail(NN_ERR_SHAPE, "%s: backward produced a gradient of shape %s for an input of shape %s", name,
             nn__fmt_shape(b1, sizeof b1, g->shape, g->ndim), nn__fmt_shape(b2, sizeof b2, shape, ndim));
    return NULL;
  }
  for (i = 0; i < g->ndim; i++) {
    if (i < lead || (shape[i - lead] == 1 && g->shape[i] != 1)) axes[naxes++] = i;
    else if (shape[i - lead] != g->shape[i]) {
      char b1[96], b2[96];
      nn__fail(NN_ERR_SHAPE, "%s: backward produced a gradient of shape %s for an input of shape %s", name,
               nn__fmt_shape(b1, sizeof b1, g->shape, g->ndim), nn__fmt_shape(b2, sizeof b2, shape, ndim));
      return NULL;
    }
  }
  if (naxes > 0 || lead > 0) {
    s = nn_reduce(NN_REDUCE_SUM, g, axes, naxes, 1, 0);
    if (!s) return NULL;
    r = nn_reshape(s, shape, ndim);
    nn_free(s);
    if (!r) return NULL;
  }
  if (r->dtype != dt) {
    c = nn_astype(r, dt);
    if (r != g) nn_free(r);
    r = c;
  }
  return r;
}

/* ---- the backward pass ---- */

typedef struct nn__ag_list {
  nn__node **v;
  long n, cap;
} nn__ag_list;

NN__PRIVATE int nn__ag_push(nn__ag_list *l, nn__node *n) {
  if (l->n == l->cap) {
    long cap = l->cap ? 2 * l->cap : 64;
    nn__node **v = (nn__node **)NN_REALLOC(l->v, sizeof(nn__node *) * (size_t)cap);
    if (!v) return 0;
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = n;
  return 1;
}

/* Post-order of the nodes reachable from root (inputs before the nodes that use them), iteratively: each stack
   entry remembers which input it visits next. A node is marked with this traversal's stamp when first reached. */
typedef struct nn__ag_frame {
  nn__node *node;
  int next;
} nn__ag_frame;

NN__PRIVATE nn_status nn__ag_topo(nn__node *root, nn__ag_list *order) {
  nn__ag_frame *stack = NULL;
  long n = 0, cap = 0;
  unsigned long stamp = ++nn__ag_stamp;
  nn_status st = NN_OK;
  root->mark = stamp;
  stack = (nn__ag_frame *)NN_MALLOC(sizeof(nn__ag_frame) * 64);
  if (!stack) goto oom;
  cap = 64;
  stack[n].node = root;
  stack[n].next = 0;
  n++;
  while (n > 0) {
    nn__ag_frame *fr = &stack[n - 1];
    nn__node *c = NULL;
    while (fr->next < fr->node->nin) {
      c = fr->node->in[fr->next++].node;
      if (c && c->mark != stamp) break;
      c = NULL;
    }
    if (!c) {
      if (!nn__ag_push(order, fr->node)) goto oom;
      n--;
      continue;
    }
    c->mark = stamp;
    if (n == cap) {
      nn__ag_frame *s2 = (nn__ag_frame *)NN_REALLOC(stack, sizeof(nn__ag_frame) * (size_t)(2 * cap));
      if (!s2) goto oom;
      stack = s2;
      cap *= 2;
    }
    stack[n].node = c;
    stack[n].next = 0;
    n++;
  }
  goto out;
oom:
  st = nn__fail(NN_ERR_OOM, "nn_backward: cannot allocate the graph traversal");
out:
  NN_FREE(stack);
  return st;
}

/* Adds g into *acc (taking g over when *acc is empty). */
NN__PRIVATE nn_status nn__ag_accumulate(nn_tensor **acc, nn_tensor *g) {
  if (!*acc) {
    *acc = g;
    return NN_OK;
  }
  if (nn__is_float((*acc)->dtype) && nn_is_contiguous(*acc) && (*acc)->storage && (*acc)->storage->refcount == 1) {
    nn_status st = nn_add_scaled_out(*acc, *acc, g, 1.0);
    nn_free(g);
    return st;
  } else {
    nn_tensor *s = nn_add(*acc, g);
    nn_free(g);
    if (!s) return nn_last_status();
    nn_free(*acc);
    *acc = s;
    return NN_OK;
  }
}

/* Adds g (already fitted to the leaf's shape and dtype) into leaf->grad, which the leaf owns outside every scope. */
NN__PRIVATE nn_status nn__ag_to_leaf(nn_tensor *leaf, nn_tensor *g) {
  if (!leaf->grad) {
    nn_tensor *c = nn_copy(g);
    if (!c) return nn_last_status();
    nn__scope_unlink(c);
    leaf->grad = c;
    return NN_OK;
  }
  return nn_add_scaled_out(leaf->grad, leaf->grad, g, 1.0);
}

NNDEF nn_status nn_backward_ex(nn_tensor *t, const nn_tensor *grad, int retain_graph) {
  nn__ag_list order = {NULL, 0, 0};
  nn__node *root;
  nn_tensor *g0 = NULL;
  nn_status st = NN_OK;
  long k;
  int i, oom = 0;
  char b1[96], b2[96];
  if (nn__check_cpu("nn_backward", t, "t") != NN_OK) return nn_last_status();
  if (!t->requires_grad)
    return nn__fail(NN_ERR_ARG, "nn_backward: the tensor does not require grad and has no recorded history "
                                "(call nn_requires_grad on the leaves before computing it)");
  if (grad) {
    if (nn__check_cpu("nn_backward", grad, "grad") != NN_OK) return nn_last_status();
    if (grad->ndim != t->ndim || memcmp(grad->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim) != 0)
      return nn__fail(NN_ERR_SHAPE, "nn_backward: grad has shape %s but the tensor has shape %s",
                      nn__fmt_shape(b1, sizeof b1, grad->shape, grad->ndim),
                      nn__fmt_shape(b2, sizeof b2, t->shape, t->ndim));
  } else if (t->size != 1) {
    return nn__fail(NN_ERR_SHAPE, "nn_backward: grad can be omitted only for a tensor with one element, got shape %s",
                    nn__fmt_shape(b1, sizeof b1, t->shape, t->ndim));
  }
  root = nn__ag_edge_of(t, &oom);
  if (!root) return oom ? nn_last_status() : nn__fail(NN_ERR_ARG, "nn_backward: nothing to differentiate");
  st = nn__ag_topo(root, &order);
  if (st != NN_OK) goto out_noscope;
  for (k = 0; k < order.n; k++)
    if (order.v[k]->released) {
      st = nn__fail(NN_ERR_ARG,
                    "nn_backward: trying to backward through the graph a second time (through %s); its saved "
                    "tensors were freed by the first nn_backward: pass retain_graph = 1 to nn_backward_ex",
                    order.v[k]->name);
      goto out_noscope;
    }
  st = nn_scope_begin();
  if (st != NN_OK) goto out_noscope;
  nn__no_grad_depth++;
  g0 = grad ? nn_astype(grad, t->dtype) : nn_ones(t->shape, t->ndim, t->dtype);
  if (!g0) {
    st = nn_last_status();
    goto out;
  }
  root->gacc = g0;
  /* reverse post-order: every node runs after all the nodes that feed gradient into it */
  for (k = order.n - 1; k >= 0 && st == NN_OK; k--) {
    nn__node *n = order.v[k];
    nn_tensor *gin_small[4], **gin = gin_small;
    nn_tensor *gout = n->gacc;
    if (!gout) continue;
    n->gacc = NULL;
    if (n->is_leaf) {
      if (n->leaf) st = nn__ag_to_leaf(n->leaf, gout);
      nn_free(gout);
      continue;
    }
    if (n->nin > 4) {
      gin = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)n->nin);
      if (!gin) {
        nn_free(gout);
        st = nn__fail(NN_ERR_OOM, "nn_backward: out of memory in %s", n->name);
        break;
      }
    }
    for (i = 0; i < n->nin; i++) gin[i] = NULL;
    st = n->backward(n, gout, gin);
    nn_free(gout);
    for (i = 0; i < n->nin; i++) {
      nn_tensor *g = gin[i], *f;
      nn__edge *e = &n->in[i];
      if (!g) continue;
      if (st != NN_OK || !e->node) {
        nn_free(g);
        continue;
      }
      f = nn__ag_fit(n->name, g, e->shape, e->ndim, e->dtype);
      if (f != g) nn_free(g);
      if (!f) {
        st = nn_last_status();
        continue;
      }
      st = nn__ag_accumulate(&e->node->gacc, f);
    }
    if (gin != gin_small) NN_FREE(gin);
    if (!retain_graph) {
      for (i = 0; i < NN__AG_SAVED; i++) {
        nn_free(n->saved[i]);
        n->saved[i] = NULL;
      }
      n->released = 1;
    }
  }
out:
  for (k = 0; k < order.n; k++) {
    nn_free(order.v[k]->gacc);
    order.v[k]->gacc = NULL;
  }
  nn__no_grad_depth--;
  nn_scope_end();
out_noscope:
  NN_FREE(order.v);
  return st;
}

NNDEF nn_status nn_backward(nn_tensor *t, const nn_tensor *grad) { return nn_backward_ex(t, grad, 0); }

/* ---- custom ops ---- */

typedef struct nn__custom {
  nn_backward_fn fn;
  void *ctx;
  int nsaved;
  nn_tensor **saved;
} nn__custom;

NN__PRIVATE void nn__custom_free(void *p) {
  nn__custom *c = (nn__custom *)p;
  int i;
  for (i = 0; i < c->nsaved; i++) nn_free(c->saved[i]);
  NN_FREE(c->saved);
  NN_FREE(c);
}

NN__PRIVATE nn_status nn__custom_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  nn__custom *c = (nn__custom *)n->extra;
  nn_status st;
  int i;
  for (i = 0; i < c->nsaved; i++)
    if (!c->saved[i]) return nn__fail(NN_ERR_ARG, "nn_backward: %s: its saved tensors were already freed", n->name);
  st = c->fn(gout, c->saved, c->nsaved, c->ctx, gin, n->nin);
  if (st != NN_OK && nn_last_status() == NN_OK) st = nn__fail(st, "nn_backward: %s: the backward function failed", n->name);
  return st;
}

NNDEF nn_tensor *nn_custom_op(const char *name, nn_tensor *output, nn_tensor *const *inputs, int ninputs,
                              nn_tensor *const *saved, int nsaved, nn_backward_fn fn, void *ctx) {
  nn__node *n;
  nn__custom *c;
  int i, any = 0;
  if (!name) name = "nn_custom_op";
  if (nn__check_cpu(name, output, "output") != NN_OK) return NULL;
  if (!fn || ninputs < 0 || nsaved < 0 || (ninputs > 0 && !inputs) || (nsaved > 0 && !saved)) {
    nn__fail(NN_ERR_ARG, "%s (nn_custom_op): needs a backward function and %d inputs / %d saved tensors", name,
             ninputs, nsaved);
    nn_free(output);
    return NULL;
  }
  for (i = 0; i < ninputs; i++) any |= nn__ag_wanted1(inputs[i]);
  if (!any) return output;
  c = (nn__custom *)NN_MALLOC(sizeof(nn__custom));
  if (c) {
    memset(c, 0, sizeof(*c));
    c->saved = nsaved ? (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)nsaved) : NULL;
    if (nsaved && !c->saved) {
      NN_FREE(c);
      c = NULL;
    }
  }
  if (!c) {
    nn__fail(NN_ERR_OOM, "%s: cannot allocate an autograd node", name);
    nn_free(output);
    return NULL;
  }
  c->fn = fn;
  c->ctx = ctx;
  for (i = 0; i < nsaved; i++) c->saved[i] = NULL;
  c->nsaved = nsaved;
  for (i = 0; i < nsaved; i++) {
    if (!saved[i]) continue;
    c->saved[i] = nn__view(name, saved[i], saved[i]->shape, saved[i]->strides, saved[i]->ndim, saved[i]->data);
    if (!c->saved[i]) {
      nn__custom_free(c);
      nn_free(output);
      return NULL;
    }
    nn__scope_unlink(c->saved[i]);
  }
  n = nn__ag_node(name, nn__custom_backward, ninputs, (const nn_tensor *const *)inputs);
  if (!n) {
    nn__custom_free(c);
    nn_free(output);
    return NULL;
  }
  n->extra = c;
  n->free_extra = nn__custom_free;
  return nn__ag_attach(n, output);
}

/* ---- gradient check ---- */

NNDEF nn_status nn_gradcheck(nn_grad_fn f, void *ctx, nn_tensor *const *inputs, int n, double eps, double atol,
                             double rtol) {
  nn_tensor *y = NULL, *w = NULL, **saved_grads = NULL;
  nn_status st = NN_OK;
  uint64_t state = 0x9E3779B97F4A7C15ull;
  int i, scoped = 0;
  int64_t j, k;
  if (!f || !inputs || n <= 0) return nn__fail(NN_ERR_ARG, "nn_gradcheck: needs a function and at least one input");
  for (i = 0; i < n; i++) {
    if (nn__check_cpu("nn_gradcheck", inputs[i], "inputs[i]") != NN_OK) return nn_last_status();
    if (!nn__is_float(inputs[i]->dtype))
      return nn__fail(NN_ERR_DTYPE, "nn_gradcheck: input %d is %s; use float64 inputs", i,
                      nn_dtype_name(inputs[i]->dtype));
  }
  saved_grads = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)n);
  if (!saved_grads) return nn__fail(NN_ERR_OOM, "nn_gradcheck: out of memory");
  for (i = 0; i < n; i++) { /* leave the caller's accumulated gradients alone */
    saved_grads[i] = inputs[i]->grad;
    inputs[i]->grad = NULL;
  }
  st = nn_scope_begin();
  if (st != NN_OK) goto restore;
  scoped = 1;
  y = f(inputs, n, ctx);
  if (!y) {
    st = nn_last_status() != NN_OK ? nn_last_status() : nn__fail(NN_ERR_ARG, "nn_gradcheck: f returned NULL");
    goto done;
  }
  w = nn_empty(y->shape, y->ndim, y->dtype);
  if (!w) {
    st = nn_last_status();
    goto done;
  }
  for (j = 0; j < w->size; j++) { /* fixed weights in [0.5, 1.5) with random signs: no cancellation by symmetry */
    double u;
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    u = (double)(state >> 11) * (1.0 / 9007199254740992.0);
    nn_set_flat(w, j, (u < 0.5 ? -1.0 : 1.0) * (0.5 + 2.0 * fabs(u - 0.5)));
  }
  if (!y->requires_grad) {
    st = nn__fail(NN_ERR_ARG, "nn_gradcheck: the output does not depend on any input that requires grad");
    goto done;
  }
  st = nn_backward(y, w);
  if (st != NN_OK) goto done;
  for (i = 0; i < n && st == NN_OK; i++) {
    nn_tensor *x = inputs[i];
    if (!x->requires_grad) continue;
    for (j = 0; j < x->size && st == NN_OK; j++) {
      double x0 = nn_get_flat(x, j), fp = 0, fm = 0, num, ana;
      int side;
      for (side = 0; side < 2; side++) {
        nn_tensor *yy;
        nn_set_flat(x, j, side == 0 ? x0 + eps : x0 - eps);
        nn_no_grad_begin();
        yy = f(inputs, n, ctx);
        nn_no_grad_end();
        if (!yy) {
          st = nn_last_status();
          break;
        }
        for (k = 0; k < yy->size; k++) {
          double v = nn_get_flat(yy, k) * nn_get_flat(w, k);
          if (side == 0) fp += v;
          else fm += v;
        }
        nn_free(yy);
      }
      nn_set_flat(x, j, x0);
      if (st != NN_OK) break;
      num = (fp - fm) / (2 * eps);
      ana = x->grad ? nn_get_flat(x->grad, j) : 0.0;
      if (!(fabs(ana - num) <= atol + rtol * fabs(num))) {
        int64_t idx[NN_MAX_DIMS], rem = j;
        char buf[160];
        int d, len = 0;
        for (d = x->ndim - 1; d >= 0; d--) {
          idx[d] = x->shape[d] ? rem % x->shape[d] : 0;
          rem = x->shape[d] ? rem / x->shape[d] : 0;
        }
        buf[0] = 0;
        for (d = 0; d < x->ndim && len < 120; d++) len += snprintf(buf + len, sizeof buf - (size_t)len, d ? ",%lld" : "%lld", (long long)idx[d]);
        st = nn__fail(NN_ERR_VALUE,
                      "nn_gradcheck: input %d element (%s): analytic gradient %.10g, numerical %.10g (difference %.3g)",
                      i, buf, ana, num, fabs(ana - num));
      }
    }
  }
done:
  if (scoped) nn_scope_end();
restore:
  for (i = 0; i < n; i++) {
    nn_zero_grad(inputs[i]);
    inputs[i]->grad = saved_grads[i];
  }
  NN_FREE(saved_grads);
  return st;
}
/* ---- end src/autograd/engine.c ---- */
/* ---- begin src/autograd/grad_elementwise.c ---- */
/* autograd/grad_elementwise.c: backward formulas of the elementwise ops (PyTorch's derivatives, including its
   conventions at kinks: relu'(0) = 0, |x|'(0) = 0, maximum/minimum split the gradient evenly on ties). */

/* ---- unary: gx = g * f'(x, y) in one pass over (gx, g, x, y), y being the op's result ---- */

typedef struct nn__ugrad_ctx {
  nn_unop op;
} nn__ugrad_ctx;

#define NN__SQRT_2_PI 0.79788456080286535588 /* sqrt(2 / pi) */
#define NN__INV_SQRT_2PI 0.39894228040143267794 /* 1 / sqrt(2 pi) */

/* d op(x) / dx from x and y = op(x), in double. */
NN__PRIVATE double nn__unop_deriv(nn_unop op, double x, double y) {
  switch (op) {
    case NN_OP_NEG: return -1.0;
    case NN_OP_ABS: return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
    case NN_OP_SQUARE: return 2.0 * x;
    case NN_OP_RELU: return y > 0 ? 1.0 : 0.0;
    case NN_OP_EXP: return y;
    case NN_OP_EXP2: return y * 0.69314718055994530942;
    case NN_OP_EXPM1: return y + 1.0;
    case NN_OP_LOG: return 1.0 / x;
    case NN_OP_LOG2: return 1.0 / (x * 0.69314718055994530942);
    case NN_OP_LOG10: return 1.0 / (x * 2.30258509299404568402);
    case NN_OP_LOG1P: return 1.0 / (1.0 + x);
    case NN_OP_SQRT: return 0.5 / y;
    case NN_OP_RSQRT: return -0.5 * y * y * y;
    case NN_OP_RECIPROCAL: return -y * y;
    case NN_OP_SIN: return cos(x);
    case NN_OP_COS: return -sin(x);
    case NN_OP_TAN: return 1.0 + y * y;
    case NN_OP_ASIN: return 1.0 / sqrt(1.0 - x * x);
    case NN_OP_ACOS: return -1.0 / sqrt(1.0 - x * x);
    case NN_OP_ATAN: return 1.0 / (1.0 + x * x);
    case NN_OP_SINH: return cosh(x);
    case NN_OP_COSH: return sinh(x);
    case NN_OP_TANH: return 1.0 - y * y;
    case NN_OP_SIGMOID: return y * (1.0 - y);
    case NN_OP_ERF: return 1.12837916709551257390 * exp(-x * x);
    case NN_OP_GELU: return 0.5 * (1.0 + erf(x * 0.70710678118654752440)) + x * NN__INV_SQRT_2PI * exp(-0.5 * x * x);
    case NN_OP_GELU_TANH: {
      double inner = NN__SQRT_2_PI * (x + 0.044715 * x * x * x), t = tanh(inner);
      return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * NN__SQRT_2_PI * (1.0 + 3.0 * 0.044715 * x * x);
    }
    case NN_OP_SILU: {
      double s = 1.0 / (1.0 + exp(-x));
      return s * (1.0 + x * (1.0 - s));
    }
    case NN_OP_SOFTPLUS: return x > 20.0 ? 1.0 : 1.0 / (1.0 + exp(-x));
    case NN_OP_LOG_SIGMOID: return 1.0 / (1.0 + exp(x));
    default: return 0.0; /* sign, round, floor, ceil, trunc: piecewise constant */
  }
}

/* float32 rows compute the cheap, hot derivatives in float (vectorizable) and the rest through double. */
NN__PRIVATE void nn__ugrad_row_f32(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__ugrad_ctx *c = (const nn__ugrad_ctx *)vctx;
  float *gx = (float *)p[0];
  const float *g = (const float *)p[1], *x = (const float *)p[2], *y = (const float *)p[3];
  int64_t i, s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
  switch (c->op) {
    case NN_OP_RELU:
      for (i = 0; i < n; i++) gx[i * s0] = y[i * s3] > 0.0f ? g[i * s1] : 0.0f;
      return;
    case NN_OP_TANH:
      for (i = 0; i < n; i++) gx[i * s0] = g[i * s1] * (1.0f - y[i * s3] * y[i * s3]);
      return;
    case NN_OP_SIGMOID:
      for (i = 0; i < n; i++) gx[i * s0] = g[i * s1] * (y[i * s3] * (1.0f - y[i * s3]));
      return;
    case NN_OP_EXP:
      for (i = 0; i < n; i++) gx[i * s0] = g[i * s1] * y[i * s3];
      return;
    case NN_OP_NEG:
      for (i = 0; i < n; i++) gx[i * s0] = -g[i * s1];
      return;
    case NN_OP_SQUARE:
      for (i = 0; i < n; i++) gx[i * s0] = g[i * s1] * (2.0f * x[i * s2]);
      return;
    default:
      for (i = 0; i < n; i++) gx[i * s0] = (float)((double)g[i * s1] * nn__unop_deriv(c->op, x[i * s2], y[i * s3]));
  }
}

NN__PRIVATE void nn__ugrad_row_f64(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__ugrad_ctx *c = (const nn__ugrad_ctx *)vctx;
  double *gx = (double *)p[0];
  const double *g = (const double *)p[1], *x = (const double *)p[2], *y = (const double *)p[3];
  int64_t i;
  for (i = 0; i < n; i++) gx[i * st[0]] = g[i * st[1]] * nn__unop_deriv(c->op, x[i * st[2]], y[i * st[3]]);
}

NN__PRIVATE nn_status nn__unary_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  nn_tensor *x = n->saved[0], *y = n->saved[1], *gx, *g = NULL, *ops[4];
  nn__ugrad_ctx ctx;
  nn__iter it;
  nn_dtype dt = y->dtype;
  ctx.op = (nn_unop)n->i[0];
  if (!nn__is_float(dt) || x->dtype != dt) return nn__fail(NN_ERR_DTYPE, "nn_backward: %s: unexpected dtypes", n->name);
  if (gout->dtype != dt) {
    g = nn_astype(gout, dt);
    if (!g) return nn_last_status();
  }
  gx = nn__new(n->name, dt, y->shape, y->ndim);
  if (!gx) {
    nn_free(g);
    return nn_last_status();
  }
  ops[0] = gx;
  ops[1] = g ? g : (nn_tensor *)gout;
  ops[2] = x;
  ops[3] = y;
  nn__iter_init(&it, 4, ops, gx->shape, gx->ndim);
  nn__iter_run(&it, dt == NN_FLOAT32 ? nn__ugrad_row_f32 : nn__ugrad_row_f64, &ctx);
  nn_free(g);
  gin[0] = gx;
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__grad_unary(nn_unop op, nn_tensor *res, const nn_tensor *x) {
  nn__node *n;
  if (op >= NN_OP_ISNAN || !nn__is_float(res->dtype) || !nn__is_float(x->dtype)) return res; /* not differentiable */
  n = nn__ag_node(nn_unop_name(op), nn__unary_backward, 1, &x);
  if (n) {
    n->i[0] = (int64_t)op;
    if (nn__ag_save(n, 0, x) != NN_OK || nn__ag_save(n, 1, res) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* ---- binary ---- */

/* x <op> s for a comparison op, s a plain number. */
NN__PRIVATE nn_tensor *nn__cmp_scalar(nn_binop op, const nn_tensor *x, double s) {
  nn_tensor *c = nn_scalar(s, x->dtype), *r;
  if (!c) return NULL;
  r = nn_binary(op, x, c);
  nn_free(c);
  return r;
}

/* Ties of maximum/minimum: the gradient where a == b is split in half, elsewhere it goes to the selected side. */
NN__PRIVATE nn_tensor *nn__minmax_share(const nn_tensor *g, const nn_tensor *a, const nn_tensor *b, int is_max) {
  nn_tensor *win = is_max ? nn_greater(a, b) : nn_less(a, b), *tie = nn_equal(a, b), *w = NULL, *h = NULL, *r = NULL;
  if (win && tie) {
    h = nn_mul_scalar(tie, 0.5);
    if (h) w = nn_add(win, h); /* 1, 0.5 or 0 */
    if (w) r = nn_mul(g, w);
  }
  nn_free(win);
  nn_free(tie);
  nn_free(h);
  nn_free(w);
  return r;
}

NN__PRIVATE nn_status nn__binary_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  nn_tensor *a = n->saved[0], *b = n->saved[1], *y = n->saved[2], *t = NULL, *u = NULL, *v = NULL;
  int need_a = n->in[0].node != NULL, need_b = n->in[1].node != NULL;
  switch ((nn_binop)n->i[0]) {
    case NN_OP_ADD:
      if (need_a) gin[0] = nn_copy(g);
      if (need_b) gin[1] = nn_copy(g);
      break;
    case NN_OP_SUB:
      if (need_a) gin[0] = nn_copy(g);
      if (need_b) gin[1] = nn_neg(g);
      break;
    case NN_OP_MUL:
      if (need_a) gin[0] = nn_mul(g, b);
      if (need_b) gin[1] = nn_mul(g, a);
      break;
    case NN_OP_DIV: /* da = g / b; db = -g a / b^2 = -g y / b */
      if (need_a) gin[0] = nn_div(g, b);
      if (need_b) {
        t = nn_mul(g, y);
        if (t) u = nn_div(t, b);
        if (u) gin[1] = nn_neg(u);
      }
      break;
    case NN_OP_POW: /* da = g b a^(b-1); db = g y log(a), 0 where a == 0 and b >= 0 (PyTorch) */
      if (need_a) {
        t = nn_sub_scalar(b, 1.0);
        if (t) u = nn_pow(a, t);
        if (u) v = nn_mul(u, b);
        if (v) gin[0] = nn_mul(g, v);
        nn_free(t);
        nn_free(u);
        nn_free(v);
        t = u = v = NULL;
      }
      if (need_b) {
        nn_tensor *mask = NULL, *zero = NULL;
        t = nn_log(a);
        if (t) u = nn_mul(y, t);
        if (u) v = nn_mul(g, u);
        if (v) {
          nn_tensor *az = nn__cmp_scalar(NN_OP_EQ, a, 0.0), *bp = nn__cmp_scalar(NN_OP_GE, b, 0.0);
          if (az && bp) mask = nn_logical_and(az, bp);
          nn_free(az);
          nn_free(bp);
          if (mask) zero = nn_zeros_like(v);
          if (zero) gin[1] = nn_where(mask, zero, v);
          nn_free(mask);
          nn_free(zero);
        }
      }
      break;
    case NN_OP_MAXIMUM:
    case NN_OP_MINIMUM: {
      int is_max = n->i[0] == NN_OP_MAXIMUM;
      if (need_a) gin[0] = nn__minmax_share(g, a, b, is_max);
      if (need_b) gin[1] = nn__minmax_share(g, b, a, is_max);
      break;
    }
    case NN_OP_ATAN2: /* d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2) */
      t = nn_mul(a, a);
      u = nn_mul(b, b);
      if (t && u) v = nn_add(t, u);
      nn_free(t);
      nn_free(u);
      t = u = NULL;
      if (v && need_a) {
        t = nn_div(b, v);
        if (t) gin[0] = nn_mul(g, t);
      }
      if (v && need_b) {
        u = nn_div(a, v);
        if (u) {
          nn_tensor *w = nn_mul(g, u);
          if (w) gin[1] = nn_neg(w);
          nn_free(w);
        }
      }
      break;
    case NN_OP_MOD: /* a - floor(a / b) b: da = g, db = -g floor(a / b) */
      if (need_a) gin[0] = nn_copy(g);
      if (need_b) {
        t = nn_div(a, b);
        if (t) u = nn_floor(t);
        if (u) {
          nn_tensor *w = nn_mul(g, u);
          if (w) gin[1] = nn_neg(w);
          nn_free(w);
        }
      }
      break;
    default: /* floor_divide: piecewise constant, zero gradient */
      if (need_a) gin[0] = nn_zeros_like(g);
      if (need_b) gin[1] = nn_zeros_like(g);
      break;
  }
  nn_free(t);
  nn_free(u);
  nn_free(v);
  if ((need_a && !gin[0]) || (need_b && !gin[1])) return nn_last_status() != NN_OK ? nn_last_status() : NN_ERR_OOM;
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__grad_binary(nn_binop op, nn_tensor *res, const nn_tensor *a, const nn_tensor *b) {
  const nn_tensor *in[2];
  nn__node *n;
  if (op >= NN_OP_EQ || !nn__is_float(res->dtype)) return res; /* comparisons, logic, integer results */
  in[0] = a;
  in[1] = b;
  n = nn__ag_node(nn_binop_name(op), nn__binary_backward, 2, in);
  if (n) {
    int ok = 1;
    n->i[0] = (int64_t)op;
    if (op == NN_OP_MUL || op == NN_OP_DIV || op == NN_OP_POW || op == NN_OP_MAXIMUM || op == NN_OP_MINIMUM ||
        op == NN_OP_ATAN2 || op == NN_OP_MOD)
      ok = nn__ag_save(n, 0, a) == NN_OK && nn__ag_save(n, 1, b) == NN_OK;
    if (ok && (op == NN_OP_DIV || op == NN_OP_POW)) ok = nn__ag_save(n, 2, res) == NN_OK;
    if (!ok) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* ---- a + alpha b, where, clip, copies ---- */

NN__PRIVATE nn_status nn__add_scaled_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  if (n->in[0].node && !(gin[0] = nn_copy(g))) return nn_last_status();
  if (n->in[1].node && !(gin[1] = nn_mul_scalar(g, n->d[0]))) return nn_last_status();
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__grad_add_scaled(nn_tensor *res, const nn_tensor *a, const nn_tensor *b, double alpha) {
  const nn_tensor *in[2];
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  in[0] = a;
  in[1] = b;
  n = nn__ag_node("add_scaled", nn__add_scaled_backward, 2, in);
  if (n) n->d[0] = alpha;
  return nn__ag_attach(n, res);
}

/* where: the gradient goes to a where cond holds and to b elsewhere. */
NN__PRIVATE nn_status nn__where_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  nn_tensor *cond = n->saved[0], *zero = nn_zeros(NULL, 0, g->dtype);
  if (!zero) return nn_last_status();
  if (n->in[1].node) gin[1] = nn_where(cond, g, zero);
  if (n->in[2].node) gin[2] = nn_where(cond, zero, g);
  nn_free(zero);
  if ((n->in[1].node && !gin[1]) || (n->in[2].node && !gin[2])) return nn_last_status();
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__grad_where(nn_tensor *res, const nn_tensor *cond, const nn_tensor *a, const nn_tensor *b) {
  const nn_tensor *in[3];
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  in[0] = NULL; /* the condition gets no gradient */
  in[1] = a;
  in[2] = b;
  n = nn__ag_node("where", nn__where_backward, 3, in);
  if (n && nn__ag_save(n, 0, cond) != NN_OK) {
    nn__node_decref(n);
    n = NULL;
  }
  return nn__ag_attach(n, res);
}

/* clip: the gradient passes where lo <= x <= hi (PyTorch's clamp_backward). */
NN__PRIVATE nn_status nn__clip_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  nn_tensor *x = n->saved[0], *ge = nn__cmp_scalar(NN_OP_GE, x, n->d[0]), *le = nn__cmp_scalar(NN_OP_LE, x, n->d[1]);
  nn_tensor *m = NULL;
  if (ge && le) m = nn_logical_and(ge, le);
  if (m) gin[0] = nn_mul(g, m);
  nn_free(ge);
  nn_free(le);
  nn_free(m);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_clip(nn_tensor *res, const nn_tensor *x, double lo, double hi) {
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node("clip", nn__clip_backward, 1, &x);
  if (n) {
    n->d[0] = lo;
    n->d[1] = hi;
    if (nn__ag_save(n, 0, x) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* astype / copy / contiguous: the gradient passes unchanged (the engine converts it back to x's dtype). */
NN__PRIVATE nn_status nn__identity_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  (void)n;
  gin[0] = nn_copy(g);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_copy(nn_tensor *res, const nn_tensor *x) {
  if (!nn__is_float(res->dtype)) return res;
  return nn__ag_attach(nn__ag_node("copy", nn__identity_backward, 1, &x), res);
}
/* ---- end src/autograd/grad_elementwise.c ---- */
/* ---- begin src/autograd/grad_reduce.c ---- */
/* autograd/grad_reduce.c: backward formulas of the reductions (PyTorch's derivatives). */

/* g with the reduced axes of the input put back as length-1 axes, so that it broadcasts against the input. */
NN__PRIVATE nn_tensor *nn__ag_unreduce(const nn__node *n, const nn_tensor *g) {
  int64_t shape[NN_MAX_DIMS];
  const nn__edge *e = &n->in[0];
  int i;
  for (i = 0; i < e->ndim; i++) shape[i] = n->i[1 + i] ? 1 : e->shape[i];
  return nn_reshape(g, shape, e->ndim);
}

NN__PRIVATE nn_status nn__reduce_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  nn_tensor *gk = nn__ag_unreduce(n, g), *t = NULL;
  if (!gk) return nn_last_status();
  switch ((int)n->i[0]) {
    case NN_REDUCE_SUM: gin[0] = nn_broadcast_to(gk, e->shape, e->ndim); break;
    case NN_REDUCE_MEAN:
      t = nn_div_scalar(gk, n->d[0]);
      if (t) gin[0] = nn_broadcast_to(t, e->shape, e->ndim);
      break;
    default:
      nn_free(gk);
      return nn__fail(NN_ERR_UNSUPPORTED, "nn_backward: the gradient of reduction %d is not implemented", (int)n->i[0]);
  }
  nn_free(gk);
  nn_free(t);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_reduce(int op, nn_tensor *res, const nn_tensor *x, const int *red, int ddof) {
  nn__node *n;
  int i;
  double count = 1;
  (void)ddof;
  if (!nn__is_float(res->dtype) || !nn__is_float(x->dtype)) return res;
  static const char *const names[NN_REDUCE_COUNT] = {"sum", "mean", "prod", "min", "max",
                                                     "any", "all", "logsumexp", "var", "std"};
  n = nn__ag_node(names[op], nn__reduce_backward, 1, &x);
  if (!n) return nn__ag_attach(NULL, res);
  n->i[0] = op;
  for (i = 0; i < x->ndim; i++) {
    n->i[1 + i] = red[i] != 0;
    if (red[i]) count *= (double)x->shape[i];
  }
  n->d[0] = count;
  return nn__ag_attach(n, res);
}
/* ---- end src/autograd/grad_reduce.c ---- */
/* ---- begin src/autograd/grad_shape.c ---- */
/* autograd/grad_shape.c: backward formulas of the views and shape ops. */
/* ---- end src/autograd/grad_shape.c ---- */
/* ---- begin src/autograd/grad_index.c ---- */
/* autograd/grad_index.c: backward formulas of the indexing ops. */
/* ---- end src/autograd/grad_index.c ---- */
/* ---- begin src/autograd/grad_linalg.c ---- */
/* autograd/grad_linalg.c: backward formulas of matmul and its relatives. */
/* ---- end src/autograd/grad_linalg.c ---- */
/* ---- begin src/autograd/grad_conv.c ---- */
/* autograd/grad_conv.c: backward formulas of convolution and pooling. */
/* ---- end src/autograd/grad_conv.c ---- */
/* ---- begin src/nn/layer.c ---- */
/* nn/layer.c: the layer interface. */
/* ---- end src/nn/layer.c ---- */
/* ---- begin src/nn/losses.c ---- */
/* nn/losses.c: loss functions. */
/* ---- end src/nn/losses.c ---- */
/* ---- begin src/nn/optim.c ---- */
/* nn/optim.c: optimizers. */
/* ---- end src/nn/optim.c ---- */
/* ---- begin src/io/inflate.c ---- */
/* io/inflate.c: DEFLATE decompression. */
/* ---- end src/io/inflate.c ---- */

#endif /* NN_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the nn.h authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
