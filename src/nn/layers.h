/* nn/layers.h: Keras/PyTorch-style layers, their activations and initializers.

   A layer is made from its own settings only (nn_dense(128, NN_ACT_RELU), nn_conv2d_layer(32, 3, 3, &desc), ...)
   and builds its parameters the first time it sees an input (nn_layer_forward), or when nn_layer_build is given the
   per-sample input shape (no batch axis), as Keras does. Parameters are float32 leaf tensors requiring gradients
   (float64 on request), laid out and named exactly like PyTorch's state_dict entries ("weight", "bias",
   "weight_ih_l0", "in_proj_weight", "out_proj.weight", ...) so weights can be exchanged with PyTorch; BatchNorm's
   running statistics are buffers ("running_mean", "running_var", "num_batches_tracked"). Initial values follow
   PyTorch's default initializations (or Keras's with keras_init = 1), drawn from the layer's own seeded generator:
   the same seed gives the same weights on every platform, though not PyTorch's random draws.

   Data layout is PyTorch's: (N, features) for Dense, (N, C, L) and (N, C, H, W) for convolution and pooling, and for
   recurrent layers and attention (seq, N, features) unless the desc sets batch_first. The forward pass is built from
   differentiable ops (or fused ops with their own backward), so nn_backward gives the gradients of the input and of
   every parameter.

   Memory: a layer owns its parameters and buffers (they live outside every scope) and nn_layer_free frees them with
   their gradients. Forward results belong to the caller's scope, like any op's result. A layer is used by one
   thread at a time (Dropout draws from its generator, BatchNorm updates its buffers).

   Desc structs: zero-initialize them (memset or `= {0}`), then set what differs; zero fields mean PyTorch's
   defaults. A NULL desc pointer means all defaults.

   Parts: layers need the random part (not with NN_NO_RANDOM); convolution and pooling layers also need the conv part
   (not with NN_NO_CONV). The activations and the functional forms (nn_layer_norm, nn_batch_norm, nn_embedding) are
   always available. */

/* ---- activations ---- */

typedef enum nn_activation {
  NN_ACT_NONE = 0,    /* identity ("linear") */
  NN_ACT_RELU,        /* max(x, 0) */
  NN_ACT_LEAKY_RELU,  /* x for x > 0, 0.01 x otherwise (torch.nn.LeakyReLU's default slope) */
  NN_ACT_ELU,         /* x for x > 0, e^x - 1 otherwise (alpha 1) */
  NN_ACT_GELU,        /* x Phi(x), the exact (erf) form */
  NN_ACT_SILU,        /* x sigmoid(x) (swish) */
  NN_ACT_SIGMOID,
  NN_ACT_TANH,
  NN_ACT_SOFTMAX,     /* over the last axis (Keras's axis=-1) */
  NN_ACT_LOG_SOFTMAX, /* over the last axis */
  NN_ACT_COUNT
} nn_activation;

/* Keras's name of an activation: "linear", "relu", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh",
   "softmax", "log_softmax"; "invalid" for a bad value. */
NNDEF const char *nn_activation_name(nn_activation act);
/* The activation with that Keras name (also "none", "swish"), or NN_ACT_COUNT with an error for an unknown name. */
NNDEF nn_activation nn_activation_from_name(const char *name);
/* act(x) with the defaults listed at nn_activation; differentiable. NN_ACT_NONE returns a new header over x's data. */
NNDEF nn_tensor *nn_activate(const nn_tensor *x, nn_activation act);
/* torch.nn.functional.leaky_relu(x, negative_slope): x for x > 0, negative_slope * x otherwise; float input,
   differentiable (the gradient at 0 is negative_slope, as PyTorch's). */
NNDEF nn_tensor *nn_leaky_relu(const nn_tensor *x, double negative_slope);
/* torch.nn.functional.elu(x, alpha): x for x > 0, alpha (e^x - 1) otherwise; float input, differentiable. */
NNDEF nn_tensor *nn_elu(const nn_tensor *x, double alpha);

