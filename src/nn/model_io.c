/* nn/model_io.c: a model's weights as safetensors. Entries are named "<layer index>.<state_dict name>", as
   torch.nn.Sequential names them ("0.weight", "0.bias", "1.running_mean", ...), so a PyTorch model with the same
   layer order exchanges weights by name. */

/* All parameters and buffers with their file names; returns the count or -1. names[i] is malloc'ed. */
NN__PRIVATE int nn__model_state(const nn_model *m, char ***names_out, nn_tensor ***ts_out) {
  int i, j, n = 0, k = 0;
  char **names;
  nn_tensor **ts;
  for (i = 0; i < m->nlayers; i++) n += nn_layer_num_params(m->layers[i]) + nn_layer_num_buffers(m->layers[i]);
  names = (char **)NN_MALLOC(sizeof(char *) * (size_t)(n > 0 ? n : 1));
  ts = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)(n > 0 ? n : 1));
  if (!names || !ts) goto oom;
  for (i = 0; i < m->nlayers; i++) {
    nn_layer *l = m->layers[i];
    int np = nn_layer_num_params(l), nb = nn_layer_num_buffers(l);
    for (j = 0; j < np + nb; j++) {
      const char *pn = j < np ? nn_layer_param_name(l, j) : nn_layer_buffer_name(l, j - np);
      size_t len = strlen(pn) + 16;
      names[k] = (char *)NN_MALLOC(len);
      if (!names[k]) goto oom;
      snprintf(names[k], len, "%d.%s", i, pn);
      ts[k] = j < np ? nn_layer_param(l, j) : nn_layer_buffer(l, j - np);
      k++;
    }
  }
  *names_out = names;
  *ts_out = ts;
  return n;
oom:
  if (names)
    for (i = 0; i < k; i++) NN_FREE(names[i]);
  NN_FREE(names);
  NN_FREE(ts);
  nn__fail(NN_ERR_OOM, "nn_model_save: out of memory");
  return -1;
}

NN__PRIVATE void nn__free_names(char **names, int n) {
  int i;
  if (!names) return;
  for (i = 0; i < n; i++) NN_FREE(names[i]);
  NN_FREE(names);
}

NNDEF nn_status nn_model_save_weights(const nn_model *m, const char *path) {
  char **names = NULL;
  nn_tensor **ts = NULL;
  int n;
  nn_status st;
  static const char *const meta[2] = {"format", "pt"};
  if (!m) return nn__fail_null("nn_model_save_weights", "m");
  n = nn__model_state(m, &names, &ts);
  if (n < 0) return nn_last_status();
  st = nn_save_safetensors(path, (const char *const *)names, ts, n, meta, 1);
  nn__free_names(names, n);
  NN_FREE(ts);
  return st;
}

/* Copies the entries of d into the model's parameters and buffers; every one must be present with its shape. */
NN__PRIVATE nn_status nn__model_set_state(const char *op, nn_model *m, const nn_tensor_dict *d) {
  char **names = NULL;
  nn_tensor **ts = NULL;
  int n, i;
  nn_status st = NN_OK;
  char b1[96], b2[96];
  n = nn__model_state(m, &names, &ts);
  if (n < 0) return nn_last_status();
  for (i = 0; i < n && st == NN_OK; i++) { /* check everything before changing anything */
    nn_tensor *v = NULL;
    int k;
    for (k = 0; k < d->count; k++)
      if (d->tensors[k] && strcmp(d->names[k], names[i]) == 0) v = d->tensors[k];
    if (!v) {
      st = nn__fail(NN_ERR_VALUE, "%s: the file has no entry '%s' (the model's layer %s)", op, names[i], names[i]);
    } else if (v->ndim != ts[i]->ndim || memcmp(v->shape, ts[i]->shape, sizeof(int64_t) * (size_t)v->ndim) != 0) {
      st = nn__fail(NN_ERR_SHAPE, "%s: entry '%s' has shape %s in the file but %s in the model", op, names[i],
                    nn_shape_str(v, b1, sizeof b1), nn_shape_str(ts[i], b2, sizeof b2));
    }
  }
  for (i = 0; i < n && st == NN_OK; i++) {
    nn_tensor *v = nn_dict_get(d, names[i]);
    nn_no_grad_begin();
    st = v ? nn_assign(ts[i], v) : nn_last_status();
    nn_no_grad_end();
  }
  nn__free_names(names, n);
  NN_FREE(ts);
  return st;
}

