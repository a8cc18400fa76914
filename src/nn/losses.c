/* nn/losses.c: the pointwise losses (mse, l1, huber, smooth_l1, binary cross-entropy on probabilities and on
   logits, kl_div). Each is one fused op: the forward pass computes the elementwise loss and its reduction in one
   pass over (input, target, weight, pos_weight), the backward pass both gradients in one pass, with PyTorch's
   formulas, including its choices at the kinks and its clamps. Sums are taken in double over chunks whose
   boundaries depend only on the size, added in chunk order: results do not depend on the thread count. */

enum { NN__PL_MSE, NN__PL_L1, NN__PL_HUBER, NN__PL_SMOOTH_L1, NN__PL_BCE, NN__PL_BCE_LOGITS, NN__PL_KL, NN__PL_KL_LOG };

typedef struct nn__pl_cfg {
  int kind;
  int iw, ipw;  /* iterator operand holding the weight / pos_weight, or -1 */
  double param; /* huber's delta, smooth_l1's beta */
} nn__pl_cfg;

/* log(1 + e^-|x|), the tail shared by softplus and log_sigmoid. */
NN__PRIVATE double nn__pl_log1pexp_neg_abs(double x) { return log1p(exp(-fabs(x))); }

/* The unweighted elementwise loss. pw is pos_weight (1 when absent). */
NN__PRIVATE double nn__pl_value(const nn__pl_cfg *c, double x, double y, double pw) {
  double d = x - y, z = fabs(d), b = c->param;
  switch (c->kind) {
    case NN__PL_MSE: return d * d;
    case NN__PL_L1: return z;
    case NN__PL_HUBER: return z < b ? 0.5 * z * z : b * (z - 0.5 * b);
    case NN__PL_SMOOTH_L1: return z < b ? 0.5 * z * z / b : z - 0.5 * b;
    case NN__PL_BCE: /* PyTorch clamps both logs at -100 so that x = 0 or 1 gives a finite loss */
      return (y - 1.0) * fmax(log1p(-x), -100.0) - y * fmax(log(x), -100.0);
    case NN__PL_BCE_LOGITS: { /* softplus(-x) = max(-x, 0) + log(1 + e^-|x|), never overflows */
      double sp = (x < 0 ? -x : 0.0) + nn__pl_log1pexp_neg_abs(x);
      return (1.0 - y) * x + (1.0 + (pw - 1.0) * y) * sp;
    }
    case NN__PL_KL: return (y == 0 ? 0.0 : y * log(y)) - y * x; /* xlogy(y, y) - y x */
    default: return exp(y) * (y - x);                           /* NN__PL_KL_LOG */
  }
}

/* d loss / d x and d loss / d y (unweighted), PyTorch's backward formulas. */
NN__PRIVATE void nn__pl_deriv(const nn__pl_cfg *c, double x, double y, double pw, double *dx, double *dy) {
  double d = x - y, b = c->param;
  switch (c->kind) {
    case NN__PL_MSE: *dx = 2.0 * d; *dy = -*dx; return;
    case NN__PL_L1: *dx = d > 0 ? 1.0 : (d < 0 ? -1.0 : 0.0); *dy = -*dx; return;
    case NN__PL_HUBER: *dx = d <= -b ? -b : (d >= b ? b : d); *dy = -*dx; return;
    case NN__PL_SMOOTH_L1: *dx = d <= -b ? -1.0 : (d >= b ? 1.0 : d / b); *dy = -*dx; return;
    case NN__PL_BCE: /* PyTorch: (x - y) / max(x (1 - x), EPSILON), its EPSILON being the float 1e-12f; the
                        target's: -logit(x) */
      *dx = d / fmax((1.0 - x) * x, (double)1e-12f);
      *dy = -log(x / (1.0 - x));
      return;
    case NN__PL_BCE_LOGITS: {
      double sig = x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
      double t = pw * y, l1 = nn__pl_log1pexp_neg_abs(x);
      *dx = (t + 1.0 - y) * sig - t;
      /* log_sigmoid(-x) - pw log_sigmoid(x) */
      *dy = ((x > 0 ? -x : 0.0) - l1) - pw * ((x < 0 ? x : 0.0) - l1);
      return;
    }
    case NN__PL_KL: *dx = -y; *dy = (y == 0 ? 0.0 : log(y)) + y / y - x; return;
    default: { /* NN__PL_KL_LOG */
      double e = exp(y);
      *dx = -e;
      *dy = e * (y - x + 1.0);
      return;
    }
  }
}