/* ---- functional forms of the normalization and embedding layers (differentiable) ---- */

/* torch.nn.functional.layer_norm(x, normalized_shape, weight, bias, eps): normalizes over the last nnorm axes of x,
   which must equal normalized_shape, with the biased variance: (x - mean) / sqrt(var + eps) * weight + bias.
   weight and bias (shape normalized_shape, x's dtype) may be NULL. float32/float64. */
NNDEF nn_tensor *nn_layer_norm(const nn_tensor *x, const int64_t *normalized_shape, int nnorm, const nn_tensor *weight,
                               const nn_tensor *bias, double eps);
/* torch.nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps): x is (N, C),
   (N, C, L) or (N, C, H, W). training != 0 normalizes with the batch statistics (biased variance) and, when the
   running tensors are given, updates them in place: running = (1 - momentum) running + momentum * batch statistic,
   the variance unbiased (N*L/(N*L-1)). training == 0 normalizes with running_mean/running_var (required). Every
   per-channel tensor has shape (C,) and x's dtype; weight, bias and the running tensors may be NULL. Only x, weight
   and bias get gradients. */
NNDEF nn_tensor *nn_batch_norm(const nn_tensor *x, nn_tensor *running_mean, nn_tensor *running_var,
                               const nn_tensor *weight, const nn_tensor *bias, int training, double momentum,
                               double eps);
/* torch.nn.functional.embedding(indices, weight): rows of weight (V, E) picked by int32/int64 indices of any shape ->
   indices.shape + (E,). An index outside [0, V) is an error naming it. The gradient goes to weight. */
NNDEF nn_tensor *nn_embedding(const nn_tensor *indices, const nn_tensor *weight);

#ifndef NN_NO_RANDOM

/* torch.nn.functional.dropout(x, p, training): with training != 0, zeroes each element with probability p (drawn
   from rng) and scales the others by 1 / (1 - p); the identity (a new header over x) when training == 0 or p == 0.
   0 <= p <= 1; p == 1 gives zeros. Differentiable. */
NNDEF nn_tensor *nn_dropout(const nn_tensor *x, double p, int training, nn_rng *rng);

/* ---- initializers (torch.nn.init), in place on float32/float64 tensors ---- */

/* Nonlinearities for nn_init_calculate_gain. */
typedef enum nn_nonlinearity {
  NN_NL_LINEAR = 0, /* gain 1 (also conv and identity layers) */
  NN_NL_SIGMOID,    /* 1 */
  NN_NL_TANH,       /* 5/3 */
  NN_NL_RELU,       /* sqrt(2) */
  NN_NL_LEAKY_RELU, /* sqrt(2 / (1 + slope^2)) */
  NN_NL_SELU        /* 3/4 */
} nn_nonlinearity;

typedef enum nn_fan_mode {
  NN_FAN_IN = 0, /* PyTorch's default for kaiming: preserves the variance of the forward pass */
  NN_FAN_OUT     /* preserves the variance of the backward pass */
} nn_fan_mode;

/* torch.nn.init.calculate_gain(nonlinearity, param): param is leaky_relu's negative slope (PyTorch's default 0.01
   is NOT applied: pass it). */
NNDEF double nn_init_calculate_gain(nn_nonlinearity nl, double param);
/* torch.nn.init._calculate_fan_in_and_fan_out: for a (out, in, *kernel) tensor fan_in = in * prod(kernel) and
   fan_out = out * prod(kernel); tensors need at least 2 dimensions. */
NNDEF nn_status nn_init_fans(const nn_tensor *t, int64_t *fan_in, int64_t *fan_out);
/* U(a, b) (nn.init.uniform_). */
NNDEF nn_status nn_init_uniform(nn_tensor *t, double a, double b, nn_rng *rng);
/* N(mean, std^2) (nn.init.normal_). */
NNDEF nn_status nn_init_normal(nn_tensor *t, double mean, double std, nn_rng *rng);
/* Every element = value (nn.init.constant_). */
NNDEF nn_status nn_init_constant(nn_tensor *t, double value);
NNDEF nn_status nn_init_zeros(nn_tensor *t);
NNDEF nn_status nn_init_ones(nn_tensor *t);
/* Glorot/Xavier uniform (nn.init.xavier_uniform_, Keras glorot_uniform for gain 1): U(-b, b),
   b = gain * sqrt(6 / (fan_in + fan_out)). */
