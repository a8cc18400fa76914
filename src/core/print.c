/* core/print.c: NumPy's array repr (numpy/core/arrayprint.py, default options, floatmode='maxprec').

   The layout code mirrors arrayprint's _formatArray / _extendLine step by step; float digits come from the C
   library's correctly rounded printf: the shortest "%.{p}e" that reads back to the same value gives Dragon4's
   unique digits, and "%.{p}f" / "%.{p}e" give the digits cut at the precision. */

#define NN__PMAXPREC 100
#define NN__PBUF 400

/* ---- a growing string ---- */

typedef struct nn__sb {
  char *p;
  size_t n, cap;
  int oom;
} nn__sb;

NN__PRIVATE void nn__sb_putn(nn__sb *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *np;
    while (cap < b->n + n + 1) cap *= 2;
    np = (char *)NN_REALLOC(b->p, cap);
    if (!np) {
      b->oom = 1;
      return;
    }
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}
NN__PRIVATE void nn__sb_puts(nn__sb *b, const char *s) { nn__sb_putn(b, s, strlen(s)); }
NN__PRIVATE void nn__sb_spaces(nn__sb *b, int k) {
  static const char sp[] = "                                ";
  while (k > 0) {
    int m = k < 32 ? k : 32;
    nn__sb_putn(b, sp, (size_t)m);
    k -= m;
  }
}

/* ---- float digits ---- */

/* Digits and decimal exponent of printf's "%e" output: "d.ddde+XX" -> "dddd", XX. Returns the digit count. */
NN__PRIVATE int nn__parse_e(const char *s, char *dig, int *e10) {
  int nd = 0;
  for (; *s && *s != 'e' && *s != 'E'; s++)
    if (*s >= '0' && *s <= '9') dig[nd++] = *s;
  dig[nd] = 0;
  *e10 = *s ? atoi(s + 1) : 0;
  return nd;
}

/* The shortest digits that read back as a (finite, >= 0; float32 when f32): a = d.ddd x 10^e10. */
NN__PRIVATE int nn__shortest(double a, int f32, char *dig, int *e10) {
  char buf[64];
  int p, maxp = f32 ? 8 : 16;
  for (p = 0; p <= maxp; p++) {
    snprintf(buf, sizeof buf, "%.*e", p, a);
    if (f32 ? (strtof(buf, NULL) == (float)a) : (strtod(buf, NULL) == a)) break;
  }
  return nn__parse_e(buf, dig, e10);
}

NN__PRIVATE void nn__trim_zeros(char *s) {
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == '0') s[--n] = 0;
}

/* Positional digits of v with at most prec decimals, trailing zeros dropped: integer part (with '-') in ip,
   fraction in fp (maybe empty). exact_int: when the shortest digits stop before the units digit, print the exact
   integer instead of padding with zeros (what NumPy's print pass does with min_digits=0: float32 33564168 prints
   as "33564168." where format_float_positional gives "33564170."). */
NN__PRIVATE void nn__fmt_pos(double v, int f32, int prec, int exact_int, char *ip, char *fp) {
  char dig[64], buf[NN__PBUF];
  int e, nd, nfrac, k = 0, i;
  double a = fabs(v);
  if (signbit(v)) ip[k++] = '-';
  nd = nn__shortest(a, f32, dig, &e);
  nfrac = nd - 1 - e;
  if (exact_int && e >= nd) { /* only integers get here: the spacing of such values is at least 2 */
    snprintf(buf, sizeof buf, "%.0f", a);
    strcpy(ip + k, buf);
    fp[0] = 0;
  } else if (nfrac <= prec) {
    if (e >= 0) {
      for (i = 0; i <= e; i++) ip[k++] = i < nd ? dig[i] : '0';
      ip[k] = 0;
      strcpy(fp, nd > e + 1 ? dig + e + 1 : "");
    } else {
      ip[k++] = '0';
      ip[k] = 0;
      for (i = 0; i < -e - 1; i++) fp[i] = '0';
      strcpy(fp + i, dig);
    }
  } else {
    char *s = buf;
    snprintf(buf, sizeof buf, "%.*f", prec, a);
    while (*s >= '0' && *s <= '9') ip[k++] = *s++;
    ip[k] = 0;
    if (*s) s++;
    strcpy(fp, s);
  }
  nn__trim_zeros(fp);
}

