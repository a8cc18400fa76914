/* nn/init.c: parameter initializers (torch.nn.init), drawing from an explicit nn_rng so that a seed always gives
   the same values. */
#ifndef NN_NO_RANDOM

NN__PRIVATE nn_status nn__init_check(const char *fn, const nn_tensor *t, const nn_rng *rng, int need_rng) {
  if (nn__check_cpu(fn, t, "t") != NN_OK) return nn_last_status();
  if (!nn__is_float(t->dtype))
    return nn__fail(NN_ERR_DTYPE, "%s: only float32/float64 tensors can be initialized, got %s", fn,
                    nn_dtype_name(t->dtype));
  if (need_rng && !rng) return nn__fail_null(fn, "rng");
  return NN_OK;
}

/* Sets element i (row-major) of t, fast for contiguous tensors. */
NN__PRIVATE void nn__init_put(nn_tensor *t, int64_t i, double v) {
  if (nn_is_contiguous(t)) {
    if (t->dtype == NN_FLOAT32) ((float *)t->data)[i] = (float)v;
    else ((double *)t->data)[i] = v;
  } else {
    nn_set_flat(t, i, v);
  }
}

NNDEF nn_status nn_init_uniform(nn_tensor *t, double a, double b, nn_rng *rng) {
  int64_t i;
  if (nn__init_check("nn_init_uniform", t, rng, 1) != NN_OK) return nn_last_status();
  if (!(a <= b) || !isfinite(a) || !isfinite(b))
    return nn__fail(NN_ERR_VALUE, "nn_init_uniform: needs finite bounds a <= b, got a = %g, b = %g", a, b);
  for (i = 0; i < t->size; i++) nn__init_put(t, i, a + (b - a) * nn_rng_uniform(rng));
  return NN_OK;
}

NNDEF nn_status nn_init_normal(nn_tensor *t, double mean, double std, nn_rng *rng) {
  int64_t i;
  if (nn__init_check("nn_init_normal", t, rng, 1) != NN_OK) return nn_last_status();
  if (!(std >= 0) || !isfinite(std) || !isfinite(mean))
    return nn__fail(NN_ERR_VALUE, "nn_init_normal: needs a finite mean and std >= 0, got mean = %g, std = %g", mean,
                    std);
  for (i = 0; i < t->size; i++) nn__init_put(t, i, mean + std * nn_rng_normal(rng));
  return NN_OK;
}

NNDEF nn_status nn_init_constant(nn_tensor *t, double value) {
  if (nn__init_check("nn_init_constant", t, NULL, 0) != NN_OK) return nn_last_status();
  return nn_fill(t, value);
}
NNDEF nn_status nn_init_zeros(nn_tensor *t) {
  if (nn__init_check("nn_init_zeros", t, NULL, 0) != NN_OK) return nn_last_status();
  return nn_fill(t, 0.0);
}
NNDEF nn_status nn_init_ones(nn_tensor *t) {
  if (nn__init_check("nn_init_ones", t, NULL, 0) != NN_OK) return nn_last_status();
  return nn_fill(t, 1.0);
}

NNDEF double nn_init_calculate_gain(nn_nonlinearity nl, double param) {
  switch (nl) {
    case NN_NL_LINEAR:
    case NN_NL_SIGMOID: return 1.0;
    case NN_NL_TANH: return 5.0 / 3.0;
    case NN_NL_RELU: return sqrt(2.0);
    case NN_NL_LEAKY_RELU: return sqrt(2.0 / (1.0 + param * param));
    case NN_NL_SELU: return 0.75;
    default: nn__fail(NN_ERR_ARG, "nn_init_calculate_gain: unknown nonlinearity %d", (int)nl); return NAN;
  }
}

