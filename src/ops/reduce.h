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
