/* nn/loss_ce.c: cross-entropy from logits (integer labels or probability targets) and nll_loss as fused ops.

   The input is seen as rows of C class scores: input (C) is one row, (N, C) has N rows, (N, C, d1, ...) has
   N d1 ... rows whose elements are d1 ... apart. The forward pass computes each row's stable log-softmax once
   (float32 rows of contiguous classes through the vector log_softmax kernel, other rows as max + log sum exp in a
   loop), the row's loss and the reduction, and keeps each row's log-sum-exp; the backward pass is one pass over
   the input: s (softmax * a - b) with a and b from the labels, weights and smoothing (PyTorch's formulas).
   Rows are split into chunks whose boundaries depend only on the shape; partial sums are added in chunk order. */

enum { NN__CE_LABELS, NN__CE_PROBS, NN__CE_NLL };

typedef struct nn__ce {
  int mode;
  nn_dtype dt, ldt; /* input dtype, labels dtype */
  int64_t C, inner, rows, rows_per_chunk;
  const char *x; /* contiguous input */
  const char *t; /* contiguous labels (ldt) or probability targets (dt) */
  const char *w; /* contiguous class weights (dt), or NULL */
  int64_t ignore;
  double eps, W; /* label smoothing; sum of the class weights (C without weights) */
  double *lse;   /* per row */
  const nn__vec_table *vt; /* float32 rows of contiguous classes: the vector softmax kernels, else NULL */
  char *out;     /* forward with NN_REDUCTION_NONE: per-row losses (dt) */
  double *part;  /* forward: per chunk, the loss sum and the weight sum */
  char *gx, *gt; /* backward: gradients of the input and of probability targets */
  const char *g; /* backward with NN_REDUCTION_NONE: per-row output gradient (dt) */
  double gs;     /* backward otherwise: the output gradient over the divisor */
} nn__ce;

NN__PRIVATE int64_t nn__ce_label(const nn__ce *c, int64_t r) {
  switch (c->ldt) {
    case NN_INT32: return ((const int32_t *)c->t)[r];
    case NN_INT64: return ((const int64_t *)c->t)[r];
    default: return ((const uint8_t *)c->t)[r];
  }
}

NN__PRIVATE double nn__ce_x(const nn__ce *c, int64_t i) {
  return c->dt == NN_FLOAT32 ? (double)((const float *)c->x)[i] : ((const double *)c->x)[i];
}
NN__PRIVATE double nn__ce_w(const nn__ce *c, int64_t k) {
  if (!c->w) return 1.0;
  return c->dt == NN_FLOAT32 ? (double)((const float *)c->w)[k] : ((const double *)c->w)[k];
}
/* The smoothed probability target t'_k = (1 - eps) t_k + eps / C of element i (class k). */
NN__PRIVATE double nn__ce_tp(const nn__ce *c, int64_t i) {
  double t = c->dt == NN_FLOAT32 ? (double)((const float *)c->t)[i] : ((const double *)c->t)[i];
  return c->eps > 0 ? t * (1.0 - c->eps) + c->eps / (double)c->C : t;
}

/* log(sum_k exp(x_k)) of the row starting at element base with the given stride. */
NN__PRIVATE double nn__ce_lse(const nn__ce *c, int64_t base, int64_t stride) {
  int64_t k, C = c->C;
  double s = 0;
  if (c->dt == NN_FLOAT32) {
    const float *x = (const float *)c->x + base;
    float m;
    if (stride == 1) {
      m = nn__rminmax_f32(C, x, 1);
      if (!isfinite(m)) m = 0;
      return (double)m + log(nn__rexpsum_f32(C, NULL, x, m));
    }
    m = x[0];
    for (k = 1; k < C; k++)
      if (x[k * stride] > m || x[k * stride] != x[k * stride]) m = x[k * stride];
    if (!isfinite(m)) m = 0;
    for (k = 0; k < C; k++) s += (double)expf(x[k * stride] - m);
    return (double)m + log(s);
  } else {
    const double *x = (const double *)c->x + base;
    double m;
    if (stride == 1) m = nn__rminmax_f64(C, x, 1);
    else {
      m = x[0];
      for (k = 1; k < C; k++)
        if (x[k * stride] > m || x[k * stride] != x[k * stride]) m = x[k * stride];
    }
    if (!isfinite(m)) m = 0;
    for (k = 0; k < C; k++) s += exp(x[k * stride] - m);
    return m + log(s);
  }
}

