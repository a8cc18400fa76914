/* io/safetensors.c: the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
   header length N, N bytes of JSON {name: {"dtype", "shape", "data_offsets"}, "__metadata__": {string: string}},
   then the raw little-endian data. Reading checks what the reference (Rust) reader checks: a header of at most
   100 MB of UTF-8 JSON, and data offsets that, sorted, tile the data exactly. Writing reproduces its serializer. */

#define NN__ST_MAX_HEADER 100000000u

/* The Rust Dtype enum, in its declaration order (the serializer sorts by it); dt -1: not supported by nn.h. */
typedef struct nn__st_dtype {
  const char *name;
  int dt;
} nn__st_dtype;
static const nn__st_dtype nn__st_dtypes[] = {
    {"BOOL", NN_BOOL}, {"U8", NN_UINT8}, {"I8", -1},   {"F8_E5M2", -1},      {"F8_E4M3", -1},
    {"I16", -1},       {"U16", -1},      {"F16", -1},  {"BF16", -1},         {"I32", NN_INT32},
    {"U32", -1},       {"F32", NN_FLOAT32}, {"F64", NN_FLOAT64}, {"I64", NN_INT64}, {"U64", -1},
    {"F8_E8M0", -1},   {"F4", -1},       {"F6_E2M3", -1}, {"F6_E3M2", -1},   {"C64", -1}};
#define NN__ST_NDTYPES ((int)(sizeof nn__st_dtypes / sizeof nn__st_dtypes[0]))

NN__PRIVATE int nn__st_rank(nn_dtype dt) {
  int i;
  for (i = 0; i < NN__ST_NDTYPES; i++)
    if (nn__st_dtypes[i].dt == (int)dt) return i;
  return -1;
}

typedef struct nn__st_entry {
  char *name;
  nn_dtype dt;
  int ndim;
  int64_t shape[NN_MAX_DIMS];
  uint64_t begin, end;
} nn__st_entry;

typedef struct nn__st_header {
  nn__st_entry *e;
  int n, cap;
  char **mkeys, **mvals;
  int nmeta, mcap;
} nn__st_header;

NN__PRIVATE void nn__st_header_free(nn__st_header *h) {
  int i;
  for (i = 0; i < h->n; i++) NN_FREE(h->e[i].name);
  for (i = 0; i < h->nmeta; i++) {
    NN_FREE(h->mkeys[i]);
    NN_FREE(h->mvals[i]);
  }
  NN_FREE(h->e);
  NN_FREE(h->mkeys);
  NN_FREE(h->mvals);
}

/* {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}; other keys are ignored, as serde does. */
NN__PRIVATE nn_status nn__st_parse_info(nn__json *j, nn__st_entry *e) {
  int have_dtype = 0, have_shape = 0, have_offsets = 0;
  if (nn__json_expect(j, '{') != NN_OK) return nn_last_status();
  if (nn__json_peek(j) == '}') return nn__json_fail(j, "tensor '%s' has no dtype, shape or data_offsets", e->name);
  for (;;) {
    char *key;
    int c;
    if (nn__json_string(j, &key, NULL) != NN_OK) return nn_last_status();
    if (nn__json_expect(j, ':') != NN_OK) {
      NN_FREE(key);
      return nn_last_status();
    }
    if (strcmp(key, "dtype") == 0 || strcmp(key, "shape") == 0 || strcmp(key, "data_offsets") == 0) {
      int *have = key[0] == 'd' && key[1] == 't' ? &have_dtype : key[0] == 's' ? &have_shape : &have_offsets;
      if (*have) {
        nn_status s = nn__json_fail(j, "tensor '%s' has '%s' twice", e->name, key);
        NN_FREE(key);
        return s;
      }
      *have = 1;
    }
    if (strcmp(key, "dtype") == 0) {
      char *v;
      int i;
      NN_FREE(key);
      if (nn__json_string(j, &v, NULL) != NN_OK) return nn_last_status();
      for (i = 0; i < NN__ST_NDTYPES; i++)
        if (strcmp(v, nn__st_dtypes[i].name) == 0) break;
      if (i == NN__ST_NDTYPES) {
        nn_status s = nn__json_fail(j, "tensor '%s' has an unknown dtype '%.40s'", e->name, v);
        NN_FREE(v);
        return s;
      }
      if (nn__st_dtypes[i].dt < 0) {
        nn_status s = nn__iofail(j->op, j->path, NN_ERR_UNSUPPORTED,
                                 "tensor '%s' has dtype %s, which nn.h does not support (F32, F64, I32, I64, U8, BOOL)",
                                 e->name, v);
        NN_FREE(v);
        return s;
      }
      NN_FREE(v);
      e->dt = (nn_dtype)nn__st_dtypes[i].dt;
    } else if (strcmp(key, "shape") == 0) {
      NN_FREE(key);
      if (nn__json_expect(j, '[') != NN_OK) return nn_last_status();
      if (nn__json_peek(j) == ']') j->p++;
      else
        for (;;) {
          uint64_t v;
          if (nn__json_uint(j, &v) != NN_OK) return nn_last_status();
          if (e->ndim == NN_MAX_DIMS)
            return nn__iofail(j->op, j->path, NN_ERR_UNSUPPORTED, "tensor '%s' has more than %d dimensions", e->name,
                              NN_MAX_DIMS);
          e->shape[e->ndim++] = (int64_t)v;
          if (nn__json_peek(j) == ',') {
            j->p++;
            continue;
          }
          if (nn__json_expect(j, ']') != NN_OK) return nn_last_status();
          break;
        }
    } else if (strcmp(key, "data_offsets") == 0) {
      NN_FREE(key);
      if (nn__json_expect(j, '[') != NN_OK || nn__json_uint(j, &e->begin) != NN_OK || nn__json_expect(j, ',') != NN_OK ||
          nn__json_uint(j, &e->end) != NN_OK || nn__json_expect(j, ']') != NN_OK)
        return nn_last_status();
    } else {
      NN_FREE(key);
      if (nn__json_skip(j, 0) != NN_OK) return nn_last_status();
    }
    c = nn__json_peek(j);
    if (c == ',') {
      j->p++;
      continue;
    }
    if (nn__json_expect(j, '}') != NN_OK) return nn_last_status();
    break;
  }
  if (!have_dtype || !have_shape || !have_offsets)
    return nn__json_fail(j, "tensor '%s' lacks '%s'", e->name, !have_dtype ? "dtype" : !have_shape ? "shape" : "data_offsets");
  return NN_OK;
}