/* Scientific digits of v with at most prec decimals in the mantissa, trailing zeros dropped: "-d" in ip, the
   decimals in fp, the exponent in *e10. */
NN__PRIVATE void nn__fmt_sci(double v, int f32, int prec, char *ip, char *fp, int *e10) {
  char dig[NN__PBUF], buf[NN__PBUF];
  int nd, k = 0;
  double a = fabs(v);
  if (signbit(v)) ip[k++] = '-';
  nd = nn__shortest(a, f32, dig, e10);
  if (nd - 1 > prec) {
    snprintf(buf, sizeof buf, "%.*e", prec, a);
    nd = nn__parse_e(buf, dig, e10);
  }
  ip[k++] = dig[0];
  ip[k] = 0;
  strcpy(fp, dig + 1);
  nn__trim_zeros(fp);
}

NN__PRIVATE int nn__exp_digits(int e) {
  int n = 0;
  if (e < 0) e = -e;
  do {
    n++;
    e /= 10;
  } while (e);
  return n < 2 ? 2 : n;
}

/* ---- the format of one array ---- */

typedef struct nn__pctx {
  const nn_tensor *t;
  nn_dtype dt;
  int prec, edge, linewidth, suppress, summarize;
  /* integers */
  int width;
  /* floats (FloatingFormat) */
  int exp, pad_left, pad_right, exp_size, fprec;
  /* fill pass state */
  int any_finite, any_nonfinite, neg_inf;
  double maxv, minv;
  int64_t imax, imin;
  int any;
  nn__sb *out;
} nn__pctx;

NN__PRIVATE int64_t nn__load_i64(nn_dtype dt, const char *p) {
  switch (dt) {
    case NN_INT32: return *(const int32_t *)p;
    case NN_INT64: return *(const int64_t *)p;
    default: return *(const uint8_t *)p;
  }
}

typedef void (*nn__pvisit_fn)(nn__pctx *c, const char *p);

/* Calls fn on every element that will be shown (all, or the edge items of every axis when summarizing). */
NN__PRIVATE void nn__pvisit(nn__pctx *c, const char *p, int axis, nn__pvisit_fn fn) {
  const nn_tensor *t = c->t;
  int64_t n, i, es = (int64_t)nn_dtype_size(t->dtype);
  if (axis == t->ndim) {
    fn(c, p);
    return;
  }
  n = t->shape[axis];
  for (i = 0; i < n; i++) {
    if (c->summarize && n > 2 * (int64_t)c->edge && i == c->edge) i = n - c->edge;
    nn__pvisit(c, p + i * t->strides[axis] * es, axis + 1, fn);
  }
}

NN__PRIVATE void nn__pscan(nn__pctx *c, const char *p) {
  if (nn__is_float(c->dt)) {
    double v = nn__load(c->dt, p), a = fabs(v);
    if (!isfinite(v)) {
      c->any_nonfinite = 1;
      if (v < 0) c->neg_inf = 1;
      return;
    }
    c->any_finite = 1;
    if (a != 0) {
      if (!c->any || a > c->maxv) c->maxv = a;
      if (!c->any || a < c->minv) c->minv = a;
      c->any = 1;
    }
  } else if (c->dt != NN_BOOL) {
    int64_t v = nn__load_i64(c->dt, p);
    if (!c->any || v > c->imax) c->imax = v;
    if (!c->any || v < c->imin) c->imin = v;
    c->any = 1;
  }
}

NN__PRIVATE void nn__pwidths(nn__pctx *c, const char *p) {
  char ip[NN__PBUF], fp[NN__PBUF];
  double v = nn__load(c->dt, p);
  int li, lf, e;
  if (!isfinite(v)) return;
  if (c->exp) {
    nn__fmt_sci(v, c->dt == NN_FLOAT32, c->prec, ip, fp, &e);
    if (nn__exp_digits(e) > c->exp_size) c->exp_size = nn__exp_digits(e);
  } else {
    nn__fmt_pos(v, c->dt == NN_FLOAT32, c->prec, 0, ip, fp);
  }
  li = (int)strlen(ip);
  lf = (int)strlen(fp);
  if (li > c->pad_left) c->pad_left = li;
  if (lf > c->pad_right) c->pad_right = lf;
}