NN__PRIVATE void nn__ce_fwd_chunk(void *vctx, int64_t ch) {
  nn__ce *c = (nn__ce *)vctx;
  int64_t r0 = ch * c->rows_per_chunk, r1 = r0 + c->rows_per_chunk, r, k, C = c->C, inner = c->inner;
  double lsum = 0, wsum = 0;
  float *ls = NULL; /* scratch row for the kernel path; without it the portable path computes the same */
  if (r1 > c->rows) r1 = c->rows;
  if (c->vt && c->mode != NN__CE_NLL) ls = (float *)nn__alloc(sizeof(float) * (size_t)C);
  for (r = r0; r < r1; r++) {
    int64_t base = (r / inner) * C * inner + r % inner;
    double loss = 0, wr = 0;
    if (c->mode == NN__CE_NLL) {
      int64_t y = nn__ce_label(c, r);
      if (y != c->ignore) {
        wr = nn__ce_w(c, y);
        loss = -wr * nn__ce_x(c, base + y * inner);
      }
    } else if (ls) { /* the vector log_softmax kernel; losses from log-probabilities, as PyTorch does */
      const float *x = (const float *)c->x + base;
      int64_t y = c->mode == NN__CE_LABELS ? nn__ce_label(c, r) : 0, ky = (y >= 0 && y < C) ? y : 0;
      c->vt->log_softmax_f32(C, ls, x);
      c->lse[r] = (double)x[ky] - (double)ls[ky];
      if (c->mode == NN__CE_LABELS) {
        if (y != c->ignore) {
          wr = nn__ce_w(c, y);
          loss = -wr * (double)ls[y];
          if (c->eps > 0) {
            double sw = 0;
            for (k = 0; k < C; k++) sw += nn__ce_w(c, k) * (double)ls[k];
            loss = (1.0 - c->eps) * loss - c->eps / (double)C * sw;
          }
        }
      } else {
        for (k = 0; k < C; k++) loss -= nn__ce_w(c, k) * nn__ce_tp(c, base + k) * (double)ls[k];
        wr = 1.0;
      }
    } else {
      double lse = nn__ce_lse(c, base, inner);
      c->lse[r] = lse;
      if (c->mode == NN__CE_LABELS) {
        int64_t y = nn__ce_label(c, r);
        if (y != c->ignore) {
          wr = nn__ce_w(c, y);
          loss = wr * (lse - nn__ce_x(c, base + y * inner));
          if (c->eps > 0) { /* sum_k w_k (lse - x_k) = W lse - sum_k w_k x_k */
            double sw = 0;
            for (k = 0; k < C; k++) sw += nn__ce_w(c, k) * nn__ce_x(c, base + k * inner);
            loss = (1.0 - c->eps) * loss + c->eps / (double)C * (c->W * lse - sw);
          }
        }
      } else { /* probabilities: sum_k w_k t'_k (lse - x_k) */
        double tw = 0, sx = 0;
        for (k = 0; k < C; k++) {
          double a = nn__ce_w(c, k) * nn__ce_tp(c, base + k * inner);
          tw += a;
          sx += a * nn__ce_x(c, base + k * inner);
        }
        loss = lse * tw - sx;
        wr = 1.0;
      }
    }
    if (c->out) {
      if (c->dt == NN_FLOAT32) ((float *)c->out)[r] = (float)loss;
      else ((double *)c->out)[r] = loss;
    }
    lsum += loss;
    wsum += wr;
  }
  nn__dealloc(ls);
  c->part[2 * ch] = lsum;
  c->part[2 * ch + 1] = wsum;
}