NN__PRIVATE nn_status nn__st_parse_meta(nn__json *j, nn__st_header *h) {
  if (nn__json_expect(j, '{') != NN_OK) return nn_last_status();
  if (nn__json_peek(j) == '}') {
    j->p++;
    return NN_OK;
  }
  for (;;) {
    char *k = NULL, *v = NULL;
    int i;
    if (nn__json_string(j, &k, NULL) != NN_OK) return nn_last_status();
    if (nn__json_expect(j, ':') != NN_OK) {
      NN_FREE(k);
      return nn_last_status();
    }
    if (nn__json_peek(j) != '"') {
      NN_FREE(k);
      return nn__json_fail(j, "__metadata__ values must be strings");
    }
    if (nn__json_string(j, &v, NULL) != NN_OK) {
      NN_FREE(k);
      return nn_last_status();
    }
    for (i = 0; i < h->nmeta; i++)
      if (strcmp(h->mkeys[i], k) == 0) {
        nn_status s = nn__json_fail(j, "__metadata__ has the key '%.60s' twice", k);
        NN_FREE(k);
        NN_FREE(v);
        return s;
      }
    if (h->nmeta == h->mcap) {
      int cap = h->mcap ? 2 * h->mcap : 8;
      char **a = (char **)NN_REALLOC(h->mkeys, sizeof(char *) * (size_t)cap), **b;
      if (a) h->mkeys = a;
      b = a ? (char **)NN_REALLOC(h->mvals, sizeof(char *) * (size_t)cap) : NULL;
      if (b) h->mvals = b;
      if (!a || !b) {
        NN_FREE(k);
        NN_FREE(v);
        return nn__fail(NN_ERR_OOM, "%s: out of memory reading the header", j->op);
      }
      h->mcap = cap;
    }
    h->mkeys[h->nmeta] = k;
    h->mvals[h->nmeta] = v;
    h->nmeta++;
    if (nn__json_peek(j) == ',') {
      j->p++;
      continue;
    }
    return nn__json_expect(j, '}');
  }
}

NN__PRIVATE int nn__st_cmp_name(const void *ctx, int a, int b) {
  const nn__st_entry *e = (const nn__st_entry *)ctx;
  return strcmp(e[a].name, e[b].name);
}
NN__PRIVATE int nn__st_cmp_offsets(const void *ctx, int a, int b) {
  const nn__st_entry *e = (const nn__st_entry *)ctx;
  if (e[a].begin != e[b].begin) return e[a].begin < e[b].begin ? -1 : 1;
  if (e[a].end != e[b].end) return e[a].end < e[b].end ? -1 : 1;
  return 0;
}