NNDEF nn_status nn_init_fans(const nn_tensor *t, int64_t *fan_in, int64_t *fan_out) {
  int64_t rf = 1;
  int i;
  if (nn__check_cpu("nn_init_fans", t, "t") != NN_OK) return nn_last_status();
  if (t->ndim < 2) {
    char b1[160];
    return nn__fail(NN_ERR_SHAPE, "nn_init_fans: fan in and fan out need a tensor with at least 2 dimensions, got shape "
                                  "%s", nn__fmt_shape(b1, sizeof b1, t->shape, t->ndim));
  }
  for (i = 2; i < t->ndim; i++) rf *= t->shape[i];
  if (fan_in) *fan_in = t->shape[1] * rf;
  if (fan_out) *fan_out = t->shape[0] * rf;
  return NN_OK;
}

NNDEF nn_status nn_init_xavier_uniform(nn_tensor *t, double gain, nn_rng *rng) {
  int64_t fi, fo;
  double bound;
  if (nn__init_check("nn_init_xavier_uniform", t, rng, 1) != NN_OK) return nn_last_status();
  if (nn_init_fans(t, &fi, &fo) != NN_OK) return nn_last_status();
  if (t->size == 0) return NN_OK;
  bound = gain * sqrt(6.0 / (double)(fi + fo));
  return nn_init_uniform(t, -bound, bound, rng);
}

NNDEF nn_status nn_init_xavier_normal(nn_tensor *t, double gain, nn_rng *rng) {
  int64_t fi, fo;
  if (nn__init_check("nn_init_xavier_normal", t, rng, 1) != NN_OK) return nn_last_status();
  if (nn_init_fans(t, &fi, &fo) != NN_OK) return nn_last_status();
  if (t->size == 0) return NN_OK;
  return nn_init_normal(t, 0.0, gain * sqrt(2.0 / (double)(fi + fo)), rng);
}

/* The standard deviation kaiming_* aims at: gain / sqrt(fan). */
NN__PRIVATE nn_status nn__kaiming_std(const char *fn, const nn_tensor *t, double a, nn_fan_mode mode,
                                      nn_nonlinearity nl, double *std) {
  int64_t fi, fo, fan;
  double gain;
  if (nn_init_fans(t, &fi, &fo) != NN_OK) return nn_last_status();
  if (mode != NN_FAN_IN && mode != NN_FAN_OUT) return nn__fail(NN_ERR_ARG, "%s: unknown fan mode %d", fn, (int)mode);
  fan = mode == NN_FAN_IN ? fi : fo;
  gain = nn_init_calculate_gain(nl, a);
  if (gain != gain) return nn_last_status();
  *std = fan > 0 ? gain / sqrt((double)fan) : 0.0;
  return NN_OK;
}

NNDEF nn_status nn_init_kaiming_uniform(nn_tensor *t, double a, nn_fan_mode mode, nn_nonlinearity nl, nn_rng *rng) {
  double std;
  if (nn__init_check("nn_init_kaiming_uniform", t, rng, 1) != NN_OK) return nn_last_status();
  if (nn__kaiming_std("nn_init_kaiming_uniform", t, a, mode, nl, &std) != NN_OK) return nn_last_status();
  if (t->size == 0) return NN_OK;
  return nn_init_uniform(t, -sqrt(3.0) * std, sqrt(3.0) * std, rng);
}

NNDEF nn_status nn_init_kaiming_normal(nn_tensor *t, double a, nn_fan_mode mode, nn_nonlinearity nl, nn_rng *rng) {
  double std;
  if (nn__init_check("nn_init_kaiming_normal", t, rng, 1) != NN_OK) return nn_last_status();
  if (nn__kaiming_std("nn_init_kaiming_normal", t, a, mode, nl, &std) != NN_OK) return nn_last_status();
  if (t->size == 0) return NN_OK;
  return nn_init_normal(t, 0.0, std, rng);
}

/* Orthonormal columns of the m x n (m >= n) matrix a (column j at a[j*m ...]) by modified Gram-Schmidt done twice
   (accurate to rounding). R's diagonal comes out positive, which is the sign convention of nn.init.orthogonal_. */
