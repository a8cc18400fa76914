/* nn/progress.c: Keras's progress bar on stderr. On a terminal the bar is redrawn in place (at most 20 times a
   second, so printing never slows training): "123/938 [===>......] - ETA: 3s - loss: 0.5123 - accuracy: 0.8200";
   when stderr is a file or pipe, one summary line per epoch instead. verbose: 0 silent, 1 bar, 2 one line per
   epoch even on a terminal (Keras's verbose=2). */

typedef struct nn__progress {
  int verbose, tty, epoch, epochs;
  int64_t steps;
  double t0, last_draw;
  int drawn; /* characters of the last in-place line, to blank leftovers */
} nn__progress;

NN__PRIVATE void nn__progress_begin(nn__progress *p, int verbose, int epoch, int epochs, int64_t steps) {
  p->verbose = verbose;
  p->tty = verbose == 1 && nn__stderr_is_tty();
  p->epoch = epoch;
  p->epochs = epochs;
  p->steps = steps;
  p->t0 = nn__now();
  p->last_draw = 0;
  p->drawn = 0;
  if (p->tty) fprintf(stderr, "Epoch %d/%d\n", epoch + 1, epochs);
}

/* "1m 05s", "12s", "350ms" */
NN__PRIVATE void nn__fmt_duration(char *buf, size_t cap, double s) {
  if (s >= 3600) snprintf(buf, cap, "%dh %02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
  else if (s >= 60) snprintf(buf, cap, "%dm %02ds", (int)(s / 60), (int)fmod(s, 60));
  else if (s >= 1) snprintf(buf, cap, "%ds", (int)(s + 0.5));
  else snprintf(buf, cap, "%dms", (int)(s * 1000 + 0.5));
}

NN__PRIVATE int nn__fmt_metrics(char *buf, size_t cap, const char *const *names, const double *values, int n) {
  int len = 0, i;
  buf[0] = 0;
  for (i = 0; i < n && len < (int)cap - 1; i++) {
    int w = snprintf(buf + len, cap - (size_t)len, " - %s: %.4f", names[i], values[i]);
    if (w < 0) break;
    len += w;
  }
  return len < (int)cap ? len : (int)cap - 1;
}

/* After step (1-based) of the epoch, with the running metrics. Draws only on a terminal and when due. */
NN__PRIVATE void nn__progress_step(nn__progress *p, int64_t step, const char *const *names, const double *values,
                                   int n) {
  char bar[31], metrics[512], eta[32];
  double now, el, rate;
  int i, filled, len;
  if (!p->tty) return;
  now = nn__now();
  if (step < p->steps && now - p->last_draw < 0.05) return;
  p->last_draw = now;
  el = now - p->t0;
  rate = step > 0 ? el / (double)step : 0;
  filled = p->steps > 0 ? (int)(30 * step / p->steps) : 30;
  for (i = 0; i < 30; i++) bar[i] = i < filled ? '=' : '.';
  if (filled > 0 && filled < 30) bar[filled - 1] = '>';
  bar[30] = 0;
  nn__fmt_metrics(metrics, sizeof metrics, names, values, n);
  nn__fmt_duration(eta, sizeof eta, rate * (double)(p->steps - step));
  len = fprintf(stderr, "\r%*lld/%lld [%s] - ETA: %s%s", (int)(snprintf(NULL, 0, "%lld", (long long)p->steps)),
                (long long)step, (long long)p->steps, bar, eta, metrics);
  if (len < p->drawn) fprintf(stderr, "%*s", p->drawn - len, "");
  p->drawn = len;
  fflush(stderr);
}

/* End of the epoch: the final bar (terminal) or one line (otherwise), with all metrics including validation. */
NN__PRIVATE void nn__progress_end(nn__progress *p, const char *const *names, const double *values, int n) {
  char metrics[768], total[32], per[32];
  double el = nn__now() - p->t0;
  int len;
  if (p->verbose == 0) return;
  nn__fmt_metrics(metrics, sizeof metrics, names, values, n);
  nn__fmt_duration(total, sizeof total, el);
  nn__fmt_duration(per, sizeof per, p->steps > 0 ? el / (double)p->steps : 0);
  if (p->tty) {
    len = fprintf(stderr, "\r%lld/%lld [==============================] - %s %s/step%s", (long long)p->steps,
                  (long long)p->steps, total, per, metrics);
    if (len < p->drawn) fprintf(stderr, "%*s", p->drawn - len, "");
    fputc('\n', stderr);
  } else {
    fprintf(stderr, "Epoch %d/%d - %lld/%lld - %s %s/step%s\n", p->epoch + 1, p->epochs, (long long)p->steps,
            (long long)p->steps, total, per, metrics);
  }
  fflush(stderr);
}
