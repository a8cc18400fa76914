/* nn/losses.h: loss functions. */
