/* nn/model.h: Keras-style models: Sequential and functional (graph) models over layers, compile/fit/evaluate/
   predict, callbacks, summary, and saving the whole training state in one file.

       nn_model *m = nn_sequential(in_shape, 1);            // per-sample input shape, e.g. {784}
       nn_model_add(m, nn_dense(256, NN_ACT_RELU));
       nn_model_add(m, nn_dense(10, NN_ACT_NONE));           // logits
       nn_compile_desc c = {0};                              // "adam", sparse categorical cross-entropy
       c.metrics = NN_METRIC_ACCURACY;
       nn_model_compile(m, &c);
       nn_fit_desc f = {0};
       f.epochs = 5; f.batch_size = 64; f.validation_split = 0.1;
       nn_history *h = nn_model_fit(m, x_train, y_train, &f);

   The model owns its layers (nn_model_add takes them), its optimizer and its loss settings; nn_model_free frees all
   of it. fit/evaluate/predict run every step inside a scope, so a training run of any length allocates nothing that
   outlives its step except the model's own state. */

typedef struct nn_model nn_model;

/* ---- building ---- */

/* A Sequential model for samples of the given shape (without the batch axis), e.g. {784} or {1, 28, 28}. */
NNDEF nn_model *nn_sequential(const int64_t *input_shape, int ndim);
/* Appends a layer (the model owns it from now on, also on failure, when it is freed) and builds it for the output
   shape of the previous layer, so shape mistakes are reported here with both shapes. */
NNDEF nn_status nn_model_add(nn_model *m, nn_layer *l);

/* A functional model (Keras's functional API) for graphs with branches, residual connections and several inputs:
   nodes are numbered in the order they are made. */
NNDEF nn_model *nn_graph_model(void);
/* Adds an input of the given per-sample shape; returns its node id (or -1 with an error). Inputs are fed in the
   order they are made. */
NNDEF int nn_graph_input(nn_model *m, const int64_t *shape, int ndim);
/* Applies a layer (owned by the model from now on) to node `in`; returns the new node id or -1. A layer applied
   twice shares its weights. */
NNDEF int nn_graph_layer(nn_model *m, nn_layer *l, int in);
/* Merge nodes (Keras Add, Multiply, Concatenate): elementwise sum/product of nodes with equal shapes, or
   concatenation along a per-sample axis (0 is the first axis after the batch). Return the node id or -1. */
NNDEF int nn_graph_add(nn_model *m, const int *nodes, int n);
NNDEF int nn_graph_multiply(nn_model *m, const int *nodes, int n);
NNDEF int nn_graph_concatenate(nn_model *m, const int *nodes, int n, int axis);
/* Declares the output node; the model is complete afterwards. */
NNDEF nn_status nn_graph_output(nn_model *m, int node);

/* Frees the model, its layers, optimizer and state. NULL is ignored. */
NNDEF void nn_model_free(nn_model *m);

/* ---- running ---- */

/* The forward pass on a batch (differentiable; training mode decides Dropout/BatchNorm behaviour). For graph
   models with several inputs use nn_model_forward_multi. Returns a tensor in the caller's scope. */
NNDEF nn_tensor *nn_model_forward(nn_model *m, const nn_tensor *x);
NNDEF nn_tensor *nn_model_forward_multi(nn_model *m, nn_tensor *const *inputs, int ninputs);
/* Training (1) or inference (0) mode for every layer. */
NNDEF nn_status nn_model_set_training(nn_model *m, int training);
/* Every trainable parameter of the model, in layer order (borrowed). Returns the count; params may be NULL to
   count only, else it receives at most cap pointers. */
NNDEF int nn_model_params(const nn_model *m, nn_tensor **params, int cap);
/* Number of trainable scalars. */
NNDEF int64_t nn_model_param_count(const nn_model *m);
/* Number of layers and layer i (borrowed). */
NNDEF int nn_model_num_layers(const nn_model *m);
NNDEF nn_layer *nn_model_layer(const nn_model *m, int i);
/* Prints Keras's summary table: layer (type), output shape, parameter count, and the totals. */
NNDEF nn_status nn_model_summary(const nn_model *m, FILE *f);

/* ---- compile ---- */

typedef enum nn_loss_kind {
  NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY = 0, /* int labels (N,), outputs (N, C) */
  NN_LOSS_CATEGORICAL_CROSSENTROPY,            /* one-hot / probability targets (N, C) */
  NN_LOSS_BINARY_CROSSENTROPY,                 /* 0/1 float targets, outputs of the same shape */
  NN_LOSS_MSE,
  NN_LOSS_MAE,
  NN_LOSS_HUBER, /* delta = compile's huber_delta (0 means 1) */
  NN_LOSS_KIND_COUNT
} nn_loss_kind;

/* Metrics fit and evaluate report (bit flags). */
enum {
  NN_METRIC_ACCURACY = 1,       /* "accuracy": argmax, or threshold 0.5 for binary outputs */
  NN_METRIC_TOP5_ACCURACY = 2,  /* "top5_accuracy" */
  NN_METRIC_PRECISION = 4,      /* "precision" (macro average over classes; binary: class 1) */
  NN_METRIC_RECALL = 8,         /* "recall" */
  NN_METRIC_F1 = 16,            /* "f1" */
  NN_METRIC_MSE = 32,           /* "mse" */
  NN_METRIC_MAE = 64            /* "mae" */
};

