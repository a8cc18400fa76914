/* io/npz.c: NumPy's .npz archives, which are zip files (PKWARE APPNOTE) of .npy members. Reading goes through the
   central directory (zip64 records included, as np.savez writes with force_zip64) and accepts stored and deflated
   members, checking each member's sizes and CRC-32. Writing makes a plain stored archive, as np.savez does. */

#define NN__ZIP_EOCD 0x06054b50u
#define NN__ZIP_LOC64 0x07064b50u
#define NN__ZIP_EOCD64 0x06064b50u
#define NN__ZIP_CEN 0x02014b50u
#define NN__ZIP_LOC 0x04034b50u

typedef struct nn__zip_dir {
  uint64_t count, cd_off, cd_size;
} nn__zip_dir;

/* Finds the (zip64) end of central directory record. */
NN__PRIVATE nn_status nn__zip_find_dir(nn__rd *r, nn__zip_dir *z) {
  uint64_t tail_n = r->size < 22 + 65535 ? r->size : 22 + 65535, pos, eocd = 0;
  unsigned char *tail = NULL, *e = NULL;
  nn_status s;
  if (r->size < 22) return nn__iofail(r->op, r->path, NN_ERR_FORMAT, "not a zip archive (%llu bytes)", (unsigned long long)r->size);
  if (nn__rd_seek(r, r->size - tail_n, "the archive end") != NN_OK ||
      nn__rd_slurp(r, tail_n, &tail, "the archive end") != NN_OK)
    return nn_last_status();
  for (pos = tail_n - 22 + 1; pos-- > 0;)
    if (nn__le32(tail + pos) == NN__ZIP_EOCD && pos + 22 + nn__le16(tail + pos + 20) == tail_n) {
      e = tail + pos;
      eocd = r->size - tail_n + pos;
      break;
    }
  if (!e) {
    NN_FREE(tail);
    return nn__iofail(r->op, r->path, NN_ERR_FORMAT, "not a zip archive (no end of central directory record)");
  }
  if (nn__le16(e + 4) != 0 || nn__le16(e + 6) != 0) {
    NN_FREE(tail);
    return nn__iofail(r->op, r->path, NN_ERR_UNSUPPORTED, "multi-disk zip archives are not supported");
  }
  z->count = nn__le16(e + 10);
  z->cd_size = nn__le32(e + 12);
  z->cd_off = nn__le32(e + 16);
  s = NN_OK;
  if (eocd >= 20 && pos >= 20 && nn__le32(e - 20) == NN__ZIP_LOC64) {
    uint64_t off64 = nn__le64(e - 20 + 8);
    unsigned char rec[56];
    if (off64 > eocd - 20 || eocd - 20 - off64 < 56) {
      s = nn__iofail(r->op, r->path, NN_ERR_FORMAT, "corrupt zip64 end of central directory locator");
    } else if (nn__rd_seek(r, off64, "the zip64 directory record") == NN_OK &&
               nn__rd_read(r, rec, 56, "the zip64 directory record") == NN_OK) {
      if (nn__le32(rec) != NN__ZIP_EOCD64) s = nn__iofail(r->op, r->path, NN_ERR_FORMAT, "corrupt zip64 end of central directory record");
      else {
        z->count = nn__le64(rec + 32);
        z->cd_size = nn__le64(rec + 40);
        z->cd_off = nn__le64(rec + 48);
        eocd = off64;
      }
    } else {
      s = nn_last_status();
    }
  }
  NN_FREE(tail);
  if (s != NN_OK) return s;
  if (z->cd_off > eocd || z->cd_size > eocd - z->cd_off || z->count > z->cd_size / 46)
    return nn__iofail(r->op, r->path, NN_ERR_FORMAT, "corrupt zip central directory (%llu entries, %llu bytes at offset %llu)",
                      (unsigned long long)z->count, (unsigned long long)z->cd_size, (unsigned long long)z->cd_off);
  return NN_OK;
}

