/* kernels/vec_table.c: the table of contiguous (vector) kernels, filled once at run time for the best instruction
   set the CPU has. A NULL entry means "use the portable strided row kernel". Kernels of one entry give the same
   results for any split of the array into pieces, so chunked threading does not change results. */

typedef void (*nn__vbin_fn)(int64_t n, void *o, const void *a, const void *b);
typedef void (*nn__vun_fn)(int64_t n, void *o, const void *x);

enum { NN__VV = 0, NN__VS = 1, NN__SV = 2 }; /* both contiguous; b is one element; a is one element */

/* One Adam/AdamW step's constants (nn/optim.c): decay multiplies p first when adamw; l2 adds l2_wd * p to g. */
typedef struct nn__adam_coef {
  float b1, omb1, b2, omb2, l2_wd, decay, eps, neg_step, inv_bc2_sqrt;
  int adamw, l2;
} nn__adam_coef;

typedef struct nn__vec_table {
  const char *isa; /* "avx512", "avx2", "neon", "scalar" */
  nn__vbin_fn bin[NN_DTYPE_COUNT][NN_BINOP_COUNT][3];
  nn__vun_fn un[NN_DTYPE_COUNT][NN_UNOP_COUNT];
  /* o = a + alpha * b (b may be one element when b_scalar) */
  void (*add_scaled_f32)(int64_t n, float *o, const float *a, const float *b, float alpha);
  /* o = alpha * x + beta */
  void (*affine_f32)(int64_t n, float *o, const float *x, float alpha, float beta);
  /* reductions over n contiguous elements */
  float (*sum_f32)(int64_t n, const float *x);
  double (*sum_f64)(int64_t n, const double *x);
  float (*max_f32)(int64_t n, const float *x); /* NaN-propagating */
  float (*min_f32)(int64_t n, const float *x);
  /* acc[i] += x[i] (column reductions) */
  void (*acc_add_f32)(int64_t n, float *acc, const float *x);
  /* o = softmax(x) and o = log_softmax(x) over n contiguous elements */
  void (*softmax_f32)(int64_t n, float *o, const float *x);
  void (*log_softmax_f32)(int64_t n, float *o, const float *x);
  /* gx = g * f'(x) from y = f(x) for f = relu, tanh, sigmoid, exp (op: NN_OP_*; other ops are not handled) */
  void (*act_grad_f32)(int op, int64_t n, float *gx, const float *g, const float *y);
  /* one Adam step over n parameters: updates p, m, v in place from the gradient g */
  void (*adam_f32)(int64_t n, float *p, const float *g, float *m, float *v, const nn__adam_coef *c);
} nn__vec_table;

static nn__vec_table nn__vec;
static int nn__vec_ready = 0;
/* The table is published with release/acquire order so another thread never sees the flag before the entries. */
#if defined(__GNUC__) || defined(__clang__)
#define NN__READY_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define NN__READY_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#else
#define NN__READY_LOAD(p) (*(volatile int *)(p))
#define NN__READY_STORE(p, v) (*(volatile int *)(p) = (v))
#endif

#if NN__SIMD
/* Defined in kernels/simd.c: installs the best kernels this CPU runs; returns 1 if it installed any. */
NN__PRIVATE int nn__simd_install(nn__vec_table *t);
#endif

NN__PRIVATE const nn__vec_table *nn__kernels(void) {
  if (!NN__READY_LOAD(&nn__vec_ready)) {
    nn__vec_table t;
    memset(&t, 0, sizeof t);
    t.isa = "scalar";
#if NN__SIMD
    if (!getenv("NN_FORCE_SCALAR")) nn__simd_install(&t);
#endif
    nn__vec = t;
    NN__READY_STORE(&nn__vec_ready, 1);
  }
  return &nn__vec;
}
