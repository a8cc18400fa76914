/* nn/losses.c: loss functions. */
