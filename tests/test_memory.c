/* tests/test_memory.c: the memory model under load: a million small expressions in a loop keep the number of live
   tensors and the resident set flat. */
/* Under AddressSanitizer freed memory sits in a quarantine, so the resident set is not meaningful there: that
   build runs fewer iterations and checks only the live-tensor count (and ASan's own leak check). */
#if defined(__SANITIZE_ADDRESS__)
#define MEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEM_ASAN 1
#endif
#endif
#ifdef MEM_ASAN
#define MEM_ITERS 100000L
#define MEM_CHECK_RSS 0
#else
#define MEM_ITERS 1000000L
#define MEM_CHECK_RSS 1
#endif

/* Resident set in KiB from /proc (0 where unavailable). */
static long mem_rss_kib(void) {
  long pages = 0, rss = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
  fclose(f);
  return rss * 4;
}

static void test_memory_expression_loop(void) {
  int64_t shape[2] = {4, 8};
  long i, base, rss_early = 0, rss_late;
  nn_tensor *a, *b, *c;
  float acc = 0;
  nn_scope_begin();
  a = nn_keep(nn_full(shape, 2, 0.5, NN_FLOAT32));
  b = nn_keep(nn_full(shape, 2, 2.0, NN_FLOAT32));
  c = nn_keep(nn_arange(0, 8, 1, NN_FLOAT32));
  nn_scope_end();
  base = nn_live_tensors();
  for (i = 0; i < MEM_ITERS; i++) {
    nn_tensor *y;
    nn_scope_begin();
    y = nn_add(nn_mul(a, b), c);          /* a temporary and a result */
    y = nn_sub(nn_exp(nn_neg(y)), c);     /* three more */
    acc += (float)nn_get_flat(y, 3);
    nn_scope_end();
    if (i == 10000) rss_early = mem_rss_kib();
  }
  rss_late = mem_rss_kib();
  CHECK(nn_live_tensors() == base);
  CHECK(acc != 0);
  /* a leak of even one 32-byte header per iteration would add 30 MiB */
  CHECK(!MEM_CHECK_RSS || rss_late - rss_early < 2048);
  if (MEM_CHECK_RSS && rss_late - rss_early >= 2048) NT_FAIL("resident set grew from %ld to %ld KiB", rss_early, rss_late);
  nn_free(a);
  nn_free(b);
  nn_free(c);
}

static void test_memory_nested_scopes_and_views(void) {
  long base = nn_live_tensors();
  int i;
  for (i = 0; i < 1000; i++) {
    nn_tensor *big, *v;
    nn_scope_begin();
    big = nn_arange(0, 1000, 1, NN_FLOAT64);
    nn_scope_begin();
    v = nn_keep(nn_slice(big, 0, 10, 20, 1)); /* view kept into the outer scope */
    nn_scope_end();
    nn_free(big); /* storage stays alive for the view */
    CHECK(nn_get_flat(v, 0) == 10);
    nn_scope_end();
  }
  CHECK(nn_live_tensors() == base);
  /* unbalanced scope calls are errors, not crashes */
  for (i = 0; i < 64; i++) nn_scope_begin(); /* the runner holds one, so the 64th fails */
  CHECK_ERR(nn_scope_begin() != NN_OK, NN_ERR_ARG);
  for (i = 0; i < 63; i++) nn_scope_end();
}

void tests_memory(void) {
  RUN(test_memory_expression_loop);
  RUN(test_memory_nested_scopes_and_views);
}
