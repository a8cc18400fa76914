/* ops/reduce.c: argument checks, dtype rules, layout analysis and dispatch for reductions, cumulative scans and
   softmax.

   Layouts. After dropping length-1 axes and merging axes that are contiguous with each other, a reduction is run
   without copying in one of two forms:
   (A) the innermost reduced axis has stride 1: every output element reduces Q rows of L contiguous elements
       (row kernels, one partial per row piece, folded in order);
   (B) the innermost kept axis has stride 1: each reduced position contributes a row of m contiguous elements that
       is accumulated into a vector of m outputs (column kernels).
   Anything else (reversed or stepped slices, arg-reductions not along rows) is first copied into a contiguous
   tensor with the axes ordered (kept..., reduced...), which is form (A).

   Determinism. Work is cut into pieces of about NN__RCHUNK elements whose boundaries depend only on the shape;
   partial results are folded in a fixed order, so results are bit-identical for any number of threads. */

#define NN__RCHUNK ((int64_t)1 << 16) /* elements per parallel piece */
#define NN__RCOLBLK 2048              /* outputs per block in column (B) reductions */

/* Internal ops beyond nn_reduce_op. */
#define NN__ROP_ARGMIN ((int)NN_REDUCE_COUNT + 1)
#define NN__ROP_ARGMAX ((int)NN_REDUCE_COUNT + 2)

/* How a pass turns an accumulated value into an output value. */
enum { NN__FIN_PLAIN = 0, NN__FIN_MEAN, NN__FIN_VAR, NN__FIN_STD, NN__FIN_LSE, NN__FIN_CENTER };

/* The reduction after normalizing axes: kept axes (output order) and reduced axes (innermost last), merged. */
typedef struct nn__rplan {
  int nk, nr;
  int64_t kshape[NN_MAX_DIMS], kst[NN_MAX_DIMS];
  int64_t rshape[NN_MAX_DIMS], rst[NN_MAX_DIMS];
} nn__rplan;

/* red[i] != 0 marks axis i as reduced. c_order keeps reduced axes in index order (arg-reductions need positions in
   row-major order); otherwise they are sorted by stride so that more of them merge. */
NN__PRIVATE void nn__rplan_make(const nn_tensor *x, const int *red, int c_order, nn__rplan *p) {
  int i, j;
  p->nk = p->nr = 0;
  for (i = 0; i < x->ndim; i++) {
    int64_t n = x->shape[i], s = x->strides[i];
    if (n == 1) continue;
    if (red[i]) {
      p->rshape[p->nr] = n;
      p->rst[p->nr] = s;
      p->nr++;
    } else if (p->nk > 0 && p->kst[p->nk - 1] == s * n) {
      p->kshape[p->nk - 1] *= n;
      p->kst[p->nk - 1] = s;
    } else {
      p->kshape[p->nk] = n;
      p->kst[p->nk] = s;
      p->nk++;
    }
  }
  if (!c_order) /* stable insertion sort, largest |stride| first (reversed axes then still end in stride 1) */
    for (i = 1; i < p->nr; i++) {
      int64_t n = p->rshape[i], s = p->rst[i];
      for (j = i; j > 0 && (p->rst[j - 1] < 0 ? -p->rst[j - 1] : p->rst[j - 1]) < (s < 0 ? -s : s); j--) {
        p->rshape[j] = p->rshape[j - 1];
        p->rst[j] = p->rst[j - 1];
      }
      p->rshape[j] = n;
      p->rst[j] = s;
    }
  j = 0;
  for (i = 0; i < p->nr; i++) {
    if (j > 0 && p->rst[j - 1] == p->rst[i] * p->rshape[i]) {
      p->rshape[j - 1] *= p->rshape[i];
      p->rst[j - 1] = p->rst[i];
    } else {
      p->rshape[j] = p->rshape[i];
      p->rst[j] = p->rst[i];
      j++;
    }
  }
  p->nr = j;
}

/* Element offset of flat index idx over dims (shape, st). */
NN__PRIVATE int64_t nn__roff(int64_t idx, int n, const int64_t *shape, const int64_t *st) {
  int64_t off = 0;
  int d;
  if (n == 1) return idx * st[0];
  for (d = n - 1; d >= 0; d--) {
    int64_t s = shape[d];
    off += (idx % s) * st[d];
    idx /= s;
  }
  return off;
}

NN__PRIVATE double nn__rtransform(int fin, double v, int64_t N, int ddof, double c) {
  switch (fin) {
    case NN__FIN_MEAN: return v / (double)N;
    case NN__FIN_VAR:
    case NN__FIN_STD: {
      double d = N - (int64_t)ddof > 0 ? (double)(N - (int64_t)ddof) : 0.0;
      v = v / d;
      return fin == NN__FIN_STD ? sqrt(v) : v;
    }
    case NN__FIN_LSE: return log(v) + c;
    case NN__FIN_CENTER: return isfinite(v) ? v : 0.0;
    default: return v;
  }
}

/* What one pass computes and where the results go (nout contiguous elements of outdt). */
typedef struct nn__rpass {
  nn__rkind kind;
  nn_dtype dt; /* input dtype */
  int fin;
  void *out;
  nn_dtype outdt;
  const double *centers; /* per output, or NULL */
  int64_t N;             /* reduced element count */
  int ddof;
} nn__rpass;

/* Stores a row-form result for output o. */
NN__PRIVATE void nn__rstore(const nn__rpass *ps, int64_t o, const nn__racc *r) {
  char *op = (char *)ps->out + o * (int64_t)nn_dtype_size(ps->outdt);
  int fl = nn__is_float(ps->dt);
  double v;
  switch (ps->kind) {
    case NN__RK_ARGMIN:
    case NN__RK_ARGMAX: *(int64_t *)op = r->idx; return;
    case NN__RK_SUM:
    case NN__RK_PROD:
      if (!fl) {
        if (ps->fin == NN__FIN_PLAIN && ps->outdt == NN_INT64) {
          *(int64_t *)op = (int64_t)r->u;
          return;
        }
        v = (double)(int64_t)r->u;
      } else {
        v = r->d;
      }
      break;
    case NN__RK_MIN:
    case NN__RK_MAX:
      if (!fl) {
        switch (ps->outdt) {
          case NN_INT32: *(int32_t *)op = (int32_t)r->i; return;
          case NN_INT64: *(int64_t *)op = r->i; return;
          case NN_UINT8: *(uint8_t *)op = (uint8_t)r->i; return;
          case NN_BOOL: *(uint8_t *)op = (uint8_t)(r->i != 0); return;
          default: v = (double)r->i; break;
        }
      } else {
        v = r->d;
      }
      break;
    case NN__RK_ANY:
    case NN__RK_ALL: v = (double)r->u; break;
    default: v = r->d; break;
  }
  v = nn__rtransform(ps->fin, v, ps->N, ps->ddof, ps->centers ? ps->centers[o] : 0.0);
  nn__store(ps->outdt, op, v);
}