/* FloatingFormat.fillFormat / IntegerFormat: one format for all shown elements. */
NN__PRIVATE void nn__pfill(nn__pctx *c) {
  const char *d = (const char *)c->t->data;
  nn__pvisit(c, d, 0, nn__pscan);
  if (nn__is_float(c->dt)) {
    if (c->any) {
      if (c->dt == NN_FLOAT32) {
        float mx = (float)c->maxv, mn = (float)c->minv;
        c->exp = mx >= 1e8f || (!c->suppress && (mn < 0.0001f || mx / mn > 1000.f));
      } else {
        c->exp = c->maxv >= 1e8 || (!c->suppress && (c->minv < 0.0001 || c->maxv / c->minv > 1000.));
      }
    }
    c->pad_left = c->pad_right = 0;
    c->exp_size = -1;
    if (c->any_finite) {
      nn__pvisit(c, d, 0, nn__pwidths);
      if (c->exp) {
        c->fprec = c->pad_right; /* decimals of the mantissa, all printed */
        c->pad_right = c->exp_size + 2 + c->fprec;
      }
    }
    if (c->any_nonfinite) {
      int off = c->pad_right + 1;
      c->pad_left = NN__MAX(c->pad_left, 3 - off);
      c->pad_left = NN__MAX(c->pad_left, 3 + c->neg_inf - off);
    }
  } else if (c->dt != NN_BOOL) {
    char b1[32], b2[32];
    int l1 = snprintf(b1, sizeof b1, "%lld", (long long)c->imax), l2 = snprintf(b2, sizeof b2, "%lld", (long long)c->imin);
    c->width = c->any ? NN__MAX(l1, l2) : 0;
  }
}

/* The text of one element, with the array's format. */
NN__PRIVATE void nn__pelem(const nn__pctx *c, const char *p, char *s) {
  if (c->dt == NN_BOOL) {
    strcpy(s, *(const uint8_t *)p ? (c->t->ndim == 0 ? "True" : " True") : "False");
  } else if (!nn__is_float(c->dt)) {
    snprintf(s, NN__PBUF, "%*lld", c->width, (long long)nn__load_i64(c->dt, p));
  } else {
    double v = nn__load(c->dt, p);
    char ip[NN__PBUF], fp[NN__PBUF];
    int k = 0, i, e;
    if (!isfinite(v)) {
      const char *r = v != v ? "nan" : v < 0 ? "-inf" : "inf";
      int w = c->pad_left + c->pad_right + 1 - (int)strlen(r);
      for (i = 0; i < w; i++) s[k++] = ' ';
      strcpy(s + k, r);
      return;
    }
    if (c->exp) {
      /* Dragon4 with min_digits = precision: exactly fprec decimals of the exact binary value, rounded (past the
         shortest digits these are the value's true digits, not zeros: float32 0.1 -> 1.00000001e-01) */
      char dig[NN__PBUF], buf[NN__PBUF];
      int q = 0;
      if (signbit(v)) ip[q++] = '-';
      snprintf(buf, sizeof buf, "%.*e", c->fprec, fabs(v));
      nn__parse_e(buf, dig, &e);
      ip[q++] = dig[0];
      ip[q] = 0;
      strcpy(fp, dig + 1);
    } else {
      nn__fmt_pos(v, c->dt == NN_FLOAT32, c->prec, 1, ip, fp);
    }
    for (i = (int)strlen(ip); i < c->pad_left; i++) s[k++] = ' ';
    k += snprintf(s + k, (size_t)(NN__PBUF - k), "%s.%s", ip, fp);
    if (c->exp) {
      for (i = (int)strlen(fp); i < c->fprec; i++) s[k++] = '0';
      s[k++] = 'e';
      s[k++] = e < 0 ? '-' : '+';
      k += snprintf(s + k, (size_t)(NN__PBUF - k), "%0*d", c->exp_size, e < 0 ? -e : e);
    } else {
      for (i = (int)strlen(fp); i < c->pad_right; i++) s[k++] = ' ';
    }
    s[k] = 0;
  }
}