NNDEF nn_status nn_init_xavier_uniform(nn_tensor *t, double gain, nn_rng *rng);
/* Glorot/Xavier normal (nn.init.xavier_normal_): N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)). */
NNDEF nn_status nn_init_xavier_normal(nn_tensor *t, double gain, nn_rng *rng);
/* He/Kaiming uniform (nn.init.kaiming_uniform_(t, a, mode, nonlinearity)): U(-b, b),
   b = gain * sqrt(3 / fan), gain = nn_init_calculate_gain(nl, a). With a = 0 and NN_NL_RELU it is Keras he_uniform. */
NNDEF nn_status nn_init_kaiming_uniform(nn_tensor *t, double a, nn_fan_mode mode, nn_nonlinearity nl, nn_rng *rng);
/* He/Kaiming normal (nn.init.kaiming_normal_): N(0, std^2), std = gain / sqrt(fan). */
NNDEF nn_status nn_init_kaiming_normal(nn_tensor *t, double a, nn_fan_mode mode, nn_nonlinearity nl, nn_rng *rng);
/* nn.init.orthogonal_(t, gain): t viewed as (shape[0], rest) gets orthonormal rows (or columns, whichever are
   fewer) from the QR decomposition of a normal matrix, signs fixed so R has a positive diagonal, times gain. */
NNDEF nn_status nn_init_orthogonal(nn_tensor *t, double gain, nn_rng *rng);

/* An initializer chosen in a layer desc. */
typedef enum nn_init_kind {
  NN_INIT_DEFAULT = 0,     /* the layer's default: PyTorch's, or Keras's when the desc sets keras_init */
  NN_INIT_ZEROS,
  NN_INIT_ONES,
  NN_INIT_CONSTANT,        /* value a */
  NN_INIT_UNIFORM,         /* U(a, b) */
  NN_INIT_NORMAL,          /* N(a, b^2): mean a, standard deviation b */
  NN_INIT_XAVIER_UNIFORM,  /* Keras glorot_uniform; gain a (0 means 1) */
  NN_INIT_XAVIER_NORMAL,   /* gain a (0 means 1) */
  NN_INIT_KAIMING_UNIFORM, /* leaky_relu gain with negative slope a (a = 0: he_uniform), fan given by mode */
  NN_INIT_KAIMING_NORMAL,  /* likewise (a = 0: PyTorch's kaiming_normal_ / he normal) */
  NN_INIT_ORTHOGONAL,      /* gain a (0 means 1) */
  NN_INIT_KIND_COUNT
} nn_init_kind;

typedef struct nn_init_spec {
  nn_init_kind kind;
  double a, b;      /* parameters, as listed for each kind */
  nn_fan_mode mode; /* kaiming kinds */
} nn_init_spec;

/* Fills t as spec says. NN_INIT_DEFAULT is an error here (only layers know their default). */
NNDEF nn_status nn_init_apply(nn_tensor *t, const nn_init_spec *spec, nn_rng *rng);

/* ---- the layer interface ---- */

typedef struct nn_layer nn_layer;

/* What a kind of layer does: the vtable. Custom layers fill one through nn_layer_custom. */
typedef struct nn_layer_ops {
  const char *kind; /* Keras's class name: "Dense", "Conv2D", "LSTM", ... */
  /* Creates the parameters for a per-sample input shape (no batch axis; -1 marks a length not known yet) and sets
     the per-sample output shape with nn_layer_set_output_shape (left unset, the first forward sets it). NULL: the
     layer has nothing to build. */
  nn_status (*build)(nn_layer *l, const int64_t *shape, int ndim);
  /* The forward pass on a batch: returns a new tensor in the caller's scope, or NULL with an error. */
  nn_tensor *(*forward)(nn_layer *l, const nn_tensor *x);
  /* Frees what the layer allocated besides its parameters, buffers and config (NULL: nothing). */
  void (*destroy)(nn_layer *l);
} nn_layer_ops;