NNDEF nn_status nn_model_load_weights(nn_model *m, const char *path) {
  nn_tensor_dict *d;
  nn_status st;
  if (!m) return nn__fail_null("nn_model_load_weights", "m");
  d = nn_load_safetensors(path);
  if (!d) return nn_last_status();
  st = nn__model_set_state("nn_model_load_weights", m, d);
  nn_dict_free(d);
  return st;
}

/* ---- the architecture as text ----
   One line per layer ("L <kind> key=value ...") then one per node ("N input|layer|add|mul|concat ..."), joined with
   '|' into the file's metadata. Loading rebuilds layers through their public constructors, which validate every
   value, so a hostile file can at worst give an error. */

NN__PRIVATE int nn__spec_layer(const nn_layer *l, char *b, size_t cap) {
  const char *k = nn_layer_kind(l);
  const void *c = l->config;
  if (strcmp(k, "Dense") == 0) {
    const nn__dense_cfg *d = (const nn__dense_cfg *)c;
    return snprintf(b, cap, "L Dense %lld %d %d %d", (long long)d->units, (int)d->act, d->d.no_bias, (int)l->dtype);
  }
  if (strcmp(k, "Flatten") == 0 || strcmp(k, "GlobalAveragePooling1D") == 0 ||
      strcmp(k, "GlobalAveragePooling2D") == 0)
    return snprintf(b, cap, "L %s", k);
  if (strcmp(k, "Reshape") == 0) {
    const nn__reshape_cfg *r = (const nn__reshape_cfg *)c;
    int i, n = snprintf(b, cap, "L Reshape %d", r->ndim);
    for (i = 0; i < r->ndim && n > 0 && (size_t)n < cap; i++) n += snprintf(b + n, cap - (size_t)n, " %lld", (long long)r->shape[i]);
    return n;
  }
  if (strcmp(k, "Activation") == 0) return snprintf(b, cap, "L Activation %d", (int)*(const nn_activation *)c);
  if (strcmp(k, "Dropout") == 0) return snprintf(b, cap, "L Dropout %.17g", *(const double *)c);
  if (strcmp(k, "Embedding") == 0) {
    const nn__embed_cfg *e = (const nn__embed_cfg *)c;
    return snprintf(b, cap, "L Embedding %lld %lld %d", (long long)e->num, (long long)e->dim, (int)l->dtype);
  }
#ifndef NN_NO_CONV
  if (strcmp(k, "Conv1D") == 0 || strcmp(k, "Conv2D") == 0) {
    const nn__convl_cfg *v = (const nn__convl_cfg *)c;
    const nn_conv_layer_desc *d = &v->d;
    return snprintf(b, cap, "L %s %lld %d %d %d %d %d %d %d %d %d %d %d %d %d", k, (long long)v->filters, v->k[0],
                    v->k[1], d->stride[0], d->stride[1], d->padding[0], d->padding[1], d->same, d->dilation[0],
                    d->dilation[1], d->groups, d->no_bias, (int)d->activation, (int)l->dtype);
  }
  if (strstr(k, "Pooling1D") || strstr(k, "Pooling2D")) {
    const nn__pool_cfg *p = (const nn__pool_cfg *)c;
    return snprintf(b, cap, "L %s %d %d %d %d %d %d %d %d", k, p->k[0], p->k[1], p->p.stride[0], p->p.stride[1],
                    p->p.padding[0], p->p.padding[1], p->p.dilation[0], p->p.dilation[1]);
  }
#endif
  if (strcmp(k, "BatchNorm1d") == 0 || strcmp(k, "BatchNorm2d") == 0) {
    const nn__bn_cfg *n = (const nn__bn_cfg *)c;
    return snprintf(b, cap, "L %s %.17g %.17g %d %d %d", k, n->d.eps, n->d.momentum, n->d.no_affine,
                    n->d.no_running_stats, (int)l->dtype);
  }
  if (strcmp(k, "LayerNormalization") == 0) {
    const nn__lnl_cfg *n = (const nn__lnl_cfg *)c;
    return snprintf(b, cap, "L %s %d %.17g %d %d", k, n->d.normalized_ndim, n->d.eps, n->d.no_affine, (int)l->dtype);
  }
  if (strcmp(k, "SimpleRNN") == 0 || strcmp(k, "LSTM") == 0 || strcmp(k, "GRU") == 0) {
    const nn__rnn_cfg *r = (const nn__rnn_cfg *)c;
    return snprintf(b, cap, "L %s %lld %d %d %d %d %d", k, (long long)r->units, r->d.return_sequences,
                    r->d.batch_first, r->d.no_bias, (int)r->d.activation, (int)l->dtype);
  }
  if (strcmp(k, "MultiHeadAttention") == 0) {
    const nn__mha_cfg *a = (const nn__mha_cfg *)c;
    return snprintf(b, cap, "L %s %lld %d %d %d %.17g %d", k, (long long)a->heads, a->d.batch_first, a->d.causal,
                    a->d.no_bias, a->d.dropout, (int)l->dtype);
  }
  nn__fail(NN_ERR_UNSUPPORTED, "nn_model_save: layer %s of kind %s cannot be saved with the architecture (custom "
                               "layers: save the weights with nn_model_save_weights)", nn_layer_name(l), k);
  return -1;
}