/* Parses the header text into h. */
NN__PRIVATE nn_status nn__st_parse(nn__json *j, nn__st_header *h) {
  int have_meta = 0;
  size_t bad = nn__utf8_check(j->start, (size_t)(j->end - j->start));
  if (bad != (size_t)(j->end - j->start))
    return nn__iofail(j->op, j->path, NN_ERR_FORMAT, "the header is not valid UTF-8 (byte %llu)", (unsigned long long)bad);
  if (nn__json_expect(j, '{') != NN_OK) return nn_last_status();
  if (nn__json_peek(j) == '}') j->p++;
  else
    for (;;) {
      char *name;
      size_t name_n;
      if (nn__json_string(j, &name, &name_n) != NN_OK) return nn_last_status();
      if (nn__json_expect(j, ':') != NN_OK) {
        NN_FREE(name);
        return nn_last_status();
      }
      if (strcmp(name, "__metadata__") == 0) {
        NN_FREE(name);
        if (have_meta) return nn__json_fail(j, "__metadata__ appears twice");
        have_meta = 1;
        if (nn__st_parse_meta(j, h) != NN_OK) return nn_last_status();
      } else {
        nn__st_entry *e;
        if (h->n == h->cap) {
          int cap = h->cap ? 2 * h->cap : 16;
          nn__st_entry *q = (nn__st_entry *)NN_REALLOC(h->e, sizeof(nn__st_entry) * (size_t)cap);
          if (!q) {
            NN_FREE(name);
            return nn__fail(NN_ERR_OOM, "%s: out of memory reading the header", j->op);
          }
          h->e = q;
          h->cap = cap;
        }
        e = &h->e[h->n++];
        memset(e, 0, sizeof *e);
        e->name = name;
        if (nn__st_parse_info(j, e) != NN_OK) return nn_last_status();
      }
      if (nn__json_peek(j) == ',') {
        j->p++;
        continue;
      }
      if (nn__json_expect(j, '}') != NN_OK) return nn_last_status();
      break;
    }
  nn__json_ws(j);
  if (j->p != j->end) return nn__json_fail(j, "unexpected text after the header object");
  return NN_OK;
}

/* Checks names are unique and offsets tile [0, data_len) exactly; sets order to the entries sorted by offset. */
NN__PRIVATE nn_status nn__st_validate(const char *op, const char *path, nn__st_header *h, uint64_t data_len, int *order) {
  int i;
  uint64_t at = 0;
  if (!nn__sort_idx(order, h->n, nn__st_cmp_name, h->e)) return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
  for (i = 1; i < h->n; i++)
    if (strcmp(h->e[order[i - 1]].name, h->e[order[i]].name) == 0)
      return nn__iofail(op, path, NN_ERR_FORMAT, "the tensor name '%s' appears twice in the header", h->e[order[i]].name);
  if (!nn__sort_idx(order, h->n, nn__st_cmp_offsets, h->e)) return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
  for (i = 0; i < h->n; i++) {
    const nn__st_entry *e = &h->e[order[i]];
    uint64_t count = 1, es = nn_dtype_size(e->dt);
    int d, over = 0;
    if (e->begin != at || e->end < e->begin)
      return nn__iofail(op, path, NN_ERR_FORMAT,
                        "tensor '%s' has data_offsets [%llu, %llu], but the data %s at offset %llu", e->name,
                        (unsigned long long)e->begin, (unsigned long long)e->end,
                        e->end < e->begin ? "cannot end before it starts; it should start" :
                        e->begin < at ? "overlaps the previous tensor, which ends" : "leaves a gap after the previous tensor, which ends",
                        (unsigned long long)at);
    if (nn__io_check_dims(op, path, e->shape, e->ndim) != NN_OK) return nn_last_status();
    for (d = 0; d < e->ndim; d++) {
      uint64_t s = (uint64_t)e->shape[d];
      if (s && count > data_len / s) over = 1;
      else count *= s;
      if (s == 0) {
        count = 0;
        over = 0;
        break;
      }
    }
    if (over || count * es != e->end - e->begin) {
      char sh[160];
      nn__fmt_shape(sh, sizeof sh, e->shape, e->ndim);
      return nn__iofail(op, path, NN_ERR_FORMAT, "tensor '%s' has %llu data bytes, but dtype %s and shape %s need %s%llu",
                        e->name, (unsigned long long)(e->end - e->begin), nn_dtype_name(e->dt), sh, over ? "more than " : "",
                        (unsigned long long)(over ? data_len : count * es));
    }
    at = e->end;
  }
  if (at != data_len)
    return nn__iofail(op, path, NN_ERR_FORMAT, "the tensors cover %llu data bytes but the file holds %llu after the header",
                      (unsigned long long)at, (unsigned long long)data_len);
  return NN_OK;
}