NN__PRIVATE void nn__ce_bwd_chunk(void *vctx, int64_t ch) {
  nn__ce *c = (nn__ce *)vctx;
  int64_t r0 = ch * c->rows_per_chunk, r1 = r0 + c->rows_per_chunk, r, k, C = c->C, inner = c->inner;
  int f32 = c->dt == NN_FLOAT32;
  if (r1 > c->rows) r1 = c->rows;
  for (r = r0; r < r1; r++) {
    int64_t base = (r / inner) * C * inner + r % inner, y = 0;
    double s = c->g ? (f32 ? (double)((const float *)c->g)[r] : ((const double *)c->g)[r]) : c->gs;
    double a, lse;
    if (c->mode != NN__CE_PROBS) {
      y = nn__ce_label(c, r);
      if (y == c->ignore) { /* ignored rows get zeros (nll rows are zeroed beforehand) */
        if (c->mode == NN__CE_LABELS && c->gx)
          for (k = 0; k < C; k++) {
            if (f32) ((float *)c->gx)[base + k * inner] = 0.0f;
            else ((double *)c->gx)[base + k * inner] = 0.0;
          }
        continue;
      }
    }
    if (c->mode == NN__CE_NLL) {
      double v = -s * nn__ce_w(c, y);
      if (f32) ((float *)c->gx)[base + y * inner] = (float)v;
      else ((double *)c->gx)[base + y * inner] = v;
      continue;
    }
    lse = c->lse[r];
    /* gx_k = s (p_k a - b_k): labels a = (1 - eps) w_y + eps W / C, b_k = (1 - eps) w_y [k == y] + eps w_k / C;
       probabilities a = sum_j w_j t'_j, b_k = w_k t'_k */
    if (c->mode == NN__CE_LABELS) {
      a = (1.0 - c->eps) * nn__ce_w(c, y) + c->eps * c->W / (double)C;
    } else {
      a = 0;
      for (k = 0; k < C; k++) a += nn__ce_w(c, k) * nn__ce_tp(c, base + k * inner);
    }
    if (c->gx) {
      if (c->vt) { /* float32 contiguous rows: p = softmax(x) by the vector kernel, then s (p a - b) */
        float *gx = (float *)c->gx + base;
        float sa = (float)(s * a);
        c->vt->softmax_f32(C, gx, (const float *)c->x + base);
        if (c->mode == NN__CE_LABELS && c->eps == 0) {
          for (k = 0; k < C; k++) gx[k] *= sa;
          gx[y] -= (float)(s * nn__ce_w(c, y));
        } else {
          for (k = 0; k < C; k++) {
            double b = c->mode == NN__CE_LABELS ? c->eps * nn__ce_w(c, k) / (double)C
                                                : nn__ce_w(c, k) * nn__ce_tp(c, base + k);
            gx[k] = (float)((double)gx[k] * s * a - s * b);
          }
          if (c->mode == NN__CE_LABELS) gx[y] -= (float)(s * (1.0 - c->eps) * nn__ce_w(c, y));
        }
      } else {
        for (k = 0; k < C; k++) {
          int64_t i = base + k * inner;
          double b, v;
          if (c->mode == NN__CE_LABELS)
            b = (k == y ? (1.0 - c->eps) * nn__ce_w(c, y) : 0.0) + c->eps * nn__ce_w(c, k) / (double)C;
          else b = nn__ce_w(c, k) * nn__ce_tp(c, i);
          v = s * (exp(nn__ce_x(c, i) - lse) * a - b);
          if (f32) ((float *)c->gx)[i] = (float)v;
          else ((double *)c->gx)[i] = v;
        }
      }
    }
    if (c->gt && c->vt) { /* probabilities: d loss / d t_k = -s (1 - eps) w_k log_softmax(x)_k */
      float *gt = (float *)c->gt + base;
      c->vt->log_softmax_f32(C, gt, (const float *)c->x + base);
      for (k = 0; k < C; k++) gt[k] = (float)(-s * (1.0 - c->eps) * nn__ce_w(c, k) * (double)gt[k]);
    } else if (c->gt) /* the same as s (1 - eps) w_k (lse - x_k) */
      for (k = 0; k < C; k++) {
        int64_t i = base + k * inner;
        double v = s * (1.0 - c->eps) * nn__ce_w(c, k) * (lse - nn__ce_x(c, i));
        if (f32) ((float *)c->gt)[i] = (float)v;
        else ((double *)c->gt)[i] = v;
      }
  }
}

