/* tests/test_io.c: file formats. Reference files under tests/data/ were written by Python's gzip/zlib, by NumPy and
   by a by-hand safetensors writer (tools/ref/gen_io.py); the inputs they hold are rebuilt here (io_payload, io_val).
   Also: writer round trips, byte-for-byte comparisons with the reference writers, every truncation and thousands of
   seeded random mutations of small valid files of each format (all must fail cleanly or succeed, leaking nothing),
   and bad arguments. Run from the repository root (paths are relative to it). */
#include "ref/io_ref.h"
#include <time.h>

#define IO_DATA "tests/data/"

/* ---- helpers ---- */

static unsigned char *io_read(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  unsigned char *p = NULL;
  long sz;
  *n = 0;
  if (!f) {
    NT_FAIL("cannot open %s (run the tests from the repository root)", path);
    return NULL;
  }
  if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    p = (unsigned char *)malloc((size_t)sz + 1);
    if (p && fread(p, 1, (size_t)sz, f) == (size_t)sz) *n = (size_t)sz;
    else {
      free(p);
      p = NULL;
    }
  }
  fclose(f);
  if (!p) NT_FAIL("cannot read %s", path);
  return p;
}

static int io_write(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  int ok = f && fwrite(p, 1, n, f) == n;
  if (f && fclose(f) != 0) ok = 0;
  return ok;
}

static int io_file_exists(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f) fclose(f);
  return f != NULL;
}

/* A temporary path, unique to this process (the address of a static differs between runs with ASLR). */
static const char *io_tmp(const char *name) {
  static char buf[4][512];
  static int k = 0;
  static unsigned long tag = 0;
  const char *dir = getenv("TMPDIR");
  char *b = buf[k++ & 3];
  if (!tag) tag = ((unsigned long)(uintptr_t)&tag ^ (unsigned long)time(NULL) * 2654435761u ^ (unsigned long)clock()) & 0xFFFFFFFFul;
  snprintf(b, 512, "%s/nn_io_%08lx_%s", dir && dir[0] ? dir : "/tmp", tag, name);
  return b;
}

/* The compression payload of gen_io.py's io_payload. */
static unsigned char *io_payload(size_t n) {
  static const char *const words[11] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ", "tensor ", "gradient ", "\n"};
  unsigned char *out = (unsigned char *)malloc(n + 400);
  size_t len = 0;
  uint32_t x = 12345;
#define IO_RND() (x = (x * 1103515245u + 12345u) & 0x7FFFFFFFu, x >> 8)
  while (len < n) {
    uint32_t kind = IO_RND() % 8, k, i;
    if (kind < 4) {
      const char *w = words[IO_RND() % 11];
      memcpy(out + len, w, strlen(w));
      len += strlen(w);
    } else if (kind == 4) {
      k = IO_RND() % 40;
      for (i = 0; i < k; i++) out[len++] = (unsigned char)(IO_RND() & 255);
    } else if (kind == 5) {
      unsigned char b = (unsigned char)(IO_RND() & 255);
      k = IO_RND() % 300;
      memset(out + len, b, k);
      len += k;
    } else if (kind == 6) {
      unsigned char pat[8];
      uint32_t p = 2 + IO_RND() % 6;
      for (i = 0; i < p; i++) pat[i] = (unsigned char)(IO_RND() & 255);
      k = IO_RND() % 100;
      for (i = 0; i < k; i++) out[len++] = pat[i % p];
    } else if (len > 1000) {
      size_t d = IO_RND() % (len < 32768 ? len : 32768) + 1, s = len - d;
      k = IO_RND() % 200 + 3;
      for (i = 0; i < k; i++) out[len + i] = out[s + i];
      len += k;
    }
    if (len >= n) break;
  }
#undef IO_RND
  return out;
}

/* gen_io.py's io_val. */
static double io_val(int64_t i, nn_dtype dt, int seed) {
  int64_t k = i * 37 + seed * 11 + 5;
  switch (dt) {
    case NN_FLOAT32:
    case NN_FLOAT64: return (double)(k % 201 - 100) / 8.0;
    case NN_INT32: return (double)((k % 201 - 100) * 1000003);
    case NN_INT64: return (double)((k % 201 - 100) * 100000000007LL);
    case NN_UINT8: return (double)(k % 256);
    default: return k % 3 == 0 ? 1.0 : 0.0;
  }
}

static nn_tensor *io_array(const int64_t *shape, int ndim, nn_dtype dt, int seed) {
  nn_tensor *t = nn_empty(shape, ndim, dt);
  int64_t i;
  if (!t) return NULL;
  for (i = 0; i < t->size; i++) nn_set_flat(t, i, io_val(i, dt, seed));
  return t;
}

/* Tensor t has dtype dt, the given shape and io_val values. */
static int io_check_array(const nn_tensor *t, const int64_t *shape, int ndim, nn_dtype dt, int seed) {
  int64_t i;
  if (!t) {
    NT_FAIL("NULL tensor: %s", nn_error());
    return 0;
  }
  if (t->dtype != dt || !nt_shape_is(t, shape, ndim)) {
    char sh[64];
    NT_FAIL("got %s %s", nn_dtype_name(t->dtype), nn_shape_str(t, sh, sizeof sh));
    return 0;
  }
  for (i = 0; i < t->size; i++)
    if (nn_get_flat(t, i) != io_val(i, dt, seed)) {
      NT_FAIL("element %lld = %.17g, expected %.17g", (long long)i, nn_get_flat(t, i), io_val(i, dt, seed));
      return 0;
    }
  return 1;
}

/* Same shape and elements (any dtypes, any strides). */
static int io_equal(const nn_tensor *a, const nn_tensor *b) {
  int64_t i;
  if (!a || !b || a->ndim != b->ndim || !nt_shape_is(a, b->shape, b->ndim)) return 0;
  for (i = 0; i < a->size; i++)
    if (nn_get_flat(a, i) != nn_get_flat(b, i)) return 0;
  return 1;
}

static int io_same_file(const char *a, const char *b) {
  size_t na, nb;
  unsigned char *pa = io_read(a, &na), *pb = io_read(b, &nb);
  int same = pa && pb && na == nb && memcmp(pa, pb, na) == 0;
  if (pa && pb && !same) {
    size_t i = 0;
    while (i < na && i < nb && pa[i] == pb[i]) i++;
    NT_FAIL("%s (%lu bytes) and %s (%lu bytes) differ at byte %lu", a, (unsigned long)na, b, (unsigned long)nb, (unsigned long)i);
  }
  free(pa);
  free(pb);
  return same;
}

static int io_err_has(const char *s) {
  if (strstr(nn_error(), s)) return 1;
  NT_FAIL("error message \"%s\" lacks \"%s\"", nn_error(), s);
  return 0;
}

/* ---- checksums and DEFLATE ---- */