/* State of one chunk of rows. Outputs are contiguous tensors of the input's shape, addressed by flat position
   (the iterator visits elements in row-major order). */
typedef struct nn__pl_row {
  const nn__pl_cfg *c;
  char *out, *out2; /* forward NONE: the losses; backward: the input's and the target's gradients */
  const char *g;    /* backward NONE: the contiguous output gradient */
  double gs;        /* backward otherwise: the gradient of every element */
  int64_t pos;
  double sum;
  int bad; /* binary_cross_entropy: an input outside [0, 1] */
} nn__pl_row;

#define NN__PL_ROWS(SUF, T)                                                                                     \
  NN__PRIVATE void nn__pl_fwd_##SUF(int64_t n, char **p, const int64_t *st, void *vctx) {                      \
    nn__pl_row *r = (nn__pl_row *)vctx;                                                                         \
    const nn__pl_cfg *c = r->c;                                                                                 \
    const T *x = (const T *)p[0], *y = (const T *)p[1];                                                         \
    const T *w = c->iw >= 0 ? (const T *)p[c->iw] : NULL, *pw = c->ipw >= 0 ? (const T *)p[c->ipw] : NULL;     \
    int64_t sx = st[0], sy = st[1], sw = c->iw >= 0 ? st[c->iw] : 0, sp = c->ipw >= 0 ? st[c->ipw] : 0, i;     \
    T *o = r->out ? (T *)r->out + r->pos : NULL;                                                                \
    double s = 0;                                                                                               \
    if (c->kind == NN__PL_MSE && !w && !o) { /* the hot case: independent partial sums, no dependency chain */ \
      double s4[4] = {0, 0, 0, 0};                                                                              \
      i = 0;                                                                                                    \
      if (sx == 1 && sy == 1)                                                                                   \
        for (; i + 4 <= n; i += 4) {                                                                            \
          double d0 = (double)x[i] - (double)y[i], d1 = (double)x[i + 1] - (double)y[i + 1];                    \
          double d2 = (double)x[i + 2] - (double)y[i + 2], d3 = (double)x[i + 3] - (double)y[i + 3];            \
          s4[0] += d0 * d0;                                                                                     \
          s4[1] += d1 * d1;                                                                                     \
          s4[2] += d2 * d2;                                                                                     \
          s4[3] += d3 * d3;                                                                                     \
        }                                                                                                       \
      for (; i < n; i++) {                                                                                      \
        double d = (double)x[i * sx] - (double)y[i * sy];                                                       \
        s += d * d;                                                                                             \
      }                                                                                                         \
      s += (s4[0] + s4[1]) + (s4[2] + s4[3]);                                                                   \
    } else {                                                                                                    \
      for (i = 0; i < n; i++) {                                                                                 \
        double xv = (double)x[i * sx], v;                                                                       \
        if (c->kind == NN__PL_BCE && !(xv >= 0.0 && xv <= 1.0)) r->bad = 1;                                     \
        v = nn__pl_value(c, xv, (double)y[i * sy], pw ? (double)pw[i * sp] : 1.0);                              \
        if (w) v *= (double)w[i * sw];                                                                          \
        if (o) o[i] = (T)v;                                                                                     \
        else s += v;                                                                                            \
      }                                                                                                         \
    }                                                                                                           \
    r->sum += s;                                                                                                \
    r->pos += n;                                                                                                \
  }                                                                                                             \
  NN__PRIVATE void nn__pl_bwd_##SUF(int64_t n, char **p, const int64_t *st, void *vctx) {                      \
    nn__pl_row *r = (nn__pl_row *)vctx;                                                                         \
    const nn__pl_cfg *c = r->c;                                                                                 \
    const T *x = (const T *)p[0], *y = (const T *)p[1];                                                         \
    const T *w = c->iw >= 0 ? (const T *)p[c->iw] : NULL, *pw = c->ipw >= 0 ? (const T *)p[c->ipw] : NULL;     \
    int64_t sx = st[0], sy = st[1], sw = c->iw >= 0 ? st[c->iw] : 0, sp = c->ipw >= 0 ? st[c->ipw] : 0, i;     \
    T *gx = r->out ? (T *)r->out + r->pos : NULL, *gy = r->out2 ? (T *)r->out2 + r->pos : NULL;                \
    const T *g = r->g ? (const T *)r->g + r->pos : NULL;                                                        \
    if (c->kind == NN__PL_MSE && !w && !g && !gy) {                                                             \
      T k = (T)(2.0 * r->gs);                                                                                   \
      if (sx == 1 && sy == 1)                                                                                   \
        for (i = 0; i < n; i++) gx[i] = k * (x[i] - y[i]);                                                      \
      else                                                                                                      \
        for (i = 0; i < n; i++) gx[i] = k * (x[i * sx] - y[i * sy]);                                            \
    } else {                                                                                                    \
      for (i = 0; i < n; i++) {                                                                                 \
        double dx, dy, sc = g ? (double)g[i] : r->gs;                                                           \
        nn__pl_deriv(c, (double)x[i * sx], (double)y[i * sy], pw ? (double)pw[i * sp] : 1.0, &dx, &dy);        \
        if (w) sc *= (double)w[i * sw];                                                                         \
        if (gx) gx[i] = (T)(sc * dx);                                                                           \
        if (gy) gy[i] = (T)(sc * dy);                                                                           \
      }                                                                                                         \
    }                                                                                                           \
    r->pos += n;                                                                                                \
  }

