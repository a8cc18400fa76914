/* nn/layers_rnn.c: SimpleRNN, LSTM and GRU as one fused op per sequence (PyTorch's formulas and weight layout).

   Forward: one GEMM projects the whole input sequence (x W_ih^T + biases), then each step adds h_{t-1} W_hh^T with a
   GEMM and applies the cell's elementwise math in one pass. The op's result Z stacks, along the first axis, h_0,
   h_1 .. h_T (and c_T for LSTM); the layer returns views of pieces of Z that pass gradients back into it.
   Backward: backpropagation through time, one GEMM per step for the recurrent gradient, then single GEMMs over the
   whole sequence for the input gradient and the weight gradients. */
#ifndef NN_NO_RANDOM

enum { NN__RNN_TANH = 0, NN__RNN_RELU = 1, NN__RNN_LSTM = 2, NN__RNN_GRU = 3 };

NN__PRIVATE int64_t nn__rnn_ngates(int mode) { return mode == NN__RNN_LSTM ? 4 : mode == NN__RNN_GRU ? 3 : 1; }
NN__PRIVATE const char *nn__rnn_opname(int mode) {
  return mode == NN__RNN_LSTM ? "lstm" : mode == NN__RNN_GRU ? "gru" : mode == NN__RNN_RELU ? "rnn_relu" : "rnn_tanh";
}

/* dst (rows x cols) = the sum of the bias vectors b1 and b2 (either may be NULL) in every row. */
NN__PRIVATE void nn__rnn_bias_rows(nn_dtype dt, void *dst, int64_t rows, int64_t cols, const nn_tensor *b1,
                                   const nn_tensor *b2, void *tmp) {
  size_t es = nn_dtype_size(dt), row = (size_t)cols * es;
  int64_t j, r;
  for (j = 0; j < cols; j++) {
    double v = (b1 ? nn_get_flat(b1, j) : 0.0) + (b2 ? nn_get_flat(b2, j) : 0.0);
    if (dt == NN_FLOAT32) ((float *)tmp)[j] = (float)v;
    else ((double *)tmp)[j] = v;
  }
  for (r = 0; r < rows; r++) memcpy((char *)dst + (size_t)r * row, tmp, row);
}

/* o = a + b over n elements. */
NN__PRIVATE void nn__rnn_add(nn_dtype dt, int64_t n, void *o, const void *a, const void *b) {
  int64_t i;
  if (dt == NN_FLOAT32)
    for (i = 0; i < n; i++) ((float *)o)[i] = ((const float *)a)[i] + ((const float *)b)[i];
  else
    for (i = 0; i < n; i++) ((double *)o)[i] = ((const double *)a)[i] + ((const double *)b)[i];
}

/* One step's elementwise work, split over fixed blocks of batch rows. */
typedef struct nn__rnn_step {
  nn_dtype dt;
  int mode, backward;
  int64_t B, H, rpc;
  void *G, *c, *h, *S, *dG, *dc, *dX, *dH, *dp; /* forward: G gates, c/cprev state, h out; GRU: S saved */
  const void *cprev, *hprev, *XG, *HG, *dh;
} nn__rnn_step;