/* Stores w column-form accumulators (dtype at) into outputs [o0, o0 + w). */
NN__PRIVATE void nn__rstore_vec(const nn__rpass *ps, int64_t o0, int64_t w, nn_dtype at, const void *acc) {
  size_t osz = nn_dtype_size(ps->outdt);
  char *op = (char *)ps->out + o0 * (int64_t)osz;
  int64_t j;
  if (ps->fin == NN__FIN_PLAIN && at == ps->outdt) {
    memcpy(op, acc, (size_t)w * osz);
    return;
  }
  if (at == NN_FLOAT32 && ps->outdt == NN_FLOAT32 && ps->fin == NN__FIN_MEAN) {
    const float *a = (const float *)acc;
    float *o = (float *)op;
    double n = (double)ps->N;
    for (j = 0; j < w; j++) o[j] = (float)((double)a[j] / n);
    return;
  }
  if (at == NN_FLOAT64 && ps->fin == NN__FIN_PLAIN && ps->outdt == NN_FLOAT32) {
    const double *a = (const double *)acc;
    float *o = (float *)op;
    for (j = 0; j < w; j++) o[j] = (float)a[j];
    return;
  }
  for (j = 0; j < w; j++) {
    double v = nn__load(at, (const char *)acc + j * (int64_t)nn_dtype_size(at));
    v = nn__rtransform(ps->fin, v, ps->N, ps->ddof, ps->centers ? ps->centers[o0 + j] : 0.0);
    nn__store(ps->outdt, op + j * (int64_t)osz, v);
  }
}

/* ---- form (A): rows ---- */

typedef struct nn__rA {
  const nn__rpass *ps;
  const nn__rplan *p;
  const char *base;
  int64_t esz, L, Q, nout;
  int64_t P;  /* pieces per row when L >= NN__RCHUNK, else 0 */
  int64_t RU; /* rows per unit when L < NN__RCHUNK */
  int64_t U;  /* units per output */
  int64_t G;  /* outputs per chunk when U == 1 */
  nn__rrow_fn row;
  nn__racc *part;
} nn__rA;

NN__PRIVATE void nn__rA_unit(const nn__rA *a, int64_t o, int64_t u, nn__racc *res) {
  const nn__rplan *p = a->p;
  int nq = p->nr > 0 ? p->nr - 1 : 0;
  double c = a->ps->centers ? a->ps->centers[o] : 0.0;
  const char *ob = a->base + nn__roff(o, p->nk, p->kshape, p->kst) * a->esz;
  if (a->P) {
    int64_t q = u / a->P, start = (u % a->P) * NN__RCHUNK;
    int64_t len = a->L - start < NN__RCHUNK ? a->L - start : NN__RCHUNK;
    a->row(len, ob + (nn__roff(q, nq, p->rshape, p->rst) + start) * a->esz, c, res);
    res->idx += start + q * a->L;
  } else {
    int64_t q0 = u * a->RU, q1 = q0 + a->RU, q;
    nn__racc t;
    if (q1 > a->Q) q1 = a->Q;
    a->row(a->L, ob + nn__roff(q0, nq, p->rshape, p->rst) * a->esz, c, res);
    res->idx += q0 * a->L;
    for (q = q0 + 1; q < q1; q++) {
      a->row(a->L, ob + nn__roff(q, nq, p->rshape, p->rst) * a->esz, c, &t);
      nn__racc_fold(a->ps->kind, a->ps->dt, res, &t, q * a->L);
    }
  }
}

NN__PRIVATE void nn__rA_outputs(void *ctx, int64_t chunk) {
  const nn__rA *a = (const nn__rA *)ctx;
  int64_t o = chunk * a->G, e = o + a->G;
  nn__racc r;
  if (e > a->nout) e = a->nout;
  memset(&r, 0, sizeof r);
  if (a->Q == 1 && a->p->nk <= 1 && !a->ps->centers) { /* one row per output, rows at a constant stride */
    int64_t st = (a->p->nk ? a->p->kst[0] : 0) * a->esz;
    for (; o < e; o++) {
      a->row(a->L, a->base + o * st, 0.0, &r);
      nn__rstore(a->ps, o, &r);
    }
    return;
  }
  for (; o < e; o++) {
    memset(&r, 0, sizeof r);
    nn__rA_unit(a, o, 0, &r);
    nn__rstore(a->ps, o, &r);
  }
}

NN__PRIVATE void nn__rA_units(void *ctx, int64_t chunk) {
  const nn__rA *a = (const nn__rA *)ctx;
  nn__racc *r = &a->part[chunk];
  memset(r, 0, sizeof *r);
  nn__rA_unit(a, chunk / a->U, chunk % a->U, r);
}