NN__PL_ROWS(f32, float)
NN__PL_ROWS(f64, double)
#undef NN__PL_ROWS

typedef struct nn__pl_job {
  nn__iter it;
  nn__row_fn fn;
  nn__pl_row proto;
  double *sums; /* per chunk: sbuf, or allocated for more than 8 chunks */
  int *bad;
  double sbuf[8];
  int bbuf[8];
} nn__pl_job;

NN__PRIVATE void nn__pl_chunk(void *vctx, int64_t ch) {
  nn__pl_job *j = (nn__pl_job *)vctx;
  nn__pl_row r = j->proto;
  int64_t b = ch * NN__GRAIN, e = b + NN__GRAIN;
  if (e > j->it.size) e = j->it.size;
  r.pos = b;
  r.sum = 0;
  r.bad = 0;
  nn__iter_range(&j->it, j->fn, &r, b, e);
  j->sums[ch] = r.sum;
  j->bad[ch] = r.bad;
}

/* Runs the rows over the whole iteration; *sum gets the total (chunk partials in order), *bad any row's flag. */
NN__PRIVATE nn_status nn__pl_run(const char *name, nn__pl_job *j, double *sum, int *bad) {
  int64_t nch = (j->it.size + NN__GRAIN - 1) / NN__GRAIN, k;
  *sum = 0;
  *bad = 0;
  if (j->it.size <= 0) return NN_OK;
  j->sums = j->sbuf;
  j->bad = j->bbuf;
  if (nch > 8) {
    j->sums = (double *)nn__xalloc(name, (size_t)nch * (sizeof(double) + sizeof(int)));
    if (!j->sums) return nn_last_status();
    j->bad = (int *)(j->sums + nch);
  }
  if (nch == 1) nn__pl_chunk(j, 0);
  else nn__parallel_for(nch, nn__pl_chunk, j);
  for (k = 0; k < nch; k++) {
    *sum += j->sums[k];
    *bad |= j->bad[k];
  }
  if (j->sums != j->sbuf) nn__dealloc(j->sums);
  return NN_OK;
}

