/* nn/fit.c: compile, fit, evaluate and predict (Keras semantics: shuffled mini-batches with a ragged last batch,
   validation split from the end of the data, running means in the progress bar, early stopping, best-only
   checkpoints, learning-rate schedules, per-batch and per-epoch callbacks). Every step runs inside a scope: the
   batch, the graph and all temporaries are gone when the step ends. */

/* The compiled optimizer over params; the desc's zeros mean PyTorch's defaults (NN_ZERO is an explicit zero). */
NN__PRIVATE nn_optimizer *nn__model_make_optimizer(const nn_compile_desc *d, nn_tensor **params, int np) {
  const char *name = d->optimizer ? d->optimizer : "adam";
  if (strcmp(name, "adam") == 0 || strcmp(name, "adamw") == 0) {
    nn_adam_desc a;
    memset(&a, 0, sizeof a);
    a.lr = d->learning_rate;
    a.beta1 = d->beta1;
    a.beta2 = d->beta2;
    a.eps = d->eps;
    a.weight_decay = d->weight_decay;
    return name[4] ? nn_optimizer_adamw(params, np, &a) : nn_optimizer_adam(params, np, &a);
  }
  if (strcmp(name, "sgd") == 0) {
    nn_sgd_desc s;
    memset(&s, 0, sizeof s);
    s.lr = d->learning_rate > 0 ? d->learning_rate : 1e-2; /* Keras's SGD default; PyTorch has none */
    s.momentum = d->momentum;
    s.nesterov = d->nesterov;
    s.weight_decay = d->weight_decay;
    return nn_optimizer_sgd(params, np, &s);
  }
  if (strcmp(name, "rmsprop") == 0) {
    nn_rmsprop_desc r;
    memset(&r, 0, sizeof r);
    r.lr = d->learning_rate;
    r.momentum = d->momentum;
    r.eps = d->eps;
    r.weight_decay = d->weight_decay;
    return nn_optimizer_rmsprop(params, np, &r);
  }
  if (strcmp(name, "adagrad") == 0) {
    nn_adagrad_desc g;
    memset(&g, 0, sizeof g);
    g.lr = d->learning_rate;
    g.eps = d->eps;
    g.weight_decay = d->weight_decay;
    return nn_optimizer_adagrad(params, np, &g);
  }
  nn__fail(NN_ERR_ARG, "nn_model_compile: unknown optimizer '%s' (adam, adamw, sgd, rmsprop, adagrad)", name);
  return NULL;
}

/* Every trainable parameter of m in a new array (NN_FREE it), the count in *n; NULL with an error when out of memory. */
NN__PRIVATE nn_tensor **nn__model_param_array(const nn_model *m, const char *op, int *n) {
  nn_tensor **ps;
  *n = nn_model_params(m, NULL, 0);
  ps = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)(*n > 0 ? *n : 1));
  if (!ps) {
    nn__fail(NN_ERR_OOM, "%s: out of memory", op);
    return NULL;
  }
  nn_model_params(m, ps, *n);
  return ps;
}

NNDEF nn_status nn_model_compile(nn_model *m, const nn_compile_desc *desc) {
  nn_compile_desc d;
  nn_tensor **params;
  int np;
  if (!m) return nn__fail_null("nn_model_compile", "m");
  if (m->output < 0) return nn__fail(NN_ERR_ARG, "nn_model_compile: the model has no output yet (nn_graph_output)");
  if (desc) d = *desc;
  else memset(&d, 0, sizeof d);
  if ((int)d.loss < 0 || d.loss >= NN_LOSS_KIND_COUNT)
    return nn__fail(NN_ERR_ARG, "nn_model_compile: invalid loss %d", (int)d.loss);
  if (d.learning_rate < 0 || d.clipnorm < 0 || d.clipvalue < 0 || d.label_smoothing < 0 || d.label_smoothing > 1)
    return nn__fail(NN_ERR_ARG, "nn_model_compile: negative learning rate, clip value or label smoothing out of [0, 1]");
  params = nn__model_param_array(m, "nn_model_compile", &np);
  if (!params) return nn_last_status();
  nn_optimizer_free(m->opt);
  m->opt = nn__model_make_optimizer(&d, params, np);
  NN_FREE(params);
  if (!m->opt) return nn_last_status();
  m->cdesc = d;
  m->compiled = 1;
  return NN_OK;
}

