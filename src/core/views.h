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