/* The vector softmax kernels when they apply: float32, classes contiguous in every row. */
NN__PRIVATE const nn__vec_table *nn__ce_kernels(const nn__ce *c) {
  const nn__vec_table *vt = nn__kernels();
  if (c->dt != NN_FLOAT32 || c->inner != 1 || c->mode == NN__CE_NLL || !vt->softmax_f32 || !vt->log_softmax_f32)
    return NULL;
  return vt;
}

NN__PRIVATE int64_t nn__ce_nchunks(nn__ce *c) {
  c->rows_per_chunk = c->C >= 16384 ? 1 : 16384 / c->C;
  return (c->rows + c->rows_per_chunk - 1) / c->rows_per_chunk;
}

/* ---- backward ---- */

NN__PRIVATE nn_status nn__ce_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  nn_tensor *x = n->saved[0], *t = n->saved[1], *w = n->saved[2], *lse = n->saved[3], *gc = NULL;
  nn_tensor *gx = NULL, *gt = NULL;
  nn__ce c;
  int64_t nch;
  memset(&c, 0, sizeof c);
  c.mode = (int)n->i[0];
  c.dt = x->dtype;
  c.ldt = t->dtype;
  c.ignore = n->i[2];
  c.C = n->i[3];
  c.inner = n->i[4];
  c.rows = n->i[5];
  c.eps = n->d[0];
  c.W = n->d[2];
  c.x = (const char *)x->data;
  c.t = (const char *)t->data;
  c.w = w ? (const char *)w->data : NULL;
  c.lse = lse ? (double *)lse->data : NULL;
  c.vt = nn__ce_kernels(&c);
  if (n->in[0].node && !(gx = nn__new(n->name, c.dt, x->shape, x->ndim))) return nn_last_status();
  if (c.mode == NN__CE_PROBS && n->in[1].node && !(gt = nn__new(n->name, c.dt, x->shape, x->ndim))) {
    nn_free(gx);
    return nn_last_status();
  }
  if (n->i[1] == NN_REDUCTION_NONE) {
    if (gout->dtype != c.dt || !nn_is_contiguous(gout)) {
      gc = nn_astype(gout, c.dt);
      if (!gc) {
        nn_free(gx);
        nn_free(gt);
        return nn_last_status();
      }
    }
    c.g = (const char *)(gc ? gc : gout)->data;
  } else {
    c.gs = nn_item(gout) / n->d[1];
  }
  c.gx = gx ? (char *)gx->data : NULL;
  c.gt = gt ? (char *)gt->data : NULL;
  if (c.mode == NN__CE_NLL && gx) memset(gx->data, 0, (size_t)gx->size * nn_dtype_size(c.dt));
  nch = nn__ce_nchunks(&c);
  if (nch == 1) nn__ce_bwd_chunk(&c, 0);
  else if (nch > 1) nn__parallel_for(nch, nn__ce_bwd_chunk, &c);
  nn_free(gc);
  gin[0] = gx;
  gin[1] = gt;
  return NN_OK;
}

/* ---- forward ---- */