/* A parameter or buffer with its PyTorch state_dict name. */
typedef struct nn_named_tensor {
  char name[64];
  nn_tensor *tensor;
} nn_named_tensor;

/* Fields may be read; change them only through the functions below. */
struct nn_layer {
  const nn_layer_ops *ops;
  char name[64];      /* unique Keras-style name: "dense_3", "conv2d_4", ... */
  int built;          /* parameters exist */
  int training;       /* 1 (PyTorch's default for new modules): Dropout drops, BatchNorm uses batch statistics */
  int trainable;      /* 1: parameters require gradients */
  nn_dtype dtype;     /* dtype of the parameters and of the inputs it takes (Embedding: of its output) */
  int batch_axis;     /* axis of the batch in the forward input: 0, or 1 for sequence-first layers */
  nn_named_tensor *params;  /* trainable parameters: leaves requiring gradients, owned by the layer */
  int nparams, params_cap;
  nn_named_tensor *buffers; /* non-trainable state (BatchNorm running statistics), owned by the layer */
  int nbuffers, buffers_cap;
  int in_ndim, out_ndim;    /* per-sample shapes (no batch axis), -1 before they are known */
  int64_t in_shape[NN_MAX_DIMS], out_shape[NN_MAX_DIMS];
  uint64_t seed;            /* seeds rng at build (initial weights) and for Dropout's draws */
  nn_rng rng;
  void *config;             /* the kind's settings (a copy of its desc and derived sizes), freed with the layer */
  void *user;               /* custom layers: the user's context pointer */
  nn_layer_ops custom_ops;  /* custom layers: their callbacks (ops points here) */
};

/* Builds l for a per-sample input shape (without the batch axis; -1 for a length that may vary, such as a sequence
   length): creates and initializes the parameters. Building twice with the same shape is a no-op; another shape is
   an error. */
NNDEF nn_status nn_layer_build(nn_layer *l, const int64_t *shape, int ndim);
/* The forward pass (the layer's call): builds the layer from x's per-sample shape on first use. x has the batch
   axis first (second for sequence-first recurrent and attention layers). Returns a new tensor in the caller's scope;
   gradients flow back to x and the parameters through nn_backward. */
NNDEF nn_tensor *nn_layer_forward(nn_layer *l, const nn_tensor *x);
/* Frees the layer, its parameters, buffers and their gradients. NULL is ignored. */
NNDEF void nn_layer_free(nn_layer *l);
/* The kind ("Dense", ...), or "" for NULL. */
NNDEF const char *nn_layer_kind(const nn_layer *l);
/* The layer's name, or "" for NULL. */
NNDEF const char *nn_layer_name(const nn_layer *l);
/* Renames the layer (at most 63 characters). */
NNDEF nn_status nn_layer_set_name(nn_layer *l, const char *name);
/* Number of parameter tensors (0 before the layer is built). */
NNDEF int nn_layer_num_params(const nn_layer *l);
/* Parameter i (borrowed: owned by the layer), in PyTorch's state_dict order; NULL with an error if out of range. */
NNDEF nn_tensor *nn_layer_param(const nn_layer *l, int i);
/* The PyTorch name of parameter i ("weight", "bias", "weight_ih_l0", ...), or NULL with an error. */
NNDEF const char *nn_layer_param_name(const nn_layer *l, int i);
/* The parameter or buffer with that name (borrowed), or NULL with an error naming what exists. */
NNDEF nn_tensor *nn_layer_find_param(const nn_layer *l, const char *name);
/* Number of trainable scalars (Keras's count_params): the sum of the parameters' sizes. */
NNDEF int64_t nn_layer_param_count(const nn_layer *l);
/* Number of buffers (BatchNorm: running_mean, running_var, num_batches_tracked). */
NNDEF int nn_layer_num_buffers(const nn_layer *l);
/* Buffer i (borrowed), or NULL with an error. */
NNDEF nn_tensor *nn_layer_buffer(const nn_layer *l, int i);
/* The PyTorch name of buffer i, or NULL with an error. */
NNDEF const char *nn_layer_buffer_name(const nn_layer *l, int i);
/* Copies value into the parameter or buffer called name (load_state_dict for one entry): shapes must match exactly;
   the dtype is converted. */
