/* The fast road's native half: runs of lines that fastroad.scan's Python loop would take
as they are, in one call each.

``extend_run`` starts or goes on with a run of canonical appends from a line of a block, and
``quiet_run`` with a run of commits, clears and the server's audio deltas (as ``scan_quiet``'s
first two expressions take them). Each stops at the first line in any doubt, which it leaves
to ``fastroad.scan``'s Python loop: that loop is the slow, obvious twin, and
``tests/test_fastscan.py`` holds the two equal line for line. An append is taken only when the
Python loop would take it into the same run with the same size, event_id and column:

- its envelope is one of the forms the loop's regular expressions match (``{"type":
  "input_audio_buffer.append",`` with an optional ``"event_id"`` before or after the type,
  or after the audio, compact or with one space after each ``:`` and ``,``), ending in
  ``"}`` and a newline (``\r\n`` too);
- its audio is non-empty strict base64 (whole groups of four, the alphabet, at most two
  ``=`` at the end, the unused bits of the last character zero), checked here without being
  decoded, in one pass (AVX2 where the CPU has it, else a loop the compiler vectorizes);
- its decoded size is even, within the limit, and the line within the record limit;
- the first bytes, decoded here, start no container (not two bytes of ``CONTAINER_HEADS``,
  no ``ftyp`` at offset 4) and pass no float32 pre-test (fewer than ``MIN_EXPONENTS``
  exponent-like bytes at odd offsets of the first ``FLOAT32_WINDOW``).

Anything else (an odd size, float32-like or container bytes, a bad character, an escape, a
longer id, a line without its newline) ends the call, and the Python loop judges that line
as if this file did not exist. The tables come from the Python constants (``configure``),
so that the two halves cannot drift apart.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define MAX_ID 512

static unsigned char container_heads[8192]; /* a bit for each two first bytes of a container */
static unsigned char by_pair_0[4096]; /* exponent-like decoded byte 3k, by characters 4k, 4k+1 */
static unsigned char by_pair_1[4096]; /* byte 3k+1, by characters 4k+1 and 4k+2 */
static unsigned char by_pair_2[4096]; /* byte 3k+2, by characters 4k+2 and 4k+3 */
static unsigned char canonical_1[256]; /* the character before one '=' */
static unsigned char canonical_2[256]; /* the character before '==' */
static signed char sextet[256];        /* base64 value of a character, -1 for others */
static Py_ssize_t min_exponents = -1;  /* -1: configure() not called yet */
static Py_ssize_t float32_window;

#define CHUNK 128

/* The length of the run of base64 alphabet characters (no '=') that p starts with, looking at
   no more than n bytes: whole chunks judged at once with no early exit, so that the compiler
   vectorizes them, the chunk that holds the end byte by byte. Any CPU. */
