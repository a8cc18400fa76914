/* io/json.c: the strict, bounded JSON pieces the safetensors header needs (RFC 8259): UTF-8 validation, strings
   with every escape, unsigned integers, skipping an unknown value (nesting limited), and a writer for strings
   that escapes exactly as serde_json and Python's json (ensure_ascii=False) do. */

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid: overlong forms, surrogates and code points
   above U+10FFFF are rejected, as Rust's str::from_utf8 does. */
NN__PRIVATE int nn__utf8_seq(const unsigned char *p, const unsigned char *end) {
  unsigned c = p[0];
  size_t left = (size_t)(end - p);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0; /* overlong */
    if (c == 0xED && p[1] >= 0xA0) return 0; /* surrogate */
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;  /* overlong */
    if (c == 0xF4 && p[1] >= 0x90) return 0; /* above U+10FFFF */
    return 4;
  }
  return 0;
}

/* Offset of the first invalid UTF-8 byte, or n if all of [p, p+n) is valid. */
NN__PRIVATE size_t nn__utf8_check(const unsigned char *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    int k;
    if (p[i] < 0x80) {
      i++;
      continue;
    }
    k = nn__utf8_seq(p + i, p + n);
    if (!k) return i;
    i += (size_t)k;
  }
  return n;
}

typedef struct nn__json {
  const unsigned char *start, *p, *end;
  const char *op, *path;
} nn__json;

NN__PRIVATE nn_status nn__json_fail(const nn__json *j, const char *fmt, ...) NN__PRINTF(2, 3);
NN__PRIVATE nn_status nn__json_fail(const nn__json *j, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return nn__iofail(j->op, j->path, NN_ERR_FORMAT, "invalid header JSON at byte %llu: %s",
                    (unsigned long long)(j->p - j->start), msg);
}