static void test_io_checksums(void) {
  const unsigned char *s = (const unsigned char *)"123456789";
  CHECK(nn__crc32(s, 9) == 0xCBF43926u);
  CHECK(nn__crc32(s, 0) == 0);
  CHECK(nn__adler32(1, (const unsigned char *)"Wikipedia", 9) == 0x11E60398u);
  {
    /* Slicing-by-8 against the bytewise definition on unaligned lengths and starts. */
    unsigned char *p = io_payload(1000);
    nn__crc_tables ct;
    int a, n;
    nn__crc32_init(&ct);
    for (a = 0; a < 9; a++)
      for (n = 0; n < 40; n += 7) {
        uint32_t c = 0xFFFFFFFFu;
        int i, k;
        for (i = 0; i < n; i++) {
          c ^= p[a + i];
          for (k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        }
        CHECK(nn__crc32_update(&ct, 0, p + a, (size_t)n) == ~c);
      }
    free(p);
  }
}

static int io_gunzip(const unsigned char *p, size_t n, unsigned char **out, size_t *on) {
  nn__ictx c = {"test", "gzip data", NULL};
  return nn__gunzip(&c, p, n, out, on) == NN_OK;
}

static void test_io_gzip_reference(void) {
  static const struct {
    const char *file;
    int kind; /* 0 gzip, 1 zlib, 2 raw deflate */
    size_t n; /* payload prefix it holds */
  } cases[] = {{"io_payload_l0.gz", 0, 6000},   {"io_payload_l1.gz", 0, 40000},   {"io_payload_l6.gz", 0, 40000},
               {"io_payload_l9.gz", 0, 40000},  {"io_payload_l9.zz", 1, 40000},   {"io_payload_fixed.zz", 1, 40000},
               {"io_payload_huff.zz", 1, 40000}, {"io_payload_rle.zz", 1, 40000}, {"io_payload_raw.deflate", 2, 40000},
               {"io_multi.gz", 0, 20000},       {"io_fields.gz", 0, 3000}};
  unsigned char *payload = io_payload(40000);
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char path[256];
    size_t n, on = 0;
    unsigned char *p, *o = NULL;
    nn__ictx c = {"test", "data", NULL};
    int ok;
    snprintf(path, sizeof path, IO_DATA "%s", cases[i].file);
    p = io_read(path, &n);
    if (!p) continue;
    if (cases[i].kind == 0) ok = nn__gunzip(&c, p, n, &o, &on) == NN_OK;
    else if (cases[i].kind == 1) ok = nn__zlib_inflate(&c, p, n, &o, &on) == NN_OK;
    else {
      nn__obuf ob;
      size_t used = 0;
      memset(&ob, 0, sizeof ob);
      ok = nn__inflate_raw(&c, p, n, &ob, &used) == NN_OK && used == n;
      o = ob.p;
      on = ob.n;
    }
    if (!ok) NT_FAIL("%s: %s", cases[i].file, nn_error());
    else if (on != cases[i].n || memcmp(o, payload, on) != 0) NT_FAIL("%s: wrong output (%lu bytes)", cases[i].file, (unsigned long)on);
    NN_FREE(o);
    free(p);
  }
  /* The same streams into an exact-size buffer (the npz path): no room for the 8-byte copies at the end. */
  {
    size_t n;
    unsigned char *p = io_read(IO_DATA "io_payload_raw.deflate", &n);
    nn__obuf ob;
    nn__ictx c = {"test", "data", NULL};
    memset(&ob, 0, sizeof ob);
    ob.limit = 40000;
    ob.limited = 1;
    CHECK(p && nn__inflate_raw(&c, p, n, &ob, NULL) == NN_OK && ob.n == 40000 && ob.cap == 40000 &&
          memcmp(ob.p, payload, 40000) == 0);
    ob.n = 0;
    ob.limit = 39999; /* one byte short */
    CHECK_ERR(p && nn__inflate_raw(&c, p, n, &ob, NULL) != NN_OK, NN_ERR_FORMAT);
    io_err_has("more than the 39999 bytes declared");
    NN_FREE(ob.p);
    free(p);
  }
  free(payload);
}

/* A tiny LSB-first bit writer for hand-made DEFLATE streams. */
typedef struct io_bits {
  unsigned char b[64];
  int nbits;
} io_bits;
static void io_put(io_bits *w, unsigned v, int n) {
  int i;
  for (i = 0; i < n; i++, w->nbits++)
    if ((v >> i) & 1) w->b[w->nbits >> 3] |= (unsigned char)(1u << (w->nbits & 7));
}
/* Huffman codes go most significant bit first. */
static void io_put_code(io_bits *w, unsigned code, int n) {
  int i;
  for (i = n - 1; i >= 0; i--) io_put(w, (code >> i) & 1, 1);
}

static nn_status io_inflate_bytes(const unsigned char *p, size_t n, size_t *out_n) {
  nn__obuf ob;
  nn__ictx c = {"test", "deflate data", NULL};
  nn_status s;
  memset(&ob, 0, sizeof ob);
  s = nn__inflate_raw(&c, p, n, &ob, NULL);
  if (out_n) *out_n = ob.n;
  NN_FREE(ob.p);
  return s;
}

static void test_io_inflate_edge(void) {
  size_t on = 9;
  {
    static const unsigned char empty_stored[5] = {0x01, 0x00, 0x00, 0xFF, 0xFF};
    CHECK(io_inflate_bytes(empty_stored, 5, &on) == NN_OK && on == 0);
    CHECK_ERR(io_inflate_bytes(empty_stored, 4, NULL) != NN_OK, NN_ERR_FORMAT);
  }
  {
    static const unsigned char bad_len[5] = {0x01, 0x05, 0x00, 0xFF, 0xFF};
    CHECK_ERR(io_inflate_bytes(bad_len, 5, NULL) != NN_OK, NN_ERR_FORMAT);
    io_err_has("complement");
  }
  {
    static const unsigned char type3[1] = {0x07};
    CHECK_ERR(io_inflate_bytes(type3, 1, NULL) != NN_OK, NN_ERR_FORMAT);
    io_err_has("block type 3");
  }
  { /* fixed block: 'a' 'b', then length 3 at distance 2 -> "ababa", end of block */
    io_bits w;
    memset(&w, 0, sizeof w);
    io_put(&w, 1, 1);
    io_put(&w, 1, 2);
    io_put_code(&w, 0x30 + 'a', 8);
    io_put_code(&w, 0x30 + 'b', 8);
    io_put_code(&w, 1, 7);  /* 257: length 3 */
    io_put_code(&w, 1, 5);  /* distance code 1: distance 2 */
    io_put_code(&w, 0, 7);  /* 256 */
    CHECK(io_inflate_bytes(w.b, (size_t)(w.nbits + 7) / 8, &on) == NN_OK && on == 5);
    CHECK_ERR(io_inflate_bytes(w.b, (size_t)(w.nbits + 7) / 8 - 1, NULL) != NN_OK, NN_ERR_FORMAT);
    io_err_has("is truncated (stream ended inside a block)");
  }
  { /* a match before any output */
    io_bits w;
    memset(&w, 0, sizeof w);
    io_put(&w, 1, 1);
    io_put(&w, 1, 2);
    io_put_code(&w, 1, 7);
    io_put_code(&w, 0, 5);
    io_put_code(&w, 0, 7);
    CHECK_ERR(io_inflate_bytes(w.b, 8, NULL) != NN_OK, NN_ERR_FORMAT);
    io_err_has("distance 1 reaches before the start");
  }
  { /* literal/length symbol 286 and distance code 30 exist in the fixed code but are invalid */
    io_bits w;
    memset(&w, 0, sizeof w);
    io_put(&w, 1, 1);
    io_put(&w, 1, 2);
    io_put_code(&w, 0xC6, 8);
    CHECK_ERR(io_inflate_bytes(w.b, 8, NULL) != NN_OK, NN_ERR_FORMAT);
    io_err_has("invalid literal/length code");
    memset(&w, 0, sizeof w);
    io_put(&w, 1, 1);
    io_put(&w, 1, 2);
    io_put_code(&w, 0x30 + 'a', 8);
    io_put_code(&w, 1, 7);
    io_put_code(&w, 30, 5);
    CHECK_ERR(io_inflate_bytes(w.b, 8, NULL) != NN_OK, NN_ERR_FORMAT);
    io_err_has("invalid distance code");
  }
  { /* dynamic block header declaring 30 length codes beyond 286 */
    io_bits w;
    memset(&w, 0, sizeof w);
    io_put(&w, 1, 1);
    io_put(&w, 2, 2);
    io_put(&w, 31, 5);
    io_put(&w, 0, 5);
    io_put(&w, 0, 4);
    CHECK_ERR(io_inflate_bytes(w.b, 8, NULL) != NN_OK, NN_ERR_FORMAT);
    io_err_has("at most 286");
  }
  { /* empty input, and input of zeros (stored blocks whose lengths do not match) */
    static const unsigned char zeros[16] = {0};
    CHECK_ERR(io_inflate_bytes(zeros, 0, NULL) != NN_OK, NN_ERR_FORMAT);
    CHECK_ERR(io_inflate_bytes(zeros, 16, NULL) != NN_OK, NN_ERR_FORMAT);
  }
  { /* gzip framing errors */
    size_t n;
    unsigned char *p = io_read(IO_DATA "io_fields.gz", &n), *o = NULL, *q;
    size_t on2;
    if (!p) return;
    q = (unsigned char *)malloc(n + 4);
    memcpy(q, p, n);
    CHECK(io_gunzip(q, n, &o, &on2) && on2 == 3000);
    NN_FREE(o);
    q[n - 5] ^= 1; /* ISIZE */
    CHECK_ERR(!io_gunzip(q, n, &o, &on2), NN_ERR_FORMAT);
    io_err_has("trailer says");
    memcpy(q, p, n);
    q[n - 8] ^= 1; /* CRC-32 */
    CHECK_ERR(!io_gunzip(q, n, &o, &on2), NN_ERR_FORMAT);
    io_err_has("CRC-32");
    memcpy(q, p, n);
    q[12] ^= 1; /* inside FEXTRA: caught by the header CRC */
    CHECK_ERR(!io_gunzip(q, n, &o, &on2), NN_ERR_FORMAT);
    io_err_has("header CRC");
    memcpy(q, p, n);
    q[3] |= 0x20;
    CHECK_ERR(!io_gunzip(q, n, &o, &on2), NN_ERR_FORMAT);
    io_err_has("reserved");
    memcpy(q, p, n);
    q[2] = 7;
    CHECK_ERR(!io_gunzip(q, n, &o, &on2), NN_ERR_FORMAT);
    memcpy(q, p, n);
    memcpy(q + n, "junk", 4); /* trailing bytes that are neither zeros nor a member */
    CHECK_ERR(!io_gunzip(q, n + 4, &o, &on2), NN_ERR_FORMAT);
    io_err_has("not gzip data");
    memset(q + n, 0, 4); /* zero padding is fine */
    CHECK(io_gunzip(q, n + 4, &o, &on2) && on2 == 3000);
    NN_FREE(o);
    CHECK_ERR(!io_gunzip(q, n - 3, &o, &on2), NN_ERR_FORMAT);
    io_err_has("before the CRC-32/ISIZE trailer");
    free(q);
    free(p);
  }
}