NNDEF nn_status nn_layer_set_param(nn_layer *l, const char *name, const nn_tensor *value);
/* Per-sample output shape into shape (NN_MAX_DIMS entries; -1 for unknown lengths); returns its ndim, or -1 when not
   known yet (layer not built). */
NNDEF int nn_layer_output_shape(const nn_layer *l, int64_t *shape);
/* Per-sample input shape the layer was built for; returns its ndim, or -1 before the layer is built. */
NNDEF int nn_layer_input_shape(const nn_layer *l, int64_t *shape);
/* Training (1, module.train()) or inference (0, module.eval()) behaviour. */
NNDEF nn_status nn_layer_set_training(nn_layer *l, int training);
/* Marks the parameters as trainable (they require gradients) or frozen (Keras's layer.trainable). */
NNDEF nn_status nn_layer_set_trainable(nn_layer *l, int trainable);
/* Reseeds the layer's generator: before the build it decides the initial weights; afterwards Dropout's draws. */
NNDEF nn_status nn_layer_set_seed(nn_layer *l, uint64_t seed);
/* Drops the accumulated gradients of every parameter (optimizer.zero_grad(set_to_none=True)). */
NNDEF void nn_layer_zero_grad(nn_layer *l);
/* Seeds the sequence from which new layers take their seeds (torch.manual_seed for layers): after this call the
   k-th layer made gets the same seed in every run. The default sequence starts from seed 0. */
NNDEF void nn_layers_manual_seed(uint64_t seed);

/* ---- custom layers ---- */

/* A layer of a new kind: build (may be NULL) creates parameters with nn_layer_add_param and sets the output shape;
   forward computes the output from differentiable ops; destroy (may be NULL) frees user. kind is copied. */
NNDEF nn_layer *nn_layer_custom(const char *kind, nn_status (*build)(nn_layer *l, const int64_t *shape, int ndim),
                                nn_tensor *(*forward)(nn_layer *l, const nn_tensor *x), void (*destroy)(nn_layer *l),
                                void *user);
/* Registers t as a trainable parameter called name: the layer takes t out of its scope, owns it from now on, and
   marks it as requiring gradients. t must be a float32/float64 leaf not owned by another layer. On failure the
   layer does not take t. */
NNDEF nn_status nn_layer_add_param(nn_layer *l, const char *name, nn_tensor *t);
/* Registers t as a buffer (state that is saved but not trained), owned by the layer from now on. */
NNDEF nn_status nn_layer_add_buffer(nn_layer *l, const char *name, nn_tensor *t);
/* Creates a parameter of the layer's dtype with that shape, fills it as init says (drawing from the layer's
   generator; fans from the shape) and registers it. Returns it (borrowed), or NULL with an error. */
NNDEF nn_tensor *nn_layer_new_param(nn_layer *l, const char *name, const int64_t *shape, int ndim,
                                    const nn_init_spec *init);
/* Sets the per-sample output shape (for build functions). */
NNDEF nn_status nn_layer_set_output_shape(nn_layer *l, const int64_t *shape, int ndim);
/* The layer's generator (for custom initializers and random draws in forward). */
NNDEF nn_rng *nn_layer_rng(nn_layer *l);

/* ---- core layers ---- */

/* Settings of layers that own a weight and a bias. */
typedef struct nn_dense_desc {
  int no_bias;          /* 1: no bias (PyTorch bias=False, Keras use_bias=False) */
  nn_dtype dtype;       /* parameters: NN_FLOAT32 (0) or NN_FLOAT64 */
  int keras_init;       /* 1: Keras's defaults (glorot_uniform weight, zero bias) instead of PyTorch's */
  nn_init_spec weight_init, bias_init; /* NN_INIT_DEFAULT: PyTorch's kaiming_uniform(a=sqrt(5)) weight and
                                          U(-1/sqrt(fan_in), 1/sqrt(fan_in)) bias, or Keras's */
} nn_dense_desc;