/* _extendLine: adds word to the current line, first moving to a new line when it would pass width. */
NN__PRIVATE void nn__pextend(nn__pctx *c, nn__sb *line, int *first, const char *word, int width, int hang) {
  size_t wl = strlen(word);
  if ((int)(line->n + wl) > width && (int)line->n > hang) {
    size_t n = line->n;
    while (n > 0 && line->p[n - 1] == ' ') n--;
    if (*first) nn__sb_putn(c->out, line->p + hang, n - (size_t)hang);
    else nn__sb_putn(c->out, line->p, n);
    nn__sb_putn(c->out, "\n", 1);
    line->n = 0;
    nn__sb_spaces(line, hang);
    *first = 0;
  }
  nn__sb_putn(line, word, wl);
}

/* _formatArray's recurser for the sub-array at p starting at axis; hang is the hanging indent, width the line
   width left. Writes '[' ... ']' to c->out (the caller already wrote the indent of the first line). */
NN__PRIVATE void nn__precurse(nn__pctx *c, const char *p, int axis, int hang, int width) {
  const nn_tensor *t = c->t;
  int64_t n = t->shape[axis], i, es = (int64_t)nn_dtype_size(t->dtype), st = t->strides[axis] * es;
  int left = t->ndim - axis, show = c->summarize && 2 * (int64_t)c->edge < n;
  int64_t lead = show ? c->edge : 0, trail = show ? c->edge : n;
  nn__sb_putn(c->out, "[", 1);
  if (left == 1) {
    nn__sb line;
    char word[NN__PBUF];
    int first = 1, ew = width - 1; /* room for ',' or ']' */
    memset(&line, 0, sizeof line);
    nn__sb_spaces(&line, hang);
    for (i = 0; i < lead; i++) {
      nn__pelem(c, p + i * st, word);
      nn__pextend(c, &line, &first, word, ew, hang);
      nn__sb_puts(&line, ", ");
    }
    if (show) {
      nn__pextend(c, &line, &first, "...", ew, hang);
      nn__sb_puts(&line, ", ");
    }
    for (i = trail; i > 1; i--) {
      nn__pelem(c, p + (n - i) * st, word);
      nn__pextend(c, &line, &first, word, ew, hang);
      nn__sb_puts(&line, ", ");
    }
    nn__pelem(c, p + (n - 1) * st, word);
    nn__pextend(c, &line, &first, word, ew, hang);
    if (line.oom) c->out->oom = 1;
    else if (first) nn__sb_putn(c->out, line.p + hang, line.n - (size_t)hang);
    else nn__sb_putn(c->out, line.p, line.n);
    NN_FREE(line.p);
  } else {
    int k, started = 0;
    /* line separator: ',' and one newline per remaining axis beyond the last */
#define NN__PSEP()                                                     \
  do {                                                                 \
    nn__sb_putn(c->out, ",", 1);                                       \
    for (k = 0; k < left - 1; k++) nn__sb_putn(c->out, "\n", 1);       \
  } while (0)
    for (i = 0; i < lead; i++) {
      if (started) nn__sb_spaces(c->out, hang);
      started = 1;
      nn__precurse(c, p + i * st, axis + 1, hang + 1, width - 1);
      NN__PSEP();
    }
    if (show) {
      if (started) nn__sb_spaces(c->out, hang);
      started = 1;
      nn__sb_puts(c->out, "...");
      NN__PSEP();
    }
    for (i = trail; i > 1; i--) {
      if (started) nn__sb_spaces(c->out, hang);
      started = 1;
      nn__precurse(c, p + (n - i) * st, axis + 1, hang + 1, width - 1);
      NN__PSEP();
    }
    if (started) nn__sb_spaces(c->out, hang);
    nn__precurse(c, p + (n - 1) * st, axis + 1, hang + 1, width - 1);
#undef NN__PSEP
  }
  nn__sb_putn(c->out, "]", 1);
}