NN__PRIVATE void nn__rnn_step_chunk(void *vctx, int64_t k) {
  nn__rnn_step *s = (nn__rnn_step *)vctx;
  int64_t b0 = k * s->rpc, b1 = b0 + s->rpc < s->B ? b0 + s->rpc : s->B, H = s->H;
  int f32 = s->dt == NN_FLOAT32;
  if (!s->backward) {
    switch (s->mode) {
      case NN__RNN_LSTM:
        if (f32) nn__lk_lstm_fwd_f32x(b0, b1, H, (float *)s->G, (const float *)s->cprev, (float *)s->c, (float *)s->h);
        else nn__lk_lstm_fwd_f64(b0, b1, H, (double *)s->G, (const double *)s->cprev, (double *)s->c, (double *)s->h);
        break;
      case NN__RNN_GRU:
        if (f32)
          nn__lk_gru_fwd_f32(b0, b1, H, (const float *)s->XG, (const float *)s->HG, (const float *)s->hprev,
                             (float *)s->h, (float *)s->S);
        else
          nn__lk_gru_fwd_f64(b0, b1, H, (const double *)s->XG, (const double *)s->HG, (const double *)s->hprev,
                             (double *)s->h, (double *)s->S);
        break;
      default:
        if (f32) nn__lk_rnn_fwd_f32(b0, b1, H, (float *)s->h, s->mode == NN__RNN_RELU);
        else nn__lk_rnn_fwd_f64(b0, b1, H, (double *)s->h, s->mode == NN__RNN_RELU);
    }
  } else {
    switch (s->mode) {
      case NN__RNN_LSTM:
        if (f32)
          nn__lk_lstm_bwd_f32x(b0, b1, H, (const float *)s->G, (const float *)s->cprev, (const float *)s->c,
                              (const float *)s->dh, (float *)s->dc, (float *)s->dG);
        else
          nn__lk_lstm_bwd_f64(b0, b1, H, (const double *)s->G, (const double *)s->cprev, (const double *)s->c,
                              (const double *)s->dh, (double *)s->dc, (double *)s->dG);
        break;
      case NN__RNN_GRU:
        if (f32)
          nn__lk_gru_bwd_f32x(b0, b1, H, (const float *)s->S, (const float *)s->hprev, (const float *)s->dh,
                             (float *)s->dX, (float *)s->dH, (float *)s->dp);
        else
          nn__lk_gru_bwd_f64(b0, b1, H, (const double *)s->S, (const double *)s->hprev, (const double *)s->dh,
                             (double *)s->dX, (double *)s->dH, (double *)s->dp);
        break;
      default:
        if (f32)
          nn__lk_rnn_bwd_f32(b0, b1, H, (const float *)s->h, (const float *)s->dh, (float *)s->dG,
                             s->mode == NN__RNN_RELU);
        else
          nn__lk_rnn_bwd_f64(b0, b1, H, (const double *)s->h, (const double *)s->dh, (double *)s->dG,
                             s->mode == NN__RNN_RELU);
    }
  }
}

NN__PRIVATE void nn__rnn_run_step(nn__rnn_step *s) {
  s->rpc = nn__lk_rows_per_chunk(4 * s->H);
  nn__parallel_for(s->B > 0 ? (s->B + s->rpc - 1) / s->rpc : 0, nn__rnn_step_chunk, s);
}

/* A new tensor with the edge's shape holding the n contiguous elements at p. */
NN__PRIVATE nn_tensor *nn__rnn_grad_as(const nn__edge *e, nn_dtype dt, const void *p) {
  nn_tensor *t = nn__new("nn_backward", dt, e->shape, e->ndim);
  if (t) memcpy(t->data, p, (size_t)t->size * nn_dtype_size(dt));
  return t;
}

/* saved: 0 X (T, B, I) contiguous, 1 W_ih, 2 W_hh, 3 Z, 4 gates (LSTM: activated i,f,g,o; GRU: r,z,n,hn), 5 cell
   states (T+1, B, H) (LSTM). i: mode, batch_first, T, B, H, I. */
