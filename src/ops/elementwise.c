/* ops/elementwise.c: argument checks, dtype rules and dispatch for elementwise ops. */

static const char *const nn__binop_names[NN_BINOP_COUNT] = {
    "add", "subtract", "multiply", "divide", "floor_divide", "mod", "power", "maximum", "minimum", "arctan2",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor"};
static const char *const nn__unop_names[NN_UNOP_COUNT] = {
    "negative", "absolute", "sign", "square", "relu", "round", "floor", "ceil", "trunc", "exp", "exp2", "expm1",
    "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "arcsin", "arccos",
    "arctan", "sinh", "cosh", "tanh", "sigmoid", "erf", "gelu", "gelu_tanh", "silu", "softplus", "log_sigmoid",
    "isnan", "isinf", "isfinite", "logical_not"};

NNDEF const char *nn_binop_name(nn_binop op) {
  return (int)op >= 0 && op < NN_BINOP_COUNT ? nn__binop_names[op] : "invalid";
}
NNDEF const char *nn_unop_name(nn_unop op) { return (int)op >= 0 && op < NN_UNOP_COUNT ? nn__unop_names[op] : "invalid"; }

/* The float type NumPy would use for a math function of dt (float16 replaced by float32). */
NN__PRIVATE nn_dtype nn__float_for(nn_dtype dt) {
  if (nn__is_float(dt)) return dt;
  return (dt == NN_UINT8 || dt == NN_BOOL) ? NN_FLOAT32 : NN_FLOAT64;
}

/* NumPy 1.x promotion with a 0-d operand treated like a Python scalar. Categories bool < integer < float: a scalar
   of a higher category promotes normally (bool array + 2 -> int64, int32 array + 2.5 -> float64); one of the same
   or a lower category keeps the array's dtype, except that an integer scalar's value may widen an integer array
   (uint8 + 3 -> uint8, uint8 + -1 -> int16 in NumPy, int32 here; int32 + 2**40 -> int64). */
NN__PRIVATE nn_dtype nn__promote_weak(const nn_tensor *a, const nn_tensor *b) {
  const nn_tensor *s, *arr;
  int sc, ac;
  double v;
  if ((a->ndim == 0) == (b->ndim == 0)) return nn_promote_types(a->dtype, b->dtype);
  s = a->ndim == 0 ? a : b;
  arr = a->ndim == 0 ? b : a;
  sc = s->dtype == NN_BOOL ? 0 : nn__is_int(s->dtype) ? 1 : 2;
  ac = arr->dtype == NN_BOOL ? 0 : nn__is_int(arr->dtype) ? 1 : 2;
  if (sc > ac) return nn_promote_types(arr->dtype, s->dtype);
  if (sc < ac || sc != 1) return arr->dtype;
  v = nn__load(s->dtype, s->data);
  if (arr->dtype == NN_UINT8) {
    if (v >= 0 && v <= 255) return NN_UINT8;
    return (v >= -2147483648.0 && v <= 2147483647.0) ? NN_INT32 : NN_INT64;
  }
  if (arr->dtype == NN_INT32 && !(v >= -2147483648.0 && v <= 2147483647.0)) return NN_INT64;
  return arr->dtype;
}

/* Picks the dtype an op computes in and the dtype it returns; returns NN_DTYPE_COUNT with an error if unsupported. */
NN__PRIVATE nn_dtype nn__binop_types(const char *name, nn_binop op, const nn_tensor *a, const nn_tensor *b,
                                     nn_dtype *result) {
  nn_dtype c = nn__promote_weak(a, b);
  switch (op) {
    case NN_OP_DIV: /* true division of integers is float64 whatever their size */
      if (!nn__is_float(c)) c = NN_FLOAT64;
      break;
    case NN_OP_ATAN2:
      c = nn__float_for(c);
      break;
    case NN_OP_SUB:
      if (c == NN_BOOL) {
        nn__fail(NN_ERR_DTYPE, "%s: boolean subtract is not supported (bool and bool); use nn_logical_xor", name);
        return NN_DTYPE_COUNT;
      }
      break;
    case NN_OP_FLOOR_DIVIDE:
    case NN_OP_MOD:
    case NN_OP_POW:
      if (c == NN_BOOL) c = NN_UINT8;
      break;
    default:
      break;
  }
  *result = op >= NN_OP_EQ ? NN_BOOL : c;
  return c;
}

NNDEF nn_dtype nn_binary_result_type(nn_binop op, const nn_tensor *a, const nn_tensor *b) {
  nn_dtype r;
  if (!a || !b) {
    nn__fail_null("nn_binary_result_type", !a ? "a" : "b");
    return NN_DTYPE_COUNT;
  }
  if ((int)op < 0 || op >= NN_BINOP_COUNT) {
    nn__fail(NN_ERR_ARG, "nn_binary_result_type: invalid op %d", (int)op);
    return NN_DTYPE_COUNT;
  }
  if (nn__binop_types("nn_binary_result_type", op, a, b, &r) == NN_DTYPE_COUNT) return NN_DTYPE_COUNT;
  return r;
}

/* ---- row dispatch: vector kernel for contiguous rows when one exists ---- */

typedef struct nn__bin_ctx {
  nn__row_fn row;
  nn__vbin_fn v[3];
} nn__bin_ctx;

NN__PRIVATE void nn__bin_row(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__bin_ctx *c = (const nn__bin_ctx *)vctx;
  if (st[0] == 1) {
    if (st[1] == 1 && st[2] == 1 && c->v[NN__VV]) {
      c->v[NN__VV](n, p[0], p[1], p[2]);
      return;
    }
    if (st[1] == 1 && st[2] == 0 && c->v[NN__VS]) {
      c->v[NN__VS](n, p[0], p[1], p[2]);
      return;
    }
    if (st[1] == 0 && st[2] == 1 && c->v[NN__SV]) {
      c->v[NN__SV](n, p[0], p[1], p[2]);
      return;
    }
  }
  c->row(n, p, st, NULL);
}

typedef struct nn__un_ctx {
  nn__row_fn row;
  nn__vun_fn v;
} nn__un_ctx;

NN__PRIVATE void nn__un_row(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__un_ctx *c = (const nn__un_ctx *)vctx;
  if (st[0] == 1 && st[1] == 1 && c->v) c->v(n, p[0], p[1]);
  else c->row(n, p, st, NULL);
}

/* x converted to dt, or x itself when it already has dt (then *tmp stays NULL). */
NN__PRIVATE const nn_tensor *nn__as_dtype(const nn_tensor *x, nn_dtype dt, nn_tensor **tmp) {
  *tmp = NULL;
  if (x->dtype == dt) return x;
  *tmp = nn_astype(x, dt);
  return *tmp;
}

/* Checks an out tensor: on the CPU, with exactly the given shape. */
NN__PRIVATE nn_status nn__check_out(const char *name, const nn_tensor *out, const int64_t *shape, int ndim) {
  char s1[160], s2[160];
  int i, same = out->ndim == ndim;
  if (nn__check_cpu(name, out, "out") != NN_OK) return nn_last_status();
  for (i = 0; same && i < ndim; i++) same = out->shape[i] == shape[i];
  if (!same)
    return nn__fail(NN_ERR_SHAPE, "%s: output shape %s does not match the broadcast shape %s", name,
                    nn_shape_str(out, s1, sizeof s1), nn__fmt_shape(s2, sizeof s2, shape, ndim));
  return NN_OK;
}

/* Runs a 3-operand elementwise computation out = f(a, b) given a ready out (dtype = compute or bool result). */
NN__PRIVATE void nn__run3(nn_tensor *out, const nn_tensor *a, const nn_tensor *b, nn__row_fn fn, void *ctx) {
  nn__iter it;
  nn_tensor *ops[3];
  ops[0] = out;
  ops[1] = (nn_tensor *)a;
  ops[2] = (nn_tensor *)b;
  nn__iter_init(&it, 3, ops, out->shape, out->ndim);
  nn__iter_run(&it, fn, ctx);
}

NN__PRIVATE void nn__run2(nn_tensor *out, const nn_tensor *x, nn__row_fn fn, void *ctx) {
  nn__iter it;
  nn_tensor *ops[2];
  ops[0] = out;
  ops[1] = (nn_tensor *)x;
  nn__iter_init(&it, 2, ops, out->shape, out->ndim);
  nn__iter_run(&it, fn, ctx);
}

/* 1 if any element of an integer tensor is negative. */
NN__PRIVATE int nn__any_negative(const nn_tensor *t) {
  int64_t i;
  if (t->dtype == NN_UINT8 || t->dtype == NN_BOOL) return 0;
  for (i = 0; i < t->size; i++)
    if (nn__load(t->dtype, nn__flat_ptr(t, i)) < 0) return 1;
  return 0;
}

/* The shared body of every binary op. out may be NULL (allocate) or an existing tensor. */
NN__PRIVATE nn_tensor *nn__binary(const char *name, nn_binop op, nn_tensor *out, const nn_tensor *a,
                                  const nn_tensor *b) {
  int64_t shape[NN_MAX_DIMS];
  int ndim;
  nn_dtype cdt, rdt;
  nn_tensor *ta = NULL, *tb = NULL, *res = NULL, *tmp = NULL;
  const nn_tensor *ca, *cb;
  nn__bin_ctx ctx;
  const nn__vec_table *vt;
  if (nn__check_cpu(name, a, "a") != NN_OK || nn__check_cpu(name, b, "b") != NN_OK) return NULL;
  if ((int)op < 0 || op >= NN_BINOP_COUNT) {
    nn__fail(NN_ERR_ARG, "%s: invalid op %d", name, (int)op);
    return NULL;
  }
  if (nn__broadcast_shapes(name, a->shape, a->ndim, b->shape, b->ndim, shape, &ndim) != NN_OK) return NULL;
  cdt = nn__binop_types(name, op, a, b, &rdt);
  if (cdt == NN_DTYPE_COUNT) return NULL;
  if (out && nn__check_out(name, out, shape, ndim) != NN_OK) return NULL;
  ca = nn__as_dtype(a, cdt, &ta);
  cb = nn__as_dtype(b, cdt, &tb);
  if (!ca || !cb) goto done;
  if (op == NN_OP_POW && nn__is_int(cdt) && nn__any_negative(cb)) {
    nn__fail(NN_ERR_VALUE, "%s: integers to negative integer powers are not allowed", name);
    goto done;
  }
  if (!out || out->dtype != rdt) {
    tmp = nn__new(name, rdt, shape, ndim);
    if (!tmp) goto done;
  }
  vt = nn__kernels();
  ctx.row = nn__bin_rows[cdt][op];
  ctx.v[0] = vt->bin[cdt][op][0];
  ctx.v[1] = vt->bin[cdt][op][1];
  ctx.v[2] = vt->bin[cdt][op][2];
  NN_ASSERT(ctx.row != NULL);
  nn__run3(tmp ? tmp : out, ca, cb, nn__bin_row, &ctx);
  if (out && tmp) {
    nn__assign(out, tmp);
    nn_free(tmp);
    tmp = NULL;
  }
  res = out ? out : tmp;
  if (!out && nn__ag_wanted2(a, b)) res = nn__grad_binary(op, res, a, b);
done:
  nn_free(ta);
  nn_free(tb);
  return res;
}

NNDEF nn_tensor *nn_binary(nn_binop op, const nn_tensor *a, const nn_tensor *b) {
  return nn__binary("nn_binary", op, NULL, a, b);
}

NNDEF nn_status nn_binary_out(nn_binop op, nn_tensor *out, const nn_tensor *a, const nn_tensor *b) {
  if (!out) return nn__fail_null("nn_binary_out", "out");
  return nn__binary("nn_binary_out", op, out, a, b) ? NN_OK : nn_last_status();
}

#define NN__BINARY_API(FN, OP) \
  NNDEF nn_tensor *FN(const nn_tensor *a, const nn_tensor *b) { return nn__binary(#FN, OP, NULL, a, b); }
NN__BINARY_API(nn_add, NN_OP_ADD)
NN__BINARY_API(nn_sub, NN_OP_SUB)
NN__BINARY_API(nn_mul, NN_OP_MUL)
NN__BINARY_API(nn_div, NN_OP_DIV)
NN__BINARY_API(nn_floor_divide, NN_OP_FLOOR_DIVIDE)
NN__BINARY_API(nn_mod, NN_OP_MOD)
NN__BINARY_API(nn_pow, NN_OP_POW)
NN__BINARY_API(nn_maximum, NN_OP_MAXIMUM)
NN__BINARY_API(nn_minimum, NN_OP_MINIMUM)
NN__BINARY_API(nn_atan2, NN_OP_ATAN2)
NN__BINARY_API(nn_equal, NN_OP_EQ)
NN__BINARY_API(nn_not_equal, NN_OP_NE)
NN__BINARY_API(nn_less, NN_OP_LT)
NN__BINARY_API(nn_less_equal, NN_OP_LE)
NN__BINARY_API(nn_greater, NN_OP_GT)
NN__BINARY_API(nn_greater_equal, NN_OP_GE)
NN__BINARY_API(nn_logical_and, NN_OP_LOGICAL_AND)
NN__BINARY_API(nn_logical_or, NN_OP_LOGICAL_OR)
NN__BINARY_API(nn_logical_xor, NN_OP_LOGICAL_XOR)

/* A Python scalar: integral values become int64 (kind int), others float64 (kind float). */
NN__PRIVATE nn_tensor *nn__py_scalar(double s) {
  if (s == floor(s) && fabs(s) < 9.0e15) return nn_scalar(s, NN_INT64);
  return nn_scalar(s, NN_FLOAT64);
}

#define NN__SCALAR_API(FN, OP)                                     \
  NNDEF nn_tensor *FN(const nn_tensor *a, double s) {              \
    nn_tensor *b, *r;                                              \
    if (nn__check_cpu(#FN, a, "a") != NN_OK) return NULL;          \
    b = nn__py_scalar(s);                                          \
    if (!b) return NULL;                                           \
                                                                   \
    r = nn__binary(#FN, OP, NULL, a, b);                           \
    nn_free(b);                                                    \
    return r;                                                      \
  }
NN__SCALAR_API(nn_add_scalar, NN_OP_ADD)
NN__SCALAR_API(nn_sub_scalar, NN_OP_SUB)
NN__SCALAR_API(nn_mul_scalar, NN_OP_MUL)
NN__SCALAR_API(nn_div_scalar, NN_OP_DIV)
NN__SCALAR_API(nn_pow_scalar, NN_OP_POW)

/* ---- unary ---- */

NN__PRIVATE nn_tensor *nn__unary(const char *name, nn_unop op, nn_tensor *out, const nn_tensor *x) {
  nn_dtype cdt, rdt;
  nn_tensor *tx = NULL, *tmp = NULL, *res = NULL;
  const nn_tensor *cx;
  nn__un_ctx ctx;
  if (nn__check_cpu(name, x, "x") != NN_OK) return NULL;
  if ((int)op < 0 || op >= NN_UNOP_COUNT) {
    nn__fail(NN_ERR_ARG, "%s: invalid op %d", name, (int)op);
    return NULL;
  }
  cdt = x->dtype;
  if (op == NN_OP_NEG && cdt == NN_BOOL) {
    nn__fail(NN_ERR_DTYPE, "%s: the boolean negative is not supported; use nn_logical_not", name);
    return NULL;
  }
  if ((op >= NN_OP_FLOOR && op < NN_OP_ISNAN) || (op == NN_OP_ROUND && cdt == NN_BOOL)) cdt = nn__float_for(cdt);
  rdt = op >= NN_OP_ISNAN ? NN_BOOL : cdt;
  if (out && nn__check_out(name, out, x->shape, x->ndim) != NN_OK) return NULL;
  cx = nn__as_dtype(x, cdt, &tx);
  if (!cx) return NULL;
  if (!out || out->dtype != rdt) {
    tmp = nn__new(name, rdt, x->shape, x->ndim);
    if (!tmp) goto done;
  }
  ctx.row = nn__un_rows[cdt][op];
  ctx.v = nn__kernels()->un[cdt][op];
  NN_ASSERT(ctx.row != NULL);
  nn__run2(tmp ? tmp : out, cx, nn__un_row, &ctx);
  if (out && tmp) {
    nn__assign(out, tmp);
    nn_free(tmp);
    tmp = NULL;
  }
  res = out ? out : tmp;
  if (!out && nn__ag_wanted1(x)) res = nn__grad_unary(op, res, x);
done:
  nn_free(tx);
  return res;
}

NNDEF nn_tensor *nn_unary(nn_unop op, const nn_tensor *x) { return nn__unary("nn_unary", op, NULL, x); }
NNDEF nn_status nn_unary_out(nn_unop op, nn_tensor *out, const nn_tensor *x) {
  if (!out) return nn__fail_null("nn_unary_out", "out");
  return nn__unary("nn_unary_out", op, out, x) ? NN_OK : nn_last_status();
}

#define NN__UNARY_API(FN, OP) \
  NNDEF nn_tensor *FN(const nn_tensor *x) { return nn__unary(#FN, OP, NULL, x); }
NN__UNARY_API(nn_neg, NN_OP_NEG)
NN__UNARY_API(nn_abs, NN_OP_ABS)
NN__UNARY_API(nn_sign, NN_OP_SIGN)
NN__UNARY_API(nn_square, NN_OP_SQUARE)
NN__UNARY_API(nn_relu, NN_OP_RELU)
NN__UNARY_API(nn_round, NN_OP_ROUND)
NN__UNARY_API(nn_floor, NN_OP_FLOOR)
NN__UNARY_API(nn_ceil, NN_OP_CEIL)
NN__UNARY_API(nn_trunc, NN_OP_TRUNC)
NN__UNARY_API(nn_exp, NN_OP_EXP)
NN__UNARY_API(nn_exp2, NN_OP_EXP2)
NN__UNARY_API(nn_expm1, NN_OP_EXPM1)
NN__UNARY_API(nn_log, NN_OP_LOG)
NN__UNARY_API(nn_log2, NN_OP_LOG2)
NN__UNARY_API(nn_log10, NN_OP_LOG10)
NN__UNARY_API(nn_log1p, NN_OP_LOG1P)
NN__UNARY_API(nn_sqrt, NN_OP_SQRT)
NN__UNARY_API(nn_rsqrt, NN_OP_RSQRT)
NN__UNARY_API(nn_reciprocal, NN_OP_RECIPROCAL)
NN__UNARY_API(nn_sin, NN_OP_SIN)
NN__UNARY_API(nn_cos, NN_OP_COS)
NN__UNARY_API(nn_tan, NN_OP_TAN)
NN__UNARY_API(nn_asin, NN_OP_ASIN)
NN__UNARY_API(nn_acos, NN_OP_ACOS)
NN__UNARY_API(nn_atan, NN_OP_ATAN)
NN__UNARY_API(nn_sinh, NN_OP_SINH)
NN__UNARY_API(nn_cosh, NN_OP_COSH)
NN__UNARY_API(nn_tanh, NN_OP_TANH)
NN__UNARY_API(nn_sigmoid, NN_OP_SIGMOID)
NN__UNARY_API(nn_erf, NN_OP_ERF)
NN__UNARY_API(nn_gelu, NN_OP_GELU)
NN__UNARY_API(nn_gelu_tanh, NN_OP_GELU_TANH)
NN__UNARY_API(nn_silu, NN_OP_SILU)
NN__UNARY_API(nn_softplus, NN_OP_SOFTPLUS)
NN__UNARY_API(nn_log_sigmoid, NN_OP_LOG_SIGMOID)
NN__UNARY_API(nn_isnan, NN_OP_ISNAN)
NN__UNARY_API(nn_isinf, NN_OP_ISINF)
NN__UNARY_API(nn_isfinite, NN_OP_ISFINITE)
NN__UNARY_API(nn_logical_not, NN_OP_LOGICAL_NOT)

/* ---- fused forms: a + alpha*b and alpha*x + beta ---- */

typedef struct nn__axpb_ctx {
  double alpha, beta;
  const nn__vec_table *vt;
} nn__axpb_ctx;

NN__PRIVATE void nn__add_scaled_row_f32(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__axpb_ctx *c = (const nn__axpb_ctx *)vctx;
  float *o = (float *)p[0];
  const float *a = (const float *)p[1], *b = (const float *)p[2];
  float al = (float)c->alpha;
  int64_t i;
  if (st[0] == 1 && st[1] == 1 && st[2] == 1 && c->vt->add_scaled_f32) {
    c->vt->add_scaled_f32(n, o, a, b, al);
    return;
  }
  for (i = 0; i < n; i++) o[i * st[0]] = a[i * st[1]] + al * b[i * st[2]];
}

NN__PRIVATE void nn__add_scaled_row_f64(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__axpb_ctx *c = (const nn__axpb_ctx *)vctx;
  double *o = (double *)p[0];
  const double *a = (const double *)p[1], *b = (const double *)p[2];
  int64_t i;
  for (i = 0; i < n; i++) o[i * st[0]] = a[i * st[1]] + c->alpha * b[i * st[2]];
}

NNDEF nn_status nn_add_scaled_out(nn_tensor *out, const nn_tensor *a, const nn_tensor *b, double alpha) {
  nn_tensor *s, *prod;
  nn_status st = NN_OK;
  int64_t shape[NN_MAX_DIMS];
  int ndim;
  if (!out) return nn__fail_null("nn_add_scaled_out", "out");
  if (nn__check_cpu("nn_add_scaled_out", a, "a") != NN_OK || nn__check_cpu("nn_add_scaled_out", b, "b") != NN_OK)
    return nn_last_status();
  if (nn__broadcast_shapes("nn_add_scaled_out", a->shape, a->ndim, b->shape, b->ndim, shape, &ndim) != NN_OK)
    return nn_last_status();
  if (nn__check_out("nn_add_scaled_out", out, shape, ndim) != NN_OK) return nn_last_status();
  if (nn__is_float(out->dtype) && a->dtype == out->dtype && b->dtype == out->dtype) {
    nn__axpb_ctx c;
    c.alpha = alpha;
    c.beta = 0;
    c.vt = nn__kernels();
    nn__run3(out, a, b, out->dtype == NN_FLOAT32 ? nn__add_scaled_row_f32 : nn__add_scaled_row_f64, &c);
    return NN_OK;
  }
  /* mixed dtypes: the two-step form has the right promotion */
  s = nn__py_scalar(alpha);
  if (!s) return nn_last_status();

  prod = nn__binary("nn_add_scaled_out", NN_OP_MUL, NULL, b, s);

  if (!prod || !nn__binary("nn_add_scaled_out", NN_OP_ADD, out, a, prod)) st = nn_last_status();
  nn_free(prod);
  nn_free(s);
  return st;
}

NNDEF nn_tensor *nn_add_scaled(const nn_tensor *a, const nn_tensor *b, double alpha) {
  int64_t shape[NN_MAX_DIMS];
  int ndim;
  nn_tensor *out;
  nn_dtype dt;
  if (nn__check_cpu("nn_add_scaled", a, "a") != NN_OK || nn__check_cpu("nn_add_scaled", b, "b") != NN_OK) return NULL;
  if (nn__broadcast_shapes("nn_add_scaled", a->shape, a->ndim, b->shape, b->ndim, shape, &ndim) != NN_OK) return NULL;
  dt = nn__promote_weak(a, b);
  if (!nn__is_float(dt) && alpha != floor(alpha)) dt = nn__float_for(dt);
  if (dt == NN_BOOL) dt = NN_INT64;
  out = nn__new("nn_add_scaled", dt, shape, ndim);
  if (!out) return NULL;
  if (nn_add_scaled_out(out, a, b, alpha) != NN_OK) {
    nn_free(out);
    return NULL;
  }
  if (nn__ag_wanted2(a, b)) out = nn__grad_add_scaled(out, a, b, alpha);
  return out;
}

NN__PRIVATE void nn__affine_row(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__axpb_ctx *c = (const nn__axpb_ctx *)vctx;
  int64_t i;
  if (st[0] == 1 && st[1] == 1 && c->vt->affine_f32) {
    c->vt->affine_f32(n, (float *)p[0], (const float *)p[1], (float)c->alpha, (float)c->beta);
    return;
  }
  {
    float *o = (float *)p[0];
    const float *x = (const float *)p[1];
    float al = (float)c->alpha, be = (float)c->beta;
    for (i = 0; i < n; i++) o[i * st[0]] = al * x[i * st[1]] + be;
  }
}

NN__PRIVATE void nn__affine_row_f64(int64_t n, char **p, const int64_t *st, void *vctx) {
  const nn__axpb_ctx *c = (const nn__axpb_ctx *)vctx;
  double *o = (double *)p[0];
  const double *x = (const double *)p[1];
  int64_t i;
  for (i = 0; i < n; i++) o[i * st[0]] = c->alpha * x[i * st[1]] + c->beta;
}

NNDEF nn_status nn_affine_out(nn_tensor *out, const nn_tensor *x, double alpha, double beta) {
  nn__axpb_ctx c;
  if (!out) return nn__fail_null("nn_affine_out", "out");
  if (nn__check_cpu("nn_affine_out", x, "x") != NN_OK) return nn_last_status();
  if (nn__check_out("nn_affine_out", out, x->shape, x->ndim) != NN_OK) return nn_last_status();
  if (!nn__is_float(out->dtype) || out->dtype != x->dtype)
    return nn__fail(NN_ERR_DTYPE, "nn_affine_out: needs float32 or float64 tensors of one dtype (got %s and %s)",
                    nn_dtype_name(out->dtype), nn_dtype_name(x->dtype));
  c.alpha = alpha;
  c.beta = beta;
  c.vt = nn__kernels();
  nn__run2(out, x, out->dtype == NN_FLOAT32 ? nn__affine_row : nn__affine_row_f64, &c);
  return NN_OK;
}

/* ---- where / clip ---- */

#define NN__WHERE_ROW(NAME, T)                                                                      \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *ctx) {                        \
    T *o = (T *)p[0];                                                                               \
    const uint8_t *c = (const uint8_t *)p[1];                                                       \
    const T *a = (const T *)p[2], *b = (const T *)p[3];                                             \
    int64_t i;                                                                                      \
    (void)ctx;                                                                                      \
    for (i = 0; i < n; i++) o[i * st[0]] = c[i * st[1]] ? a[i * st[2]] : b[i * st[3]];              \
  }
NN__WHERE_ROW(nn__where_row1, uint8_t)
NN__WHERE_ROW(nn__where_row4, uint32_t)
NN__WHERE_ROW(nn__where_row8, uint64_t)

NNDEF nn_tensor *nn_where(const nn_tensor *cond, const nn_tensor *a, const nn_tensor *b) {
  int64_t s1[NN_MAX_DIMS], shape[NN_MAX_DIMS];
  int n1, ndim;
  nn_dtype dt;
  nn_tensor *tc = NULL, *ta = NULL, *tb = NULL, *out = NULL;
  const nn_tensor *cc, *ca, *cb;
  nn__iter it;
  nn_tensor *ops[4];
  size_t es;
  if (nn__check_cpu("nn_where", cond, "cond") != NN_OK || nn__check_cpu("nn_where", a, "a") != NN_OK ||
      nn__check_cpu("nn_where", b, "b") != NN_OK)
    return NULL;
  if (nn__broadcast_shapes("nn_where", cond->shape, cond->ndim, a->shape, a->ndim, s1, &n1) != NN_OK) return NULL;
  if (nn__broadcast_shapes("nn_where", s1, n1, b->shape, b->ndim, shape, &ndim) != NN_OK) return NULL;
  dt = nn__promote_weak(a, b);
  cc = nn__as_dtype(cond, NN_BOOL, &tc);
  ca = nn__as_dtype(a, dt, &ta);
  cb = nn__as_dtype(b, dt, &tb);
  if (!cc || !ca || !cb) goto done;
  out = nn__new("nn_where", dt, shape, ndim);
  if (!out) goto done;
  ops[0] = out;
  ops[1] = (nn_tensor *)cc;
  ops[2] = (nn_tensor *)ca;
  ops[3] = (nn_tensor *)cb;
  nn__iter_init(&it, 4, ops, shape, ndim);
  es = nn_dtype_size(dt);
  nn__iter_run(&it, es == 1 ? nn__where_row1 : es == 4 ? nn__where_row4 : nn__where_row8, NULL);
  if (nn__ag_wanted2(a, b)) out = nn__grad_where(out, cond, a, b);
done:
  nn_free(tc);
  nn_free(ta);
  nn_free(tb);
  return out;
}

typedef struct nn__clip_ctx {
  double lo, hi;
} nn__clip_ctx;

#define NN__CLIP_ROW(NAME, T, LO, HI)                                          \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *vctx) {  \
    const nn__clip_ctx *c = (const nn__clip_ctx *)vctx;                        \
    T *o = (T *)p[0];                                                          \
    const T *x = (const T *)p[1];                                              \
    T lo = LO, hi = HI;                                                        \
    int64_t i;                                                                 \
    for (i = 0; i < n; i++) {                                                  \
      T v = x[i * st[1]];                                                      \
      v = v < lo ? lo : v;                                                     \
      o[i * st[0]] = v > hi ? hi : v;                                          \
    }                                                                          \
  }
/* Integer bounds are clamped to the type's range first so the conversion is defined. */
NN__CLIP_ROW(nn__clip_f32, float, (float)c->lo, (float)c->hi)
NN__CLIP_ROW(nn__clip_f64, double, c->lo, c->hi)
NN__CLIP_ROW(nn__clip_i32, int32_t, (int32_t)NN__MAX(c->lo, (double)INT32_MIN), (int32_t)NN__MIN(c->hi, (double)INT32_MAX))
NN__CLIP_ROW(nn__clip_i64, int64_t, nn__f2i64(NN__MAX(c->lo, -9.2233720368547758e18)),
             nn__f2i64(NN__MIN(c->hi, 9.2233720368547748e18)))
NN__CLIP_ROW(nn__clip_u8, uint8_t, (uint8_t)NN__MIN(NN__MAX(c->lo, 0.0), 255.0), (uint8_t)NN__MIN(NN__MAX(c->hi, 0.0), 255.0))

NNDEF nn_status nn_clip_out(nn_tensor *out, const nn_tensor *x, double lo, double hi) {
  nn__clip_ctx c;
  static const nn__row_fn rows[NN_DTYPE_COUNT] = {nn__clip_f32, nn__clip_f64, nn__clip_i32,
                                                  nn__clip_i64, nn__clip_u8,  nn__clip_u8};
  if (!out) return nn__fail_null("nn_clip_out", "out");
  if (nn__check_cpu("nn_clip_out", x, "x") != NN_OK) return nn_last_status();
  if (nn__check_out("nn_clip_out", out, x->shape, x->ndim) != NN_OK) return nn_last_status();
  if (lo != lo || hi != hi) return nn__fail(NN_ERR_VALUE, "nn_clip_out: bounds must not be NaN (got %g, %g)", lo, hi);
  if (out->dtype != x->dtype)
    return nn__fail(NN_ERR_DTYPE, "nn_clip_out: out dtype %s differs from input dtype %s", nn_dtype_name(out->dtype),
                    nn_dtype_name(x->dtype));
  if (nn__is_int(x->dtype) || x->dtype == NN_BOOL) {
    lo = ceil(lo); /* the integers inside [lo, hi] */
    hi = floor(hi);
  }
  if (x->dtype == NN_BOOL) {
    lo = NN__MIN(NN__MAX(lo, 0.0), 1.0);
    hi = NN__MIN(NN__MAX(hi, 0.0), 1.0);
  }
  c.lo = lo;
  c.hi = hi;
  nn__run2(out, x, rows[x->dtype], &c);
  return NN_OK;
}

NNDEF nn_tensor *nn_clip(const nn_tensor *x, double lo, double hi) {
  nn_tensor *src, *tx = NULL, *out;
  nn_dtype dt;
  if (nn__check_cpu("nn_clip", x, "x") != NN_OK) return NULL;
  dt = x->dtype;
  /* like NumPy: an integer array clipped to fractional bounds becomes float64 */
  if (!nn__is_float(dt) && ((isfinite(lo) && lo != floor(lo)) || (isfinite(hi) && hi != floor(hi)))) dt = NN_FLOAT64;
  src = (nn_tensor *)nn__as_dtype(x, dt, &tx);
  if (!src) return NULL;
  out = nn__new("nn_clip", dt, x->shape, x->ndim);
  if (out && nn_clip_out(out, src, lo, hi) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
  if (out && nn__ag_wanted1(x)) out = nn__grad_clip(out, x, lo, hi);
  nn_free(tx);
  return out;
}