/* Reads one member's data (stored or deflated) into a new buffer, checking its sizes and CRC-32. */
NN__PRIVATE nn_status nn__zip_member(nn__rd *r, const char *name, unsigned method, uint64_t local, uint64_t csize,
                                     uint64_t usize, uint32_t crc, uint64_t data_end, unsigned char **out) {
  unsigned char lh[30], *comp = NULL;
  uint64_t data;
  char what[300];
  *out = NULL;
  snprintf(what, sizeof what, "npz member '%.200s'", name);
  if (nn__rd_seek(r, local, what) != NN_OK || nn__rd_read(r, lh, 30, what) != NN_OK) return nn_last_status();
  if (nn__le32(lh) != NN__ZIP_LOC) return nn__iofail(r->op, r->path, NN_ERR_FORMAT, "%s: bad local header signature", what);
  data = local + 30 + nn__le16(lh + 26) + nn__le16(lh + 28);
  if (data > data_end || csize > data_end - data)
    return nn__iofail(r->op, r->path, NN_ERR_FORMAT, "%s: its %llu bytes at offset %llu run past the end of the data",
                      what, (unsigned long long)csize, (unsigned long long)data);
  if (method == 0 && csize != usize)
    return nn__iofail(r->op, r->path, NN_ERR_FORMAT, "%s is stored but its sizes differ (%llu and %llu)", what,
                      (unsigned long long)csize, (unsigned long long)usize);
  /* DEFLATE cannot expand more than 1032:1, so a larger declared size is corrupt (and never allocated). */
  if (method == 8 && usize / 1032 > csize + 1)
    return nn__iofail(r->op, r->path, NN_ERR_FORMAT, "%s declares %llu bytes, more than its %llu compressed bytes can hold",
                      what, (unsigned long long)usize, (unsigned long long)csize);
  if (nn__rd_seek(r, data, what) != NN_OK || nn__rd_slurp(r, csize, &comp, what) != NN_OK) return nn_last_status();
  if (method == 8) {
    nn__obuf o;
    nn__ictx c;
    nn_status s;
    c.op = r->op;
    c.what = what;
    c.path = r->path;
    /* The buffer grows with the data decoded, up to the declared size. */
    o.p = NULL;
    o.n = o.cap = 0;
    o.limit = (size_t)usize;
    o.limited = 1;
    s = nn__inflate_raw(&c, comp, (size_t)csize, &o, NULL);
    if (s == NN_OK && !o.p && !(o.p = (unsigned char *)NN_MALLOC(1))) s = nn__iofail(r->op, r->path, NN_ERR_OOM, "out of memory");
    NN_FREE(comp);
    if (s == NN_OK && o.n != usize)
      s = nn__iofail(r->op, r->path, NN_ERR_FORMAT, "%s decompresses to %llu bytes, the directory says %llu", what,
                     (unsigned long long)o.n, (unsigned long long)usize);
    if (s != NN_OK) {
      NN_FREE(o.p);
      return s;
    }
    comp = o.p;
  }
  if (nn__crc32(comp, (size_t)usize) != crc) {
    NN_FREE(comp);
    return nn__iofail(r->op, r->path, NN_ERR_FORMAT, "%s is corrupt (CRC-32 mismatch)", what);
  }
  *out = comp;
  return NN_OK;
}