NNDEF nn_optimizer *nn_model_optimizer(nn_model *m) { return m ? m->opt : NULL; }

/* ---- losses and metrics ---- */

/* The compiled loss of a batch: a 0-d tensor (differentiable) or NULL. cw: class weights tensor or NULL. */
NN__PRIVATE nn_tensor *nn__model_loss(const nn_model *m, const nn_tensor *out, const nn_tensor *y, const nn_tensor *cw) {
  const nn_compile_desc *d = &m->cdesc;
  switch (d->loss) {
    case NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
      if (d->from_probabilities) { /* Keras from_logits=False: log of the clamped probabilities */
        nn_tensor *lp = nn_log(nn_clip(out, 1e-7, 1.0 - 1e-7));
        return lp ? nn_nll_loss(lp, y, cw, NN_IGNORE_INDEX, NN_REDUCTION_MEAN) : NULL;
      }
      return nn_cross_entropy_ex(out, y, cw, NN_IGNORE_INDEX, d->label_smoothing, NN_REDUCTION_MEAN);
    case NN_LOSS_CATEGORICAL_CROSSENTROPY:
      if (d->from_probabilities) {
        nn_tensor *lp = nn_log(nn_clip(out, 1e-7, 1.0 - 1e-7)), *t = lp ? nn_mul(lp, y) : NULL;
        nn_tensor *s = t ? nn_sum(t, -1, 0) : NULL;
        return s ? nn_neg(nn_mean(s, NN_ALL_AXES, 0)) : NULL;
      }
      return nn_cross_entropy_probs(out, y, cw, d->label_smoothing, NN_REDUCTION_MEAN);
    case NN_LOSS_BINARY_CROSSENTROPY:
      if (d->from_probabilities) return nn_binary_cross_entropy(out, y, NULL, NN_REDUCTION_MEAN);
      return nn_binary_cross_entropy_with_logits(out, y, NULL, NULL, NN_REDUCTION_MEAN);
    case NN_LOSS_MSE: return nn_mse_loss(out, y, NN_REDUCTION_MEAN);
    case NN_LOSS_MAE: return nn_l1_loss(out, y, NN_REDUCTION_MEAN);
    default: return nn_huber_loss(out, y, NN_REDUCTION_MEAN, d->huber_delta > 0 ? d->huber_delta : 1.0);
  }
}

/* Running sums of the compiled metrics over an epoch or an evaluation. */
typedef struct nn__macc {
  double loss_sum;
  int64_t n, hits, top5;
  double se, ae;
  int64_t nel; /* elements seen by the regression metrics */
  int64_t *cm, C;
} nn__macc;

NN__PRIVATE int nn__is_classifier_metrics(unsigned want) {
  return (want & (NN_METRIC_ACCURACY | NN_METRIC_TOP5_ACCURACY | NN_METRIC_PRECISION | NN_METRIC_RECALL |
                  NN_METRIC_F1)) != 0;
}

NN__PRIVATE int nn__model_is_classifier(const nn_model *m) {
  return m->cdesc.loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY || m->cdesc.loss == NN_LOSS_CATEGORICAL_CROSSENTROPY ||
         m->cdesc.loss == NN_LOSS_BINARY_CROSSENTROPY;
}

