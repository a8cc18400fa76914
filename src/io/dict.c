/* io/dict.c: nn_tensor_dict, the named tensors (and metadata strings) a safetensors or .npz reader returns. */

NN__PRIVATE nn_tensor_dict *nn__dict_new(const char *op) {
  nn_tensor_dict *d = (nn_tensor_dict *)NN_MALLOC(sizeof(nn_tensor_dict));
  if (!d) {
    nn__fail(NN_ERR_OOM, "%s: cannot allocate the result", op);
    return NULL;
  }
  memset(d, 0, sizeof *d);
  return d;
}

NN__PRIVATE char *nn__strndup(const char *s, size_t n) {
  char *p = (char *)NN_MALLOC(n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = 0;
  }
  return p;
}

/* Grows a pointer array of count entries when count is 0 or a power of two (capacity doubles). */
NN__PRIVATE int nn__grow_ptrs(void ***arr, int count) {
  void **q;
  if (count & (count - 1)) return 1;
  if (count > (1 << 28)) return 0;
  q = (void **)NN_REALLOC(*arr, sizeof(void *) * (size_t)(count ? 2 * count : 1));
  if (!q) return 0;
  *arr = q;
  return 1;
}

/* Adds t under name (copied); the dict takes t out of its scope and owns it. On failure t is freed. */
NN__PRIVATE nn_status nn__dict_add(const char *op, nn_tensor_dict *d, const char *name, size_t name_n, nn_tensor *t) {
  char *nm = nn__strndup(name, name_n);
  void **names = (void **)d->names, **ts = (void **)d->tensors;
  int ok1, ok2;
  if (!nm) {
    nn_free(t);
    return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
  }
  ok1 = nn__grow_ptrs(&names, d->count);
  d->names = (char **)names;
  ok2 = ok1 && nn__grow_ptrs(&ts, d->count);
  d->tensors = (nn_tensor **)ts;
  if (!ok1 || !ok2) {
    NN_FREE(nm);
    nn_free(t);
    return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
  }
  nn__scope_unlink(t);
  d->names[d->count] = nm;
  d->tensors[d->count] = t;
  d->count++;
  return NN_OK;
}

/* Adds a metadata pair; takes ownership of key and value (freed on failure). */
NN__PRIVATE nn_status nn__dict_add_meta(const char *op, nn_tensor_dict *d, char *key, char *value) {
  void **k = (void **)d->meta_keys, **v = (void **)d->meta_values;
  int ok1, ok2;
  ok1 = nn__grow_ptrs(&k, d->meta_count);
  d->meta_keys = (char **)k;
  ok2 = ok1 && nn__grow_ptrs(&v, d->meta_count);
  d->meta_values = (char **)v;
  if (!ok1 || !ok2) {
    NN_FREE(key);
    NN_FREE(value);
    return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
  }
  d->meta_keys[d->meta_count] = key;
  d->meta_values[d->meta_count] = value;
  d->meta_count++;
  return NN_OK;
}

NNDEF void nn_dict_free(nn_tensor_dict *d) {
  int i;
  if (!d) return;
  for (i = 0; i < d->count; i++) {
    NN_FREE(d->names[i]);
    nn_free(d->tensors[i]);
  }
  for (i = 0; i < d->meta_count; i++) {
    NN_FREE(d->meta_keys[i]);
    NN_FREE(d->meta_values[i]);
  }
  NN_FREE(d->names);
  NN_FREE(d->tensors);
  NN_FREE(d->meta_keys);
  NN_FREE(d->meta_values);
  NN_FREE(d);
}

NN__PRIVATE int nn__dict_find(const char *op, const nn_tensor_dict *d, const char *name) {
  int i;
  if (!d) {
    nn__fail_null(op, "d");
    return -1;
  }
  if (!name) {
    nn__fail_null(op, "name");
    return -1;
  }
  for (i = 0; i < d->count; i++)
    if (strcmp(d->names[i], name) == 0) {
      if (!d->tensors[i]) {
        nn__fail(NN_ERR_VALUE, "%s: tensor '%s' was already taken with nn_dict_take", op, name);
        return -1;
      }
      return i;
    }
  nn__fail(NN_ERR_VALUE, "%s: no tensor named '%s' (the dict has %d)", op, name, d->count);
  return -1;
}

NNDEF nn_tensor *nn_dict_get(const nn_tensor_dict *d, const char *name) {
  int i = nn__dict_find("nn_dict_get", d, name);
  return i < 0 ? NULL : d->tensors[i];
}

NNDEF nn_tensor *nn_dict_take(nn_tensor_dict *d, const char *name) {
  int i = nn__dict_find("nn_dict_take", d, name);
  nn_tensor *t;
  if (i < 0) return NULL;
  t = d->tensors[i];
  d->tensors[i] = NULL;
  if (nn__scope_depth > 0) nn__scope_link(t, &nn__scopes[nn__scope_depth - 1]);
  return t;
}

NNDEF const char *nn_dict_meta(const nn_tensor_dict *d, const char *key) {
  int i;
  if (!d || !key) return NULL;
  for (i = 0; i < d->meta_count; i++)
    if (strcmp(d->meta_keys[i], key) == 0) return d->meta_values[i];
  return NULL;
}

NN__PRIVATE int nn__cmp_names(const void *ctx, int a, int b) {
  const char *const *names = (const char *const *)ctx;
  return strcmp(names[a], names[b]);
}

/* Checks the arguments of a writer of named tensors: n >= 0, non-NULL arrays, names non-NULL, UTF-8 and unique,
   tensors on the CPU with a valid dtype. */
NN__PRIVATE nn_status nn__check_named(const char *op, const char *path, const char *const *names, nn_tensor *const *tensors,
                                      int n) {
  int i, *idx;
  char arg[32];
  if (!path) return nn__fail_null(op, "path");
  if (n < 0) return nn__fail(NN_ERR_ARG, "%s: n is %d; it cannot be negative", op, n);
  if (n > 0 && !names) return nn__fail_null(op, "names");
  if (n > 0 && !tensors) return nn__fail_null(op, "tensors");
  for (i = 0; i < n; i++) {
    snprintf(arg, sizeof arg, "names[%d]", i);
    if (!names[i]) return nn__fail_null(op, arg);
    if (nn__utf8_check((const unsigned char *)names[i], strlen(names[i])) != strlen(names[i]))
      return nn__fail(NN_ERR_VALUE, "%s: names[%d] is not valid UTF-8", op, i);
    snprintf(arg, sizeof arg, "tensors[%d]", i);
    if (nn__check_save_tensor(op, tensors[i], arg) != NN_OK) return nn_last_status();
  }
  idx = (int *)NN_MALLOC(sizeof(int) * (size_t)(n > 0 ? n : 1));
  if (!idx || !nn__sort_idx(idx, n, nn__cmp_names, names)) {
    NN_FREE(idx);
    return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
  }
  for (i = 1; i < n; i++)
    if (strcmp(names[idx[i - 1]], names[idx[i]]) == 0) {
      nn_status s = nn__fail(NN_ERR_VALUE, "%s: the name '%s' is used twice (names[%d] and names[%d])", op, names[idx[i]],
                             idx[i - 1] < idx[i] ? idx[i - 1] : idx[i], idx[i - 1] < idx[i] ? idx[i] : idx[i - 1]);
      NN_FREE(idx);
      return s;
    }
  NN_FREE(idx);
  return NN_OK;
}
