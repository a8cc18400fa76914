/* nn/layer.c: the layer interface. */