static Py_ssize_t
alphabet_span_portable(const unsigned char *p, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    for (; i + CHUNK <= n; i += CHUNK) {
        unsigned char bad = 0;
        for (int j = 0; j < CHUNK; j++) {
            unsigned char c = p[i + j];
            unsigned char ok = ((unsigned char)(c - 'A') < 26) | ((unsigned char)(c - 'a') < 26)
                               | ((unsigned char)(c - '0') < 10) | (c == '+') | (c == '/');
            bad |= (unsigned char)(ok ^ 1);
        }
        if (bad) {
            break;
        }
    }
    for (; i < n; i++) {
        if (sextet[p[i]] < 0) {
            break;
        }
    }
    return i;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX2_PATH 1

/* The same with AVX2, 32 bytes per step: a byte is in the alphabet exactly when the table of
   its low nibble and the table of its high nibble share no bit (W. Mula and D. Lemire, "Faster
   Base64 Encoding and Decoding Using AVX2 Instructions", 2018; the tables are checked against
   all 256 byte values by tests/test_fastscan.py through the portable twin). */
__attribute__((target("avx2"))) static Py_ssize_t
alphabet_span_avx2(const unsigned char *p, Py_ssize_t n)
{
    const __m256i by_low = _mm256_setr_epi8(
        0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B,
        0x1A, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B,
        0x1B, 0x1A);
    const __m256i by_high = _mm256_setr_epi8(
        0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
        0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
        0x10, 0x10);
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i zero = _mm256_setzero_si256();
#define BAD(in)                                                                                   \
    _mm256_and_si256(_mm256_shuffle_epi8(by_low, _mm256_and_si256((in), nibble)),               \
                     _mm256_shuffle_epi8(by_high,                                                \
                                         _mm256_and_si256(_mm256_srli_epi16((in), 4), nibble)))
    Py_ssize_t i = 0;
    for (; i + 128 <= n; i += 128) { /* four vectors, one test */
        __m256i bad = BAD(_mm256_loadu_si256((const __m256i *)(p + i)));
        bad = _mm256_or_si256(bad, BAD(_mm256_loadu_si256((const __m256i *)(p + i + 32))));
        bad = _mm256_or_si256(bad, BAD(_mm256_loadu_si256((const __m256i *)(p + i + 64))));
        bad = _mm256_or_si256(bad, BAD(_mm256_loadu_si256((const __m256i *)(p + i + 96))));
        if (!_mm256_testz_si256(bad, bad)) {
            break;
        }
    }
    for (; i + 32 <= n; i += 32) { /* the vector that holds the end, and where in it */
        __m256i bad = BAD(_mm256_loadu_si256((const __m256i *)(p + i)));
        unsigned int mask = ~(unsigned int)_mm256_movemask_epi8(_mm256_cmpeq_epi8(bad, zero));
        if (mask) {
            return i + __builtin_ctz(mask);
        }
    }
#undef BAD
    return i + alphabet_span_portable(p + i, n - i);
}
#endif

static Py_ssize_t (*alphabet_span)(const unsigned char *, Py_ssize_t) = alphabet_span_portable;

/* Skip one optional space (the loop's expressions allow " ?" after ':' and ','). */
static inline const unsigned char *
space(const unsigned char *p, const unsigned char *end)
{
    return (p < end && *p == ' ') ? p + 1 : p;
}

/* Match `literal` at p; return the position after it, or NULL. */
static inline const unsigned char *
literal(const unsigned char *p, const unsigned char *end, const char *text, size_t n)
{
    return ((size_t)(end - p) >= n && memcmp(p, text, n) == 0) ? p + n : NULL;
}

/* `"event_id": ?"` then a plain id of at most MAX_ID bytes then `"`: the position after the
   closing quote, with the id's span in *id and *id_len; NULL where it is not that. */
static const unsigned char *
event_id(const unsigned char *p, const unsigned char *end, const unsigned char **id,
         Py_ssize_t *id_len)
{
    p = literal(p, end, "\"event_id\":", 11);
    if (p == NULL) {
        return NULL;
    }
    p = space(p, end);
    if (p >= end || *p != '"') {
        return NULL;
    }
    const unsigned char *start = ++p;
    while (p < end && p - start <= MAX_ID) {
        unsigned char c = *p;
        if (c == '"') {
            *id = start;
            *id_len = p - start;
            return p + 1;
        }
        if (c < 0x20 || c > 0x7e || c == '\\') {
            return NULL;
        }
        p++;
    }
    return NULL;
}

/* After `"key": ?"value"`: `,` and an optional space. */
static inline const unsigned char *
comma(const unsigned char *p, const unsigned char *end)
{
    return (p < end && *p == ',') ? space(p + 1, end) : NULL;
}

/* The first 8 bytes of valid base64 of at least 8 characters, for the container test. */
static void
decode_head(const unsigned char *p, unsigned char *out)
{
    for (int i = 0, o = 0; i < 12; i += 4) {
        unsigned int a = (unsigned int)(sextet[p[i]] & 63), b = (unsigned int)(sextet[p[i + 1]] & 63),
                     c = (unsigned int)(sextet[p[i + 2]] & 63), d = (unsigned int)(sextet[p[i + 3]] & 63);
        out[o++] = (unsigned char)((a << 2) | (b >> 4));
        out[o++] = (unsigned char)(((b & 15) << 4) | (c >> 2));
        out[o++] = (unsigned char)(((c & 3) << 6) | d);
    }
}

/* How many decoded bytes at odd offsets below `bytes` are exponent-like, read from pairs of
   base64 characters without decoding (by_pair_*: built by configure from exponent_like).
   Decoded byte 3k+j of group k is odd when k+j is: j=1 in even groups, j=0 and j=2 in odd
   ones; so two groups (8 characters, bytes 6m..6m+5) hold the odd bytes 6m+1, 6m+3, 6m+5. */
static Py_ssize_t
odd_exponents(const unsigned char *p, Py_ssize_t bytes)
{
    Py_ssize_t count = 0;
    for (Py_ssize_t m = 0; 6 * m + 1 < bytes; m++, p += 8) {
        count += by_pair_1[sextet[p[1]] << 6 | sextet[p[2]]];
        if (6 * m + 3 < bytes) {
            count += by_pair_0[sextet[p[4]] << 6 | sextet[p[5]]];
        }
        if (6 * m + 5 < bytes) {
            count += by_pair_2[sextet[p[6]] << 6 | sextet[p[7]]];
        }
    }
    return count;
}

/* A base64 string from `audio` to its closing quote, strict and canonical: whole groups of
   four, the alphabet, at most two '=' at the end, the unused bits of the last character zero.
   Return its closing quote, with its length and its '=' in *n and *pads; NULL otherwise. */
static const unsigned char *
base64_string(const unsigned char *audio, const unsigned char *end, Py_ssize_t *n,
              Py_ssize_t *pads)
{
    Py_ssize_t body = alphabet_span(audio, end - audio);
    const unsigned char *quote = audio + body;
    Py_ssize_t padding = 0;
    while (padding < 2 && quote < end && *quote == '=') {
        quote++;
        padding++;
    }
    if (quote >= end || *quote != '"' || ((body + padding) & 3) != 0
        || (padding == 2 && !canonical_2[audio[body - 1]])
        || (padding == 1 && !canonical_1[audio[body - 1]])) {
        return NULL;
    }
    *n = body + padding;
    *pads = padding;
    return quote;
}

/* An ASCII str of `len` bytes at `text` (what ``event_id`` let through: printable ASCII). */
static PyObject *
ascii_text(const unsigned char *text, Py_ssize_t len)
{
    PyObject *made = PyUnicode_New(len, 127);
    if (made != NULL) {
        memcpy(PyUnicode_1BYTE_DATA(made), text, (size_t)len);
    }
    return made;
}

/* Hold `data`'s buffer for [pos, stop); -1 with an exception set where the range is not in it. */
static int
hold_range(PyObject *data, Py_ssize_t pos, Py_ssize_t stop, Py_buffer *view)
{
    if (PyObject_GetBuffer(data, view, PyBUF_SIMPLE) < 0) {
        return -1;
    }
    if (pos < 0 || stop > view->len || pos > stop) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "pos and stop must lie within data");
        return -1;
    }
    return 0;
}