/* Adds a batch: out (N, ...) predictions, y targets, loss its mean loss. */
NN__PRIVATE nn_status nn__macc_add(nn__macc *a, const nn_model *m, const nn_tensor *out, const nn_tensor *y,
                                   double loss) {
  unsigned want = m->cdesc.metrics;
  int64_t n = out->shape[0], i, j;
  a->loss_sum += loss * (double)n;
  a->n += n;
  if (want & (NN_METRIC_MSE | NN_METRIC_MAE)) {
    if (nn__is_float(y->dtype) && y->size == out->size) {
      const nn_tensor *yy = y;
      nn_tensor *r = NULL;
      if (y->ndim != out->ndim) yy = r = nn_reshape(y, out->shape, out->ndim);
      if (yy) {
        a->se += nn_mean_squared_error(out, yy) * (double)out->size;
        a->ae += nn_mean_absolute_error(out, yy) * (double)out->size;
        a->nel += out->size;
      }
      nn_free(r);
    }
  }
  if (!nn__is_classifier_metrics(want) || !nn__model_is_classifier(m)) return NN_OK;
  {
    int binary = m->cdesc.loss == NN_LOSS_BINARY_CROSSENTROPY;
    int64_t C = binary ? 2 : out->ndim == 2 ? out->shape[1] : 0;
    double thr = m->cdesc.from_probabilities ? 0.5 : 0.0; /* logits: sigmoid(x) > 0.5 <=> x > 0 */
    if (C < 2) return NN_OK;
    if (!a->cm) {
      a->cm = (int64_t *)NN_MALLOC(sizeof(int64_t) * (size_t)(C * C));
      if (!a->cm) return nn__fail(NN_ERR_OOM, "nn_model_fit: out of memory");
      memset(a->cm, 0, sizeof(int64_t) * (size_t)(C * C));
      a->C = C;
    }
    if (a->C != C) return NN_OK;
    for (i = 0; i < n; i++) {
      int64_t t, p = 0, better = 0;
      double best = -INFINITY, sy;
      if (binary) {
        t = nn_get_flat(y, i) > 0.5;
        p = nn_get_flat(out, i) > thr;
        a->hits += p == t;
        a->top5 += 1;
      } else {
        const char *row = (const char *)out->data + i * out->strides[0] * (int64_t)nn_dtype_size(out->dtype);
        int64_t cs = out->strides[1] * (int64_t)nn_dtype_size(out->dtype);
        if (y->ndim == 2) { /* one-hot / probability targets: the largest is the label */
          double tb = -INFINITY;
          t = 0;
          for (j = 0; j < C; j++) {
            int64_t idx[2];
            double v;
            idx[0] = i;
            idx[1] = j;
            v = nn_get(y, idx);
            if (v > tb) tb = v, t = j;
          }
        } else {
          t = (int64_t)nn_get_flat(y, i);
        }
        if (t < 0 || t >= C) continue;
        for (j = 0; j < C; j++) {
          double v = nn__load(out->dtype, row + j * cs);
          if (v > best) best = v, p = j;
        }
        sy = nn__load(out->dtype, row + t * cs);
        for (j = 0; j < C; j++) better += nn__load(out->dtype, row + j * cs) > sy;
        a->hits += p == t;
        a->top5 += better < 5;
      }
      a->cm[t * C + p]++;
    }
  }
  return NN_OK;
}

