/* autograd/grad_conv.c: backward formulas of convolution and pooling. */
