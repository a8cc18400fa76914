/* tests/test_print.c: nn_to_string / nn_fprint against NumPy's repr (tests/ref/print_ref.h). */
#include "ref/print_ref.h"

static void test_print_numpy_ref(void) {
  int i, nc = (int)(sizeof pref_cases / sizeof pref_cases[0]);
  for (i = 0; i < nc; i++) {
    const pref_case *c = &pref_cases[i];
    nn_tensor *d, *x;
    nn_print_options o;
    const nn_print_options *po = NULL;
    char buf[8192];
    int n;
    nn_scope_begin();
    d = nn_from_data(pref_data + c->off, c->shape, c->ndim, NN_FLOAT64);
    x = nn_astype(d, c->dt);
    if (c->view) x = nn_transpose(x);
    memset(&o, 0, sizeof o);
    o.precision = c->precision;
    o.threshold = c->threshold;
    o.edgeitems = c->edgeitems;
    o.linewidth = c->linewidth;
    o.suppress = c->suppress;
    if (c->precision || c->threshold || c->edgeitems || c->linewidth || c->suppress) po = &o;
    n = nn_to_string(x, buf, sizeof buf, po);
    nt_checks++;
    if (n != (int)strlen(c->repr) || strcmp(buf, c->repr) != 0)
      NT_FAIL("case %s:\n--- got (%d) ---\n%s\n--- expected ---\n%s", c->name, n, buf, c->repr);
    nn_scope_end();
  }
}

static void test_print_views(void) {
  char buf[256];
  int64_t sh[2] = {2, 3};
  nn_tensor *a = nn_arange(0, 5, 1, NN_FLOAT64), *r = nn_slice(a, 0, NN_NONE, NN_NONE, -1);
  nn_tensor *row = nn_arange(1, 4, 1, NN_INT32), *b = nn_broadcast_to(row, sh, 2);
  CHECK(nn_to_string(r, buf, sizeof buf, NULL) > 0 && strcmp(buf, "array([4., 3., 2., 1., 0.])") == 0);
  CHECK(nn_to_string(b, buf, sizeof buf, NULL) > 0 &&
        strcmp(buf, "array([[1, 2, 3],\n       [1, 2, 3]], dtype=int32)") == 0);
}

static void test_print_snprintf_semantics(void) {
  char buf[16];
  nn_tensor *a = nn_arange(0, 3, 1, NN_FLOAT32); /* array([0., 1., 2.], dtype=float32) */
  const char *full = "array([0., 1., 2.], dtype=float32)";
  int n = nn_to_string(a, NULL, 0, NULL);
  CHECK(n == (int)strlen(full));
  memset(buf, 'x', sizeof buf);
  CHECK(nn_to_string(a, buf, sizeof buf, NULL) == n);
  CHECK(memcmp(buf, full, 15) == 0 && buf[15] == 0);
  CHECK(nn_to_string(a, buf, 1, NULL) == n && buf[0] == 0);
}

static void test_print_fprint(void) {
  FILE *f = tmpfile();
  char line[128];
  nn_tensor *a = nn_arange(0, 3, 1, NN_INT64);
  if (!f) return; /* no temporary files on this system */
  CHECK(nn_fprint(f, a, NULL) == NN_OK);
  rewind(f);
  CHECK(fgets(line, sizeof line, f) != NULL && strcmp(line, "array([0, 1, 2])\n") == 0);
  fclose(f);
}

static void test_print_errors(void) {
  char buf[64];
  nn_print_options o;
  nn_tensor *a = nn_arange(0, 3, 1, NN_FLOAT64);
  memset(&o, 0, sizeof o);
  o.precision = -1;
  CHECK_ERR(nn_to_string(NULL, buf, sizeof buf, NULL) == -1, NN_ERR_NULL);
  CHECK_ERR(nn_to_string(a, NULL, 10, NULL) == -1, NN_ERR_NULL);
  CHECK_ERR(nn_to_string(a, buf, sizeof buf, &o) == -1, NN_ERR_ARG);
  CHECK(strstr(nn_error(), "nn_to_string") != NULL);
  CHECK_ERR(nn_fprint(NULL, a, NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_fprint(stdout, NULL, NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_print(NULL) != NN_OK, NN_ERR_NULL);
}

void tests_print(void) {
  RUN(test_print_numpy_ref);
  RUN(test_print_views);
  RUN(test_print_snprintf_semantics);
  RUN(test_print_fprint);
  RUN(test_print_errors);
}