/* Judge the line at `line` (the block ends at `limit`): the offset past its newline when it is
   a canonical append with nothing against it, 0 otherwise; its decoded size, its audio's
   offset in the line and its id. One pass: the audio's characters are judged as they are
   found, and its closing quote, the line's end and its newline follow from them. */
static Py_ssize_t
judge(const unsigned char *line, const unsigned char *limit, Py_ssize_t max_audio,
      Py_ssize_t *nbytes_out, Py_ssize_t *audio_at, Py_ssize_t *audio_end, const unsigned char **id,
      Py_ssize_t *id_len)
{
    const unsigned char *end = limit;
    const unsigned char *p = line;
    if (p >= end || *p != '{') {
        return 0;
    }
    p++;
    *id = NULL;
    if (p + 1 < end && p[1] == 'e') { /* the id first */
        p = event_id(p, end, id, id_len);
        if (p == NULL || (p = comma(p, end)) == NULL) {
            return 0;
        }
    }
    p = literal(p, end, "\"type\":", 7);
    if (p == NULL) {
        return 0;
    }
    p = literal(space(p, end), end, "\"input_audio_buffer.append\"", 27);
    if (p == NULL || (p = comma(p, end)) == NULL) {
        return 0;
    }
    if (p + 1 < end && p[1] == 'e') { /* the id second */
        if (*id != NULL) {
            return 0; /* twice: RT104 */
        }
        p = event_id(p, end, id, id_len);
        if (p == NULL || (p = comma(p, end)) == NULL) {
            return 0;
        }
    }
    p = literal(p, end, "\"audio\":", 8);
    if (p == NULL) {
        return 0;
    }
    p = space(p, end);
    if (p >= end || *p != '"') {
        return 0;
    }
    const unsigned char *audio = ++p;
    Py_ssize_t n, pads;
    const unsigned char *quote = base64_string(audio, end, &n, &pads);
    if (quote == NULL || n == 0) {
        return 0;
    }
    Py_ssize_t nbytes = n / 4 * 3 - pads;
    if (nbytes > max_audio || (nbytes & 1) != 0) {
        return 0;
    }
    p = quote + 1;
    if (p < end && *p == ',') { /* the id last, as the openai SDK writes an append */
        if (*id != NULL) {
            return 0;
        }
        p = event_id(space(p + 1, end), end, id, id_len);
        if (p == NULL) {
            return 0;
        }
    }
    if (p >= end || *p != '}') {
        return 0;
    }
    p++;
    if (p < end && *p == '\r') {
        p++;
    }
    if (p >= end || *p != '\n') {
        return 0; /* more on the line, or a line without its newline */
    }
    /* the head: no container starts it, and it looks like no float32 */
    unsigned char head[9];
    if (n >= 12) {
        decode_head(audio, head);
        if (memcmp(head + 4, "ftyp", 4) == 0) {
            return 0;
        }
    }
    else { /* 2 to 6 bytes: nbytes is even, so characters 0 to 2 are data */
        unsigned int a = (unsigned int)(sextet[audio[0]] & 63),
                     b = (unsigned int)(sextet[audio[1]] & 63),
                     c = (unsigned int)(sextet[audio[2]] & 63);
        head[0] = (unsigned char)(a << 2 | b >> 4);
        head[1] = (unsigned char)((b & 15) << 4 | c >> 2);
    }
    unsigned int pair = (unsigned int)head[0] << 8 | head[1];
    if ((container_heads[pair >> 3] >> (pair & 7) & 1)
        || odd_exponents(audio, nbytes < float32_window ? nbytes : float32_window)
               >= min_exponents) {
        return 0;
    }
    *nbytes_out = nbytes;
    *audio_at = audio - line;
    *audio_end = quote - line;
    return p + 1 - line;
}

