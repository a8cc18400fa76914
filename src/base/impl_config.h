/* base/impl_config.h: options and helpers seen only by the implementation translation unit. */

#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>
#include <limits.h>
#include <stdarg.h>
#include <errno.h>

/* Allocation hooks: define all three or none (as stb does). NN_MALLOC must return memory aligned for any C type;
   the library aligns large buffers itself on top of it. */
#if defined(NN_MALLOC) || defined(NN_REALLOC) || defined(NN_FREE)
#if !defined(NN_MALLOC) || !defined(NN_REALLOC) || !defined(NN_FREE)
#error "nn.h: define all of NN_MALLOC, NN_REALLOC and NN_FREE, or none of them"
#endif
#else
#define NN_MALLOC(sz) malloc(sz)
#define NN_REALLOC(p, sz) realloc(p, sz)
#define NN_FREE(p) free(p)
#endif

/* NN_ASSERT checks internal invariants only; user mistakes are reported as errors, never asserted. */
#ifndef NN_ASSERT
#include <assert.h>
#define NN_ASSERT(x) assert(x)
#endif

/* Private functions: static, and unused ones do not warn (a user may compile parts out). */
#if defined(__GNUC__) || defined(__clang__)
#define NN__PRIVATE __attribute__((unused)) static
#define NN__LIKELY(x) __builtin_expect(!!(x), 1)
#define NN__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NN__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define NN__PRIVATE static
#define NN__LIKELY(x) (x)
#define NN__UNLIKELY(x) (x)
#define NN__PRINTF(a, b)
#endif

/* Thread-local storage for the per-thread error message and scope stack (the chain stb_image uses). */
#ifndef NN_THREAD_LOCAL
#if defined(NN_NO_THREAD_LOCALS)
#define NN_THREAD_LOCAL
#elif defined(__cplusplus) && __cplusplus >= 201103L
#define NN_THREAD_LOCAL thread_local
#elif defined(__TINYC__)
#define NN_THREAD_LOCAL /* tcc has no TLS; it also builds without threads */
#elif defined(__GNUC__) || defined(__clang__)
#define NN_THREAD_LOCAL __thread
#elif defined(_MSC_VER)
#define NN_THREAD_LOCAL __declspec(thread)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_THREADS__)
#define NN_THREAD_LOCAL _Thread_local
#else
#define NN_THREAD_LOCAL
#endif
#endif

/* SIMD on x86-64 is chosen per function at run time (target attributes + CPUID), so plain `cc -O2` gets AVX2/AVX-512. */
#if !defined(NN_NO_SIMD) && (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__aarch64__))
#define NN__SIMD 1
#if defined(__x86_64__)
#define NN__X86 1
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#define NN__ARM64 1
#endif
#else
#define NN__SIMD 0
#endif
/* The baseline 128-bit vector kernels (GCC/Clang vector extensions): NEON on arm64. On x86-64 every CPU since 2013-15
   has AVX2, so the SSE2 versions are left out unless NN_SIMD_SSE2 is defined: they would only add compile time. */
#if NN__SIMD && (defined(NN__ARM64) || defined(NN_SIMD_SSE2))
#define NN__SIMD_BASE 1
#else
#define NN__SIMD_BASE 0
#endif

#define NN__MIN(a, b) ((a) < (b) ? (a) : (b))
#define NN__MAX(a, b) ((a) > (b) ? (a) : (b))