NN__PRIVATE nn_tensor_dict *nn__npz_read(nn__rd *r) {
  const char *op = r->op;
  nn__zip_dir z;
  unsigned char *cd = NULL;
  nn_tensor_dict *d = NULL;
  uint64_t i, at = 0;
  memset(&z, 0, sizeof z);
  if (nn__zip_find_dir(r, &z) != NN_OK) return NULL;
  if (nn__rd_seek(r, z.cd_off, "the central directory") != NN_OK ||
      nn__rd_slurp(r, z.cd_size, &cd, "the central directory") != NN_OK)
    return NULL;
  d = nn__dict_new(op);
  if (!d) goto fail;
  for (i = 0; i < z.count; i++) {
    const unsigned char *e = cd + at, *name, *x, *xend;
    uint64_t csize, usize, local;
    unsigned nlen, xlen, clen, flags, method, k;
    unsigned char *bytes = NULL;
    char *mpath = NULL;
    nn__rd mr;
    nn_tensor *t;
    size_t plen;
    int j;
    if (z.cd_size - at < 46 || nn__le32(e) != NN__ZIP_CEN) {
      nn__iofail(op, r->path, NN_ERR_FORMAT, "corrupt zip central directory (entry %llu)", (unsigned long long)i);
      goto fail;
    }
    flags = nn__le16(e + 8);
    method = nn__le16(e + 10);
    csize = nn__le32(e + 20);
    usize = nn__le32(e + 24);
    nlen = nn__le16(e + 28);
    xlen = nn__le16(e + 30);
    clen = nn__le16(e + 32);
    local = nn__le32(e + 42);
    if (z.cd_size - at - 46 < (uint64_t)nlen + xlen + clen) {
      nn__iofail(op, r->path, NN_ERR_FORMAT, "corrupt zip central directory (entry %llu)", (unsigned long long)i);
      goto fail;
    }
    name = e + 46;
    /* zip64 extended information: the 64-bit values of the fields set to 0xFFFFFFFF, in this order. */
    for (x = name + nlen, xend = x + xlen; xend - x >= 4;) {
      unsigned id = nn__le16(x), sz = nn__le16(x + 2);
      const unsigned char *v = x + 4;
      if ((size_t)(xend - v) < sz) break;
      if (id == 1) {
        const unsigned char *vend = v + sz;
        if (usize == 0xFFFFFFFFu && vend - v >= 8) usize = nn__le64(v), v += 8;
        if (csize == 0xFFFFFFFFu && vend - v >= 8) csize = nn__le64(v), v += 8;
        if (local == 0xFFFFFFFFu && vend - v >= 8) local = nn__le64(v), v += 8;
      }
      x += 4 + sz;
    }
    at += 46 + (uint64_t)nlen + xlen + clen;
    if (nlen < 4 || memcmp(name + nlen - 4, ".npy", 4) != 0) continue; /* not an array (np.load would give bytes) */
    for (k = 0; k < nlen; k++)
      if (!name[k]) {
        nn__iofail(op, r->path, NN_ERR_FORMAT, "a member name holds a NUL byte");
        goto fail;
      }
    for (j = 0; j < d->count; j++)
      if (strlen(d->names[j]) == nlen - 4 && memcmp(d->names[j], name, nlen - 4) == 0) {
        nn__iofail(op, r->path, NN_ERR_FORMAT, "the member '%.*s' appears twice", (int)nlen, (const char *)name);
        goto fail;
      }
    if (flags & 1) {
      nn__iofail(op, r->path, NN_ERR_UNSUPPORTED, "member '%.*s' is encrypted", (int)nlen, (const char *)name);
      goto fail;
    }
    if (method != 0 && method != 8) {
      nn__iofail(op, r->path, NN_ERR_UNSUPPORTED, "member '%.*s' uses compression method %u (only stored and deflated are supported)",
                 (int)nlen, (const char *)name, method);
      goto fail;
    }
    plen = r->path ? strlen(r->path) : 0;
    mpath = (char *)NN_MALLOC(plen + nlen + 2); /* "archive.npz:member.npy" for messages */
    if (!mpath) {
      nn__fail(NN_ERR_OOM, "%s: out of memory", op);
      goto fail;
    }
    if (plen) memcpy(mpath, r->path, plen);
    mpath[plen] = ':';
    memcpy(mpath + plen + 1, name, nlen);
    mpath[plen + 1 + nlen] = 0;
    if (nn__zip_member(r, mpath + plen + 1, method, local, csize, usize, nn__le32(e + 16), z.cd_off, &bytes) != NN_OK) {
      NN_FREE(mpath);
      goto fail;
    }
    nn__rd_mem(&mr, op, mpath, bytes, (size_t)usize);
    t = nn__npy_read(&mr);
    NN_FREE(bytes);
    NN_FREE(mpath);
    if (!t || nn__dict_add(op, d, (const char *)name, nlen - 4, t) != NN_OK) goto fail;
  }
  NN_FREE(cd);
  return d;
fail:
  NN_FREE(cd);
  nn_dict_free(d);
  return NULL;
}