/* ---- IDX ---- */

static void test_io_idx(void) {
  int64_t s345[3] = {3, 4, 5}, s7[1] = {7}, s23[2] = {2, 3}, s4[1] = {4};
  nn_tensor *t;
  io_check_array(nn_load_idx(IO_DATA "io_u8.idx"), s345, 3, NN_UINT8, 1);
  io_check_array(nn_load_idx(IO_DATA "io_u8_gz.idx"), s345, 3, NN_UINT8, 1); /* gzip found by its magic bytes */
  io_check_array(nn_load_idx(IO_DATA "io_i32.idx"), s7, 1, NN_INT32, 2);
  io_check_array(nn_load_idx(IO_DATA "io_f32.idx.gz"), s23, 2, NN_FLOAT32, 3);
  io_check_array(nn_load_idx(IO_DATA "io_f64.idx"), s4, 1, NN_FLOAT64, 4);
  t = nn_load_idx(IO_DATA "io_i8.idx");
  CHECK(t && t->dtype == NN_INT32 && t->size == 5 && nn_get_flat(t, 0) == -128 && nn_get_flat(t, 1) == -1 &&
        nn_get_flat(t, 4) == 127);
  t = nn_load_idx(IO_DATA "io_i16.idx");
  CHECK(t && t->dtype == NN_INT32 && t->size == 6 && nn_get_flat(t, 0) == -32768 && nn_get_flat(t, 1) == -300 &&
        nn_get_flat(t, 4) == 32767 && nn_get_flat(t, 5) == 7);
  { /* round trips, contiguous and not */
    nn_dtype dts[4] = {NN_UINT8, NN_INT32, NN_FLOAT32, NN_FLOAT64};
    int i;
    for (i = 0; i < 4; i++) {
      nn_tensor *a = io_array(s345, 3, dts[i], 50 + i), *v = nn_transpose(a), *b;
      const char *p = io_tmp("rt.idx");
      CHECK(nn_save_idx(p, a) == NN_OK);
      io_check_array(nn_load_idx(p), s345, 3, dts[i], 50 + i);
      CHECK(nn_save_idx(p, v) == NN_OK);
      b = nn_load_idx(p);
      CHECK(b && io_equal(b, v) && b->shape[0] == 5 && b->shape[2] == 3);
      remove(p);
    }
    CHECK_ERR(nn_save_idx(io_tmp("x.idx"), nn_zeros(s4, 1, NN_INT64)) != NN_OK, NN_ERR_DTYPE);
    CHECK_ERR(nn_save_idx(io_tmp("x.idx"), nn_zeros(s4, 1, NN_BOOL)) != NN_OK, NN_ERR_DTYPE);
    CHECK(!io_file_exists(io_tmp("x.idx")));
    CHECK(nn_save_idx(io_tmp("s.idx"), nn_scalar(2.5, NN_FLOAT64)) == NN_OK);
    t = nn_load_idx(io_tmp("s.idx"));
    CHECK(t && t->ndim == 0 && nn_item(t) == 2.5);
    remove(io_tmp("s.idx"));
  }
  { /* a truncated gzip member, through the public function, gives the documented message */
    size_t n;
    unsigned char *p = io_read(IO_DATA "io_u8_gz.idx", &n);
    const char *path = io_tmp("trunc.idx.gz");
    if (p && io_write(path, p, n / 2)) {
      CHECK_ERR(nn_load_idx(path) == NULL, NN_ERR_FORMAT);
      io_err_has("nn_load_idx: gzip data is truncated (stream ended inside a block)");
      io_err_has(path);
    }
    remove(path);
    free(p);
  }
  { /* header and size checks */
    unsigned char h[32] = {0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4, 5};
    const char *path = io_tmp("bad.idx");
    CHECK(io_write(path, h, 12) && nn_load_idx(path) != NULL);
    CHECK(io_write(path, h, 11));
    CHECK_ERR(nn_load_idx(path) == NULL, NN_ERR_FORMAT);
    io_err_has("truncated");
    CHECK(io_write(path, h, 13));
    CHECK_ERR(nn_load_idx(path) == NULL, NN_ERR_FORMAT);
    io_err_has("extra data");
    h[2] = 0x0A;
    CHECK(io_write(path, h, 12));
    CHECK_ERR(nn_load_idx(path) == NULL, NN_ERR_FORMAT);
    io_err_has("type code 0x0a");
    h[2] = 8;
    h[3] = 9;
    CHECK(io_write(path, h, 32));
    CHECK_ERR(nn_load_idx(path) == NULL, NN_ERR_UNSUPPORTED);
    h[0] = 1;
    h[3] = 1;
    CHECK(io_write(path, h, 12));
    CHECK_ERR(nn_load_idx(path) == NULL, NN_ERR_FORMAT);
    io_err_has("not an IDX file");
    { /* sizes whose product overflows 64 bits must not be believed */
      unsigned char big[4 + 4 * 4] = {0, 0, 0x0E, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
      CHECK(io_write(path, big, sizeof big));
      CHECK_ERR(nn_load_idx(path) == NULL, NN_ERR_FORMAT);
      big[8] = big[9] = big[10] = big[11] = 0; /* empty, but the other dimensions are still absurd */
      CHECK(io_write(path, big, sizeof big));
      CHECK_ERR(nn_load_idx(path) == NULL, NN_ERR_FORMAT);
      io_err_has("absurdly large");
      big[3] = 2;
      big[4] = big[5] = 0;
      CHECK(io_write(path, big, 12));
      t = nn_load_idx(path); /* (65535, 0): empty, needs no data */
      CHECK(t && t->shape[0] == 65535 && t->shape[1] == 0 && t->size == 0);
    }
    remove(path);
  }
}

/* Fashion-MNIST: the shipped sample always, the Debian files when installed. */
static void test_io_fashion_mnist(void) {
  const char *dir = "/usr/share/datasets/fashion-mnist/";
  char p[256];
  nn_tensor *img = nn_load_idx("data/fashion_mnist_sample/t10k-images-idx3-ubyte.gz");
  nn_tensor *lab = nn_load_idx("data/fashion_mnist_sample/t10k-labels-idx1-ubyte.gz");
  int64_t s[3] = {100, 28, 28};
  int64_t i;
  CHECK(img && nt_shape_is(img, s, 3) && img->dtype == NN_UINT8);
  CHECK(lab && lab->ndim == 1 && lab->shape[0] == 100 && lab->dtype == NN_UINT8);
  if (!img || !lab) return;
  CHECK(nn_get_flat(lab, 0) == 9 && nn_get_flat(lab, 1) == 2 && nn_get_flat(lab, 2) == 1); /* ankle boot, pullover, trouser */
  for (i = 0; i < 100; i++) CHECK(nn_get_flat(lab, i) < 10);
  snprintf(p, sizeof p, "%st10k-images-idx3-ubyte.gz", dir);
  if (io_file_exists(p)) {
    nn_tensor *full = nn_load_idx(p), *l;
    int64_t sf[3] = {10000, 28, 28};
    CHECK(full && nt_shape_is(full, sf, 3) && full->dtype == NN_UINT8);
    if (full) CHECK(memcmp(full->data, img->data, 100 * 784) == 0);
    nn_free(full);
    snprintf(p, sizeof p, "%st10k-labels-idx1-ubyte.gz", dir);
    l = nn_load_idx(p);
    CHECK(l && l->shape[0] == 10000 && memcmp(l->data, lab->data, 100) == 0);
    nn_free(l);
    snprintf(p, sizeof p, "%strain-images-idx3-ubyte.gz", dir); /* 26 MB of gzip, 47 MB of pixels */
    full = nn_load_idx(p);
    sf[0] = 60000;
    CHECK(full && nt_shape_is(full, sf, 3) && full->dtype == NN_UINT8);
    if (full) {
      const unsigned char *d = (const unsigned char *)full->data;
      uint64_t sum = 0;
      for (i = 0; i < full->size; i++) sum += d[i];
      CHECK(sum == 3431114169ull); /* as NumPy sums the file Python's gzip module decompresses */
    }
    nn_free(full);
    snprintf(p, sizeof p, "%strain-labels-idx1-ubyte.gz", dir);
    l = nn_load_idx(p);
    CHECK(l && l->shape[0] == 60000);
    if (l) {
      int64_t counts[10] = {0};
      const unsigned char *d = (const unsigned char *)l->data;
      for (i = 0; i < 60000; i++) counts[d[i] < 10 ? d[i] : 0]++;
      for (i = 0; i < 10; i++) CHECK(counts[i] == 6000); /* the training set is balanced */
    }
    nn_free(l);
  }
}

/* ---- CSV ---- */

static void test_io_csv(void) {
  nn_csv_desc d;
  nn_tensor *X = NULL, *y = NULL;
  int k, i;
  memset(&d, 0, sizeof d);
  d.header = 1;
  d.label_col = -1;
  for (k = 0; k < 4; k++) { /* plain and gzipped, float64 and float32 */
    d.dtype = k & 1 ? NN_FLOAT32 : NN_FLOAT64;
    CHECK(nn_load_csv(k < 2 ? IO_DATA "io_basic.csv" : IO_DATA "io_basic.csv.gz", &d, &X, &y) == NN_OK);
    if (!X || !y) {
      NT_FAIL("%s", nn_error());
      continue;
    }
    CHECK(X->shape[0] == IO_BASIC_ROWS && X->shape[1] == 3 && X->dtype == d.dtype && y->dtype == NN_INT64);
    for (i = 0; i < IO_BASIC_ROWS * 3; i++) {
      double want = d.dtype == NN_FLOAT32 ? (double)(float)io_basic_x[i] : io_basic_x[i];
      double got = nn_get_flat(X, i);
      CHECK((got != got && want != want) || got == want);
    }
    for (i = 0; i < IO_BASIC_ROWS; i++) CHECK(((const int64_t *)y->data)[i] == io_basic_y[i]);
  }
  /* The label in another column; no label at all. */
  d.dtype = NN_FLOAT64;
  d.label_col = 0;
  CHECK_ERR(nn_load_csv(IO_DATA "io_basic.csv", &d, &X, &y) != NN_OK, NN_ERR_FORMAT);
  io_err_has("line 2, column 1: '5.1' is not an integer (label column)");
  CHECK(X == NULL && y == NULL);
  CHECK(nn_load_csv(IO_DATA "io_basic.csv", &d, &X, NULL) == NN_OK && X && X->shape[1] == 4 && nn_get_flat(X, 3) == 0);
  /* Correct rounding on 200 numbers, ';'-separated. */
  memset(&d, 0, sizeof d);
  d.delimiter = ';';
  d.dtype = NN_FLOAT64;
  CHECK(nn_load_csv(IO_DATA "io_numbers.csv", &d, &X, NULL) == NN_OK);
  if (X && X->size == 200) {
    const double *v = (const double *)X->data;
    for (i = 0; i < 200; i++)
      if (memcmp(&v[i], &io_numbers[i], sizeof(double)) != 0) NT_FAIL("number %d: %.17g, expected %.17g", i, v[i], io_numbers[i]);
  } else {
    NT_FAIL("io_numbers.csv: %s", nn_error());
  }
  /* Malformed files: the message names the line and the column. */
  {
    static const struct {
      const char *text, *msg;
      nn_status st;
    } bad[] = {
        {"1,2,3\n4,5\n", "line 2 has 2 fields, expected 3 (as on line 1)", NN_ERR_FORMAT},
        {"1,2,3\n4,5,6,7\n", "line 2 has more than 3 fields", NN_ERR_FORMAT},
        {"1,2,3\n4,abc,6\n", "line 2, column 2: 'abc' is not a number", NN_ERR_FORMAT},
        {"1,2,3\n4,,6\n", "line 2, column 2: empty field", NN_ERR_FORMAT},
        {"1,2,3\n\n4,5,6.5\n", "line 3, column 3: '6.5' is not an integer (label column)", NN_ERR_FORMAT},
        {"1,2,3\n4,5,x\n", "line 2, column 3: 'x' is not a number (label column)", NN_ERR_FORMAT},
        {"1,\"2,3\n", "line 1, column 2: unterminated or misplaced double quote", NN_ERR_FORMAT},
        {"1,\"2\"x,3\n", "misplaced double quote", NN_ERR_FORMAT},
        {"1,2,99999999999999999999\n", "is not an integer", NN_ERR_FORMAT},
        {"", "no data rows", NN_ERR_FORMAT},
        {"a,b,c\n", "no data rows (after skipping 1 header line)", NN_ERR_FORMAT},
        {"1,2,3,\n", "line 1, column 4: empty field", NN_ERR_FORMAT},
    };
    const char *path = io_tmp("bad.csv");
    for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
      memset(&d, 0, sizeof d);
      d.label_col = -1;
      d.header = i == 10;
      CHECK(io_write(path, bad[i].text, strlen(bad[i].text)));
      CHECK_ERR(nn_load_csv(path, &d, &X, &y) != NN_OK, bad[i].st);
      io_err_has(bad[i].msg);
      io_err_has(path);
    }
    CHECK(io_write(path, "1,2\n3,4\n", 8));
    d.label_col = 2;
    CHECK_ERR(nn_load_csv(path, &d, &X, &y) != NN_OK, NN_ERR_INDEX);
    d.label_col = -3;
    CHECK_ERR(nn_load_csv(path, &d, &X, &y) != NN_OK, NN_ERR_INDEX);
    d.label_col = -2;
    CHECK(nn_load_csv(path, &d, &X, &y) == NN_OK && X->shape[1] == 1 && nn_get_flat(y, 1) == 3 && nn_get_flat(X, 1) == 4);
    CHECK(nn_load_csv(path, NULL, &X, &y) == NN_OK && nn_get_flat(y, 0) == 1 && X->dtype == NN_FLOAT32); /* NULL desc */
    d.dtype = NN_INT32;
    CHECK_ERR(nn_load_csv(path, &d, &X, &y) != NN_OK, NN_ERR_DTYPE);
    d.dtype = NN_FLOAT32;
    d.header = -1;
    CHECK_ERR(nn_load_csv(path, &d, &X, &y) != NN_OK, NN_ERR_ARG);
    d.header = 0;
    d.delimiter = '"';
    CHECK_ERR(nn_load_csv(path, &d, &X, &y) != NN_OK, NN_ERR_ARG);
    CHECK_ERR(nn_load_csv(path, NULL, NULL, &y) != NN_OK, NN_ERR_NULL);
    /* Tab-separated, blank lines and spaces everywhere. */
    CHECK(io_write(path, "\n 1\t 2 \t3\n\n\t\n4\t5\t6", 18));
    memset(&d, 0, sizeof d);
    d.delimiter = '\t';
    d.label_col = 1;
    CHECK(nn_load_csv(path, &d, &X, &y) == NN_OK && X->shape[0] == 2 && nn_get_flat(y, 1) == 5 && nn_get_flat(X, 3) == 6);
    remove(path);
  }
}

