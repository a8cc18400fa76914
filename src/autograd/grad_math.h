/* autograd/grad_math.h (private): recorders of matmul, convolution and pooling (autograd/grad_linalg.c,
   autograd/grad_conv.c), declared here so the ops above them in the manifest can call them. */
