/* io/file.c: what every reader and writer needs: opening files with messages that name the path and the system's
   reason, a bounded reader over a file or a memory buffer (no read is ever attempted past the size it was given),
   whole-file reads with transparent gzip, byte order helpers, a string builder, and a writer that removes its
   partial output when anything fails. */
#include <errno.h>

#if defined(_WIN32)
#define NN__FSEEK(f, off) _fseeki64((f), (__int64)(off), SEEK_SET)
#define NN__FSEEK_END(f) _fseeki64((f), 0, SEEK_END)
#define NN__FTELL(f) ((int64_t)_ftelli64(f))
#define NN__FOFF_MAX INT64_MAX
#else
#define NN__FSEEK(f, off) fseek((f), (long)(off), SEEK_SET)
#define NN__FSEEK_END(f) fseek((f), 0L, SEEK_END)
#define NN__FTELL(f) ((int64_t)ftell(f))
#define NN__FOFF_MAX LONG_MAX
#endif

/* "op: message in 'path'" (or "op: message" when path is NULL, for memory buffers). */
NN__PRIVATE nn_status nn__iofail(const char *op, const char *path, nn_status st, const char *fmt, ...) NN__PRINTF(4, 5);
NN__PRIVATE nn_status nn__iofail(const char *op, const char *path, nn_status st, const char *fmt, ...) {
  char msg[640];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (path) return nn__fail(st, "%s: %s in '%s'", op, msg, path);
  return nn__fail(st, "%s: %s", op, msg);
}

/* Shapes read from files: besides the element count (which the caller checks against the data), the product of
   the nonzero dimensions must stay below 2^48 so that strides of an empty tensor cannot overflow. */
NN__PRIVATE nn_status nn__io_check_dims(const char *op, const char *path, const int64_t *shape, int ndim) {
  int64_t p = 1;
  int i;
  for (i = 0; i < ndim; i++)
    if (shape[i] > 1) {
      if (p > ((int64_t)1 << 48) / shape[i]) {
        char sh[160];
        nn__fmt_shape(sh, sizeof sh, shape, ndim);
        return nn__iofail(op, path, NN_ERR_FORMAT, "shape %s has absurdly large dimensions", sh);
      }
      p *= shape[i];
    }
  return NN_OK;
}

/* ---- byte order ---- */

NN__PRIVATE uint32_t nn__le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
NN__PRIVATE uint64_t nn__le64(const unsigned char *p) { return (uint64_t)nn__le32(p) | (uint64_t)nn__le32(p + 4) << 32; }
NN__PRIVATE uint32_t nn__le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
NN__PRIVATE uint32_t nn__be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
NN__PRIVATE void nn__put_le16(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
}
NN__PRIVATE void nn__put_le32(unsigned char *p, uint32_t v) {
  nn__put_le16(p, v & 0xFFFF);
  nn__put_le16(p + 2, v >> 16);
}
NN__PRIVATE void nn__put_le64(unsigned char *p, uint64_t v) {
  nn__put_le32(p, (uint32_t)v);
  nn__put_le32(p + 4, (uint32_t)(v >> 32));
}
NN__PRIVATE void nn__put_be32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

/* Reverses the bytes of each of the n elements of size es (2, 4 or 8) in place. */
NN__PRIVATE void nn__bswap_buf(void *buf, size_t n, size_t es) {
  unsigned char *p = (unsigned char *)buf;
  size_t i, k;
  if (es < 2) return;
  for (i = 0; i < n; i++, p += es)
    for (k = 0; k < es / 2; k++) {
      unsigned char t = p[k];
      p[k] = p[es - 1 - k];
      p[es - 1 - k] = t;
    }
}

/* Makes bool data 0/1 (files may hold any nonzero byte for true). */
NN__PRIVATE void nn__bool_normalize(unsigned char *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) p[i] = (unsigned char)(p[i] != 0);
}

/* ---- opening ---- */

NN__PRIVATE FILE *nn__fopen(const char *op, const char *path, int writing) {
  FILE *f;
  if (!path) {
    nn__fail_null(op, "path");
    return NULL;
  }
  errno = 0;
  f = fopen(path, writing ? "wb" : "rb");
  if (!f)
    nn__fail(NN_ERR_IO, "%s: cannot open '%s'%s: %s", op, path, writing ? " for writing" : "",
             errno ? strerror(errno) : "unknown error");
  return f;
}

