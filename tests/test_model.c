/* tests/test_model.c: Sequential and graph models, compile/fit/evaluate/predict, callbacks, save/load/resume. */

/* Three Gaussian blobs in 12 dimensions: class k is shifted by +1.5 on features j with j % 3 == k. */
static void md_blobs(int64_t n, uint64_t seed, nn_tensor **x, nn_tensor **y) {
  nn_rng r;
  int64_t shp[2], i, j;
  shp[0] = n;
  shp[1] = 12;
  nn_rng_seed(&r, seed);
  *x = nn_randn(&r, shp, 2, NN_FLOAT32);
  *y = nn_empty(shp, 1, NN_INT64);
  for (i = 0; i < n; i++) {
    int64_t k = i % 3;
    nn_set_flat(*y, i, (double)k);
    for (j = 0; j < 12; j++) {
      int64_t ix[2];
      ix[0] = i;
      ix[1] = j;
      if (j % 3 == k) nn_set(*x, ix, nn_get(*x, ix) + 1.5);
    }
  }
}

static nn_model *md_mlp(void) {
  int64_t in[1] = {12};
  nn_model *m = nn_sequential(in, 1);
  nn_layers_manual_seed(5);
  nn_model_add(m, nn_dense(16, NN_ACT_RELU));
  nn_model_add(m, nn_dropout_layer(0.1));
  nn_model_add(m, nn_dense(3, NN_ACT_NONE));
  return m;
}

static int md_stop_at_3(nn_model *m, const nn_logs *lg, void *ctx) {
  (void)m;
  ++*(int *)ctx;
  return lg->epoch == 2;
}

static void test_model_sequential_fit(void) {
  nn_tensor *x, *y, *p;
  nn_model *m = md_mlp();
  nn_compile_desc c;
  nn_fit_desc f;
  nn_history *h;
  const char *names[8];
  double vals[8];
  int n, calls = 0;
  long live0;
  md_blobs(600, 1, &x, &y);
  CHECK(nn_model_num_layers(m) == 3);
  CHECK(nn_model_param_count(m) == 12 * 16 + 16 + 16 * 3 + 3);
  /* fit before compile is an error */
  CHECK_ERR(nn_model_fit(m, x, y, NULL) == NULL, NN_ERR_ARG);
  memset(&c, 0, sizeof c);
  c.metrics = NN_METRIC_ACCURACY | NN_METRIC_F1;
  c.learning_rate = 0.01;
  CHECK(nn_model_compile(m, &c) == NN_OK);
  memset(&f, 0, sizeof f);
  f.epochs = 6;
  f.batch_size = 50;
  f.validation_split = 0.25;
  f.verbose = -1;
  f.seed = 3;
  f.on_epoch_end = md_stop_at_3;
  f.callback_ctx = &calls;
  h = nn_model_fit(m, x, y, &f);
  CHECK(h != NULL);
  nn_history_free(h);
  /* a second run leaves nothing behind either (the first one created the optimizer's state) */
  live0 = nn_live_tensors();
  h = nn_model_fit(m, x, y, &f);
  CHECK(h != NULL);
  CHECK(nn_live_tensors() == live0);
  CHECK(calls == 6 && h && h->epochs == 3);
  CHECK(nn_history_get(h, "accuracy", -1) > 0.85);
  CHECK(nn_history_get(h, "val_accuracy", -1) > 0.85);
  CHECK(nn_history_get(h, "val_f1", -1) > 0.85);
  CHECK(nn_history_get(h, "loss", 2) < nn_history_get(h, "loss", 0));
  CHECK_NEAR(nn_history_get(h, "lr", 0), 0.01, 1e-12);
  nn_history_free(h);
  n = nn_model_evaluate(m, x, y, 64, names, vals, 8);
  CHECK(n == 3 && strcmp(names[0], "loss") == 0 && strcmp(names[1], "accuracy") == 0);
  CHECK(n == 3 && vals[1] > 0.85);
  p = nn_model_predict(m, x, 64);
  CHECK(p && p->ndim == 2 && p->shape[0] == 600 && p->shape[1] == 3);
  CHECK_NEAR(nn_accuracy(p, y), vals[1], 1e-12);
  /* bad input */
  CHECK_ERR(nn_model_fit(m, nn_slice(x, 1, 0, 5, 1), y, &f) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "samples of shape (12,)") != NULL);
  CHECK_ERR(nn_model_fit(m, x, nn_slice(y, 0, 0, 10, 1), &f) == NULL, NN_ERR_SHAPE);
  {
    nn_fit_desc g = f;
    g.validation_split = 1.5;
    CHECK_ERR(nn_model_fit(m, x, y, &g) == NULL, NN_ERR_ARG);
  }
  nn_model_free(m);
  /* a label out of range names the label */
  m = md_mlp();
  nn_model_compile(m, NULL);
  nn_set_flat(y, 7, 3.0);
  f.on_epoch_end = NULL;
  CHECK(nn_model_fit(m, x, y, &f) == NULL);
  CHECK(strstr(nn_error(), "label 3") != NULL);
  /* a NaN in the data makes the loss NaN: a clear error */
  nn_set_flat(y, 7, 1.0);
  nn_set_flat(x, 0, NAN);
  f.no_shuffle = 1;
  f.validation_split = 0;
  CHECK_ERR(nn_model_fit(m, x, y, &f) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "loss became nan at epoch 1, batch 1") != NULL);
  nn_model_free(m);
}