NN__PRIVATE nn_status nn__rnn_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  int mode = (int)n->i[0], batch_first = (int)n->i[1];
  int64_t T = n->i[2], B = n->i[3], H = n->i[4], I = n->i[5], G = nn__rnn_ngates(mode), GH = G * H, BH = B * H, t;
  nn_tensor *X = n->saved[0], *Wih = n->saved[1], *Whh = n->saved[2], *Z = n->saved[3];
  nn_tensor *gates = n->saved[4], *cb = n->saved[5], *dZ = NULL, *dXG = NULL, *dHG = NULL, *dX = NULL;
  nn_dtype dt = X->dtype;
  size_t es = nn_dtype_size(dt);
  char *dh = NULL, *dhn = NULL, *dc = NULL;
  double *acc = NULL;
  nn_status st = NN_OK;
  nn__rnn_step s;
  int64_t shp[2];
  dZ = nn__lk_contig(gout, dt);
  dh = (char *)nn__xalloc(n->name, es * (size_t)(3 * BH + 1));
  acc = (double *)nn__xalloc(n->name, sizeof(double) * (size_t)(GH + 1));
  shp[0] = T * B;
  shp[1] = GH;
  dXG = nn__new(n->name, dt, shp, 2);
  if (mode == NN__RNN_GRU) dHG = nn__new(n->name, dt, shp, 2);
  if (!dZ || !dh || !acc || !dXG || (mode == NN__RNN_GRU && !dHG)) {
    st = nn_last_status();
    goto done;
  }
  if (!dHG) dHG = dXG; /* LSTM and RNN: the same pre-activation gradients feed both weights */
  dhn = dh + es * (size_t)BH;
  dc = dhn + es * (size_t)BH;
  memset(dhn, 0, es * (size_t)BH);
  if (mode == NN__RNN_LSTM) memcpy(dc, (char *)dZ->data + es * (size_t)((T + 1) * BH), es * (size_t)BH);
  memset(&s, 0, sizeof s);
  s.dt = dt;
  s.mode = mode;
  s.backward = 1;
  s.B = B;
  s.H = H;
  for (t = T - 1; t >= 0 && st == NN_OK; t--) {
    char *dG_t = (char *)dXG->data + es * (size_t)(t * B * GH);
    nn__rnn_add(dt, BH, dh, (char *)dZ->data + es * (size_t)((t + 1) * BH), dhn);
    s.dh = dh;
    if (mode == NN__RNN_LSTM) {
      s.G = (char *)gates->data + es * (size_t)(t * B * GH);
      s.cprev = (char *)cb->data + es * (size_t)(t * BH);
      s.c = (char *)cb->data + es * (size_t)((t + 1) * BH);
      s.dc = dc;
      s.dG = dG_t;
      nn__rnn_run_step(&s);
      st = nn__lk_gemm(dt, 0, 0, B, H, GH, 1.0, dG_t, GH, Whh->data, H, 0.0, dhn, H);
    } else if (mode == NN__RNN_GRU) {
      char *dH_t = (char *)dHG->data + es * (size_t)(t * B * GH);
      s.S = (char *)gates->data + es * (size_t)(t * B * 4 * H);
      s.hprev = (char *)Z->data + es * (size_t)(t * BH);
      s.dX = dG_t;
      s.dH = dH_t;
      s.dp = dhn;
      nn__rnn_run_step(&s);
      st = nn__lk_gemm(dt, 0, 0, B, H, GH, 1.0, dH_t, GH, Whh->data, H, 1.0, dhn, H);
    } else {
      s.h = (char *)Z->data + es * (size_t)((t + 1) * BH);
      s.dG = dG_t;
      nn__rnn_run_step(&s);
      st = nn__lk_gemm(dt, 0, 0, B, H, GH, 1.0, dG_t, GH, Whh->data, H, 0.0, dhn, H);
    }
  }
  if (st != NN_OK) goto done;
  if (n->in[0].node) { /* dX = dXG W_ih, back to the input's layout */
    int64_t xs[3];
    xs[0] = T;
    xs[1] = B;
    xs[2] = I;
    dX = nn__new(n->name, dt, xs, 3);
    if (!dX || (st = nn__lk_gemm(dt, 0, 0, T * B, I, GH, 1.0, dXG->data, GH, Wih->data, I, 0.0, dX->data, I)) != NN_OK)
      goto fail;
    if (batch_first) {
      int64_t vs[3], vst[3];
      nn_tensor *v;
      vs[0] = B;
      vs[1] = T;
      vs[2] = I;
      vst[0] = I;
      vst[1] = B * I;
      vst[2] = 1;
      v = nn__view(n->name, dX, vs, vst, 3, dX->data);
      gin[0] = v ? nn_contiguous(v) : NULL;
      nn_free(v);
      if (!gin[0]) goto fail;
    } else {
      gin[0] = dX;
      dX = NULL;
    }
  }
  if (n->in[1].node && !(gin[1] = nn__rnn_grad_as(&n->in[1], dt, dhn))) goto fail;
  if (n->in[2].node && !(gin[2] = nn__rnn_grad_as(&n->in[2], dt, dc))) goto fail;
  if (n->in[3].node) {
    gin[3] = nn__new(n->name, dt, Wih->shape, 2);
    if (!gin[3] || (st = nn__lk_gemm(dt, 1, 0, GH, I, T * B, 1.0, dXG->data, GH, X->data, I, 0.0, gin[3]->data, I)) !=
                       NN_OK)
      goto fail;
  }
  if (n->in[4].node) {
    gin[4] = nn__new(n->name, dt, Whh->shape, 2);
    if (!gin[4] || (st = nn__lk_gemm(dt, 1, 0, GH, H, T * B, 1.0, dHG->data, GH, Z->data, H, 0.0, gin[4]->data, H)) !=
                       NN_OK)
      goto fail;
  }
  if (n->in[5].node || n->in[6].node) {
    int k;
    for (k = 5; k <= 6; k++) {
      nn_tensor *src = k == 5 ? dXG : dHG;
      if (!n->in[k].node) continue;
      gin[k] = nn__new(n->name, dt, &GH, 1);
      if (!gin[k]) goto fail;
      if (dt == NN_FLOAT32) nn__lk_colsum_f32(T * B, GH, (const float *)src->data, (float *)gin[k]->data, acc);
      else nn__lk_colsum_f64(T * B, GH, (const double *)src->data, (double *)gin[k]->data, acc);
    }
  }
  goto done;