/* ---- bounded reader ---- */

typedef struct nn__rd {
  const char *op, *path;    /* for messages; path NULL for a memory buffer */
  FILE *f;                  /* NULL: reading mem */
  const unsigned char *mem;
  uint64_t base;            /* file offset of this reader's byte 0 */
  uint64_t size, pos;       /* bytes available from byte 0, and the read position */
  int owns_file;
} nn__rd;

NN__PRIVATE void nn__rd_mem(nn__rd *r, const char *op, const char *path, const void *mem, size_t n) {
  memset(r, 0, sizeof *r);
  r->op = op;
  r->path = path;
  r->mem = (const unsigned char *)mem;
  r->size = n;
}

NN__PRIVATE nn_status nn__rd_ioerr(const nn__rd *r, int err) {
  return nn__iofail(r->op, r->path, NN_ERR_IO, "read error: %s", err ? strerror(err) : "unknown error");
}

/* Opens path for reading and learns its size. A first read is tried at once, so a directory or an unreadable
   file fails here with the system's reason rather than later as a bogus size. */
NN__PRIVATE nn_status nn__rd_open(nn__rd *r, const char *op, const char *path) {
  int64_t sz;
  memset(r, 0, sizeof *r);
  r->op = op;
  r->path = path;
  r->f = nn__fopen(op, path, 0);
  if (!r->f) return nn_last_status();
  r->owns_file = 1;
  errno = 0;
  if (NN__FSEEK_END(r->f) != 0 || (sz = NN__FTELL(r->f)) < 0 || NN__FSEEK(r->f, 0) != 0) {
    int err = errno;
    fclose(r->f);
    r->f = NULL;
    return nn__iofail(op, path, NN_ERR_IO, "cannot determine the file size: %s", err ? strerror(err) : "not seekable");
  }
  r->size = (uint64_t)sz;
  if (sz > 0) {
    unsigned char c;
    errno = 0;
    if (fread(&c, 1, 1, r->f) != 1 || NN__FSEEK(r->f, 0) != 0) {
      int err = errno;
      fclose(r->f);
      r->f = NULL;
      return nn__iofail(op, path, NN_ERR_IO, "read error: %s", err ? strerror(err) : "unknown error");
    }
  }
  return NN_OK;
}

NN__PRIVATE void nn__rd_close(nn__rd *r) {
  if (r->f && r->owns_file) fclose(r->f);
  r->f = NULL;
}

NN__PRIVATE uint64_t nn__rd_left(const nn__rd *r) { return r->size - r->pos; }

/* Moves the read position to pos (relative to the reader's byte 0). */
NN__PRIVATE nn_status nn__rd_seek(nn__rd *r, uint64_t pos, const char *what) {
  if (pos > r->size)
    return nn__iofail(r->op, r->path, NN_ERR_FORMAT, "file is truncated: %s at offset %llu is past the end (%llu bytes)",
                      what, (unsigned long long)pos, (unsigned long long)r->size);
  if (r->f) {
    if (r->base + pos > (uint64_t)NN__FOFF_MAX)
      return nn__iofail(r->op, r->path, NN_ERR_IO, "offset %llu is too large for this platform's file functions",
                        (unsigned long long)(r->base + pos));
    errno = 0;
    if (NN__FSEEK(r->f, r->base + pos) != 0) return nn__rd_ioerr(r, errno);
  }
  r->pos = pos;
  return NN_OK;
}

/* Reads exactly n bytes, or fails naming what was being read. */
NN__PRIVATE nn_status nn__rd_read(nn__rd *r, void *dst, uint64_t n, const char *what) {
  if (n > r->size - r->pos)
    return nn__iofail(r->op, r->path, NN_ERR_FORMAT,
                      "file is truncated: %s needs %llu bytes at offset %llu but only %llu remain", what,
                      (unsigned long long)n, (unsigned long long)r->pos, (unsigned long long)(r->size - r->pos));
  if (n == 0) return NN_OK;
  if (r->f) {
    size_t got;
    errno = 0;
    got = fread(dst, 1, (size_t)n, r->f);
    if (got != n) {
      if (ferror(r->f)) return nn__rd_ioerr(r, errno);
      return nn__iofail(r->op, r->path, NN_ERR_FORMAT, "file is truncated: it ended while reading %s", what);
    }
  } else {
    memcpy(dst, r->mem + r->pos, (size_t)n);
  }
  r->pos += n;
  return NN_OK;
}

