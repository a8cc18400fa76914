/* autograd/grad_elementwise.c: backward formulas of the elementwise ops (PyTorch's derivatives, including its
   conventions at kinks: relu'(0) = 0, |x|'(0) = 0, maximum/minimum split the gradient evenly on ties). */

/* ---- unary: gx = g * f'(x, y) in one pass over (gx, g, x, y), y being the op's result ---- */

typedef struct nn__ugrad_ctx {
  nn_unop op;
} nn__ugrad_ctx;

#define NN__SQRT_2_PI 0.79788456080286535588 /* sqrt(2 / pi) */
#define NN__INV_SQRT_2PI 0.39894228040143267794 /* 1 / sqrt(2 pi) */

/* d op(x) / dx from x and y = op(x), in double. */
NN__PRIVATE double nn__unop_deriv(nn_unop op, double x, double y) {
  switch (op) {
    case NN_OP_NEG: return -1.0;
    case NN_OP_ABS: return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
    case NN_OP_SQUARE: return 2.0 * x;
    case NN_OP_RELU: return y > 0 ? 1.0 : 0.0;
    case NN_OP_EXP: return y;
    case NN_OP_EXP2: return y * 0.69314718055994530942;
    case NN_OP_EXPM1: return y + 1.0;
    case NN_OP_LOG: return 1.0 / x;
    case NN_OP_LOG2: return 1.0 / (x * 0.69314718055994530942);
    case NN_OP_LOG10: return 1.0 / (x * 2.30258509299404568402);
    case NN_OP_LOG1P: return 1.0 / (1.0 + x);
    case NN_OP_SQRT: return 0.5 / y;
    case NN_OP_RSQRT: return -0.5 * y * y * y;
    case NN_OP_RECIPROCAL: return -y * y;
    case NN_OP_SIN: return cos(x);
    case NN_OP_COS: return -sin(x);
    case NN_OP_TAN: return 1.0 + y * y;
    case NN_OP_ASIN: return 1.0 / sqrt(1.0 - x * x);
    case NN_OP_ACOS: return -1.0 / sqrt(1.0 - x * x);
    case NN_OP_ATAN: return 1.0 / (1.0 + x * x);
    case NN_OP_SINH: return cosh(x);
    case NN_OP_COSH: return sinh(x);
    case NN_OP_TANH: return 1.0 - y * y;
    case NN_OP_SIGMOID: return y * (1.0 - y);
    case NN_OP_ERF: return 1.12837916709551257390 * exp(-x * x);
    case NN_OP_GELU: return 0.5 * (1.0 + erf(x * 0.70710678118654752440)) + x * NN__INV_SQRT_2PI * exp(-0.5 * x * x);
    case NN_OP_GELU_TANH: {
      double inner = NN__SQRT_2_PI * (x + 0.044715 * x * x * x), t = tanh(inner);
      return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * NN__SQRT_2_PI * (1.0 + 3.0 * 0.044715 * x * x);
    }
    case NN_OP_SILU: {
      double s = 1.0 / (1.0 + exp(-x));
      return s * (1.0 + x * (1.0 - s));
    }
    case NN_OP_SOFTPLUS: return x > 20.0 ? 1.0 : 1.0 / (1.0 + exp(-x));
    case NN_OP_LOG_SIGMOID: return 1.0 / (1.0 + exp(x));
    default: return 0.0; /* sign, round, floor, ceil, trunc: piecewise constant */
  }
}