static void test_model_graph(void) {
  /* input -> dense(12) -> add(input) -> dense(3), plus a concatenated branch */
  int64_t in[1] = {12};
  nn_model *m = nn_graph_model();
  int i0 = nn_graph_input(m, in, 1), a, s, b, cat, o, ids[2];
  nn_tensor *x, *y, *p;
  nn_compile_desc c;
  nn_fit_desc f;
  nn_history *h;
  a = nn_graph_layer(m, nn_dense(12, NN_ACT_TANH), i0);
  ids[0] = a;
  ids[1] = i0;
  s = nn_graph_add(m, ids, 2);
  b = nn_graph_layer(m, nn_dense(4, NN_ACT_RELU), s);
  ids[0] = s;
  ids[1] = b;
  cat = nn_graph_concatenate(m, ids, 2, 0);
  o = nn_graph_layer(m, nn_dense(3, NN_ACT_NONE), cat);
  CHECK(i0 == 0 && a == 1 && s == 2 && b == 3 && cat == 4 && o == 5);
  ids[1] = b;
  ids[0] = i0;
  CHECK_ERR(nn_graph_add(m, ids, 2) < 0, NN_ERR_SHAPE); /* (12) + (4) */
  CHECK_ERR(nn_graph_layer(m, nn_dense(3, NN_ACT_NONE), 99) < 0, NN_ERR_INDEX);
  CHECK(nn_graph_output(m, o) == NN_OK);
  md_blobs(300, 2, &x, &y);
  memset(&c, 0, sizeof c);
  c.metrics = NN_METRIC_ACCURACY;
  c.learning_rate = 0.02;
  CHECK(nn_model_compile(m, &c) == NN_OK);
  memset(&f, 0, sizeof f);
  f.epochs = 5;
  f.verbose = -1;
  h = nn_model_fit(m, x, y, &f);
  CHECK(h && nn_history_get(h, "accuracy", -1) > 0.85);
  nn_history_free(h);
  p = nn_model_forward(m, x);
  CHECK(p && p->shape[1] == 3 && p->requires_grad);
  {
    FILE *sf = fopen("build/test_summary.txt", "w");
    CHECK(sf && nn_model_summary(m, sf) == NN_OK);
    if (sf) fclose(sf);
  }
  nn_model_free(m);
}

