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
