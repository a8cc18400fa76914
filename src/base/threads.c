/* base/threads.c: a small fork-join pool. The calling thread takes part in the work; workers spin briefly before
   sleeping so back-to-back kernels do not pay a wake-up each. Nested or concurrent calls run on the caller. */

typedef void (*nn__task_fn)(void *ctx, int64_t chunk);

#if !defined(NN_NO_THREADS)
#if defined(_WIN32)
#include <windows.h>
typedef HANDLE nn__thread_t;
typedef CRITICAL_SECTION nn__mutex_t;
typedef CONDITION_VARIABLE nn__cond_t;
#define nn__mutex_init(m) InitializeCriticalSection(m)
#define nn__mutex_lock(m) EnterCriticalSection(m)
#define nn__mutex_trylock(m) (TryEnterCriticalSection(m) ? 0 : 1)
#define nn__mutex_unlock(m) LeaveCriticalSection(m)
#define nn__cond_init(c) InitializeConditionVariable(c)
#define nn__cond_wait(c, m) SleepConditionVariableCS(c, m, INFINITE)
#define nn__cond_broadcast(c) WakeAllConditionVariable(c)
#define nn__pause() YieldProcessor()
#define nn__yield() SwitchToThread()
#define nn__load_acq(p) InterlockedCompareExchange64((volatile LONG64 *)(p), 0, 0)
#define nn__fetch_add(p, v) InterlockedExchangeAdd64((volatile LONG64 *)(p), (v))
#else
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#define nn__yield() sched_yield()
typedef pthread_t nn__thread_t;
typedef pthread_mutex_t nn__mutex_t;
typedef pthread_cond_t nn__cond_t;
#define nn__mutex_init(m) pthread_mutex_init(m, NULL)
#define nn__mutex_lock(m) pthread_mutex_lock(m)
#define nn__mutex_trylock(m) pthread_mutex_trylock(m)
#define nn__mutex_unlock(m) pthread_mutex_unlock(m)
#define nn__cond_init(c) pthread_cond_init(c, NULL)
#define nn__cond_wait(c, m) pthread_cond_wait(c, m)
#define nn__cond_broadcast(c) pthread_cond_broadcast(c)
#if defined(__x86_64__) || defined(__i386__)
#define nn__pause() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define nn__pause() __asm__ __volatile__("yield")
#else
#define nn__pause() ((void)0)
#endif
#define nn__load_acq(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define nn__fetch_add(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)
#endif

#define NN__MAX_THREADS 256

typedef struct nn__pool {
  int started, nworkers;
  nn__thread_t th[NN__MAX_THREADS];
  nn__mutex_t mu, run_mu;
  nn__cond_t cv;
  nn__task_fn fn;
  void *ctx;
  int64_t nchunks;
  int64_t next;    /* next chunk to take */
  int64_t pending; /* workers still inside the current job */
  int64_t gen;     /* job generation; bumped to start a job */
  int64_t quit;
} nn__pool;

static nn__pool nn__the_pool;
static int nn__num_threads = 0; /* 0: not decided yet */
static int nn__pool_once = 0;
static NN_THREAD_LOCAL int nn__in_worker = 0;

NN__PRIVATE int nn__default_threads(void) {
  const char *e = getenv("NN_NUM_THREADS");
  int n = e ? atoi(e) : 0;
  if (n > 0) return n < NN__MAX_THREADS ? n : NN__MAX_THREADS;
#if defined(_WIN32)
  {
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    n = (int)si.dwNumberOfProcessors;
  }
#elif defined(_SC_NPROCESSORS_ONLN)
  n = (int)sysconf(_SC_NPROCESSORS_ONLN);
#endif
  if (n < 1) n = 1;
  return n < NN__MAX_THREADS ? n : NN__MAX_THREADS;
}

NN__PRIVATE void nn__pool_work(nn__pool *p) {
  for (;;) {
    int64_t c = nn__fetch_add(&p->next, 1);
    if (c >= p->nchunks) break;
    p->fn(p->ctx, c);
  }
}

#if defined(_WIN32)
static DWORD WINAPI nn__worker_main(LPVOID arg)
#else
static void *nn__worker_main(void *arg)
#endif
{
  nn__pool *p = (nn__pool *)arg;
  int64_t seen = 0;
  nn__in_worker = 1;
  for (;;) {
    int spin;
    int64_t g = nn__load_acq(&p->gen);
    /* spin briefly, then yield (another process may want this core), then sleep */
    for (spin = 0; g == seen && spin < 20000; spin++) {
      if (spin < 4000) nn__pause();
      else nn__yield();
      g = nn__load_acq(&p->gen);
    }
    if (g == seen) {
      nn__mutex_lock(&p->mu);
      while ((g = nn__load_acq(&p->gen)) == seen) nn__cond_wait(&p->cv, &p->mu);
      nn__mutex_unlock(&p->mu);
    }
    seen = g;
    if (nn__load_acq(&p->quit)) break;
    nn__pool_work(p);
    nn__fetch_add(&p->pending, -1);
  }
#if defined(_WIN32)
  return 0;
#else
  return NULL;
#endif
}