/* A layer from its line (without the leading "L "); NULL with an error for anything malformed. */
NN__PRIVATE nn_layer *nn__layer_from_spec(const char *s) {
  char kind[40];
  int pos = 0, n = 0;
  long long a = 0, b2 = 0;
  int i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0, i8 = 0, i9 = 0, i10 = 0, i11 = 0, i12 = 0, i13 = 0;
  double d1 = 0, d2 = 0;
  nn_layer *l = NULL;
  if (sscanf(s, "%39s%n", kind, &pos) != 1) goto bad;
  s += pos;
  if (strcmp(kind, "Dense") == 0) {
    nn_dense_desc d;
    if (sscanf(s, "%lld %d %d %d", &a, &i1, &i2, &i3) != 4) goto bad;
    memset(&d, 0, sizeof d);
    d.no_bias = i2;
    d.dtype = (nn_dtype)i3;
    l = nn_dense_ex(a, (nn_activation)i1, &d);
  } else if (strcmp(kind, "Flatten") == 0) {
    l = nn_flatten_layer();
  } else if (strcmp(kind, "GlobalAveragePooling1D") == 0) {
    l = nn_global_avg_pool1d_layer();
  } else if (strcmp(kind, "GlobalAveragePooling2D") == 0) {
    l = nn_global_avg_pool2d_layer();
  } else if (strcmp(kind, "Reshape") == 0) {
    int64_t shape[NN_MAX_DIMS];
    int k;
    if (sscanf(s, "%d%n", &i1, &pos) != 1 || i1 < 0 || i1 >= NN_MAX_DIMS) goto bad;
    s += pos;
    for (k = 0; k < i1; k++) {
      if (sscanf(s, "%lld%n", &a, &pos) != 1) goto bad;
      s += pos;
      shape[k] = a;
    }
    l = nn_reshape_layer(shape, i1);
  } else if (strcmp(kind, "Activation") == 0) {
    if (sscanf(s, "%d", &i1) != 1) goto bad;
    l = nn_activation_layer((nn_activation)i1);
  } else if (strcmp(kind, "Dropout") == 0) {
    if (sscanf(s, "%lf", &d1) != 1) goto bad;
    l = nn_dropout_layer(d1);
  } else if (strcmp(kind, "Embedding") == 0) {
    nn_embedding_desc d;
    if (sscanf(s, "%lld %lld %d", &a, &b2, &i1) != 3) goto bad;
    memset(&d, 0, sizeof d);
    d.dtype = (nn_dtype)i1;
    l = nn_embedding_layer(a, b2, &d);
#ifndef NN_NO_CONV
  } else if (strcmp(kind, "Conv1D") == 0 || strcmp(kind, "Conv2D") == 0) {
    nn_conv_layer_desc d;
    if (sscanf(s, "%lld %d %d %d %d %d %d %d %d %d %d %d %d %d", &a, &i1, &i2, &i3, &i4, &i5, &i6, &i7, &i8, &i9,
               &i10, &i11, &i12, &i13) != 14)
      goto bad;
    memset(&d, 0, sizeof d);
    d.stride[0] = i3, d.stride[1] = i4, d.padding[0] = i5, d.padding[1] = i6, d.same = i7;
    d.dilation[0] = i8, d.dilation[1] = i9, d.groups = i10, d.no_bias = i11;
    d.activation = (nn_activation)i12;
    d.dtype = (nn_dtype)i13;
    l = kind[4] == '1' ? nn_conv1d_layer(a, i1, &d) : nn_conv2d_layer(a, i1, i2, &d);
  } else if (strstr(kind, "Pooling1D") || strstr(kind, "Pooling2D")) {
    nn_pool_desc d;
    int is1d = strstr(kind, "1D") != NULL, avg = strncmp(kind, "Average", 7) == 0;
    if (sscanf(s, "%d %d %d %d %d %d %d %d", &i1, &i2, &i3, &i4, &i5, &i6, &i7, &i8) != 8) goto bad;
    memset(&d, 0, sizeof d);
    d.stride[0] = i3, d.stride[1] = i4, d.padding[0] = i5, d.padding[1] = i6, d.dilation[0] = i7, d.dilation[1] = i8;
    if (strncmp(kind, "Max", 3) != 0 && !avg) goto bad;
    l = is1d ? (avg ? nn_avg_pool1d_layer(i1, &d) : nn_max_pool1d_layer(i1, &d))
             : (avg ? nn_avg_pool2d_layer(i1, i2, &d) : nn_max_pool2d_layer(i1, i2, &d));
#endif
  } else if (strcmp(kind, "BatchNorm1d") == 0 || strcmp(kind, "BatchNorm2d") == 0) {
    nn_batch_norm_desc d;
    if (sscanf(s, "%lf %lf %d %d %d", &d1, &d2, &i1, &i2, &i3) != 5) goto bad;
    memset(&d, 0, sizeof d);
    d.eps = d1, d.momentum = d2, d.no_affine = i1, d.no_running_stats = i2, d.dtype = (nn_dtype)i3;
    l = kind[9] == '1' ? nn_batch_norm1d_layer(&d) : nn_batch_norm2d_layer(&d);
  } else if (strcmp(kind, "LayerNormalization") == 0) {
    nn_layer_norm_desc d;
    if (sscanf(s, "%d %lf %d %d", &i1, &d1, &i2, &i3) != 4) goto bad;
    memset(&d, 0, sizeof d);
    d.normalized_ndim = i1, d.eps = d1, d.no_affine = i2, d.dtype = (nn_dtype)i3;
    l = nn_layer_norm_layer(&d);
  } else if (strcmp(kind, "SimpleRNN") == 0 || strcmp(kind, "LSTM") == 0 || strcmp(kind, "GRU") == 0) {
    nn_rnn_desc d;
    if (sscanf(s, "%lld %d %d %d %d %d", &a, &i1, &i2, &i3, &i4, &i5) != 6) goto bad;
    memset(&d, 0, sizeof d);
    d.return_sequences = i1, d.batch_first = i2, d.no_bias = i3, d.activation = (nn_activation)i4;
    d.dtype = (nn_dtype)i5;
    l = kind[0] == 'S' ? nn_simple_rnn(a, &d) : kind[0] == 'L' ? nn_lstm(a, &d) : nn_gru(a, &d);
  } else if (strcmp(kind, "MultiHeadAttention") == 0) {
    nn_mha_desc d;
    if (sscanf(s, "%lld %d %d %d %lf %d", &a, &i1, &i2, &i3, &d1, &i4) != 6) goto bad;
    memset(&d, 0, sizeof d);
    d.batch_first = i1, d.causal = i2, d.no_bias = i3, d.dropout = d1, d.dtype = (nn_dtype)i4;
    l = nn_multihead_attention(a, &d);
  } else {
    nn__fail(NN_ERR_FORMAT, "nn_model_load: unknown layer kind '%s'", kind);
    return NULL;
  }
  (void)n;
  (void)i6, (void)i7, (void)i8, (void)i9, (void)i10, (void)i11, (void)i12, (void)i13; /* conv only */
  return l;
bad:
  nn__fail(NN_ERR_FORMAT, "nn_model_load: malformed layer description '%.60s'", s);
  return NULL;
}

