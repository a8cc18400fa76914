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
