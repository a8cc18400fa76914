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