/* Reads a safetensors file from r (a file or a memory buffer). */
NN__PRIVATE nn_tensor_dict *nn__st_read(nn__rd *r) {
  const char *op = r->op;
  unsigned char len8[8], *text = NULL;
  uint64_t hlen;
  nn__st_header h;
  nn__json j;
  nn_tensor_dict *d = NULL;
  int i, *order = NULL;
  memset(&h, 0, sizeof h);
  if (r->size < 8) {
    nn__iofail(op, r->path, NN_ERR_FORMAT, "file is truncated: %llu bytes, less than the 8-byte header length",
               (unsigned long long)r->size);
    return NULL;
  }
  if (nn__rd_read(r, len8, 8, "the header length") != NN_OK) return NULL;
  hlen = nn__le64(len8);
  if (hlen > NN__ST_MAX_HEADER) {
    nn__iofail(op, r->path, NN_ERR_FORMAT, "header length %llu is above the 100 MB limit", (unsigned long long)hlen);
    return NULL;
  }
  if (hlen > r->size - 8) {
    nn__iofail(op, r->path, NN_ERR_FORMAT, "file is truncated: the header length is %llu but only %llu bytes follow",
               (unsigned long long)hlen, (unsigned long long)(r->size - 8));
    return NULL;
  }
  if (nn__rd_slurp(r, hlen, &text, "the header") != NN_OK) return NULL;
  j.start = j.p = text;
  j.end = text + hlen;
  j.op = op;
  j.path = r->path;
  if (nn__st_parse(&j, &h) != NN_OK) goto fail;
  order = (int *)NN_MALLOC(sizeof(int) * (size_t)(h.n > 0 ? h.n : 1));
  if (!order) {
    nn__fail(NN_ERR_OOM, "%s: out of memory", op);
    goto fail;
  }
  if (nn__st_validate(op, r->path, &h, r->size - 8 - hlen, order) != NN_OK) goto fail;
  d = nn__dict_new(op);
  if (!d) goto fail;
  for (i = 0; i < h.nmeta; i++) {
    nn_status s = nn__dict_add_meta(op, d, h.mkeys[i], h.mvals[i]);
    h.mkeys[i] = h.mvals[i] = NULL;
    if (s != NN_OK) goto fail;
  }
  for (i = 0; i < h.n; i++) {
    nn__st_entry *e = &h.e[order[i]];
    nn_tensor *t = nn__new(op, e->dt, e->shape, e->ndim);
    size_t es = nn_dtype_size(e->dt);
    if (!t) goto fail;
    if (nn__dict_add(op, d, e->name, strlen(e->name), t) != NN_OK) goto fail;
    if (nn__rd_read(r, t->data, e->end - e->begin, "tensor data") != NN_OK) goto fail;
    if (e->dt == NN_BOOL) nn__bool_normalize((unsigned char *)t->data, (size_t)t->size);
    else if (!nn__host_le()) nn__bswap_buf(t->data, (size_t)t->size, es);
  }
  nn__st_header_free(&h);
  NN_FREE(order);
  NN_FREE(text);
  return d;
fail:
  nn_dict_free(d);
  nn__st_header_free(&h);
  NN_FREE(order);
  NN_FREE(text);
  return NULL;
}

NNDEF nn_tensor_dict *nn_load_safetensors(const char *path) {
  nn__rd r;
  nn_tensor_dict *d;
  if (nn__rd_open(&r, "nn_load_safetensors", path) != NN_OK) return NULL;
  d = nn__st_read(&r);
  nn__rd_close(&r);
  return d;
}

typedef struct nn__st_wctx {
  const char *const *names;
  nn_tensor *const *tensors;
} nn__st_wctx;

/* The serializer's order: larger dtypes (in the Rust enum's order) first, then by name. */
NN__PRIVATE int nn__st_cmp_write(const void *ctx, int a, int b) {
  const nn__st_wctx *c = (const nn__st_wctx *)ctx;
  int ra = nn__st_rank(c->tensors[a]->dtype), rb = nn__st_rank(c->tensors[b]->dtype);
  if (ra != rb) return ra > rb ? -1 : 1;
  return strcmp(c->names[a], c->names[b]);
}

