/* tests/test.h: the test runner's few macros. No framework: a test is a function, a check counts a failure. */
#ifndef NN_TEST_H
#define NN_TEST_H
#include <stdio.h>
#include <string.h>
#include <math.h>
#if defined(__GNUC__) || defined(__clang__)
#define NT_UNUSED __attribute__((unused))
#else
#define NT_UNUSED
#endif

static int nt_passed = 0, nt_failed = 0, nt_cur_failed = 0, nt_checks = 0;
static const char *nt_filter = NULL;
static const char *nt_cur_name = "";

#define NT_FAIL(...)                                               \
  do {                                                             \
    nt_cur_failed++;                                               \
    if (nt_cur_failed <= 5) {                                      \
      fprintf(stderr, "  FAIL %s (%s:%d): ", nt_cur_name, __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                                \
      fprintf(stderr, "\n");                                       \
    }                                                              \
  } while (0)

/* CHECK(cond): a boolean check. */
#define CHECK(cond)                                     \
  do {                                                  \
    nt_checks++;                                        \
    if (!(cond)) NT_FAIL("%s", #cond);                  \
  } while (0)
/* CHECK_NEAR(a, b, tol): |a-b| <= tol * max(1, |b|); NaN equals NaN. */
#define CHECK_NEAR(a, b, tol)                                                                 \
  do {                                                                                        \
    double nt_a = (double)(a), nt_b = (double)(b);                                            \
    nt_checks++;                                                                              \
    if (!((nt_a != nt_a && nt_b != nt_b) || nt_a == nt_b ||                                   \
          fabs(nt_a - nt_b) <= (tol) * (fabs(nt_b) > 1 ? fabs(nt_b) : 1)))                    \
      NT_FAIL("%s = %.9g, expected %s = %.9g", #a, nt_a, #b, nt_b);                           \
  } while (0)
/* CHECK_ERR(expr_is_failure, status): the call failed with that status and left a message. */
#define CHECK_ERR(failed, st)                                                                  \
  do {                                                                                         \
    nt_checks++;                                                                               \
    if (!(failed)) NT_FAIL("expected failure: %s", #failed);                                   \
    else if (nn_last_status() != (st))                                                         \
      NT_FAIL("%s: status %d (%s), expected %s", #failed, (int)nn_last_status(), nn_error(), #st); \
    else if (!nn_error()[0]) NT_FAIL("%s: empty error message", #failed);                      \
  } while (0)

typedef void (*nt_fn)(void);
static void nt_run(const char *name, nt_fn fn) {
  if (nt_filter && !strstr(name, nt_filter)) return;
  nt_cur_name = name;
  nt_cur_failed = 0;
  nn_clear_error();
  nn_scope_begin();
  fn();
  nn_scope_end();
  if (nt_cur_failed) {
    nt_failed++;
    fprintf(stderr, "FAIL %s (%d failed checks)\n", name, nt_cur_failed);
  } else {
    nt_passed++;
  }
}
#define RUN(fn) nt_run(#fn, fn)

/* Compares a tensor with expected values (row-major), element by element. */
NT_UNUSED static int nt_tensor_near(const nn_tensor *t, const double *expect, int64_t n, double tol) {
  int64_t i;
  if (!t) {
    NT_FAIL("tensor is NULL: %s", nn_error());
    return 0;
  }
  if (t->size != n) {
    NT_FAIL("size %lld, expected %lld", (long long)t->size, (long long)n);
    return 0;
  }
  for (i = 0; i < n; i++) {
    double a = nn_get_flat(t, i), b = expect[i];
    int ok = (a != a && b != b) || a == b || fabs(a - b) <= tol * (fabs(b) > 1 ? fabs(b) : 1);
    if (!ok) {
      NT_FAIL("element %lld = %.9g, expected %.9g", (long long)i, a, b);
      return 0;
    }
  }
  return 1;
}
#define CHECK_TENSOR(t, expect, n, tol) \
  do {                                  \
    nt_checks++;                        \
    nt_tensor_near((t), (expect), (n), (tol)); \
  } while (0)

/* Checks shape equality against a list. */
NT_UNUSED static int nt_shape_is(const nn_tensor *t, const int64_t *shape, int ndim) {
  int i;
  if (!t || t->ndim != ndim) return 0;
  for (i = 0; i < ndim; i++)
    if (t->shape[i] != shape[i]) return 0;
  return 1;
}
#endif
