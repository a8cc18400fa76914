/* io/csv.c: numeric CSV files (np.loadtxt-like) into a feature matrix and an integer label vector. Two passes over
   the (decompressed) text: the first counts rows and columns, the second parses into tensors allocated once. */

typedef struct nn__csv {
  const char *op, *path;
  char delim;
  long line; /* 1-based line number of the line being read */
} nn__csv;

/* Splits off the next field of the line [*pp, le). Sets [*fs, *fe) to its text (quotes removed, spaces trimmed)
   and *pp past the delimiter; *last is set when the field ended the line. Returns 0, or -1 for a malformed
   quoted field. */
NN__PRIVATE int nn__csv_field(const nn__csv *c, const char **pp, const char *le, const char **fs, const char **fe, int *last) {
  const char *p = *pp;
  while (p < le && (*p == ' ' || *p == '\t') && *p != c->delim) p++;
  if (p < le && *p == '"') {
    const char *q = ++p;
    while (q < le && *q != '"') q++;
    if (q >= le) return -1;
    *fs = p;
    *fe = q;
    p = q + 1;
    while (p < le && (*p == ' ' || *p == '\t') && *p != c->delim) p++;
    if (p < le && *p != c->delim) return -1;
  } else {
    const char *q = p;
    while (q < le && *q != c->delim) q++;
    *fs = p;
    *fe = q;
    while (*fe > *fs && ((*fe)[-1] == ' ' || (*fe)[-1] == '\t') && (*fe)[-1] != c->delim) (*fe)--;
    p = q;
  }
  *last = p >= le;
  *pp = p < le ? p + 1 : le;
  return 0;
}

/* Decimal number -> double. Fast exact path for up to 15 significant digits and |exponent| <= 22 (one correctly
   rounded multiplication or division, as strtod would give); anything else (more digits, nan, inf, hex) goes
   through strtod on a terminated copy. Returns 0, or -1 if the text is not a number. */
NN__PRIVATE int nn__csv_number(const char *s, const char *e, double *out) {
  static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char *p = s;
  uint64_t m = 0;
  int neg = 0, sig = 0, ex = 0, any = 0;
  if (p < e && (*p == '+' || *p == '-')) neg = *p++ == '-';
  for (; p < e && *p >= '0' && *p <= '9'; p++) {
    any = 1;
    if (m || *p != '0') {
      if (sig < 19) m = m * 10 + (uint64_t)(*p - '0');
      else ex++; /* a dropped digit; more than 15 significant digits go to strtod anyway */
      sig++;
    }
  }
  if (p < e && *p == '.') {
    for (p++; p < e && *p >= '0' && *p <= '9'; p++) {
      any = 1;
      if (m || *p != '0') {
        if (sig < 19) {
          m = m * 10 + (uint64_t)(*p - '0');
          ex--;
        }
        sig++;
      } else {
        ex--;
      }
    }
  }
  if (any && p < e && (*p == 'e' || *p == 'E')) {
    int eneg = 0, ev = 0, edig = 0;
    p++;
    if (p < e && (*p == '+' || *p == '-')) eneg = *p++ == '-';
    for (; p < e && *p >= '0' && *p <= '9'; p++, edig++)
      if (ev < 100000) ev = ev * 10 + (*p - '0');
    if (!edig) any = 0;
    ex += eneg ? -ev : ev;
  }
  if (any && p == e && sig <= 15 && ex >= -22 && ex <= 22) {
    double v = (double)m;
    v = ex < 0 ? v / p10[-ex] : v * p10[ex];
    *out = neg ? -v : v;
    return 0;
  }
  {
    char buf[256], *end = NULL;
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    *out = strtod(buf, &end);
    return end == buf + n ? 0 : -1;
  }
}

