/* nn/optim.c: the optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) with PyTorch 1.13's single-tensor update
   formulas. Each step is one fused loop per parameter over (param, grad, state...), in the parameter's dtype with
   PyTorch's order of operations, so float32 trajectories follow PyTorch's to rounding. Large parameters are split
   into fixed chunks for the thread pool (elementwise: the split never changes results). */

#define NN__OPT_SLOTS 3

struct nn_optimizer {
  nn_optimizer_kind kind;
  int n, nslots;
  nn_tensor **params;
  nn_tensor **state;   /* n * nslots, NULL until first needed */
  char *names;         /* n * nslots names of NN__OPT_NAME bytes */
  int64_t *steps;      /* per parameter */
  int64_t calls;       /* nn_optimizer_step calls */
  const char *keys[NN__OPT_SLOTS];
  int si_buf, si_gavg; /* RMSprop: slot of the momentum buffer / grad_avg, or -1 */
  double lr, beta1, beta2, eps, wd, momentum, dampening, alpha, lr_decay, init_acc;
  int nesterov, maximize, amsgrad, centered;
};

#define NN__OPT_NAME 48

/* A description field: 0 means the default, NN_ZERO (-0.0) a real zero. */
NN__PRIVATE double nn__opt_field(double v, double dflt) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  if (v == 0) return (bits >> 63) ? 0.0 : dflt;
  return v;
}

NN__PRIVATE void nn__opt_release(nn_optimizer *o) {
  int i;
  if (!o) return;
  if (o->state)
    for (i = 0; i < o->n * o->nslots; i++) nn_free(o->state[i]);
  NN_FREE(o->state);
  NN_FREE(o->names);
  NN_FREE(o->steps);
  NN_FREE(o->params);
  NN_FREE(o);
}

/* Checks the parameters and allocates an optimizer with its tables for nslots state tensors per parameter. */
NN__PRIVATE nn_optimizer *nn__opt_new(const char *name, nn_optimizer_kind kind, nn_tensor *const *params, int n,
                                      int nslots) {
  nn_optimizer *o;
  int i;
  if (!params) {
    nn__fail_null(name, "params");
    return NULL;
  }
  if (n <= 0) {
    nn__fail(NN_ERR_ARG, "%s: the optimizer got an empty parameter list (nparams = %d)", name, n);
    return NULL;
  }
  for (i = 0; i < n; i++) {
    char arg[32];
    snprintf(arg, sizeof arg, "params[%d]", i);
    if (nn__check_cpu(name, params[i], arg) != NN_OK) return NULL;
    if (!nn__is_float(params[i]->dtype)) {
      nn__fail(NN_ERR_DTYPE, "%s: params[%d] is %s; parameters must be float32 or float64", name, i,
               nn_dtype_name(params[i]->dtype));
      return NULL;
    }
    if (!nn_is_contiguous(params[i])) {
      nn__fail(NN_ERR_ARG, "%s: params[%d] is not contiguous; optimizers update parameters in place", name, i);
      return NULL;
    }
  }
  o = (nn_optimizer *)NN_MALLOC(sizeof(nn_optimizer));
  if (!o) goto oom;
  memset(o, 0, sizeof *o);
  o->kind = kind;
  o->n = n;
  o->nslots = nslots;
  o->si_buf = o->si_gavg = -1;
  o->params = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)n);
  o->steps = (int64_t *)NN_MALLOC(sizeof(int64_t) * (size_t)n);
  if (!o->params || !o->steps) goto oom;
  for (i = 0; i < n; i++) {
    o->params[i] = params[i];
    o->steps[i] = 0;
  }
  if (nslots > 0) {
    o->state = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)n * (size_t)nslots);
    if (!o->state) goto oom;
    for (i = 0; i < n * nslots; i++) o->state[i] = NULL;
    o->names = (char *)NN_MALLOC((size_t)NN__OPT_NAME * (size_t)n * (size_t)nslots);
    if (!o->names) goto oom;
  }
  return o;
oom:
  nn__opt_release(o);
  nn__fail(NN_ERR_OOM, "%s: out of memory", name);
  return NULL;
}