/* Appends text to a growing buffer; returns 0 on allocation failure. */
typedef struct nn__sbuf {
  char *p;
  size_t n, cap;
} nn__sbuf;
NN__PRIVATE int nn__sbuf_add(nn__sbuf *s, const char *t) {
  size_t len = strlen(t);
  if (s->n + len + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 256;
    char *q;
    while (s->n + len + 1 > cap) cap *= 2;
    q = (char *)NN_REALLOC(s->p, cap);
    if (!q) return 0;
    s->p = q;
    s->cap = cap;
  }
  memcpy(s->p + s->n, t, len + 1);
  s->n += len;
  return 1;
}

NNDEF nn_status nn_model_save(const nn_model *m, const char *path) {
  static const char *op = "nn_model_save";
  nn__sbuf arch = {NULL, 0, 0}, steps = {NULL, 0, 0}, rngs = {NULL, 0, 0};
  char line[512], cline[600];
  char **names = NULL, **all_names = NULL;
  nn_tensor **ts = NULL, **all_ts = NULL;
  const char *meta[10];
  int n = 0, nopt = 0, i, k, ok = 1, total = 0;
  nn_status st = NN_OK;
  if (!m) return nn__fail_null(op, "m");
  if (!m->compiled || !m->opt) return nn__fail(NN_ERR_ARG, "%s: compile the model first (its optimizer is saved too)", op);
  snprintf(line, sizeof line, "%s", m->sequential ? "S" : "G");
  ok = nn__sbuf_add(&arch, line);
  for (i = 0; ok && i < m->nlayers; i++) {
    if (nn__spec_layer(m->layers[i], line, sizeof line) < 0) {
      st = nn_last_status();
      goto done;
    }
    ok = nn__sbuf_add(&arch, "|") && nn__sbuf_add(&arch, line);
  }
  for (i = 0; ok && i < m->nnodes; i++) {
    const nn__mnode *nd = &m->nodes[i];
    int len = 0;
    if (nd->kind == NN__MN_INPUT) {
      len = snprintf(line, sizeof line, "N input %d", nd->ndim);
      for (k = 0; k < nd->ndim; k++) len += snprintf(line + len, sizeof line - (size_t)len, " %lld", (long long)nd->shape[k]);
    } else if (nd->kind == NN__MN_LAYER) {
      int li = 0;
      for (k = 0; k < m->nlayers; k++)
        if (m->layers[k] == nd->layer) li = k;
      snprintf(line, sizeof line, "N layer %d %d", li, nd->in[0]);
    } else {
      len = snprintf(line, sizeof line, "N %s %d %d", nd->kind == NN__MN_ADD ? "add" : nd->kind == NN__MN_MUL ? "mul" : "concat",
                     nd->axis, nd->nin);
      for (k = 0; k < nd->nin; k++) len += snprintf(line + len, sizeof line - (size_t)len, " %d", nd->in[k]);
    }
    ok = nn__sbuf_add(&arch, "|") && nn__sbuf_add(&arch, line);
  }
  snprintf(line, sizeof line, "|O %d", m->output);
  ok = ok && nn__sbuf_add(&arch, line);
  {
    const nn_compile_desc *c = &m->cdesc;
    snprintf(cline, sizeof cline, "%s %.17g %.17g %d %.17g %.17g %.17g %.17g %.17g %.17g %d %d %.17g %.17g %u",
             c->optimizer ? c->optimizer : "adam", nn_optimizer_get_lr(m->opt), c->momentum, c->nesterov,
             c->weight_decay, c->beta1, c->beta2, c->eps, c->clipnorm, c->clipvalue, (int)c->loss,
             c->from_probabilities, c->label_smoothing, c->huber_delta, c->metrics);
  }
  /* tensors: the weights and buffers, then the optimizer state as "optimizer.<param index>.<key>" */
  n = nn__model_state(m, &names, &ts);
  if (n < 0) {
    st = nn_last_status();
    goto done;
  }
  nopt = nn_optimizer_num_state(m->opt);
  total = n + nopt;
  all_names = (char **)NN_MALLOC(sizeof(char *) * (size_t)(total > 0 ? total : 1));
  all_ts = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)(total > 0 ? total : 1));
  if (!all_names || !all_ts) ok = 0;
  for (i = 0; ok && i < n; i++) {
    all_names[i] = names[i];
    all_ts[i] = ts[i];
  }
  for (i = 0; ok && i < nopt; i++) {
    const char *sn = NULL;
    nn_tensor *t = nn_optimizer_state(m->opt, i, &sn);
    size_t len;
    if (!t || !sn) {
      st = nn_last_status();
      goto done;
    }
    len = strlen(sn) + 16;
    all_names[n + i] = (char *)NN_MALLOC(len);
    if (!all_names[n + i]) {
      ok = 0;
      break;
    }
    snprintf(all_names[n + i], len, "optimizer.%s", sn);
    all_ts[n + i] = t;
  }
  if (ok) { /* step counts: the call count, then one per parameter */
    int np = nn_optimizer_num_params(m->opt);
    snprintf(line, sizeof line, "%lld", (long long)nn_optimizer_get_step_count(m->opt, -1));
    ok = nn__sbuf_add(&steps, line);
    for (i = 0; ok && i < np; i++) {
      snprintf(line, sizeof line, " %lld", (long long)nn_optimizer_get_step_count(m->opt, i));
      ok = nn__sbuf_add(&steps, line);
    }
  }
  /* every layer's generator (Dropout's draws), so a resumed run draws what the original would have */
  for (i = 0; ok && i < m->nlayers; i++) {
    const nn_rng *r = &m->layers[i]->rng;
    snprintf(line, sizeof line, "%s%llx %llx %llx %llx %d %a", i ? " " : "", (unsigned long long)r->s[0],
             (unsigned long long)r->s[1], (unsigned long long)r->s[2], (unsigned long long)r->s[3], r->has_spare,
             r->spare);
    ok = nn__sbuf_add(&rngs, line);
  }
  if (ok && !rngs.p) ok = nn__sbuf_add(&rngs, "");
  if (!ok) {
    st = nn__fail(NN_ERR_OOM, "%s: out of memory", op);
    goto done;
  }
  meta[0] = "format";
  meta[1] = "nn.h-model-1";
  meta[2] = "architecture";
  meta[3] = arch.p;
  meta[4] = "compile";
  meta[5] = cline;
  meta[6] = "optimizer_steps";
  meta[7] = steps.p;
  meta[8] = "rng";
  meta[9] = rngs.p;
  st = nn_save_safetensors(path, (const char *const *)all_names, all_ts, total, meta, 5);