/* The data/ CSVs read with the documented settings. */
static void test_io_shipped_csv(void) {
  static const struct {
    const char *file;
    int header;
    int64_t rows, cols, classes;
    double x0, y0;
  } sets[] = {{"data/iris.csv", 1, 150, 4, 3, 5.1, 0},
              {"data/wine.csv", 1, 178, 13, 3, 14.23, 0},
              {"data/breast_cancer.csv", 1, 569, 30, 2, 17.99, 0},
              {"data/digits.csv.gz", 0, 1797, 64, 10, 0, 0}};
  int i;
  for (i = 0; i < 4; i++) {
    nn_csv_desc d;
    nn_tensor *X = NULL, *y = NULL;
    int64_t r, seen[10] = {0};
    memset(&d, 0, sizeof d);
    d.header = sets[i].header;
    d.label_col = -1;
    if (nn_load_csv(sets[i].file, &d, &X, &y) != NN_OK) {
      NT_FAIL("%s: %s", sets[i].file, nn_error());
      continue;
    }
    CHECK(X->shape[0] == sets[i].rows && X->shape[1] == sets[i].cols && y->shape[0] == sets[i].rows);
    CHECK(nn_get_flat(X, 0) == (double)(float)sets[i].x0 && nn_get_flat(y, 0) == sets[i].y0);
    for (r = 0; r < y->size; r++) {
      int64_t c = ((const int64_t *)y->data)[r];
      if (c >= 0 && c < sets[i].classes) seen[c]++;
      else NT_FAIL("%s: label %lld", sets[i].file, (long long)c);
    }
    for (r = 0; r < sets[i].classes; r++) CHECK(seen[r] > 0);
    if (i == 3) {
      double mx = nn_item(nn_max(X, NN_ALL_AXES, 0)), mn = nn_item(nn_min(X, NN_ALL_AXES, 0));
      CHECK(mx == 16 && mn == 0);
    }
  }
}

