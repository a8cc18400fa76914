/* io/inflate.c: DEFLATE decompression (RFC 1951) and its gzip (RFC 1952) and zlib (RFC 1950) wrappers, CRC-32 and
   Adler-32. Decoding is table-driven: one lookup per literal/length and per distance code in a 10-bit (resp. 8-bit)
   root table, with second-level tables for longer codes; bits come from a 64-bit buffer refilled 8 bytes at a time.
   Every read and write is bounds-checked: corrupt or truncated input gives an error, never an access outside the
   buffers, and output grows with the data actually decoded (a header's size field is only a capacity hint). */

/* ---- errors: "<op>: <what> <problem> in '<path>'" ---- */

typedef struct nn__ictx {
  const char *op;   /* public function, e.g. "nn_load_idx" */
  const char *what; /* "gzip data", "zlib data", "npz member 'x.npy'" */
  const char *path; /* file name, or NULL for a memory buffer */
} nn__ictx;

NN__PRIVATE nn_status nn__ifail(const nn__ictx *c, nn_status st, const char *fmt, ...) NN__PRINTF(3, 4);
NN__PRIVATE nn_status nn__ifail(const nn__ictx *c, nn_status st, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (c->path) return nn__fail(st, "%s: %s %s in '%s'", c->op, c->what, msg, c->path);
  return nn__fail(st, "%s: %s %s", c->op, c->what, msg);
}

/* ---- checksums ---- */

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320), slicing by 8. The tables are built per call (8 KiB, microseconds)
   rather than in a lazily filled global, which would race between threads. */
typedef struct nn__crc_tables {
  uint32_t t[8][256];
} nn__crc_tables;