/* Names and values of the metrics so far (prefix "val_" for validation); returns how many. */
NN__PRIVATE int nn__macc_report(const nn__macc *a, const nn_model *m, const char *prefix, char names[][40],
                                double *values, int at) {
  unsigned want = m->cdesc.metrics;
  double nn_ = a->n > 0 ? (double)a->n : NAN;
  int k = at;
#define NN__PUT(NAME, V)                                             \
  do {                                                               \
    snprintf(names[k], 40, "%s%s", prefix, NAME);                    \
    values[k++] = (V);                                               \
  } while (0)
  NN__PUT("loss", a->loss_sum / nn_);
  if (nn__model_is_classifier(m)) {
    if (want & NN_METRIC_ACCURACY) NN__PUT("accuracy", (double)a->hits / nn_);
    if ((want & NN_METRIC_TOP5_ACCURACY) && m->cdesc.loss != NN_LOSS_BINARY_CROSSENTROPY)
      NN__PUT("top5_accuracy", (double)a->top5 / nn_);
    if (want & (NN_METRIC_PRECISION | NN_METRIC_RECALL | NN_METRIC_F1)) {
      double P = 0, R = 0, F = 0;
      int64_t C = a->C, c, j;
      int binary = m->cdesc.loss == NN_LOSS_BINARY_CROSSENTROPY;
      for (c = binary ? 1 : 0; a->cm && c < C; c++) {
        double tp = (double)a->cm[c * C + c], fp = 0, fn = 0, p, r;
        for (j = 0; j < C; j++)
          if (j != c) fp += (double)a->cm[j * C + c], fn += (double)a->cm[c * C + j];
        p = tp + fp > 0 ? tp / (tp + fp) : 0;
        r = tp + fn > 0 ? tp / (tp + fn) : 0;
        P += p;
        R += r;
        F += p + r > 0 ? 2 * p * r / (p + r) : 0;
      }
      if (!binary && C > 0) P /= (double)C, R /= (double)C, F /= (double)C;
      if (want & NN_METRIC_PRECISION) NN__PUT("precision", P);
      if (want & NN_METRIC_RECALL) NN__PUT("recall", R);
      if (want & NN_METRIC_F1) NN__PUT("f1", F);
    }
  }
  if (want & NN_METRIC_MSE) NN__PUT("mse", a->nel > 0 ? a->se / (double)a->nel : NAN);
  if (want & NN_METRIC_MAE) NN__PUT("mae", a->nel > 0 ? a->ae / (double)a->nel : NAN);
#undef NN__PUT
  return k - at;
}

/* ---- checks shared by fit, evaluate and predict ---- */

NN__PRIVATE nn_status nn__model_check_data(const char *op, const nn_model *m, const nn_tensor *x, const nn_tensor *y) {
  const nn__mnode *in;
  int k, ok;
  char b1[96], b2[96];
  if (!m) return nn__fail_null(op, "m");
  if (m->output < 0) return nn__fail(NN_ERR_ARG, "%s: the model has no output yet (nn_graph_output)", op);
  if (m->ninputs != 1) return nn__fail(NN_ERR_ARG, "%s: the model takes %d inputs; use nn_model_forward_multi", op, m->ninputs);
  if (nn__check_cpu(op, x, "x") != NN_OK) return nn_last_status();
  in = &m->nodes[m->inputs[0]];
  ok = x->ndim == in->ndim + 1;
  for (k = 0; ok && k < in->ndim; k++) ok = in->shape[k] < 0 || in->shape[k] == x->shape[k + 1];
  if (!ok)
    return nn__fail(NN_ERR_SHAPE, "%s: x has shape %s but the model takes samples of shape %s", op,
                    nn_shape_str(x, b1, sizeof b1), nn__fmt_shape(b2, sizeof b2, in->shape, in->ndim));
  if (y) {
    if (nn__check_cpu(op, y, "y") != NN_OK) return nn_last_status();
    if (y->ndim < 1 || y->shape[0] != x->shape[0])
      return nn__fail(NN_ERR_SHAPE, "%s: x has %lld samples but y has shape %s", op, (long long)x->shape[0],
                      nn_shape_str(y, b1, sizeof b1));
  }
  return NN_OK;
}