NN__PRIVATE nn_tensor *nn__ce_op(const char *name, int mode, const nn_tensor *x, const nn_tensor *t,
                                 const nn_tensor *w, int64_t ignore, double eps, nn_reduction red) {
  nn_tensor *xc = NULL, *tc = NULL, *wc = NULL, *lse = NULL, *out = NULL, *res = NULL;
  nn__ce c;
  int64_t oshape[NN_MAX_DIMS], nch = 0, r, k;
  double pbuf[16], *part = pbuf, lsum = 0, wsum = 0, divisor = 1.0;
  int i, ond = 0;
  char b1[96], b2[96], b3[96];
  if (nn__loss_check(name, x, t, red, mode == NN__CE_PROBS, 0) != NN_OK) return NULL;
  if (x->ndim < 1) {
    nn__fail(NN_ERR_SHAPE, "%s: input must have a class axis: shape (C), (N,C) or (N,C,d1,...), got ()", name);
    return NULL;
  }
  memset(&c, 0, sizeof c);
  c.mode = mode;
  c.dt = x->dtype;
  c.C = x->ndim == 1 ? x->shape[0] : x->shape[1];
  c.inner = 1;
  for (i = 2; i < x->ndim; i++) c.inner *= x->shape[i];
  /* the output (and label) shape: the input's without the class axis */
  for (i = 0; i < x->ndim; i++)
    if (i != (x->ndim == 1 ? 0 : 1)) oshape[ond++] = x->shape[i];
  c.rows = nn__shape_size(oshape, ond);
  if (c.C < 1) {
    nn__fail(NN_ERR_SHAPE, "%s: input of shape %s has no classes", name,
             nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim));
    return NULL;
  }
  if (mode != NN__CE_PROBS) {
    if (t->dtype != NN_INT32 && t->dtype != NN_INT64 && t->dtype != NN_UINT8) {
      nn__fail(NN_ERR_DTYPE, "%s: labels must be an integer tensor (int32, int64 or uint8), got %s%s", name,
               nn_dtype_name(t->dtype),
               nn__is_float(t->dtype) && mode == NN__CE_LABELS ? "; for probability targets use nn_cross_entropy_probs"
                                                               : "");
      return NULL;
    }
    if (t->ndim != ond || memcmp(t->shape, oshape, sizeof(int64_t) * (size_t)ond) != 0) {
      nn__fail(NN_ERR_SHAPE, "%s: labels have shape %s but input of shape %s needs labels of shape %s", name,
               nn__fmt_shape(b1, sizeof b1, t->shape, t->ndim), nn__fmt_shape(b2, sizeof b2, x->shape, x->ndim),
               nn__fmt_shape(b3, sizeof b3, oshape, ond));
      return NULL;
    }
  }
  if (w) {
    if (nn__check_cpu(name, w, "weight") != NN_OK) return NULL;
    if (w->dtype != x->dtype) {
      nn__fail(NN_ERR_DTYPE, "%s: weight is %s but input is %s; they must have the same dtype", name,
               nn_dtype_name(w->dtype), nn_dtype_name(x->dtype));
      return NULL;
    }
    if (w->ndim != 1 || w->shape[0] != c.C) {
      nn__fail(NN_ERR_SHAPE, "%s: weight has shape %s but the input has %lld classes; it must have shape (%lld,)",
               name, nn__fmt_shape(b1, sizeof b1, w->shape, w->ndim), (long long)c.C, (long long)c.C);
      return NULL;
    }
  }
  if (!(eps >= 0 && eps <= 1)) {
    nn__fail(NN_ERR_VALUE, "%s: label_smoothing must be between 0.0 and 1.0, got %g", name, eps);
    return NULL;
  }
  xc = nn_contiguous(x);
  tc = xc ? nn_contiguous(t) : NULL;
  wc = (tc && w) ? nn_contiguous(w) : NULL;
  if (!tc || (w && !wc)) goto done;
  c.x = (const char *)xc->data;
  c.t = (const char *)tc->data;
  c.ldt = tc->dtype;
  c.w = wc ? (const char *)wc->data : NULL;
  c.ignore = ignore;
  c.eps = mode == NN__CE_NLL ? 0.0 : eps;
  c.W = (double)c.C;
  if (c.w)
    for (c.W = 0, k = 0; k < c.C; k++) c.W += nn__ce_w(&c, k);
  if (mode != NN__CE_PROBS)
    for (r = 0; r < c.rows; r++) {
      int64_t y = nn__ce_label(&c, r);
      if (y != ignore && (y < 0 || y >= c.C)) {
        nn__fail(NN_ERR_INDEX, "%s: label %lld at position %lld is out of range for %lld classes", name,
                 (long long)y, (long long)r, (long long)c.C);
        goto done;
      }
    }
  if (mode != NN__CE_NLL) {
    int64_t nrows = c.rows;
    if (!(lse = nn__new(name, NN_FLOAT64, &nrows, 1))) goto done;
    c.lse = (double *)lse->data;
  }
  if (red == NN_REDUCTION_NONE) {
    if (!(out = nn__new(name, x->dtype, oshape, ond))) goto done;
    c.out = (char *)out->data;
  }
  c.vt = nn__ce_kernels(&c);
  nch = nn__ce_nchunks(&c);
  if (nch > 8 && !(part = (double *)nn__xalloc(name, sizeof(double) * 2 * (size_t)nch))) goto done;
  c.part = part;
  if (nch == 1) nn__ce_fwd_chunk(&c, 0);
  else if (nch > 1) nn__parallel_for(nch, nn__ce_fwd_chunk, &c);
  for (k = 0; k < nch; k++) {
    lsum += part[2 * k];
    wsum += part[2 * k + 1];
  }
  if (red == NN_REDUCTION_MEAN) divisor = mode == NN__CE_PROBS ? (double)c.rows : wsum;
  if (red != NN_REDUCTION_NONE) {
    if (!(out = nn__new(name, x->dtype, NULL, 0))) goto done;
    if (x->dtype == NN_FLOAT32) *(float *)out->data = (float)(lsum / divisor);
    else *(double *)out->data = lsum / divisor;
  }
  res = out;
  out = NULL;
  if (nn__ag_wanted2(x, t)) {
    const nn_tensor *in[2];
    nn__node *n;
    in[0] = x;
    in[1] = mode == NN__CE_PROBS ? t : NULL;
    n = nn__ag_node(name, nn__ce_backward, 2, in);
    if (n) {
      n->i[0] = mode;
      n->i[1] = (int64_t)red;
      n->i[2] = ignore;
      n->i[3] = c.C;
      n->i[4] = c.inner;
      n->i[5] = c.rows;
      n->d[0] = c.eps;
      n->d[1] = divisor;
      n->d[2] = c.W;
      if (nn__ag_save(n, 0, xc) != NN_OK || nn__ag_save(n, 1, tc) != NN_OK || nn__ag_save(n, 2, wc) != NN_OK ||
          nn__ag_save(n, 3, lse) != NN_OK) {
        nn__node_decref(n);
        n = NULL;
      }
    }
    res = nn__ag_attach(n, res);
  }
