/* io/io.h: reading and writing data files.

   Formats: IDX (MNIST / Fashion-MNIST), numeric CSV, safetensors, NumPy .npy and .npz. Readers take gzip-compressed
   IDX and CSV files transparently (recognized by their magic bytes, not by the file name). Every reader checks every
   size against the data it was given: a truncated, corrupt or hostile file gives an error naming the function, the
   problem and the file (status NN_ERR_IO for files that cannot be opened or read, NN_ERR_FORMAT for malformed data,
   NN_ERR_UNSUPPORTED for valid files using a feature nn.h lacks, e.g. a float16 tensor), never a crash.
   Writers create the file, or replace it, and remove what they wrote if they fail. All multi-byte values are written
   little-endian whatever the host (IDX: big-endian, as the format requires). */

/* Named tensors read from a safetensors or .npz file. The dict owns its tensors (they belong to no scope): read
   them through nn_dict_get, take ownership of one with nn_dict_take, and release everything with nn_dict_free. */
typedef struct nn_tensor_dict {
  int count;           /* number of tensors */
  char **names;        /* names[i] names tensors[i]; in the file's order (safetensors: data order; npz: archive order) */
  nn_tensor **tensors; /* an entry is NULL once nn_dict_take has handed it out */
  int meta_count;      /* safetensors "__metadata__" entries (0 for npz) */
  char **meta_keys;    /* meta_keys[i] -> meta_values[i] */
  char **meta_values;
} nn_tensor_dict;

/* Options for nn_load_csv. A zeroed struct (or NULL) means: no header line, ',' delimiter, label in column 0,
   float32 features. */
typedef struct nn_csv_desc {
  int header;      /* number of lines to skip before the data (1 for a header row, like pandas' header=0) */
  char delimiter;  /* field separator; 0 means ',' */
  int label_col;   /* column of the label (y): 0 is the first column, negative counts from the end (-1: the last) */
  nn_dtype dtype;  /* dtype of X: NN_FLOAT32 (0) or NN_FLOAT64 */
} nn_csv_desc;

/* --- IDX (MNIST) --- */
/* Reads an IDX file (gzip-compressed or not): a tensor with the file's dtype and shape, e.g. uint8 (60000,28,28)
   for MNIST images. int8/int16 data is widened to int32 (nn.h has no narrower signed types). */
NNDEF nn_tensor *nn_load_idx(const char *path);
/* Writes t as an uncompressed IDX file (uint8, int32, float32 or float64; big-endian as the format requires). */
NNDEF nn_status nn_save_idx(const char *path, const nn_tensor *t);

/* --- CSV --- */
/* Reads a numeric CSV file (gzip-compressed or not), like np.loadtxt(path, delimiter=',', skiprows=header): every
   column but the label column goes to *X (rows, columns-1) as float32/float64, the label column to *y (rows,)
   int64 (its fields must be integers). With y NULL there is no label column and every column goes to *X. Blank
   lines are skipped; fields may be surrounded by spaces or double quotes; "nan" and "inf" are accepted in X. A
   non-numeric field or a row with a different number of fields is an error naming the line and the column. */
NNDEF nn_status nn_load_csv(const char *path, const nn_csv_desc *desc, nn_tensor **X, nn_tensor **y);

/* --- safetensors --- */
/* Reads a safetensors file (https://huggingface.co/docs/safetensors): tensors of dtype F32, F64, I32, I64, U8 and
   BOOL and the "__metadata__" strings. Other dtypes (F16, BF16, ...) are an NN_ERR_UNSUPPORTED error. The header
   is checked as strictly as the reference (Rust) reader: valid UTF-8 JSON, at most 100 MB, no duplicate names,
   offsets covering the data exactly, without gaps or overlaps. */
NNDEF nn_tensor_dict *nn_load_safetensors(const char *path);
/* Writes n named tensors and n_metadata key/value string pairs (metadata = {key0, value0, key1, value1, ...}, may
   be NULL when n_metadata is 0) as safetensors, byte for byte as the reference serializer does (safetensors'
   save_file): tensors ordered by dtype alignment then name, compact JSON, header padded to 8 bytes. */
NNDEF nn_status nn_save_safetensors(const char *path, const char *const *names, nn_tensor *const *tensors, int n,
                                    const char *const *metadata, int n_metadata);

/* --- NumPy --- */
/* Reads a .npy file (format versions 1.0, 2.0 and 3.0; either byte order; float32, float64, int32, int64, uint8,
   bool), like np.load. A Fortran-ordered file gives a Fortran-strided tensor, as NumPy does. */
NNDEF nn_tensor *nn_load_npy(const char *path);
/* Writes t as a .npy file (format 1.0, C order, little-endian), byte for byte as np.save does. */
NNDEF nn_status nn_save_npy(const char *path, const nn_tensor *t);
/* Reads every array of a .npz archive (members stored or deflated, as np.savez / np.savez_compressed write them),
   like np.load: names are the member names without ".npy"; members that are not .npy files are skipped. */
NNDEF nn_tensor_dict *nn_load_npz(const char *path);
/* Writes n named tensors as an uncompressed .npz archive, as np.savez(path, name0=t0, ...) does (members
   "name.npy"; a fixed 1980-01-01 time stamp, so equal inputs give equal files). */
NNDEF nn_status nn_save_npz(const char *path, const char *const *names, nn_tensor *const *tensors, int n);

/* --- named tensors --- */
/* The tensor called name (borrowed: the dict still owns it), or NULL with an NN_ERR_VALUE error. */
NNDEF nn_tensor *nn_dict_get(const nn_tensor_dict *d, const char *name);
/* Removes the tensor called name from the dict and hands it to the caller (it joins the current scope, as a new
   tensor would). NULL with an error if absent or already taken. */
NNDEF nn_tensor *nn_dict_take(nn_tensor_dict *d, const char *name);
/* The metadata value for key (borrowed), or NULL if the file has none (not an error). */
NNDEF const char *nn_dict_meta(const nn_tensor_dict *d, const char *key);
/* Frees the dict, its names, its metadata and every tensor it still owns. NULL is ignored. */
NNDEF void nn_dict_free(nn_tensor_dict *d);
