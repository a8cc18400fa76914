/* src/nn_in.h: the manifest. tools/amalgamate.py follows the includes below, in this order, to produce nn.h.
   Parts come in dependency order: a part only uses what is above it. */
#include "doc/header.h"

#ifndef NN_INCLUDE_NN_H
#define NN_INCLUDE_NN_H

#include "base/config.h"

#ifdef __cplusplus
extern "C" {
#endif

#include "base/status.h"
#include "base/threads.h"
#include "core/tensor.h"
#include "core/create.h"
#include "core/views.h"
#include "base/random.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/index.h"
#include "ops/sort.h"
#include "ops/matmul.h"
#include "ops/conv.h"
#include "core/print.h"

#ifdef __cplusplus
}
#endif

#endif /* NN_INCLUDE_NN_H */

/* ======================================================================================================== */
/*                                           IMPLEMENTATION                                                  */
/* ======================================================================================================== */
#if defined(NN_IMPLEMENTATION) && !defined(NN_IMPLEMENTATION_INCLUDED)
#define NN_IMPLEMENTATION_INCLUDED

#include "base/impl_config.h"
#include "base/status.c"
#include "base/threads.c"
#include "core/tensor.c"
#include "core/iter.c"
#include "core/create.c"
#include "core/views.c"
#include "kernels/vec_table.c"
#include "kernels/ewise_scalar.c"
#include "kernels/simd.c"
#include "kernels/reduce_scalar.c"
#include "kernels/gemm.c"
#include "kernels/conv.c"
#include "base/random.c"
#include "ops/elementwise.c"
#include "ops/reduce.c"
#include "ops/shape.c"
#include "ops/index.c"
#include "ops/sort.c"
#include "ops/matmul.c"
#include "ops/conv.c"
#include "core/print.c"

#endif /* NN_IMPLEMENTATION */

#include "doc/license.h"