NN__PRIVATE void nn__crc32_init(nn__crc_tables *ct) {
  uint32_t i, c;
  int k;
  for (i = 0; i < 256; i++) {
    c = i;
    for (k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    ct->t[0][i] = c;
  }
  for (i = 0; i < 256; i++) {
    c = ct->t[0][i];
    for (k = 1; k < 8; k++) {
      c = ct->t[0][c & 0xFF] ^ (c >> 8);
      ct->t[k][i] = c;
    }
  }
}

/* Continues a CRC: start with crc = 0. */
NN__PRIVATE uint32_t nn__crc32_update(const nn__crc_tables *ct, uint32_t crc, const unsigned char *p, size_t n) {
  crc = ~crc;
  while (n && ((uintptr_t)p & 7)) {
    crc = ct->t[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    n--;
  }
  while (n >= 8) {
    uint32_t a = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    uint32_t b = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    crc = ct->t[7][a & 0xFF] ^ ct->t[6][(a >> 8) & 0xFF] ^ ct->t[5][(a >> 16) & 0xFF] ^ ct->t[4][a >> 24] ^
          ct->t[3][b & 0xFF] ^ ct->t[2][(b >> 8) & 0xFF] ^ ct->t[1][(b >> 16) & 0xFF] ^ ct->t[0][b >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) crc = ct->t[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

/* One-shot CRC-32 (allocates the tables on the stack of the caller: 8 KiB). */
NN__PRIVATE uint32_t nn__crc32(const unsigned char *p, size_t n) {
  nn__crc_tables ct;
  nn__crc32_init(&ct);
  return nn__crc32_update(&ct, 0, p, n);
}

/* Adler-32 (RFC 1950): start with 1. 5552 is the largest block whose sums cannot overflow 32 bits. */
NN__PRIVATE uint32_t nn__adler32(uint32_t adler, const unsigned char *p, size_t n) {
  uint32_t a = adler & 0xFFFF, b = adler >> 16;
  while (n) {
    size_t k = n < 5552 ? n : 5552;
    n -= k;
    while (k--) {
      a += *p++;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return b << 16 | a;
}

/* ---- growable output buffer ---- */

typedef struct nn__obuf {
  unsigned char *p;
  size_t n, cap;
  size_t limit; /* with limited set: the most bytes the data may have (a size declared by a container) */
  int limited;
} nn__obuf;

/* Makes room for need more bytes. 0: done; -1: that would exceed the limit; -2: out of memory. */
NN__PRIVATE int nn__obuf_reserve(nn__obuf *o, size_t need) {
  size_t cap;
  unsigned char *q;
  if (o->limited && need > o->limit - o->n) return -1;
  if (o->cap - o->n >= need) return 0;
  if (need > ((size_t)-1 >> 2) - o->n) return -2;
  cap = o->cap < 4096 ? 4096 : o->cap;
  while (cap - o->n < need) cap += cap / 2;
  if (o->limited && cap > o->limit) cap = o->limit;
  q = (unsigned char *)NN_REALLOC(o->p, cap ? cap : 1);
  if (!q) return -2;
  o->p = q;
  o->cap = cap;
  return 0;
}

/* ---- DEFLATE ---- */

/* A table entry: bits 0-4 code length to consume (for a link: the root bits), bits 5-7 tag, bits 8-11 extra bits
   of a length/distance (for a link: index bits of the sub-table), bits 16-31 the value (literal, base or sub-table
   offset). */
#define NN__HT_LIT 0u
#define NN__HT_LEN 1u /* a length or distance base with extra bits */
#define NN__HT_EOB 2u
#define NN__HT_LINK 3u
#define NN__HT_BAD 4u
#define NN__HE(value, extra, tag, nbits) \
  ((uint32_t)(value) << 16 | (uint32_t)(extra) << 8 | (uint32_t)(tag) << 5 | (uint32_t)(nbits))
#define NN__LROOT 10
#define NN__DROOT 8
/* Sub-tables have 2^(longest code - root) entries and there is at most one per long code: these bounds hold for
   any code the builder accepts. */
#define NN__LTAB ((1 << NN__LROOT) + 288 * (1 << (15 - NN__LROOT)))
#define NN__DTAB ((1 << NN__DROOT) + 32 * (1 << (15 - NN__DROOT)))

static const unsigned short nn__len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                                31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const unsigned char nn__len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const unsigned short nn__dist_base[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,
                                                 33,  49,  65,  97,  129, 193,  257,  385,  513,  769,
                                                 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const unsigned char nn__dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                                 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

typedef struct nn__inflater {
  uint32_t lit[NN__LTAB];
  uint32_t dist[NN__DTAB];
  uint32_t clen[1 << 7];
  const unsigned char *in, *in_end;
  uint64_t bitbuf;   /* bits not yet consumed, least significant first; bits above bitcnt are 0 or the next input */
  unsigned bitcnt;   /* valid bits in bitbuf */
  unsigned overrun;  /* zero bytes appended past the end of the input (must never be consumed) */
  const nn__ictx *ctx;
} nn__inflater;

enum { NN__HUFF_LIT = 0, NN__HUFF_DIST = 1, NN__HUFF_CLEN = 2 };

/* Builds the decoding table of a canonical code from its code lengths. Returns 0, or -1 for an over-subscribed
   code, -2 for an incomplete one (allowed, as zlib allows, only for a single code of length 1 or no code at all;
   unused entries decode as invalid). */
NN__PRIVATE int nn__huff_build(uint32_t *table, size_t cap, unsigned root, const unsigned char *lens, unsigned n,
                               int kind) {
  unsigned count[16], offs[17], len, s, i, maxlen = 0, next = 1u << root, sub = 0;
  unsigned short sorted[288];
  int left = 1;
  uint32_t code = 0, prefix = (uint32_t)-1, sub_start = 0;
  memset(count, 0, sizeof count);
  for (s = 0; s < n; s++) count[lens[s]]++;
  count[0] = 0;
  for (len = 1; len <= 15; len++) {
    left <<= 1;
    left -= (int)count[len];
    if (left < 0) return -1;
    if (count[len]) maxlen = len;
  }
  for (i = 0; i < (1u << root); i++) table[i] = NN__HE(0, 0, NN__HT_BAD, 0);
  if (maxlen == 0) return 0;
  if (left > 0 && (kind == NN__HUFF_CLEN || maxlen != 1)) return -2;
  offs[1] = 0;
  for (len = 1; len <= 15; len++) offs[len + 1] = offs[len] + count[len];
  for (s = 0; s < n; s++)
    if (lens[s]) sorted[offs[lens[s]]++] = (unsigned short)s;
  len = 0;
  for (i = 0; i < offs[16]; i++) {
    unsigned sym = sorted[i], l = lens[sym], r = 0, k, extra = 0, tag = NN__HT_LIT, value = sym;
    uint32_t e;
    if (l > len) {
      code <<= (l - len);
      len = l;
    }
    for (k = 0; k < l; k++) r |= ((code >> k) & 1u) << (l - 1 - k); /* codes are read least significant bit first */
    if (kind == NN__HUFF_LIT) {
      if (sym == 256) tag = NN__HT_EOB;
      else if (sym > 285) tag = NN__HT_BAD;
      else if (sym > 256) {
        tag = NN__HT_LEN;
        value = nn__len_base[sym - 257];
        extra = nn__len_extra[sym - 257];
      }
    } else if (kind == NN__HUFF_DIST) {
      if (sym > 29) tag = NN__HT_BAD;
      else {
        tag = NN__HT_LEN;
        value = nn__dist_base[sym];
        extra = nn__dist_extra[sym];
      }
    }
    if (l <= root) {
      e = NN__HE(value, extra, tag, l);
      for (k = r; k < (1u << root); k += 1u << l) table[k] = e;
    } else {
      if ((r & ((1u << root) - 1)) != prefix) {
        prefix = r & ((1u << root) - 1);
        sub = maxlen - root;
        sub_start = next;
        if ((size_t)next + (1u << sub) > cap || next + (1u << sub) > 65535) return -1;
        for (k = 0; k < (1u << sub); k++) table[next + k] = NN__HE(0, 0, NN__HT_BAD, 0);
        next += 1u << sub;
        table[prefix] = NN__HE(sub_start, sub, NN__HT_LINK, root);
      }
      e = NN__HE(value, extra, tag, l - root);
      for (k = r >> root; k < (1u << sub); k += 1u << (l - root)) table[sub_start + k] = e;
    }
    code++;
  }
  return 0;
}

/* Refills the bit buffer to at least 56 bits. Past the end of the input, zero bytes are appended and counted. */
#define NN__REFILL(st)                                                                          \
  do {                                                                                          \
    if ((st)->in_end - (st)->in >= 8) {                                                         \
      uint64_t w_;                                                                              \
      memcpy(&w_, (st)->in, 8);                                                                 \
      if (!nn__host_le()) w_ = nn__bswap64(w_);                                                 \
      (st)->bitbuf |= w_ << (st)->bitcnt;                                                       \
      (st)->in += (63 - (st)->bitcnt) >> 3;                                                     \
      (st)->bitcnt |= 56;                                                                       \
    } else if (nn__inflate_refill_slow(st) != NN_OK) {                                          \
      return nn_last_status();                                                                  \
    }                                                                                           \
  } while (0)

NN__PRIVATE int nn__host_le(void) {
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

NN__PRIVATE uint64_t nn__bswap64(uint64_t v) {
  v = ((v & 0x00FF00FF00FF00FFull) << 8) | ((v >> 8) & 0x00FF00FF00FF00FFull);
  v = ((v & 0x0000FFFF0000FFFFull) << 16) | ((v >> 16) & 0x0000FFFF0000FFFFull);
  return (v << 32) | (v >> 32);
}

NN__PRIVATE nn_status nn__inflate_truncated(nn__inflater *st) {
  return nn__ifail(st->ctx, NN_ERR_FORMAT, "is truncated (stream ended inside a block)");
}

NN__PRIVATE nn_status nn__inflate_refill_slow(nn__inflater *st) {
  /* Zero bytes already consumed means the stream needed more input than there was. */
  if (st->overrun * 8 > st->bitcnt) return nn__inflate_truncated(st);
  while (st->bitcnt < 56) { /* ends with 56..63 valid bits: never 64, so shifts by bitcnt stay defined */
    if (st->in < st->in_end) st->bitbuf |= (uint64_t)*st->in++ << st->bitcnt;
    else if (++st->overrun > 16) return nn__inflate_truncated(st);
    st->bitcnt += 8;
  }
  return NN_OK;
}

#define NN__BITS(st, n) ((uint32_t)((st)->bitbuf & ((1ull << (n)) - 1)))
#define NN__DROP(st, n) ((st)->bitbuf >>= (n), (st)->bitcnt -= (n))

/* Goes to the next byte boundary and gives back the whole bytes still held in the bit buffer. */
NN__PRIVATE nn_status nn__inflate_align(nn__inflater *st) {
  unsigned held;
  NN__DROP(st, st->bitcnt & 7);
  held = st->bitcnt >> 3;
  if (held < st->overrun) return nn__inflate_truncated(st);
  st->in -= held - st->overrun;
  st->bitbuf = 0;
  st->bitcnt = 0;
  st->overrun = 0;
  return NN_OK;
}

NN__PRIVATE nn_status nn__inflate_oom(nn__inflater *st, nn__obuf *o, int r) {
  if (r == -1)
    return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (it decompresses to more than the %llu bytes declared)",
                     (unsigned long long)o->limit);
  return nn__ifail(st->ctx, NN_ERR_OOM, "cannot be decompressed: out of memory after %llu bytes",
                   (unsigned long long)o->n);
}

/* The fast part of a Huffman-coded block: while at least 8 input bytes and 266 bytes of output room remain (one
   longest match plus an 8-byte copy overrun), the state lives in locals (byte stores through the output pointer
   could alias the state's fields and force reloads) and no write is checked. Up to 3 literals are decoded per
   refill. Returns 1 at the end of the block, 0 when the careful loop must take over, -1 on an error. */
NN__PRIVATE int nn__inflate_fast(nn__inflater *st, nn__obuf *o, size_t win) {
  const uint32_t *lt = st->lit, *dt = st->dist;
  const unsigned char *in = st->in, *in_end = st->in_end;
  uint64_t bb = st->bitbuf;
  unsigned bc = st->bitcnt;
  unsigned char *base, *out, *oend;
  int ret = 0, le = nn__host_le(), r0 = nn__obuf_reserve(o, 266);
  if (r0 == -1) return 0; /* (the buffer may still be unallocated: no pointer arithmetic on it) */
  if (r0) {
    nn__inflate_oom(st, o, r0);
    return -1;
  }
  base = o->p;
  out = base + o->n;
  oend = base + o->cap;
  while (in_end - in >= 8) {
    uint32_t e, len, d, k;
    uint64_t w;
    if (NN__UNLIKELY(oend - out < 266)) {
      int r;
      o->n = (size_t)(out - base);
      if ((r = nn__obuf_reserve(o, 266)) == -1) break; /* near a declared size: the careful loop finishes */
      if (r) {
        nn__inflate_oom(st, o, r);
        ret = -1;
        break;
      }
      base = o->p;
      out = base + o->n;
      oend = base + o->cap;
    }
    memcpy(&w, in, 8);
    if (!le) w = nn__bswap64(w);
    bb |= w << bc;
    in += (63 - bc) >> 3;
    bc |= 56;
    e = lt[bb & ((1u << NN__LROOT) - 1)];
    if (((e >> 5) & 7) == NN__HT_LINK) {
      bb >>= NN__LROOT;
      bc -= NN__LROOT;
      e = lt[(e >> 16) + (uint32_t)(bb & ((1u << ((e >> 8) & 15)) - 1))];
    }
    bb >>= e & 31;
    bc -= e & 31;
    if (((e >> 5) & 7) == NN__HT_LIT) {
      *out++ = (unsigned char)(e >> 16);
      /* At least 41 bits are left: two more literals of at most 15 bits each fit without a refill. */
      for (k = 0; k < 2; k++) {
        e = lt[bb & ((1u << NN__LROOT) - 1)];
        if (((e >> 5) & 7) != NN__HT_LIT) break;
        bb >>= e & 31;
        bc -= e & 31;
        *out++ = (unsigned char)(e >> 16);
      }
      continue;
    }
    if (((e >> 5) & 7) == NN__HT_EOB) {
      ret = 1;
      break;
    }
    if (NN__UNLIKELY(((e >> 5) & 7) != NN__HT_LEN)) {
      nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (invalid literal/length code)");
      ret = -1;
      break;
    }
    len = (e >> 16) + (uint32_t)(bb & ((1u << ((e >> 8) & 15)) - 1));
    bb >>= (e >> 8) & 15;
    bc -= (e >> 8) & 15;
    e = dt[bb & ((1u << NN__DROOT) - 1)];
    if (((e >> 5) & 7) == NN__HT_LINK) {
      bb >>= NN__DROOT;
      bc -= NN__DROOT;
      e = dt[(e >> 16) + (uint32_t)(bb & ((1u << ((e >> 8) & 15)) - 1))];
    }
    bb >>= e & 31;
    bc -= e & 31;
    if (NN__UNLIKELY(((e >> 5) & 7) != NN__HT_LEN)) {
      nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (invalid distance code)");
      ret = -1;
      break;
    }
    d = (e >> 16) + (uint32_t)(bb & ((1u << ((e >> 8) & 15)) - 1));
    bb >>= (e >> 8) & 15;
    bc -= (e >> 8) & 15;
    if (NN__UNLIKELY(d > (size_t)(out - base) - win)) {
      nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (distance %u reaches before the start of the data)", (unsigned)d);
      ret = -1;
      break;
    }
    {
      unsigned char *end = out + len;
      const unsigned char *src = out - d;
      if (d >= 8) {
        do {
          memcpy(out, src, 8);
          out += 8;
          src += 8;
        } while (out < end);
      } else if (d == 1) {
        memset(out, src[0], len);
      } else {
        while (out < end) *out++ = *src++;
      }
      out = end;
    }
  }
  st->in = in;
  st->bitbuf = bb;
  st->bitcnt = bc;
  o->n = (size_t)(out - base);
  return ret;
}

/* Decodes one Huffman-coded block with the tables in st. win is where this stream's output starts (distances
   may not reach before it). The fast loop does the bulk; this careful loop finishes near the end of the input or
   of a fixed-size output, checking every step. */
NN__PRIVATE nn_status nn__inflate_codes(nn__inflater *st, nn__obuf *o, size_t win) {
  const uint32_t *lt = st->lit, *dt = st->dist;
  int fast = nn__inflate_fast(st, o, win);
  if (fast < 0) return nn_last_status();
  if (fast > 0) return NN_OK;
  for (;;) {
    uint32_t e, len, d;
    unsigned tag;
    NN__REFILL(st);
    e = lt[NN__BITS(st, NN__LROOT)];
    if (((e >> 5) & 7) == NN__HT_LINK) {
      NN__DROP(st, NN__LROOT);
      e = lt[(e >> 16) + NN__BITS(st, (e >> 8) & 15)];
    }
    NN__DROP(st, e & 31);
    tag = (e >> 5) & 7;
    if (tag == NN__HT_LIT) {
      if (NN__UNLIKELY(o->n == o->cap)) {
        int r = nn__obuf_reserve(o, 1);
        if (r) return nn__inflate_oom(st, o, r);
      }
      o->p[o->n++] = (unsigned char)(e >> 16);
      continue;
    }
    if (tag == NN__HT_EOB) break;
    if (NN__UNLIKELY(tag != NN__HT_LEN)) return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (invalid literal/length code)");
    len = (e >> 16) + NN__BITS(st, (e >> 8) & 15);
    NN__DROP(st, (e >> 8) & 15);
    e = dt[NN__BITS(st, NN__DROOT)];
    if (((e >> 5) & 7) == NN__HT_LINK) {
      NN__DROP(st, NN__DROOT);
      e = dt[(e >> 16) + NN__BITS(st, (e >> 8) & 15)];
    }
    NN__DROP(st, e & 31);
    if (NN__UNLIKELY(((e >> 5) & 7) != NN__HT_LEN)) return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (invalid distance code)");
    d = (e >> 16) + NN__BITS(st, (e >> 8) & 15);
    NN__DROP(st, (e >> 8) & 15);
    if (NN__UNLIKELY(d > o->n - win))
      return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (distance %u reaches before the start of the data)", (unsigned)d);
    if (NN__UNLIKELY(o->cap - o->n < (size_t)len + 8)) {
      int r = nn__obuf_reserve(o, (size_t)len + 8);
      if (r == -1) r = nn__obuf_reserve(o, len); /* at the declared size: no room for the 8-byte copies */
      if (r) return nn__inflate_oom(st, o, r);
      if (o->cap - o->n < (size_t)len + 8) {
        unsigned char *dst = o->p + o->n;
        const unsigned char *src = dst - d;
        uint32_t k;
        for (k = 0; k < len; k++) dst[k] = src[k];
        o->n += len;
        continue;
      }
    }
    {
      unsigned char *dst = o->p + o->n, *end = dst + len;
      const unsigned char *src = dst - d;
      o->n += len;
      if (d >= 8) {
        /* 8 bytes at a time, possibly 7 past the end (room was reserved); a source 8 or more bytes back is
           always already written. */
        do {
          memcpy(dst, src, 8);
          dst += 8;
          src += 8;
        } while (dst < end);
      } else if (d == 1) {
        memset(dst, src[0], len);
      } else {
        while (dst < end) *dst++ = *src++;
      }
    }
  }
  if (st->overrun * 8 > st->bitcnt) return nn__inflate_truncated(st);
  return NN_OK;
}

static const unsigned char nn__clen_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

/* Reads the code lengths of a dynamic block and builds its tables. */
NN__PRIVATE nn_status nn__inflate_dynamic(nn__inflater *st) {
  unsigned char lens[288 + 32], cl[19];
  unsigned nlen, ndist, ncl, i, n;
  int r;
  NN__REFILL(st);
  nlen = NN__BITS(st, 5) + 257;
  NN__DROP(st, 5);
  ndist = NN__BITS(st, 5) + 1;
  NN__DROP(st, 5);
  ncl = NN__BITS(st, 4) + 4;
  NN__DROP(st, 4);
  if (nlen > 286 || ndist > 30)
    return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (%u length or %u distance codes declared; at most 286 and 30)",
                     nlen, ndist);
  memset(cl, 0, sizeof cl);
  for (i = 0; i < ncl; i++) {
    NN__REFILL(st);
    cl[nn__clen_order[i]] = (unsigned char)NN__BITS(st, 3);
    NN__DROP(st, 3);
  }
  if (nn__huff_build(st->clen, 1 << 7, 7, cl, 19, NN__HUFF_CLEN) != 0)
    return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (invalid code length code)");
  n = 0;
  while (n < nlen + ndist) {
    uint32_t e, sym;
    unsigned rep = 0, val = 0;
    NN__REFILL(st);
    e = st->clen[NN__BITS(st, 7)];
    if (((e >> 5) & 7) != NN__HT_LIT) return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (invalid code length code)");
    NN__DROP(st, e & 31);
    sym = e >> 16;
    if (sym < 16) {
      lens[n++] = (unsigned char)sym;
      continue;
    }
    if (sym == 16) {
      if (n == 0) return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (repeated code length with no previous length)");
      val = lens[n - 1];
      rep = 3 + NN__BITS(st, 2);
      NN__DROP(st, 2);
    } else if (sym == 17) {
      rep = 3 + NN__BITS(st, 3);
      NN__DROP(st, 3);
    } else {
      rep = 11 + NN__BITS(st, 7);
      NN__DROP(st, 7);
    }
    if (n + rep > nlen + ndist) return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (code lengths overflow the table)");
    while (rep--) lens[n++] = (unsigned char)val;
  }
  if (st->overrun * 8 > st->bitcnt) return nn__inflate_truncated(st);
  if (lens[256] == 0) return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (no end-of-block code)");
  r = nn__huff_build(st->lit, NN__LTAB, NN__LROOT, lens, nlen, NN__HUFF_LIT);
  if (r) return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (%s literal/length code)", r == -1 ? "over-subscribed" : "incomplete");
  r = nn__huff_build(st->dist, NN__DTAB, NN__DROOT, lens + nlen, ndist, NN__HUFF_DIST);
  if (r) return nn__ifail(st->ctx, NN_ERR_FORMAT, "is corrupt (%s distance code)", r == -1 ? "over-subscribed" : "incomplete");
  return NN_OK;
}

NN__PRIVATE void nn__inflate_fixed(nn__inflater *st) {
  unsigned char lens[288];
  unsigned i;
  for (i = 0; i < 144; i++) lens[i] = 8;
  for (; i < 256; i++) lens[i] = 9;
  for (; i < 280; i++) lens[i] = 7;
  for (; i < 288; i++) lens[i] = 8;
  nn__huff_build(st->lit, NN__LTAB, NN__LROOT, lens, 288, NN__HUFF_LIT);
  for (i = 0; i < 32; i++) lens[i] = 5;
  nn__huff_build(st->dist, NN__DTAB, NN__DROOT, lens, 32, NN__HUFF_DIST);
}

/* Decompresses the raw DEFLATE stream at in[0..n) onto the end of o. *used gets the number of input bytes the
   stream occupies (up to the byte boundary after its last block). Distances may reach back to o->n at entry. */
NN__PRIVATE nn_status nn__inflate_raw(const nn__ictx *ctx, const unsigned char *in, size_t n, nn__obuf *o, size_t *used) {
  nn__inflater *st = (nn__inflater *)NN_MALLOC(sizeof(nn__inflater));
  size_t win = o->n;
  nn_status s = NN_OK;
  int last = 0, fixed_ready = 0;
  if (!st) return nn__ifail(ctx, NN_ERR_OOM, "cannot be decompressed: out of memory");
  st->in = in;
  st->in_end = in + n;
  st->bitbuf = 0;
  st->bitcnt = 0;
  st->overrun = 0;
  st->ctx = ctx;
  while (!last && s == NN_OK) {
    unsigned type;
    if ((s = nn__inflate_refill_slow(st)) != NN_OK) break;
    last = (int)NN__BITS(st, 1);
    type = NN__BITS(st, 3) >> 1;
    NN__DROP(st, 3);
    if (type == 0) {
      unsigned len, nlen;
      int r;
      if ((s = nn__inflate_align(st)) != NN_OK) break;
      if (st->in_end - st->in < 4) {
        s = nn__inflate_truncated(st);
        break;
      }
      len = (unsigned)st->in[0] | (unsigned)st->in[1] << 8;
      nlen = (unsigned)st->in[2] | (unsigned)st->in[3] << 8;
      st->in += 4;
      if (len != (~nlen & 0xFFFF)) {
        s = nn__ifail(ctx, NN_ERR_FORMAT, "is corrupt (stored block length %u does not match its complement)", len);
        break;
      }
      if ((size_t)(st->in_end - st->in) < len) {
        s = nn__inflate_truncated(st);
        break;
      }
      if ((r = nn__obuf_reserve(o, len)) != 0) {
        s = nn__inflate_oom(st, o, r);
        break;
      }
      if (len) memcpy(o->p + o->n, st->in, len);
      o->n += len;
      st->in += len;
    } else if (type == 1) {
      if (!fixed_ready) nn__inflate_fixed(st);
      fixed_ready = 1;
      s = nn__inflate_codes(st, o, win);
    } else if (type == 2) {
      fixed_ready = 0;
      s = nn__inflate_dynamic(st);
      if (s == NN_OK) s = nn__inflate_codes(st, o, win);
    } else {
      s = nn__ifail(ctx, NN_ERR_FORMAT, "is corrupt (invalid block type 3)");
    }
  }
  if (s == NN_OK) s = nn__inflate_align(st);
  if (s == NN_OK && used) *used = (size_t)(st->in - in);
  NN_FREE(st);
  return s;
}

/* ---- gzip ---- */

/* Decompresses gzip data (one member or several, concatenated as `cat a.gz b.gz` makes them), checking every
   member's CRC-32 and ISIZE. Trailing zero bytes are allowed (tape padding, as gzip allows); anything else after a
   member must be another member. On success *out (NN_MALLOC'd, *out_n bytes) belongs to the caller. */
NN__PRIVATE nn_status nn__gunzip(const nn__ictx *ctx, const unsigned char *in, size_t n, unsigned char **out, size_t *out_n) {
  nn__obuf o;
  size_t pos = 0, hint;
  nn__crc_tables *ct = NULL;
  nn_status s = NN_OK;
  *out = NULL;
  *out_n = 0;
  o.p = NULL;
  o.n = o.cap = 0;
  o.limit = 0;
  o.limited = 0;
  /* The last ISIZE is the size of a single-member file: a capacity hint only, not trusted beyond a 64:1 ratio
     (DEFLATE can reach 1032:1; such data grows the buffer as it is decoded). */
  hint = n >= 18 ? ((size_t)in[n - 4] | (size_t)in[n - 3] << 8 | (size_t)in[n - 2] << 16 | (size_t)in[n - 1] << 24) : 0;
  if (hint / 64 > n + (1u << 16)) hint = 0;
  if (nn__obuf_reserve(&o, hint + 16) != 0) return nn__ifail(ctx, NN_ERR_OOM, "cannot be decompressed: out of memory");
  ct = (nn__crc_tables *)NN_MALLOC(sizeof(nn__crc_tables));
  if (!ct) {
    NN_FREE(o.p);
    return nn__ifail(ctx, NN_ERR_OOM, "cannot be decompressed: out of memory");
  }
  nn__crc32_init(ct);
  for (;;) {
    unsigned flg;
    size_t start = o.n, used = 0;
    uint32_t crc, isize;
    if ((n - pos >= 1 && in[pos] != 0x1F) || (n - pos >= 2 && in[pos + 1] != 0x8B)) {
      s = nn__ifail(ctx, NN_ERR_FORMAT, "is not gzip data (bad magic bytes at offset %llu)", (unsigned long long)pos);
      break;
    }
    if (n - pos < 10) {
      s = nn__ifail(ctx, NN_ERR_FORMAT, "is truncated (%s)", pos ? "a member header is cut short" : "shorter than a gzip header");
      break;
    }
    if (in[pos + 2] != 8) {
      s = nn__ifail(ctx, NN_ERR_FORMAT, "uses compression method %u; only 8 (deflate) exists", in[pos + 2]);
      break;
    }
    flg = in[pos + 3];
    if (flg & 0xE0) {
      s = nn__ifail(ctx, NN_ERR_FORMAT, "is corrupt (reserved header flags 0x%02x are set)", flg);
      break;
    }
    {
      size_t h = pos + 10;
      if (flg & 4) { /* FEXTRA */
        size_t xlen;
        if (n - h < 2) goto header_truncated;
        xlen = (size_t)in[h] | (size_t)in[h + 1] << 8;
        h += 2;
        if (n - h < xlen) goto header_truncated;
        h += xlen;
      }
      if (flg & 8) { /* FNAME */
        while (h < n && in[h]) h++;
        if (h >= n) goto header_truncated;
        h++;
      }
      if (flg & 16) { /* FCOMMENT */
        while (h < n && in[h]) h++;
        if (h >= n) goto header_truncated;
        h++;
      }
      if (flg & 2) { /* FHCRC: the low 16 bits of the CRC-32 of the header */
        uint32_t want;
        if (n - h < 2) goto header_truncated;
        want = (uint32_t)in[h] | (uint32_t)in[h + 1] << 8;
        if ((nn__crc32_update(ct, 0, in + pos, h - pos) & 0xFFFF) != want) {
          s = nn__ifail(ctx, NN_ERR_FORMAT, "is corrupt (header CRC mismatch)");
          break;
        }
        h += 2;
      }
      pos = h;
    }
    s = nn__inflate_raw(ctx, in + pos, n - pos, &o, &used);
    if (s != NN_OK) break;
    pos += used;
    if (n - pos < 8) {
      s = nn__ifail(ctx, NN_ERR_FORMAT, "is truncated (stream ended before the CRC-32/ISIZE trailer)");
      break;
    }
    crc = (uint32_t)in[pos] | (uint32_t)in[pos + 1] << 8 | (uint32_t)in[pos + 2] << 16 | (uint32_t)in[pos + 3] << 24;
    isize = (uint32_t)in[pos + 4] | (uint32_t)in[pos + 5] << 8 | (uint32_t)in[pos + 6] << 16 | (uint32_t)in[pos + 7] << 24;
    pos += 8;
    {
      uint32_t got = nn__crc32_update(ct, 0, o.p + start, o.n - start);
      if (got != crc) {
        s = nn__ifail(ctx, NN_ERR_FORMAT, "is corrupt (CRC-32 %08x, the trailer says %08x)", (unsigned)got, (unsigned)crc);
        break;
      }
    }
    if ((uint32_t)(o.n - start) != isize) {
      s = nn__ifail(ctx, NN_ERR_FORMAT, "is corrupt (%llu bytes decompressed, the trailer says %u modulo 2^32)",
                    (unsigned long long)(o.n - start), (unsigned)isize);
      break;
    }
    {
      size_t z = pos;
      while (z < n && in[z] == 0) z++;
      if (z == n) break;
    }
    continue;
  header_truncated:
    s = nn__ifail(ctx, NN_ERR_FORMAT, "is truncated (the header is cut short)");
    break;
  }
  NN_FREE(ct);
  if (s == NN_OK && !o.p && nn__obuf_reserve(&o, 1) != 0) s = nn__ifail(ctx, NN_ERR_OOM, "cannot be decompressed: out of memory");
  if (s != NN_OK) {
    NN_FREE(o.p);
    return s;
  }
  *out = o.p; /* never NULL, even when empty */
  *out_n = o.n;
  return NN_OK;
}

/* ---- zlib ---- */

/* Decompresses one zlib stream (no preset dictionary) and checks its Adler-32; trailing bytes are an error. */
NN__PRIVATE nn_status nn__zlib_inflate(const nn__ictx *ctx, const unsigned char *in, size_t n, unsigned char **out, size_t *out_n) {
  nn__obuf o;
  size_t used = 0;
  uint32_t want, got;
  nn_status s;
  *out = NULL;
  *out_n = 0;
  if (n < 2) return nn__ifail(ctx, NN_ERR_FORMAT, "is truncated (shorter than a zlib header)");
  if ((in[0] & 15) != 8 || (in[0] >> 4) > 7)
    return nn__ifail(ctx, NN_ERR_FORMAT, "is not zlib data (method %u, window %u)", in[0] & 15u, in[0] >> 4);
  if (((unsigned)in[0] << 8 | in[1]) % 31 != 0) return nn__ifail(ctx, NN_ERR_FORMAT, "is not zlib data (header check fails)");
  if (in[1] & 0x20) return nn__ifail(ctx, NN_ERR_UNSUPPORTED, "needs a preset dictionary, which is not supported");
  o.p = NULL;
  o.n = o.cap = 0;
  o.limit = 0;
  o.limited = 0;
  s = nn__inflate_raw(ctx, in + 2, n - 2, &o, &used);
  if (s != NN_OK) {
    NN_FREE(o.p);
    return s;
  }
  if (n - 2 - used < 4) {
    NN_FREE(o.p);
    return nn__ifail(ctx, NN_ERR_FORMAT, "is truncated (stream ended before the Adler-32 trailer)");
  }
  in += 2 + used;
  want = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | (uint32_t)in[3];
  got = nn__adler32(1, o.p, o.n);
  if (got != want) {
    NN_FREE(o.p);
    return nn__ifail(ctx, NN_ERR_FORMAT, "is corrupt (Adler-32 %08x, the trailer says %08x)", (unsigned)got, (unsigned)want);
  }
  if (n - 2 - used > 4) {
    NN_FREE(o.p);
    return nn__ifail(ctx, NN_ERR_FORMAT, "has %llu unexpected bytes after its end", (unsigned long long)(n - 6 - used));
  }
  if (!o.p && nn__obuf_reserve(&o, 1) != 0) return nn__ifail(ctx, NN_ERR_OOM, "cannot be decompressed: out of memory");
  *out = o.p; /* never NULL, even when empty */
  *out_n = o.n;
  return NN_OK;
}
