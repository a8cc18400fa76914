#!/usr/bin/env python3
"""Reference files for tests/test_io.c, written by the real tools: Python's gzip and zlib modules (several levels
and strategies, so stored, fixed and dynamic Huffman blocks all occur), NumPy's np.save / np.savez /
np.savez_compressed / format.write_array (versions 1.0, 2.0, 3.0, both byte orders, C and Fortran order), and a
safetensors file written by hand with struct and json following the reference serializer (safetensors' Rust
`serialize`: tensors sorted by dtype, largest first in the Rust enum's order, then by name; "__metadata__" first;
compact JSON; header padded with spaces to a multiple of 8). Run with /usr/bin/python3.

Writes small files under tests/data/ (io_*) and tests/ref/io_ref.h (expected CSV values and the list of .npy cases).
Inputs are not stored where the C test can rebuild them: the compression payload is io_payload() below and array
values are io_val() below, both reimplemented in the C test."""
import gzip
import io
import json
import os
import struct
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import c_double  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
DATA = os.path.join(ROOT, "tests", "data")
OUT = os.path.join(ROOT, "tests", "ref", "io_ref.h")
os.makedirs(DATA, exist_ok=True)


def write(name, data):
    with open(os.path.join(DATA, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- compression payload (C: io_payload)
WORDS = [b"the ", b"quick ", b"brown ", b"fox ", b"jumps ", b"over ", b"lazy ", b"dog ", b"tensor ", b"gradient ", b"\n"]


def io_payload(n):
    out = bytearray()
    x = 12345

    def rnd():
        nonlocal x
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        return x >> 8

    while len(out) < n:
        kind = rnd() % 8
        if kind < 4:  # text: many short matches
            out += WORDS[rnd() % len(WORDS)]
        elif kind == 4:  # random bytes: literals
            k = rnd() % 40
            for _ in range(k):
                out.append(rnd() & 255)
        elif kind == 5:  # a run: distance-1 matches
            b = rnd() & 255
            k = rnd() % 300
            out += bytes([b]) * k
        elif kind == 6:  # a short period: overlapping matches with distances 2..7
            p = 2 + rnd() % 6
            pat = [rnd() & 255 for _ in range(p)]
            k = rnd() % 100
            for i in range(k):
                out.append(pat[i % p])
        elif len(out) > 1000:  # a far copy: distances up to 32768
            d = rnd() % min(len(out), 32768) + 1
            k = rnd() % 200 + 3
            s = len(out) - d
            for i in range(k):
                out.append(out[s + i])
    return bytes(out[:n])


PAYLOAD = io_payload(40000)


def zlib_stream(data, level, strategy=zlib.Z_DEFAULT_STRATEGY, wbits=15):
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, 9, strategy)
    return c.compress(data) + c.flush()


for lvl in (1, 6, 9):
    write("io_payload_l%d.gz" % lvl, gzip.compress(PAYLOAD, compresslevel=lvl, mtime=0))
write("io_payload_l0.gz", gzip.compress(PAYLOAD[:6000], compresslevel=0, mtime=0))  # stored blocks
write("io_payload_l9.zz", zlib.compress(PAYLOAD, 9))
write("io_payload_fixed.zz", zlib_stream(PAYLOAD, 6, zlib.Z_FIXED))
write("io_payload_huff.zz", zlib_stream(PAYLOAD, 6, zlib.Z_HUFFMAN_ONLY))
write("io_payload_rle.zz", zlib_stream(PAYLOAD, 6, zlib.Z_RLE))
write("io_payload_raw.deflate", zlib_stream(PAYLOAD, 6, wbits=-15))
# Two members and zero padding, as `cat a.gz b.gz` plus a tape block would give.
write("io_multi.gz", gzip.compress(PAYLOAD[:10000], 6, mtime=0) + gzip.compress(PAYLOAD[10000:20000], 1, mtime=0) + bytes(8))
# Every optional header field: FEXTRA, FNAME, FCOMMENT and FHCRC.
hdr = bytes([0x1F, 0x8B, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3])
hdr += struct.pack("<H", 6) + b"AB\x02\x00xy" + b"payload.bin\x00" + b"a comment\x00"
hdr += struct.pack("<H", zlib.crc32(hdr) & 0xFFFF)
body = PAYLOAD[:3000]
write("io_fields.gz", hdr + zlib_stream(body, 9, wbits=-15) + struct.pack("<II", zlib.crc32(body), len(body)))


# ---------------------------------------------------------------- array values (C: io_val)
def io_val(i, dt, seed):
    k = (i * 37 + seed * 11 + 5)
    if dt in ("float32", "float64"):
        return (k % 201 - 100) / 8.0
    if dt == "int32":
        return (k % 201 - 100) * 1000003
    if dt == "int64":
        return (k % 201 - 100) * 100000000007
    if dt == "uint8":
        return k % 256
    return k % 3 == 0


def io_array(shape, dt, seed):
    n = int(np.prod(shape)) if len(shape) else 1
    return np.array([io_val(i, dt, seed) for i in range(n)], dtype=dt).reshape(shape)


# ---------------------------------------------------------------- IDX
def idx_bytes(a, code):
    return bytes([0, 0, code, a.ndim]) + b"".join(struct.pack(">I", s) for s in a.shape) + a.tobytes()


u8 = io_array((3, 4, 5), "uint8", 1)
write("io_u8.idx", idx_bytes(u8, 0x08))
write("io_u8_gz.idx", gzip.compress(idx_bytes(u8, 0x08), 9, mtime=0))  # gzip content under a plain name
write("io_i32.idx", idx_bytes(io_array((7,), "int32", 2).astype(">i4"), 0x0C))
write("io_f32.idx.gz", gzip.compress(idx_bytes(io_array((2, 3), "float32", 3).astype(">f4"), 0x0D), 6, mtime=0))
write("io_f64.idx", idx_bytes(io_array((4,), "float64", 4).astype(">f8"), 0x0E))
write("io_i8.idx", idx_bytes(np.array([-128, -1, 0, 1, 127], dtype="i1"), 0x09))
write("io_i16.idx", idx_bytes(np.array([-32768, -300, 0, 300, 32767, 7], dtype=">i2"), 0x0B))

# ---------------------------------------------------------------- CSV
csv_basic = (
    "\ufeffsepal length, sepal width,\"petal\",label\r\n"
    "5.1,3.5,1.4,0\r\n"
    "  4.9 ,3.0,\"1.5\",1\r\n"
    "\r\n"
    "-.5,1e-3,nan,2\r\n"
    "7,+2.25,-inf,-3\n"
    "   \n"
    "1.0e2,0.000001,3.4028235e38,9223372036854775807")  # no final newline
write("io_basic.csv", csv_basic.encode("utf-8"))
write("io_basic.csv.gz", gzip.compress(csv_basic.encode("utf-8"), 6, mtime=0))
basic_rows = [[float(v.strip().strip('"')) for v in line.split(",")]
              for line in csv_basic.replace("\r", "").split("\n")[1:] if line.strip()]
basic_x = [r[:3] for r in basic_rows]
basic_y = ["9223372036854775807" if r[3] > 9e18 else str(int(r[3])) for r in basic_rows]

rng = np.random.RandomState(7)
num_fields = ["0.1", "123456789012345678", "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308", "-0",
              "1e22", "1e23", "9007199254740993", "0.30000000000000004", "3.141592653589793238462643383279",
              "1E-5", "6.02214076e+23", "-1.5e-10", "100000000000000000000000", "0.000000000000000000001", "5e-324",
              "1.00000000000000011102230246251565404236316680908203125", "2.5", "-7"]
while len(num_fields) < 200:
    m = rng.randint(1, 10 ** rng.randint(1, 18))
    e = rng.randint(-30, 30)
    s = "%d" % m
    if rng.rand() < 0.5:
        p = rng.randint(0, len(s) + 1)
        s = s[:p] + "." + s[p:] if p < len(s) else s
        if s.startswith("."):
            s = "0" + s
    if rng.rand() < 0.6:
        s += "e%d" % e
    if rng.rand() < 0.3:
        s = "-" + s
    num_fields.append(s)
csv_numbers = "\n".join(";".join(num_fields[r * 10:r * 10 + 10]) for r in range(20)) + "\n"
write("io_numbers.csv", csv_numbers.encode())
numbers = [float(s) for s in num_fields]


# ---------------------------------------------------------------- safetensors (by hand, as the Rust serializer)
ST_RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
ST_NAME = {"float32": "F32", "float64": "F64", "int32": "I32", "int64": "I64", "uint8": "U8", "bool": "BOOL"}


def safetensors_bytes(tensors, metadata=None):
    """tensors: list of (name, array, dtype name). Same layout as safetensors.numpy.save."""
    order = sorted(tensors, key=lambda t: (-ST_RANK.index(t[2]), t[0].encode("utf-8")))
    parts, off, data = [], 0, b""
    if metadata is not None:
        parts.append('"__metadata__":' + json.dumps(metadata, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    for name, a, dt in order:
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes() if dt != "F16" else a.tobytes()
        parts.append("%s:{\"dtype\":\"%s\",\"shape\":[%s],\"data_offsets\":[%d,%d]}" % (
            json.dumps(name, ensure_ascii=False), dt, ",".join(str(s) for s in a.shape), off, off + len(raw)))
        off += len(raw)
        data += raw
    h = ("{" + ",".join(parts) + "}").encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


st_cases = [("weight", (3, 4), "float32", 11), ("bias", (4,), "float32", 12), ("scale", (), "float64", 13),
            ("steps", (2, 2), "int64", 14), ("idx", (5,), "int32", 15), ("pixels", (2, 3), "uint8", 16),
            ("mask", (3,), "bool", 17), ("empty", (0, 3), "float32", 18), ("caf\u00e9 \"q\"", (2,), "float64", 19)]
st_meta = {"format": "pt", "note": "\u00fcnicode \"quoted\"\n\ttab", "a": ""}
write("io_ref.safetensors", safetensors_bytes(
    [(n, io_array(s, d, seed), ST_NAME[d]) for n, s, d, seed in st_cases], st_meta))
write("io_f16.safetensors", safetensors_bytes(
    [("a", io_array((2,), "float32", 1), "F32"), ("h", np.zeros(3, dtype="<f2"), "F16")]))

# ---------------------------------------------------------------- .npy and .npz (real NumPy)
npy_cases = []


def npy_case(name, shape, dt, seed, order="C", byteorder="<", version=None):
    a = io_array(shape, dt, seed)
    if byteorder == ">":
        a = a.astype(a.dtype.newbyteorder(">"))
    if order == "F":
        a = np.asfortranarray(a)
    buf = io.BytesIO()
    if version is None:
        np.save(buf, a)
    else:
        np.lib.format.write_array(buf, a, version=version)
    write(name, buf.getvalue())
    same = version is None and byteorder == "<" and (order == "C" or a.ndim < 2)  # what nn_save_npy writes too
    npy_cases.append((name, dt, shape, seed, 1 if order == "F" and a.ndim >= 2 else 0, 1 if same else 0))


npy_case("io_f32_2x3.npy", (2, 3), "float32", 21)
npy_case("io_f64_0d.npy", (), "float64", 22)
npy_case("io_i32_5.npy", (5,), "int32", 23)
npy_case("io_i64_2x2x2.npy", (2, 2, 2), "int64", 24)
npy_case("io_u8_4x3.npy", (4, 3), "uint8", 25)
npy_case("io_b1_7.npy", (7,), "bool", 26)
npy_case("io_f32_0x3.npy", (0, 3), "float32", 27)
npy_case("io_f64_F.npy", (3, 4), "float64", 28, order="F")
npy_case("io_i32_be.npy", (3, 2), "int32", 29, byteorder=">")
npy_case("io_f64_beF.npy", (2, 3, 2), "float64", 30, order="F", byteorder=">")
npy_case("io_f32_v2.npy", (3, 3), "float32", 31, version=(2, 0))
npy_case("io_i64_v3.npy", (4,), "int64", 32, version=(3, 0))
npy_case("io_f32_12.npy", (12,), "float32", 33)

npz_arrays = {"w": io_array((3, 2), "float32", 41), "b": io_array((2,), "float64", 42),
              "labels": io_array((6,), "int64", 43), "flags": io_array((2, 2), "bool", 44)}
buf = io.BytesIO()
np.savez(buf, **npz_arrays)
write("io_savez.npz", buf.getvalue())
buf = io.BytesIO()
np.savez_compressed(buf, **npz_arrays)
write("io_savez_c.npz", buf.getvalue())

# ---------------------------------------------------------------- header
dt_enum = {"float32": "NN_FLOAT32", "float64": "NN_FLOAT64", "int32": "NN_INT32", "int64": "NN_INT64",
           "uint8": "NN_UINT8", "bool": "NN_BOOL"}


def darr(name, vals, per=4):
    v = [c_double(x) for x in vals]
    return "static const double %s[] = {\n%s\n};\n" % (
        name, "\n".join("  " + ", ".join(v[i:i + per]) + "," for i in range(0, len(v), per)))


with open(OUT, "w") as f:
    f.write("/* tests/ref/io_ref.h: generated by tools/ref/gen_io.py with NumPy %s and zlib %s. Do not edit. */\n\n"
            % (np.__version__, zlib.ZLIB_VERSION))
    f.write("/* tests/data/io_basic.csv: features (float64 values as Python's float() reads them) and labels. */\n")
    f.write(darr("io_basic_x", [v for r in basic_x for v in r], 3))
    f.write("static const int64_t io_basic_y[] = {%s};\n" % ", ".join(
        "INT64_MAX" if s == "9223372036854775807" else s + "LL" for s in basic_y))
    f.write("#define IO_BASIC_ROWS %d\n\n" % len(basic_rows))
    f.write("/* tests/data/io_numbers.csv (20 rows of 10 ';'-separated numbers): the correctly rounded values. */\n")
    f.write(darr("io_numbers", numbers, 3))
    f.write("\n/* safetensors tensors of tests/data/io_ref.safetensors: name, shape, dtype, io_val seed. */\n")
    f.write("typedef struct io_st_case {\n  const char *name;\n  int ndim;\n  int64_t shape[4];\n  nn_dtype dtype;\n"
            "  int seed;\n} io_st_case;\n")
    f.write("static const io_st_case io_st_cases[] = {\n")
    for n, s, d, seed in st_cases:
        cname = "".join("\\%03o" % b if b >= 0x80 else chr(b) for b in n.encode("utf-8")).replace('"', '\\"')
        f.write('  {"%s", %d, {%s}, %s, %d},\n' % (cname, len(s), ", ".join(str(x) for x in list(s) + [0] * (4 - len(s))),
                                                 dt_enum[d], seed))
    f.write("};\n")
    f.write("static const char *const io_st_meta[] = {%s};\n" % ", ".join(
        '"%s"' % "".join("\\%03o" % b if b >= 0x80 or b < 0x20 or b in (0x22, 0x5C) else chr(b)
                         for b in s.encode("utf-8")) for kv in st_meta.items() for s in kv))
    f.write("\n/* .npy files written by NumPy: file, dtype, shape, io_val seed, Fortran order, and whether nn_save_npy\n"
            "   must reproduce the file byte for byte. */\n")
    f.write("typedef struct io_npy_case {\n  const char *file;\n  nn_dtype dtype;\n  int ndim;\n  int64_t shape[4];\n"
            "  int seed, fortran, same_bytes;\n} io_npy_case;\n")
    f.write("static const io_npy_case io_npy_cases[] = {\n")
    for name, dt, shape, seed, fo, same in npy_cases:
        f.write('  {"%s", %s, %d, {%s}, %d, %d, %d},\n' % (name, dt_enum[dt], len(shape), ", ".join(
            str(x) for x in list(shape) + [0] * (4 - len(shape))), seed, fo, same))
    f.write("};\n")

total = sum(os.path.getsize(os.path.join(DATA, p)) for p in os.listdir(DATA) if p.startswith("io_"))
print("wrote %s and %d bytes of tests/data/io_*" % (OUT, total))


# ---------------------------------------------------------------- shipped datasets under data/ (when the sources exist)
def ship_data():
    """Copies scikit-learn's bundled CSVs (Debian python3-sklearn) unchanged into data/, and re-encodes the first 100
    Fashion-MNIST test images and labels (Debian dataset-fashion-mnist) as gzipped IDX files."""
    import shutil
    out = os.path.join(ROOT, "data")
    os.makedirs(out, exist_ok=True)
    sk = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
    for src, dst in (("digits.csv.gz", "digits.csv.gz"), ("iris.csv", "iris.csv"), ("wine_data.csv", "wine.csv"),
                     ("breast_cancer.csv", "breast_cancer.csv")):
        if os.path.exists(os.path.join(sk, src)):
            shutil.copyfile(os.path.join(sk, src), os.path.join(out, dst))
    fm = "/usr/share/datasets/fashion-mnist"
    if os.path.exists(os.path.join(fm, "t10k-images-idx3-ubyte.gz")):
        with gzip.open(os.path.join(fm, "t10k-images-idx3-ubyte.gz")) as f:
            img = f.read()
        with gzip.open(os.path.join(fm, "t10k-labels-idx1-ubyte.gz")) as f:
            lab = f.read()
        assert img[:4] == b"\x00\x00\x08\x03" and lab[:4] == b"\x00\x00\x08\x01"
        n = 100
        img100 = img[:4] + struct.pack(">I", n) + img[8:16] + img[16:16 + n * 784]
        lab100 = lab[:4] + struct.pack(">I", n) + lab[8:8 + n]
        d = os.path.join(out, "fashion_mnist_sample")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "t10k-images-idx3-ubyte.gz"), "wb") as f:
            f.write(gzip.compress(img100, 9, mtime=0))
        with open(os.path.join(d, "t10k-labels-idx1-ubyte.gz"), "wb") as f:
            f.write(gzip.compress(lab100, 9, mtime=0))


ship_data()
