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
/* Freed buffers of 32 KiB and more are kept for reuse (a training step asks for the same sizes every time) up to a
   limit, 256 MiB by default: nn_set_cache_limit changes it (0 turns the cache off and empties it),
   nn_cache_release returns every cached buffer to the allocator, nn_cache_bytes says how much is held. */
NNDEF void nn_set_cache_limit(size_t bytes);
NNDEF void nn_cache_release(void);
NNDEF size_t nn_cache_bytes(void);

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
