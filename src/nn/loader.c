/* nn/loader.c: mini-batches of in-memory samples: the epoch's permutation, rows gathered into a batch, image
   augmentation. The random draws come from one generator in a fixed order (the permutation, then each batch's
   augmentation), so a seed gives the same batches on every machine and thread count. */

struct nn_loader {
  nn_tensor *x, *y;   /* views of the caller's tensors, owned by the loader */
  nn_tensor *perm;    /* this epoch's order (int64), NULL without shuffling */
  nn_loader_desc d;
  nn_rng rng;
  int64_t n;          /* samples */
  int64_t next;       /* first sample of the next batch; -1: the next call starts an epoch */
};

/* Rows idx (int64) of t as a new tensor, or rows [b, e) as a view when idx is NULL. Contiguous data (the usual
   case) is gathered row by row with memcpy. */
NN__PRIVATE nn_tensor *nn__rows(const char *op, const nn_tensor *t, const nn_tensor *idx, int64_t b, int64_t e) {
  int64_t shape[NN_MAX_DIMS], i, n, row;
  int contig;
  nn_tensor *r;
  if (!idx) return nn_slice(t, 0, b, e, 1);
  n = idx->size;
  for (i = 0; i < t->ndim; i++) shape[i] = t->shape[i];
  shape[0] = n;
  r = nn__new(op, t->dtype, shape, t->ndim);
  if (!r) return NULL;
  row = t->shape[0] > 0 ? t->size / t->shape[0] : 0;
  contig = nn_is_contiguous(t);
  for (i = 0; i < n; i++) {
    int64_t k = (int64_t)nn_get_flat(idx, i);
    if (contig) {
      size_t es = nn_dtype_size(t->dtype);
      memcpy((char *)r->data + (size_t)(i * row) * es, (const char *)t->data + (size_t)(k * row) * es, (size_t)row * es);
    } else {
      nn_tensor *src = nn_select(t, 0, k), *dst = nn_select(r, 0, i);
      nn_status st = src && dst ? nn_assign(dst, src) : nn_last_status();
      nn_free(src);
      nn_free(dst);
      if (st != NN_OK) {
        nn_free(r);
        return NULL;
      }
    }
  }
  return r;
}

/* Random shifts (zero fill) and horizontal flips of a contiguous (N, C, H, W) float32 batch, per sample, in
   place. */
NN__PRIVATE nn_status nn__augment(const char *op, nn_tensor *xb, int shift, int flip, nn_rng *rng) {
  int64_t n, c, h, w, N = xb->shape[0], C = xb->shape[1], H = xb->shape[2], W = xb->shape[3];
  float *tmp = (float *)NN_MALLOC(sizeof(float) * (size_t)(H * W > 0 ? H * W : 1));
  if (!tmp) return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
  for (n = 0; n < N; n++) {
    int64_t dy = shift ? nn_rng_int(rng, -shift, shift + 1) : 0, dx = shift ? nn_rng_int(rng, -shift, shift + 1) : 0;
    int fl = flip && nn_rng_uniform(rng) < 0.5;
    for (c = 0; c < C; c++) {
      float *img = (float *)xb->data + (n * C + c) * H * W;
      memcpy(tmp, img, sizeof(float) * (size_t)(H * W));
      for (h = 0; h < H; h++)
        for (w = 0; w < W; w++) {
          int64_t sh = h - dy, sw = (fl ? W - 1 - w : w) - dx;
          img[h * W + w] = sh >= 0 && sh < H && sw >= 0 && sw < W ? tmp[sh * W + sw] : 0.0f;
        }
    }
  }
  NN_FREE(tmp);
  return NN_OK;
}

