/* nn/metrics.h: classification and regression metrics (Keras / scikit-learn semantics), the confusion matrix, and
   a training history that writes CSV and a self-contained SVG plot of its curves.

   Labels are integer tensors (any integer dtype) of class indices in [0, num_classes). Scores are float tensors
   (N, C) of logits or probabilities; a prediction is the index of the largest score (the first one on ties). */

/* Fraction of samples classified correctly. pred is (N, C) scores (Keras categorical/sparse_categorical accuracy:
   argmax against labels (N,)), or (N,) / (N, 1) probabilities against 0/1 labels (Keras binary_accuracy, threshold
   0.5), or (N,) integer predicted labels. Returns NaN with an error on bad input. */
NNDEF double nn_accuracy(const nn_tensor *pred, const nn_tensor *labels);
/* Fraction of samples whose label is among the k largest scores (Keras sparse_top_k_categorical_accuracy; ties at
   the k-th score count as hits, like sklearn's top_k_accuracy_score). scores (N, C), labels (N,). */
NNDEF double nn_top_k_accuracy(const nn_tensor *scores, const nn_tensor *labels, int k);
/* Mean squared error and mean absolute error over all elements (shapes broadcast). */
NNDEF double nn_mean_squared_error(const nn_tensor *pred, const nn_tensor *target);
NNDEF double nn_mean_absolute_error(const nn_tensor *pred, const nn_tensor *target);

/* sklearn.metrics.confusion_matrix(y_true, y_pred, labels=range(num_classes)): an int64 (C, C) tensor whose entry
   (i, j) counts samples of true class i predicted as class j. y_pred may be labels (N,) or scores (N, C). */
NNDEF nn_tensor *nn_confusion_matrix(const nn_tensor *y_true, const nn_tensor *y_pred, int64_t num_classes);

typedef enum nn_average {
  NN_AVERAGE_MACRO = 0, /* unweighted mean over classes (sklearn average='macro') */
  NN_AVERAGE_MICRO,     /* from the pooled counts */
  NN_AVERAGE_WEIGHTED,  /* mean over classes weighted by their support */
  NN_AVERAGE_BINARY     /* class 1 only */
} nn_average;
/* sklearn's precision_score, recall_score and f1_score with zero_division=0: y_pred labels (N,) or scores (N, C).
   Any output pointer may be NULL. */
NNDEF nn_status nn_precision_recall_f1(const nn_tensor *y_true, const nn_tensor *y_pred, int64_t num_classes,
                                       nn_average average, double *precision, double *recall, double *f1);

/* Prints a confusion matrix as an aligned table (class names may be NULL: indices are used). */
NNDEF nn_status nn_confusion_matrix_print(const nn_tensor *cm, const char *const *class_names, FILE *f);
/* Writes a confusion matrix as a self-contained SVG heat map with counts and per-row recall, to path. */
NNDEF nn_status nn_confusion_matrix_svg(const nn_tensor *cm, const char *const *class_names, const char *title,
                                        const char *path);

/* ---- training history ---- */

#define NN_HISTORY_MAX_METRICS 16

/* Per-epoch values of named metrics ("loss", "accuracy", "val_loss", "val_accuracy", "lr", ...), like Keras's
   History.history. A value not recorded for an epoch is NaN. */
typedef struct nn_history {
  int nmetrics;
  char names[NN_HISTORY_MAX_METRICS][32];
  int epochs;     /* number of epochs recorded (rows) */
  int cap;        /* rows allocated */
  double *values; /* epochs x NN_HISTORY_MAX_METRICS, row-major */
} nn_history;

/* A new, empty history (free with nn_history_free). */
NNDEF nn_history *nn_history_new(void);
NNDEF void nn_history_free(nn_history *h);
/* Records value for metric name at epoch (0-based; rows are added as needed). */
NNDEF nn_status nn_history_set(nn_history *h, int epoch, const char *name, double value);
/* The value of name at epoch (negative epochs count from the end), NaN when absent. */
NNDEF double nn_history_get(const nn_history *h, const char *name, int epoch);
/* Writes "epoch,<name>,..." and one line per epoch. */
NNDEF nn_status nn_history_write_csv(const nn_history *h, const char *path);
/* Writes an SVG with one panel per metric (loss, accuracy, ...), the training curve and, where recorded, the
   validation curve ("val_" + name) on shared epoch axes, with a legend and the best validation value marked. */
NNDEF nn_status nn_history_plot_svg(const nn_history *h, const char *title, const char *path);
