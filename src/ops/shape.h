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