/* Integer label: exact for any int64; a number with an integral value (e.g. "3.0") is accepted too. */
NN__PRIVATE int nn__csv_label(const char *s, const char *e, int64_t *out) {
  const char *p = s;
  uint64_t v = 0;
  int neg = 0;
  double d;
  if (p < e && (*p == '+' || *p == '-')) neg = *p++ == '-';
  if (p < e) {
    while (p < e && *p >= '0' && *p <= '9') {
      if (v > (UINT64_MAX - 9) / 10) break;
      v = v * 10 + (uint64_t)(*p++ - '0');
    }
    if (p == e && v <= (uint64_t)INT64_MAX + (uint64_t)neg) {
      *out = !neg ? (int64_t)v : v > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)v;
      return 0;
    }
  }
  if (nn__csv_number(s, e, &d) != 0) return -1;
  if (!(d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return -2;
  *out = (int64_t)d;
  return 0;
}

NN__PRIVATE nn_status nn__csv_fail_field(const nn__csv *c, int col, const char *fs, const char *fe, const char *why) {
  char shown[48];
  int n = 0;
  if (fs == fe) return nn__iofail(c->op, c->path, NN_ERR_FORMAT, "line %ld, column %d: empty field", c->line, col);
  for (; fs < fe && n < 40; fs++) shown[n++] = *fs >= 0x20 && *fs < 0x7F ? *fs : '?'; /* no raw bytes in messages */
  shown[n] = 0;
  return nn__iofail(c->op, c->path, NN_ERR_FORMAT, "line %ld, column %d: '%s%s' %s", c->line, col, shown, fs < fe ? "..." : "",
                    why);
}

NN__PRIVATE int nn__csv_blank(const char *ls, const char *le) {
  for (; ls < le; ls++)
    if (*ls != ' ' && *ls != '\t') return 0;
  return 1;
}

/* Next line of [*pp, end): [*ls, *le) without its "\n" or "\r\n". Returns 0 at the end of the text. */
NN__PRIVATE int nn__csv_line(const char **pp, const char *end, const char **ls, const char **le) {
  const char *p = *pp, *q;
  if (p >= end) return 0;
  q = (const char *)memchr(p, '\n', (size_t)(end - p));
  if (!q) q = end;
  *ls = p;
  *le = q > p && q[-1] == '\r' ? q - 1 : q;
  *pp = q < end ? q + 1 : end;
  return 1;
}

/* Parses the data lines; X and y are NULL in the counting pass. */
NN__PRIVATE nn_status nn__csv_pass(nn__csv *c, const char *text, const char *end, long skip, int label, int *ncols,
                                   int64_t *nrows, nn_tensor *X, nn_tensor *y) {
  const char *p = text, *ls, *le;
  long first_line = 0;
  int64_t row = 0;
  c->line = 0;
  while (nn__csv_line(&p, end, &ls, &le)) {
    const char *q = ls, *fs, *fe;
    int col = 0, last = 0, xcol = 0;
    c->line++;
    if (c->line <= skip || nn__csv_blank(ls, le)) continue;
    while (!last) {
      if (nn__csv_field(c, &q, le, &fs, &fe, &last) != 0)
        return nn__iofail(c->op, c->path, NN_ERR_FORMAT, "line %ld, column %d: unterminated or misplaced double quote",
                          c->line, col + 1);
      if (*ncols && col >= *ncols)
        return nn__iofail(c->op, c->path, NN_ERR_FORMAT, "line %ld has more than %d fields (line %ld has %d)", c->line,
                          *ncols, first_line, *ncols);
      if (X) {
        if (col == label) {
          int64_t v;
          int r = nn__csv_label(fs, fe, &v);
          if (r) return nn__csv_fail_field(c, col + 1, fs, fe, r == -1 ? "is not a number (label column)" : "is not an integer (label column)");
          ((int64_t *)y->data)[row] = v;
        } else {
          double v;
          if (fs == fe || nn__csv_number(fs, fe, &v) != 0) return nn__csv_fail_field(c, col + 1, fs, fe, "is not a number");
          if (X->dtype == NN_FLOAT32) ((float *)X->data)[row * X->shape[1] + xcol] = (float)v;
          else ((double *)X->data)[row * X->shape[1] + xcol] = v;
          xcol++;
        }
      }
      col++;
    }
    if (!*ncols) {
      *ncols = col;
      first_line = c->line;
    } else if (col != *ncols) {
      return nn__iofail(c->op, c->path, NN_ERR_FORMAT, "line %ld has %d fields, expected %d (as on line %ld)", c->line, col,
                        *ncols, first_line);
    }
    if (first_line == 0) first_line = c->line;
    row++;
  }
  *nrows = row;
  return NN_OK;
}

/* nn_load_csv on a file (mem NULL) or on a memory buffer (path then only names it in messages, or is NULL). */
NN__PRIVATE nn_status nn__csv_load(const char *path, const void *mem, size_t mem_n, const nn_csv_desc *desc, nn_tensor **X,
                                   nn_tensor **y) {
  const char *op = "nn_load_csv";
  nn_csv_desc d;
  nn__csv c;
  unsigned char *buf = NULL;
  size_t n = 0;
  const char *text, *end;
  int ncols = 0, label = -1;
  int64_t nrows = 0, shape[2];
  nn_tensor *tx = NULL, *ty = NULL;
  nn_status s;
  if (X) *X = NULL;
  if (y) *y = NULL;
  if (!path && !mem) return nn__fail_null(op, "path");
  if (!X) return nn__fail_null(op, "X");
  memset(&d, 0, sizeof d);
  if (desc) d = *desc;
  if (!d.delimiter) d.delimiter = ',';
  if (d.header < 0) return nn__fail(NN_ERR_ARG, "%s: header is %d; it counts lines to skip and cannot be negative", op, d.header);
  if (d.delimiter == '"' || d.delimiter == '\n' || d.delimiter == '\r')
    return nn__fail(NN_ERR_ARG, "%s: delimiter cannot be a double quote or a line break", op);
  if (d.dtype != NN_FLOAT32 && d.dtype != NN_FLOAT64)
    return nn__fail(NN_ERR_DTYPE, "%s: X can be float32 or float64, not %s", op, nn_dtype_name(d.dtype));
  if (nn__load_bytes(op, path, mem, mem_n, &buf, &n) != NN_OK) return nn_last_status();
  text = (const char *)buf;
  end = text + n;
  if (n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) text += 3; /* UTF-8 byte order mark */
  c.op = op;
  c.path = path;
  c.delim = d.delimiter;
  s = nn__csv_pass(&c, text, end, d.header, -1, &ncols, &nrows, NULL, NULL);
  if (s != NN_OK) goto done;
  if (nrows == 0) {
    s = nn__iofail(op, path, NN_ERR_FORMAT, "no data rows (after skipping %d header line%s)", d.header, d.header == 1 ? "" : "s");
    goto done;
  }
  if (y) {
    label = d.label_col < 0 ? d.label_col + ncols : d.label_col;
    if (label < 0 || label >= ncols) {
      s = nn__iofail(op, path, NN_ERR_INDEX, "label_col %d is out of range for %d columns", d.label_col, ncols);
      goto done;
    }
  }
  shape[0] = nrows;
  shape[1] = ncols - (y ? 1 : 0);
  tx = nn__new(op, d.dtype, shape, 2);
  if (y) ty = nn__new(op, NN_INT64, shape, 1);
  if (!tx || (y && !ty)) {
    s = nn_last_status();
    goto done;
  }
  s = nn__csv_pass(&c, text, end, d.header, label, &ncols, &nrows, tx, ty);
done:
  NN_FREE(buf);
  if (s != NN_OK) {
    nn_free(tx);
    nn_free(ty);
    return s;
  }
  *X = tx;
  if (y) *y = ty;
  return NN_OK;
}

NNDEF nn_status nn_load_csv(const char *path, const nn_csv_desc *desc, nn_tensor **X, nn_tensor **y) {
  if (!path) {
    if (X) *X = NULL;
    if (y) *y = NULL;
    return nn__fail_null("nn_load_csv", "path");
  }
  return nn__csv_load(path, NULL, 0, desc, X, y);
}