PyDoc_STRVAR(extend_run_doc,
"extend_run(data, pos, stop, max_audio_bytes, max_record_bytes, sizes, ids, no_id,\n"
"           count, total, smallest, largest, column)\n"
"--\n\n"
"Take the canonical appends from ``data[pos:stop]`` on into the open run, up to the first\n"
"line in any doubt. Each one's size joins ``sizes`` and its event_id ``ids`` (a str;\n"
"``no_id`` for a line without one once ``ids`` holds any). Return\n"
"(pos, count, total, smallest, largest, column, audio, close): where the Python loop goes\n"
"on, the run's numbers, and where the audio string of the first line taken starts and\n"
"ends (-1 where none was taken). A new run is count 0, smallest larger than any size.");

static PyObject *
extend_run(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 13) {
        PyErr_SetString(PyExc_TypeError, "extend_run takes 13 arguments");
        return NULL;
    }
    if (min_exponents < 0) {
        PyErr_SetString(PyExc_RuntimeError, "extend_run before configure");
        return NULL;
    }
    PyObject *sizes = args[5], *ids = args[6], *no_id = args[7];
    if (!PyList_Check(sizes) || !PyList_Check(ids)) {
        PyErr_SetString(PyExc_TypeError, "sizes and ids must be lists");
        return NULL;
    }
    Py_ssize_t values[9];
    const int at[9] = {1, 2, 3, 4, 8, 9, 10, 11, 12};
    for (int i = 0; i < 9; i++) {
        values[i] = PyLong_AsSsize_t(args[at[i]]);
        if (values[i] == -1 && PyErr_Occurred()) {
            return NULL;
        }
    }
    Py_ssize_t pos = values[0], stop = values[1], max_audio = values[2],
               max_record = values[3], count = values[4], total = values[5],
               smallest = values[6], largest = values[7], column = values[8];
    Py_buffer view;
    if (hold_range(args[0], pos, stop, &view) < 0) {
        return NULL;
    }
    const unsigned char *data = view.buf;
    Py_ssize_t first_audio = -1, first_close = -1; /* the first line taken: its audio string */
    int failed = 0;
    while (pos < stop) {
        Py_ssize_t audio_at = 0, audio_end = 0, id_len = 0, nbytes = 0;
        const unsigned char *id = NULL;
        Py_ssize_t size_of_line = judge(data + pos, data + stop, max_audio, &nbytes, &audio_at, &audio_end,
                                        &id, &id_len);
        if (size_of_line == 0 || size_of_line > max_record) {
            break;
        }
        PyObject *size = PyLong_FromSsize_t(nbytes);
        if (size == NULL || PyList_Append(sizes, size) < 0) {
            Py_XDECREF(size);
            failed = 1;
            break;
        }
        Py_DECREF(size);
        if (id != NULL) {
            PyObject *raw = ascii_text(id, id_len);
            if (raw == NULL || PyList_Append(ids, raw) < 0) {
                Py_XDECREF(raw);
                failed = 1;
                break;
            }
            Py_DECREF(raw);
        }
        else if (PyList_GET_SIZE(ids) > 0 && PyList_Append(ids, no_id) < 0) {
            failed = 1;
            break;
        }
        count++;
        total += nbytes;
        if (nbytes < smallest) {
            smallest = nbytes;
        }
        if (nbytes > largest) {
            largest = nbytes;
        }
        column = audio_at;
        if (first_audio < 0) {
            first_audio = pos + audio_at;
            first_close = pos + audio_end;
        }
        pos += size_of_line;
    }
    PyBuffer_Release(&view);
    if (failed) {
        return NULL;
    }
    return Py_BuildValue("(nnnnnnnn)", pos, count, total, smallest, largest, column, first_audio,
                         first_close);
}