done:
  if (all_names)
    for (i = n; i < total; i++) NN_FREE(all_names[i]);
  NN_FREE(all_names);
  NN_FREE(all_ts);
  nn__free_names(names, n > 0 ? n : 0);
  NN_FREE(ts);
  NN_FREE(arch.p);
  NN_FREE(steps.p);
  NN_FREE(rngs.p);
  return st;
}

/* Rebuilds the graph of an architecture string into m (layers made, nodes added). */
NN__PRIVATE nn_status nn__model_from_arch(nn_model *m, char *arch) {
  nn_layer **layers = NULL;
  int nl = 0, capl = 0, used_out = -1, i;
  char *tok = arch, *next;
  nn_status st = NN_OK;
  for (; tok && st == NN_OK; tok = next) {
    next = strchr(tok, '|');
    if (next) *next++ = 0;
    if (tok[0] == 'L' && tok[1] == ' ') {
      nn_layer *l = nn__layer_from_spec(tok + 2);
      if (!l) st = nn_last_status();
      else {
        if (nl == capl) {
          int cap = capl ? 2 * capl : 8;
          nn_layer **v = (nn_layer **)NN_REALLOC(layers, sizeof(nn_layer *) * (size_t)cap);
          if (!v) {
            nn_layer_free(l);
            st = nn__fail(NN_ERR_OOM, "nn_model_load: out of memory");
            break;
          }
          layers = v;
          capl = cap;
        }
        layers[nl++] = l;
      }
    } else if (strncmp(tok, "N input ", 8) == 0) {
      int64_t shape[NN_MAX_DIMS];
      int nd, pos = 0, k;
      long long v;
      char *s = tok + 8;
      if (sscanf(s, "%d%n", &nd, &pos) != 1 || nd < 0 || nd >= NN_MAX_DIMS) {
        st = nn__fail(NN_ERR_FORMAT, "nn_model_load: malformed input description");
        break;
      }
      s += pos;
      for (k = 0; k < nd; k++) {
        if (sscanf(s, "%lld%n", &v, &pos) != 1) break;
        s += pos;
        shape[k] = v;
      }
      if (k < nd || nn_graph_input(m, shape, nd) < 0) st = nn_last_status() != NN_OK ? nn_last_status() : NN_ERR_FORMAT;
    } else if (strncmp(tok, "N layer ", 8) == 0) {
      int li, in;
      if (sscanf(tok + 8, "%d %d", &li, &in) != 2 || li < 0 || li >= nl || !layers[li]) {
        st = nn__fail(NN_ERR_FORMAT, "nn_model_load: malformed layer node");
        break;
      }
      if (nn__model_apply("nn_model_load", m, layers[li], in) < 0) {
        layers[li] = NULL; /* the model owns (and freed or kept) it */
        st = nn_last_status();
        break;
      }
      for (i = 0; i < nl; i++)
        if (i != li && layers[i] == layers[li]) layers[i] = NULL;
    } else if (strncmp(tok, "N add ", 6) == 0 || strncmp(tok, "N mul ", 6) == 0 || strncmp(tok, "N concat ", 9) == 0) {
      int axis, nin, ids[NN__MODEL_MAX_MERGE], pos = 0, k, kind = tok[2] == 'a' ? NN__MN_ADD : tok[2] == 'm' ? NN__MN_MUL : NN__MN_CONCAT;
      char *s = strchr(tok + 2, ' ');
      if (!s || sscanf(s, "%d %d%n", &axis, &nin, &pos) != 2 || nin < 2 || nin > NN__MODEL_MAX_MERGE) {
        st = nn__fail(NN_ERR_FORMAT, "nn_model_load: malformed merge node");
        break;
      }
      s += pos;
      for (k = 0; k < nin; k++) {
        if (sscanf(s, "%d%n", &ids[k], &pos) != 1) break;
        s += pos;
      }
      if (k < nin || nn__model_merge("nn_model_load", m, kind, ids, nin, axis) < 0)
        st = nn_last_status() != NN_OK ? nn_last_status() : nn__fail(NN_ERR_FORMAT, "nn_model_load: malformed merge node");
    } else if (tok[0] == 'O' && tok[1] == ' ') {
      if (sscanf(tok + 2, "%d", &used_out) != 1 || nn_graph_output(m, used_out) != NN_OK)
        st = nn_last_status() != NN_OK ? nn_last_status() : nn__fail(NN_ERR_FORMAT, "nn_model_load: bad output");
    } else if (!(tok == arch && (tok[0] == 'S' || tok[0] == 'G') && tok[1] == 0)) {
      st = nn__fail(NN_ERR_FORMAT, "nn_model_load: unknown architecture entry '%.40s'", tok);
    }
  }
  /* layers never applied to a node are not owned by the model */
  for (i = 0; i < nl; i++) {
    int k, owned = 0;
    for (k = 0; layers[i] && k < m->nlayers; k++) owned |= m->layers[k] == layers[i];
    if (layers[i] && !owned) nn_layer_free(layers[i]);
  }
  NN_FREE(layers);
  if (st == NN_OK && used_out < 0) st = nn__fail(NN_ERR_FORMAT, "nn_model_load: the architecture has no output");
  return st;
}