/* Reads the n bytes at the current position into a new NN_MALLOC'd buffer. */
NN__PRIVATE nn_status nn__rd_slurp(nn__rd *r, uint64_t n, unsigned char **out, const char *what) {
  unsigned char *p;
  *out = NULL;
  if (n > r->size - r->pos) return nn__rd_read(r, NULL, n, what);
  if (n > (uint64_t)((size_t)-1 >> 1))
    return nn__iofail(r->op, r->path, NN_ERR_OOM, "%s is too large for this platform (%llu bytes)", what, (unsigned long long)n);
  p = (unsigned char *)NN_MALLOC(n ? (size_t)n : 1);
  if (!p) return nn__iofail(r->op, r->path, NN_ERR_OOM, "cannot allocate %llu bytes for %s", (unsigned long long)n, what);
  if (nn__rd_read(r, p, n, what) != NN_OK) {
    NN_FREE(p);
    return nn_last_status();
  }
  *out = p;
  return NN_OK;
}

/* The bytes of a file, or of a memory buffer, gunzipped when they start with the gzip magic. *buf is
   NN_MALLOC'd and belongs to the caller. */
NN__PRIVATE nn_status nn__load_bytes(const char *op, const char *path, const void *mem, size_t mem_n, unsigned char **buf,
                                     size_t *n) {
  nn__rd r;
  unsigned char *raw;
  nn_status s;
  *buf = NULL;
  *n = 0;
  if (mem) nn__rd_mem(&r, op, path, mem, mem_n);
  else if (nn__rd_open(&r, op, path) != NN_OK) return nn_last_status();
  s = nn__rd_slurp(&r, r.size, &raw, "the file");
  nn__rd_close(&r);
  if (s != NN_OK) return s;
  if (r.size >= 2 && raw[0] == 0x1F && raw[1] == 0x8B) {
    nn__ictx c;
    c.op = op;
    c.what = "gzip data";
    c.path = path;
    s = nn__gunzip(&c, raw, (size_t)r.size, buf, n);
    NN_FREE(raw);
    return s;
  }
  *buf = raw;
  *n = (size_t)r.size;
  return NN_OK;
}

/* ---- string builder (headers) ---- */

typedef struct nn__str {
  char *p;
  size_t n, cap;
  int oom;
} nn__str;