NN__PRIVATE nn_optimizer *nn__opt_bad(const char *name, const char *what, double v) {
  nn__fail(NN_ERR_VALUE, "%s: invalid %s value: %g", name, what, v);
  return NULL;
}

NNDEF nn_optimizer *nn_optimizer_sgd(nn_tensor *const *params, int nparams, const nn_sgd_desc *desc) {
  const char *name = "nn_optimizer_sgd";
  nn_sgd_desc d;
  nn_optimizer *o;
  double lr, mom, damp, wd;
  if (desc) d = *desc;
  else memset(&d, 0, sizeof d);
  if (d.lr == 0 && nn__opt_field(d.lr, -1.0) < 0) {
    nn__fail(NN_ERR_ARG, "%s: lr is required (PyTorch's SGD has no default learning rate; NN_ZERO for 0)", name);
    return NULL;
  }
  lr = nn__opt_field(d.lr, 0.0);
  mom = nn__opt_field(d.momentum, 0.0);
  damp = nn__opt_field(d.dampening, 0.0);
  wd = nn__opt_field(d.weight_decay, 0.0);
  if (!(lr >= 0)) return nn__opt_bad(name, "learning rate", lr);
  if (!(mom >= 0)) return nn__opt_bad(name, "momentum", mom);
  if (!(wd >= 0)) return nn__opt_bad(name, "weight_decay", wd);
  if (damp != damp) return nn__opt_bad(name, "dampening", damp);
  if (d.nesterov && (mom <= 0 || damp != 0)) {
    nn__fail(NN_ERR_VALUE, "%s: Nesterov momentum requires a momentum and zero dampening (momentum %g, dampening %g)",
             name, mom, damp);
    return NULL;
  }
  o = nn__opt_new(name, NN_OPTIM_SGD, params, nparams, mom != 0 ? 1 : 0);
  if (!o) return NULL;
  o->keys[0] = "momentum_buffer";
  o->lr = lr;
  o->momentum = mom;
  o->dampening = damp;
  o->wd = wd;
  o->nesterov = d.nesterov != 0;
  o->maximize = d.maximize != 0;
  return o;
}

NN__PRIVATE nn_optimizer *nn__opt_adam(const char *name, nn_optimizer_kind kind, nn_tensor *const *params, int n,
                                       const nn_adam_desc *desc) {
  nn_adam_desc d;
  nn_optimizer *o;
  double lr, b1, b2, eps, wd;
  if (desc) d = *desc;
  else memset(&d, 0, sizeof d);
  lr = nn__opt_field(d.lr, 1e-3);
  b1 = nn__opt_field(d.beta1, 0.9);
  b2 = nn__opt_field(d.beta2, 0.999);
  eps = nn__opt_field(d.eps, 1e-8);
  wd = nn__opt_field(d.weight_decay, kind == NN_OPTIM_ADAMW ? 1e-2 : 0.0);
  if (!(lr >= 0)) return nn__opt_bad(name, "learning rate", lr);
  if (!(eps >= 0)) return nn__opt_bad(name, "epsilon", eps);
  if (!(b1 >= 0 && b1 < 1)) return nn__opt_bad(name, "beta parameter at index 0", b1);
  if (!(b2 >= 0 && b2 < 1)) return nn__opt_bad(name, "beta parameter at index 1", b2);
  if (!(wd >= 0)) return nn__opt_bad(name, "weight_decay", wd);
  o = nn__opt_new(name, kind, params, n, d.amsgrad ? 3 : 2);
  if (!o) return NULL;
  o->keys[0] = "exp_avg";
  o->keys[1] = "exp_avg_sq";
  o->keys[2] = "max_exp_avg_sq";
  o->lr = lr;
  o->beta1 = b1;
  o->beta2 = b2;
  o->eps = eps;
  o->wd = wd;
  o->amsgrad = d.amsgrad != 0;
  o->maximize = d.maximize != 0;
  return o;
}

NNDEF nn_optimizer *nn_optimizer_adam(nn_tensor *const *params, int nparams, const nn_adam_desc *desc) {
  return nn__opt_adam("nn_optimizer_adam", NN_OPTIM_ADAM, params, nparams, desc);
}