/* Keras Dense / torch.nn.Linear followed by an activation: y = act(x W^T + b) with weight (units, in_features) and
   bias (units,). x is (N, *, in_features). */
NNDEF nn_layer *nn_dense(int64_t units, nn_activation act);
/* nn_dense with settings. */
NNDEF nn_layer *nn_dense_ex(int64_t units, nn_activation act, const nn_dense_desc *desc);
/* Keras Flatten / torch.nn.Flatten(): (N, d1, d2, ...) -> (N, d1*d2*...). */
NNDEF nn_layer *nn_flatten_layer(void);
/* Keras Reshape(target_shape): each sample reshaped to shape (ndim axes, one may be -1), batch axis kept. */
NNDEF nn_layer *nn_reshape_layer(const int64_t *shape, int ndim);
/* Keras Activation: applies act (torch.nn.ReLU, Sigmoid, ... as a layer). */
NNDEF nn_layer *nn_activation_layer(nn_activation act);
/* Keras Dropout(rate) / torch.nn.Dropout(p): nn_dropout with the layer's generator in training mode, the identity in
   inference mode. */
NNDEF nn_layer *nn_dropout_layer(double p);

/* Settings of Embedding. */
typedef struct nn_embedding_desc {
  nn_dtype dtype;   /* of the table: NN_FLOAT32 (0) or NN_FLOAT64 */
  int keras_init;   /* 1: Keras's U(-0.05, 0.05) instead of PyTorch's N(0, 1) */
  nn_init_spec init;
} nn_embedding_desc;
/* torch.nn.Embedding(num_embeddings, embedding_dim) / Keras Embedding(input_dim, output_dim): weight (V, E); int32
   or int64 indices of any shape (N, *) -> (N, *, E). Out-of-range indices are an error. */
NNDEF nn_layer *nn_embedding_layer(int64_t num_embeddings, int64_t embedding_dim, const nn_embedding_desc *desc);

#ifndef NN_NO_CONV
/* ---- convolution and pooling layers (input (N, C, L) or (N, C, H, W)) ---- */

typedef struct nn_conv_layer_desc {
  int stride[2];   /* (h, w); 0 means 1. 1-D layers use element [0] */
  int padding[2];  /* symmetric zero padding; 0 is Keras's padding="valid" */
  int same;        /* 1: padding="same" (output length = input length; stride must be 1), PyTorch's split */
  int dilation[2]; /* 0 means 1 */
  int groups;      /* 0 means 1; must divide the input channels and filters */
  int no_bias;
  nn_activation activation;
  nn_dtype dtype;
  int keras_init;  /* 1: glorot_uniform weight, zero bias */
  nn_init_spec weight_init, bias_init; /* default: PyTorch's, as for Dense (fan_in = C_in/groups * kernel size) */
} nn_conv_layer_desc;

/* torch.nn.Conv1d(C_in, filters, k) / Keras Conv1D with channels first: weight (filters, C_in/groups, k), bias
   (filters,). Input (N, C_in, L) -> (N, filters, L_out). */
NNDEF nn_layer *nn_conv1d_layer(int64_t filters, int k, const nn_conv_layer_desc *desc);
/* torch.nn.Conv2d(C_in, filters, (kh, kw)) / Keras Conv2D with channels first: weight (filters, C_in/groups, kh, kw).
   Input (N, C_in, H, W) -> (N, filters, H_out, W_out). */
NNDEF nn_layer *nn_conv2d_layer(int64_t filters, int kh, int kw, const nn_conv_layer_desc *desc);

typedef struct nn_pool_desc {
  int stride[2];   /* 0 means the kernel size (PyTorch's and Keras's default) */
  int padding[2];  /* at most half the kernel; max pooling pads with -inf, average pooling counts zeros */
  int dilation[2]; /* max pooling only; 0 means 1 */
} nn_pool_desc;