NNDEF int nn_model_evaluate(nn_model *m, const nn_tensor *x, const nn_tensor *y, int64_t batch_size,
                            const char **names, double *values, int cap) {
  static char keep[32][40]; /* names handed out to the caller: static storage, valid until the next call */
  char nm[32][40];
  double vals[32];
  nn__macc acc;
  int64_t N, b;
  int count, i, was_training;
  if (nn__model_check_data("nn_model_evaluate", m, x, y) != NN_OK) return -1;
  if (!y) {
    nn__fail_null("nn_model_evaluate", "y");
    return -1;
  }
  if (!m->compiled) {
    nn__fail(NN_ERR_ARG, "nn_model_evaluate: compile the model first (nn_model_compile)");
    return -1;
  }
  if (batch_size <= 0) batch_size = 32;
  memset(&acc, 0, sizeof acc);
  N = x->shape[0];
  was_training = m->training;
  nn_model_set_training(m, 0);
  nn_no_grad_begin();
  for (b = 0; b < N; b += batch_size) {
    int64_t e = b + batch_size < N ? b + batch_size : N;
    nn_tensor *xb, *yb, *out, *loss;
    nn_status st = NN_OK;
    nn_scope_begin();
    xb = nn_slice(x, 0, b, e, 1);
    yb = nn_slice(y, 0, b, e, 1);
    out = xb && yb ? nn_model_forward(m, xb) : NULL;
    loss = out ? nn__model_loss(m, out, yb, NULL) : NULL;
    if (!loss) st = nn_last_status() != NN_OK ? nn_last_status() : NN_ERR_ARG;
    else st = nn__macc_add(&acc, m, out, yb, nn_item(loss));
    nn_scope_end();
    if (st != NN_OK) {
      nn_no_grad_end();
      nn_model_set_training(m, was_training);
      NN_FREE(acc.cm);
      return -1;
    }
  }
  nn_no_grad_end();
  nn_model_set_training(m, was_training);
  count = nn__macc_report(&acc, m, "", nm, vals, 0);
  NN_FREE(acc.cm);
  for (i = 0; i < count && i < cap; i++) {
    memcpy(keep[i], nm[i], sizeof keep[i]);
    if (names) names[i] = keep[i];
    if (values) values[i] = vals[i];
  }
  return count;
}

/* Samples per forward pass in inference: at most batch_size, and few enough (but at least 32) that the layer
   outputs of one pass fit in about 1 MiB, so they stay in cache instead of streaming through memory, and a first
   large prediction touches little fresh memory. Inference is per sample, so how the samples are grouped does not
   change the result. A length unknown before the first forward counts as 64. */
NN__PRIVATE int64_t nn__predict_chunk(const nn_model *m, int64_t batch_size) {
  double per_sample = 0;
  int64_t chunk;
  int i, d;
  for (i = 0; i < m->nlayers; i++) {
    const nn_layer *l = m->layers[i];
    double n = 1;
    if (l->out_ndim < 0) continue;
    for (d = 0; d < l->out_ndim; d++) n *= l->out_shape[d] > 0 ? (double)l->out_shape[d] : 64.0;
    per_sample += n * (double)nn_dtype_size(l->dtype);
  }
  if (per_sample <= 0) return batch_size;
  chunk = (int64_t)((1024.0 * 1024) / per_sample);
  if (chunk < 32) chunk = 32;
  return chunk < batch_size ? chunk : batch_size;
}

NNDEF nn_tensor *nn_model_predict(nn_model *m, const nn_tensor *x, int64_t batch_size) {
  nn_tensor **parts = NULL, *res = NULL;
  int64_t N, b, nb, k = 0;
  int was_training;
  if (nn__model_check_data("nn_model_predict", m, x, NULL) != NN_OK) return NULL;
  if (batch_size <= 0) batch_size = 32;
  batch_size = nn__predict_chunk(m, batch_size);
  N = x->shape[0];
  nb = (N + batch_size - 1) / batch_size;
  if (nb == 0) {
    nn__fail(NN_ERR_VALUE, "nn_model_predict: x has no samples");
    return NULL;
  }
  parts = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)nb);
  if (!parts) {
    nn__fail(NN_ERR_OOM, "nn_model_predict: out of memory");
    return NULL;
  }
  was_training = m->training;
  nn_model_set_training(m, 0);
  nn_no_grad_begin();
  nn_scope_begin();
  for (b = 0; b < N; b += batch_size, k++) {
    int64_t e = b + batch_size < N ? b + batch_size : N;
    nn_tensor *xb;
    nn_scope_begin(); /* each pass's intermediates are freed before the next, so their memory is reused warm */
    xb = nn_slice(x, 0, b, e, 1);
    parts[k] = xb ? nn_keep(nn_model_forward(m, xb)) : NULL;
    nn_scope_end();
    if (!parts[k]) break;
  }
  if (k == nb) res = nb == 1 ? nn_copy(parts[0]) : nn_concatenate(parts, (int)nb, 0);
  if (res) nn_keep(res);
  nn_scope_end();
  nn_no_grad_end();
  nn_model_set_training(m, was_training);
  NN_FREE(parts);
  return res;
}