done:
  if (part != pbuf) nn__dealloc(part);
  nn_free(out);
  nn_free(lse);
  nn_free(wc);
  nn_free(tc);
  nn_free(xc);
  return res;
}

NNDEF nn_tensor *nn_cross_entropy(const nn_tensor *input, const nn_tensor *labels, nn_reduction reduction) {
  return nn__ce_op("nn_cross_entropy", NN__CE_LABELS, input, labels, NULL, NN_IGNORE_INDEX, 0.0, reduction);
}

NNDEF nn_tensor *nn_cross_entropy_ex(const nn_tensor *input, const nn_tensor *labels, const nn_tensor *weight,
                                     int64_t ignore_index, double label_smoothing, nn_reduction reduction) {
  return nn__ce_op("nn_cross_entropy_ex", NN__CE_LABELS, input, labels, weight, ignore_index, label_smoothing,
                   reduction);
}

NNDEF nn_tensor *nn_cross_entropy_probs(const nn_tensor *input, const nn_tensor *target, const nn_tensor *weight,
                                        double label_smoothing, nn_reduction reduction) {
  return nn__ce_op("nn_cross_entropy_probs", NN__CE_PROBS, input, target, weight, 0, label_smoothing, reduction);
}

NNDEF nn_tensor *nn_nll_loss(const nn_tensor *input, const nn_tensor *labels, const nn_tensor *weight,
                             int64_t ignore_index, nn_reduction reduction) {
  return nn__ce_op("nn_nll_loss", NN__CE_NLL, input, labels, weight, ignore_index, 0.0, reduction);
}
