/* nn/metrics.c: accuracy, top-k, precision/recall/F1, the confusion matrix and its table/SVG forms. Metrics run on
   the host once per batch or epoch, so clarity beats speed here; every loop is still linear in the data. */

/* Predicted class per row: argmax of a (N, C) float tensor, or the values of an (N,) integer tensor. */
NN__PRIVATE int64_t *nn__metric_pred_labels(const char *op, const nn_tensor *pred, int64_t n) {
  int64_t *out, i, j;
  if (pred->ndim == 2 && nn__is_float(pred->dtype)) {
    if (pred->shape[0] != n) {
      nn__fail(NN_ERR_SHAPE, "%s: scores have %lld rows but there are %lld labels", op, (long long)pred->shape[0],
               (long long)n);
      return NULL;
    }
  } else if (pred->ndim != 1 || pred->shape[0] != n || nn__is_float(pred->dtype)) {
    char b[96];
    nn__fail(NN_ERR_SHAPE, "%s: predictions must be scores (%lld, C) or integer labels (%lld,), got %s %s", op,
             (long long)n, (long long)n, nn_dtype_name(pred->dtype), nn_shape_str(pred, b, sizeof b));
    return NULL;
  }
  out = (int64_t *)nn__xalloc(op, sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
  if (!out) return NULL;
  for (i = 0; i < n; i++) {
    if (pred->ndim == 1) {
      out[i] = (int64_t)nn__load(pred->dtype, nn__flat_ptr(pred, i));
      continue;
    }
    {
      int64_t best = 0, c = pred->shape[1];
      double bv = -INFINITY;
      for (j = 0; j < c; j++) {
        double v = nn__load(pred->dtype, (const char *)pred->data + (i * pred->strides[0] + j * pred->strides[1]) *
                                                                     (int64_t)nn_dtype_size(pred->dtype));
        if (v > bv || (j == 0 && v != v)) {
          bv = v;
          best = j;
        }
      }
      out[i] = best;
    }
  }
  return out;
}

/* Integer labels (N,) as int64, checked against [0, num_classes) when num_classes > 0. */
NN__PRIVATE int64_t *nn__metric_labels(const char *op, const nn_tensor *labels, int64_t num_classes) {
  int64_t *out, i, n;
  if (nn__check_cpu(op, labels, "labels") != NN_OK) return NULL;
  if (nn__is_float(labels->dtype) || labels->ndim != 1) {
    char b[96];
    nn__fail(NN_ERR_DTYPE, "%s: labels must be a 1-d integer tensor, got %s %s", op, nn_dtype_name(labels->dtype),
             nn_shape_str(labels, b, sizeof b));
    return NULL;
  }
  n = labels->shape[0];
  out = (int64_t *)nn__xalloc(op, sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
  if (!out) return NULL;
  for (i = 0; i < n; i++) {
    out[i] = (int64_t)nn__load(labels->dtype, nn__flat_ptr(labels, i));
    if (num_classes > 0 && (out[i] < 0 || out[i] >= num_classes)) {
      nn__fail(NN_ERR_VALUE, "%s: label %lld at position %lld is out of range for %lld classes", op,
               (long long)out[i], (long long)i, (long long)num_classes);
      nn__dealloc(out);
      return NULL;
    }
  }
  return out;
}

NNDEF double nn_accuracy(const nn_tensor *pred, const nn_tensor *labels) {
  int64_t *y, *p = NULL, i, n, hits = 0;
  if (nn__check_cpu("nn_accuracy", pred, "pred") != NN_OK) return NAN;
  y = nn__metric_labels("nn_accuracy", labels, 0);
  if (!y) return NAN;
  n = labels->shape[0];
  if (nn__is_float(pred->dtype) && (pred->ndim == 1 || (pred->ndim == 2 && pred->shape[1] == 1))) {
    /* binary accuracy: probability > 0.5 means class 1 */
    if (pred->size != n) {
      nn__fail(NN_ERR_SHAPE, "nn_accuracy: %lld probabilities for %lld labels", (long long)pred->size, (long long)n);
      nn__dealloc(y);
      return NAN;
    }
    for (i = 0; i < n; i++) hits += (nn_get_flat(pred, i) > 0.5) == (y[i] != 0);
  } else {
    p = nn__metric_pred_labels("nn_accuracy", pred, n);
    if (!p) {
      nn__dealloc(y);
      return NAN;
    }
    for (i = 0; i < n; i++) hits += p[i] == y[i];
  }
  nn__dealloc(y);
  nn__dealloc(p);
  return n > 0 ? (double)hits / (double)n : NAN;
}

NNDEF double nn_top_k_accuracy(const nn_tensor *scores, const nn_tensor *labels, int k) {
  int64_t *y, i, j, n, c, hits = 0;
  if (nn__check_cpu("nn_top_k_accuracy", scores, "scores") != NN_OK) return NAN;
  if (scores->ndim != 2 || !nn__is_float(scores->dtype)) {
    char b[96];
    nn__fail(NN_ERR_SHAPE, "nn_top_k_accuracy: scores must be a float (N, C) tensor, got %s %s",
             nn_dtype_name(scores->dtype), nn_shape_str(scores, b, sizeof b));
    return NAN;
  }
  c = scores->shape[1];
  if (k < 1) {
    nn__fail(NN_ERR_ARG, "nn_top_k_accuracy: k must be at least 1, got %d", k);
    return NAN;
  }
  y = nn__metric_labels("nn_top_k_accuracy", labels, c);
  if (!y) return NAN;
  n = labels->shape[0];
  if (scores->shape[0] != n) {
    nn__fail(NN_ERR_SHAPE, "nn_top_k_accuracy: %lld rows of scores for %lld labels", (long long)scores->shape[0],
             (long long)n);
    nn__dealloc(y);
    return NAN;
  }
  for (i = 0; i < n; i++) { /* the label is in the top k when fewer than k scores beat it */
    int64_t idx[2];
    double sy;
    int64_t better = 0;
    idx[0] = i;
    idx[1] = y[i];
    sy = nn_get(scores, idx);
    for (j = 0; j < c; j++) {
      idx[1] = j;
      if (nn_get(scores, idx) > sy) better++;
    }
    hits += better < k;
  }
  nn__dealloc(y);
  return n > 0 ? (double)hits / (double)n : NAN;
}

/* Mean of |a - b|^p over the broadcast elements (p = 1 or 2). */
NN__PRIVATE double nn__mean_err(const char *op, const nn_tensor *a, const nn_tensor *b, int p) {
  nn_tensor *d, *e;
  double r;
  if (nn__check_cpu(op, a, "pred") != NN_OK || nn__check_cpu(op, b, "target") != NN_OK) return NAN;
  nn_no_grad_begin();
  d = nn_sub(a, b);
  e = d ? (p == 2 ? nn_square(d) : nn_abs(d)) : NULL;
  nn_no_grad_end();
  r = e && e->size > 0 ? nn_sum_all(e) / (double)e->size : NAN;
  nn_free(d);
  nn_free(e);
  return r;
}
NNDEF double nn_mean_squared_error(const nn_tensor *pred, const nn_tensor *target) {
  return nn__mean_err("nn_mean_squared_error", pred, target, 2);
}
NNDEF double nn_mean_absolute_error(const nn_tensor *pred, const nn_tensor *target) {
  return nn__mean_err("nn_mean_absolute_error", pred, target, 1);
}

NNDEF nn_tensor *nn_confusion_matrix(const nn_tensor *y_true, const nn_tensor *y_pred, int64_t num_classes) {
  int64_t *t, *p, i, n, shape[2];
  nn_tensor *cm;
  if (num_classes < 1 || num_classes > 100000) {
    nn__fail(NN_ERR_ARG, "nn_confusion_matrix: num_classes must be in [1, 100000], got %lld", (long long)num_classes);
    return NULL;
  }
  if (nn__check_cpu("nn_confusion_matrix", y_pred, "y_pred") != NN_OK) return NULL;
  t = nn__metric_labels("nn_confusion_matrix", y_true, num_classes);
  if (!t) return NULL;
  n = y_true->shape[0];
  p = nn__metric_pred_labels("nn_confusion_matrix", y_pred, n);
  if (!p) {
    nn__dealloc(t);
    return NULL;
  }
  shape[0] = shape[1] = num_classes;
  cm = nn_zeros(shape, 2, NN_INT64);
  for (i = 0; cm && i < n; i++) {
    if (p[i] < 0 || p[i] >= num_classes) {
      nn__fail(NN_ERR_VALUE, "nn_confusion_matrix: predicted label %lld at position %lld is out of range for %lld classes",
               (long long)p[i], (long long)i, (long long)num_classes);
      nn_free(cm);
      cm = NULL;
      break;
    }
    ((int64_t *)cm->data)[t[i] * num_classes + p[i]]++;
  }
  nn__dealloc(t);
  nn__dealloc(p);
  return cm;
}

NNDEF nn_status nn_precision_recall_f1(const nn_tensor *y_true, const nn_tensor *y_pred, int64_t num_classes,
                                       nn_average average, double *precision, double *recall, double *f1) {
  nn_tensor *cm;
  const int64_t *m;
  int64_t c, j, C = num_classes;
  double P = 0, R = 0, F = 0, wsum = 0, tp_all = 0, fp_all = 0, fn_all = 0;
  if ((int)average < 0 || average > NN_AVERAGE_BINARY)
    return nn__fail(NN_ERR_ARG, "nn_precision_recall_f1: invalid average %d", (int)average);
  if (average == NN_AVERAGE_BINARY && C != 2)
    return nn__fail(NN_ERR_ARG, "nn_precision_recall_f1: average=binary needs 2 classes, got %lld", (long long)C);
  cm = nn_confusion_matrix(y_true, y_pred, C);
  if (!cm) return nn_last_status();
  m = (const int64_t *)cm->data;
  for (c = 0; c < C; c++) {
    double tp = (double)m[c * C + c], fp = 0, fn = 0, p, r, f, support;
    for (j = 0; j < C; j++) {
      if (j == c) continue;
      fp += (double)m[j * C + c];
      fn += (double)m[c * C + j];
    }
    support = tp + fn;
    p = tp + fp > 0 ? tp / (tp + fp) : 0.0; /* zero_division=0 */
    r = support > 0 ? tp / support : 0.0;
    f = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    tp_all += tp;
    fp_all += fp;
    fn_all += fn;
    if (average == NN_AVERAGE_BINARY && c == 1) {
      P = p;
      R = r;
      F = f;
    } else if (average == NN_AVERAGE_MACRO) {
      P += p / (double)C;
      R += r / (double)C;
      F += f / (double)C;
    } else if (average == NN_AVERAGE_WEIGHTED) {
      P += p * support;
      R += r * support;
      F += f * support;
      wsum += support;
    }
  }
  if (average == NN_AVERAGE_WEIGHTED) {
    P = wsum > 0 ? P / wsum : 0;
    R = wsum > 0 ? R / wsum : 0;
    F = wsum > 0 ? F / wsum : 0;
  } else if (average == NN_AVERAGE_MICRO) {
    P = tp_all + fp_all > 0 ? tp_all / (tp_all + fp_all) : 0;
    R = tp_all + fn_all > 0 ? tp_all / (tp_all + fn_all) : 0;
    F = P + R > 0 ? 2 * P * R / (P + R) : 0;
  }
  nn_free(cm);
  if (precision) *precision = P;
  if (recall) *recall = R;
  if (f1) *f1 = F;
  return NN_OK;
}

/* A confusion matrix argument: int64 (C, C). */
NN__PRIVATE nn_status nn__check_cm(const char *op, const nn_tensor *cm) {
  if (nn__check_cpu(op, cm, "cm") != NN_OK) return nn_last_status();
  if (cm->ndim != 2 || cm->shape[0] != cm->shape[1] || cm->dtype != NN_INT64 || !nn_is_contiguous(cm)) {
    char b[96];
    return nn__fail(NN_ERR_SHAPE, "%s: expected a contiguous int64 (C, C) confusion matrix, got %s %s", op,
                    nn_dtype_name(cm->dtype), nn_shape_str(cm, b, sizeof b));
  }
  return NN_OK;
}

NNDEF nn_status nn_confusion_matrix_print(const nn_tensor *cm, const char *const *class_names, FILE *f) {
  int64_t C, i, j, maxv = 0;
  int w = 5, nw = 4;
  const int64_t *m;
  if (nn__check_cm("nn_confusion_matrix_print", cm) != NN_OK) return nn_last_status();
  if (!f) return nn__fail_null("nn_confusion_matrix_print", "f");
  C = cm->shape[0];
  m = (const int64_t *)cm->data;
  for (i = 0; i < C * C; i++) maxv = m[i] > maxv ? m[i] : maxv;
  while (maxv >= 10000) {
    maxv /= 10;
    w++;
  }
  for (i = 0; i < C; i++) {
    int len = class_names && class_names[i] ? (int)strlen(class_names[i]) : 3;
    nw = len > nw ? len : nw;
  }
  nw = nw > 24 ? 24 : nw;
  fprintf(f, "%*s  predicted ->\n", nw, "true");
  fprintf(f, "%*s", nw, "");
  for (j = 0; j < C; j++) {
    if (class_names && class_names[j]) fprintf(f, " %*.*s", w, w, class_names[j]);
    else fprintf(f, " %*lld", w, (long long)j);
  }
  fprintf(f, "  recall\n");
  for (i = 0; i < C; i++) {
    int64_t row = 0;
    if (class_names && class_names[i]) fprintf(f, "%*.*s", nw, nw, class_names[i]);
    else fprintf(f, "%*lld", nw, (long long)i);
    for (j = 0; j < C; j++) {
      fprintf(f, " %*lld", w, (long long)m[i * C + j]);
      row += m[i * C + j];
    }
    if (row > 0) fprintf(f, "  %5.1f%%\n", 100.0 * (double)m[i * C + i] / (double)row);
    else fprintf(f, "     -\n");
  }
  return NN_OK;
}

/* Writes s into an SVG text node, escaping the XML specials. */
NN__PRIVATE void nn__svg_text(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '&': fputs("&amp;", f); break;
      case '"': fputs("&quot;", f); break;
      default: fputc(*s, f);
    }
  }
}