/* torch.nn.MaxPool1d(k) / Keras MaxPooling1D: (N, C, L) -> (N, C, L_out). */
NNDEF nn_layer *nn_max_pool1d_layer(int k, const nn_pool_desc *desc);
/* torch.nn.MaxPool2d((kh, kw)) / Keras MaxPooling2D: (N, C, H, W) -> (N, C, H_out, W_out). */
NNDEF nn_layer *nn_max_pool2d_layer(int kh, int kw, const nn_pool_desc *desc);
/* torch.nn.AvgPool1d(k) (count_include_pad=True) / Keras AveragePooling1D. */
NNDEF nn_layer *nn_avg_pool1d_layer(int k, const nn_pool_desc *desc);
/* torch.nn.AvgPool2d((kh, kw)) / Keras AveragePooling2D. */
NNDEF nn_layer *nn_avg_pool2d_layer(int kh, int kw, const nn_pool_desc *desc);
#endif

/* Keras GlobalAveragePooling1D (channels first): (N, C, L) -> (N, C), the mean over L. */
NNDEF nn_layer *nn_global_avg_pool1d_layer(void);
/* Keras GlobalAveragePooling2D (channels first) / torch AdaptiveAvgPool2d(1) + flatten: (N, C, H, W) -> (N, C). */
NNDEF nn_layer *nn_global_avg_pool2d_layer(void);

/* ---- normalization layers ---- */

typedef struct nn_batch_norm_desc {
  double eps;           /* 0 means 1e-5 */
  double momentum;      /* 0 means 0.1 (PyTorch's convention: running = (1 - m) running + m batch) */
  int no_affine;        /* 1: no weight and bias (affine=False) */
  int no_running_stats; /* 1: track_running_stats=False: batch statistics in both modes, no buffers */
  nn_dtype dtype;
} nn_batch_norm_desc;
/* torch.nn.BatchNorm1d(C): input (N, C) or (N, C, L); weight (C,) ones, bias (C,) zeros; buffers running_mean (C,)
   zeros, running_var (C,) ones, num_batches_tracked (int64 0-d). Training mode uses and records batch statistics. */
NNDEF nn_layer *nn_batch_norm1d_layer(const nn_batch_norm_desc *desc);
/* torch.nn.BatchNorm2d(C): input (N, C, H, W); same parameters and buffers. */
NNDEF nn_layer *nn_batch_norm2d_layer(const nn_batch_norm_desc *desc);

typedef struct nn_layer_norm_desc {
  int normalized_ndim; /* how many trailing axes are normalized; 0 means 1 (Keras's axis=-1) */
  double eps;          /* 0 means 1e-5 */
  int no_affine;       /* 1: elementwise_affine=False */
  nn_dtype dtype;
} nn_layer_norm_desc;
/* torch.nn.LayerNorm(normalized_shape) with normalized_shape the input's last normalized_ndim sizes: weight and bias
   of that shape (ones and zeros). */
NNDEF nn_layer *nn_layer_norm_layer(const nn_layer_norm_desc *desc);

/* ---- recurrent layers ---- */

typedef struct nn_rnn_desc {
  int return_sequences;     /* 1: the hidden state at every step (seq, N, H); 0: only the last one (N, H) (Keras) */
  int batch_first;          /* 1: input (N, seq, features) and sequence output (N, seq, H) */
  int no_bias;              /* 1: no bias_ih_l0 / bias_hh_l0 */
  nn_activation activation; /* SimpleRNN only: NN_ACT_NONE (0) or NN_ACT_TANH means tanh; NN_ACT_RELU */
  nn_dtype dtype;
  int keras_init;           /* 1: glorot_uniform weight_ih, orthogonal weight_hh, zero biases (LSTM: forget-gate
                               bias_ih 1, Keras's unit_forget_bias) instead of PyTorch's U(-1/sqrt(H), 1/sqrt(H)) */
  nn_init_spec weight_init, recurrent_init, bias_init; /* weight_ih, weight_hh, both biases */
} nn_rnn_desc;

