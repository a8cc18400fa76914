/* nn/optim.c: optimizers. */
