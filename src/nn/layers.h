/* nn/layers.h: Keras/PyTorch-style layers. */