fail:
  if (st == NN_OK) st = nn_last_status() != NN_OK ? nn_last_status() : NN_ERR_OOM;
done:
  if (dHG && dHG != dXG) nn_free(dHG);
  nn_free(dXG);
  nn_free(dX);
  nn_free(dZ);
  nn__dealloc(dh);
  nn__dealloc(acc);
  return st;
}

/* The fused recurrence. x: (T, B, I), or (B, T, I) with batch_first, any strides; h0, c0: NULL (zeros) or (B, H) /
   (1, B, H); w_ih (G H, I), w_hh (G H, H), biases (G H,) or NULL; all of one float dtype (checked by the caller).
   Returns Z (T + 1 [+ 1 for LSTM], B, H) = h0, h_1 .. h_T [, c_T]. */
NN__PRIVATE nn_tensor *nn__rnn_op(const char *fn, int mode, const nn_tensor *x, int batch_first, const nn_tensor *h0,
                                  const nn_tensor *c0, const nn_tensor *w_ih, const nn_tensor *w_hh,
                                  const nn_tensor *b_ih, const nn_tensor *b_hh) {
  nn_dtype dt = w_ih->dtype;
  size_t es = nn_dtype_size(dt);
  int64_t T = x->shape[batch_first ? 1 : 0], B = x->shape[batch_first ? 0 : 1], I = x->shape[2];
  int64_t H = w_hh->shape[1], G = nn__rnn_ngates(mode), GH = G * H, BH = B * H, t, zs[3], shp[3];
  nn_tensor *X = NULL, *Wih = NULL, *Whh = NULL, *Z = NULL, *gates = NULL, *cb = NULL, *XG = NULL, *HG = NULL;
  nn_tensor *h0c = NULL, *c0c = NULL, *WhhT = NULL;
  void *tmp = NULL;
  nn_status st = NN_OK;
  nn__rnn_step s;
  int record = nn__ag_wanted3(x, h0, c0) || nn__ag_wanted2(w_ih, w_hh) || nn__ag_wanted2(b_ih, b_hh);
  /* the input sequence first, contiguous */
  if (batch_first) {
    int64_t vs[3], vst[3];
    nn_tensor *v;
    vs[0] = T;
    vs[1] = B;
    vs[2] = I;
    vst[0] = x->strides[1];
    vst[1] = x->strides[0];
    vst[2] = x->strides[2];
    v = nn__view(fn, x, vs, vst, 3, x->data);
    X = v ? nn_contiguous(v) : NULL;
    nn_free(v);
  } else {
    X = nn_contiguous(x);
  }
  Wih = nn_contiguous(w_ih);
  Whh = nn_contiguous(w_hh);
  {
    /* W_hh^T (H, G H) once, so that every step's product reads an untransposed B in place instead of packing it */
    nn_tensor *tv = nn_transpose(w_hh);
    WhhT = tv ? nn_contiguous(tv) : NULL;
    nn_free(tv);
  }
  if (h0) h0c = nn_contiguous(h0);
  if (c0) c0c = nn_contiguous(c0);
  zs[0] = T + 1 + (mode == NN__RNN_LSTM);
  zs[1] = B;
  zs[2] = H;
  Z = nn__new(fn, dt, zs, 3);
  tmp = nn__xalloc(fn, es * (size_t)(GH + 1));
  if (!X || !Wih || !Whh || !WhhT || (h0 && !h0c) || (c0 && !c0c) || !Z || !tmp) goto fail;
  if (h0c) memcpy(Z->data, h0c->data, es * (size_t)BH);
  else memset(Z->data, 0, es * (size_t)BH);
  memset(&s, 0, sizeof s);
  s.dt = dt;
  s.mode = mode;
  s.B = B;
  s.H = H;
  if (mode == NN__RNN_LSTM) {
    shp[0] = T;
    shp[1] = B;
    shp[2] = GH;
    gates = nn__new(fn, dt, shp, 3);
    shp[0] = T + 1;
    shp[2] = H;
    cb = nn__new(fn, dt, shp, 3);
    if (!gates || !cb) goto fail;
    if (c0c) memcpy(cb->data, c0c->data, es * (size_t)BH);
    else memset(cb->data, 0, es * (size_t)BH);
    nn__rnn_bias_rows(dt, gates->data, T * B, GH, b_ih, b_hh, tmp);
    if ((st = nn__lk_gemm(dt, 0, 1, T * B, GH, I, 1.0, X->data, I, Wih->data, I, 1.0, gates->data, GH)) != NN_OK)
      goto fail;
    for (t = 0; t < T; t++) {
      char *G_t = (char *)gates->data + es * (size_t)(t * B * GH);
      if ((st = nn__lk_gemm(dt, 0, 0, B, GH, H, 1.0, (char *)Z->data + es * (size_t)(t * BH), H, WhhT->data, GH, 1.0,
                            G_t, GH)) != NN_OK)
        goto fail;
      s.G = G_t;
      s.cprev = (char *)cb->data + es * (size_t)(t * BH);
      s.c = (char *)cb->data + es * (size_t)((t + 1) * BH);
      s.h = (char *)Z->data + es * (size_t)((t + 1) * BH);
      nn__rnn_run_step(&s);
    }
    memcpy((char *)Z->data + es * (size_t)((T + 1) * BH), (char *)cb->data + es * (size_t)(T * BH),
           es * (size_t)BH);
  } else if (mode == NN__RNN_GRU) {
    shp[0] = T;
    shp[1] = B;
    shp[2] = 4 * H;
    gates = nn__new(fn, dt, shp, 3);
    shp[2] = GH;
    XG = nn__new(fn, dt, shp, 3);
    HG = nn__new(fn, dt, shp + 1, 2);
    if (!gates || !XG || !HG) goto fail;
    nn__rnn_bias_rows(dt, XG->data, T * B, GH, b_ih, NULL, tmp);
    if ((st = nn__lk_gemm(dt, 0, 1, T * B, GH, I, 1.0, X->data, I, Wih->data, I, 1.0, XG->data, GH)) != NN_OK)
      goto fail;
    for (t = 0; t < T; t++) {
      const char *hp = (const char *)Z->data + es * (size_t)(t * BH);
      nn__rnn_bias_rows(dt, HG->data, B, GH, b_hh, NULL, tmp);
      if ((st = nn__lk_gemm(dt, 0, 0, B, GH, H, 1.0, hp, H, WhhT->data, GH, 1.0, HG->data, GH)) != NN_OK) goto fail;
      s.XG = (char *)XG->data + es * (size_t)(t * B * GH);
      s.HG = HG->data;
      s.hprev = hp;
      s.h = (char *)Z->data + es * (size_t)((t + 1) * BH);
      s.S = (char *)gates->data + es * (size_t)(t * B * 4 * H);
      nn__rnn_run_step(&s);
    }
  } else {
    char *Y = (char *)Z->data + es * (size_t)BH;
    nn__rnn_bias_rows(dt, Y, T * B, H, b_ih, b_hh, tmp);
    if ((st = nn__lk_gemm(dt, 0, 1, T * B, H, I, 1.0, X->data, I, Wih->data, I, 1.0, Y, H)) != NN_OK) goto fail;
    for (t = 0; t < T; t++) {
      if ((st = nn__lk_gemm(dt, 0, 0, B, H, H, 1.0, (char *)Z->data + es * (size_t)(t * BH), H, WhhT->data, H, 1.0,
                            (char *)Z->data + es * (size_t)((t + 1) * BH), H)) != NN_OK)
        goto fail;
      s.h = (char *)Z->data + es * (size_t)((t + 1) * BH);
      nn__rnn_run_step(&s);
    }
  }
  if (record) {
    const nn_tensor *in[7];
    nn__node *n;
    in[0] = x;
    in[1] = h0;
    in[2] = c0;
    in[3] = w_ih;
    in[4] = w_hh;
    in[5] = b_ih;
    in[6] = b_hh;
    n = nn__ag_node(nn__rnn_opname(mode), nn__rnn_backward, 7, in);
    if (n) {
      n->i[0] = mode;
      n->i[1] = batch_first;
      n->i[2] = T;
      n->i[3] = B;
      n->i[4] = H;
      n->i[5] = I;
      if (nn__ag_save(n, 0, X) != NN_OK || nn__ag_save(n, 1, Wih) != NN_OK || nn__ag_save(n, 2, Whh) != NN_OK ||
          nn__ag_save(n, 3, Z) != NN_OK || nn__ag_save(n, 4, gates) != NN_OK || nn__ag_save(n, 5, cb) != NN_OK) {
        nn__node_decref(n);
        n = NULL;
      }
    }
    Z = nn__ag_attach(n, Z);
  }
  goto done;
fail:
  if (st == NN_OK && nn_last_status() == NN_OK) nn__fail(NN_ERR_OOM, "%s: out of memory", fn);
  nn_free(Z);
  Z = NULL;
done:
  nn_free(X);
  nn_free(Wih);
  nn_free(Whh);
  nn_free(WhhT);
  nn_free(h0c);
  nn_free(c0c);
  nn_free(gates);
  nn_free(cb);
  nn_free(XG);
  nn_free(HG);
  nn__dealloc(tmp);
  return Z;
}