/* Gathers the operands: x, y, then the weight and pos_weight that are present; fills cfg's operand indices. */
NN__PRIVATE int nn__pl_operands(nn__pl_cfg *c, nn_tensor **ops, const nn_tensor *x, const nn_tensor *y,
                                const nn_tensor *w, const nn_tensor *pw) {
  int nop = 2;
  ops[0] = (nn_tensor *)x; /* read only */
  ops[1] = (nn_tensor *)y;
  c->iw = c->ipw = -1;
  if (w) {
    c->iw = nop;
    ops[nop++] = (nn_tensor *)w;
  }
  if (pw) {
    c->ipw = nop;
    ops[nop++] = (nn_tensor *)pw;
  }
  return nop;
}

/* ---- backward ---- */

NN__PRIVATE nn_status nn__pl_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  nn_tensor *x = n->saved[0], *y = n->saved[1], *ops[4], *gx = NULL, *gy = NULL, *gc = NULL;
  nn_dtype dt = x->dtype;
  nn__pl_cfg cfg;
  nn__pl_job job;
  nn_status st = NN_OK;
  double unused;
  int nop, bad;
  cfg.kind = (int)n->i[0];
  cfg.param = n->d[0];
  nop = nn__pl_operands(&cfg, ops, x, y, n->saved[2], n->saved[3]);
  if (n->in[0].node && !(gx = nn__new(n->name, dt, x->shape, x->ndim))) return nn_last_status();
  if (n->in[1].node && !(gy = nn__new(n->name, dt, x->shape, x->ndim))) {
    nn_free(gx);
    return nn_last_status();
  }
  memset(&job, 0, sizeof job);
  job.proto.c = &cfg;
  job.proto.out = gx ? (char *)gx->data : NULL;
  job.proto.out2 = gy ? (char *)gy->data : NULL;
  if (n->i[1] == NN_REDUCTION_NONE) {
    if (gout->dtype != dt || !nn_is_contiguous(gout)) {
      gc = nn_astype(gout, dt);
      if (!gc) {
        st = nn_last_status();
        goto done;
      }
    }
    job.proto.g = (const char *)(gc ? gc : gout)->data;
  } else {
    job.proto.gs = nn_item(gout) / n->d[1];
  }
  nn__iter_init(&job.it, nop, ops, x->shape, x->ndim);
  job.fn = dt == NN_FLOAT32 ? nn__pl_bwd_f32 : nn__pl_bwd_f64;
  st = nn__pl_run(n->name, &job, &unused, &bad);