NN__PRIVATE void nn__json_ws(nn__json *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

/* Skips whitespace and consumes c, or fails. */
NN__PRIVATE nn_status nn__json_expect(nn__json *j, char c) {
  nn__json_ws(j);
  if (j->p >= j->end) return nn__json_fail(j, "expected '%c' but the header ended", c);
  if (*j->p != (unsigned char)c) return nn__json_fail(j, "expected '%c', found '%c'", c, *j->p >= 0x20 && *j->p < 0x7F ? *j->p : '?');
  j->p++;
  return NN_OK;
}

/* Peeks the next non-space character (0 at the end). */
NN__PRIVATE int nn__json_peek(nn__json *j) {
  nn__json_ws(j);
  return j->p < j->end ? *j->p : 0;
}

NN__PRIVATE int nn__json_hex4(const unsigned char *p, unsigned *v) {
  int i;
  *v = 0;
  for (i = 0; i < 4; i++) {
    unsigned c = p[i], d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return 0;
    *v = *v << 4 | d;
  }
  return 1;
}

/* Parses a string into a new NN_MALLOC'd, NUL-terminated buffer (out may be NULL to skip it). A string holding a
   NUL character (\u0000) is refused: names and metadata become C strings. The input was checked to be UTF-8. */
NN__PRIVATE nn_status nn__json_string(nn__json *j, char **out, size_t *out_n) {
  const unsigned char *p, *q;
  unsigned char *o = NULL;
  size_t n = 0;
  if (out) *out = NULL;
  if (nn__json_expect(j, '"') != NN_OK) return nn_last_status();
  p = j->p;
  /* Escapes only shrink the text, so its raw length bounds the result. */
  for (q = p; q < j->end && *q != '"'; q++)
    if (*q == '\\' && q + 1 < j->end) q++;
  if (q >= j->end) return nn__json_fail(j, "unterminated string");
  if (out) {
    o = (unsigned char *)NN_MALLOC((size_t)(q - p) + 1);
    if (!o) return nn__fail(NN_ERR_OOM, "%s: out of memory reading the header", j->op);
  }
  while (p < q) {
    unsigned c = *p;
    if (c < 0x20) {
      j->p = p;
      NN_FREE(o);
      return nn__json_fail(j, "control character 0x%02x inside a string", c);
    }
    if (c != '\\') {
      if (o) o[n] = (unsigned char)c;
      n++;
      p++;
      continue;
    }
    c = p[1];
    p += 2;
    if (c == 'u') {
      unsigned v, lo;
      if (q - p < 4 || !nn__json_hex4(p, &v)) goto bad_escape;
      p += 4;
      if (v >= 0xD800 && v <= 0xDBFF) {
        if (q - p < 6 || p[0] != '\\' || p[1] != 'u' || !nn__json_hex4(p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
          j->p = p;
          NN_FREE(o);
          return nn__json_fail(j, "unpaired surrogate in a \\u escape");
        }
        p += 6;
        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
      } else if (v >= 0xDC00 && v <= 0xDFFF) {
        j->p = p;
        NN_FREE(o);
        return nn__json_fail(j, "unpaired surrogate in a \\u escape");
      }
      if (v == 0) {
        j->p = p;
        NN_FREE(o);
        return nn__json_fail(j, "a string holds a NUL character (\\u0000)");
      }
      if (o) { /* a \uXXXX escape (6 or 12 bytes) always takes more room than its UTF-8 form (1 to 4 bytes) */
        if (v < 0x80) o[n] = (unsigned char)v;
        else if (v < 0x800) {
          o[n] = (unsigned char)(0xC0 | v >> 6);
          o[n + 1] = (unsigned char)(0x80 | (v & 63));
        } else if (v < 0x10000) {
          o[n] = (unsigned char)(0xE0 | v >> 12);
          o[n + 1] = (unsigned char)(0x80 | ((v >> 6) & 63));
          o[n + 2] = (unsigned char)(0x80 | (v & 63));
        } else {
          o[n] = (unsigned char)(0xF0 | v >> 18);
          o[n + 1] = (unsigned char)(0x80 | ((v >> 12) & 63));
          o[n + 2] = (unsigned char)(0x80 | ((v >> 6) & 63));
          o[n + 3] = (unsigned char)(0x80 | (v & 63));
        }
      }
      n += v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4;
      continue;
    }
    switch (c) {
      case '"': c = '"'; break;
      case '\\': c = '\\'; break;
      case '/': c = '/'; break;
      case 'b': c = 8; break;
      case 'f': c = 12; break;
      case 'n': c = 10; break;
      case 'r': c = 13; break;
      case 't': c = 9; break;
      default: goto bad_escape;
    }
    if (o) o[n] = (unsigned char)c;
    n++;
  }
  j->p = q + 1;
  if (o) {
    o[n] = 0;
    *out = (char *)o;
  }
  if (out_n) *out_n = n;
  return NN_OK;
bad_escape:
  j->p = p;
  NN_FREE(o);
  return nn__json_fail(j, "invalid escape sequence in a string");
}

/* A non-negative integer without sign, fraction or exponent, below 2^63. */
NN__PRIVATE nn_status nn__json_uint(nn__json *j, uint64_t *v) {
  const unsigned char *p;
  nn__json_ws(j);
  p = j->p;
  *v = 0;
  if (p >= j->end || *p < '0' || *p > '9') return nn__json_fail(j, "expected a non-negative integer");
  if (*p == '0' && p + 1 < j->end && p[1] >= '0' && p[1] <= '9') return nn__json_fail(j, "number with a leading zero");
  for (; p < j->end && *p >= '0' && *p <= '9'; p++) {
    if (*v > ((uint64_t)INT64_MAX - 9) / 10) return nn__json_fail(j, "integer too large");
    *v = *v * 10 + (uint64_t)(*p - '0');
  }
  if (p < j->end && (*p == '.' || *p == 'e' || *p == 'E')) {
    j->p = p;
    return nn__json_fail(j, "expected an integer, found a fraction or an exponent");
  }
  j->p = p;
  return NN_OK;
}

/* Skips any JSON value, nesting at most 64 deep. */
NN__PRIVATE nn_status nn__json_skip(nn__json *j, int depth) {
  int c = nn__json_peek(j);
  if (depth > 64) return nn__json_fail(j, "values nested too deeply");
  if (c == '"') return nn__json_string(j, NULL, NULL);
  if (c == '{' || c == '[') {
    int close = c == '{' ? '}' : ']', first = 1;
    j->p++;
    for (;;) {
      if (nn__json_peek(j) == close) {
        if (!first) return nn__json_fail(j, "trailing comma");
        j->p++;
        return NN_OK;
      }
      if (c == '{') {
        if (nn__json_string(j, NULL, NULL) != NN_OK || nn__json_expect(j, ':') != NN_OK) return nn_last_status();
      }
      if (nn__json_skip(j, depth + 1) != NN_OK) return nn_last_status();
      if (nn__json_peek(j) == ',') {
        j->p++;
        first = 0;
        if (nn__json_peek(j) == close) return nn__json_fail(j, "trailing comma");
        continue;
      }
      if (nn__json_expect(j, (char)close) != NN_OK) return nn_last_status();
      return NN_OK;
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    const unsigned char *p = j->p;
    if (*p == '-') p++;
    if (p >= j->end || *p < '0' || *p > '9') return nn__json_fail(j, "invalid number");
    if (*p == '0') p++;
    else
      while (p < j->end && *p >= '0' && *p <= '9') p++;
    if (p < j->end && *p == '.') {
      p++;
      if (p >= j->end || *p < '0' || *p > '9') return nn__json_fail(j, "invalid number");
      while (p < j->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < j->end && (*p == 'e' || *p == 'E')) {
      p++;
      if (p < j->end && (*p == '+' || *p == '-')) p++;
      if (p >= j->end || *p < '0' || *p > '9') return nn__json_fail(j, "invalid number");
      while (p < j->end && *p >= '0' && *p <= '9') p++;
    }
    j->p = p;
    return NN_OK;
  }
  {
    static const char *const words[3] = {"true", "false", "null"};
    int i;
    for (i = 0; i < 3; i++) {
      size_t k = strlen(words[i]);
      if ((size_t)(j->end - j->p) >= k && memcmp(j->p, words[i], k) == 0) {
        j->p += k;
        return NN_OK;
      }
    }
  }
  return c ? nn__json_fail(j, "unexpected character '%c'", c >= 0x20 && c < 0x7F ? c : '?')
           : nn__json_fail(j, "expected a value but the header ended");
}

/* Appends s as a JSON string literal, escaped as serde_json and Python's json.dumps(ensure_ascii=False) do. */
NN__PRIVATE void nn__json_put_string(nn__str *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  nn__str_putc(b, '"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
      case '"': nn__str_puts(b, "\\\""); break;
      case '\\': nn__str_puts(b, "\\\\"); break;
      case 8: nn__str_puts(b, "\\b"); break;
      case 12: nn__str_puts(b, "\\f"); break;
      case 10: nn__str_puts(b, "\\n"); break;
      case 13: nn__str_puts(b, "\\r"); break;
      case 9: nn__str_puts(b, "\\t"); break;
      default:
        if (c < 0x20) {
          char u[7] = {'\\', 'u', '0', '0', 0, 0, 0};
          u[4] = hex[c >> 4];
          u[5] = hex[c & 15];
          nn__str_put(b, u, 6);
        } else {
          nn__str_putc(b, (char)c);
        }
    }
  }
  nn__str_putc(b, '"');
}
