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