NN__PRIVATE nn_status nn__rA_run(const char *name, const nn__rpass *ps, const nn__rplan *p, const nn_tensor *x) {
  nn__rA a;
  int i;
  a.ps = ps;
  a.p = p;
  a.base = (const char *)x->data;
  a.esz = (int64_t)nn_dtype_size(x->dtype);
  a.L = p->nr > 0 ? p->rshape[p->nr - 1] : 1;
  a.Q = 1;
  for (i = 0; i + 1 < p->nr; i++) a.Q *= p->rshape[i];
  a.nout = 1;
  for (i = 0; i < p->nk; i++) a.nout *= p->kshape[i];
  a.row = nn__rrow_table[ps->kind][ps->dt];
  a.part = NULL;
  NN_ASSERT(a.row != NULL);
  if (a.L >= NN__RCHUNK) {
    a.P = (a.L + NN__RCHUNK - 1) / NN__RCHUNK;
    a.RU = 1;
    a.U = a.Q * a.P;
  } else {
    a.P = 0;
    a.RU = NN__RCHUNK / a.L;
    a.U = (a.Q + a.RU - 1) / a.RU;
  }
  if (a.U == 1) {
    int64_t work = a.Q * a.L;
    a.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
    nn__parallel_for((a.nout + a.G - 1) / a.G, nn__rA_outputs, &a);
  } else {
    int64_t o, u, nunits = a.nout * a.U;
    a.G = 1;
    a.part = (nn__racc *)nn__xalloc(name, (size_t)nunits * sizeof(nn__racc));
    if (!a.part) return nn_last_status();
    nn__parallel_for(nunits, nn__rA_units, &a);
    for (o = 0; o < a.nout; o++) {
      nn__racc r = a.part[o * a.U];
      for (u = 1; u < a.U; u++) nn__racc_fold(ps->kind, ps->dt, &r, &a.part[o * a.U + u], 0);
      nn__rstore(ps, o, &r);
    }
    nn__dealloc(a.part);
  }
  return NN_OK;
}

/* ---- form (B): columns ---- */

typedef struct nn__rB {
  const nn__rpass *ps;
  const nn__rplan *p;
  const char *base;
  int64_t esz, m, nko, R, rin_n, rin_st, RC, nrc, ncb, ntask, G, nout;
  int nkoax, nq;
  nn_dtype at;  /* accumulator dtype */
  size_t asz;
  nn__rcol_fn col;
  char *part;   /* nrc * nout accumulators when nrc > 1 */
} nn__rB;

/* Accumulates reduced rows [r0, r1) of kept-outer index ko, columns [j0, j0 + w), into acc. */
NN__PRIVATE void nn__rB_rows(const nn__rB *b, int64_t ko, int64_t j0, int64_t w, int64_t r0, int64_t r1, void *acc) {
  const nn__rplan *p = b->p;
  int64_t kooff = nn__roff(ko, b->nkoax, p->kshape, p->kst) + j0;
  const double *c = b->ps->centers ? b->ps->centers + ko * b->m + j0 : NULL;
  while (r0 < r1) {
    int64_t q = r0 / b->rin_n, i = r0 % b->rin_n, cnt = b->rin_n - i;
    if (cnt > r1 - r0) cnt = r1 - r0;
    b->col(w, cnt, b->rin_st, acc,
           b->base + (kooff + nn__roff(q, b->nq, p->rshape, p->rst) + i * b->rin_st) * b->esz, c);
    r0 += cnt;
  }
}

NN__PRIVATE void nn__rB_task(void *ctx, int64_t chunk) {
  const nn__rB *b = (const nn__rB *)ctx;
  double local[NN__RCOLBLK];
  int64_t t = chunk * b->G, e = t + b->G;
  if (e > b->ntask) e = b->ntask;
  for (; t < e; t++) {
    int64_t cb = t % b->ncb, rest = t / b->ncb, ko = rest % b->nko, rc = rest / b->nko;
    int64_t j0 = cb * NN__RCOLBLK, w = b->m - j0 < NN__RCOLBLK ? b->m - j0 : NN__RCOLBLK;
    int64_t r0 = rc * b->RC, r1 = r0 + b->RC < b->R ? r0 + b->RC : b->R;
    void *acc = b->part ? (void *)(b->part + (rc * b->nout + ko * b->m + j0) * (int64_t)b->asz) : (void *)local;
    nn__rcol_init(b->ps->kind, b->ps->dt, acc, w);
    nn__rB_rows(b, ko, j0, w, r0, r1, acc);
    if (!b->part) nn__rstore_vec(b->ps, ko * b->m + j0, w, b->at, acc);
  }
}

/* Folds the nrc row-chunk partials of one output block in chunk order, then stores it. */
NN__PRIVATE void nn__rB_fold(void *ctx, int64_t t) {
  const nn__rB *b = (const nn__rB *)ctx;
  double local[NN__RCOLBLK];
  int64_t cb = t % b->ncb, ko = t / b->ncb;
  int64_t j0 = cb * NN__RCOLBLK, w = b->m - j0 < NN__RCOLBLK ? b->m - j0 : NN__RCOLBLK;
  nn__rkind k = b->ps->kind, fk;
  nn_dtype fat;
  nn__rcol_fn fold;
  const char *src = b->part + (ko * b->m + j0) * (int64_t)b->asz;
  if (k == NN__RK_SUM && b->at == NN_FLOAT32) {
    fk = NN__RK_SUM;
    fat = NN_FLOAT64;
    fold = nn__rcol_sumd_f32;
    memset(local, 0, (size_t)w * sizeof(double));
  } else {
    fk = (k == NN__RK_SQDEV || k == NN__RK_SUMEXP) ? NN__RK_SUM : k;
    fat = nn__rcol_acc_dtype(fk, b->at);
    fold = nn__rcol_table[fk][b->at];
    nn__rcol_init(fk, b->at, local, w);
  }
  fold(w, b->nrc, b->nout, local, src, NULL);
  nn__rstore_vec(b->ps, ko * b->m + j0, w, fat, local);
}

