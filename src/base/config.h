/* base/config.h: version, linkage, compile-time options and the few libc hooks a user may override.
   Everything here is visible to every translation unit that includes nn.h. */

#define NN_VERSION_MAJOR 0
#define NN_VERSION_MINOR 1
#define NN_VERSION_PATCH 0
#define NN__STR2(x) #x
#define NN__STR(x) NN__STR2(x)
#define NN_VERSION_STRING NN__STR(NN_VERSION_MAJOR) "." NN__STR(NN_VERSION_MINOR) "." NN__STR(NN_VERSION_PATCH)

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* NNDEF: linkage of every public function. NN_STATIC makes the whole library private to one translation unit. */
#ifndef NNDEF
#if defined(NN_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define NNDEF static __attribute__((unused))
#elif defined(NN_STATIC)
#define NNDEF static
#else
#define NNDEF extern
#endif
#endif

/* Tiny C compilers get the portable scalar path without threads. */
#if defined(__TINYC__)
#ifndef NN_NO_SIMD
#define NN_NO_SIMD
#endif
#ifndef NN_NO_THREADS
#define NN_NO_THREADS
#endif
#endif

/* The most dimensions a tensor can have (NumPy allows 32; 8 covers every model we know of). */
#ifndef NN_MAX_DIMS
#define NN_MAX_DIMS 8
#endif

/* Pass as an axis to reduce over all axes (NumPy's axis=None). */
#define NN_ALL_AXES (-1000)
