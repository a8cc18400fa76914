/* nn/loader.h: mini-batches of in-memory samples for a training loop of one's own (PyTorch's DataLoader over a
   TensorDataset; nn_model_fit batches through the same code).

     nn_loader_desc ld = {0};
     ld.batch_size = 64;
     ld.shuffle = 1;                      // a fresh permutation each epoch
     nn_loader *L = nn_loader_new(x, y, &ld);
     for (epoch = 0; epoch < 5; epoch++) {
       nn_tensor *xb, *yb;
       nn_scope_begin();
       while (nn_loader_next(L, &xb, &yb) == 1) { ... one step on (xb, yb) ... }
       nn_scope_end();                    // (or a scope per step)
     }
     nn_loader_free(L);

   The loader keeps views of x and y (the data is shared, not copied), so the caller may free its own handles. */

typedef struct nn_loader nn_loader;

typedef struct nn_loader_desc {
  int64_t batch_size; /* samples per batch; 0: 32 */
  int shuffle;        /* 1: a fresh permutation of the samples each epoch; 0: in order (batches are views) */
  uint64_t seed;      /* shuffling and augmentation draws */
  int drop_last;      /* 1: skip a last batch smaller than batch_size (default: keep it, ragged) */
  /* image augmentation of (N, C, H, W) float32 inputs, per sample: random shifts of up to this many pixels
     (zero fill) and random horizontal flips; batches are then copies, never writes into x */
  int augment_shift;
  int augment_flip;
} nn_loader_desc;

/* A loader over x (N, ...) and, optionally, targets y (N, ...; may be NULL). NULL with an error on bad input. */
NNDEF nn_loader *nn_loader_new(const nn_tensor *x, const nn_tensor *y, const nn_loader_desc *desc);
/* Batches per epoch. */
NNDEF int64_t nn_loader_batches(const nn_loader *l);
/* The next batch of the epoch as new tensors in the current scope (*yb NULL without targets): returns 1; or 0 when
   the epoch is over (the next call starts the next epoch, reshuffled); or -1 with an error. */
NNDEF int nn_loader_next(nn_loader *l, nn_tensor **xb, nn_tensor **yb);
/* Ends the epoch early: the next call to nn_loader_next starts a new one. */
NNDEF void nn_loader_reset(nn_loader *l);
/* Frees the loader (not the caller's tensors). NULL is ignored. */
NNDEF void nn_loader_free(nn_loader *l);