NN__PRIVATE nn_status nn__rB_run(const char *name, const nn__rpass *ps, const nn__rplan *p, const nn_tensor *x) {
  nn__rB b;
  int i;
  int64_t per;
  b.ps = ps;
  b.p = p;
  b.base = (const char *)x->data;
  b.esz = (int64_t)nn_dtype_size(x->dtype);
  b.nkoax = p->nk - 1;
  b.m = p->kshape[p->nk - 1];
  b.nko = 1;
  for (i = 0; i < b.nkoax; i++) b.nko *= p->kshape[i];
  b.nout = b.nko * b.m;
  b.nq = p->nr - 1;
  b.rin_n = p->rshape[p->nr - 1];
  b.rin_st = p->rst[p->nr - 1];
  b.R = 1;
  for (i = 0; i < p->nr; i++) b.R *= p->rshape[i];
  b.at = nn__rcol_acc_dtype(ps->kind, ps->dt);
  b.asz = nn_dtype_size(b.at);
  b.col = nn__rcol_table[ps->kind][ps->dt];
  NN_ASSERT(b.col != NULL);
  b.ncb = (b.m + NN__RCOLBLK - 1) / NN__RCOLBLK;
  /* row chunks of about 4 pieces' worth, at most 1024 rows: fewer partials to fold, bounded float error */
  per = b.m < NN__RCOLBLK ? b.m : NN__RCOLBLK;
  b.RC = 4 * NN__RCHUNK / per;
  if (b.RC > 1024) b.RC = 1024;
  if (b.RC < 1) b.RC = 1;
  b.nrc = (b.R + b.RC - 1) / b.RC;
  b.ntask = b.nrc * b.nko * b.ncb;
  b.part = NULL;
  {
    int64_t work = per * (b.R < b.RC ? b.R : b.RC);
    b.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
  }
  if (b.nrc > 1) {
    b.part = (char *)nn__xalloc(name, (size_t)(b.nrc * b.nout) * b.asz);
    if (!b.part) return nn_last_status();
  }
  nn__parallel_for((b.ntask + b.G - 1) / b.G, nn__rB_task, &b);
  if (b.part) {
    nn__parallel_for(b.nko * b.ncb, nn__rB_fold, &b);
    nn__dealloc(b.part);
  }
  return NN_OK;
}

/* ---- form (B) for argmin / argmax along one axis: column blocks, all rows in one task ---- */

#define NN__RARGBLK 1024

typedef struct nn__rBarg {
  const nn__rpass *ps;
  const nn__rplan *p;
  const char *base;
  int64_t esz, m, nko, R, rst, ncb, ntask, G;
  nn__rcolarg_fn fn;
} nn__rBarg;

NN__PRIVATE void nn__rBarg_task(void *ctx, int64_t chunk) {
  const nn__rBarg *b = (const nn__rBarg *)ctx;
  int64_t idx[NN__RARGBLK];
  double vals[NN__RARGBLK];
  int64_t t = chunk * b->G, e = t + b->G;
  int want_max = b->ps->kind == NN__RK_ARGMAX;
  if (e > b->ntask) e = b->ntask;
  for (; t < e; t++) {
    int64_t cb = t % b->ncb, ko = t / b->ncb, j0 = cb * NN__RARGBLK;
    int64_t w = b->m - j0 < NN__RARGBLK ? b->m - j0 : NN__RARGBLK;
    const char *x = b->base + (nn__roff(ko, b->p->nk - 1, b->p->kshape, b->p->kst) + j0) * b->esz;
    nn__rcolarg_init(want_max, b->ps->dt, idx, vals, w);
    b->fn(w, b->R, b->rst, 0, idx, vals, x);
    memcpy((int64_t *)b->ps->out + ko * b->m + j0, idx, (size_t)w * sizeof(int64_t));
  }
}

NN__PRIVATE void nn__rBarg_run(const nn__rpass *ps, const nn__rplan *p, const nn_tensor *x) {
  nn__rBarg b;
  int i;
  int64_t work;
  b.ps = ps;
  b.p = p;
  b.base = (const char *)x->data;
  b.esz = (int64_t)nn_dtype_size(x->dtype);
  b.m = p->kshape[p->nk - 1];
  b.nko = 1;
  for (i = 0; i + 1 < p->nk; i++) b.nko *= p->kshape[i];
  b.R = p->rshape[0];
  b.rst = p->rst[0];
  b.ncb = (b.m + NN__RARGBLK - 1) / NN__RARGBLK;
  b.ntask = b.nko * b.ncb;
  b.fn = nn__rcolarg_table[ps->kind == NN__RK_ARGMAX][ps->dt];
  work = (b.m < NN__RARGBLK ? b.m : NN__RARGBLK) * b.R;
  b.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
  nn__parallel_for((b.ntask + b.G - 1) / b.G, nn__rBarg_task, &b);
}

/* ---- the shared driver ---- */

NN__PRIVATE const char *nn__rop_numpy_name(int op) {
  switch (op) {
    case NN_REDUCE_MIN: return "minimum";
    case NN_REDUCE_MAX:
    case NN_REDUCE_LOGSUMEXP: return "maximum";
    default: return "?";
  }
}

/* 1 when the reduction of x over red runs in place (form A or B), 0 when x must first be copied. */
NN__PRIVATE int nn__rlayout_ok(const nn_tensor *x, const int *red, int is_arg) {
  nn__rplan p;
  nn__rplan_make(x, red, is_arg, &p);
  if (p.nr == 0 || p.rst[p.nr - 1] == 1) return !is_arg || p.nr <= 1;
  return p.nk > 0 && p.kst[p.nk - 1] == 1 && (!is_arg || p.nr == 1);
}

/* A contiguous copy of x with the axes ordered (kept..., reduced...); red2 receives the reduced mask for it. */
NN__PRIVATE nn_tensor *nn__rlayout_copy(const nn_tensor *x, const int *red, int *red2) {
  int axes[NN_MAX_DIMS], i, k = 0;
  nn_tensor *perm, *cp;
  for (i = 0; i < x->ndim; i++)
    if (!red[i]) axes[k++] = i;
  for (i = 0; i < x->ndim; i++)
    if (red[i]) axes[k++] = i;
  for (i = 0; i < x->ndim; i++) red2[i] = red[axes[i]];
  perm = nn_permute(x, axes, x->ndim);
  cp = perm ? nn_copy(perm) : NULL;
  nn_free(perm);
  return cp;
}

/* Runs one pass (kind, fin) over x for the reduced axes red, writing nout elements of outdt to ps->out. Copies x
   into row layout first when neither form applies. */
NN__PRIVATE nn_status nn__rpass_run(const char *name, const nn_tensor *x, const int *red, nn__rpass *ps) {
  nn__rplan p;
  int is_arg = ps->kind == NN__RK_ARGMIN || ps->kind == NN__RK_ARGMAX;
  if (nn__rlayout_ok(x, red, is_arg)) {
    nn__rplan_make(x, red, is_arg, &p);
    if (p.nr == 0 || p.rst[p.nr - 1] == 1) return nn__rA_run(name, ps, &p, x);
    if (!is_arg) return nn__rB_run(name, ps, &p, x);
    nn__rBarg_run(ps, &p, x);
    return NN_OK;
  } else {
    int red2[NN_MAX_DIMS];
    nn_tensor *cp = nn__rlayout_copy(x, red, red2);
    nn_status st;
    if (!cp) return nn_last_status();
    nn__rplan_make(cp, red2, is_arg, &p);
    st = nn__rA_run(name, ps, &p, cp);
    nn_free(cp);
    return st;
  }
}