NN__PRIVATE void nn__str_put(nn__str *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->cap - b->n <= n) {
    size_t cap = b->cap ? b->cap : 256;
    char *q;
    while (cap - b->n <= n) {
      if (cap > ((size_t)-1 >> 2)) {
        b->oom = 1;
        return;
      }
      cap *= 2;
    }
    q = (char *)NN_REALLOC(b->p, cap);
    if (!q) {
      b->oom = 1;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}
NN__PRIVATE void nn__str_puts(nn__str *b, const char *s) { nn__str_put(b, s, strlen(s)); }
NN__PRIVATE void nn__str_putc(nn__str *b, char c) { nn__str_put(b, &c, 1); }
NN__PRIVATE void nn__str_u64(nn__str *b, uint64_t v) {
  char t[24];
  int k = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
  nn__str_put(b, t, (size_t)k);
}

/* ---- writer ---- */

typedef struct nn__wr {
  const char *op, *path;
  FILE *f;
  uint64_t pos;
  nn_status st; /* first failure */
} nn__wr;

NN__PRIVATE nn_status nn__wr_open(nn__wr *w, const char *op, const char *path) {
  w->op = op;
  w->path = path;
  w->pos = 0;
  w->st = NN_OK;
  w->f = nn__fopen(op, path, 1);
  return w->f ? NN_OK : nn_last_status();
}

NN__PRIVATE void nn__wr_put(nn__wr *w, const void *p, size_t n) {
  if (w->st != NN_OK || n == 0) return;
  errno = 0;
  if (fwrite(p, 1, n, w->f) != n)
    w->st = nn__iofail(w->op, w->path, NN_ERR_IO, "write error: %s", errno ? strerror(errno) : "unknown error");
  w->pos += n;
}

/* Fails the writer with the status of an error already reported (e.g. by an allocation). */
NN__PRIVATE void nn__wr_fail(nn__wr *w, nn_status st) {
  if (w->st == NN_OK) w->st = st;
}

/* Closes the file; on any failure removes it and returns the first error. */
NN__PRIVATE nn_status nn__wr_close(nn__wr *w) {
  errno = 0;
  if (fclose(w->f) != 0 && w->st == NN_OK)
    w->st = nn__iofail(w->op, w->path, NN_ERR_IO, "write error: %s", errno ? strerror(errno) : "unknown error");
  w->f = NULL;
  if (w->st != NN_OK) remove(w->path);
  return w->st;
}

/* Writes t's elements in row-major order, little-endian (big_endian = 0) or big-endian, whatever t's strides. */
NN__PRIVATE void nn__wr_tensor(nn__wr *w, const nn_tensor *t, int big_endian) {
  size_t es = nn_dtype_size(t->dtype), nbytes = (size_t)t->size * es, off;
  const unsigned char *src;
  unsigned char *tmp = NULL, chunk[1 << 14];
  if (w->st != NN_OK || nbytes == 0) return;
  if (nn_is_contiguous(t)) {
    src = (const unsigned char *)t->data;
  } else {
    tmp = (unsigned char *)nn__xalloc(w->op, nbytes);
    if (!tmp || nn_copy_to(t, tmp, t->dtype) != NN_OK) {
      nn__dealloc(tmp);
      nn__wr_fail(w, nn_last_status());
      return;
    }
    src = tmp;
  }
  if (es == 1 || big_endian == !nn__host_le()) {
    nn__wr_put(w, src, nbytes);
  } else {
    for (off = 0; off < nbytes; off += sizeof chunk) {
      size_t k = nbytes - off < sizeof chunk ? nbytes - off : sizeof chunk;
      memcpy(chunk, src + off, k);
      nn__bswap_buf(chunk, k / es, es);
      nn__wr_put(w, chunk, k);
    }
  }
  nn__dealloc(tmp);
}

/* Checks a tensor argument of a writer. */
NN__PRIVATE nn_status nn__check_save_tensor(const char *op, const nn_tensor *t, const char *arg) {
  if (nn__check_cpu(op, t, arg) != NN_OK) return nn_last_status();
  if (!nn__dtype_valid(t->dtype)) return nn__fail(NN_ERR_DTYPE, "%s: %s has an invalid dtype %d", op, arg, (int)t->dtype);
  return NN_OK;
}

/* ---- sorting index arrays (stable merge sort with a context, which qsort lacks) ---- */

typedef int (*nn__idx_cmp)(const void *ctx, int a, int b);

NN__PRIVATE void nn__sort_idx_rec(int *idx, int *tmp, int n, nn__idx_cmp cmp, const void *ctx) {
  int h = n / 2, i = 0, j = h, k = 0;
  if (n < 2) return;
  nn__sort_idx_rec(idx, tmp, h, cmp, ctx);
  nn__sort_idx_rec(idx + h, tmp, n - h, cmp, ctx);
  while (i < h && j < n) tmp[k++] = cmp(ctx, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
  while (i < h) tmp[k++] = idx[i++];
  while (j < n) tmp[k++] = idx[j++];
  memcpy(idx, tmp, sizeof(int) * (size_t)n);
}

/* Fills idx with 0..n-1 sorted by cmp. Returns 0 when out of memory. */
NN__PRIVATE int nn__sort_idx(int *idx, int n, nn__idx_cmp cmp, const void *ctx) {
  int i, *tmp = (int *)NN_MALLOC(sizeof(int) * (size_t)(n > 0 ? n : 1));
  if (!tmp) return 0;
  for (i = 0; i < n; i++) idx[i] = i;
  nn__sort_idx_rec(idx, tmp, n, cmp, ctx);
  NN_FREE(tmp);
  return 1;
}