NNDEF nn_optimizer *nn_optimizer_adamw(nn_tensor *const *params, int nparams, const nn_adam_desc *desc) {
  return nn__opt_adam("nn_optimizer_adamw", NN_OPTIM_ADAMW, params, nparams, desc);
}

NNDEF nn_optimizer *nn_optimizer_rmsprop(nn_tensor *const *params, int nparams, const nn_rmsprop_desc *desc) {
  const char *name = "nn_optimizer_rmsprop";
  nn_rmsprop_desc d;
  nn_optimizer *o;
  double lr, alpha, eps, wd, mom;
  int ns = 1;
  if (desc) d = *desc;
  else memset(&d, 0, sizeof d);
  lr = nn__opt_field(d.lr, 1e-2);
  alpha = nn__opt_field(d.alpha, 0.99);
  eps = nn__opt_field(d.eps, 1e-8);
  wd = nn__opt_field(d.weight_decay, 0.0);
  mom = nn__opt_field(d.momentum, 0.0);
  if (!(lr >= 0)) return nn__opt_bad(name, "learning rate", lr);
  if (!(eps >= 0)) return nn__opt_bad(name, "epsilon", eps);
  if (!(mom >= 0)) return nn__opt_bad(name, "momentum", mom);
  if (!(wd >= 0)) return nn__opt_bad(name, "weight_decay", wd);
  if (!(alpha >= 0)) return nn__opt_bad(name, "alpha", alpha);
  o = nn__opt_new(name, NN_OPTIM_RMSPROP, params, nparams, 1 + (mom > 0) + (d.centered != 0));
  if (!o) return NULL;
  o->keys[0] = "square_avg";
  if (mom > 0) {
    o->si_buf = ns;
    o->keys[ns++] = "momentum_buffer";
  }
  if (d.centered) {
    o->si_gavg = ns;
    o->keys[ns++] = "grad_avg";
  }
  o->lr = lr;
  o->alpha = alpha;
  o->eps = eps;
  o->wd = wd;
  o->momentum = mom;
  o->centered = d.centered != 0;
  o->maximize = d.maximize != 0;
  return o;
}

NNDEF nn_optimizer *nn_optimizer_adagrad(nn_tensor *const *params, int nparams, const nn_adagrad_desc *desc) {
  const char *name = "nn_optimizer_adagrad";
  nn_adagrad_desc d;
  nn_optimizer *o;
  double lr, lrd, wd, init, eps;
  if (desc) d = *desc;
  else memset(&d, 0, sizeof d);
  lr = nn__opt_field(d.lr, 1e-2);
  lrd = nn__opt_field(d.lr_decay, 0.0);
  wd = nn__opt_field(d.weight_decay, 0.0);
  init = nn__opt_field(d.initial_accumulator_value, 0.0);
  eps = nn__opt_field(d.eps, 1e-10);
  if (!(lr >= 0)) return nn__opt_bad(name, "learning rate", lr);
  if (!(lrd >= 0)) return nn__opt_bad(name, "lr_decay", lrd);
  if (!(wd >= 0)) return nn__opt_bad(name, "weight_decay", wd);
  if (!(init >= 0)) return nn__opt_bad(name, "initial_accumulator_value", init);
  if (!(eps >= 0)) return nn__opt_bad(name, "epsilon", eps);
  o = nn__opt_new(name, NN_OPTIM_ADAGRAD, params, nparams, 1);
  if (!o) return NULL;
  o->keys[0] = "sum";
  o->lr = lr;
  o->lr_decay = lrd;
  o->wd = wd;
  o->init_acc = init;
  o->eps = eps;
  o->maximize = d.maximize != 0;
  return o;
}

NNDEF void nn_optimizer_free(nn_optimizer *o) { nn__opt_release(o); }

/* ---- state ---- */