/* ---- safetensors ---- */

static nn_tensor *io_st_tensor(int i) {
  return io_array(io_st_cases[i].shape, io_st_cases[i].ndim, io_st_cases[i].dtype, io_st_cases[i].seed);
}

static void test_io_safetensors(void) {
  const int n = (int)(sizeof io_st_cases / sizeof io_st_cases[0]);
  nn_tensor_dict *d = nn_load_safetensors(IO_DATA "io_ref.safetensors");
  const char *names[16];
  nn_tensor *ts[16];
  int i;
  CHECK(d != NULL);
  if (!d) {
    NT_FAIL("%s", nn_error());
    return;
  }
  CHECK(d->count == n && d->meta_count == 3);
  for (i = 0; i < n; i++) {
    nn_tensor *t = nn_dict_get(d, io_st_cases[i].name);
    io_check_array(t, io_st_cases[i].shape, io_st_cases[i].ndim, io_st_cases[i].dtype, io_st_cases[i].seed);
  }
  /* Data order: dtypes by decreasing alignment, then names. */
  CHECK(strcmp(d->names[0], "steps") == 0 && strcmp(d->names[1], "caf\303\251 \"q\"") == 0 &&
        strcmp(d->names[2], "scale") == 0 && strcmp(d->names[3], "bias") == 0 && strcmp(d->names[n - 1], "mask") == 0);
  for (i = 0; i < 3; i++) CHECK(nn_dict_meta(d, io_st_meta[2 * i]) && strcmp(nn_dict_meta(d, io_st_meta[2 * i]), io_st_meta[2 * i + 1]) == 0);
  CHECK(nn_dict_meta(d, "absent") == NULL);
  CHECK_ERR(nn_dict_get(d, "absent") == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_dict_get(d, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_dict_get(NULL, "x") == NULL, NN_ERR_NULL);
  {
    long before = nn_scope_count();
    nn_tensor *w = nn_dict_take(d, "weight");
    CHECK(w && nn_scope_count() == before + 1); /* it joined the current scope */
    CHECK_ERR(nn_dict_get(d, "weight") == NULL, NN_ERR_VALUE);
    io_err_has("already taken");
    CHECK_ERR(nn_dict_take(d, "weight") == NULL, NN_ERR_VALUE);
  }
  nn_dict_free(d);
  nn_dict_free(NULL);
  /* Writing the same tensors (given in another order, metadata too) reproduces the reference bytes. */
  for (i = 0; i < n; i++) {
    names[i] = io_st_cases[n - 1 - i].name;
    ts[i] = io_st_tensor(n - 1 - i);
  }
  {
    const char *meta[6];
    const char *p = io_tmp("w.safetensors");
    for (i = 0; i < 3; i++) {
      meta[2 * i] = io_st_meta[2 * (2 - i)];
      meta[2 * i + 1] = io_st_meta[2 * (2 - i) + 1];
    }
    CHECK(nn_save_safetensors(p, names, ts, n, meta, 3) == NN_OK);
    io_same_file(p, IO_DATA "io_ref.safetensors");
    remove(p);
  }
  /* The reference serializer's own test vectors (safetensors/src/tensor.rs). */
  {
    static const unsigned char empty[16] = {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '};
    static const char fw_hdr[] = "{\"__metadata__\":{\"framework\":\"pt\"}}     ";
    static const char attn_hdr[] = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ";
    static const char *const fw[2] = {"framework", "pt"};
    const char *p = io_tmp("v.safetensors"), *nm = "attn0";
    int64_t s4[4] = {1, 1, 2, 3};
    nn_tensor *a = nn_reshape(nn_arange(0, 6, 1, NN_FLOAT32), s4, 4);
    size_t len;
    unsigned char *b;
    CHECK(nn_save_safetensors(p, NULL, NULL, 0, NULL, 0) == NN_OK);
    b = io_read(p, &len);
    CHECK(b && len == 16 && memcmp(b, empty, 16) == 0);
    free(b);
    CHECK(nn_save_safetensors(p, NULL, NULL, 0, fw, 1) == NN_OK);
    b = io_read(p, &len);
    CHECK(b && len == 48 && b[0] == 40 && memcmp(b + 8, fw_hdr, 40) == 0);
    free(b);
    CHECK(nn_save_safetensors(p, &nm, &a, 1, NULL, 0) == NN_OK);
    b = io_read(p, &len);
    CHECK(b && len == 8 + 72 + 24 && b[0] == 72 && memcmp(b + 8, attn_hdr, 72) == 0 && memcmp(b + 80, a->data, 24) == 0);
    free(b);
    d = nn_load_safetensors(p);
    CHECK(d && d->count == 1 && io_equal(nn_dict_get(d, "attn0"), a));
    nn_dict_free(d);
    remove(p);
  }
  /* Round trip of views (transposed, sliced) of every dtype. */
  {
    const char *p = io_tmp("rt.safetensors");
    int64_t s[2] = {3, 5};
    const char *nm[6] = {"a", "b", "c", "d", "e", "f"};
    nn_tensor *src[6], *views[6];
    nn_dtype dts[6] = {NN_FLOAT32, NN_FLOAT64, NN_INT32, NN_INT64, NN_UINT8, NN_BOOL};
    for (i = 0; i < 6; i++) {
      src[i] = io_array(s, 2, dts[i], 60 + i);
      views[i] = nn_transpose(src[i]);
    }
    CHECK(nn_save_safetensors(p, nm, views, 6, NULL, 0) == NN_OK);
    d = nn_load_safetensors(p);
    CHECK(d && d->count == 6 && d->meta_count == 0);
    for (i = 0; d && i < 6; i++) {
      nn_tensor *t = nn_dict_get(d, nm[i]);
      CHECK(t && t->dtype == dts[i] && t->shape[0] == 5 && io_equal(t, views[i]));
    }
    nn_dict_free(d);
    remove(p);
  }
  CHECK_ERR(nn_load_safetensors(IO_DATA "io_f16.safetensors") == NULL, NN_ERR_UNSUPPORTED);
  io_err_has("tensor 'h' has dtype F16");
  /* Writer arguments. */
  {
    const char *p = io_tmp("bad.safetensors");
    nn_tensor *t = nn_zeros(NULL, 0, NN_FLOAT32);
    nn_tensor *two[2];
    const char *dup[2] = {"x", "x"}, *meta_dup[4] = {"k", "1", "k", "2"}, *bad_utf8 = "\xC3\x28";
    const char *md = "__metadata__", *null_name = NULL;
    two[0] = two[1] = t;
    CHECK_ERR(nn_save_safetensors(NULL, dup, two, 1, NULL, 0) != NN_OK, NN_ERR_NULL);
    CHECK_ERR(nn_save_safetensors(p, dup, two, 2, NULL, 0) != NN_OK, NN_ERR_VALUE);
    io_err_has("'x' is used twice");
    CHECK_ERR(nn_save_safetensors(p, dup, two, 1, meta_dup, 2) != NN_OK, NN_ERR_VALUE);
    CHECK_ERR(nn_save_safetensors(p, &md, two, 1, NULL, 0) != NN_OK, NN_ERR_VALUE);
    CHECK_ERR(nn_save_safetensors(p, &bad_utf8, two, 1, NULL, 0) != NN_OK, NN_ERR_VALUE);
    CHECK_ERR(nn_save_safetensors(p, &null_name, two, 1, NULL, 0) != NN_OK, NN_ERR_NULL);
    CHECK_ERR(nn_save_safetensors(p, dup, two, -1, NULL, 0) != NN_OK, NN_ERR_ARG);
    CHECK_ERR(nn_save_safetensors(p, dup, NULL, 1, NULL, 0) != NN_OK, NN_ERR_NULL);
    CHECK_ERR(nn_save_safetensors(p, dup, two, 1, NULL, 1) != NN_OK, NN_ERR_NULL);
    CHECK_ERR(nn_save_safetensors(p, dup, two, 1, meta_dup, -1) != NN_OK, NN_ERR_ARG);
    two[0] = NULL;
    CHECK_ERR(nn_save_safetensors(p, dup, two, 1, NULL, 0) != NN_OK, NN_ERR_NULL);
    CHECK(!io_file_exists(p));
  }
}

/* A safetensors file from a header text and a data length (zeros). */
static unsigned char *io_st_mem(const char *json, size_t data, size_t *n) {
  size_t h = strlen(json);
  unsigned char *b = (unsigned char *)calloc(8 + h + data + 1, 1);
  nn__put_le64(b, h);
  memcpy(b + 8, json, h);
  *n = 8 + h + data;
  return b;
}

static nn_tensor_dict *io_st_parse(const unsigned char *p, size_t n) {
  nn__rd r;
  nn__rd_mem(&r, "nn_load_safetensors", NULL, p, n);
  return nn__st_read(&r);
}

static void test_io_safetensors_hostile(void) {
  static const struct {
    const char *json;
    size_t data;
    const char *msg;
  } bad[] = {
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16, "appears twice"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlaps"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16, "gap"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "the file holds 4"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, "the file holds 12"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "need 12"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,8]}}", 8, "absurdly large"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536],\"data_offsets\":[0,8]}}", 8, "need more than"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "data_offsets [8, 0]"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999]}}", 8, "too large"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "non-negative integer"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8, "fraction"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[02],\"data_offsets\":[0,8]}}", 8, "leading zero"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"shape\":[2]}}", 8, "'shape' twice"},
      {"{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "lacks 'shape'"},
      {"{\"a\":{\"dtype\":\"X9\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unknown dtype 'X9'"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} x", 8, "unexpected text after"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},}", 8, "expected '\"'"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, "header ended"},
      {"{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "must be strings"},
      {"{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "key 'k' twice"},
      {"{\"__metadata__\":{},\"__metadata__\":{}}", 0, "__metadata__ appears twice"},
      {"{\"a\\u0000b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "NUL character"},
      {"{\"a\\ud800\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unpaired surrogate"},
      {"{\"a\\q\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "invalid escape"},
      {"{\"a\tb\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "control character"},
      {"{\"\xC0\xAF\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "not valid UTF-8"},
      {"{\"\xED\xA0\x80\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "not valid UTF-8"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4, "more than 8 dimensions"},
      {"[]", 0, "expected '{'"},
      {"", 0, "expected '{'"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
       "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}", 8, "nested too deeply"},
  };
  size_t i, n;
  unsigned char *b;
  nn_tensor_dict *d;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    b = io_st_mem(bad[i].json, bad[i].data, &n);
    d = io_st_parse(b, n);
    if (d) NT_FAIL("case %d accepted", (int)i);
    else if (!strstr(nn_error(), bad[i].msg)) NT_FAIL("case %d: \"%s\" lacks \"%s\"", (int)i, nn_error(), bad[i].msg);
    nn_dict_free(d);
    free(b);
  }
  /* Valid oddities: unknown keys are skipped, zero-size tensors share offsets, whitespace, escapes. */
  b = io_st_mem(" {\"z\" : {\"dtype\":\"BOOL\",\"shape\":[0],\"data_offsets\":[0,0]}, \"\\u00e9\\ud83d\\ude00\\n\":"
                "{\"extra\":{\"a\":[1,-2.5e3,true,null,\"s\"]},\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]} ,"
                "\"e\":{\"dtype\":\"I64\",\"shape\":[3,0],\"data_offsets\":[1,1]}}\n  ", 1, &n);
  b[n - 1] = 7;
  d = io_st_parse(b, n);
  CHECK(d && d->count == 3);
  if (d) {
    nn_tensor *t = nn_dict_get(d, "\303\251\360\237\230\200\n");
    CHECK(t && t->ndim == 0 && t->dtype == NN_UINT8 && nn_item(t) == 7);
  }
  nn_dict_free(d);
  free(b);
  /* Header lengths: absurd, larger than the file, and a file shorter than 8 bytes. */
  {
    unsigned char h[16] = {0};
    nn__put_le64(h, 100000001);
    CHECK_ERR(io_st_parse(h, 16) == NULL, NN_ERR_FORMAT);
    io_err_has("100 MB");
    nn__put_le64(h, 0xFFFFFFFFFFFFFFFFull);
    CHECK_ERR(io_st_parse(h, 16) == NULL, NN_ERR_FORMAT);
    nn__put_le64(h, 9);
    CHECK_ERR(io_st_parse(h, 16) == NULL, NN_ERR_FORMAT);
    io_err_has("only 8 bytes follow");
    CHECK_ERR(io_st_parse(h, 7) == NULL, NN_ERR_FORMAT);
  }
}

/* ---- NumPy ---- */

static void test_io_npy(void) {
  int i, nc = (int)(sizeof io_npy_cases / sizeof io_npy_cases[0]);
  for (i = 0; i < nc; i++) {
    const io_npy_case *c = &io_npy_cases[i];
    char path[256];
    nn_tensor *t;
    snprintf(path, sizeof path, IO_DATA "%s", c->file);
    t = nn_load_npy(path);
    if (!io_check_array(t, c->shape, c->ndim, c->dtype, c->seed)) {
      NT_FAIL("%s", c->file);
      continue;
    }
    CHECK(nn_is_contiguous(t) == !c->fortran); /* Fortran files give Fortran strides, as np.load does */
    if (c->same_bytes) {
      const char *p = io_tmp("s.npy");
      CHECK(nn_save_npy(p, t) == NN_OK);
      if (!io_same_file(p, path)) NT_FAIL("%s", c->file);
      remove(p);
    }
    { /* everything round-trips (Fortran tensors are written in C order) */
      const char *p = io_tmp("rt.npy");
      nn_tensor *b;
      CHECK(nn_save_npy(p, t) == NN_OK);
      b = nn_load_npy(p);
      CHECK(b && nn_is_contiguous(b) && io_check_array(b, c->shape, c->ndim, c->dtype, c->seed));
      remove(p);
    }
  }
  { /* header errors */
    static const struct {
      const char *hdr, *msg;
      nn_status st;
    } bad[] = {
        {"{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", "dtype '<f2' is not supported", NN_ERR_UNSUPPORTED},
        {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured dtypes", NN_ERR_UNSUPPORTED},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", "keys must be exactly", NN_ERR_FORMAT},
        {"{'descr': '<f4', 'fortran_order': False}", "keys must be exactly", NN_ERR_FORMAT},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "keys must be exactly", NN_ERR_FORMAT},
        {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "True or False", NN_ERR_FORMAT},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", "trailing comma", NN_ERR_FORMAT},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", "must be a tuple", NN_ERR_FORMAT},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "non-negative", NN_ERR_FORMAT},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", "file is truncated", NN_ERR_FORMAT},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "extra data", NN_ERR_FORMAT},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", "unexpected text", NN_ERR_FORMAT},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", "more than 8", NN_ERR_UNSUPPORTED},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "too large", NN_ERR_FORMAT},
    };
    const char *p = io_tmp("bad.npy");
    size_t k;
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
      unsigned char buf[256];
      size_t h = strlen(bad[k].hdr);
      memcpy(buf, "\x93NUMPY\x01\x00", 8);
      nn__put_le16(buf + 8, (uint32_t)h);
      memcpy(buf + 10, bad[k].hdr, h);
      memset(buf + 10 + h, 0, 8);
      CHECK(io_write(p, buf, 10 + h + 8));
      CHECK_ERR(nn_load_npy(p) == NULL, bad[k].st);
      io_err_has(bad[k].msg);
    }
    {
      unsigned char buf[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 4, 0, 0, 0};
      CHECK(io_write(p, buf, 16));
      CHECK_ERR(nn_load_npy(p) == NULL, NN_ERR_UNSUPPORTED);
      io_err_has("version 4.0");
      buf[1] = 'X';
      CHECK(io_write(p, buf, 16));
      CHECK_ERR(nn_load_npy(p) == NULL, NN_ERR_FORMAT);
      io_err_has("bad magic");
      buf[1] = 'N';
      buf[6] = 2;
      nn__put_le32(buf + 8, 0x7FFFFFFFu);
      CHECK(io_write(p, buf, 16));
      CHECK_ERR(nn_load_npy(p) == NULL, NN_ERR_FORMAT);
      io_err_has("1 MiB");
    }
    remove(p);
  }
  {
    nn_tensor *t = nn_zeros(NULL, 0, NN_FLOAT32);
    CHECK_ERR(nn_save_npy(NULL, t) != NN_OK, NN_ERR_NULL);
    CHECK_ERR(nn_save_npy(io_tmp("n.npy"), NULL) != NN_OK, NN_ERR_NULL);
  }
}