/* ---- the layers ---- */

typedef struct nn__rnn_cfg {
  int mode;
  int64_t units, in;
  nn_rnn_desc d;
} nn__rnn_cfg;

NN__PRIVATE const char *nn__rnn_fn(const nn__rnn_cfg *c) {
  return c->mode == NN__RNN_LSTM ? "nn_lstm" : c->mode == NN__RNN_GRU ? "nn_gru" : "nn_simple_rnn";
}

NN__PRIVATE nn_status nn__rnn_build(nn_layer *l, const int64_t *shape, int ndim) {
  nn__rnn_cfg *cfg = (nn__rnn_cfg *)l->config;
  const char *fn = nn__rnn_fn(cfg);
  int64_t H = cfg->units, GH = nn__rnn_ngates(cfg->mode) * H, ws[2], out[2];
  double k = 1.0 / sqrt((double)H);
  nn_init_spec wi, wh, bi, bh;
  nn_tensor *b;
  if (nn__layer_check_build(l, fn, shape, ndim, 2, 2, 1, "input features") != NN_OK) return nn_last_status();
  cfg->in = shape[1];
  if (cfg->d.keras_init) {
    wi = nn__init_simple(NN_INIT_XAVIER_UNIFORM, 1.0, 0);
    wh = nn__init_simple(NN_INIT_ORTHOGONAL, 1.0, 0);
    bi = bh = nn__init_simple(NN_INIT_ZEROS, 0, 0);
  } else {
    wi = wh = bi = bh = nn__init_simple(NN_INIT_UNIFORM, -k, k);
  }
  ws[0] = GH;
  ws[1] = cfg->in;
  if (!nn__layer_param(l, "weight_ih_l0", ws, 2, nn__init_pick(&cfg->d.weight_init, &wi))) return nn_last_status();
  ws[1] = H;
  if (!nn__layer_param(l, "weight_hh_l0", ws, 2, nn__init_pick(&cfg->d.recurrent_init, &wh))) return nn_last_status();
  if (!cfg->d.no_bias) {
    b = nn__layer_param(l, "bias_ih_l0", &GH, 1, nn__init_pick(&cfg->d.bias_init, &bi));
    if (!b || !nn__layer_param(l, "bias_hh_l0", &GH, 1, nn__init_pick(&cfg->d.bias_init, &bh)))
      return nn_last_status();
    if (cfg->d.keras_init && cfg->mode == NN__RNN_LSTM && cfg->d.bias_init.kind == NN_INIT_DEFAULT) {
      int64_t j; /* Keras's unit_forget_bias: the forget gate starts open */
      for (j = H; j < 2 * H; j++) nn_set_flat(b, j, 1.0);
    }
  }
  out[0] = shape[0];
  out[1] = H;
  return cfg->d.return_sequences ? nn_layer_set_output_shape(l, out, 2) : nn_layer_set_output_shape(l, out + 1, 1);
}