NN__PRIVATE void nn__orthonormalize(double *a, int64_t m, int64_t n) {
  int64_t j, k, i;
  int pass;
  for (j = 0; j < n; j++) {
    double *q = a + j * m, nrm = 0;
    for (pass = 0; pass < 2; pass++)
      for (k = 0; k < j; k++) {
        const double *p = a + k * m;
        double d = 0;
        for (i = 0; i < m; i++) d += p[i] * q[i];
        for (i = 0; i < m; i++) q[i] -= d * p[i];
      }
    for (i = 0; i < m; i++) nrm += q[i] * q[i];
    nrm = sqrt(nrm);
    for (i = 0; i < m; i++) q[i] = nrm > 0 ? q[i] / nrm : 0.0;
  }
}

NNDEF nn_status nn_init_orthogonal(nn_tensor *t, double gain, nn_rng *rng) {
  int64_t rows, cols, m, n, i, j;
  double *a;
  if (nn__init_check("nn_init_orthogonal", t, rng, 1) != NN_OK) return nn_last_status();
  if (t->ndim < 2) {
    char b1[160];
    return nn__fail(NN_ERR_SHAPE, "nn_init_orthogonal: only tensors with 2 or more dimensions are supported, got "
                                  "shape %s", nn__fmt_shape(b1, sizeof b1, t->shape, t->ndim));
  }
  if (t->size == 0) return NN_OK;
  rows = t->shape[0];
  cols = t->size / rows;
  a = (double *)nn__xalloc("nn_init_orthogonal", sizeof(double) * (size_t)t->size);
  if (!a) return nn_last_status();
  /* draw the (rows, cols) normal matrix row-major, then take the columns of it or of its transpose, whichever
     matrix is tall: a[j*m + i] is element (i, j) of the tall m x n matrix */
  m = rows >= cols ? rows : cols;
  n = rows >= cols ? cols : rows;
  for (i = 0; i < rows; i++)
    for (j = 0; j < cols; j++) {
      double v = nn_rng_normal(rng);
      if (rows >= cols) a[j * m + i] = v;
      else a[i * m + j] = v;
    }
  nn__orthonormalize(a, m, n);
  for (i = 0; i < rows; i++)
    for (j = 0; j < cols; j++) nn__init_put(t, i * cols + j, gain * (rows >= cols ? a[j * m + i] : a[i * m + j]));
  nn__dealloc(a);
  return NN_OK;
}

NNDEF nn_status nn_init_apply(nn_tensor *t, const nn_init_spec *spec, nn_rng *rng) {
  if (!spec) return nn__fail_null("nn_init_apply", "spec");
  switch (spec->kind) {
    case NN_INIT_ZEROS: return nn_init_zeros(t);
    case NN_INIT_ONES: return nn_init_ones(t);
    case NN_INIT_CONSTANT: return nn_init_constant(t, spec->a);
    case NN_INIT_UNIFORM: return nn_init_uniform(t, spec->a, spec->b, rng);
    case NN_INIT_NORMAL: return nn_init_normal(t, spec->a, spec->b, rng);
    case NN_INIT_XAVIER_UNIFORM: return nn_init_xavier_uniform(t, spec->a != 0 ? spec->a : 1.0, rng);
    case NN_INIT_XAVIER_NORMAL: return nn_init_xavier_normal(t, spec->a != 0 ? spec->a : 1.0, rng);
    case NN_INIT_KAIMING_UNIFORM: return nn_init_kaiming_uniform(t, spec->a, spec->mode, NN_NL_LEAKY_RELU, rng);
    case NN_INIT_KAIMING_NORMAL: return nn_init_kaiming_normal(t, spec->a, spec->mode, NN_NL_LEAKY_RELU, rng);
    case NN_INIT_ORTHOGONAL: return nn_init_orthogonal(t, spec->a != 0 ? spec->a : 1.0, rng);
    case NN_INIT_DEFAULT:
      return nn__fail(NN_ERR_ARG, "nn_init_apply: NN_INIT_DEFAULT depends on the layer; name an initializer");
    default: return nn__fail(NN_ERR_ARG, "nn_init_apply: unknown initializer kind %d", (int)spec->kind);
  }
}

#endif /* NN_NO_RANDOM */