/* float32 rows compute the cheap, hot derivatives in float (vectorizable) and the rest through double. */
NN__PRIVATE void nn__ugrad_row_f32(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__ugrad_ctx *c = (const nn__ugrad_ctx *)vctx;
  float *gx = (float *)p[0];
  const float *g = (const float *)p[1], *x = (const float *)p[2], *y = (const float *)p[3];
  int64_t i, s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
  if (s0 == 1 && s1 == 1 && s3 == 1) { /* the common contiguous case: the vector kernel when there is one */
    const nn__vec_table *vt = nn__kernels();
    int hot = c->op == NN_OP_RELU || c->op == NN_OP_TANH || c->op == NN_OP_SIGMOID || c->op == NN_OP_EXP;
    if (hot && vt->act_grad_f32) {
      vt->act_grad_f32((int)c->op, n, gx, g, y);
      return;
    }
    switch (c->op) {
      case NN_OP_RELU:
        for (i = 0; i < n; i++) gx[i] = y[i] > 0.0f ? g[i] : 0.0f;
        return;
      case NN_OP_TANH:
        for (i = 0; i < n; i++) gx[i] = g[i] * (1.0f - y[i] * y[i]);
        return;
      case NN_OP_SIGMOID:
        for (i = 0; i < n; i++) gx[i] = g[i] * (y[i] * (1.0f - y[i]));
        return;
      case NN_OP_EXP:
        for (i = 0; i < n; i++) gx[i] = g[i] * y[i];
        return;
      default: break;
    }
  }
  switch (c->op) {
    case NN_OP_RELU:
      for (i = 0; i < n; i++) gx[i * s0] = y[i * s3] > 0.0f ? g[i * s1] : 0.0f;
      return;
    case NN_OP_TANH:
      for (i = 0; i < n; i++) gx[i * s0] = g[i * s1] * (1.0f - y[i * s3] * y[i * s3]);
      return;
    case NN_OP_SIGMOID:
      for (i = 0; i < n; i++) gx[i * s0] = g[i * s1] * (y[i * s3] * (1.0f - y[i * s3]));
      return;
    case NN_OP_EXP:
      for (i = 0; i < n; i++) gx[i * s0] = g[i * s1] * y[i * s3];
      return;
    case NN_OP_NEG:
      for (i = 0; i < n; i++) gx[i * s0] = -g[i * s1];
      return;
    case NN_OP_SQUARE:
      for (i = 0; i < n; i++) gx[i * s0] = g[i * s1] * (2.0f * x[i * s2]);
      return;
    default:
      for (i = 0; i < n; i++) gx[i * s0] = (float)((double)g[i * s1] * nn__unop_deriv(c->op, x[i * s2], y[i * s3]));
  }
}

NN__PRIVATE void nn__ugrad_row_f64(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__ugrad_ctx *c = (const nn__ugrad_ctx *)vctx;
  double *gx = (double *)p[0];
  const double *g = (const double *)p[1], *x = (const double *)p[2], *y = (const double *)p[3];
  int64_t i;
  for (i = 0; i < n; i++) gx[i * st[0]] = g[i * st[1]] * nn__unop_deriv(c->op, x[i * st[2]], y[i * st[3]]);
}