/* `"key": ?` then a plain string (printable ASCII, no quote or backslash), its closing quote
   and `, ?`: the position after them, or NULL. */
static const unsigned char *
plain_member(const unsigned char *p, const unsigned char *end, const char *key, size_t n)
{
    p = literal(p, end, key, n);
    if (p == NULL) {
        return NULL;
    }
    p = space(p, end);
    if (p >= end || *p != '"') {
        return NULL;
    }
    for (p++; p < end && *p != '"'; p++) {
        if (*p < 0x20 || *p > 0x7e || *p == '\\') {
            return NULL;
        }
    }
    return p < end ? comma(p + 1, end) : NULL;
}

/* `"key": ?` then an index (0, or 1 to 9 digits not starting with 0) and `, ?`. */
static const unsigned char *
index_member(const unsigned char *p, const unsigned char *end, const char *key, size_t n)
{
    p = literal(p, end, key, n);
    if (p == NULL) {
        return NULL;
    }
    p = space(p, end);
    if (p < end && *p == '0') {
        return comma(p + 1, end);
    }
    const unsigned char *digits = p;
    while (p < end && *p >= '0' && *p <= '9' && p - digits < 9) {
        p++;
    }
    if (p == digits || *digits == '0') {
        return NULL;
    }
    return comma(p, end);
}

/* After `}`: an optional '\r', then the newline; the offset past it from `line`, or 0. */
static Py_ssize_t
line_end(const unsigned char *line, const unsigned char *p, const unsigned char *end)
{
    if (p >= end || *p != '}') {
        return 0;
    }
    p++;
    if (p < end && *p == '\r') {
        p++;
    }
    return (p < end && *p == '\n') ? p + 1 - line : 0;
}

/* One quiet line as scan_quiet's first two expressions take it: a commit or clear as clients
   write them (kind 1, 2; its id), or the server's audio delta with strict, canonical base64
   (kind 3, 4). Return the offset past its newline, 0 for any other line. */
