/* nn/grad_clip.c: gradient clipping (torch.nn.utils.clip_grad_norm_ and clip_grad_value_). */

/* Norm of order q of one gradient, in double: max |g| (inf), min |g| (-inf), the count of nonzeros (0), or
   (sum |g|^q)^(1/q), as torch.norm does. */
NN__PRIVATE double nn__clip_norm1(const nn_tensor *g, double q) {
  int64_t i, n = g->size;
  const float *f = g->dtype == NN_FLOAT32 ? (const float *)g->data : NULL;
  const double *d = (const double *)g->data;
  double acc = 0;
  if (isinf(q) && q < 0) acc = INFINITY;
  for (i = 0; i < n; i++) {
    double v = fabs(f ? (double)f[i] : d[i]);
    if (v != v) return NAN;
    if (isinf(q)) acc = q > 0 ? (v > acc ? v : acc) : (v < acc ? v : acc);
    else if (q == 0) acc += v != 0;
    else if (q == 2) acc += v * v;
    else if (q == 1) acc += v;
    else acc += pow(v, q);
  }
  if (isinf(q) || q == 0 || q == 1) return acc;
  return q == 2 ? sqrt(acc) : pow(acc, 1.0 / q);
}

/* The norm of a list of norms, the same way. */
NN__PRIVATE double nn__clip_combine(const double *v, int n, double q) {
  double acc = (isinf(q) && q < 0) ? INFINITY : 0;
  int i;
  for (i = 0; i < n; i++) {
    if (v[i] != v[i]) return NAN;
    if (isinf(q)) acc = q > 0 ? (v[i] > acc ? v[i] : acc) : (v[i] < acc ? v[i] : acc);
    else if (q == 0) acc += v[i] != 0;
    else acc += pow(v[i], q);
  }
  if (isinf(q) || q == 0) return acc;
  return pow(acc, 1.0 / q);
}

NN__PRIVATE nn_status nn__clip_check(const char *name, nn_tensor *const *params, int n) {
  int i;
  if (!params) return nn__fail_null(name, "params");
  if (n < 0) return nn__fail(NN_ERR_ARG, "%s: nparams is %d", name, n);
  for (i = 0; i < n; i++) {
    const nn_tensor *g;
    char arg[32];
    snprintf(arg, sizeof arg, "params[%d]", i);
    if (nn__check_cpu(name, params[i], arg) != NN_OK) return nn_last_status();
    g = params[i]->grad;
    if (g && (!nn__is_float(g->dtype) || !nn_is_contiguous(g)))
      return nn__fail(NN_ERR_ARG, "%s: the gradient of params[%d] is not a contiguous float tensor", name, i);
  }
  return NN_OK;
}

NNDEF double nn_clip_grad_norm(nn_tensor *const *params, int nparams, double max_norm, double norm_type,
                               int error_if_nonfinite) {
  const char *name = "nn_clip_grad_norm";
  double small[16], *norms = small, total, coef;
  int i, k = 0;
  if (nn__clip_check(name, params, nparams) != NN_OK) return NAN;
  if (norm_type != norm_type) {
    nn__fail(NN_ERR_VALUE, "%s: norm_type is NaN", name);
    return NAN;
  }
  if (nparams > 16 && !(norms = (double *)nn__xalloc(name, sizeof(double) * (size_t)nparams))) return NAN;
  for (i = 0; i < nparams; i++)
    if (params[i]->grad) norms[k++] = nn__clip_norm1(params[i]->grad, norm_type);
  total = nn__clip_combine(norms, k, norm_type); /* the norm of the norms, as PyTorch stacks them */
  if (norms != small) nn__dealloc(norms);
  if (k == 0) return 0.0;
  if (error_if_nonfinite && !isfinite(total)) {
    nn__fail(NN_ERR_VALUE,
             "%s: the total norm of order %g for gradients is %g, so it cannot be clipped (error_if_nonfinite); "
             "pass error_if_nonfinite = 0 to clip anyway",
             name, norm_type, total);
    return NAN;
  }
  coef = max_norm / (total + 1e-6);
  if (coef > 1.0) coef = 1.0; /* PyTorch multiplies by the clamped coefficient; by 1 changes nothing */
  if (coef != 1.0)
    for (i = 0; i < nparams; i++) {
      nn_tensor *g = params[i]->grad;
      int64_t j;
      if (!g) continue;
      if (g->dtype == NN_FLOAT32) {
        float *f = (float *)g->data, c = (float)coef;
        for (j = 0; j < g->size; j++) f[j] *= c;
      } else {
        double *d = (double *)g->data;
        for (j = 0; j < g->size; j++) d[j] *= coef;
      }
    }
  return total;
}

NNDEF nn_status nn_clip_grad_value(nn_tensor *const *params, int nparams, double clip_value) {
  const char *name = "nn_clip_grad_value";
  int i;
  if (nn__clip_check(name, params, nparams) != NN_OK) return nn_last_status();
  if (!(clip_value >= 0))
    return nn__fail(NN_ERR_VALUE, "%s: clip_value must be non-negative, got %g", name, clip_value);
  for (i = 0; i < nparams; i++) {
    nn_tensor *g = params[i]->grad;
    if (g && nn_clip_out(g, g, -clip_value, clip_value) != NN_OK) return nn_last_status();
  }
  return NN_OK;
}