/* The float dtype a mean/var/std of dt is computed in. */
NN__PRIVATE nn_dtype nn__rmean_dtype(nn_dtype dt) { return nn__is_float(dt) ? dt : NN_FLOAT64; }

/* Fills a fresh contiguous tensor with one value (empty reductions). */
NN__PRIVATE void nn__rfill(nn_tensor *t, double v) {
  int64_t i;
  size_t es = nn_dtype_size(t->dtype);
  for (i = 0; i < t->size; i++) nn__store(t->dtype, (char *)t->data + i * (int64_t)es, v);
}

/* The body of every reduction. op: an nn_reduce_op or NN__ROP_ARG*. all: reduce over every axis. force_out: an
   output dtype replacing the usual one (NN_DTYPE_COUNT for none; used by nn_sum_all). */
NN__PRIVATE nn_tensor *nn__reduce_impl(const char *name, int op, const nn_tensor *x, const int *axes, int naxes,
                                       int all, int keepdims, int ddof, nn_dtype force_out) {
  int red[NN_MAX_DIMS], i, ondim = 0;
  int64_t oshape[NN_MAX_DIMS], N = 1;
  nn_dtype cdt, odt;
  nn_tensor *xs = NULL, *out = NULL;
  const nn_tensor *src;
  nn__rpass ps;
  double *centers = NULL;
  if (nn__check_cpu(name, x, "x") != NN_OK) return NULL;
  if (op < 0 || (op >= (int)NN_REDUCE_COUNT && op != NN__ROP_ARGMIN && op != NN__ROP_ARGMAX)) {
    nn__fail(NN_ERR_ARG, "%s: invalid reduce op %d", name, op);
    return NULL;
  }
  if (!nn__dtype_valid(x->dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", name, (int)x->dtype);
    return NULL;
  }
  for (i = 0; i < x->ndim; i++) red[i] = all;
  if (!all) {
    if (naxes < 0 || naxes > NN_MAX_DIMS) {
      nn__fail(NN_ERR_AXIS, "%s: invalid number of axes %d", name, naxes);
      return NULL;
    }
    for (i = 0; i < naxes; i++) {
      int a = axes[i];
      if (nn__norm_axis(name, &a, x->ndim) != NN_OK) return NULL;
      if (red[a]) {
        nn__fail(NN_ERR_AXIS, "%s: duplicate value in 'axis' (axis %d)", name, axes[i]);
        return NULL;
      }
      red[a] = 1;
    }
  }
  /* dtypes */
  cdt = x->dtype;
  switch (op) {
    case NN_REDUCE_SUM:
    case NN_REDUCE_PROD: odt = nn__is_float(cdt) ? cdt : NN_INT64; break;
    case NN_REDUCE_MEAN:
    case NN_REDUCE_VAR:
    case NN_REDUCE_STD: cdt = odt = nn__rmean_dtype(cdt); break;
    case NN_REDUCE_LOGSUMEXP: cdt = odt = nn__float_for(cdt); break;
    case NN_REDUCE_ANY:
    case NN_REDUCE_ALL: odt = NN_BOOL; break;
    case NN__ROP_ARGMIN:
    case NN__ROP_ARGMAX: odt = NN_INT64; break;
    default: odt = cdt; break;
  }
  if (force_out != NN_DTYPE_COUNT) odt = force_out;
  /* output shape */
  for (i = 0; i < x->ndim; i++) {
    if (red[i]) {
      N *= x->shape[i];
      if (keepdims) oshape[ondim++] = 1;
    } else {
      oshape[ondim++] = x->shape[i];
    }
  }
  if (N == 0) {
    if (op == NN_REDUCE_MIN || op == NN_REDUCE_MAX || op == NN_REDUCE_LOGSUMEXP) {
      nn__fail(NN_ERR_VALUE, "%s: zero-size array to reduction operation %s which has no identity", name,
               nn__rop_numpy_name(op));
      return NULL;
    }
    if (op == NN__ROP_ARGMIN || op == NN__ROP_ARGMAX) {
      nn__fail(NN_ERR_VALUE, "%s: attempt to get %s of an empty sequence", name,
               op == NN__ROP_ARGMIN ? "argmin" : "argmax");
      return NULL;
    }
  }
  out = nn__new(name, odt, oshape, ondim);
  if (!out) return NULL;
  if (out->size == 0) return out;
  if (N == 0) {
    double v = op == NN_REDUCE_PROD || op == NN_REDUCE_ALL ? 1.0 : op == NN_REDUCE_SUM || op == NN_REDUCE_ANY ? 0.0 : NAN;
    nn__rfill(out, v);
    return out;
  }
  src = x;
  if (cdt != x->dtype) {
    xs = nn_astype(x, cdt);
    if (!xs) goto fail;
    src = xs;
  }
  ps.dt = cdt;
  ps.out = out->data;
  ps.outdt = odt;
  ps.centers = NULL;
  ps.N = N;
  ps.ddof = ddof;
  ps.fin = NN__FIN_PLAIN;
  switch (op) {
    case NN_REDUCE_SUM: ps.kind = NN__RK_SUM; break;
    case NN_REDUCE_MEAN:
      ps.kind = NN__RK_SUM;
      ps.fin = NN__FIN_MEAN;
      break;
    case NN_REDUCE_PROD: ps.kind = NN__RK_PROD; break;
    case NN_REDUCE_MIN: ps.kind = NN__RK_MIN; break;
    case NN_REDUCE_MAX: ps.kind = NN__RK_MAX; break;
    case NN_REDUCE_ANY: ps.kind = NN__RK_ANY; break;
    case NN_REDUCE_ALL: ps.kind = NN__RK_ALL; break;
    case NN__ROP_ARGMIN: ps.kind = NN__RK_ARGMIN; break;
    case NN__ROP_ARGMAX: ps.kind = NN__RK_ARGMAX; break;
    default: { /* two passes: a center per output (mean or max), then the centered sum */
      nn__rpass p1 = ps;
      if (!nn__rlayout_ok(src, red, 0)) { /* copy once for both passes */
        int red2[NN_MAX_DIMS];
        nn_tensor *cp = nn__rlayout_copy(src, red, red2);
        if (!cp) goto fail;
        memcpy(red, red2, (size_t)src->ndim * sizeof(int));
        nn_free(xs);
        xs = cp;
        src = cp;
      }
      centers = (double *)nn__xalloc(name, (size_t)out->size * sizeof(double));
      if (!centers) goto fail;
      p1.kind = op == NN_REDUCE_LOGSUMEXP ? NN__RK_MAX : NN__RK_SUM;
      p1.fin = op == NN_REDUCE_LOGSUMEXP ? NN__FIN_CENTER : NN__FIN_MEAN;
      p1.out = centers;
      p1.outdt = NN_FLOAT64;
      if (nn__rpass_run(name, src, red, &p1) != NN_OK) goto fail;
      ps.centers = centers;
      ps.kind = op == NN_REDUCE_LOGSUMEXP ? NN__RK_SUMEXP : NN__RK_SQDEV;
      ps.fin = op == NN_REDUCE_LOGSUMEXP ? NN__FIN_LSE : op == NN_REDUCE_VAR ? NN__FIN_VAR : NN__FIN_STD;
      break;
    }
  }
  if (nn__rpass_run(name, src, red, &ps) != NN_OK) goto fail;
  nn__dealloc(centers);
  nn_free(xs);
  return out;
fail:
  nn__dealloc(centers);
  nn_free(xs);
  nn_free(out);
  return NULL;
}

/* nn__reduce_impl plus gradient recording (the reduced axes, normalized, go to the node). */
NN__PRIVATE nn_tensor *nn__reduce(const char *name, int op, const nn_tensor *x, const int *axes, int naxes, int all,
                                  int keepdims, int ddof, nn_dtype force_out) {
  nn_tensor *out = nn__reduce_impl(name, op, x, axes, naxes, all, keepdims, ddof, force_out);
  if (out && op < (int)NN_REDUCE_COUNT && nn__ag_wanted1(x)) {
    int red[NN_MAX_DIMS], i;
    for (i = 0; i < x->ndim; i++) red[i] = all;
    for (i = 0; !all && i < naxes; i++) {
      int a = axes[i];
      if (nn__norm_axis(name, &a, x->ndim) == NN_OK) red[a] = 1;
    }
    out = nn__grad_reduce(op, out, x, red, ddof);
  }
  return out;
}

NNDEF nn_tensor *nn_reduce(nn_reduce_op op, const nn_tensor *x, const int *axes, int naxes, int keepdims, int ddof) {
  if (!axes && naxes != 0) {
    nn__fail_null("nn_reduce", "axes");
    return NULL;
  }
  return nn__reduce("nn_reduce", (int)op, x, axes, naxes, axes == NULL, keepdims, ddof, NN_DTYPE_COUNT);
}

/* A single axis or NN_ALL_AXES. */
NN__PRIVATE nn_tensor *nn__reduce1(const char *name, int op, const nn_tensor *x, int axis, int keepdims, int ddof) {
  return nn__reduce(name, op, x, &axis, 1, axis == NN_ALL_AXES, keepdims, ddof, NN_DTYPE_COUNT);
}

NNDEF nn_tensor *nn_sum(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_sum", NN_REDUCE_SUM, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_mean(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_mean", NN_REDUCE_MEAN, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_prod(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_prod", NN_REDUCE_PROD, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_min(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_min", NN_REDUCE_MIN, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_max(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_max", NN_REDUCE_MAX, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_any(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_any", NN_REDUCE_ANY, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_all(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_all", NN_REDUCE_ALL, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_logsumexp(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_logsumexp", NN_REDUCE_LOGSUMEXP, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_var(const nn_tensor *x, int axis, int ddof, int keepdims) {
  return nn__reduce1("nn_var", NN_REDUCE_VAR, x, axis, keepdims, ddof);
}
NNDEF nn_tensor *nn_std(const nn_tensor *x, int axis, int ddof, int keepdims) {
  return nn__reduce1("nn_std", NN_REDUCE_STD, x, axis, keepdims, ddof);
}
NNDEF nn_tensor *nn_argmin(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_argmin", NN__ROP_ARGMIN, x, axis, keepdims, 0);
}
NNDEF nn_tensor *nn_argmax(const nn_tensor *x, int axis, int keepdims) {
  return nn__reduce1("nn_argmax", NN__ROP_ARGMAX, x, axis, keepdims, 0);
}

NNDEF double nn_sum_all(const nn_tensor *x) {
  nn_tensor *s;
  double v;
  if (nn__check_cpu("nn_sum_all", x, "x") != NN_OK) return NAN;
  s = nn__reduce("nn_sum_all", NN_REDUCE_SUM, x, NULL, 0, 1, 0, 0, x->dtype == NN_FLOAT32 ? NN_FLOAT64 : NN_DTYPE_COUNT);
  if (!s) return NAN;
  v = s->dtype == NN_INT64 ? (double)*(const int64_t *)s->data : nn__load(s->dtype, s->data);
  nn_free(s);
  return v;
}

/* ---- cumulative sums and products ---- */


typedef struct nn__rcum_ctx {
  char *o;
  const char *x;
  int64_t A, N, B, esz, G, ncb;
  int isprod;
  nn_dtype dt;
} nn__rcum_ctx;

NN__PRIVATE void nn__rcum_lines(void *vctx, int64_t chunk) {
  const nn__rcum_ctx *c = (const nn__rcum_ctx *)vctx;
  int64_t a = chunk * c->G, e = a + c->G;
  if (e > c->A) e = c->A;
  for (; a < e; a++) {
    int64_t off = a * c->N * c->esz;
    void *o = c->o + off;
    const void *x = c->x + off;
    switch (c->dt) {
      case NN_FLOAT32:
        if (c->isprod) nn__rcumprod_line_f32(c->N, (float *)o, (const float *)x);
        else nn__rcumsum_line_f32(c->N, (float *)o, (const float *)x);
        break;
      case NN_FLOAT64:
        if (c->isprod) nn__rcumprod_line_f64(c->N, (double *)o, (const double *)x);
        else nn__rcumsum_line_f64(c->N, (double *)o, (const double *)x);
        break;
      default:
        if (c->isprod) nn__rcumprod_line_i64(c->N, (int64_t *)o, (const int64_t *)x);
        else nn__rcumsum_line_i64(c->N, (int64_t *)o, (const int64_t *)x);
        break;
    }
  }
}

NN__PRIVATE void nn__rcum_cols(void *vctx, int64_t chunk) {
  const nn__rcum_ctx *c = (const nn__rcum_ctx *)vctx;
  int64_t t = chunk * c->G, e = t + c->G;
  if (e > c->A * c->ncb) e = c->A * c->ncb;
  for (; t < e; t++) {
    int64_t a = t / c->ncb, j0 = (t % c->ncb) * NN__RCOLBLK;
    int64_t w = c->B - j0 < NN__RCOLBLK ? c->B - j0 : NN__RCOLBLK, i;
    int64_t base = (a * c->N * c->B + j0) * c->esz, rs = c->B * c->esz;
    memcpy(c->o + base, c->x + base, (size_t)(w * c->esz));
    for (i = 1; i < c->N; i++) {
      char *o = c->o + base + i * rs;
      const char *prev = o - rs, *x = c->x + base + i * rs;
      switch (c->dt) {
        case NN_FLOAT32:
          if (c->isprod) nn__rcumprod_row_f32(w, (float *)o, (const float *)prev, (const float *)x);
          else nn__rcumsum_row_f32(w, (float *)o, (const float *)prev, (const float *)x);
          break;
        case NN_FLOAT64:
          if (c->isprod) nn__rcumprod_row_f64(w, (double *)o, (const double *)prev, (const double *)x);
          else nn__rcumsum_row_f64(w, (double *)o, (const double *)prev, (const double *)x);
          break;
        default:
          if (c->isprod) nn__rcumprod_row_i64(w, (int64_t *)o, (const int64_t *)prev, (const int64_t *)x);
          else nn__rcumsum_row_i64(w, (int64_t *)o, (const int64_t *)prev, (const int64_t *)x);
          break;
      }
    }
  }
}

NN__PRIVATE nn_tensor *nn__rcum(const char *name, int isprod, const nn_tensor *x, int axis) {
  nn_dtype rdt;
  nn_tensor *xs = NULL, *out;
  const nn_tensor *src;
  int64_t oshape[NN_MAX_DIMS];
  int ondim, i;
  nn__rcum_ctx c;
  if (nn__check_cpu(name, x, "x") != NN_OK) return NULL;
  if (!nn__dtype_valid(x->dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", name, (int)x->dtype);
    return NULL;
  }
  rdt = nn__is_float(x->dtype) ? x->dtype : NN_INT64;
  if (axis == NN_ALL_AXES || x->ndim == 0) {
    /* flattened (a 0-d array behaves as a 1-element 1-D array, as in NumPy) */
    if (axis != NN_ALL_AXES && nn__norm_axis(name, &axis, 1) != NN_OK) return NULL;
    oshape[0] = x->size;
    ondim = 1;
    axis = 0;
  } else {
    if (nn__norm_axis(name, &axis, x->ndim) != NN_OK) return NULL;
    for (i = 0; i < x->ndim; i++) oshape[i] = x->shape[i];
    ondim = x->ndim;
  }
  out = nn__new(name, rdt, oshape, ondim);
  if (!out || out->size == 0) return out;
  src = x;
  if (x->dtype != rdt || !nn_is_contiguous(x)) {
    xs = nn_astype(x, rdt);
    if (!xs) {
      nn_free(out);
      return NULL;
    }
    src = xs;
  }
  c.o = (char *)out->data;
  c.x = (const char *)src->data;
  c.esz = (int64_t)nn_dtype_size(rdt);
  c.isprod = isprod;
  c.dt = rdt;
  c.A = 1;
  c.B = 1;
  for (i = 0; i < axis; i++) c.A *= oshape[i];
  c.N = oshape[axis];
  for (i = axis + 1; i < ondim; i++) c.B *= oshape[i];
  if (c.B == 1) {
    c.G = c.N >= NN__RCHUNK ? 1 : NN__RCHUNK / c.N;
    c.ncb = 1;
    nn__parallel_for((c.A + c.G - 1) / c.G, nn__rcum_lines, &c);
  } else {
    int64_t per = c.B < NN__RCOLBLK ? c.B : NN__RCOLBLK, work = per * c.N;
    c.ncb = (c.B + NN__RCOLBLK - 1) / NN__RCOLBLK;
    c.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
    nn__parallel_for((c.A * c.ncb + c.G - 1) / c.G, nn__rcum_cols, &c);
  }
  nn_free(xs);
  return out;
}

NNDEF nn_tensor *nn_cumsum(const nn_tensor *x, int axis) {
  nn_tensor *r = nn__rcum("nn_cumsum", 0, x, axis);
  if (r && nn__ag_wanted1(x)) r = nn__grad_cum(r, x, axis, 0);
  return r;
}
NNDEF nn_tensor *nn_cumprod(const nn_tensor *x, int axis) {
  nn_tensor *r = nn__rcum("nn_cumprod", 1, x, axis);
  if (r && nn__ag_wanted1(x)) r = nn__grad_cum(r, x, axis, 1);
  return r;
}

/* ---- softmax ---- */

typedef struct nn__rsm_ctx {
  char *o;
  const char *x;
  int64_t A, N, B, esz, G, ncb;
  int logsm;
  nn_dtype dt;
} nn__rsm_ctx;

NN__PRIVATE void nn__rsm_rows(void *vctx, int64_t chunk) {
  const nn__rsm_ctx *c = (const nn__rsm_ctx *)vctx;
  int64_t a = chunk * c->G, e = a + c->G;
  if (e > c->A) e = c->A;
  for (; a < e; a++) {
    int64_t off = a * c->N * c->esz;
    if (c->dt == NN_FLOAT32) nn__rsoftmax_row_f32(c->N, (float *)(c->o + off), (const float *)(c->x + off), c->logsm);
    else nn__rsoftmax_row_f64(c->N, (double *)(c->o + off), (const double *)(c->x + off), c->logsm);
  }
}

NN__PRIVATE void nn__rsm_cols(void *vctx, int64_t chunk) {
  const nn__rsm_ctx *c = (const nn__rsm_ctx *)vctx;
  double mb[NN__RCOLBLK], sb[NN__RCOLBLK];
  int64_t t = chunk * c->G, e = t + c->G;
  if (e > c->A * c->ncb) e = c->A * c->ncb;
  for (; t < e; t++) {
    int64_t a = t / c->ncb, j0 = (t % c->ncb) * NN__RCOLBLK;
    int64_t w = c->B - j0 < NN__RCOLBLK ? c->B - j0 : NN__RCOLBLK;
    int64_t off = (a * c->N * c->B + j0) * c->esz;
    if (c->dt == NN_FLOAT32)
      nn__rsoftmax_cols_f32(c->N, w, c->B, (float *)(c->o + off), (const float *)(c->x + off), c->logsm, mb, sb);
    else
      nn__rsoftmax_cols_f64(c->N, w, c->B, (double *)(c->o + off), (const double *)(c->x + off), c->logsm, mb, sb);
  }
}

/* out: contiguous float tensor of src's shape and dtype; axis normalized or NN_ALL_AXES. out may be src. */
NN__PRIVATE nn_status nn__rsoftmax_into(const char *name, nn_tensor *out, const nn_tensor *src, int axis, int logsm) {
  nn__rsm_ctx c;
  nn_tensor *tmp = NULL;
  int i;
  (void)name;
  if (out->size == 0) return NN_OK;
  if (!nn_is_contiguous(src) || (src->storage == out->storage && src->data != out->data)) {
    tmp = nn_copy(src);
    if (!tmp) return nn_last_status();
    src = tmp;
  }
  c.o = (char *)out->data;
  c.x = (const char *)src->data;
  c.dt = out->dtype;
  c.esz = (int64_t)nn_dtype_size(out->dtype);
  c.logsm = logsm;
  c.A = 1;
  c.B = 1;
  if (axis == NN_ALL_AXES) {
    c.N = out->size;
  } else {
    for (i = 0; i < axis; i++) c.A *= out->shape[i];
    c.N = out->shape[axis];
    for (i = axis + 1; i < out->ndim; i++) c.B *= out->shape[i];
  }
  if (c.B == 1) {
    c.G = c.N >= NN__RCHUNK ? 1 : NN__RCHUNK / c.N;
    c.ncb = 1;
    nn__parallel_for((c.A + c.G - 1) / c.G, nn__rsm_rows, &c);
  } else {
    int64_t per = c.B < NN__RCOLBLK ? c.B : NN__RCOLBLK, work = per * c.N;
    c.ncb = (c.B + NN__RCOLBLK - 1) / NN__RCOLBLK;
    c.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
    nn__parallel_for((c.A * c.ncb + c.G - 1) / c.G, nn__rsm_cols, &c);
  }
  nn_free(tmp);
  return NN_OK;
}

/* Checks x and axis for softmax; normalizes axis (NN_ALL_AXES stays). */
NN__PRIVATE nn_status nn__rsoftmax_check(const char *name, const nn_tensor *x, int *axis) {
  int64_t n;
  if (nn__check_cpu(name, x, "x") != NN_OK) return nn_last_status();
  if (!nn__dtype_valid(x->dtype)) return nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", name, (int)x->dtype);
  if (*axis == NN_ALL_AXES) {
    n = x->size;
  } else {
    if (nn__norm_axis(name, axis, x->ndim) != NN_OK) return nn_last_status();
    n = x->shape[*axis];
  }
  if (n == 0)
    return nn__fail(NN_ERR_VALUE, "%s: zero-size array to reduction operation maximum which has no identity", name);
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__rsoftmax(const char *name, const nn_tensor *x, int axis, int logsm) {
  nn_tensor *out, *xs = NULL;
  const nn_tensor *src = x;
  nn_dtype rdt;
  if (nn__rsoftmax_check(name, x, &axis) != NN_OK) return NULL;
  rdt = nn__float_for(x->dtype);
  out = nn__new(name, rdt, x->shape, x->ndim);
  if (!out) return NULL;
  if (x->dtype != rdt) {
    xs = nn_astype(x, rdt);
    if (!xs) {
      nn_free(out);
      return NULL;
    }
    src = xs;
  }
  if (nn__rsoftmax_into(name, out, src, axis, logsm) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
  nn_free(xs);
  if (out && nn__ag_wanted1(x)) out = nn__grad_softmax(out, x, axis, logsm);
  return out;
}

NNDEF nn_tensor *nn_softmax(const nn_tensor *x, int axis) { return nn__rsoftmax("nn_softmax", x, axis, 0); }
NNDEF nn_tensor *nn_log_softmax(const nn_tensor *x, int axis) { return nn__rsoftmax("nn_log_softmax", x, axis, 1); }

NNDEF nn_status nn_softmax_out(nn_tensor *out, const nn_tensor *x, int axis) {
  const char *name = "nn_softmax_out";
  nn_tensor *xs = NULL, *tmp = NULL;
  const nn_tensor *src = x;
  nn_status st;
  char s1[160], s2[160];
  int i, same;
  if (nn__check_cpu(name, out, "out") != NN_OK) return nn_last_status();
  if (nn__rsoftmax_check(name, x, &axis) != NN_OK) return nn_last_status();
  same = out->ndim == x->ndim;
  for (i = 0; same && i < x->ndim; i++) same = out->shape[i] == x->shape[i];
  if (!same)
    return nn__fail(NN_ERR_SHAPE, "%s: output shape %s does not match the input shape %s", name,
                    nn_shape_str(out, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
  if (!nn__is_float(out->dtype))
    return nn__fail(NN_ERR_DTYPE, "%s: out must be float32 or float64, got %s", name, nn_dtype_name(out->dtype));
  if (x->dtype != out->dtype) {
    xs = nn_astype(x, out->dtype);
    if (!xs) return nn_last_status();
    src = xs;
  }
  if (nn_is_contiguous(out)) {
    st = nn__rsoftmax_into(name, out, src, axis, 0);
  } else {
    tmp = nn__new(name, out->dtype, out->shape, out->ndim);
    st = tmp ? nn__rsoftmax_into(name, tmp, src, axis, 0) : nn_last_status();
    if (st == NN_OK) nn__assign(out, tmp);
  }
  nn_free(tmp);
  nn_free(xs);
  return st;
}