NNDEF nn_status nn_save_safetensors(const char *path, const char *const *names, nn_tensor *const *tensors, int n,
                                    const char *const *metadata, int n_metadata) {
  const char *op = "nn_save_safetensors";
  nn__st_wctx ctx;
  nn__str b;
  nn__wr w;
  int i, *order = NULL, *morder = NULL;
  uint64_t off = 0;
  unsigned char len8[8];
  if (nn__check_named(op, path, names, tensors, n) != NN_OK) return nn_last_status();
  if (n_metadata < 0) return nn__fail(NN_ERR_ARG, "%s: n_metadata is %d; it cannot be negative", op, n_metadata);
  if (n_metadata > 0 && !metadata) return nn__fail_null(op, "metadata");
  for (i = 0; i < n; i++)
    if (strcmp(names[i], "__metadata__") == 0) return nn__fail(NN_ERR_VALUE, "%s: '__metadata__' cannot name a tensor", op);
  for (i = 0; i < 2 * n_metadata; i++) {
    char arg[32];
    snprintf(arg, sizeof arg, "metadata[%d]", i);
    if (!metadata[i]) return nn__fail_null(op, arg);
    if (nn__utf8_check((const unsigned char *)metadata[i], strlen(metadata[i])) != strlen(metadata[i]))
      return nn__fail(NN_ERR_VALUE, "%s: metadata[%d] is not valid UTF-8", op, i);
  }
  order = (int *)NN_MALLOC(sizeof(int) * (size_t)(n > 0 ? n : 1));
  morder = (int *)NN_MALLOC(sizeof(int) * (size_t)(n_metadata > 0 ? n_metadata : 1));
  memset(&b, 0, sizeof b);
  ctx.names = names;
  ctx.tensors = tensors;
  if (!order || !morder || !nn__sort_idx(order, n, nn__st_cmp_write, &ctx)) {
    NN_FREE(order);
    NN_FREE(morder);
    return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
  }
  /* Metadata keys sorted (the reference keeps them in a hash map, so any order is valid; sorted is reproducible). */
  for (i = 0; i < n_metadata; i++) {
    int k = i;
    while (k > 0 && strcmp(metadata[2 * morder[k - 1]], metadata[2 * i]) > 0) {
      morder[k] = morder[k - 1];
      k--;
    }
    morder[k] = i;
    if (k > 0 && strcmp(metadata[2 * morder[k - 1]], metadata[2 * i]) == 0) {
      NN_FREE(order);
      NN_FREE(morder);
      return nn__fail(NN_ERR_VALUE, "%s: the metadata key '%s' is given twice", op, metadata[2 * i]);
    }
  }
  nn__str_putc(&b, '{');
  if (n_metadata > 0) {
    nn__str_puts(&b, "\"__metadata__\":{");
    for (i = 0; i < n_metadata; i++) {
      if (i) nn__str_putc(&b, ',');
      nn__json_put_string(&b, metadata[2 * morder[i]]);
      nn__str_putc(&b, ':');
      nn__json_put_string(&b, metadata[2 * morder[i] + 1]);
    }
    nn__str_putc(&b, '}');
  }
  for (i = 0; i < n; i++) {
    const nn_tensor *t = tensors[order[i]];
    int d;
    if (i || n_metadata > 0) nn__str_putc(&b, ',');
    nn__json_put_string(&b, names[order[i]]);
    nn__str_puts(&b, ":{\"dtype\":\"");
    nn__str_puts(&b, nn__st_dtypes[nn__st_rank(t->dtype)].name);
    nn__str_puts(&b, "\",\"shape\":[");
    for (d = 0; d < t->ndim; d++) {
      if (d) nn__str_putc(&b, ',');
      nn__str_u64(&b, (uint64_t)t->shape[d]);
    }
    nn__str_puts(&b, "],\"data_offsets\":[");
    nn__str_u64(&b, off);
    nn__str_putc(&b, ',');
    off += (uint64_t)t->size * nn_dtype_size(t->dtype);
    nn__str_u64(&b, off);
    nn__str_puts(&b, "]}");
  }
  nn__str_putc(&b, '}');
  while (b.n % 8) nn__str_putc(&b, ' '); /* the data starts 8-byte aligned */
  NN_FREE(morder);
  if (b.oom) {
    NN_FREE(order);
    NN_FREE(b.p);
    return nn__fail(NN_ERR_OOM, "%s: out of memory building the header", op);
  }
  if (nn__wr_open(&w, op, path) != NN_OK) {
    NN_FREE(order);
    NN_FREE(b.p);
    return nn_last_status();
  }
  nn__put_le64(len8, b.n);
  nn__wr_put(&w, len8, 8);
  nn__wr_put(&w, b.p, b.n);
  for (i = 0; i < n; i++) nn__wr_tensor(&w, tensors[order[i]], 0);
  NN_FREE(order);
  NN_FREE(b.p);
  return nn__wr_close(&w);
}