NN__PRIVATE FILE *nn__open_write(const char *op, const char *path) {
  FILE *f;
  if (!path) {
    nn__fail_null(op, "path");
    return NULL;
  }
  f = fopen(path, "w");
  if (!f) nn__fail(NN_ERR_IO, "%s: cannot open '%s' for writing: %s", op, path, strerror(errno));
  return f;
}

NN__PRIVATE nn_status nn__close_write(const char *op, FILE *f, const char *path) {
  int bad = ferror(f);
  if (fclose(f) != 0 || bad) return nn__fail(NN_ERR_IO, "%s: error writing '%s'", op, path);
  return NN_OK;
}

NNDEF nn_status nn_confusion_matrix_svg(const nn_tensor *cm, const char *const *class_names, const char *title,
                                        const char *path) {
  static const char *op = "nn_confusion_matrix_svg";
  int64_t C, i, j;
  const int64_t *m;
  int cell, left = 110, top = 70, W, H;
  FILE *f;
  if (nn__check_cm(op, cm) != NN_OK) return nn_last_status();
  C = cm->shape[0];
  if (C > 200) return nn__fail(NN_ERR_ARG, "%s: %lld classes are too many to draw (at most 200)", op, (long long)C);
  m = (const int64_t *)cm->data;
  cell = C <= 10 ? 48 : C <= 30 ? 24 : 8;
  W = left + (int)C * cell + 90;
  H = top + (int)C * cell + 40;
  f = nn__open_write(op, path);
  if (!f) return nn_last_status();
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
             "font-size=\"%d\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, H, cell >= 24 ? 11 : 7);
  fprintf(f, "<text x=\"%d\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">", W / 2);
  nn__svg_text(f, title ? title : "Confusion matrix");
  fprintf(f, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">predicted</text>\n", left + (int)C * cell / 2,
          top - 26);
  fprintf(f, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">true</text>\n",
          top + (int)C * cell / 2, top + (int)C * cell / 2);
  for (i = 0; i < C; i++) {
    int64_t row = 0;
    for (j = 0; j < C; j++) row += m[i * C + j];
    for (j = 0; j < C; j++) {
      double frac = row > 0 ? (double)m[i * C + j] / (double)row : 0.0;
      int shade = (int)(255 - 200 * frac), x = left + (int)j * cell, y = top + (int)i * cell;
      fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,255)\" stroke=\"#ddd\"/>\n", x, y,
              cell, cell, shade, shade);
      if (cell >= 24)
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">%lld</text>\n", x + cell / 2,
                y + cell / 2 + 4, frac > 0.6 ? "white" : "black", (long long)m[i * C + j]);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6, top + (int)i * cell + cell / 2 + 4);
    if (class_names && class_names[i]) nn__svg_text(f, class_names[i]);
    else fprintf(f, "%lld", (long long)i);
    fprintf(f, "</text>\n<text x=\"%d\" y=\"%d\">%s%.1f%%</text>\n", left + (int)C * cell + 8,
            top + (int)i * cell + cell / 2 + 4, "", row > 0 ? 100.0 * (double)m[i * C + i] / (double)row : 0.0);
  }
  for (j = 0; j < C; j++) {
    int x = left + (int)j * cell + cell / 2;
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"start\" transform=\"rotate(-45 %d %d)\">", x, top - 4, x,
            top - 4);
    if (class_names && class_names[j]) nn__svg_text(f, class_names[j]);
    else fprintf(f, "%lld", (long long)j);
    fprintf(f, "</text>\n");
  }
  fprintf(f, "<text x=\"%d\" y=\"%d\">recall</text>\n</svg>\n", left + (int)C * cell + 8, top - 8);
  return nn__close_write(op, f, path);
}
