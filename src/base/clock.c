/* base/clock.c: a monotonic clock in seconds and "is stderr a terminal?", for progress bars and timings. Strict C99
   hides clock_gettime's CLOCK_MONOTONIC in glibc; gettimeofday is the fallback there. */

#if defined(_WIN32)
#include <windows.h>
#include <io.h>
NN__PRIVATE double nn__now(void) {
  LARGE_INTEGER f, c;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&c);
  return (double)c.QuadPart / (double)f.QuadPart;
}
NN__PRIVATE int nn__stderr_is_tty(void) { return _isatty(2) != 0; }
#else
#include <time.h>
#include <sys/time.h>
#include <unistd.h>
NN__PRIVATE double nn__now(void) {
#if defined(CLOCK_MONOTONIC)
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#endif
  {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec;
  }
}
NN__PRIVATE int nn__stderr_is_tty(void) { return isatty(2) != 0; }
#endif
