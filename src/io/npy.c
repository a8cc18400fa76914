/* io/npy.c: NumPy's .npy format (numpy/lib/format.py): "\x93NUMPY", a version (1.0, 2.0 or 3.0), a header length
   (2 bytes in 1.0, 4 after), a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
   padded with spaces and a newline so the data starts 64-byte aligned, then the raw data. */

/* Skips spaces in the header literal. */
NN__PRIVATE void nn__npy_ws(const char **p, const char *e) {
  while (*p < e && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')) (*p)++;
}

/* A quoted Python string without escapes: [*s, *se). */
NN__PRIVATE int nn__npy_str(const char **p, const char *e, const char **s, const char **se) {
  char q;
  nn__npy_ws(p, e);
  if (*p >= e || (**p != '\'' && **p != '"')) return 0;
  q = *(*p)++;
  *s = *p;
  while (*p < e && **p != q) {
    if (**p == '\\') return 0;
    (*p)++;
  }
  if (*p >= e) return 0;
  *se = (*p)++;
  return 1;
}

NN__PRIVATE int nn__npy_word(const char **p, const char *e, const char *w) {
  size_t k = strlen(w);
  nn__npy_ws(p, e);
  if ((size_t)(e - *p) < k || memcmp(*p, w, k) != 0) return 0;
  if ((size_t)(e - *p) > k && (((*p)[k] >= 'a' && (*p)[k] <= 'z') || ((*p)[k] >= 'A' && (*p)[k] <= 'Z') || (*p)[k] == '_'))
    return 0;
  *p += k;
  return 1;
}

/* descr -> dtype and whether the data must be byte-swapped. 0: not one of the six dtypes. */
NN__PRIVATE int nn__npy_descr(const char *s, const char *e, nn_dtype *dt, int *swap) {
  char order = '|';
  size_t n;
  if (s < e && (*s == '<' || *s == '>' || *s == '|' || *s == '=')) order = *s++;
  n = (size_t)(e - s);
  if (n != 2) return 0;
  if (memcmp(s, "f4", 2) == 0) *dt = NN_FLOAT32;
  else if (memcmp(s, "f8", 2) == 0) *dt = NN_FLOAT64;
  else if (memcmp(s, "i4", 2) == 0) *dt = NN_INT32;
  else if (memcmp(s, "i8", 2) == 0) *dt = NN_INT64;
  else if (memcmp(s, "u1", 2) == 0) *dt = NN_UINT8;
  else if (memcmp(s, "b1", 2) == 0) *dt = NN_BOOL;
  else return 0;
  *swap = nn_dtype_size(*dt) > 1 && ((order == '>' && nn__host_le()) || (order == '<' && !nn__host_le()));
  return 1;
}

typedef struct nn__npy_info {
  nn_dtype dt;
  int swap, fortran, ndim;
  int64_t shape[NN_MAX_DIMS];
} nn__npy_info;

/* Parses the header dict. Like NumPy it requires exactly the keys descr, fortran_order and shape. */
NN__PRIVATE nn_status nn__npy_parse_header(const char *op, const char *path, const char *p, const char *e, nn__npy_info *info) {
  int seen = 0;
  const char *begin = p;
#define NN__NPY_BAD(why) \
  return nn__iofail(op, path, NN_ERR_FORMAT, "invalid .npy header at character %d: %s", (int)(p - begin), why)
  nn__npy_ws(&p, e);
  if (p >= e || *p != '{') NN__NPY_BAD("expected '{'");
  p++;
  for (;;) {
    const char *k, *ke;
    nn__npy_ws(&p, e);
    if (p < e && *p == '}') {
      p++;
      break;
    }
    if (!nn__npy_str(&p, e, &k, &ke)) NN__NPY_BAD("expected a quoted key");
    nn__npy_ws(&p, e);
    if (p >= e || *p != ':') NN__NPY_BAD("expected ':'");
    p++;
    if (ke - k == 5 && memcmp(k, "descr", 5) == 0 && !(seen & 1)) {
      const char *s, *se;
      seen |= 1;
      nn__npy_ws(&p, e);
      if (p < e && *p == '[')
        return nn__iofail(op, path, NN_ERR_UNSUPPORTED, "structured dtypes are not supported (nn.h has float32, float64, "
                                                        "int32, int64, uint8, bool)");
      if (!nn__npy_str(&p, e, &s, &se)) NN__NPY_BAD("descr must be a quoted string");
      if (!nn__npy_descr(s, se, &info->dt, &info->swap))
        return nn__iofail(op, path, NN_ERR_UNSUPPORTED,
                          "dtype '%.*s' is not supported (nn.h has float32, float64, int32, int64, uint8, bool)",
                          (int)(se - s > 40 ? 40 : se - s), s);
    } else if (ke - k == 13 && memcmp(k, "fortran_order", 13) == 0 && !(seen & 2)) {
      seen |= 2;
      if (nn__npy_word(&p, e, "True")) info->fortran = 1;
      else if (nn__npy_word(&p, e, "False")) info->fortran = 0;
      else NN__NPY_BAD("fortran_order must be True or False");
    } else if (ke - k == 5 && memcmp(k, "shape", 5) == 0 && !(seen & 4)) {
      int items = 0, comma = 0;
      seen |= 4;
      nn__npy_ws(&p, e);
      if (p >= e || *p != '(') NN__NPY_BAD("shape must be a tuple");
      p++;
      for (;;) {
        uint64_t v = 0;
        nn__npy_ws(&p, e);
        if (p < e && *p == ')') {
          p++;
          break;
        }
        if (items && !comma) NN__NPY_BAD("expected ',' between dimensions");
        if (p >= e || *p < '0' || *p > '9') NN__NPY_BAD("a dimension must be a non-negative integer");
        while (p < e && *p >= '0' && *p <= '9') {
          if (v > ((uint64_t)1 << 48)) NN__NPY_BAD("dimension too large");
          v = v * 10 + (uint64_t)(*p++ - '0');
        }
        if (p < e && *p == 'L') p++; /* Python 2 longs in old files */
        if (items == NN_MAX_DIMS)
          return nn__iofail(op, path, NN_ERR_UNSUPPORTED, "the array has more than %d dimensions", NN_MAX_DIMS);
        info->shape[items++] = (int64_t)v;
        nn__npy_ws(&p, e);
        comma = p < e && *p == ',';
        if (comma) p++;
      }
      if (items == 1 && !comma) NN__NPY_BAD("a 1-element shape needs a trailing comma, e.g. (5,)");
      info->ndim = items;
    } else {
      NN__NPY_BAD("keys must be exactly 'descr', 'fortran_order' and 'shape'");
    }
    nn__npy_ws(&p, e);
    if (p < e && *p == ',') p++;
    else if (!(p < e && *p == '}')) NN__NPY_BAD("expected ',' or '}'");
  }
  if (seen != 7) NN__NPY_BAD("keys must be exactly 'descr', 'fortran_order' and 'shape'");
  nn__npy_ws(&p, e);
  if (p != e) NN__NPY_BAD("unexpected text after the dict");
#undef NN__NPY_BAD
  return NN_OK;
}

/* Reads one .npy array from r, which must hold exactly it. */
NN__PRIVATE nn_tensor *nn__npy_read(nn__rd *r) {
  const char *op = r->op;
  unsigned char pre[12];
  unsigned char *hdr = NULL;
  uint64_t hlen, count = 1, nbytes;
  int major, i, over = 0;
  nn__npy_info info;
  nn_tensor *t, *v;
  int64_t shape[NN_MAX_DIMS];
  if (nn__rd_read(r, pre, 8, "the magic string") != NN_OK) return NULL;
  if (memcmp(pre, "\x93NUMPY", 6) != 0) {
    nn__iofail(op, r->path, NN_ERR_FORMAT, "not a .npy file (bad magic string)");
    return NULL;
  }
  major = pre[6];
  if ((major != 1 && major != 2 && major != 3) || pre[7] != 0) {
    nn__iofail(op, r->path, NN_ERR_UNSUPPORTED, "format version %d.%d is not supported (1.0, 2.0 and 3.0 are)", pre[6], pre[7]);
    return NULL;
  }
  if (nn__rd_read(r, pre + 8, major == 1 ? 2 : 4, "the header length") != NN_OK) return NULL;
  hlen = major == 1 ? nn__le16(pre + 8) : nn__le32(pre + 8);
  if (hlen > (1u << 20)) {
    nn__iofail(op, r->path, NN_ERR_FORMAT, "header length %llu is above the 1 MiB limit", (unsigned long long)hlen);
    return NULL;
  }
  if (nn__rd_slurp(r, hlen, &hdr, "the header") != NN_OK) return NULL;
  memset(&info, 0, sizeof info);
  if (nn__npy_parse_header(op, r->path, (const char *)hdr, (const char *)hdr + hlen, &info) != NN_OK) {
    NN_FREE(hdr);
    return NULL;
  }
  NN_FREE(hdr);
  if (nn__io_check_dims(op, r->path, info.shape, info.ndim) != NN_OK) return NULL;
  for (i = 0; i < info.ndim; i++) {
    uint64_t s = (uint64_t)info.shape[i];
    if (s == 0) count = 0;
    else if (count && count > nn__rd_left(r) / s) over = 1;
    else count *= s;
  }
  if (count == 0) over = 0;
  nbytes = count * nn_dtype_size(info.dt);
  if (over || nbytes > nn__rd_left(r) || nbytes < nn__rd_left(r)) {
    char sh[160];
    nn__fmt_shape(sh, sizeof sh, info.shape, info.ndim);
    nn__iofail(op, r->path, NN_ERR_FORMAT, "%s: shape %s of %s needs %s%llu data bytes, the file has %llu",
               over || nbytes > nn__rd_left(r) ? "file is truncated" : "extra data after the array", sh,
               nn_dtype_name(info.dt), over ? "more than " : "", (unsigned long long)(over ? nn__rd_left(r) : nbytes),
               (unsigned long long)nn__rd_left(r));
    return NULL;
  }
  /* Fortran order: the data is the C-order array of the reversed shape; a view with reversed strides restores it. */
  for (i = 0; i < info.ndim; i++) shape[i] = info.fortran ? info.shape[info.ndim - 1 - i] : info.shape[i];
  t = nn__new(op, info.dt, shape, info.ndim);
  if (!t) return NULL;
  if (nn__rd_read(r, t->data, nbytes, "the array data") != NN_OK) {
    nn_free(t);
    return NULL;
  }
  if (info.dt == NN_BOOL) nn__bool_normalize((unsigned char *)t->data, (size_t)count);
  else if (info.swap) nn__bswap_buf(t->data, (size_t)count, nn_dtype_size(info.dt));
  if (!info.fortran || info.ndim < 2) return t;
  {
    int64_t st[NN_MAX_DIMS];
    for (i = 0; i < info.ndim; i++) st[i] = t->strides[info.ndim - 1 - i];
    v = nn__view(op, t, info.shape, st, info.ndim, t->data);
    nn_free(t);
    return v;
  }
}

NNDEF nn_tensor *nn_load_npy(const char *path) {
  nn__rd r;
  nn_tensor *t;
  if (nn__rd_open(&r, "nn_load_npy", path) != NN_OK) return NULL;
  t = nn__npy_read(&r);
  nn__rd_close(&r);
  return t;
}

/* The complete header (magic to newline) np.save writes for a C-ordered array like t. */
NN__PRIVATE void nn__npy_header(nn__str *b, const nn_tensor *t) {
  static const char *const descr[6] = {"<f4", "<f8", "<i4", "<i8", "|u1", "|b1"};
  char pre[10];
  size_t start = b->n, hlen, pad;
  int i;
  memcpy(pre, "\x93NUMPY\x01\x00\x00\x00", 10);
  nn__str_put(b, pre, 10);
  nn__str_puts(b, "{'descr': '");
  nn__str_puts(b, descr[t->dtype]);
  nn__str_puts(b, "', 'fortran_order': False, 'shape': (");
  for (i = 0; i < t->ndim; i++) {
    if (i) nn__str_puts(b, ", ");
    nn__str_u64(b, (uint64_t)t->shape[i]);
  }
  nn__str_puts(b, t->ndim == 1 ? ",), }" : "), }");
  if (t->ndim > 0) { /* NumPy leaves room for the first dimension to grow to 21 digits */
    char d[24];
    int k = snprintf(d, sizeof d, "%lld", (long long)t->shape[0]);
    for (i = k; i < 21; i++) nn__str_putc(b, ' ');
  }
  if (b->oom) return;
  hlen = b->n - start - 10 + 1;
  pad = 64 - (10 + hlen) % 64;
  for (i = 0; i < (int)pad; i++) nn__str_putc(b, ' ');
  nn__str_putc(b, '\n');
  if (b->oom) return;
  nn__put_le16((unsigned char *)b->p + start + 8, (uint32_t)(hlen + pad));
}

NNDEF nn_status nn_save_npy(const char *path, const nn_tensor *t) {
  const char *op = "nn_save_npy";
  nn__str b;
  nn__wr w;
  if (!path) return nn__fail_null(op, "path");
  if (nn__check_save_tensor(op, t, "t") != NN_OK) return nn_last_status();
  memset(&b, 0, sizeof b);
  nn__npy_header(&b, t);
  if (b.oom) {
    NN_FREE(b.p);
    return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
  }
  if (nn__wr_open(&w, op, path) != NN_OK) {
    NN_FREE(b.p);
    return nn_last_status();
  }
  nn__wr_put(&w, b.p, b.n);
  NN_FREE(b.p);
  nn__wr_tensor(&w, t, 0);
  return nn__wr_close(&w);
}