static void test_io_npz(void) {
  static const char *const names[4] = {"w", "b", "labels", "flags"};
  static const int64_t shapes[4][2] = {{3, 2}, {2, 0}, {6, 0}, {2, 2}};
  static const int ndims[4] = {2, 1, 1, 2}, seeds[4] = {41, 42, 43, 44};
  static const nn_dtype dts[4] = {NN_FLOAT32, NN_FLOAT64, NN_INT64, NN_BOOL};
  int f, i;
  for (f = 0; f < 3; f++) {
    const char *path = f == 0 ? IO_DATA "io_savez.npz" : f == 1 ? IO_DATA "io_savez_c.npz" : io_tmp("w.npz");
    nn_tensor_dict *d;
    if (f == 2) { /* ours, from tensors rebuilt here */
      nn_tensor *ts[4];
      for (i = 0; i < 4; i++) ts[i] = io_array(shapes[i], ndims[i], dts[i], seeds[i]);
      ts[0] = nn_transpose(nn_transpose(ts[0]));
      CHECK(nn_save_npz(path, (const char *const *)names, ts, 4) == NN_OK);
    }
    d = nn_load_npz(path);
    if (!d) {
      NT_FAIL("%s: %s", path, nn_error());
      continue;
    }
    CHECK(d->count == 4 && d->meta_count == 0);
    for (i = 0; i < 4; i++) io_check_array(nn_dict_get(d, names[i]), shapes[i], ndims[i], dts[i], seeds[i]);
    nn_dict_free(d);
  }
  { /* the archive is a plain zip: its members are exactly what nn_save_npy writes */
    const char *p = io_tmp("w.npz"), *q = io_tmp("w.npy");
    size_t n, m;
    unsigned char *z = io_read(p, &n), *y;
    nn_tensor *t = io_array(shapes[2], 1, NN_INT64, 43);
    CHECK(nn_save_npy(q, t) == NN_OK);
    y = io_read(q, &m);
    CHECK(z && y && n > m + 30 && nn__le32(z) == 0x04034b50u);
    if (z && y) {
      size_t k, found = 0;
      for (k = 0; k + m <= n; k++)
        if (memcmp(z + k, y, m) == 0) found = 1;
      CHECK(found);
    }
    free(z);
    free(y);
    remove(p);
    remove(q);
  }
  {
    const char *p = io_tmp("e.npz");
    nn_tensor_dict *d;
    CHECK(nn_save_npz(p, NULL, NULL, 0) == NN_OK);
    d = nn_load_npz(p);
    CHECK(d && d->count == 0);
    nn_dict_free(d);
    remove(p);
  }
  {
    nn_tensor *t = nn_zeros(NULL, 0, NN_FLOAT32);
    const char *dup[2] = {"a", "a"};
    nn_tensor *two[2];
    two[0] = two[1] = t;
    CHECK_ERR(nn_save_npz(io_tmp("d.npz"), dup, two, 2) != NN_OK, NN_ERR_VALUE);
    CHECK_ERR(nn_save_npz(NULL, dup, two, 1) != NN_OK, NN_ERR_NULL);
    CHECK(!io_file_exists(io_tmp("d.npz")));
  }
}