done:
  nn_free(gc);
  if (st != NN_OK) {
    nn_free(gx);
    nn_free(gy);
    return st;
  }
  gin[0] = gx;
  gin[1] = gy;
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__pl_record(const char *name, nn_tensor *res, const nn__pl_cfg *c, nn_reduction red,
                                     double divisor, const nn_tensor *x, const nn_tensor *y, const nn_tensor *w,
                                     const nn_tensor *pw) {
  const nn_tensor *in[2];
  nn__node *n;
  in[0] = x;
  in[1] = y; /* weight and pos_weight get no gradient, as in PyTorch */
  n = nn__ag_node(name, nn__pl_backward, 2, in);
  if (n) {
    n->i[0] = c->kind;
    n->i[1] = (int64_t)red;
    n->d[0] = c->param;
    n->d[1] = divisor;
    if (nn__ag_save(n, 0, x) != NN_OK || nn__ag_save(n, 1, y) != NN_OK || nn__ag_save(n, 2, w) != NN_OK ||
        nn__ag_save(n, 3, pw) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* ---- forward ---- */

/* Checks an optional weight-like tensor: the input's dtype, broadcastable to the input's shape. */
NN__PRIVATE nn_status nn__loss_check_bcast(const char *name, const char *arg, const nn_tensor *t, const nn_tensor *x) {
  char b1[96], b2[96];
  if (!t) return NN_OK;
  if (nn__check_cpu(name, t, arg) != NN_OK) return nn_last_status();
  if (t->dtype != x->dtype)
    return nn__fail(NN_ERR_DTYPE, "%s: %s is %s but input is %s; they must have the same dtype", name, arg,
                    nn_dtype_name(t->dtype), nn_dtype_name(x->dtype));
  if (!nn__can_broadcast_to(t, x->shape, x->ndim))
    return nn__fail(NN_ERR_SHAPE, "%s: %s of shape %s does not broadcast to the input's shape %s", name, arg,
                    nn__fmt_shape(b1, sizeof b1, t->shape, t->ndim), nn__fmt_shape(b2, sizeof b2, x->shape, x->ndim));
  return NN_OK;
}

/* Checks input, target and reduction shared by every loss; target_float: the target is a float tensor of the
   input's dtype and shape. */
NN__PRIVATE nn_status nn__loss_check(const char *name, const nn_tensor *x, const nn_tensor *y, nn_reduction red,
                                     int target_float, int allow_batchmean) {
  char b1[96], b2[96];
  if (nn__check_cpu(name, x, "input") != NN_OK) return nn_last_status();
  if (nn__check_cpu(name, y, target_float ? "target" : "labels") != NN_OK) return nn_last_status();
  if (!nn__is_float(x->dtype))
    return nn__fail(NN_ERR_DTYPE, "%s: input must be float32 or float64, got %s", name, nn_dtype_name(x->dtype));
  if ((int)red < 0 || (int)red > (int)NN_REDUCTION_BATCHMEAN)
    return nn__fail(NN_ERR_ARG, "%s: invalid reduction %d", name, (int)red);
  if (red == NN_REDUCTION_BATCHMEAN && !allow_batchmean)
    return nn__fail(NN_ERR_ARG, "%s: NN_REDUCTION_BATCHMEAN is only for nn_kl_div", name);
  if (!target_float) return NN_OK;
  if (y->dtype != x->dtype)
    return nn__fail(NN_ERR_DTYPE, "%s: target is %s but input is %s; they must have the same dtype", name,
                    nn_dtype_name(y->dtype), nn_dtype_name(x->dtype));
  if (y->ndim != x->ndim || memcmp(y->shape, x->shape, sizeof(int64_t) * (size_t)x->ndim) != 0)
    return nn__fail(NN_ERR_SHAPE, "%s: target has shape %s but input has shape %s; they must be equal", name,
                    nn__fmt_shape(b1, sizeof b1, y->shape, y->ndim), nn__fmt_shape(b2, sizeof b2, x->shape, x->ndim));
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__pl_loss(const char *name, int kind, double param, const nn_tensor *x, const nn_tensor *y,
                                   const nn_tensor *w, const nn_tensor *pw, nn_reduction red) {
  nn_tensor *ops[4], *out = NULL;
  nn__pl_cfg cfg;
  nn__pl_job job;
  double sum, divisor = 1.0;
  int nop, bad;
  if (nn__loss_check(name, x, y, red, 1, kind == NN__PL_KL || kind == NN__PL_KL_LOG) != NN_OK) return NULL;
  if (nn__loss_check_bcast(name, "weight", w, x) != NN_OK) return NULL;
  if (nn__loss_check_bcast(name, "pos_weight", pw, x) != NN_OK) return NULL;
  cfg.kind = kind;
  cfg.param = param;
  nop = nn__pl_operands(&cfg, ops, x, y, w, pw);
  if (red == NN_REDUCTION_NONE && !(out = nn__new(name, x->dtype, x->shape, x->ndim))) return NULL;
  memset(&job, 0, sizeof job);
  job.proto.c = &cfg;
  job.proto.out = out ? (char *)out->data : NULL;
  nn__iter_init(&job.it, nop, ops, x->shape, x->ndim);
  job.fn = x->dtype == NN_FLOAT32 ? nn__pl_fwd_f32 : nn__pl_fwd_f64;
  if (nn__pl_run(name, &job, &sum, &bad) != NN_OK) {
    nn_free(out);
    return NULL;
  }
  if (bad) {
    nn_free(out);
    nn__fail(NN_ERR_VALUE, "%s: all elements of input should be between 0 and 1 (probabilities; use "
                           "nn_binary_cross_entropy_with_logits for logits)", name);
    return NULL;
  }
  if (red == NN_REDUCTION_MEAN) divisor = (double)x->size;
  if (red == NN_REDUCTION_BATCHMEAN) divisor = x->ndim > 0 ? (double)x->shape[0] : 1.0;
  if (red != NN_REDUCTION_NONE) {
    out = nn__new(name, x->dtype, NULL, 0);
    if (!out) return NULL;
    if (x->dtype == NN_FLOAT32) *(float *)out->data = (float)(sum / divisor);
    else *(double *)out->data = sum / divisor;
  }
  if (nn__ag_wanted2(x, y)) out = nn__pl_record(name, out, &cfg, red, divisor, x, y, w, pw);
  return out;
}

NNDEF nn_tensor *nn_mse_loss(const nn_tensor *input, const nn_tensor *target, nn_reduction reduction) {
  return nn__pl_loss("nn_mse_loss", NN__PL_MSE, 0.0, input, target, NULL, NULL, reduction);
}

NNDEF nn_tensor *nn_l1_loss(const nn_tensor *input, const nn_tensor *target, nn_reduction reduction) {
  return nn__pl_loss("nn_l1_loss", NN__PL_L1, 0.0, input, target, NULL, NULL, reduction);
}

NNDEF nn_tensor *nn_huber_loss(const nn_tensor *input, const nn_tensor *target, nn_reduction reduction,
                               double delta) {
  if (!(delta > 0) || isinf(delta)) {
    nn__fail(NN_ERR_VALUE, "nn_huber_loss: delta must be positive and finite, got %g", delta);
    return NULL;
  }
  return nn__pl_loss("nn_huber_loss", NN__PL_HUBER, delta, input, target, NULL, NULL, reduction);
}

NNDEF nn_tensor *nn_smooth_l1_loss(const nn_tensor *input, const nn_tensor *target, nn_reduction reduction,
                                   double beta) {
  if (!(beta >= 0) || isinf(beta)) {
    nn__fail(NN_ERR_VALUE, "nn_smooth_l1_loss: beta must be non-negative and finite, got %g", beta);
    return NULL;
  }
  return nn__pl_loss("nn_smooth_l1_loss", NN__PL_SMOOTH_L1, beta, input, target, NULL, NULL, reduction);
}

NNDEF nn_tensor *nn_binary_cross_entropy(const nn_tensor *input, const nn_tensor *target, const nn_tensor *weight,
                                         nn_reduction reduction) {
  return nn__pl_loss("nn_binary_cross_entropy", NN__PL_BCE, 0.0, input, target, weight, NULL, reduction);
}

NNDEF nn_tensor *nn_binary_cross_entropy_with_logits(const nn_tensor *input, const nn_tensor *target,
                                                     const nn_tensor *weight, const nn_tensor *pos_weight,
                                                     nn_reduction reduction) {
  return nn__pl_loss("nn_binary_cross_entropy_with_logits", NN__PL_BCE_LOGITS, 0.0, input, target, weight,
                     pos_weight, reduction);
}

NNDEF nn_tensor *nn_kl_div(const nn_tensor *input, const nn_tensor *target, nn_reduction reduction,
                           int log_target) {
  return nn__pl_loss("nn_kl_div", log_target ? NN__PL_KL_LOG : NN__PL_KL, 0.0, input, target, NULL, NULL,
                     reduction);
}
