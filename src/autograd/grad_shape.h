/* autograd/grad_shape.h (private): recorders of the view, shape and indexing ops (autograd/grad_shape.c,
   autograd/grad_index.c), declared here so the ops above them in the manifest can call them.

   Each takes the op's result res (already computed), the input(s) and the op's parameters in normalized form
   (axes in [0, ndim) or NN_ALL_AXES), records a node, and returns res, or NULL after freeing res when the node
   cannot be made. Non-float results are returned untouched (not differentiable). */

/* 1 when grad mode is on and one of ts[0..n) requires grad (the multi-input form of nn__ag_wanted1). */
NN__PRIVATE int nn__ag_wanted_n(nn_tensor *const *ts, int n) {
  int i;
  if (nn__no_grad_depth != 0 || !ts) return 0;
  for (i = 0; i < n; i++)
    if (ts[i] && ts[i]->requires_grad) return 1;
  return 0;
}

/* ---- views (core/views.c) ---- */
/* reshape, squeeze, unsqueeze, ravel: gx = reshape(g, x.shape). */
NN__PRIVATE nn_tensor *nn__grad_reshape(nn_tensor *res, const nn_tensor *x, const char *name);
/* permute (and transpose, swapaxes, moveaxis through it): gx = permute(g, inverse of axes); axes normalized. */
NN__PRIVATE nn_tensor *nn__grad_permute(nn_tensor *res, const nn_tensor *x, const int *axes);
/* x[start : start + count * step : step] along axis (start normalized, count >= 0): gx = zeros with g assigned into
   the same slice. Also the recorder of every output of the split family. */
NN__PRIVATE nn_tensor *nn__grad_slice(nn_tensor *res, const nn_tensor *x, const char *name, int axis, int64_t start,
                                      int64_t count, int64_t step);
/* select(axis, index), index normalized: gx = zeros with g assigned at that index. */
NN__PRIVATE nn_tensor *nn__grad_select(nn_tensor *res, const nn_tensor *x, int axis, int64_t index);
/* broadcast_to and view: gx = g (the engine sums broadcast dimensions back to x's shape). */
NN__PRIVATE nn_tensor *nn__grad_expand(nn_tensor *res, const nn_tensor *x, const char *name);
/* diagonal(offset, axis1, axis2), axes normalized: gx = zeros with g assigned into the same diagonal. */
NN__PRIVATE nn_tensor *nn__grad_diagonal(nn_tensor *res, const nn_tensor *x, int64_t offset, int axis1, int axis2);

/* ---- shape ops (ops/shape.c) ---- */
/* concatenate (stack = 0, axis normalized or NN_ALL_AXES) and stack (stack = 1, the new axis): one edge per input,
   each receiving its slice of g. */
NN__PRIVATE nn_tensor *nn__grad_join(nn_tensor *res, nn_tensor *const *ts, int n, int axis, int stack);
/* tile: each result axis longer than x's (x padded with leading length-1 axes) holds repeated copies. */
NN__PRIVATE nn_tensor *nn__grad_tile(nn_tensor *res, const nn_tensor *x);
/* repeat / repeat_each: counts[ncounts] (1: the same count for every element), axis normalized or NN_ALL_AXES. */
NN__PRIVATE nn_tensor *nn__grad_repeat(nn_tensor *res, const nn_tensor *x, const char *name, const int64_t *counts,
                                       int64_t ncounts, int axis);
/* pad: x->ndim (before, after) pairs and the mode; gradients of padded copies flow back to their sources. */
NN__PRIVATE nn_tensor *nn__grad_pad(nn_tensor *res, const nn_tensor *x, const int64_t *pad_width, int mode);
/* flip (axis normalized or NN_ALL_AXES): gx = flip(g). */
NN__PRIVATE nn_tensor *nn__grad_flip(nn_tensor *res, const nn_tensor *x, int axis);
/* roll (axis normalized or NN_ALL_AXES): gx = roll(g, -shift). */
NN__PRIVATE nn_tensor *nn__grad_roll(nn_tensor *res, const nn_tensor *x, int64_t shift, int axis);

#ifndef NN_NO_INDEX
/* ---- indexing (ops/index.c); idx is the op's contiguous int64 copy of the indices, negatives wrapped ---- */
/* take (and take_along_axis with NN_ALL_AXES): out = x[..., idx, ...] along axis (normalized or NN_ALL_AXES). */
NN__PRIVATE nn_tensor *nn__grad_take(nn_tensor *res, const nn_tensor *x, const nn_tensor *idx, int axis,
                                     const char *name);
/* take_along_axis and gather: out[..., j, ...] = x[..., idx[..., j, ...], ...] along axis (normalized); idx
   broadcasts against res's shape. */
NN__PRIVATE nn_tensor *nn__grad_along(nn_tensor *res, const nn_tensor *x, const nn_tensor *idx, int axis,
                                      const char *name);
/* masked_select: out = x[mask] over the broadcast shape of x and mask. */
NN__PRIVATE nn_tensor *nn__grad_masked_select(nn_tensor *res, const nn_tensor *x, const nn_tensor *mask);
/* scatter (add = 0) and scatter_add (add = 1) as new tensors: x gets g (scattered positions zeroed for scatter),
   src gets g gathered at idx. */
NN__PRIVATE nn_tensor *nn__grad_scatter(nn_tensor *res, const nn_tensor *x, int axis, const nn_tensor *idx,
                                        const nn_tensor *src, int add);
/* index_add as a new tensor: x gets g, src gets g taken at idx along axis. */
NN__PRIVATE nn_tensor *nn__grad_index_add(nn_tensor *res, const nn_tensor *x, int axis, const nn_tensor *idx,
                                          const nn_tensor *src);
#endif

#ifndef NN_NO_SORT
/* sort and topk values: res[..., j, ...] = x[..., idx[..., j, ...], ...] along axis (normalized or NN_ALL_AXES for
   the flattened x); idx is contiguous int64 with res's shape. */
NN__PRIVATE nn_tensor *nn__grad_sort(nn_tensor *res, const nn_tensor *x, const nn_tensor *idx, int axis,
                                     const char *name);
#endif
