/* io/idx.c: the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): bytes 0 0, a type code,
   the number of dimensions, each dimension as a big-endian uint32, then the data, big-endian, row-major. */

/* Type code -> (bytes per element in the file, dtype of the tensor). */
NN__PRIVATE int nn__idx_type(unsigned code, size_t *fsize, nn_dtype *dt) {
  switch (code) {
    case 0x08: *fsize = 1; *dt = NN_UINT8; return 1;
    case 0x09: *fsize = 1; *dt = NN_INT32; return 1; /* int8, widened */
    case 0x0B: *fsize = 2; *dt = NN_INT32; return 1; /* int16, widened */
    case 0x0C: *fsize = 4; *dt = NN_INT32; return 1;
    case 0x0D: *fsize = 4; *dt = NN_FLOAT32; return 1;
    case 0x0E: *fsize = 8; *dt = NN_FLOAT64; return 1;
    default: return 0;
  }
}

/* Parses an IDX image already in memory (decompressed). */
NN__PRIVATE nn_tensor *nn__idx_parse(const char *op, const char *path, const unsigned char *p, size_t n) {
  int64_t shape[NN_MAX_DIMS];
  unsigned ndim, code, i;
  size_t fsize, hdr;
  uint64_t count = 1;
  int zero = 0, over = 0;
  nn_dtype dt;
  nn_tensor *t;
  memset(shape, 0, sizeof shape);
  if (n < 4) {
    nn__iofail(op, path, NN_ERR_FORMAT, "file is truncated: %llu bytes, an IDX header has at least 4", (unsigned long long)n);
    return NULL;
  }
  if (p[0] != 0 || p[1] != 0) {
    nn__iofail(op, path, NN_ERR_FORMAT, "not an IDX file (magic bytes %02x %02x %02x %02x)", p[0], p[1], p[2], p[3]);
    return NULL;
  }
  code = p[2];
  ndim = p[3];
  if (!nn__idx_type(code, &fsize, &dt)) {
    nn__iofail(op, path, NN_ERR_FORMAT, "unknown IDX type code 0x%02x", code);
    return NULL;
  }
  if (ndim > NN_MAX_DIMS) {
    nn__iofail(op, path, NN_ERR_UNSUPPORTED, "%u dimensions; nn.h supports at most %d", ndim, NN_MAX_DIMS);
    return NULL;
  }
  hdr = 4 + 4 * (size_t)ndim;
  if (n < hdr) {
    nn__iofail(op, path, NN_ERR_FORMAT, "file is truncated: the header of %u dimensions needs %llu bytes, the file has %llu",
               ndim, (unsigned long long)hdr, (unsigned long long)n);
    return NULL;
  }
  for (i = 0; i < ndim; i++) {
    shape[i] = (int64_t)nn__be32(p + 4 + 4 * i);
    if (shape[i] == 0) zero = 1;
    else if (count > (uint64_t)(n - hdr) / (uint64_t)shape[i]) over = 1; /* more elements than data bytes */
    else count *= (uint64_t)shape[i];
  }
  if (zero) count = 0, over = 0;
  if (nn__io_check_dims(op, path, shape, (int)ndim) != NN_OK) return NULL;
  if (over || count * fsize != (uint64_t)(n - hdr)) {
    char sh[160];
    nn__fmt_shape(sh, sizeof sh, shape, (int)ndim);
    if (over || count * fsize > (uint64_t)(n - hdr))
      nn__iofail(op, path, NN_ERR_FORMAT, "file is truncated: shape %s needs %s%llu data bytes, the file has %llu", sh,
                 over ? "more than " : "", (unsigned long long)(over ? n - hdr : count * fsize), (unsigned long long)(n - hdr));
    else
      nn__iofail(op, path, NN_ERR_FORMAT, "shape %s needs %llu data bytes but the file has %llu (extra data at the end)", sh,
                 (unsigned long long)(count * fsize), (unsigned long long)(n - hdr));
    return NULL;
  }
  t = nn__new(op, dt, shape, (int)ndim);
  if (!t) return NULL;
  p += hdr;
  if (code == 0x08) {
    if (count) memcpy(t->data, p, (size_t)count);
  } else if (code == 0x09 || code == 0x0B) {
    int32_t *o = (int32_t *)t->data;
    size_t k;
    for (k = 0; k < count; k++)
      o[k] = code == 0x09 ? (int32_t)(signed char)p[k] : (int32_t)(int16_t)(uint16_t)((unsigned)p[2 * k] << 8 | p[2 * k + 1]);
  } else {
    if (count) memcpy(t->data, p, (size_t)(count * fsize));
    if (nn__host_le()) nn__bswap_buf(t->data, (size_t)count, fsize);
  }
  return t;
}

NNDEF nn_tensor *nn_load_idx(const char *path) {
  unsigned char *buf;
  size_t n;
  nn_tensor *t;
  if (nn__load_bytes("nn_load_idx", path, NULL, 0, &buf, &n) != NN_OK) return NULL;
  t = nn__idx_parse("nn_load_idx", path, buf, n);
  NN_FREE(buf);
  return t;
}

NNDEF nn_status nn_save_idx(const char *path, const nn_tensor *t) {
  const char *op = "nn_save_idx";
  unsigned char hdr[4 + 4 * NN_MAX_DIMS];
  nn__wr w;
  int i;
  if (!path) return nn__fail_null(op, "path");
  if (nn__check_save_tensor(op, t, "t") != NN_OK) return nn_last_status();
  switch (t->dtype) {
    case NN_UINT8: hdr[2] = 0x08; break;
    case NN_INT32: hdr[2] = 0x0C; break;
    case NN_FLOAT32: hdr[2] = 0x0D; break;
    case NN_FLOAT64: hdr[2] = 0x0E; break;
    default:
      return nn__fail(NN_ERR_DTYPE, "%s: IDX has no %s type (uint8, int32, float32, float64 only); convert with nn_astype", op,
                      nn_dtype_name(t->dtype));
  }
  hdr[0] = hdr[1] = 0;
  hdr[3] = (unsigned char)t->ndim;
  for (i = 0; i < t->ndim; i++) {
    if (t->shape[i] > 0xFFFFFFFFll)
      return nn__fail(NN_ERR_SHAPE, "%s: dimension %d has size %lld; IDX sizes are 32-bit", op, i, (long long)t->shape[i]);
    nn__put_be32(hdr + 4 + 4 * i, (uint32_t)t->shape[i]);
  }
  if (nn__wr_open(&w, op, path) != NN_OK) return nn_last_status();
  nn__wr_put(&w, hdr, 4 + 4 * (size_t)t->ndim);
  nn__wr_tensor(&w, t, 1);
  return nn__wr_close(&w);
}