static Py_ssize_t
quiet_line(const unsigned char *line, const unsigned char *end, int *kind,
           const unsigned char **id, Py_ssize_t *id_len)
{
    const unsigned char *p = literal(line, end, "{\"type\":", 8);
    if (p == NULL) {
        return 0;
    }
    p = space(p, end);
    const unsigned char *q;
    if ((q = literal(p, end, "\"input_audio_buffer.", 20)) != NULL) {
        const unsigned char *r;
        if ((r = literal(q, end, "commit\"", 7)) != NULL) {
            *kind = 1;
        }
        else if ((r = literal(q, end, "clear\"", 6)) != NULL) {
            *kind = 2;
        }
        else {
            return 0;
        }
        r = comma(r, end);
        if (r == NULL || (r = event_id(r, end, id, id_len)) == NULL) {
            return 0;
        }
        return line_end(line, r, end);
    }
    if ((q = literal(p, end, "\"response.audio.delta\"", 22)) != NULL) {
        *kind = 3;
    }
    else if ((q = literal(p, end, "\"response.output_audio.delta\"", 29)) != NULL) {
        *kind = 4;
    }
    else {
        return 0;
    }
    q = comma(q, end);
    if (q == NULL || (q = plain_member(q, end, "\"event_id\":", 11)) == NULL
        || (q = plain_member(q, end, "\"response_id\":", 14)) == NULL
        || (q = plain_member(q, end, "\"item_id\":", 10)) == NULL
        || (q = index_member(q, end, "\"output_index\":", 15)) == NULL
        || (q = index_member(q, end, "\"content_index\":", 16)) == NULL
        || (q = literal(q, end, "\"delta\":", 8)) == NULL) {
        return 0;
    }
    q = space(q, end);
    if (q >= end || *q != '"') {
        return 0;
    }
    Py_ssize_t n, pads;
    const unsigned char *quote = base64_string(q + 1, end, &n, &pads);
    return quote == NULL ? 0 : line_end(line, quote + 1, end);
}

PyDoc_STRVAR(quiet_run_doc,
"quiet_run(data, pos, stop, max_record_bytes, types, ids, spec, names)\n"
"--\n\n"
"Take the lines from ``data[pos:stop]`` on that ``scan_quiet`` takes by its first two\n"
"expressions (a commit or clear as clients write them; the server's audio delta, whose\n"
"base64 is checked strictly and canonically here), up to the first other line. Each one's\n"
"type (from ``names``: commit, clear, audio delta, output audio delta) joins ``types``, its\n"
"client event_id (None for a delta) ``ids``, and 0 ``spec`` where it is a list. Return the\n"
"offset where the Python loop goes on.");

static PyObject *
quiet_run(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "quiet_run takes 8 arguments");
        return NULL;
    }
    PyObject *types = args[4], *ids = args[5], *spec = args[6], *names = args[7];
    if (!PyList_Check(types) || !PyList_Check(ids) || (spec != Py_None && !PyList_Check(spec))
        || !PyTuple_Check(names) || PyTuple_GET_SIZE(names) != 4) {
        PyErr_SetString(PyExc_TypeError, "types and ids lists, spec a list or None, 4 names");
        return NULL;
    }
    Py_ssize_t pos = PyLong_AsSsize_t(args[1]), stop = PyLong_AsSsize_t(args[2]),
               max_record = PyLong_AsSsize_t(args[3]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    Py_buffer view;
    if (hold_range(args[0], pos, stop, &view) < 0) {
        return NULL;
    }
    const unsigned char *data = view.buf;
    PyObject *zero = PyLong_FromLong(0);
    int failed = zero == NULL;
    while (!failed && pos < stop) {
        int kind = 0;
        const unsigned char *id = NULL;
        Py_ssize_t id_len = 0;
        Py_ssize_t size = quiet_line(data + pos, data + stop, &kind, &id, &id_len);
        if (size == 0 || size > max_record) {
            break;
        }
        PyObject *event_id = Py_None;
        Py_INCREF(event_id);
        if (kind <= 2) {
            Py_DECREF(event_id);
            event_id = ascii_text(id, id_len);
            if (event_id == NULL) {
                failed = 1;
                break;
            }
        }
        failed = PyList_Append(types, PyTuple_GET_ITEM(names, kind - 1)) < 0
                 || PyList_Append(ids, event_id) < 0
                 || (spec != Py_None && PyList_Append(spec, zero) < 0);
        Py_DECREF(event_id);
        pos += size;
    }
    Py_XDECREF(zero);
    PyBuffer_Release(&view);
    return failed ? NULL : PyLong_FromSsize_t(pos);
}