/* Zero means the default for every field. */
typedef struct nn_compile_desc {
  const char *optimizer;       /* "adam" (default, also for NULL), "adamw", "sgd", "rmsprop", "adagrad" */
  double learning_rate;        /* default: the optimizer's PyTorch default (Adam 1e-3, SGD 1e-2, ...) */
  double momentum;             /* SGD/RMSprop momentum */
  int nesterov;                /* SGD */
  double weight_decay;         /* L2 (SGD, Adam, RMSprop, Adagrad) or decoupled (AdamW, default 1e-2 there) */
  double beta1, beta2, eps;    /* Adam/AdamW (defaults 0.9, 0.999, 1e-8) */
  double clipnorm;             /* > 0: clip the global gradient norm to this (Keras clipnorm) */
  double clipvalue;            /* > 0: clip every gradient element to [-clipvalue, clipvalue] */
  nn_loss_kind loss;           /* default sparse categorical cross-entropy */
  int from_probabilities;      /* 1: outputs are probabilities (softmax/sigmoid last layer, Keras's from_logits=False);
                                  0 (default): outputs are logits, the stable and fast form */
  double label_smoothing;      /* cross-entropy losses */
  double huber_delta;
  unsigned metrics;            /* NN_METRIC_* flags */
} nn_compile_desc;

/* Sets the loss, optimizer and metrics. Compiling again replaces the optimizer (its state starts over). */
NNDEF nn_status nn_model_compile(nn_model *m, const nn_compile_desc *desc);
/* The model's optimizer after compile (borrowed), e.g. to change its learning rate. */
NNDEF nn_optimizer *nn_model_optimizer(nn_model *m);

/* ---- fit / evaluate / predict ---- */

/* What a user callback sees: names and values of the running (per batch) or final (per epoch) metrics. */
typedef struct nn_logs {
  int epoch;   /* 0-based */
  int64_t batch; /* 0-based batch within the epoch; -1 at the end of the epoch */
  int n;
  const char *const *names; /* "loss", "accuracy", ..., and at epoch end "val_loss", ... */
  const double *values;
} nn_logs;
/* Returns nonzero to stop training (after the current batch). */
typedef int (*nn_callback_fn)(nn_model *m, const nn_logs *logs, void *ctx);

typedef struct nn_fit_desc {
  int epochs;              /* default 1 */
  int64_t batch_size;      /* default 32 */
  int no_shuffle;          /* 1: keep the sample order (default: a fresh permutation each epoch) */
  uint64_t seed;           /* shuffling, dropout and augmentation draws */
  double validation_split; /* fraction of the samples, taken from the end before shuffling (Keras) */
  const nn_tensor *val_x, *val_y; /* validation data (overrides validation_split) */
  const double *class_weight;     /* per-class loss weights (sparse categorical cross-entropy), or NULL */
  int64_t num_class_weights;
  int verbose;             /* 0 (default): progress bar on a terminal, one line per epoch otherwise;
                              1: one line per epoch; -1: silent */
  /* early stopping (Keras EarlyStopping): on when patience > 0 */
  const char *monitor;     /* metric to watch, default "val_loss" ("loss" without validation data) */
  int patience;
  double min_delta;
  int restore_best_weights;
  /* model checkpoint (best only): after each epoch that improves `monitor`, the model is saved to this path */
  const char *checkpoint_path;
  /* learning rate per epoch: lr(epoch) from the function (Keras LearningRateScheduler), or NULL */
  double (*lr_schedule)(int epoch, double lr, void *ctx);
  void *lr_schedule_ctx;
  /* user callbacks per batch and per epoch (either may be NULL) */
  nn_callback_fn on_batch_end, on_epoch_end;
  void *callback_ctx;
  /* image augmentation for (N, C, H, W) inputs: random shifts up to this many pixels, horizontal flips */
  int augment_shift;
  int augment_flip;
  /* stop with an error if the loss becomes NaN or infinite (Keras TerminateOnNaN); on by default */
  int allow_nonfinite_loss;
} nn_fit_desc;

/* Trains the model on x (N, ...) and targets y (int labels (N,) or float (N, ...)). Returns the history (free with
   nn_history_free) with "loss", the metrics, "val_" versions and "lr" per epoch, or NULL with an error. */
NNDEF nn_history *nn_model_fit(nn_model *m, const nn_tensor *x, const nn_tensor *y, const nn_fit_desc *desc);
/* Loss and metrics on (x, y) in inference mode, in batches. names/values receive up to cap entries ("loss" first);
   returns the number of entries or -1. */
NNDEF int nn_model_evaluate(nn_model *m, const nn_tensor *x, const nn_tensor *y, int64_t batch_size,
                            const char **names, double *values, int cap);
/* Outputs for x in inference mode, in batches of at most batch_size (default 32; fewer when the layer outputs of a
   batch would not fit in about 1 MiB of cache), concatenated: a new tensor in the caller's scope. */
NNDEF nn_tensor *nn_model_predict(nn_model *m, const nn_tensor *x, int64_t batch_size);

/* ---- saving ---- */

/* Writes the model's weights (and buffers) as safetensors with PyTorch-style names "<layer>.<param>". */
NNDEF nn_status nn_model_save_weights(const nn_model *m, const char *path);
/* Loads weights saved by nn_model_save_weights (or written by PyTorch with the same names and shapes). Every
   parameter must be present with the right shape; the error names the first mismatch. */
NNDEF nn_status nn_model_load_weights(nn_model *m, const char *path);
/* Writes the whole training state in one safetensors file: the architecture (in the metadata), the weights, the
   optimizer's state and step count, so nn_model_load resumes training exactly. */
NNDEF nn_status nn_model_save(const nn_model *m, const char *path);
/* Rebuilds a model saved by nn_model_save (architecture, weights, compile settings and optimizer state). */
NNDEF nn_model *nn_model_load(const char *path);
