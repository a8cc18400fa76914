/* nn.h - v0.1.0 - NumPy-style arrays and neural networks in one C header - MIT or public domain
   https://github.com/ (see README.md)                         LICENSE: see the end of this file

   Do this:
      #define NN_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation. Other files include it
   plainly. Build with any C99 or C++11 compiler: `cc -O2 prog.c -lm` (add -pthread on old glibc).

   TABLE OF CONTENTS (search for the part's file name, e.g. "begin src/ops/elementwise.h")
      base/config.h       version, NNDEF/NN_STATIC linkage, NN_MAX_DIMS
      base/status.h       status codes, nn_error(): what went wrong, in words
      base/threads.h      the thread pool: nn_set_num_threads
      core/tensor.h       nn_tensor, dtypes, the memory model (scopes), element access
      core/create.h       zeros, ones, full, arange, linspace, eye, from_data, wrap, astype, copy
      core/views.h        reshape, transpose, permute, slice, select, squeeze, unsqueeze, broadcast_to, diagonal
      ops/elementwise.h   add ... pow, comparisons, logic, exp ... erf, where, clip (NumPy broadcasting)
      ops/reduce.h        sum, mean, var, std, min, max, argmin, argmax, prod, any, all, cumsum, logsumexp, softmax
      ops/shape.h         concatenate, stack, split, tile, repeat, pad
      ops/index.h         take, take_along_axis, masked select, put, scatter, nonzero
      ops/sort.h          sort, argsort, unique
      ops/matmul.h        matmul (batched, broadcast), dot, outer, nn_sgemm/nn_dgemm
      ops/conv.h          conv1d/conv2d (stride, padding, dilation, groups) and their gradients, pooling, im2col
      core/print.h        printing like NumPy
      base/random.h       seeded random numbers

   COMPILE-TIME OPTIONS
      Global (define before every include of nn.h, identically):
         NN_STATIC          make every function static (private to the one file that has NN_IMPLEMENTATION)
         NN_MAX_DIMS        most dimensions a tensor can have (default 8)
         NN_NO_RANDOM, NN_NO_INDEX, NN_NO_SORT, NN_NO_CONV, NN_NO_PRINT, NN_NO_NN (layers, losses,
         optimizers, metrics), NN_NO_IO (file formats)
                            leave that part out (faster compiles, smaller binaries); models need NN, IO, RANDOM
      Implementation only (define before the #include that has NN_IMPLEMENTATION):
         NN_MALLOC(sz), NN_REALLOC(p,sz), NN_FREE(p)   allocator (all three or none)
         NN_ASSERT(x)       internal invariant checks (default: assert)
         NN_NO_THREADS      no thread pool: everything runs on the calling thread
         NN_NO_SIMD         portable scalar kernels only (no AVX2/AVX-512/NEON)
         NN_SIMD_SSE2       also build the 128-bit SSE2 kernels for x86-64 CPUs without AVX2 (pre-2013); off by default
         NN_NO_THREAD_LOCALS  error message and scope stack become process-global (single-threaded programs)
      Environment: NN_NUM_THREADS=n sets the default thread count; NN_FORCE_SCALAR=1 picks the scalar kernels.

   QUICK START
      #define NN_IMPLEMENTATION
      #include "nn.h"
      int main(void) {
        int64_t shape[2] = {2, 3};
        nn_scope_begin();                               // tensors made from here on are freed by nn_scope_end
        nn_tensor *a = nn_arange(0, 6, 1, NN_FLOAT32);
        nn_tensor *b = nn_reshape(a, shape, 2);         // a view: no copy
        nn_tensor *c = nn_add(nn_mul(b, b), nn_scalar(1, NN_FLOAT32));
        if (!c) { fprintf(stderr, "%s\n", nn_error()); return 1; }
        nn_print(c);
        nn_scope_end();                                 // frees a, b, the temporary product, c
        return 0;
      }

   CONVENTIONS
      - Row-major (C order). Strides are in elements, may be 0 (broadcast) or negative (reversed slices).
      - Broadcasting, dtype promotion, axis numbering (negative counts from the end), keepdims, ddof: as NumPy.
      - Shapes are passed as (const int64_t *shape, int ndim). NN_ALL_AXES reduces over every axis.
      - Every function taking tensors accepts views. Inputs are never modified except by *_out and nn_set/assign/fill.

   OWNERSHIP
      - A function returning nn_tensor* returns a new header. Inside nn_scope_begin/nn_scope_end it belongs to the
        innermost scope; otherwise the caller frees it with nn_free. nn_keep(t) moves it to the enclosing scope.
      - Views share storage with their source; storage lives until the last header using it is freed.
      - nn_wrap uses caller memory and never frees it. Strings returned by nn_error() belong to the library.

   ERRORS
      Functions return NULL or a negative nn_status; nn_error() says what went wrong, naming the function, shapes,
      dtypes and axes. Nothing aborts on bad input. A NULL tensor argument is an error, so a chain of calls fails
      cleanly at the first failure and nn_error() still names its cause.

   THREADS
      One pool, started on first use, sized to the machine; nn_set_num_threads(n) changes it. Results do not depend on
      the number of threads. Tensors are not locked: do not write a tensor from two threads at once.
*/