/* Checks an initial state: (B, H) or (1, B, H) of the layer's dtype. */
NN__PRIVATE nn_status nn__rnn_check_state(const nn_layer *l, const char *fn, const char *arg, const nn_tensor *s,
                                          int64_t B, int64_t H) {
  char b1[160];
  if (!s) return NN_OK;
  if (nn__check_cpu(fn, s, arg) != NN_OK) return nn_last_status();
  if (!((s->ndim == 2 && s->shape[0] == B && s->shape[1] == H) ||
        (s->ndim == 3 && s->shape[0] == 1 && s->shape[1] == B && s->shape[2] == H)))
    return nn__fail(NN_ERR_SHAPE, "%s: %s '%s': %s must be (1, %lld, %lld) or (%lld, %lld), got shape %s", fn,
                    nn_layer_kind(l), l->name, arg, (long long)B, (long long)H, (long long)B, (long long)H,
                    nn__fmt_shape(b1, sizeof b1, s->shape, s->ndim));
  if (s->dtype != l->dtype)
    return nn__fail(NN_ERR_DTYPE, "%s: %s '%s': %s is %s but the layer is %s", fn, nn_layer_kind(l), l->name, arg,
                    nn_dtype_name(s->dtype), nn_dtype_name(l->dtype));
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__rnn_forward_layer(nn_layer *l, const nn_tensor *x) {
  return nn_rnn_forward(l, x, NULL, NULL, NULL, NULL);
}

static const nn_layer_ops nn__simple_rnn_ops = {"SimpleRNN", nn__rnn_build, nn__rnn_forward_layer, NULL};
static const nn_layer_ops nn__lstm_ops = {"LSTM", nn__rnn_build, nn__rnn_forward_layer, NULL};
static const nn_layer_ops nn__gru_ops = {"GRU", nn__rnn_build, nn__rnn_forward_layer, NULL};

NNDEF nn_tensor *nn_rnn_forward(nn_layer *l, const nn_tensor *x, const nn_tensor *h0, const nn_tensor *c0,
                                nn_tensor **h_n, nn_tensor **c_n) {
  const char *fn = "nn_rnn_forward";
  nn__rnn_cfg *cfg;
  nn_tensor *Z, *y = NULL, *hn = NULL, *cn = NULL;
  int64_t T, B, H, BH, shape[3], strides[3];
  int bf;
  if (h_n) *h_n = NULL;
  if (c_n) *c_n = NULL;
  if (!l) {
    nn__fail_null(fn, "l");
    return NULL;
  }
  if (l->ops != &nn__simple_rnn_ops && l->ops != &nn__lstm_ops && l->ops != &nn__gru_ops) {
    nn__fail(NN_ERR_ARG, "%s: %s '%s' is not a SimpleRNN, LSTM or GRU layer", fn, nn_layer_kind(l), l->name);
    return NULL;
  }
  cfg = (nn__rnn_cfg *)l->config;
  fn = nn__rnn_fn(cfg);
  if (nn__check_cpu(fn, x, "x") != NN_OK) return NULL;
  bf = cfg->d.batch_first;
  if (!l->built) {
    int64_t s[2];
    if (x->ndim != 3) {
      char b1[160];
      nn__fail(NN_ERR_SHAPE, "%s: %s '%s' expects a 3-D input %s, got shape %s", fn, nn_layer_kind(l), l->name,
               bf ? "(N, seq, features)" : "(seq, N, features)", nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim));
      return NULL;
    }
    s[0] = x->shape[bf ? 1 : 0];
    s[1] = x->shape[2];
    if (nn_layer_build(l, s, 2) != NN_OK) return NULL;
  }
  if (nn__layer_check_x(l, fn, x, 3, 3, bf ? "(N, seq, features)" : "(seq, N, features)") != NN_OK ||
      nn__layer_check_dim(l, fn, x, 2, cfg->in, "features") != NN_OK)
    return NULL;
  T = x->shape[bf ? 1 : 0];
  B = x->shape[bf ? 0 : 1];
  H = cfg->units;
  BH = B * H;
  if (T == 0) {
    nn__fail(NN_ERR_SHAPE, "%s: %s '%s' got an empty sequence (length 0)", fn, nn_layer_kind(l), l->name);
    return NULL;
  }
  if (c0 && cfg->mode != NN__RNN_LSTM) {
    nn__fail(NN_ERR_ARG, "%s: %s '%s' has no cell state; c0 must be NULL", fn, nn_layer_kind(l), l->name);
    return NULL;
  }
  if (nn__rnn_check_state(l, fn, "h0", h0, B, H) != NN_OK || nn__rnn_check_state(l, fn, "c0", c0, B, H) != NN_OK)
    return NULL;
  Z = nn__rnn_op(fn, cfg->mode, x, bf, h0, c0, l->params[0].tensor, l->params[1].tensor,
                 cfg->d.no_bias ? NULL : l->params[2].tensor, cfg->d.no_bias ? NULL : l->params[3].tensor);
  if (!Z) return NULL;
  if (cfg->d.return_sequences) {
    shape[0] = bf ? B : T;
    shape[1] = bf ? T : B;
    shape[2] = H;
    strides[0] = bf ? H : BH;
    strides[1] = bf ? BH : H;
    strides[2] = 1;
    y = nn__part(nn__rnn_opname(cfg->mode), Z, shape, strides, 3, BH);
    if (y && bf) {
      nn_tensor *yc = nn_contiguous(y);
      nn_free(y);
      y = yc;
    }
  } else {
    shape[0] = B;
    shape[1] = H;
    strides[0] = H;
    strides[1] = 1;
    y = nn__part(nn__rnn_opname(cfg->mode), Z, shape, strides, 2, T * BH);
  }
  shape[0] = 1;
  shape[1] = B;
  shape[2] = H;
  strides[0] = BH;
  strides[1] = H;
  strides[2] = 1;
  if (y && h_n) hn = nn__part(nn__rnn_opname(cfg->mode), Z, shape, strides, 3, T * BH);
  if (y && c_n && cfg->mode == NN__RNN_LSTM) cn = nn__part(nn__rnn_opname(cfg->mode), Z, shape, strides, 3, (T + 1) * BH);
  nn_free(Z);
  if (!y || (h_n && !hn) || (c_n && cfg->mode == NN__RNN_LSTM && !cn)) {
    nn_free(y);
    nn_free(hn);
    nn_free(cn);
    return NULL;
  }
  if (h_n) *h_n = hn;
  if (c_n) *c_n = cn;
  return y;
}