NNDEF nn_tensor_dict *nn_load_npz(const char *path) {
  nn__rd r;
  nn_tensor_dict *d;
  if (nn__rd_open(&r, "nn_load_npz", path) != NN_OK) return NULL;
  d = nn__npz_read(&r);
  nn__rd_close(&r);
  return d;
}

/* The little-endian, row-major bytes of t: t's own memory when it already is that, else a new copy in *tmp. */
NN__PRIVATE const unsigned char *nn__le_bytes(const char *op, const nn_tensor *t, unsigned char **tmp) {
  size_t es = nn_dtype_size(t->dtype), nbytes = (size_t)t->size * es;
  *tmp = NULL;
  if (nn_is_contiguous(t) && (es == 1 || nn__host_le())) return (const unsigned char *)t->data;
  *tmp = (unsigned char *)nn__xalloc(op, nbytes ? nbytes : 1);
  if (!*tmp) return NULL;
  if (nn_copy_to(t, *tmp, t->dtype) != NN_OK) {
    nn__dealloc(*tmp);
    *tmp = NULL;
    return NULL;
  }
  if (!nn__host_le()) nn__bswap_buf(*tmp, (size_t)t->size, es);
  return *tmp;
}

NNDEF nn_status nn_save_npz(const char *path, const char *const *names, nn_tensor *const *tensors, int n) {
  const char *op = "nn_save_npz";
  nn__str cd, hdr;
  nn__wr w;
  nn__crc_tables *ct;
  int i;
  if (nn__check_named(op, path, names, tensors, n) != NN_OK) return nn_last_status();
  if (n > 65535) return nn__fail(NN_ERR_UNSUPPORTED, "%s: %d arrays; a zip archive without zip64 holds at most 65535", op, n);
  for (i = 0; i < n; i++)
    if (strlen(names[i]) > 65535 - 4) return nn__fail(NN_ERR_VALUE, "%s: names[%d] is longer than a zip member name can be", op, i);
  ct = (nn__crc_tables *)NN_MALLOC(sizeof(nn__crc_tables));
  if (!ct) return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
  nn__crc32_init(ct);
  if (nn__wr_open(&w, op, path) != NN_OK) {
    NN_FREE(ct);
    return nn_last_status();
  }
  memset(&cd, 0, sizeof cd);
  memset(&hdr, 0, sizeof hdr);
  for (i = 0; i < n && w.st == NN_OK; i++) {
    const nn_tensor *t = tensors[i];
    unsigned char *tmp, lh[46];
    const unsigned char *data;
    size_t nlen = strlen(names[i]) + 4, k;
    uint64_t dbytes = (uint64_t)t->size * nn_dtype_size(t->dtype), size, local = w.pos;
    uint32_t crc;
    unsigned flags = 0;
    hdr.n = 0;
    nn__npy_header(&hdr, t);
    if (hdr.oom) {
      nn__wr_fail(&w, nn__fail(NN_ERR_OOM, "%s: out of memory", op));
      break;
    }
    size = hdr.n + dbytes;
    if (size >= 0xFFFFFFFFu || local >= 0xFFFFFFFFu) {
      nn__wr_fail(&w, nn__fail(NN_ERR_UNSUPPORTED, "%s: the archive would exceed 4 GiB, which needs zip64 (use nn_save_safetensors)", op));
      break;
    }
    data = nn__le_bytes(op, t, &tmp);
    if (!data) {
      nn__wr_fail(&w, nn_last_status());
      break;
    }
    crc = nn__crc32_update(ct, 0, (const unsigned char *)hdr.p, hdr.n);
    crc = nn__crc32_update(ct, crc, data, (size_t)dbytes);
    for (k = 0; k < nlen - 4; k++)
      if ((unsigned char)names[i][k] >= 0x80) flags = 0x800; /* UTF-8 name */
    /* Local header: version 2.0, no flags but UTF-8, stored, 1980-01-01 00:00, CRC, sizes, name length. */
    nn__put_le32(lh, NN__ZIP_LOC);
    nn__put_le16(lh + 4, 20);
    nn__put_le16(lh + 6, flags);
    nn__put_le16(lh + 8, 0);
    nn__put_le16(lh + 10, 0);
    nn__put_le16(lh + 12, 0x21);
    nn__put_le32(lh + 14, crc);
    nn__put_le32(lh + 18, (uint32_t)size);
    nn__put_le32(lh + 22, (uint32_t)size);
    nn__put_le16(lh + 26, (uint32_t)nlen);
    nn__put_le16(lh + 28, 0);
    nn__wr_put(&w, lh, 30);
    nn__wr_put(&w, names[i], nlen - 4);
    nn__wr_put(&w, ".npy", 4);
    nn__wr_put(&w, hdr.p, hdr.n);
    nn__wr_put(&w, data, (size_t)dbytes);
    nn__dealloc(tmp);
    /* Its central directory entry: made by Unix 2.0, mode 0600 (as Python's zipfile writes). */
    nn__put_le32(lh, NN__ZIP_CEN);
    nn__put_le16(lh + 4, 0x0314);
    nn__put_le16(lh + 6, 20);
    nn__put_le16(lh + 8, flags);
    nn__put_le16(lh + 10, 0);
    nn__put_le16(lh + 12, 0);
    nn__put_le16(lh + 14, 0x21);
    nn__put_le32(lh + 16, crc);
    nn__put_le32(lh + 20, (uint32_t)size);
    nn__put_le32(lh + 24, (uint32_t)size);
    nn__put_le16(lh + 28, (uint32_t)nlen);
    nn__put_le16(lh + 30, 0);
    nn__put_le16(lh + 32, 0);
    nn__put_le16(lh + 34, 0);
    nn__put_le16(lh + 36, 0);
    nn__put_le32(lh + 38, 0600u << 16);
    nn__put_le32(lh + 42, (uint32_t)local);
    nn__str_put(&cd, (const char *)lh, 46);
    nn__str_put(&cd, names[i], nlen - 4);
    nn__str_put(&cd, ".npy", 4);
  }
  if (w.st == NN_OK) {
    unsigned char e[22];
    if (cd.oom) nn__wr_fail(&w, nn__fail(NN_ERR_OOM, "%s: out of memory", op));
    else if (w.pos >= 0xFFFFFFFFu || cd.n >= 0xFFFFFFFFu)
      nn__wr_fail(&w, nn__fail(NN_ERR_UNSUPPORTED, "%s: the archive would exceed 4 GiB, which needs zip64 (use nn_save_safetensors)", op));
    else {
      nn__put_le32(e, NN__ZIP_EOCD);
      nn__put_le16(e + 4, 0);
      nn__put_le16(e + 6, 0);
      nn__put_le16(e + 8, (uint32_t)n);
      nn__put_le16(e + 10, (uint32_t)n);
      nn__put_le32(e + 12, (uint32_t)cd.n);
      nn__put_le32(e + 16, (uint32_t)w.pos);
      nn__put_le16(e + 20, 0);
      nn__wr_put(&w, cd.p, cd.n);
      nn__wr_put(&w, e, 22);
    }
  }
  NN_FREE(cd.p);
  NN_FREE(hdr.p);
  NN_FREE(ct);
  return nn__wr_close(&w);
}