/* ---- fit ---- */

/* Copies of the parameters (restore_best_weights); NULL entries on failure. */
NN__PRIVATE nn_tensor **nn__model_snapshot(nn_model *m, nn_tensor **prev) {
  int n, i;
  nn_tensor **ps = nn__model_param_array(m, "nn_model_fit", &n), **snap = prev;
  if (!ps) return prev;
  if (!snap) {
    snap = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)(n > 0 ? n : 1));
    if (!snap) {
      NN_FREE(ps);
      return NULL;
    }
    for (i = 0; i < n; i++) snap[i] = NULL;
  }
  nn_no_grad_begin();
  for (i = 0; i < n; i++) {
    if (!snap[i]) {
      snap[i] = nn_copy(ps[i]);
      if (snap[i]) nn__scope_unlink(snap[i]);
    } else {
      nn_assign(snap[i], ps[i]);
    }
  }
  nn_no_grad_end();
  NN_FREE(ps);
  return snap;
}

NN__PRIVATE void nn__model_restore(nn_model *m, nn_tensor **snap, int free_it) {
  int n = nn_model_params(m, NULL, 0), i;
  nn_tensor **ps;
  if (!snap) return;
  ps = nn__model_param_array(m, "nn_model_fit", &n);
  if (ps) {
    for (i = 0; i < n; i++)
      if (snap[i]) nn_assign(ps[i], snap[i]);
    NN_FREE(ps);
  }
  if (free_it) {
    for (i = 0; i < n; i++) nn_free(snap[i]);
    NN_FREE(snap);
  }
}

