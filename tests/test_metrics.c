/* tests/test_metrics.c: metrics against scikit-learn, the history's CSV and SVG, confusion matrix output. */
#include "ref/metrics_ref.h"

static nn_tensor *mt_from(const double *v, int64_t n0, int64_t n1, nn_dtype dt) {
  int64_t shape[2];
  nn_tensor *d, *t;
  shape[0] = n0;
  shape[1] = n1;
  d = nn_from_data(v, shape, n1 ? 2 : 1, NN_FLOAT64);
  t = nn_astype(d, dt);
  nn_free(d);
  return t;
}

static void test_metrics_sklearn(void) {
  nn_tensor *y = mt_from(mr_labels, MR_N, 0, NN_INT64), *s = mt_from(mr_scores, MR_N, MR_C, NN_FLOAT32);
  nn_tensor *yb = mt_from(mr_binl, MR_N, 0, NN_INT32), *pb = mt_from(mr_prob, MR_N, 0, NN_FLOAT32);
  nn_tensor *pred = nn_argmax(s, 1, 0), *cm;
  double p, r, f;
  int k, a;
  CHECK_NEAR(nn_accuracy(s, y), mr_acc[0], 1e-12);
  CHECK_NEAR(nn_accuracy(pred, y), mr_acc[0], 1e-12);
  CHECK_NEAR(nn_accuracy(pb, yb), mr_acc[1], 1e-12);
  for (k = 1; k <= 3; k++) CHECK_NEAR(nn_top_k_accuracy(s, y, k), mr_acc[1 + k], 1e-12);
  cm = nn_confusion_matrix(y, s, MR_C);
  CHECK(cm && cm->dtype == NN_INT64);
  for (k = 0; cm && k < MR_C * MR_C; k++) CHECK(nn_get_flat(cm, k) == mr_cm[k]);
  for (a = 0; a < 3; a++) {
    CHECK(nn_precision_recall_f1(y, pred, MR_C, (nn_average)a, &p, &r, &f) == NN_OK);
    CHECK_NEAR(p, mr_prf[3 * a], 1e-12);
    CHECK_NEAR(r, mr_prf[3 * a + 1], 1e-12);
    CHECK_NEAR(f, mr_prf[3 * a + 2], 1e-12);
  }
  {
    nn_tensor *bp = nn_astype(nn_greater(pb, nn_scalar(0.5, NN_FLOAT32)), NN_INT64);
    CHECK(nn_precision_recall_f1(yb, bp, 2, NN_AVERAGE_BINARY, &p, &r, &f) == NN_OK);
    CHECK_NEAR(p, mr_prf[9], 1e-12);
    CHECK_NEAR(r, mr_prf[10], 1e-12);
    CHECK_NEAR(f, mr_prf[11], 1e-12);
  }
  CHECK_NEAR(nn_mean_squared_error(nn_full(NULL, 0, 3.0, NN_FLOAT32), nn_arange(0, 4, 1, NN_FLOAT32)), 3.5, 1e-12);
  CHECK_NEAR(nn_mean_absolute_error(nn_arange(0, 4, 1, NN_FLOAT64), nn_zeros(NULL, 0, NN_FLOAT64)), 1.5, 1e-12);
  /* bad input */
  CHECK_ERR(nn_accuracy(NULL, y) != nn_accuracy(NULL, y), NN_ERR_NULL);
  CHECK_ERR(nn_top_k_accuracy(s, y, 0) != nn_top_k_accuracy(s, y, 0), NN_ERR_ARG);
  CHECK_ERR(nn_confusion_matrix(y, s, 3) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "out of range for 3 classes") != NULL);
  CHECK_ERR(nn_confusion_matrix(s, s, 3) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_precision_recall_f1(y, pred, MR_C, NN_AVERAGE_BINARY, &p, NULL, NULL) != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_accuracy(nn_slice(s, 0, 0, 10, 1), y) != 0.5, NN_ERR_SHAPE);
}

static int mt_file_has(const char *path, const char *needle) {
  static char buf[65536];
  FILE *f = fopen(path, "rb");
  size_t n;
  if (!f) return 0;
  n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return strstr(buf, needle) != NULL;
}

static void test_metrics_history(void) {
  nn_history *h = nn_history_new();
  int e;
  const char *csv = "build/test_history.csv", *svg = "build/test_history.svg", *cms = "build/test_cm.svg";
  static const char *const names[3] = {"cat", "dog", "a<b"};
  nn_tensor *cm;
  int64_t shape[2] = {3, 3};
  int64_t cmv[9] = {5, 1, 0, 2, 7, 1, 0, 0, 9};
  for (e = 0; e < 5; e++) {
    CHECK(nn_history_set(h, e, "loss", 1.0 / (e + 1)) == NN_OK);
    CHECK(nn_history_set(h, e, "accuracy", 0.5 + 0.08 * e) == NN_OK);
    if (e != 2) CHECK(nn_history_set(h, e, "val_loss", 1.2 / (e + 1)) == NN_OK);
  }
  CHECK(h->epochs == 5 && h->nmetrics == 3);
  CHECK_NEAR(nn_history_get(h, "loss", -1), 0.2, 1e-15);
  CHECK(nn_history_get(h, "val_loss", 2) != nn_history_get(h, "val_loss", 2)); /* NaN: not recorded */
  CHECK(nn_history_get(h, "nope", 0) != nn_history_get(h, "nope", 0));
  CHECK(nn_history_write_csv(h, csv) == NN_OK);
  CHECK(mt_file_has(csv, "epoch,loss,accuracy,val_loss\n1,1,0.5,1.2\n"));
  CHECK(nn_history_plot_svg(h, "MLP <test>", svg) == NN_OK);
  CHECK(mt_file_has(svg, "<svg") && mt_file_has(svg, "MLP &lt;test&gt;") && mt_file_has(svg, "validation"));
  CHECK_ERR(nn_history_write_csv(h, "/nonexistent-dir/x.csv") != NN_OK, NN_ERR_IO);
  CHECK(strstr(nn_error(), "/nonexistent-dir/x.csv") != NULL);
  CHECK_ERR(nn_history_set(NULL, 0, "loss", 1) != NN_OK, NN_ERR_NULL);
  nn_history_free(h);
  cm = nn_from_data(cmv, shape, 2, NN_INT64);
  CHECK(nn_confusion_matrix_svg(cm, names, NULL, cms) == NN_OK);
  CHECK(mt_file_has(cms, "a&lt;b") && mt_file_has(cms, "recall"));
  {
    FILE *f = fopen("build/test_cm.txt", "w");
    CHECK(f && nn_confusion_matrix_print(cm, names, f) == NN_OK);
    if (f) fclose(f);
    CHECK(mt_file_has("build/test_cm.txt", "70.0%"));
  }
  CHECK_ERR(nn_confusion_matrix_print(nn_zeros(shape, 1, NN_INT64), NULL, stdout) != NN_OK, NN_ERR_SHAPE);
}

static void tests_metrics(void) {
  RUN(test_metrics_sklearn);
  RUN(test_metrics_history);
}