static int
table(PyObject *bytes, unsigned char *out)
{
    char *buffer;
    Py_ssize_t n;
    if (PyBytes_AsStringAndSize(bytes, &buffer, &n) < 0) {
        return -1;
    }
    memset(out, 0, 256);
    for (Py_ssize_t i = 0; i < n; i++) {
        out[(unsigned char)buffer[i]] = 1;
    }
    return 0;
}

PyDoc_STRVAR(configure_doc,
"configure(container_heads, exponent_like, canonical_1, canonical_2, min_exponents,\n"
"          float32_window, vector=True)\n"
"--\n\n"
"Set the tables ``extend_run`` judges by: the first two bytes a container may start with\n"
"(pairs, one after another), the\n"
"256-byte table of float32 exponent-like bytes (non-zero: like), the characters allowed\n"
"before one and before two '=' (bytes), and the float32 pre-test's threshold and window.\n"
"``vector``: check the base64 with the CPU's vector instructions where it has them (AVX2),\n"
"else with the portable loop (what the tests compare the two with).");

PyDoc_STRVAR(vector_doc,
"vector()\n"
"--\n\n"
"Return the name of the base64 check in use: \"avx2\" or \"portable\".");

static PyObject *
vector(PyObject *module, PyObject *unused)
{
#ifdef HAVE_AVX2_PATH
    if (alphabet_span == alphabet_span_avx2) {
        return PyUnicode_FromString("avx2");
    }
#endif
    return PyUnicode_FromString("portable");
}

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *first, *exponent, *one, *two;
    Py_ssize_t least, window;
    int vector = 1;
    if (!PyArg_ParseTuple(args, "SSSSnn|p", &first, &exponent, &one, &two, &least, &window,
                          &vector)) {
        return NULL;
    }
    if (PyBytes_GET_SIZE(exponent) != 256 || least < 0 || window < 0) {
        PyErr_SetString(PyExc_ValueError, "an exponent table of 256 bytes, a window >= 0");
        return NULL;
    }
    if (PyBytes_GET_SIZE(first) % 2 != 0) {
        PyErr_SetString(PyExc_ValueError, "container heads are pairs of bytes");
        return NULL;
    }
    memset(container_heads, 0, sizeof(container_heads));
    const unsigned char *heads = (const unsigned char *)PyBytes_AS_STRING(first);
    for (Py_ssize_t i = 0; i < PyBytes_GET_SIZE(first); i += 2) {
        unsigned int pair = (unsigned int)heads[i] << 8 | heads[i + 1];
        container_heads[pair >> 3] |= (unsigned char)(1 << (pair & 7));
    }
    if (table(one, canonical_1) < 0 || table(two, canonical_2) < 0) {
        return NULL;
    }
    const unsigned char *like = (const unsigned char *)PyBytes_AS_STRING(exponent);
    for (unsigned int x = 0; x < 64; x++) {
        for (unsigned int y = 0; y < 64; y++) {
            by_pair_0[x << 6 | y] = like[(x << 2 | y >> 4) & 255] != 0;
            by_pair_1[x << 6 | y] = like[((x & 15) << 4 | y >> 2) & 255] != 0;
            by_pair_2[x << 6 | y] = like[((x & 3) << 6 | y) & 255] != 0;
        }
    }
    min_exponents = least;
    float32_window = window;
    alphabet_span = alphabet_span_portable;
#ifdef HAVE_AVX2_PATH
    __builtin_cpu_init();
    if (vector && __builtin_cpu_supports("avx2")) {
        alphabet_span = alphabet_span_avx2;
    }
#endif
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"extend_run", (PyCFunction)(void (*)(void))extend_run, METH_FASTCALL, extend_run_doc},
    {"quiet_run", (PyCFunction)(void (*)(void))quiet_run, METH_FASTCALL, quiet_run_doc},
    {"configure", configure, METH_VARARGS, configure_doc},
    {"vector", vector, METH_NOARGS, vector_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastscan_module = {
    PyModuleDef_HEAD_INIT, "_fastscan",
    "The fast road's native half: the rest of a run of canonical appends (see _fastscan.c).",
    -1, methods,
};

PyMODINIT_FUNC
PyInit__fastscan(void)
{
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(sextet, -1, sizeof(sextet));
    for (int i = 0; i < 64; i++) {
        sextet[(unsigned char)alphabet[i]] = (signed char)i;
    }
    return PyModule_Create(&fastscan_module);
}
