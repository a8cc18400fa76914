/* nn/history.c: the per-epoch training history, its CSV form and its SVG plot (one panel per metric, training and
   validation curves on shared epoch axes). */

NNDEF nn_history *nn_history_new(void) {
  nn_history *h = (nn_history *)NN_MALLOC(sizeof(nn_history));
  if (!h) {
    nn__fail(NN_ERR_OOM, "nn_history_new: out of memory");
    return NULL;
  }
  memset(h, 0, sizeof *h);
  return h;
}

NNDEF void nn_history_free(nn_history *h) {
  if (!h) return;
  NN_FREE(h->values);
  NN_FREE(h);
}

NN__PRIVATE int nn__history_col(const nn_history *h, const char *name) {
  int i;
  for (i = 0; i < h->nmetrics; i++)
    if (strcmp(h->names[i], name) == 0) return i;
  return -1;
}

NNDEF nn_status nn_history_set(nn_history *h, int epoch, const char *name, double value) {
  int col, r, c;
  if (!h) return nn__fail_null("nn_history_set", "h");
  if (!name) return nn__fail_null("nn_history_set", "name");
  if (epoch < 0 || epoch > 10000000) return nn__fail(NN_ERR_ARG, "nn_history_set: bad epoch %d", epoch);
  if (strlen(name) >= sizeof h->names[0])
    return nn__fail(NN_ERR_ARG, "nn_history_set: metric name '%s' is longer than %d characters", name,
                    (int)sizeof h->names[0] - 1);
  col = nn__history_col(h, name);
  if (col < 0) {
    if (h->nmetrics == NN_HISTORY_MAX_METRICS)
      return nn__fail(NN_ERR_ARG, "nn_history_set: more than %d metrics", NN_HISTORY_MAX_METRICS);
    col = h->nmetrics++;
    strcpy(h->names[col], name);
    for (r = 0; r < h->epochs; r++) h->values[r * NN_HISTORY_MAX_METRICS + col] = NAN;
  }
  if (epoch >= h->cap) {
    int cap = h->cap ? h->cap : 16;
    double *v;
    while (cap <= epoch) cap *= 2;
    v = (double *)NN_REALLOC(h->values, sizeof(double) * (size_t)cap * NN_HISTORY_MAX_METRICS);
    if (!v) return nn__fail(NN_ERR_OOM, "nn_history_set: out of memory");
    h->values = v;
    h->cap = cap;
  }
  for (r = h->epochs; r <= epoch; r++)
    for (c = 0; c < NN_HISTORY_MAX_METRICS; c++) h->values[r * NN_HISTORY_MAX_METRICS + c] = NAN;
  if (epoch >= h->epochs) h->epochs = epoch + 1;
  h->values[epoch * NN_HISTORY_MAX_METRICS + col] = value;
  return NN_OK;
}

NNDEF double nn_history_get(const nn_history *h, const char *name, int epoch) {
  int col;
  if (!h || !name) return NAN;
  col = nn__history_col(h, name);
  if (epoch < 0) epoch += h->epochs;
  if (col < 0 || epoch < 0 || epoch >= h->epochs) return NAN;
  return h->values[epoch * NN_HISTORY_MAX_METRICS + col];
}

