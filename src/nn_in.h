/* src/nn_in.h: the manifest. tools/amalgamate.py follows the includes below, in this order, to produce nn.h.
   Parts come in dependency order: a part only uses what is above it. Optional parts sit behind NN_NO_<PART>
   switches (define them identically wherever nn.h is included) so a program can leave out what it does not use
   and compile faster. */
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
#ifndef NN_NO_RANDOM
#include "base/random.h"
#endif
#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#ifndef NN_NO_INDEX
#include "ops/index.h"
#endif
#ifndef NN_NO_SORT
#include "ops/sort.h"
#endif
#include "ops/matmul.h"
#ifndef NN_NO_CONV
#include "ops/conv.h"
#endif
#ifndef NN_NO_PRINT
#include "core/print.h"
#endif
#include "autograd/autograd.h"
#ifndef NN_NO_NN
#include "nn/layers.h"
#include "nn/losses.h"
#include "nn/optim.h"
#include "nn/metrics.h"
#endif
#ifndef NN_NO_IO
#include "io/io.h"
#endif
/* models need the layers (which need random numbers) and the file formats */
#if !defined(NN_NO_NN) && !defined(NN_NO_RANDOM)
#include "nn/loader.h"
#endif
#if !defined(NN_NO_NN) && !defined(NN_NO_IO) && !defined(NN_NO_RANDOM)
#include "nn/model.h"
#endif

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
#include "base/clock.c"
#include "autograd/node.h"
#include "autograd/grad_shape.h"
#include "autograd/grad_math.h"
#include "core/tensor.c"
#include "core/iter.c"
#include "core/create.c"
#include "core/views.c"
#include "kernels/vec_table.c"
#include "kernels/ewise_scalar.c"
#include "kernels/simd.c"
#include "kernels/reduce_scalar.c"
#include "kernels/gemm.c"
#ifndef NN_NO_CONV
#include "kernels/conv.c"
#endif
#ifndef NN_NO_RANDOM
#include "base/random.c"
#endif
#include "ops/elementwise.c"
#include "ops/reduce.c"
#include "ops/shape.c"
#ifndef NN_NO_INDEX
#include "ops/index.c"
#endif
#ifndef NN_NO_SORT
#include "ops/sort.c"
#endif
#include "ops/matmul.c"
#ifndef NN_NO_CONV
#include "ops/conv.c"
#endif
#ifndef NN_NO_PRINT
#include "core/print.c"
#endif
#include "autograd/engine.c"
#include "autograd/grad_elementwise.c"
#include "autograd/grad_reduce.c"
#include "autograd/grad_shape.c"
#include "autograd/grad_index.c"
#include "autograd/grad_linalg.c"
#include "autograd/grad_conv.c"
#ifndef NN_NO_NN
#include "nn/layer.c"
#include "nn/init.c"
#include "nn/layer_kernels.c"
#include "nn/activations.c"
#include "nn/layers_core.c"
#include "nn/layers_conv.c"
#include "nn/layers_norm.c"
#include "nn/layers_rnn.c"
#include "nn/layers_attention.c"
#include "nn/losses.c"
#include "nn/loss_ce.c"
#include "nn/optim.c"
#include "nn/grad_clip.c"
#include "nn/lr_schedule.c"
#include "nn/metrics.c"
#include "nn/history.c"
#include "nn/progress.c"
#endif
#ifndef NN_NO_IO
#include "io/inflate.c"
#include "io/file.c"
#include "io/json.c"
#include "io/dict.c"
#include "io/idx.c"
#include "io/csv.c"
#include "io/safetensors.c"
#include "io/npy.c"
#include "io/npz.c"
#endif
#if !defined(NN_NO_NN) && !defined(NN_NO_RANDOM)
#include "nn/loader.c"
#endif
#if !defined(NN_NO_NN) && !defined(NN_NO_IO) && !defined(NN_NO_RANDOM)
#include "nn/model.c"
#include "nn/fit.c"
#include "nn/model_io.c"
#endif

#endif /* NN_IMPLEMENTATION */

#include "doc/license.h"