/* ---- missing files and bad paths ---- */

static void test_io_bad_paths(void) {
  const char *missing = "tests/data/does_not_exist.bin";
  nn_tensor *X, *y;
  nn_tensor *t = nn_zeros(NULL, 0, NN_FLOAT32);
  const char *nm = "t";
  CHECK_ERR(nn_load_idx(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_load_npy(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_load_npz(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_load_safetensors(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_load_csv(NULL, NULL, &X, &y) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_save_idx(NULL, t) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_load_idx(missing) == NULL, NN_ERR_IO);
  io_err_has("nn_load_idx: cannot open 'tests/data/does_not_exist.bin': No such file or directory");
  CHECK_ERR(nn_load_npy(missing) == NULL, NN_ERR_IO);
  io_err_has(missing);
  CHECK_ERR(nn_load_npz(missing) == NULL, NN_ERR_IO);
  CHECK_ERR(nn_load_safetensors(missing) == NULL, NN_ERR_IO);
  CHECK_ERR(nn_load_csv(missing, NULL, &X, &y) != NN_OK, NN_ERR_IO);
  io_err_has("No such file or directory");
  /* A directory opens on some systems but cannot be read. */
  CHECK_ERR(nn_load_npy("tests/data") == NULL, NN_ERR_IO);
  CHECK_ERR(nn_load_idx("tests/data") == NULL, NN_ERR_IO);
  CHECK_ERR(nn_save_npy("tests/data/no_such_dir/x.npy", t) != NN_OK, NN_ERR_IO);
  io_err_has("cannot open 'tests/data/no_such_dir/x.npy' for writing");
  CHECK_ERR(nn_save_safetensors("tests/data/no_such_dir/x", &nm, &t, 1, NULL, 0) != NN_OK, NN_ERR_IO);
  CHECK_ERR(nn_save_npz("tests/data/no_such_dir/x", &nm, &t, 1) != NN_OK, NN_ERR_IO);
  CHECK_ERR(nn_save_idx("tests/data/no_such_dir/x", t) != NN_OK, NN_ERR_IO);
  /* Empty files. */
  {
    const char *p = io_tmp("empty");
    CHECK(io_write(p, "", 0));
    CHECK_ERR(nn_load_idx(p) == NULL, NN_ERR_FORMAT);
    CHECK_ERR(nn_load_npy(p) == NULL, NN_ERR_FORMAT);
    CHECK_ERR(nn_load_npz(p) == NULL, NN_ERR_FORMAT);
    CHECK_ERR(nn_load_safetensors(p) == NULL, NN_ERR_FORMAT);
    CHECK_ERR(nn_load_csv(p, NULL, &X, &y) != NN_OK, NN_ERR_FORMAT);
    remove(p);
  }
}

/* ---- hostile inputs: every truncation, and seeded random mutations ---- */

typedef int (*io_parse_fn)(const unsigned char *p, size_t n); /* 1: parsed, 0: failed */

static int io_p_gzip(const unsigned char *p, size_t n) {
  unsigned char *o;
  size_t on;
  if (!io_gunzip(p, n, &o, &on)) return 0;
  NN_FREE(o);
  return 1;
}
static int io_p_deflate(const unsigned char *p, size_t n) { return io_inflate_bytes(p, n, NULL) == NN_OK; }
static int io_p_zlib(const unsigned char *p, size_t n) {
  unsigned char *o;
  size_t on;
  nn__ictx c = {"test", "zlib data", NULL};
  if (nn__zlib_inflate(&c, p, n, &o, &on) != NN_OK) return 0;
  NN_FREE(o);
  return 1;
}
static int io_p_idx(const unsigned char *p, size_t n) {
  unsigned char *b;
  size_t bn;
  nn_tensor *t;
  if (nn__load_bytes("nn_load_idx", NULL, p, n, &b, &bn) != NN_OK) return 0;
  t = nn__idx_parse("nn_load_idx", NULL, b, bn);
  NN_FREE(b);
  nn_free(t);
  return t != NULL;
}
static int io_p_csv(const unsigned char *p, size_t n) {
  nn_csv_desc d;
  nn_tensor *X = NULL, *y = NULL;
  nn_status s;
  memset(&d, 0, sizeof d);
  d.header = 1;
  d.label_col = -1;
  s = nn__csv_load(NULL, p, n, &d, &X, &y);
  nn_free(X);
  nn_free(y);
  return s == NN_OK;
}
static int io_p_st(const unsigned char *p, size_t n) {
  nn_tensor_dict *d = io_st_parse(p, n);
  nn_dict_free(d);
  return d != NULL;
}
static int io_p_npy(const unsigned char *p, size_t n) {
  nn__rd r;
  nn_tensor *t;
  nn__rd_mem(&r, "nn_load_npy", NULL, p, n);
  t = nn__npy_read(&r);
  nn_free(t);
  return t != NULL;
}
static int io_p_npz(const unsigned char *p, size_t n) {
  nn__rd r;
  nn_tensor_dict *d;
  nn__rd_mem(&r, "nn_load_npz", NULL, p, n);
  d = nn__npz_read(&r);
  nn_dict_free(d);
  return d != NULL;
}

/* Runs parse on every prefix of the file and on `mutations` mutated copies. The whole file must parse; every
   prefix and mutation must succeed or fail with a message, and no tensor may outlive the call. */
static void io_hostile(const char *file, io_parse_fn parse, int mutations, int all_prefixes_fail) {
  char path[256];
  size_t n, k;
  unsigned char *p, *q;
  long live = nn_live_tensors();
  uint32_t x = 2024;
  int i, ok_prefix = 0, ok_mut = 0;
  static const unsigned char special[] = {0, 0xFF, 0x7F, 0x80, '"', ',', '\n', ':', '{', '}', '[', ']', '\\', '9', '0', ' ', 0x1F, 0x8B};
  snprintf(path, sizeof path, IO_DATA "%s", file);
  p = io_read(path, &n);
  if (!p) return;
  q = (unsigned char *)malloc(n + 1);
  nn_clear_error();
  if (!parse(p, n)) NT_FAIL("%s does not parse: %s", file, nn_error());
  for (k = 0; k < n; k++) {
    memcpy(q, p, k); /* an exact-size copy: ASan sees any read past the prefix */
    nn_clear_error();
    {
      unsigned char *e = (unsigned char *)malloc(k ? k : 1);
      memcpy(e, p, k);
      if (parse(e, k)) ok_prefix++;
      else if (nn_last_status() == NN_OK || !nn_error()[0]) NT_FAIL("%s: prefix %lu failed without a message", file, (unsigned long)k);
      free(e);
    }
  }
  if (all_prefixes_fail && ok_prefix) NT_FAIL("%s: %d truncated copies were accepted", file, ok_prefix);
  for (i = 0; i < mutations; i++) {
    int edits, e;
    size_t len = n;
    memcpy(q, p, n);
#define IO_R() (x = x * 1664525u + 1013904223u, x >> 8)
    edits = 1 + (int)(IO_R() % 4);
    for (e = 0; e < edits; e++) {
      size_t at = IO_R() % n;
      switch (IO_R() % 4) {
        case 0: q[at] = (unsigned char)IO_R(); break;
        case 1: q[at] ^= (unsigned char)(1u << (IO_R() % 8)); break;
        case 2: q[at] = special[IO_R() % sizeof special]; break;
        default: /* near the front, where the headers are */
          at = IO_R() % (n < 64 ? n : 64);
          q[at] = (unsigned char)IO_R();
      }
    }
    if (IO_R() % 8 == 0) len = IO_R() % n;
#undef IO_R
    nn_clear_error();
    {
      unsigned char *m = (unsigned char *)malloc(len ? len : 1);
      memcpy(m, q, len);
      if (parse(m, len)) ok_mut++;
      else if (nn_last_status() == NN_OK || !nn_error()[0]) NT_FAIL("%s: mutation %d failed without a message", file, i);
      free(m);
    }
  }
  if (nn_live_tensors() != live) NT_FAIL("%s: %ld tensors leaked", file, nn_live_tensors() - live);
  free(p);
  free(q);
}

static void test_io_hostile(void) {
  io_hostile("io_fields.gz", io_p_gzip, 3000, 1);
  io_hostile("io_u8_gz.idx", io_p_gzip, 1000, 1);
  io_hostile("io_u8_gz.idx", io_p_idx, 1000, 1);
  io_hostile("io_u8.idx", io_p_idx, 1000, 1);
  io_hostile("io_basic.csv", io_p_csv, 3000, 0);
  io_hostile("io_basic.csv.gz", io_p_csv, 1000, 1);
  io_hostile("io_ref.safetensors", io_p_st, 3000, 1);
  io_hostile("io_f64_beF.npy", io_p_npy, 2000, 1);
  io_hostile("io_f32_v2.npy", io_p_npy, 1000, 1);
  io_hostile("io_savez.npz", io_p_npz, 3000, 1);
  io_hostile("io_savez_c.npz", io_p_npz, 3000, 1);
}

/* The decoder alone, without checksums to stop corrupt data early: mutated dynamic, fixed and stored streams. */
static void test_io_hostile_deflate(void) {
  size_t n;
  io_hostile("io_payload_fixed.zz", io_p_zlib, 300, 1);
  io_hostile("io_payload_l0.gz", io_p_gzip, 300, 1);
  {
    /* Mutations straight on the raw stream of io_fields.gz. */
    unsigned char *p = io_read(IO_DATA "io_fields.gz", &n), *q;
    uint32_t x = 99;
    int i, ok = 0;
    if (!p) return;
    q = (unsigned char *)malloc(n);
    for (i = 0; i < 3000; i++) {
      size_t m = n - 48, e;
      unsigned char *b;
      memcpy(q, p + 40, m);
      for (e = 0; e < 3; e++) {
        x = x * 1664525u + 1013904223u;
        q[(x >> 8) % (m < 200 ? m : 200)] ^= (unsigned char)(1u << ((x >> 4) & 7));
      }
      b = (unsigned char *)malloc(m);
      memcpy(b, q, m);
      nn_clear_error();
      if (io_p_deflate(b, m)) ok++;
      else if (!nn_error()[0]) NT_FAIL("mutation %d failed without a message", i);
      free(b);
    }
    free(q);
    free(p);
  }
}

static void tests_io(void) {
  RUN(test_io_checksums);
  RUN(test_io_gzip_reference);
  RUN(test_io_inflate_edge);
  RUN(test_io_idx);
  RUN(test_io_fashion_mnist);
  RUN(test_io_csv);
  RUN(test_io_shipped_csv);
  RUN(test_io_safetensors);
  RUN(test_io_safetensors_hostile);
  RUN(test_io_npy);
  RUN(test_io_npz);
  RUN(test_io_bad_paths);
  RUN(test_io_hostile);
  RUN(test_io_hostile_deflate);
}
