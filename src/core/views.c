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
  nn_tensor *r;
  if (!x) {
    nn__fail_null("nn_view", "x");
    return NULL;
  }
  r = nn__view("nn_view", x, x->shape, x->strides, x->ndim, x->data);
  if (r && nn__ag_wanted1(x)) r = nn__grad_expand(r, x, "nn_view");
  return r;
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
  nn_tensor *r;
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
    r = nn__view("nn_reshape", x, ns, st, ndim, x->data);
  } else if (nn__reshape_strides(x, ns, ndim, st)) {
    r = nn__view("nn_reshape", x, ns, st, ndim, x->data);
  } else {
    nn_tensor *c = nn__new("nn_reshape", x->dtype, x->shape, x->ndim); /* a copy; the reshape node covers it */
    if (!c) return NULL;
    nn__assign(c, x);
    nn__contiguous_strides(st, ns, ndim);
    r = nn__view("nn_reshape", c, ns, st, ndim, c->data);
    nn_free(c);
  }
  if (r && nn__ag_wanted1(x)) r = nn__grad_reshape(r, x, "nn_reshape");
  return r;
}

NNDEF nn_tensor *nn_permute(const nn_tensor *x, const int *axes, int naxes) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS];
  int seen[NN_MAX_DIMS] = {0}, i;
  nn_tensor *r;
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
  r = nn__view("nn_permute", x, sh, st, x->ndim, x->data);
  if (r && nn__ag_wanted1(x)) r = nn__grad_permute(r, x, axes);
  return r;
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
  nn_tensor *r;
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
  r = nn__view("nn_slice", x, sh, st, x->ndim,
               (char *)x->data + (n > 0 ? start : 0) * x->strides[axis] * (int64_t)nn_dtype_size(x->dtype));
  if (r && nn__ag_wanted1(x)) r = nn__grad_slice(r, x, "nn_slice", axis, start, n, step);
  return r;
}

NNDEF nn_tensor *nn_select(const nn_tensor *x, int axis, int64_t index) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS], k = index;
  nn_tensor *r;
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
  r = nn__view("nn_select", x, sh, st, d, (char *)x->data + k * x->strides[axis] * (int64_t)nn_dtype_size(x->dtype));
  if (r && nn__ag_wanted1(x)) r = nn__grad_select(r, x, axis, k);
  return r;
}

NNDEF nn_tensor *nn_squeeze(const nn_tensor *x, int axis) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS];
  nn_tensor *r;
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
  r = nn__view("nn_squeeze", x, sh, st, d, x->data);
  if (r && nn__ag_wanted1(x)) r = nn__grad_reshape(r, x, "nn_squeeze");
  return r;
}

NNDEF nn_tensor *nn_unsqueeze(const nn_tensor *x, int axis) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS];
  nn_tensor *r;
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
  r = nn__view("nn_unsqueeze", x, sh, st, x->ndim + 1, x->data);
  if (r && nn__ag_wanted1(x)) r = nn__grad_reshape(r, x, "nn_unsqueeze");
  return r;
}

NNDEF nn_tensor *nn_broadcast_to(const nn_tensor *x, const int64_t *shape, int ndim) {
  int64_t st[NN_MAX_DIMS];
  char s1[160], s2[160];
  nn_tensor *r;
  if (nn__check_cpu("nn_broadcast_to", x, "x") != NN_OK) return NULL;
  if (nn__check_shape("nn_broadcast_to", shape, ndim) != NN_OK) return NULL;
  if (!nn__can_broadcast_to(x, shape, ndim)) {
    nn__fail(NN_ERR_SHAPE, "nn_broadcast_to: operands could not be broadcast together with remapped shapes %s and requested shape %s",
             nn_shape_str(x, s1, sizeof s1), nn__fmt_shape(s2, sizeof s2, shape, ndim));
    return NULL;
  }
  nn__broadcast_strides(x, shape, ndim, st);
  r = nn__view("nn_broadcast_to", x, shape, st, ndim, x->data);
  if (r && nn__ag_wanted1(x)) r = nn__grad_expand(r, x, "nn_broadcast_to");
  return r;
}

NNDEF nn_tensor *nn_diagonal(const nn_tensor *x, int64_t offset, int axis1, int axis2) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS], n, off = 0;
  nn_tensor *r;
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
  r = nn__view("nn_diagonal", x, sh, st, d + 1, (char *)x->data + off * (int64_t)nn_dtype_size(x->dtype));
  if (r && nn__ag_wanted1(x)) r = nn__grad_diagonal(r, x, offset, axis1, axis2);
  return r;
}

NNDEF nn_tensor *nn_ravel(const nn_tensor *x) {
  int64_t n;
  if (nn__check_cpu("nn_ravel", x, "x") != NN_OK) return NULL;
  n = x->size;
  return nn_reshape(x, &n, 1);
}