/* The whole repr into b (NUL-terminated). */
NN__PRIVATE nn_status nn__repr(const char *op, const nn_tensor *t, const nn_print_options *opt, nn__sb *b) {
  nn__pctx c;
  int skipdtype, i;
  size_t lastnl;
  char dts[48];
  if (nn__check_cpu(op, t, "t") != NN_OK) return nn_last_status();
  if (!nn__dtype_valid(t->dtype)) return nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", op, (int)t->dtype);
  memset(&c, 0, sizeof c);
  c.prec = 8;
  c.edge = 3;
  c.linewidth = 75;
  if (opt) {
    if (opt->precision < 0 || opt->threshold < 0 || opt->edgeitems < 0 || opt->linewidth < 0)
      return nn__fail(NN_ERR_ARG,
                      "%s: print options must be non-negative (precision %d, threshold %lld, edgeitems %d, "
                      "linewidth %d)",
                      op, opt->precision, (long long)opt->threshold, opt->edgeitems, opt->linewidth);
    if (opt->precision) c.prec = NN__MIN(opt->precision, NN__PMAXPREC);
    if (opt->edgeitems) c.edge = opt->edgeitems;
    if (opt->linewidth) c.linewidth = opt->linewidth;
    c.suppress = opt->suppress != 0;
  }
  c.t = t;
  c.dt = t->dtype;
  c.out = b;
  c.summarize = t->size > (opt && opt->threshold ? opt->threshold : 1000);
  skipdtype = (c.dt == NN_FLOAT64 || c.dt == NN_INT64 || c.dt == NN_BOOL) && t->size > 0;
  nn__sb_puts(b, "array(");
  if (t->size == 0) {
    if (t->ndim == 1) {
      nn__sb_puts(b, "[]");
    } else {
      nn__sb_puts(b, "[], shape=(");
      for (i = 0; i < t->ndim; i++) {
        char num[32];
        snprintf(num, sizeof num, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
        nn__sb_puts(b, num);
      }
      nn__sb_puts(b, t->ndim == 1 ? ",)" : ")");
    }
  } else {
    nn__pfill(&c);
    if (t->ndim == 0) {
      char word[NN__PBUF];
      nn__pelem(&c, (const char *)t->data, word);
      nn__sb_puts(b, word);
    } else {
      /* array2string takes the suffix's length off the width; the hanging indent is len("array(") + 1 */
      nn__precurse(&c, (const char *)t->data, 0, 7, c.linewidth - 1);
    }
  }
  if (skipdtype) {
    nn__sb_puts(b, ")");
  } else {
    nn__sb_puts(b, ",");
    snprintf(dts, sizeof dts, "dtype=%s)", nn_dtype_name(t->dtype));
    lastnl = 0;
    if (!b->oom)
      for (lastnl = b->n; lastnl > 0 && b->p[lastnl - 1] != '\n'; lastnl--) {
      }
    if ((int)(b->n - lastnl + strlen(dts) + 1) > c.linewidth) nn__sb_puts(b, "\n      ");
    else nn__sb_puts(b, " ");
    nn__sb_puts(b, dts);
  }
  if (b->oom) return nn__fail(NN_ERR_OOM, "%s: cannot allocate the output string", op);
  return NN_OK;
}

NNDEF int nn_to_string(const nn_tensor *t, char *buf, size_t cap, const nn_print_options *opt) {
  nn__sb b;
  int len;
  memset(&b, 0, sizeof b);
  if (!buf && cap > 0) {
    nn__fail_null("nn_to_string", "buf");
    return -1;
  }
  if (nn__repr("nn_to_string", t, opt, &b) != NN_OK) {
    NN_FREE(b.p);
    return -1;
  }
  if (b.n > (size_t)INT_MAX) {
    NN_FREE(b.p);
    nn__fail(NN_ERR_ARG, "nn_to_string: the text is longer than INT_MAX");
    return -1;
  }
  len = (int)b.n;
  if (cap > 0) {
    size_t m = b.n < cap - 1 ? b.n : cap - 1;
    memcpy(buf, b.p, m);
    buf[m] = 0;
  }
  NN_FREE(b.p);
  return len;
}

NNDEF nn_status nn_fprint(FILE *f, const nn_tensor *t, const nn_print_options *opt) {
  nn__sb b;
  nn_status st;
  if (!f) return nn__fail_null("nn_fprint", "f");
  memset(&b, 0, sizeof b);
  st = nn__repr("nn_fprint", t, opt, &b);
  if (st == NN_OK) {
    nn__sb_putn(&b, "\n", 1);
    if (b.oom) st = nn__fail(NN_ERR_OOM, "nn_fprint: cannot allocate the output string");
    else if (fwrite(b.p, 1, b.n, f) != b.n) st = nn__fail(NN_ERR_IO, "nn_fprint: write failed");
  }
  NN_FREE(b.p);
  return st;
}

NNDEF nn_status nn_print(const nn_tensor *t) { return nn_fprint(stdout, t, NULL); }