/* torch.nn.RNN(input_size, units, nonlinearity='tanh') / Keras SimpleRNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1}
   + b_hh). Parameters weight_ih_l0 (H, I), weight_hh_l0 (H, H), bias_ih_l0 (H,), bias_hh_l0 (H,). Input (seq, N, I)
   (or (N, seq, I) with batch_first); per-sample shape (seq, I). */
NNDEF nn_layer *nn_simple_rnn(int64_t units, const nn_rnn_desc *desc);
/* torch.nn.LSTM(input_size, units) / Keras LSTM: gates in PyTorch's order i, f, g, o: weight_ih_l0 (4H, I),
   weight_hh_l0 (4H, H), bias_ih_l0 (4H,), bias_hh_l0 (4H,); c_t = f c_{t-1} + i g, h_t = o tanh(c_t). */
NNDEF nn_layer *nn_lstm(int64_t units, const nn_rnn_desc *desc);
/* torch.nn.GRU(input_size, units): gates r, z, n with n = tanh(W_in x + b_in + r (W_hn h + b_hn)) and
   h_t = (1 - z) n + z h_{t-1}; weight_ih_l0 (3H, I), weight_hh_l0 (3H, H), biases (3H,). (Keras GRU with
   reset_after=True, the TF2 default, has the same form but another weight layout.) */
NNDEF nn_layer *nn_gru(int64_t units, const nn_rnn_desc *desc);
/* Runs a SimpleRNN/LSTM/GRU layer with optional initial states (NULL: zeros) and returns the output
   (return_sequences decides its form, as nn_layer_forward). h0 and c0 (LSTM only) are (1, N, H) or (N, H); h_n and
   c_n (may be NULL; c_n LSTM only) receive the final states as (1, N, H) tensors, like PyTorch's (h_n, c_n).
   Everything is differentiable, including through h0/c0 and h_n/c_n. */
NNDEF nn_tensor *nn_rnn_forward(nn_layer *l, const nn_tensor *x, const nn_tensor *h0, const nn_tensor *c0,
                                nn_tensor **h_n, nn_tensor **c_n);

/* ---- attention ---- */

typedef struct nn_mha_desc {
  int batch_first; /* 1: (N, L, E) inputs and output; 0 (PyTorch's default): (L, N, E) */
  int causal;      /* 1: nn_layer_forward (self-attention) masks future positions */
  int no_bias;     /* 1: bias=False (no in_proj_bias, out_proj.bias) */
  double dropout;  /* dropout probability on the attention weights in training mode */
  nn_dtype dtype;
} nn_mha_desc;
/* torch.nn.MultiheadAttention(embed_dim, num_heads) with embed_dim taken from the input's last axis (divisible by
   num_heads): parameters in_proj_weight (3E, E) (xavier_uniform), in_proj_bias (3E,) (zeros), out_proj.weight (E, E)
   (Linear's default), out_proj.bias (E,) (zeros). nn_layer_forward(l, x) is self-attention (query = key = value =
   x) and returns the attention output only. */
NNDEF nn_layer *nn_multihead_attention(int64_t num_heads, const nn_mha_desc *desc);
/* Attention with separate query (L, N, E), key and value (S, N, E) (batch first with batch_first): attn_mask is
   (L, S), bool (true = not allowed, as PyTorch) or float (added to the scores); key_padding_mask is bool (N, S) (true
   = ignore that key); causal != 0 adds the causal mask. Either mask may be NULL. If attn_weights != NULL it receives
   the attention weights averaged over heads, (N, L, S) (need_weights=True). Returns the output (L, N, E). */
NNDEF nn_tensor *nn_mha_forward(nn_layer *l, const nn_tensor *query, const nn_tensor *key, const nn_tensor *value,
                                const nn_tensor *attn_mask, const nn_tensor *key_padding_mask, int causal,
                                nn_tensor **attn_weights);

#endif /* NN_NO_RANDOM */