NN__PRIVATE nn_status nn__unary_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  nn_tensor *x = n->saved[0], *y = n->saved[1], *gx, *g = NULL, *ops[4];
  nn__ugrad_ctx ctx;
  nn__iter it;
  nn_dtype dt = y->dtype;
  ctx.op = (nn_unop)n->i[0];
  if (!nn__is_float(dt) || x->dtype != dt) return nn__fail(NN_ERR_DTYPE, "nn_backward: %s: unexpected dtypes", n->name);
  if (gout->dtype != dt) {
    g = nn_astype(gout, dt);
    if (!g) return nn_last_status();
  }
  gx = nn__new(n->name, dt, y->shape, y->ndim);
  if (!gx) {
    nn_free(g);
    return nn_last_status();
  }
  ops[0] = gx;
  ops[1] = g ? g : (nn_tensor *)gout;
  ops[2] = x;
  ops[3] = y;
  nn__iter_init(&it, 4, ops, gx->shape, gx->ndim);
  nn__iter_run(&it, dt == NN_FLOAT32 ? nn__ugrad_row_f32 : nn__ugrad_row_f64, &ctx);
  nn_free(g);
  gin[0] = gx;
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__grad_unary(nn_unop op, nn_tensor *res, const nn_tensor *x) {
  nn__node *n;
  if (op >= NN_OP_ISNAN || !nn__is_float(res->dtype) || !nn__is_float(x->dtype)) return res; /* not differentiable */
  n = nn__ag_node(nn_unop_name(op), nn__unary_backward, 1, &x);
  if (n) {
    n->i[0] = (int64_t)op;
    if (nn__ag_save(n, 0, x) != NN_OK || nn__ag_save(n, 1, res) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* ---- binary ---- */

/* x <op> s for a comparison op, s a plain number. */
NN__PRIVATE nn_tensor *nn__cmp_scalar(nn_binop op, const nn_tensor *x, double s) {
  nn_tensor *c = nn_scalar(s, x->dtype), *r;
  if (!c) return NULL;
  r = nn_binary(op, x, c);
  nn_free(c);
  return r;
}

/* Ties of maximum/minimum: the gradient where a == b is split in half, elsewhere it goes to the selected side. */
NN__PRIVATE nn_tensor *nn__minmax_share(const nn_tensor *g, const nn_tensor *a, const nn_tensor *b, int is_max) {
  nn_tensor *win = is_max ? nn_greater(a, b) : nn_less(a, b), *tie = nn_equal(a, b), *w = NULL, *h = NULL, *r = NULL;
  if (win && tie) {
    h = nn_mul_scalar(tie, 0.5);
    if (h) w = nn_add(win, h); /* 1, 0.5 or 0 */
    if (w) r = nn_mul(g, w);
  }
  nn_free(win);
  nn_free(tie);
  nn_free(h);
  nn_free(w);
  return r;
}

NN__PRIVATE nn_status nn__binary_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  nn_tensor *a = n->saved[0], *b = n->saved[1], *y = n->saved[2], *t = NULL, *u = NULL, *v = NULL;
  int need_a = n->in[0].node != NULL, need_b = n->in[1].node != NULL;
  switch ((nn_binop)n->i[0]) {
    case NN_OP_ADD: /* views of g: the engine copies only where it must */
      if (need_a) gin[0] = nn_view(g);
      if (need_b) gin[1] = nn_view(g);
      break;
    case NN_OP_SUB:
      if (need_a) gin[0] = nn_view(g);
      if (need_b) gin[1] = nn_neg(g);
      break;
    case NN_OP_MUL:
      if (need_a) gin[0] = nn_mul(g, b);
      if (need_b) gin[1] = nn_mul(g, a);
      break;
    case NN_OP_DIV: /* da = g / b; db = -g a / b^2 = -g y / b */
      if (need_a) gin[0] = nn_div(g, b);
      if (need_b) {
        t = nn_mul(g, y);
        if (t) u = nn_div(t, b);
        if (u) gin[1] = nn_neg(u);
      }
      break;
    case NN_OP_POW: /* da = g b a^(b-1); db = g y log(a), 0 where a == 0 and b >= 0 (PyTorch) */
      if (need_a) {
        t = nn_sub_scalar(b, 1.0);
        if (t) u = nn_pow(a, t);
        if (u) v = nn_mul(u, b);
        if (v) gin[0] = nn_mul(g, v);
        nn_free(t);
        nn_free(u);
        nn_free(v);
        t = u = v = NULL;
      }
      if (need_b) {
        nn_tensor *mask = NULL, *zero = NULL;
        t = nn_log(a);
        if (t) u = nn_mul(y, t);
        if (u) v = nn_mul(g, u);
        if (v) {
          nn_tensor *az = nn__cmp_scalar(NN_OP_EQ, a, 0.0), *bp = nn__cmp_scalar(NN_OP_GE, b, 0.0);
          if (az && bp) mask = nn_logical_and(az, bp);
          nn_free(az);
          nn_free(bp);
          if (mask) zero = nn_zeros_like(v);
          if (zero) gin[1] = nn_where(mask, zero, v);
          nn_free(mask);
          nn_free(zero);
        }
      }
      break;
    case NN_OP_MAXIMUM:
    case NN_OP_MINIMUM: {
      int is_max = n->i[0] == NN_OP_MAXIMUM;
      if (need_a) gin[0] = nn__minmax_share(g, a, b, is_max);
      if (need_b) gin[1] = nn__minmax_share(g, b, a, is_max);
      break;
    }
    case NN_OP_ATAN2: /* d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2) */
      t = nn_mul(a, a);
      u = nn_mul(b, b);
      if (t && u) v = nn_add(t, u);
      nn_free(t);
      nn_free(u);
      t = u = NULL;
      if (v && need_a) {
        t = nn_div(b, v);
        if (t) gin[0] = nn_mul(g, t);
      }
      if (v && need_b) {
        u = nn_div(a, v);
        if (u) {
          nn_tensor *w = nn_mul(g, u);
          if (w) gin[1] = nn_neg(w);
          nn_free(w);
        }
      }
      break;
    case NN_OP_MOD: /* a - floor(a / b) b: da = g, db = -g floor(a / b) */
      if (need_a) gin[0] = nn_view(g);
      if (need_b) {
        t = nn_div(a, b);
        if (t) u = nn_floor(t);
        if (u) {
          nn_tensor *w = nn_mul(g, u);
          if (w) gin[1] = nn_neg(w);
          nn_free(w);
        }
      }
      break;
    default: /* floor_divide: piecewise constant, zero gradient */
      if (need_a) gin[0] = nn_zeros_like(g);
      if (need_b) gin[1] = nn_zeros_like(g);
      break;
  }
  nn_free(t);
  nn_free(u);
  nn_free(v);
  if ((need_a && !gin[0]) || (need_b && !gin[1])) return nn_last_status() != NN_OK ? nn_last_status() : NN_ERR_OOM;
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__grad_binary(nn_binop op, nn_tensor *res, const nn_tensor *a, const nn_tensor *b) {
  const nn_tensor *in[2];
  nn__node *n;
  if (op >= NN_OP_EQ || !nn__is_float(res->dtype)) return res; /* comparisons, logic, integer results */
  in[0] = a;
  in[1] = b;
  n = nn__ag_node(nn_binop_name(op), nn__binary_backward, 2, in);
  if (n) {
    int ok = 1;
    n->i[0] = (int64_t)op;
    if (op == NN_OP_MUL || op == NN_OP_DIV || op == NN_OP_POW || op == NN_OP_MAXIMUM || op == NN_OP_MINIMUM ||
        op == NN_OP_ATAN2 || op == NN_OP_MOD)
      ok = nn__ag_save(n, 0, a) == NN_OK && nn__ag_save(n, 1, b) == NN_OK;
    if (ok && (op == NN_OP_DIV || op == NN_OP_POW)) ok = nn__ag_save(n, 2, res) == NN_OK;
    if (!ok) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* ---- a + alpha b, where, clip, copies ---- */

NN__PRIVATE nn_status nn__add_scaled_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  if (n->in[0].node && !(gin[0] = nn_view(g))) return nn_last_status();
  if (n->in[1].node && !(gin[1] = nn_mul_scalar(g, n->d[0]))) return nn_last_status();
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__grad_add_scaled(nn_tensor *res, const nn_tensor *a, const nn_tensor *b, double alpha) {
  const nn_tensor *in[2];
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  in[0] = a;
  in[1] = b;
  n = nn__ag_node("add_scaled", nn__add_scaled_backward, 2, in);
  if (n) n->d[0] = alpha;
  return nn__ag_attach(n, res);
}

/* where: the gradient goes to a where cond holds and to b elsewhere. */
NN__PRIVATE nn_status nn__where_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  nn_tensor *cond = n->saved[0], *zero = nn_zeros(NULL, 0, g->dtype);
  if (!zero) return nn_last_status();
  if (n->in[1].node) gin[1] = nn_where(cond, g, zero);
  if (n->in[2].node) gin[2] = nn_where(cond, zero, g);
  nn_free(zero);
  if ((n->in[1].node && !gin[1]) || (n->in[2].node && !gin[2])) return nn_last_status();
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__grad_where(nn_tensor *res, const nn_tensor *cond, const nn_tensor *a, const nn_tensor *b) {
  const nn_tensor *in[3];
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  in[0] = NULL; /* the condition gets no gradient */
  in[1] = a;
  in[2] = b;
  n = nn__ag_node("where", nn__where_backward, 3, in);
  if (n && nn__ag_save(n, 0, cond) != NN_OK) {
    nn__node_decref(n);
    n = NULL;
  }
  return nn__ag_attach(n, res);
}

/* clip: the gradient passes where lo <= x <= hi (PyTorch's clamp_backward). */
NN__PRIVATE nn_status nn__clip_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  nn_tensor *x = n->saved[0], *ge = nn__cmp_scalar(NN_OP_GE, x, n->d[0]), *le = nn__cmp_scalar(NN_OP_LE, x, n->d[1]);
  nn_tensor *m = NULL;
  if (ge && le) m = nn_logical_and(ge, le);
  if (m) gin[0] = nn_mul(g, m);
  nn_free(ge);
  nn_free(le);
  nn_free(m);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_clip(nn_tensor *res, const nn_tensor *x, double lo, double hi) {
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node("clip", nn__clip_backward, 1, &x);
  if (n) {
    n->d[0] = lo;
    n->d[1] = hi;
    if (nn__ag_save(n, 0, x) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* astype / copy / contiguous: the gradient passes unchanged (the engine converts it back to x's dtype). */
NN__PRIVATE nn_status nn__identity_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  (void)n;
  gin[0] = nn_view(g);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_copy(nn_tensor *res, const nn_tensor *x) {
  if (!nn__is_float(res->dtype)) return res;
  return nn__ag_attach(nn__ag_node("copy", nn__identity_backward, 1, &x), res);
}