NN__PRIVATE nn_layer *nn__rnn_new(int lstm_gru, int64_t units, const nn_rnn_desc *desc) {
  const char *fn = lstm_gru == 1 ? "nn_lstm" : lstm_gru == 2 ? "nn_gru" : "nn_simple_rnn";
  nn_layer *l;
  nn__rnn_cfg *cfg;
  int mode = lstm_gru == 1 ? NN__RNN_LSTM : lstm_gru == 2 ? NN__RNN_GRU : NN__RNN_TANH;
  if (units <= 0) {
    nn__fail(NN_ERR_ARG, "%s: units must be positive, got %lld", fn, (long long)units);
    return NULL;
  }
  if (desc && nn__layer_dtype(fn, desc->dtype) != NN_OK) return NULL;
  if (desc && desc->activation != NN_ACT_NONE && desc->activation != NN_ACT_TANH &&
      (lstm_gru != 0 || desc->activation != NN_ACT_RELU)) {
    nn__fail(NN_ERR_ARG, "%s: activation must be tanh%s, got %s", fn, lstm_gru ? "" : " or relu",
             nn_activation_name(desc->activation));
    return NULL;
  }
  l = nn__layer_new(fn, lstm_gru == 1 ? &nn__lstm_ops : lstm_gru == 2 ? &nn__gru_ops : &nn__simple_rnn_ops,
                    sizeof(nn__rnn_cfg));
  if (!l) return NULL;
  cfg = (nn__rnn_cfg *)l->config;
  if (desc) cfg->d = *desc;
  if (mode == NN__RNN_TANH && cfg->d.activation == NN_ACT_RELU) mode = NN__RNN_RELU;
  cfg->mode = mode;
  cfg->units = units;
  l->dtype = cfg->d.dtype;
  l->batch_axis = cfg->d.batch_first ? 0 : 1;
  return l;
}

NNDEF nn_layer *nn_simple_rnn(int64_t units, const nn_rnn_desc *desc) { return nn__rnn_new(0, units, desc); }
NNDEF nn_layer *nn_lstm(int64_t units, const nn_rnn_desc *desc) { return nn__rnn_new(1, units, desc); }
NNDEF nn_layer *nn_gru(int64_t units, const nn_rnn_desc *desc) { return nn__rnn_new(2, units, desc); }

#endif /* NN_NO_RANDOM */