NNDEF nn_history *nn_model_fit(nn_model *m, const nn_tensor *x, const nn_tensor *y, const nn_fit_desc *desc) {
  static const char *op = "nn_model_fit";
  nn_fit_desc d;
  nn_history *h = NULL;
  nn_tensor *xtr = NULL, *ytr = NULL, *xval = NULL, *yval = NULL, *cw = NULL, **params = NULL, **best_w = NULL;
  nn_loader *ld = NULL;
  nn_loader_desc lds;
  int64_t N, Ntr, nbatches;
  int epoch, np, stop = 0, wait = 0, ok = 1;
  double best = NAN, lr;
  const char *monitor;
  if (nn__model_check_data(op, m, x, y) != NN_OK) return NULL;
  if (!y) {
    nn__fail_null(op, "y");
    return NULL;
  }
  if (!m->compiled) {
    nn__fail(NN_ERR_ARG, "%s: compile the model first (nn_model_compile)", op);
    return NULL;
  }
  if (desc) d = *desc;
  else memset(&d, 0, sizeof d);
  if (d.epochs <= 0) d.epochs = 1;
  if (d.batch_size <= 0) d.batch_size = 32;
  if (d.validation_split < 0 || d.validation_split >= 1) {
    nn__fail(NN_ERR_ARG, "%s: validation_split must be in [0, 1), got %g", op, d.validation_split);
    return NULL;
  }
  if ((d.val_x == NULL) != (d.val_y == NULL)) {
    nn__fail(NN_ERR_ARG, "%s: give both val_x and val_y, or neither", op);
    return NULL;
  }
  if (d.val_x && nn__model_check_data(op, m, d.val_x, d.val_y) != NN_OK) return NULL;
  N = x->shape[0];
  Ntr = N;
  if (!d.val_x && d.validation_split > 0) Ntr = N - (int64_t)((double)N * d.validation_split);
  if (Ntr <= 0) {
    nn__fail(NN_ERR_VALUE, "%s: no training samples left (N = %lld, validation_split = %g)", op, (long long)N,
             d.validation_split);
    return NULL;
  }
  /* views of the caller's data: nothing is copied */
  xtr = nn_slice(x, 0, 0, Ntr, 1);
  ytr = nn_slice(y, 0, 0, Ntr, 1);
  if (d.val_x) {
    xval = nn_view(d.val_x);
    yval = nn_view(d.val_y);
  } else if (Ntr < N) {
    xval = nn_slice(x, 0, Ntr, N, 1);
    yval = nn_slice(y, 0, Ntr, N, 1);
  }
  if (!xtr || !ytr || ((d.val_x || Ntr < N) && (!xval || !yval))) goto fail;
  nn__scope_unlink(xtr);
  nn__scope_unlink(ytr);
  if (xval) nn__scope_unlink(xval), nn__scope_unlink(yval);
  if (d.class_weight) {
    int64_t cn = d.num_class_weights;
    if (cn <= 0) {
      nn__fail(NN_ERR_ARG, "%s: class_weight needs num_class_weights > 0", op);
      goto fail;
    }
    cw = nn_from_data(d.class_weight, &cn, 1, NN_FLOAT64);
    if (cw) {
      nn_tensor *c2 = nn_astype(cw, m->nodes[m->output].layer ? m->nodes[m->output].layer->dtype : NN_FLOAT32);
      nn_free(cw);
      cw = c2;
    }
    if (!cw) goto fail;
    nn__scope_unlink(cw);
  }
  params = nn__model_param_array(m, op, &np);
  h = params ? nn_history_new() : NULL;
  if (!h) goto fail;
  memset(&lds, 0, sizeof lds);
  lds.batch_size = d.batch_size;
  lds.shuffle = !d.no_shuffle;
  lds.seed = d.seed;
  lds.augment_shift = d.augment_shift;
  lds.augment_flip = d.augment_flip;
  if (!(ld = nn_loader_new(xtr, ytr, &lds))) goto fail;
  monitor = d.monitor ? d.monitor : xval ? "val_loss" : "loss";
  nbatches = nn_loader_batches(ld);
  lr = nn_optimizer_get_lr(m->opt);
  for (epoch = 0; epoch < d.epochs && !stop; epoch++) {
    nn__progress pg;
    nn__macc acc;
    char nm[32][40];
    const char *np_[32];
    double vals[32], mon;
    int nv, i, improved;
    int64_t bi;
    if (d.lr_schedule) {
      lr = d.lr_schedule(epoch, lr, d.lr_schedule_ctx);
      nn_optimizer_set_lr(m->opt, lr);
    }
    memset(&acc, 0, sizeof acc);
    nn_model_set_training(m, 1);
    nn_loader_reset(ld); /* a fresh permutation */
    nn__progress_begin(&pg, d.verbose < 0 ? 0 : d.verbose == 1 ? 2 : 1, epoch, d.epochs, nbatches);
    for (bi = 0; bi < nbatches && ok; bi++) {
      nn_tensor *xb = NULL, *yb = NULL, *out = NULL, *loss = NULL;
      double lv = NAN;
      nn_scope_begin();
      if (nn_loader_next(ld, &xb, &yb) == 1) out = nn_model_forward(m, xb);
      if (out) loss = nn__model_loss(m, out, yb, cw);
      if (loss) lv = nn_item(loss);
      if (!loss) ok = 0;
      else if (!(lv == lv && fabs(lv) != INFINITY) && !d.allow_nonfinite_loss) {
        nn__fail(NN_ERR_VALUE, "%s: the loss became %g at epoch %d, batch %lld (lower the learning rate, check the data "
                               "for NaN, or set allow_nonfinite_loss)", op, lv, epoch + 1, (long long)bi + 1);
        ok = 0;
      }
      if (ok && nn_backward(loss, NULL) != NN_OK) ok = 0;
      if (ok && m->cdesc.clipvalue > 0 && nn_clip_grad_value(params, np, m->cdesc.clipvalue) != NN_OK) ok = 0;
      if (ok && m->cdesc.clipnorm > 0) {
        double tn = nn_clip_grad_norm(params, np, m->cdesc.clipnorm, 2.0, 0);
        if (tn != tn && nn_last_status() != NN_OK) ok = 0;
      }
      if (ok && nn_optimizer_step(m->opt) != NN_OK) ok = 0;
      for (i = 0; i < np; i++) nn_zero_grad(params[i]);
      if (ok) {
        nn_no_grad_begin();
        if (nn__macc_add(&acc, m, out, yb, lv) != NN_OK) ok = 0;
        nn_no_grad_end();
      }
      nn_scope_end();
      if (!ok) break;
      nv = nn__macc_report(&acc, m, "", nm, vals, 0);
      for (i = 0; i < nv; i++) np_[i] = nm[i];
      nn__progress_step(&pg, bi + 1, np_, vals, nv);
      if (d.on_batch_end) {
        nn_logs lg;
        lg.epoch = epoch;
        lg.batch = bi;
        lg.n = nv;
        lg.names = np_;
        lg.values = vals;
        if (d.on_batch_end(m, &lg, d.callback_ctx)) stop = 1;
      }
      if (stop) break;
    }
    if (!ok) {
      if (pg.tty) fputc('\n', stderr);
      goto fail;
    }
    nv = nn__macc_report(&acc, m, "", nm, vals, 0);
    NN_FREE(acc.cm);
    if (xval) {
      const char *vn[32];
      double vv[32];
      int k, nvv = nn_model_evaluate(m, xval, yval, d.batch_size, vn, vv, 32);
      if (nvv < 0) goto fail;
      for (k = 0; k < nvv && nv < 31; k++) {
        snprintf(nm[nv], 40, "val_%s", vn[k]);
        vals[nv++] = vv[k];
      }
    }
    for (i = 0; i < nv; i++) {
      np_[i] = nm[i];
      nn_history_set(h, epoch, nm[i], vals[i]);
    }
    nn_history_set(h, epoch, "lr", lr);
    nn__progress_end(&pg, np_, vals, nv);
    /* early stopping and checkpoints watch `monitor` (lower is better for losses and errors) */
    mon = nn_history_get(h, monitor, epoch);
    improved = mon == mon && (best != best || (nn__lower_is_better(monitor) ? mon < best - d.min_delta
                                                                           : mon > best + d.min_delta));
    if (improved) {
      best = mon;
      wait = 0;
      if (d.restore_best_weights && d.patience > 0) best_w = nn__model_snapshot(m, best_w);
      if (d.checkpoint_path && nn_model_save(m, d.checkpoint_path) != NN_OK) goto fail;
    } else if (d.patience > 0 && ++wait >= d.patience) {
      stop = 1;
      if (d.verbose >= 0) fprintf(stderr, "Epoch %d: early stopping (%s did not improve for %d epochs)\n", epoch + 1,
                                  monitor, d.patience);
    }
    if (d.on_epoch_end) {
      nn_logs lg;
      lg.epoch = epoch;
      lg.batch = -1;
      lg.n = nv;
      lg.names = np_;
      lg.values = vals;
      if (d.on_epoch_end(m, &lg, d.callback_ctx)) stop = 1;
    }
  }
  if (best_w) nn__model_restore(m, best_w, 1);
  best_w = NULL;
  nn_model_set_training(m, 1);
  goto done;
fail:
  nn_history_free(h);
  h = NULL;
  if (best_w) nn__model_restore(m, best_w, 1);
  {
    int i;
    for (i = 0; i < m->nlayers; i++) nn_layer_zero_grad(m->layers[i]);
  }
done:
  nn_loader_free(ld);
  nn_free(xtr);
  nn_free(ytr);
  nn_free(xval);
  nn_free(yval);
  nn_free(cw);
  NN_FREE(params);
  return h;
}