NNDEF nn_model *nn_model_load(const char *path) {
  static const char *op = "nn_model_load";
  nn_tensor_dict *d;
  nn_model *m = NULL;
  const char *fmt, *arch, *comp, *steps;
  char *archc = NULL, optname[16];
  nn_compile_desc c;
  int loss, i, nopt;
  d = nn_load_safetensors(path);
  if (!d) return NULL;
  fmt = nn_dict_meta(d, "format");
  arch = nn_dict_meta(d, "architecture");
  comp = nn_dict_meta(d, "compile");
  steps = nn_dict_meta(d, "optimizer_steps");
  if (!fmt || strcmp(fmt, "nn.h-model-1") != 0 || !arch || !comp || !steps) {
    nn__fail(NN_ERR_FORMAT, "%s: '%s' is not a model saved by nn_model_save (weights only? use nn_model_load_weights)",
             op, path);
    goto fail;
  }
  m = nn__model_new(op, arch[0] == 'S');
  archc = (char *)NN_MALLOC(strlen(arch) + 1);
  if (!m || !archc) {
    nn__fail(NN_ERR_OOM, "%s: out of memory", op);
    goto fail;
  }
  strcpy(archc, arch);
  if (nn__model_from_arch(m, archc) != NN_OK) goto fail;
  memset(&c, 0, sizeof c);
  if (sscanf(comp, "%15s %lf %lf %d %lf %lf %lf %lf %lf %lf %d %d %lf %lf %u", optname, &c.learning_rate, &c.momentum,
             &c.nesterov, &c.weight_decay, &c.beta1, &c.beta2, &c.eps, &c.clipnorm, &c.clipvalue, &loss,
             &c.from_probabilities, &c.label_smoothing, &c.huber_delta, &c.metrics) != 15 ||
      loss < 0 || loss >= NN_LOSS_KIND_COUNT) {
    nn__fail(NN_ERR_FORMAT, "%s: malformed compile settings in '%s'", op, path);
    goto fail;
  }
  c.loss = (nn_loss_kind)loss;
  c.optimizer = strcmp(optname, "sgd") == 0 ? "sgd" : strcmp(optname, "adamw") == 0 ? "adamw"
              : strcmp(optname, "rmsprop") == 0 ? "rmsprop" : strcmp(optname, "adagrad") == 0 ? "adagrad" : "adam";
  if (nn_model_compile(m, &c) != NN_OK) goto fail;
  if (nn__model_set_state(op, m, d) != NN_OK) goto fail;
  /* optimizer state and step counts */
  nopt = nn_optimizer_num_state(m->opt);
  for (i = 0; i < nopt; i++) {
    const char *sn = NULL;
    char key[160];
    nn_tensor *t = nn_optimizer_state(m->opt, i, &sn), *v;
    if (!t || !sn) goto fail;
    snprintf(key, sizeof key, "optimizer.%s", sn);
    v = nn_dict_get(d, key);
    if (!v) goto fail;
    if (v->size != t->size) {
      nn__fail(NN_ERR_SHAPE, "%s: optimizer state '%s' has %lld elements, expected %lld", op, key, (long long)v->size,
               (long long)t->size);
      goto fail;
    }
    if (nn_assign(t, v) != NN_OK) goto fail;
  }
  {
    const char *s = steps;
    long long v;
    int pos = 0, np = nn_optimizer_num_params(m->opt);
    if (sscanf(s, "%lld%n", &v, &pos) != 1 || v < 0) {
      nn__fail(NN_ERR_FORMAT, "%s: malformed optimizer step counts", op);
      goto fail;
    }
    s += pos;
    if (nn_optimizer_set_step_count(m->opt, -1, (int64_t)v) != NN_OK) goto fail;
    for (i = 0; i < np; i++) {
      if (sscanf(s, "%lld%n", &v, &pos) != 1 || v < 0) {
        nn__fail(NN_ERR_FORMAT, "%s: malformed optimizer step counts", op);
        goto fail;
      }
      s += pos;
      if (nn_optimizer_set_step_count(m->opt, i, (int64_t)v) != NN_OK) goto fail;
    }
  }
  {
    const char *r = nn_dict_meta(d, "rng");
    for (i = 0; r && i < m->nlayers; i++) {
      unsigned long long w[4];
      int spare_flag, pos = 0;
      double spare;
      if (sscanf(r, "%llx %llx %llx %llx %d %la%n", &w[0], &w[1], &w[2], &w[3], &spare_flag, &spare, &pos) != 6) {
        nn__fail(NN_ERR_FORMAT, "%s: malformed generator states", op);
        goto fail;
      }
      r += pos;
      m->layers[i]->rng.s[0] = w[0];
      m->layers[i]->rng.s[1] = w[1];
      m->layers[i]->rng.s[2] = w[2];
      m->layers[i]->rng.s[3] = w[3];
      m->layers[i]->rng.has_spare = spare_flag != 0;
      m->layers[i]->rng.spare = spare;
    }
  }
  NN_FREE(archc);
  nn_dict_free(d);
  return m;
fail:
  NN_FREE(archc);
  nn_dict_free(d);
  nn_model_free(m);
  return NULL;
}