NN__PRIVATE void nn__pool_stop(void) {
  nn__pool *p = &nn__the_pool;
  int i;
  if (!p->started) return;
  nn__mutex_lock(&p->mu);
  nn__fetch_add(&p->quit, 1);
  nn__fetch_add(&p->gen, 1);
  nn__cond_broadcast(&p->cv);
  nn__mutex_unlock(&p->mu);
  for (i = 0; i < p->nworkers; i++) {
#if defined(_WIN32)
    WaitForSingleObject(p->th[i], INFINITE);
    CloseHandle(p->th[i]);
#else
    pthread_join(p->th[i], NULL);
#endif
  }
  p->started = 0;
  p->nworkers = 0;
  p->quit = 0;
}

NN__PRIVATE void nn__pool_start(int nthreads) {
  nn__pool *p = &nn__the_pool;
  int i;
  if (!nn__pool_once) {
    nn__mutex_init(&p->mu);
    nn__mutex_init(&p->run_mu);
    nn__cond_init(&p->cv);
    nn__pool_once = 1;
  }
  p->gen = 0;
  p->quit = 0;
  p->nworkers = 0;
  for (i = 0; i < nthreads - 1; i++) {
#if defined(_WIN32)
    p->th[i] = CreateThread(NULL, 0, nn__worker_main, p, 0, NULL);
    if (!p->th[i]) break;
#else
    if (pthread_create(&p->th[i], NULL, nn__worker_main, p) != 0) break;
#endif
    p->nworkers++;
  }
  p->started = 1;
}

NNDEF void nn_set_num_threads(int n) {
  if (n < 1) n = nn__default_threads();
  if (n > NN__MAX_THREADS) n = NN__MAX_THREADS;
  if (n == nn__num_threads) return;
  if (nn__the_pool.started) nn__pool_stop();
  nn__num_threads = n;
}

NNDEF int nn_get_num_threads(void) {
  if (nn__num_threads == 0) nn__num_threads = nn__default_threads();
  return nn__num_threads;
}

/* Runs fn(ctx, c) for c in [0, nchunks). Chunk boundaries are the caller's, so results never depend on threads. */
NN__PRIVATE void nn__parallel_for(int64_t nchunks, nn__task_fn fn, void *ctx) {
  nn__pool *p = &nn__the_pool;
  int64_t c;
  int nt = nn_get_num_threads();
  if (nchunks <= 0) return;
  if (nt <= 1 || nchunks == 1 || nn__in_worker) goto serial;
  if (!p->started) {
    if (!nn__pool_once) {
      nn__mutex_init(&p->mu);
      nn__mutex_init(&p->run_mu);
      nn__cond_init(&p->cv);
      nn__pool_once = 1;
    }
    nn__mutex_lock(&p->run_mu);
    if (!p->started) nn__pool_start(nt);
    nn__mutex_unlock(&p->run_mu);
  }
  if (p->nworkers == 0 || nn__mutex_trylock(&p->run_mu) != 0) goto serial;
  p->fn = fn;
  p->ctx = ctx;
  p->nchunks = nchunks;
  p->next = 0;
  p->pending = p->nworkers;
  nn__mutex_lock(&p->mu);
  nn__fetch_add(&p->gen, 1);
  nn__cond_broadcast(&p->cv);
  nn__mutex_unlock(&p->mu);
  nn__in_worker = 1;
  nn__pool_work(p);
  nn__in_worker = 0;
  {
    /* a worker may be descheduled; yielding lets it finish instead of burning our slice */
    int spin = 0;
    while (nn__load_acq(&p->pending) > 0) {
      if (++spin < 2000) nn__pause();
      else nn__yield();
    }
  }
  nn__mutex_unlock(&p->run_mu);
  return;
serial:
  for (c = 0; c < nchunks; c++) fn(ctx, c);
}

#else /* NN_NO_THREADS */

typedef int nn__pool_unused_t;
NNDEF void nn_set_num_threads(int n) { (void)n; }
NNDEF int nn_get_num_threads(void) { return 1; }
NN__PRIVATE void nn__parallel_for(int64_t nchunks, nn__task_fn fn, void *ctx) {
  int64_t c;
  for (c = 0; c < nchunks; c++) fn(ctx, c);
}

#endif