static int md_same_bits(const nn_tensor *a, const nn_tensor *b) {
  nn_tensor *ca = nn_contiguous(a), *cb = nn_contiguous(b);
  int ok = ca && cb && ca->size == cb->size && ca->dtype == cb->dtype &&
           memcmp(ca->data, cb->data, (size_t)ca->size * nn_dtype_size(ca->dtype)) == 0;
  nn_free(ca);
  nn_free(cb);
  return ok;
}

/* A convolution with ReLU followed by max pooling runs as convolution, pooling, ReLU inside the model: the outputs
   and gradients must equal those of the ops in PyTorch's order, bit for bit, on inputs full of ties and zeros. Run
   with the kernels of every instruction set the CPU has (the fused op needs the direct kernels: AVX2 or AVX-512). */
static void test_model_conv_relu_pool(void) {
  int64_t in[3] = {2, 9, 10}, xs[4] = {3, 2, 9, 10};
  int v, sq, k, t, ps;
  for (v = 0; v < 12; v++) {
    /* instruction set 2 - v / 4 (AVX-512, AVX2, portable C; skipped when the CPU lacks it); graph or Sequential
       model; pooling with stride 1, or 2 (the fused op) */
    nn_model *m;
    nn_conv_layer_desc d;
    nn_pool_desc pd;
    nn_tensor *x, *w, *b, *out, *ref = NULL, *r, *loss, *lref = NULL, *gw = NULL, *gb = NULL, *gx = NULL;
    nn_layer *cl;
    if (nn__gemm_set_isa(2 - v / 4) != 2 - v / 4) continue;
    sq = v % 4;
    ps = sq < 2 ? 1 : 2;
    m = sq % 2 ? nn_sequential(in, 3) : nn_graph_model();
    memset(&d, 0, sizeof d);
    memset(&pd, 0, sizeof pd);
    d.activation = NN_ACT_RELU;
    d.padding[1] = 1;
    pd.stride[0] = pd.stride[1] = ps; /* stride 1: overlapping 2x2 windows, more ties */
    cl = nn_conv2d_layer(3, 3, 3, &d);
    if (sq % 2) {
      nn_model_add(m, cl);
      nn_model_add(m, nn_max_pool2d_layer(2, 2, &pd));
    } else {
      int i0 = nn_graph_input(m, in, 3), c = nn_graph_layer(m, cl, i0);
      nn_graph_output(m, nn_graph_layer(m, nn_max_pool2d_layer(2, 2, &pd), c));
    }
    nn_scope_begin();
    x = nn_empty(xs, 4, NN_FLOAT32);
    for (k = 0; k < x->size; k++) nn_set_flat(x, k, (double)((k * 7) % 5 - 2) * 0.5); /* -1 .. 1 by halves */
    if (sq % 2 == 0) nn_requires_grad(x, 1); /* the graph models also give dx */
    out = nn_model_forward(m, x); /* builds the layer */
    w = nn_layer_param(cl, 0);
    b = nn_layer_param(cl, 1);
    CHECK(out && w && b);
    if (!out || !w || !b) {
      nn_scope_end();
      nn_model_free(m);
      continue;
    }
    for (k = 0; k < w->size; k++) nn_set_flat(w, k, (double)((k * 3) % 4 - 1));
    for (k = 0; k < b->size; k++) nn_set_flat(b, k, (double)(k % 2) - 0.5);
    for (t = 0; t < 2; t++) {
      nn_zero_grad(w);
      nn_zero_grad(b);
      nn_zero_grad(x);
      if (t == 0) {
        out = nn_model_forward(m, x);
      } else {
        nn_tensor *y;
        nn_conv_params cp;
        memset(&cp, 0, sizeof cp);
        cp.padding[1] = 1;
        y = nn_conv2d(x, w, b, &cp);
        cp.padding[1] = 0;
        cp.stride[0] = cp.stride[1] = ps;
        out = nn_max_pool2d(nn_relu(y), 2, 2, &cp, NULL);
      }
      r = nn_reshape(nn_arange(0, (double)out->size, 1, NN_FLOAT32), out->shape, out->ndim);
      loss = nn_sum(nn_mul(out, nn_sin(r)), NN_ALL_AXES, 0);
      CHECK(loss && nn_backward(loss, NULL) == NN_OK);
      if (t == 0) {
        ref = nn_copy(out);
        lref = nn_copy(loss);
        gw = nn_copy(nn_grad(w));
        gb = nn_copy(nn_grad(b));
        gx = sq % 2 == 0 ? nn_copy(nn_grad(x)) : NULL;
      } else {
        CHECK(md_same_bits(ref, out) && md_same_bits(lref, loss));
        CHECK(md_same_bits(gw, nn_grad(w)) && md_same_bits(gb, nn_grad(b)));
        CHECK(sq % 2 || md_same_bits(gx, nn_grad(x)));
      }
    }
    nn_scope_end();
    nn_model_free(m);
  }
  nn__gemm_set_isa(-1);
}

