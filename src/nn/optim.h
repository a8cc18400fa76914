/* nn/optim.h: optimizers, gradient clipping and learning-rate schedules. */