NNDEF nn_loader *nn_loader_new(const nn_tensor *x, const nn_tensor *y, const nn_loader_desc *desc) {
  static const char *op = "nn_loader_new";
  nn_loader *l;
  char b1[96], b2[96];
  if (!x) {
    nn__fail_null(op, "x");
    return NULL;
  }
  if (x->ndim < 1) {
    nn__fail(NN_ERR_SHAPE, "%s: x must have a sample axis, got shape %s", op, nn_shape_str(x, b1, sizeof b1));
    return NULL;
  }
  if (y && (y->ndim < 1 || y->shape[0] != x->shape[0])) {
    nn__fail(NN_ERR_SHAPE, "%s: x %s and y %s have different numbers of samples", op, nn_shape_str(x, b1, sizeof b1),
             nn_shape_str(y, b2, sizeof b2));
    return NULL;
  }
  if (desc && (desc->batch_size < 0 || desc->augment_shift < 0)) {
    nn__fail(NN_ERR_ARG, "%s: batch_size (%lld) and augment_shift (%d) must not be negative", op,
             (long long)desc->batch_size, desc->augment_shift);
    return NULL;
  }
  if (desc && (desc->augment_shift > 0 || desc->augment_flip) && (x->ndim != 4 || x->dtype != NN_FLOAT32)) {
    nn__fail(NN_ERR_ARG, "%s: image augmentation needs float32 (N, C, H, W) samples, got %s %s", op,
             nn_dtype_name(x->dtype), nn_shape_str(x, b1, sizeof b1));
    return NULL;
  }
  l = (nn_loader *)NN_MALLOC(sizeof *l);
  if (!l) {
    nn__fail(NN_ERR_OOM, "%s: out of memory", op);
    return NULL;
  }
  memset(l, 0, sizeof *l);
  if (desc) l->d = *desc;
  if (l->d.batch_size == 0) l->d.batch_size = 32;
  l->n = x->shape[0];
  l->next = -1;
  nn_rng_seed(&l->rng, l->d.seed);
  l->x = nn_view(x);
  l->y = y ? nn_view(y) : NULL;
  if (!l->x || (y && !l->y)) {
    nn_loader_free(l);
    return NULL;
  }
  nn__scope_unlink(l->x);
  if (l->y) nn__scope_unlink(l->y);
  return l;
}

NNDEF int64_t nn_loader_batches(const nn_loader *l) {
  if (!l) return 0;
  return l->d.drop_last ? l->n / l->d.batch_size : (l->n + l->d.batch_size - 1) / l->d.batch_size;
}

NNDEF void nn_loader_reset(nn_loader *l) {
  if (l) l->next = -1;
}

NNDEF int nn_loader_next(nn_loader *l, nn_tensor **xb, nn_tensor **yb) {
  static const char *op = "nn_loader_next";
  nn_tensor *idx = NULL, *bx, *by = NULL;
  int64_t b, e;
  if (xb) *xb = NULL;
  if (yb) *yb = NULL;
  if (!l || !xb) {
    nn__fail_null(op, !l ? "l" : "xb");
    return -1;
  }
  if (l->next < 0) { /* a new epoch */
    if (l->d.shuffle) {
      nn_tensor *p = nn_permutation(&l->rng, l->n);
      if (!p) return -1;
      nn__scope_unlink(p);
      nn_free(l->perm);
      l->perm = p;
    }
    l->next = 0;
  }
  b = l->next;
  e = b + l->d.batch_size < l->n ? b + l->d.batch_size : l->n;
  if (b >= l->n || (l->d.drop_last && e - b < l->d.batch_size)) {
    l->next = -1;
    return 0;
  }
  if (l->perm && !(idx = nn_slice(l->perm, 0, b, e, 1))) return -1;
  bx = nn__rows(op, l->x, idx, b, e);
  if (bx && l->y) by = nn__rows(op, l->y, idx, b, e);
  nn_free(idx);
  if (bx && !l->perm && (l->d.augment_shift > 0 || l->d.augment_flip)) { /* never write into the caller's data */
    nn_tensor *c = nn_copy(bx);
    nn_free(bx);
    bx = c;
  }
  if (bx && (l->d.augment_shift > 0 || l->d.augment_flip) &&
      nn__augment(op, bx, l->d.augment_shift, l->d.augment_flip, &l->rng) != NN_OK) {
    nn_free(bx);
    bx = NULL;
  }
  if (!bx || (l->y && !by)) {
    nn_free(bx);
    nn_free(by);
    return -1;
  }
  l->next = e;
  *xb = bx;
  if (yb) *yb = by;
  else nn_free(by); /* targets nobody asked for */
  return 1;
}

NNDEF void nn_loader_free(nn_loader *l) {
  if (!l) return;
  nn_free(l->x);
  nn_free(l->y);
  nn_free(l->perm);
  NN_FREE(l);
}