static void test_model_save_load(void) {
  const char *path = "build/test_model.safetensors", *wpath = "build/test_weights.safetensors";
  nn_tensor *x, *y, *p1, *p2, *q1, *q2;
  nn_model *m = md_mlp(), *m2, *m3;
  nn_compile_desc c;
  nn_fit_desc f;
  nn_history *h;
  int i, np;
  md_blobs(300, 4, &x, &y);
  memset(&c, 0, sizeof c);
  c.metrics = NN_METRIC_ACCURACY;
  CHECK(nn_model_compile(m, &c) == NN_OK);
  memset(&f, 0, sizeof f);
  f.epochs = 2;
  f.verbose = -1;
  f.seed = 9;
  nn_history_free(nn_model_fit(m, x, y, &f));
  CHECK(nn_model_save(m, path) == NN_OK);
  m2 = nn_model_load(path);
  CHECK(m2 != NULL);
  if (!m2) {
    NT_FAIL("%s", nn_error());
    nn_model_free(m);
    return;
  }
  p1 = nn_model_predict(m, x, 0);
  p2 = nn_model_predict(m2, x, 0);
  CHECK(p1 && p2 && nn_sum_all(nn_abs(nn_sub(p1, p2))) == 0.0);
  /* resuming: one more epoch on both gives identical weights (optimizer state and step counts were saved) */
  nn_set_flat(x, 0, nn_get_flat(x, 0)); /* same data */
  h = nn_model_fit(m, x, y, &f);
  nn_history_free(h);
  h = nn_model_fit(m2, x, y, &f);
  nn_history_free(h);
  np = nn_model_params(m, NULL, 0);
  CHECK(np == nn_model_params(m2, NULL, 0));
  for (i = 0; i < np; i++) {
    nn_tensor *a[8], *b[8];
    nn_model_params(m, a, 8);
    nn_model_params(m2, b, 8);
    CHECK(nn_sum_all(nn_abs(nn_sub(a[i], b[i]))) == 0.0);
  }
  /* weights only */
  CHECK(nn_model_save_weights(m, wpath) == NN_OK);
  m3 = md_mlp();
  CHECK(nn_model_load_weights(m3, wpath) == NN_OK);
  q1 = nn_model_predict(m, x, 0);
  q2 = nn_model_predict(m3, x, 0);
  CHECK(q1 && q2 && nn_sum_all(nn_abs(nn_sub(q1, q2))) == 0.0);
  /* mismatches and hostile files are errors */
  {
    int64_t in[1] = {12};
    nn_model *w = nn_sequential(in, 1);
    nn_model_add(w, nn_dense(17, NN_ACT_RELU));
    nn_model_add(w, nn_dense(3, NN_ACT_NONE));
    CHECK_ERR(nn_model_load_weights(w, wpath) != NN_OK, NN_ERR_SHAPE);
    CHECK(strstr(nn_error(), "0.weight") != NULL);
    nn_model_free(w);
  }
  CHECK_ERR(nn_model_load(wpath) == NULL, NN_ERR_FORMAT);
  CHECK_ERR(nn_model_load("build/does-not-exist.safetensors") == NULL, NN_ERR_IO);
  {
    FILE *in = fopen(path, "rb"), *out;
    static unsigned char buf[1 << 16];
    size_t n = in ? fread(buf, 1, sizeof buf, in) : 0, cut;
    if (in) fclose(in);
    for (cut = 0; cut < n; cut += n / 23 + 1) { /* truncated copies */
      nn_model *t;
      out = fopen("build/test_model_cut.safetensors", "wb");
      if (!out) break;
      fwrite(buf, 1, cut, out);
      fclose(out);
      t = nn_model_load("build/test_model_cut.safetensors");
      CHECK(t == NULL);
      nn_model_free(t);
    }
  }
  nn_model_free(m);
  nn_model_free(m2);
  nn_model_free(m3);
}

