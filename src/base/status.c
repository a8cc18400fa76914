/* base/status.c: the per-thread error slot. */

#define NN__ERRBUF 1024
static NN_THREAD_LOCAL char nn__errbuf[NN__ERRBUF];
static NN_THREAD_LOCAL nn_status nn__errstatus = NN_OK;

NNDEF const char *nn_error(void) { return nn__errbuf; }
NNDEF nn_status nn_last_status(void) { return nn__errstatus; }
NNDEF void nn_clear_error(void) {
  nn__errbuf[0] = 0;
  nn__errstatus = NN_OK;
}
NNDEF const char *nn_version(void) { return NN_VERSION_STRING; }

NNDEF const char *nn_status_string(nn_status s) {
  switch (s) {
#define NN__STATUS_CASE(name, value, text) \
  case name:                               \
    return text;
    NN__STATUS_LIST(NN__STATUS_CASE)
#undef NN__STATUS_CASE
    default:
      return "unknown status";
  }
}

/* Records an error and returns the status, so callers can write `return nn__fail(NN_ERR_ARG, "...")`. */
NN__PRIVATE nn_status nn__fail(nn_status st, const char *fmt, ...) NN__PRINTF(2, 3);
NN__PRIVATE nn_status nn__fail(nn_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(nn__errbuf, NN__ERRBUF, fmt, ap);
  va_end(ap);
  nn__errstatus = st;
  return st;
}

/* A NULL tensor argument usually means an earlier call failed; keep that cause in the message. */
NN__PRIVATE nn_status nn__fail_null(const char *op, const char *arg) {
  char prev[NN__ERRBUF / 2];
  if (nn__errstatus != NN_OK && nn__errbuf[0]) {
    size_t n = strlen(nn__errbuf);
    if (n >= sizeof prev) n = sizeof prev - 1;
    memcpy(prev, nn__errbuf, n);
    prev[n] = 0;
    return nn__fail(NN_ERR_NULL, "%s: argument '%s' is NULL (most recent error: %s)", op, arg, prev);
  }
  return nn__fail(NN_ERR_NULL, "%s: argument '%s' is NULL", op, arg);
}

/* Formats a shape as NumPy does: (2,3) and (4,) and (). Returns buf. */
NN__PRIVATE const char *nn__fmt_shape(char *buf, size_t cap, const int64_t *shape, int ndim) {
  size_t k = 0;
  int i;
  if (cap < 4) return "";
  buf[k++] = '(';
  for (i = 0; i < ndim && k + 24 < cap; i++) {
    int w = snprintf(buf + k, cap - k, "%s%lld", i ? "," : "", (long long)shape[i]);
    if (w > 0) k += (size_t)w;
  }
  if (ndim == 1 && k + 2 < cap) buf[k++] = ',';
  buf[k++] = ')';
  buf[k] = 0;
  return buf;
}