/* State tensor s of parameter p, allocated (outside every scope) and initialized on first use. */
NN__PRIVATE nn_tensor *nn__opt_slot(nn_optimizer *o, int p, int s) {
  nn_tensor **slot = &o->state[p * o->nslots + s];
  if (!*slot) {
    const nn_tensor *x = o->params[p];
    nn_tensor *t = nn_full(x->shape, x->ndim, o->kind == NN_OPTIM_ADAGRAD ? o->init_acc : 0.0, x->dtype);
    if (!t) return NULL;
    nn__scope_unlink(t);
    *slot = t;
  }
  return *slot;
}

NNDEF int nn_optimizer_num_state(const nn_optimizer *o) { return o ? o->n * o->nslots : 0; }

NNDEF nn_tensor *nn_optimizer_state(nn_optimizer *o, int i, const char **name) {
  nn_tensor *t;
  char *nm;
  if (name) *name = NULL;
  if (!o) {
    nn__fail_null("nn_optimizer_state", "o");
    return NULL;
  }
  if (i < 0 || i >= o->n * o->nslots) {
    nn__fail(NN_ERR_INDEX, "nn_optimizer_state: index %d is out of range for %d state tensors", i, o->n * o->nslots);
    return NULL;
  }
  t = nn__opt_slot(o, i / o->nslots, i % o->nslots);
  if (!t) return NULL;
  nm = o->names + (size_t)i * NN__OPT_NAME;
  snprintf(nm, NN__OPT_NAME, "%d.%s", i / o->nslots, o->keys[i % o->nslots]);
  if (name) *name = nm;
  return t;
}

NNDEF int64_t nn_optimizer_get_step_count(const nn_optimizer *o, int param) {
  if (!o) {
    nn__fail_null("nn_optimizer_get_step_count", "o");
    return -1;
  }
  if (param == -1) return o->calls;
  if (param < 0 || param >= o->n) {
    nn__fail(NN_ERR_INDEX, "nn_optimizer_get_step_count: parameter %d is out of range for %d parameters", param, o->n);
    return -1;
  }
  return o->steps[param];
}

NNDEF nn_status nn_optimizer_set_step_count(nn_optimizer *o, int param, int64_t step) {
  int i;
  if (!o) return nn__fail_null("nn_optimizer_set_step_count", "o");
  if (step < 0) return nn__fail(NN_ERR_VALUE, "nn_optimizer_set_step_count: step %lld is negative", (long long)step);
  if (param == -1) {
    for (i = 0; i < o->n; i++) o->steps[i] = step;
    o->calls = step;
    return NN_OK;
  }
  if (param < 0 || param >= o->n)
    return nn__fail(NN_ERR_INDEX, "nn_optimizer_set_step_count: parameter %d is out of range for %d parameters", param,
                    o->n);
  o->steps[param] = step;
  return NN_OK;
}

/* ---- small accessors ---- */

NNDEF nn_status nn_optimizer_set_lr(nn_optimizer *o, double lr) {
  if (!o) return nn__fail_null("nn_optimizer_set_lr", "o");
  if (!(lr >= 0)) return nn__fail(NN_ERR_VALUE, "nn_optimizer_set_lr: invalid learning rate %g", lr);
  o->lr = lr;
  return NN_OK;
}
NNDEF double nn_optimizer_get_lr(const nn_optimizer *o) { return o ? o->lr : NAN; }
NNDEF nn_optimizer_kind nn_optimizer_get_kind(const nn_optimizer *o) { return o ? o->kind : NN_OPTIM_SGD; }
NNDEF int nn_optimizer_num_params(const nn_optimizer *o) { return o ? o->n : 0; }
NNDEF nn_tensor *nn_optimizer_param(const nn_optimizer *o, int i) {
  return (o && i >= 0 && i < o->n) ? o->params[i] : NULL;
}

NNDEF void nn_optimizer_zero_grad(nn_optimizer *o) {
  int i;
  if (!o) return;
  for (i = 0; i < o->n; i++) nn_zero_grad(o->params[i]);
}

/* ---- the update loops ---- */

typedef struct nn__opt_job {
  const nn_optimizer *o;
  char *p;
  const char *g;
  char *s[NN__OPT_SLOTS];
  int64_t n;
  int f32;
  int first;     /* SGD: the momentum buffer starts from this gradient */
  double c0, c1; /* Adam/AdamW: step size, 1 / sqrt(bias correction 2); Adagrad: clr */
} nn__opt_job;