static void test_model_early_stopping(void) {
  nn_tensor *x, *y;
  nn_model *m = md_mlp();
  nn_compile_desc c;
  nn_fit_desc f;
  nn_history *h;
  FILE *ck;
  md_blobs(150, 6, &x, &y);
  memset(&c, 0, sizeof c);
  c.learning_rate = 1e-9; /* nothing improves */
  nn_model_compile(m, &c);
  memset(&f, 0, sizeof f);
  f.epochs = 20;
  f.verbose = -1;
  f.validation_split = 0.2;
  f.patience = 2;
  f.min_delta = 0.1;
  f.restore_best_weights = 1;
  f.checkpoint_path = "build/test_ckpt.safetensors";
  remove(f.checkpoint_path);
  h = nn_model_fit(m, x, y, &f);
  CHECK(h && h->epochs == 3);
  ck = fopen(f.checkpoint_path, "rb");
  CHECK(ck != NULL);
  if (ck) fclose(ck);
  nn_history_free(h);
  nn_model_free(m);
}

/* The loader: every sample once per epoch, the ragged last batch, a new order each epoch, the same batches for the
   same seed, views without shuffling, augmentation that never writes into x, and errors for bad input. */
static void test_model_loader(void) {
  int64_t xs[2] = {10, 3}, is[4] = {5, 1, 4, 4}, i, k;
  nn_tensor *x = nn_reshape(nn_arange(0, 30, 1, NN_FLOAT32), xs, 2), *y = nn_arange(0, 10, 1, NN_INT64);
  nn_tensor *img = nn_reshape(nn_arange(0, 80, 1, NN_FLOAT32), is, 4), *xb, *yb, *first = NULL;
  nn_loader_desc d;
  nn_loader *l, *l2;
  int seen[10], sizes[4], nb, r, e, same_order = 1;
  long live = nn_live_tensors();
  memset(&d, 0, sizeof d);
  d.batch_size = 4;
  d.shuffle = 1;
  d.seed = 7;
  l = nn_loader_new(x, y, &d);
  l2 = nn_loader_new(x, y, &d);
  CHECK(l && l2 && nn_loader_batches(l) == 3);
  for (e = 0; l && l2 && e < 2; e++) {
    memset(seen, 0, sizeof seen);
    nb = 0;
    nn_scope_begin();
    while ((r = nn_loader_next(l, &xb, &yb)) == 1 && nb < 4) {
      sizes[nb++] = (int)xb->shape[0];
      for (i = 0; i < xb->shape[0]; i++) {
        k = (int64_t)nn_get_flat(yb, i);
        if (k >= 0 && k < 10) seen[k]++;
        CHECK(nn_get_flat(xb, i * 3 + 2) == (double)(3 * k + 2)); /* rows stay with their targets */
      }
      if (e == 0 && nb == 1) first = nn_keep(nn_copy(yb));
      if (e == 1 && nb == 1 && first) {
        int64_t z[1] = {0};
        same_order = nn_get(yb, z) == nn_get(first, z) && nn_get_flat(yb, 1) == nn_get_flat(first, 1);
      }
    }
    CHECK(r == 0 && nb == 3 && sizes[0] == 4 && sizes[1] == 4 && sizes[2] == 2);
    for (i = 0; i < 10; i++) CHECK(seen[i] == 1);
    nn_scope_end();
  }
  CHECK(!same_order); /* a fresh permutation each epoch */
  nn_scope_begin();
  CHECK(l2 && nn_loader_next(l2, &xb, &yb) == 1 && first && nn_get_flat(yb, 0) == nn_get_flat(first, 0) &&
        nn_get_flat(yb, 3) == nn_get_flat(first, 3)); /* the same seed gives the same batches */
  nn_scope_end();
  nn_free(first);
  nn_loader_free(l);
  nn_loader_free(l2);
  /* targets that nobody asks for are not left behind */
  d.shuffle = 0;
  l = nn_loader_new(x, y, &d);
  {
    long before = nn_live_tensors();
    CHECK(l && nn_loader_next(l, &xb, NULL) == 1);
    nn_free(xb);
    CHECK(nn_live_tensors() == before);
  }
  nn_loader_free(l);
  /* in order, drop_last, no targets: views of x */
  d.shuffle = 0;
  d.drop_last = 1;
  l = nn_loader_new(x, NULL, &d);
  CHECK(l && nn_loader_batches(l) == 2);
  nn_scope_begin();
  CHECK(l && nn_loader_next(l, &xb, &yb) == 1 && yb == NULL && xb->data == x->data);
  CHECK(l && nn_loader_next(l, &xb, NULL) == 1 && nn_get_flat(xb, 0) == 12);
  CHECK(l && nn_loader_next(l, &xb, NULL) == 0 && xb == NULL);
  CHECK(l && nn_loader_next(l, &xb, NULL) == 1 && nn_get_flat(xb, 0) == 0); /* the next epoch */
  nn_loader_reset(l);
  CHECK(l && nn_loader_next(l, &xb, NULL) == 1 && nn_get_flat(xb, 0) == 0);
  nn_scope_end();
  nn_loader_free(l);
  /* flips: each image is itself or its mirror, and x is unchanged */
  memset(&d, 0, sizeof d);
  d.batch_size = 5;
  d.augment_flip = 1;
  d.seed = 3;
  l = nn_loader_new(img, NULL, &d);
  nn_scope_begin();
  CHECK(l && nn_loader_next(l, &xb, NULL) == 1 && xb->data != img->data);
  for (k = 0; l && xb && k < 5; k++) {
    int plain = 1, mirror = 1;
    for (i = 0; i < 16; i++) {
      double v = nn_get_flat(xb, k * 16 + i);
      plain &= v == (double)(k * 16 + i);
      mirror &= v == (double)(k * 16 + (i / 4) * 4 + 3 - i % 4);
    }
    CHECK(plain || mirror);
  }
  for (i = 0; i < 80; i++) CHECK(nn_get_flat(img, i) == (double)i);
  nn_scope_end();
  nn_loader_free(l);
  /* errors */
  CHECK_ERR(nn_loader_new(NULL, y, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_loader_new(x, img, NULL) == NULL, NN_ERR_SHAPE);
  d.batch_size = -1;
  CHECK_ERR(nn_loader_new(x, y, &d) == NULL, NN_ERR_ARG);
  d.batch_size = 2;
  CHECK_ERR(nn_loader_new(x, y, &d) == NULL, NN_ERR_ARG); /* flips of rows that are not images */
  CHECK_ERR(nn_loader_next(NULL, &xb, &yb) == -1, NN_ERR_NULL);
  nn_free(x);
  nn_free(y);
  nn_free(img);
  CHECK(nn_live_tensors() == live - 3);
}

static void tests_model(void) {
  RUN(test_model_loader);
  RUN(test_model_sequential_fit);
  RUN(test_model_graph);
  RUN(test_model_conv_relu_pool);
  RUN(test_model_save_load);
  RUN(test_model_early_stopping);
}