NNDEF nn_status nn_history_write_csv(const nn_history *h, const char *path) {
  FILE *f;
  int r, c;
  if (!h) return nn__fail_null("nn_history_write_csv", "h");
  f = nn__open_write("nn_history_write_csv", path);
  if (!f) return nn_last_status();
  fputs("epoch", f);
  for (c = 0; c < h->nmetrics; c++) fprintf(f, ",%s", h->names[c]);
  fputc('\n', f);
  for (r = 0; r < h->epochs; r++) {
    fprintf(f, "%d", r + 1);
    for (c = 0; c < h->nmetrics; c++) {
      double v = h->values[r * NN_HISTORY_MAX_METRICS + c];
      if (v == v) fprintf(f, ",%.8g", v);
      else fputc(',', f);
    }
    fputc('\n', f);
  }
  return nn__close_write("nn_history_write_csv", f, path);
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) giving about n ticks over span. */
NN__PRIVATE double nn__nice_step(double span, int n) {
  double raw = span / (n > 0 ? n : 1), p = pow(10.0, floor(log10(raw))), m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* Is this metric one where lower is better (losses and errors)? */
NN__PRIVATE int nn__lower_is_better(const char *name) {
  return strstr(name, "loss") || strstr(name, "error") || strcmp(name, "mse") == 0 || strcmp(name, "mae") == 0;
}

NNDEF nn_status nn_history_plot_svg(const nn_history *h, const char *title, const char *path) {
  static const char *op = "nn_history_plot_svg";
  int panels[NN_HISTORY_MAX_METRICS], np = 0, c, p, r;
  const int PW = 420, PH = 280, ML = 60, MR = 20, MT = 50, MB = 50;
  int W, H;
  FILE *f;
  if (!h) return nn__fail_null(op, "h");
  if (h->epochs == 0 || h->nmetrics == 0) return nn__fail(NN_ERR_VALUE, "%s: the history is empty", op);
  for (c = 0; c < h->nmetrics; c++) /* one panel per training metric (validation curves join their panel) */
    if (strncmp(h->names[c], "val_", 4) != 0 || nn__history_col(h, h->names[c] + 4) < 0) panels[np++] = c;
  W = np * (PW + ML + MR);
  H = PH + MT + MB + 20;
  f = nn__open_write(op, path);
  if (!f) return nn_last_status();
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
             "font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, H);
  fprintf(f, "<text x=\"%d\" y=\"20\" font-size=\"15\" text-anchor=\"middle\">", W / 2);
  nn__svg_text(f, title ? title : "Training history");
  fputs("</text>\n", f);
  for (p = 0; p < np; p++) {
    int cols[2], nc = 1, k, x0 = p * (PW + ML + MR) + ML, y0 = MT;
    char vname[40];
    double lo = INFINITY, hi = -INFINITY, step, t;
    int xticks = h->epochs > 1 ? h->epochs - 1 : 1;
    cols[0] = panels[p];
    snprintf(vname, sizeof vname, "val_%s", h->names[cols[0]]);
    if ((cols[1] = nn__history_col(h, vname)) >= 0 && cols[1] != cols[0]) nc = 2;
    for (k = 0; k < nc; k++)
      for (r = 0; r < h->epochs; r++) {
        double v = h->values[r * NN_HISTORY_MAX_METRICS + cols[k]];
        if (v == v && fabs(v) != INFINITY) {
          lo = v < lo ? v : lo;
          hi = v > hi ? v : hi;
        }
      }
    if (lo > hi) lo = 0, hi = 1;
    if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
    step = nn__nice_step(hi - lo, 5);
    lo = floor(lo / step) * step;
    hi = ceil(hi / step) * step;
    /* frame, grid and y ticks */
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n", x0, y0, PW, PH);
    for (t = lo; t <= hi + step * 0.5; t += step) {
      double y = y0 + PH - (t - lo) / (hi - lo) * PH;
      fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>\n", x0, y, x0 + PW, y);
      fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", x0 - 4, y + 4, fabs(t) < 1e-12 ? 0.0 : t);
    }
    {
      double xs = nn__nice_step((double)xticks, 6);
      if (xs < 1) xs = 1;
      for (t = 0; t <= xticks + 1e-9; t += xs) {
        double x = x0 + t / xticks * PW;
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x, y0 + PH + 16, (int)t + 1);
      }
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch</text>\n", x0 + PW / 2, y0 + PH + 34);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">", x0 + PW / 2, y0 - 8);
    nn__svg_text(f, h->names[cols[0]]);
    fputs("</text>\n", f);
    for (k = 0; k < nc; k++) {
      const char *color = k == 0 ? "#1f77b4" : "#ff7f0e";
      int started = 0, best = -1;
      double bv = 0;
      int lower = nn__lower_is_better(h->names[cols[0]]);
      fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", color);
      for (r = 0; r < h->epochs; r++) {
        double v = h->values[r * NN_HISTORY_MAX_METRICS + cols[k]];
        double x = x0 + (h->epochs > 1 ? (double)r / xticks * PW : PW / 2.0), y;
        if (!(v == v) || fabs(v) == INFINITY) continue;
        y = y0 + PH - (v - lo) / (hi - lo) * PH;
        fprintf(f, "%s%.1f,%.1f", started ? " " : "", x, y);
        started = 1;
        if (best < 0 || (lower ? v < bv : v > bv)) best = r, bv = v;
      }
      fputs("\"/>\n", f);
      for (r = 0; r < h->epochs; r++) {
        double v = h->values[r * NN_HISTORY_MAX_METRICS + cols[k]];
        double x = x0 + (h->epochs > 1 ? (double)r / xticks * PW : PW / 2.0);
        if (!(v == v) || fabs(v) == INFINITY) continue;
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"/>\n", x, y0 + PH - (v - lo) / (hi - lo) * PH,
                r == best && k == nc - 1 ? 5 : 2, color);
      }
      /* legend */
      fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n", x0 + 10,
              y0 + 14 + 16 * k, x0 + 30, y0 + 14 + 16 * k, color);
      fprintf(f, "<text x=\"%d\" y=\"%d\">%s", x0 + 36, y0 + 18 + 16 * k, k == 0 ? "training" : "validation");
      if (best >= 0) fprintf(f, " (best %.4g at epoch %d)", bv, best + 1);
      fputs("</text>\n", f);
    }
  }
  fputs("</svg>\n", f);
  return nn__close_write(op, f, path);
}