#if defined(__GNUC__) || defined(__clang__)
#define NN__RESTRICT __restrict__
#elif defined(_MSC_VER)
#define NN__RESTRICT __restrict
#else
#define NN__RESTRICT
#endif

/* The loops follow PyTorch's tensor expressions operation by operation in the parameter's dtype T: a + alpha b is
   add(b, alpha=...), a * s + (1 - s) b is mul_(s).add_(b, alpha=1 - s), a + v t1 t2 is addcmul_, a + v t1 / t2 is
   addcdiv_. Python-float coefficients are computed in double and rounded to T, as PyTorch does. maximize
   multiplies the gradient by -1 (the same as negating it). The parameter, its gradient and its state never
   overlap. */

/* SGD: one element; WD, MOM and NEST are constants in the specialized loops, so they vectorize. */
#define NN__SGD_ELEM(T, I, WD, MOM, NEST)              \
  {                                                    \
    T d_ = sg * g[I];                                  \
    if (WD) d_ = d_ + wd * p[I];                       \
    if (MOM) {                                         \
      buf[I] = buf[I] * mom + damp * d_;               \
      d_ = (NEST) ? d_ + mom * buf[I] : buf[I];        \
    }                                                  \
    p[I] = p[I] + nlr * d_;                            \
  }
/* Blocks of 16 elements with a constant trip count (vectorized even at -O2), then the tail. The arrays are
   restrict-qualified parameters, which is what lets compilers vectorize without overlap checks. */
#define NN__SGD_FN(NAME, T, WD, MOM, NEST)                                                                    \
  NN__PRIVATE void NAME##_k(int64_t b, int64_t e, T *NN__RESTRICT p, const T *NN__RESTRICT g,                 \
                            T *NN__RESTRICT buf, T sg, T nlr, T wd, T mom, T damp) {                          \
    int64_t i = b;                                                                                            \
    int k;                                                                                                    \
    (void)buf;                                                                                                \
    (void)wd;                                                                                                 \
    (void)mom;                                                                                                \
    (void)damp;                                                                                               \
    for (; i + 16 <= e; i += 16)                                                                              \
      for (k = 0; k < 16; k++) NN__SGD_ELEM(T, i + k, WD, MOM, NEST)                                          \
    for (; i < e; i++) NN__SGD_ELEM(T, i, WD, MOM, NEST)                                                      \
  }                                                                                                           \
  NN__PRIVATE void NAME(const nn__opt_job *j, int64_t b, int64_t e) {                                         \
    const nn_optimizer *o = j->o;                                                                             \
    NAME##_k(b, e, (T *)j->p, (const T *)j->g, (T *)j->s[0], o->maximize ? (T)-1 : (T)1, (T)(-o->lr),       \
             (T)o->wd, (T)o->momentum, (T)(1.0 - o->dampening));                                              \
  }

#define NN__SGD_FNS(SUF, T)                                                                       \
  NN__SGD_FN(nn__sgd_000_##SUF, T, 0, 0, 0)                                                       \
  NN__SGD_FN(nn__sgd_100_##SUF, T, 1, 0, 0)                                                       \
  NN__SGD_FN(nn__sgd_010_##SUF, T, 0, 1, 0)                                                       \
  NN__SGD_FN(nn__sgd_110_##SUF, T, 1, 1, 0)                                                       \
  NN__SGD_FN(nn__sgd_011_##SUF, T, 0, 1, 1)                                                       \
  NN__SGD_FN(nn__sgd_111_##SUF, T, 1, 1, 1)                                                       \
  /* the first step with momentum: the buffer starts as the (decayed) gradient */                 \
  NN__PRIVATE void nn__sgd_first_##SUF(const nn__opt_job *j, int64_t b, int64_t e) {              \
    const nn_optimizer *o = j->o;                                                                 \
    T *p = (T *)j->p, *buf = (T *)j->s[0];                                                        \
    const T *g = (const T *)j->g;                                                                 \
    const T sg = o->maximize ? (T)-1 : (T)1, nlr = (T)(-o->lr), wd = (T)o->wd, mom = (T)o->momentum; \
    int64_t i;                                                                                    \
    for (i = b; i < e; i++) {                                                                     \
      T d = sg * g[i];                                                                            \
      if (o->wd != 0) d = d + wd * p[i];                                                          \
      buf[i] = d;                                                                                 \
      d = o->nesterov ? d + mom * buf[i] : buf[i];                                                \
      p[i] = p[i] + nlr * d;                                                                      \
    }                                                                                             \
  }                                                                                               \
  NN__PRIVATE void nn__opt_sgd_##SUF(const nn__opt_job *j, int64_t b, int64_t e) {                \
    const nn_optimizer *o = j->o;                                                                 \
    int wdf = o->wd != 0;                                                                         \
    if (o->momentum == 0) (wdf ? nn__sgd_100_##SUF : nn__sgd_000_##SUF)(j, b, e);                 \
    else if (j->first) nn__sgd_first_##SUF(j, b, e);                                              \
    else if (o->nesterov) (wdf ? nn__sgd_111_##SUF : nn__sgd_011_##SUF)(j, b, e);                 \
    else (wdf ? nn__sgd_110_##SUF : nn__sgd_010_##SUF)(j, b, e);                                  \
  }

NN__SGD_FNS(f32, float)
NN__SGD_FNS(f64, double)
#undef NN__SGD_FNS
#undef NN__SGD_FN
#undef NN__SGD_ELEM

/* Adam, AdamW, RMSprop and Adagrad take a square root per element, which keeps them scalar; the options are read
   once into locals. */
#define NN__OPT_LOOPS(SUF, T, SQRT)                                                                             \
  NN__PRIVATE void nn__opt_adam_##SUF(const nn__opt_job *j, int64_t b, int64_t e) {                           \
    const nn_optimizer *o = j->o;                                                                               \
    T *NN__RESTRICT p = (T *)j->p, *NN__RESTRICT m = (T *)j->s[0], *NN__RESTRICT v = (T *)j->s[1];              \
    T *NN__RESTRICT mx = (T *)j->s[2];                                                                          \
    const T *NN__RESTRICT g = (const T *)j->g;                                                                  \
    const int maximize = o->maximize, amsgrad = o->amsgrad, wdf = o->wd != 0;                                  \
    const T b1 = (T)o->beta1, omb1 = (T)(1.0 - o->beta1), b2 = (T)o->beta2, omb2 = (T)(1.0 - o->beta2);        \
    const T wd = (T)o->wd, eps = (T)o->eps, nss = (T)(-j->c0), ibc2 = (T)j->c1;                                \
    const T decay = (T)(1.0 - o->lr * o->wd);                                                                   \
    const int adamw = o->kind == NN_OPTIM_ADAMW;                                                                \
    int64_t i;                                                                                                  \
    for (i = b; i < e; i++) {                                                                                   \
      T gr = maximize ? -g[i] : g[i], den;                                                                      \
      if (adamw) p[i] = p[i] * decay;                                                                           \
      else if (wdf) gr = gr + wd * p[i];                                                                        \
      m[i] = m[i] * b1 + omb1 * gr;                                                                             \
      v[i] = v[i] * b2 + omb2 * gr * gr;                                                                        \
      if (amsgrad) {                                                                                            \
        if (!(mx[i] != mx[i] || mx[i] >= v[i])) mx[i] = v[i]; /* torch.maximum: NaN wins */                    \
        den = SQRT(mx[i]) * ibc2 + eps;                                                                         \
      } else {                                                                                                  \
        den = SQRT(v[i]) * ibc2 + eps;                                                                          \
      }                                                                                                         \
      p[i] = p[i] + nss * m[i] / den;                                                                           \
    }                                                                                                           \
  }                                                                                                             \
  NN__PRIVATE void nn__opt_rmsprop_##SUF(const nn__opt_job *j, int64_t b, int64_t e) {                        \
    const nn_optimizer *o = j->o;                                                                               \
    T *p = (T *)j->p, *sq = (T *)j->s[0];                                                                       \
    T *buf = o->si_buf >= 0 ? (T *)j->s[o->si_buf] : NULL, *ga = o->si_gavg >= 0 ? (T *)j->s[o->si_gavg] : NULL; \
    const T *g = (const T *)j->g;                                                                               \
    const T a = (T)o->alpha, oma = (T)(1.0 - o->alpha), wd = (T)o->wd, eps = (T)o->eps;                        \
    const T mom = (T)o->momentum, nlr = (T)(-o->lr);                                                            \
    const int maximize = o->maximize, wdf = o->wd != 0;                                                         \
    int64_t i;                                                                                                  \
    for (i = b; i < e; i++) {                                                                                   \
      T gr = maximize ? -g[i] : g[i], avg;                                                                      \
      if (wdf) gr = gr + wd * p[i];                                                                             \
      sq[i] = sq[i] * a + oma * gr * gr;                                                                        \
      if (ga) {                                                                                                 \
        ga[i] = ga[i] * a + oma * gr;                                                                           \
        avg = SQRT(sq[i] + (-ga[i]) * ga[i]);                                                                   \
      } else {                                                                                                  \
        avg = SQRT(sq[i]);                                                                                      \
      }                                                                                                         \
      avg = avg + eps;                                                                                          \
      if (buf) {                                                                                                \
        buf[i] = buf[i] * mom + gr / avg;                                                                       \
        p[i] = p[i] + nlr * buf[i];                                                                             \
      } else {                                                                                                  \
        p[i] = p[i] + nlr * gr / avg;                                                                           \
      }                                                                                                         \
    }                                                                                                           \
  }                                                                                                             \
  NN__PRIVATE void nn__opt_adagrad_##SUF(const nn__opt_job *j, int64_t b, int64_t e) {                        \
    const nn_optimizer *o = j->o;                                                                               \
    T *p = (T *)j->p, *sum = (T *)j->s[0];                                                                      \
    const T *g = (const T *)j->g;                                                                               \
    const T wd = (T)o->wd, eps = (T)o->eps, nclr = (T)(-j->c0);                                                 \
    const int maximize = o->maximize, wdf = o->wd != 0;                                                         \
    int64_t i;                                                                                                  \
    for (i = b; i < e; i++) {                                                                                   \
      T gr = maximize ? -g[i] : g[i];                                                                           \
      if (wdf) gr = gr + wd * p[i];                                                                             \
      sum[i] = sum[i] + gr * gr;                                                                                \
      p[i] = p[i] + nclr * gr / (SQRT(sum[i]) + eps);                                                           \
    }                                                                                                           \
  }

NN__OPT_LOOPS(f32, float, sqrtf)
NN__OPT_LOOPS(f64, double, sqrt)
#undef NN__OPT_LOOPS

/* Adam/AdamW on float32 without amsgrad or maximize, the common case: the vector kernel (kernels/simd_f32.inc) runs
   the general loop's operations in the same order; without one, the general loop. */
NN__PRIVATE int nn__opt_adam_fast_f32(const nn__opt_job *j, int64_t b, int64_t e) {
  const nn_optimizer *o = j->o;
  const nn__vec_table *vt = nn__kernels();
  nn__adam_coef c;
  if (!vt->adam_f32) return 0;
  c.b1 = (float)o->beta1, c.omb1 = (float)(1.0 - o->beta1), c.b2 = (float)o->beta2, c.omb2 = (float)(1.0 - o->beta2);
  c.l2_wd = (float)o->wd, c.decay = (float)(1.0 - o->lr * o->wd), c.eps = (float)o->eps;
  c.neg_step = (float)(-j->c0), c.inv_bc2_sqrt = (float)j->c1;
  c.adamw = o->kind == NN_OPTIM_ADAMW, c.l2 = !c.adamw && o->wd != 0;
  vt->adam_f32(e - b, (float *)j->p + b, (const float *)j->g + b, (float *)j->s[0] + b, (float *)j->s[1] + b, &c);
  return 1;
}

NN__PRIVATE void nn__opt_range(const nn__opt_job *j, int64_t b, int64_t e) {
  if ((j->o->kind == NN_OPTIM_ADAM || j->o->kind == NN_OPTIM_ADAMW) && j->f32 && !j->o->amsgrad && !j->o->maximize &&
      nn__opt_adam_fast_f32(j, b, e))
    return;
  switch (j->o->kind) {
    case NN_OPTIM_SGD:
      if (j->f32) nn__opt_sgd_f32(j, b, e);
      else nn__opt_sgd_f64(j, b, e);
      break;
    case NN_OPTIM_ADAM:
    case NN_OPTIM_ADAMW:
      if (j->f32) nn__opt_adam_f32(j, b, e);
      else nn__opt_adam_f64(j, b, e);
      break;
    case NN_OPTIM_RMSPROP:
      if (j->f32) nn__opt_rmsprop_f32(j, b, e);
      else nn__opt_rmsprop_f64(j, b, e);
      break;
    default:
      if (j->f32) nn__opt_adagrad_f32(j, b, e);
      else nn__opt_adagrad_f64(j, b, e);
      break;
  }
}

NN__PRIVATE void nn__opt_chunk(void *vctx, int64_t c) {
  const nn__opt_job *j = (const nn__opt_job *)vctx;
  int64_t b = c * NN__GRAIN, e = b + NN__GRAIN;
  if (e > j->n) e = j->n;
  nn__opt_range(j, b, e);
}

NNDEF nn_status nn_optimizer_step(nn_optimizer *o) {
  const char *name = "nn_optimizer_step";
  int i, s;
  if (!o) return nn__fail_null(name, "o");
  /* check everything and allocate the state first, so that a failure changes nothing */
  for (i = 0; i < o->n; i++) {
    const nn_tensor *p = o->params[i], *g = p->grad;
    char b1[96], b2[96];
    if (!g) continue;
    if (g->dtype != p->dtype || g->ndim != p->ndim ||
        memcmp(g->shape, p->shape, sizeof(int64_t) * (size_t)p->ndim) != 0 || !nn_is_contiguous(g) ||
        !nn_is_contiguous(p))
      return nn__fail(NN_ERR_ARG, "%s: parameter %d (%s %s) has a gradient of %s %s", name, i, nn_dtype_name(p->dtype),
                      nn__fmt_shape(b1, sizeof b1, p->shape, p->ndim), nn_dtype_name(g->dtype),
                      nn__fmt_shape(b2, sizeof b2, g->shape, g->ndim));
    for (s = 0; s < o->nslots; s++)
      if (!nn__opt_slot(o, i, s)) return nn_last_status();
  }
  for (i = 0; i < o->n; i++) {
    nn_tensor *p = o->params[i], *g = p->grad;
    nn__opt_job j;
    int64_t nch;
    if (!g) continue;
    memset(&j, 0, sizeof j);
    j.o = o;
    j.f32 = p->dtype == NN_FLOAT32;
    j.p = (char *)p->data;
    j.g = (const char *)g->data;
    j.n = p->size;
    for (s = 0; s < o->nslots; s++) j.s[s] = (char *)o->state[i * o->nslots + s]->data;
    j.first = o->steps[i] == 0;
    o->steps[i]++;
    if (o->kind == NN_OPTIM_ADAM || o->kind == NN_OPTIM_ADAMW) { /* Python floats, as in PyTorch */
      double step = (double)o->steps[i];
      j.c0 = o->lr / (1.0 - pow(o->beta1, step));
      /* PyTorch divides sqrt(v) by sqrt(bias correction 2); multiplying by the reciprocal (at most an ulp apart)
         leaves the divider one division per element instead of two, the bound on this loop */
      j.c1 = 1.0 / sqrt(1.0 - pow(o->beta2, step));
    } else if (o->kind == NN_OPTIM_ADAGRAD) {
      j.c0 = o->lr / (1.0 + ((double)o->steps[i] - 1.0) * o->lr_decay);
    }
    nch = (j.n + NN__GRAIN - 1) / NN__GRAIN;
    if (nch <= 1) nn__opt_range(&j, 0, j.n);
    else nn__parallel_for(nch, nn__opt_chunk, &j);
  }
  o->calls++;
  return NN_OK;
}
