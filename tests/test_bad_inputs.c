/* test_bad_inputs.c — the bad-input catalogue: malformed data, model files and command lines fed
 * to the dropnet binary through every entry point (train, eval, predict, summary, compare).
 *
 * Each case must end with exit status 1 (the run failed) or 2 (usage error), never a signal or a
 * sanitizer report; the message must name the file (or the option) and say what is wrong; and
 * nothing in the working directory may be created or changed: the check hashes every file's
 * name and bytes before and after, so an output file left half-written, a stray temporary file or
 * a pre-existing output overwritten all fail it. Output paths point into the working directory
 * (out.safetensors and pred.csv exist beforehand with known bytes; new.* do not). */
#include "test.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char dir[64];
static char output[1 << 16];

typedef struct bad_case {
    const char *args;    /* after "dropnet", run in `dir` */
    const char *names;   /* the output must contain this: the file or the option at fault */
    const char *problem; /* ... and this: a word of what is wrong with it */
} bad_case;

/* ---------------------------------------------------------------- fixture files */

static void write_bytes(const char *name, const void *data, size_t size) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK_MSG(f != NULL, "cannot create %s", path);
    if (f == NULL) return;
    CHECK(fwrite(data, 1, size, f) == size);
    fclose(f);
}

static void write_text(const char *name, const char *text) { write_bytes(name, text, strlen(text)); }

static void write_gzip(const char *name, const void *data, size_t size) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gzFile gz = gzopen(path, "wb");
    CHECK(gz != NULL);
    if (gz == NULL) return;
    CHECK(gzwrite(gz, data, (unsigned)size) == (int)size);
    CHECK(gzclose(gz) == Z_OK);
}

/* Whole file into a malloc'ed buffer; *size receives its length. */
static unsigned char *read_bytes(const char *name, size_t *size) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    unsigned char *buf = malloc(1 << 16);
    *size = buf ? fread(buf, 1, 1 << 16, f) : 0;
    fclose(f);
    return buf;
}

static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* An IDX file: magic 00 00 `type` `dims`, the sizes, then `data_bytes` bytes of pixel data. */
static void write_idx(const char *name, unsigned type, unsigned dims, const uint32_t *sizes,
                      size_t data_bytes, int gzip) {
    unsigned char buf[256] = {0};
    buf[2] = (unsigned char)type;
    buf[3] = (unsigned char)dims;
    for (unsigned d = 0; d < dims; ++d) put_be32(buf + 4 + 4 * d, sizes[d]);
    size_t n = 4 + 4 * dims + data_bytes;
    for (size_t i = 4 + 4 * dims; i < n && i < sizeof buf; ++i) buf[i] = (unsigned char)(i % 3);
    if (n > sizeof buf) n = sizeof buf;
    if (gzip) write_gzip(name, buf, n);
    else write_bytes(name, buf, n);
}

/* A copy of the saved model with the first `from` in it replaced by `to` (same length, so every
 * offset stays valid and only the intended field is wrong). */
static void model_variant(const char *name, const char *from, const char *to) {
    size_t size = 0, len = strlen(from);
    unsigned char *m = read_bytes("model.safetensors", &size);
    CHECK(m != NULL && strlen(to) == len);
    if (m == NULL) return;
    unsigned char *at = NULL;
    for (size_t i = 0; i + len <= size && at == NULL; ++i)
        if (memcmp(m + i, from, len) == 0) at = m + i;
    CHECK_MSG(at != NULL, "%s not found in the model file", from);
    if (at != NULL) memcpy(at, to, len);
    write_bytes(name, m, size);
    free(m);
}

/* A copy of the saved model with bytes [offset, offset + n) replaced, or cut at `offset` when
 * bytes is NULL. A negative offset counts from the end. */
static void model_patch(const char *name, long offset, const void *bytes, size_t n) {
    size_t size = 0;
    unsigned char *m = read_bytes("model.safetensors", &size);
    CHECK(m != NULL);
    if (m == NULL) return;
    size_t at = offset < 0 ? size - (size_t)-offset : (size_t)offset;
    if (bytes == NULL) size = at;
    else memcpy(m + at, bytes, n);
    write_bytes(name, m, size);
    free(m);
}

/* A safetensors container from its JSON header and `data_bytes` zero bytes of data. */
static void write_safetensors(const char *name, const char *header, size_t data_bytes) {
    unsigned char buf[512] = {0};
    size_t n = strlen(header);
    for (int i = 0; i < 8; ++i) buf[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, header, n);
    write_bytes(name, buf, 8 + n + data_bytes);
}

static int cli(const char *args) {
    char command[2048];
    snprintf(command, sizeof command, "cd %s && %s %s", dir, dn_test_cli_path(), args);
    return dn_test_run(command, output, sizeof output);
}

static void make_fixtures(void) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-bad-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    write_text("good.csv", "f1,f2,animal\n0.1,0.2,cat\n0.3,0.4,dog\n0.5,0.1,emu\n0.2,0.9,cat\n");
    write_text("ints.csv", "f1,f2,y\n0.1,0.2,0\n0.3,0.4,1\n0.5,0.1,2\n");
    /* The models every model-file case starts from (also a check that training works here). */
    CHECK(cli("train --train good.csv --model dropout:0.25,dense:3:softmax --epochs 0 "
              "--out model.safetensors") == 0);
    CHECK(cli("train --train ints.csv --model dense:3:softmax --epochs 0 --out ints.safetensors")
          == 0);
    write_text("out.safetensors", "existing model bytes\n");
    write_text("pred.csv", "existing predictions\n");

    /* CSV */
    char sub[128];
    snprintf(sub, sizeof sub, "%s/datadir", dir);
    CHECK(mkdir(sub, 0755) == 0);
    write_text("empty.csv", "");
    write_text("blank.csv", "\n  \n\t\n");
    write_text("header_only.csv", "f1,f2,label\n");
    write_text("one_column.csv", "x\n1\n2\n");
    write_text("nan_cell.csv", "f1,f2,y\n1,nan,0\n");
    write_text("inf_cell.csv", "f1,f2,y\n1,2,0\n-inf,2,1\n");
    write_text("huge_cell.csv", "f1,f2,y\n1,1e39,0\n");
    write_text("empty_cell.csv", "f1,f2,y\n1,,0\n");
    write_text("text_cell.csv", "f1,f2,y\n1,2,0\n3,inf,1\n");
    write_text("ragged_short.csv", "f1,f2,y\n1,2,0\n3,1\n");
    write_text("ragged_long.csv", "f1,f2,y\n1,2,0\n3,4,5,1\n");
    write_text("fraction_label.csv", "f1,f2,y\n1,2,0\n3,4,1.5\n");
    write_text("huge_label.csv", "f1,f2,y\n1,2,0\n3,4,1e20\n");
    write_text("empty_label.csv", "f1,f2,y\n1,2,cat\n3,4,\n");
    write_text("open_quote.csv", "f1,f2,y\n1,2,\"cat\n");
    write_text("after_quote.csv", "f1,f2,y\n1,2,\"cat\"x\n");
    write_bytes("nul_byte.csv", "f1,f2,y\n1,2,0\n3,\0,1\n", 20);
    {
        /* A gzip stream cut in half: zlib reports the early end. */
        const char text[] = "f1,f2,y\n0.1,0.2,0\n0.3,0.4,1\n0.5,0.1,2\n0.7,0.8,1\n";
        write_gzip("cut.csv.gz", text, sizeof text - 1);
        size_t size = 0;
        unsigned char *gz = read_bytes("cut.csv.gz", &size);
        if (gz != NULL) write_bytes("cut.csv.gz", gz, size / 2);
        free(gz);
    }
    write_text("renamed.csv", "f1,g2,animal\n1,2,cat\n");
    write_text("zebra.csv", "f1,f2,animal\n1,2,zebra\n");
    write_text("seven.csv", "f1,f2,y\n1,2,7\n");
    write_text("wide.csv", "1,2,3,4\n5,6,7,8\n");

    /* IDX */
    uint32_t img[3] = {2, 2, 2}, lab[1] = {2};
    write_idx("images.idx", 0x08, 3, img, 8, 0);
    write_idx("labels.idx", 0x08, 1, lab, 2, 0);
    write_idx("images.gz", 0x08, 3, img, 8, 1);
    write_idx("labels.gz", 0x08, 1, lab, 2, 1);
    write_bytes("bad_magic.idx", "\x12\x34\x08\x03\0\0\0\x02\0\0\0\x02\0\0\0\x02" "01234567", 24);
    write_idx("float.idx", 0x0D, 3, img, 8, 0);
    uint32_t zero[3] = {2, 0, 2}, big[3] = {0x80000000u, 28, 28}, three_labels[1] = {3};
    write_idx("zero_size.idx", 0x08, 3, zero, 0, 0);
    write_idx("claims_2p31.idx", 0x08, 3, big, 30, 0);
    write_idx("claims_2p31.gz", 0x08, 3, big, 30, 1);
    write_idx("short_labels.idx", 0x08, 1, lab, 1, 0);
    write_idx("long_images.idx", 0x08, 3, img, 9, 0);
    write_idx("three_labels.idx", 0x08, 1, three_labels, 3, 0);
    write_text("empty.idx", "");

    /* Model files, each wrong in one place */
    write_text("empty.safetensors", "");
    model_patch("cut.safetensors", 300, NULL, 0);
    model_patch("huge_header.safetensors", 0, "\0\0\0\0\0\0\0\x01", 8);
    model_variant("bad_json.safetensors", "{\"__metadata__\"", "[\"__metadata__\"");
    model_variant("bad_offsets.safetensors", "\"data_offsets\":[0,24]",
                  "\"data_offsets\":[0,20]");
    model_variant("bad_dtype.safetensors", "\"dtype\":\"F32\"", "\"dtype\":\"I32\"");
    model_variant("unknown_dtype.safetensors", "\"dtype\":\"F32\"", "\"dtype\":\"Q32\"");
    model_variant("unknown_layer.safetensors", "dropout:0.25", "dropper:0.25");
    model_variant("rate_one.safetensors", "dropout:0.25", "dropout:1.25");
    model_variant("zero_units.safetensors", "dense:3:softmax", "dense:0:softmax");
    model_variant("bad_activation.safetensors", "dense:3:softmax", "dense:3:softmix");
    model_variant("bad_input_size.safetensors", "\"dropnet.input_size\":\"2\"",
                  "\"dropnet.input_size\":\"5\"");
    model_variant("bad_format.safetensors", "\"dropnet.format\":\"1\"",
                  "\"dropnet.format\":\"9\"");
    model_patch("nan_weight.safetensors", -4, "\0\0\xc0\x7f", 4);
    write_safetensors("negative_shape.safetensors",
                      "{\"t\":{\"dtype\":\"F32\",\"shape\":[-2,3],\"data_offsets\":[0,24]}}", 24);
    /* 2^40 × 2^40 elements: the product saturates instead of wrapping to a small size. */
    write_safetensors("absurd_shape.safetensors",
                      "{\"t\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],"
                      "\"data_offsets\":[0,4]}}", 4);
    write_safetensors("absurd_offsets.safetensors",
                      "{\"t\":{\"dtype\":\"U8\",\"shape\":[1099511627776],"
                      "\"data_offsets\":[0,1099511627776]}}", 4);
}

/* ---------------------------------------------------------------- the catalogue */

#define TRAIN "train --model dense:3:softmax --out out.safetensors --train "
#define TRAIN_NEW "train --model dense:3:softmax --out new.safetensors --train "
#define EVAL "eval --data good.csv --model "

static const bad_case CASES[] = {
    /* CSV data */
    {TRAIN "empty.csv", "empty.csv", "empty file"},
    {TRAIN_NEW "blank.csv", "blank.csv", "empty file"},
    {TRAIN "header_only.csv", "header_only.csv", "end of the file"},
    {TRAIN "one_column.csv", "one_column.csv", "at least 2"},
    {TRAIN_NEW "nan_cell.csv", "nan_cell.csv:2:2", "missing value and no imputation: give --impute"},
    {TRAIN "inf_cell.csv", "inf_cell.csv:3:1", "finite"},
    {TRAIN "huge_cell.csv", "huge_cell.csv:2:2", "finite"},
    {TRAIN_NEW "empty_cell.csv", "empty_cell.csv:2:2", "column \"f2\" has a missing value"},
    {TRAIN "text_cell.csv", "text_cell.csv:3:2", "expected a finite number, found \"inf\""},
    {TRAIN "ragged_short.csv", "ragged_short.csv:3", "expected 3 cells"},
    {TRAIN_NEW "ragged_long.csv", "ragged_long.csv:3", "expected 3 cells"},
    /* a fraction under --task classification (auto reads it as a regression target) */
    {TRAIN "fraction_label.csv --task classification", "fraction_label.csv:3:3", "\"1.5\""},
    {TRAIN "huge_label.csv", "huge_label.csv:3:3", "\"1e20\""},
    {TRAIN_NEW "empty_label.csv", "empty_label.csv:3:3", "the label is missing"},
    {TRAIN "open_quote.csv", "open_quote.csv:2:3", "closing \""},
    {TRAIN "after_quote.csv", "after_quote.csv:2:3", "after a closing quote"},
    {TRAIN "nul_byte.csv", "nul_byte.csv", "NUL byte"},
    {TRAIN_NEW "cut.csv.gz", "cut.csv.gz", "end of file"},
    {TRAIN "missing.csv", "missing.csv", "No such file"},
    {TRAIN "datadir", "datadir", "found a directory"},
    {TRAIN "images.idx", "images.idx", "IMAGES+LABELS"},
    {TRAIN "good.csv --label species", "good.csv", "label column named \"species\""},
    {TRAIN_NEW "good.csv --label 7", "good.csv", "index in 0..2, found 7"},
    /* IDX data */
    {TRAIN "bad_magic.idx+labels.idx", "bad_magic.idx", "magic number"},
    {TRAIN "float.idx+labels.idx", "float.idx", "32-bit float"},
    {TRAIN_NEW "zero_size.idx+labels.idx", "zero_size.idx", "> 0, found 0"},
    {TRAIN "claims_2p31.idx+labels.idx", "claims_2p31.idx", "truncated"},
    {TRAIN "claims_2p31.gz+labels.idx", "claims_2p31.gz", "gzip file can hold"},
    {TRAIN "images.idx+short_labels.idx", "short_labels.idx", "truncated"},
    {TRAIN_NEW "long_images.idx+labels.idx", "long_images.idx", "more bytes"},
    {TRAIN "images.gz+three_labels.idx", "three_labels.idx", "same count"},
    {TRAIN "images.idx+images.idx", "images.idx", "IDX labels file"},
    {TRAIN "empty.idx+labels.gz", "empty.idx", "truncated"},
    {TRAIN_NEW "images.idx+missing.idx", "missing.idx", "No such file"},
    {TRAIN "images.idx+labels.idx --label 0", "images.idx+labels.idx", "CSV files only"},
    /* Data that does not fit the model */
    {EVAL "model.safetensors --data renamed.csv", "renamed.csv:1:1", "column \"f2\""},
    {EVAL "model.safetensors --data zebra.csv", "zebra.csv", "\"zebra\""},
    {EVAL "ints.safetensors --data seven.csv", "seven.csv", "label \"7\" was not a class"},
    {EVAL "model.safetensors --data ints.csv", "ints.csv", "no label column \"animal\""},
    {"predict --model model.safetensors --out pred.csv --data wide.csv", "wide.csv", "expected 2 feature columns"},
    /* Model files */
    {EVAL "empty.safetensors", "empty.safetensors", "too short"},
    {EVAL "cut.safetensors", "cut.safetensors", "past the end"},
    {"summary --model huge_header.safetensors", "huge_header.safetensors", "header length"},
    {EVAL "bad_json.safetensors", "bad_json.safetensors", "JSON"},
    {EVAL "bad_offsets.safetensors", "bad_offsets.safetensors", "data_offsets"},
    {"predict --data good.csv --out pred.csv --model bad_dtype.safetensors",
     "bad_dtype.safetensors", "dtype I32"},
    {EVAL "unknown_dtype.safetensors", "unknown_dtype.safetensors", "unknown dtype"},
    {EVAL "unknown_layer.safetensors", "unknown_layer.safetensors", "unknown layer type"},
    {"summary --model rate_one.safetensors", "rate_one.safetensors", "rate"},
    {EVAL "zero_units.safetensors", "zero_units.safetensors", "units must be > 0"},
    {EVAL "bad_activation.safetensors", "bad_activation.safetensors", "unknown activation"},
    {EVAL "bad_input_size.safetensors", "bad_input_size.safetensors", "shape"},
    {EVAL "bad_format.safetensors", "bad_format.safetensors", "format"},
    {EVAL "nan_weight.safetensors", "nan_weight.safetensors", "nan"},
    {EVAL "negative_shape.safetensors", "negative_shape.safetensors", "non-negative"},
    {EVAL "absurd_shape.safetensors", "absurd_shape.safetensors", "the shape needs"},
    {"summary --model absurd_offsets.safetensors", "absurd_offsets.safetensors",
     "past the end of the data buffer"},
    {EVAL "missing.safetensors", "missing.safetensors", "No such file"},
    {EVAL "datadir", "datadir", "not a regular file"},
    {"train --train good.csv --init cut.safetensors --out new.safetensors", "cut.safetensors",
     "past the end"},
    /* Model specs on the command line */
    {"train --train good.csv --out new.safetensors --model dens:3", "model spec column 1",
     "unknown layer type \"dens\""},
    {"train --train good.csv --out out.safetensors --model dropout:1,dense:3:softmax",
     "model spec column 9", "rate"},
    {"compare --train good.csv --val-split 0.5 --model dropout:0.5,dense:0:softmax",
     "model spec column 19",
     "units must be > 0"},
    {"train --train good.csv --out new.safetensors --model dense:3:softmax,dense:2:swishy",
     "model spec column 25", "unknown activation"},
    {"train --train good.csv --out new.safetensors --model ' '", "model spec", "empty"},
    /* Options */
    {TRAIN "good.csv --bogus 1", "--bogus", "unknown option"},
    {TRAIN "good.csv --epochs", "--epochs", "needs a value"},
    {TRAIN "good.csv --epochs -1", "--epochs", "non-negative integer"},
    {TRAIN "good.csv --lr nan", "--lr", "expects a number"},
    {TRAIN "good.csv --val-split 1", "--val-split", "[0, 1)"},
    {TRAIN "good.csv --batch 0", "--batch", "> 0"},
    {TRAIN "good.csv stray", "'stray'", "unexpected argument"},
    {TRAIN "good.csv --nesterov=1", "--nesterov", "takes no value"},
    {TRAIN "good.csv --max-norm -1", "--max-norm", ">= 0"},
    {TRAIN "good.csv --max-norm inf", "--max-norm", "expects a number"},
    {TRAIN "good.csv --l2 -0.5", "--l2", ">= 0"},
    {TRAIN "good.csv --l2 abc", "--l2", "expects a number"},
    {TRAIN "good.csv --max-memory 12Q", "--max-memory", "expects a size"},
    {TRAIN "good.csv --max-memory 0", "--max-memory", "expects a size"},
    {TRAIN "good.csv --max-memory 100", "good.csv", "over the memory limit of 100 B"},
    {"train --train good.csv --model dense:4096:relu,dense:3:softmax --out out.safetensors "
     "--max-memory 1M", "the model needs", "over the memory limit"},
    {TRAIN "good.csv --checkpoint-every 0", "--checkpoint-every", ">= 1"},
    {TRAIN "good.csv --checkpoint-keep 0", "--checkpoint-keep", ">= 1"},
    {TRAIN "good.csv --resume ck --init model.safetensors", "--resume", "not both"},
    {TRAIN "good.csv --checkpoint good.csv/ck", "good.csv/ck", "cannot create"},
    {"train --model dense:3:softmax --out out.safetensors", "--train", "required"},
    {"frobnicate --train good.csv", "'frobnicate'", "unknown command"},
    {"eval --data good.csv", "--model", "required"},
    /* Unwritable outputs */
    {"train --train good.csv --model dense:3:softmax --out missing_dir/m.safetensors",
     "missing_dir/m.safetensors", "directory"},
    {"predict --model model.safetensors --data good.csv --out good.csv/p.csv", "good.csv/p.csv",
     "Not a directory"},
    {"predict --model model.safetensors --data good.csv --out missing_dir/p.csv",
     "missing_dir/p.csv", "No such file"},
    {TRAIN "good.csv --log missing_dir/log.jsonl", "missing_dir/log.jsonl", "No such file"},
    {TRAIN "good.csv --report missing_dir/r.html", "missing_dir/r.html", "directory"},
};

/* ---------------------------------------------------------------- checks */

/* An order-independent digest of every entry in `dir`: names and contents. */
static uint64_t dir_digest(size_t *count) {
    uint64_t sum = 0;
    *count = 0;
    DIR *d = opendir(dir);
    if (d == NULL) return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        uint64_t h = 1469598103934665603ull; /* FNV-1a */
        for (const char *c = e->d_name; *c; ++c) h = (h ^ (unsigned char)*c) * 1099511628211ull;
        size_t size = 0;
        unsigned char *bytes = read_bytes(e->d_name, &size);
        for (size_t i = 0; bytes != NULL && i < size; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
        free(bytes);
        sum += h;
        (*count)++;
    }
    closedir(d);
    return sum;
}

TEST(bad_inputs_fail_cleanly_with_a_precise_message_and_no_output) {
    make_fixtures();
    size_t cases = sizeof CASES / sizeof CASES[0];
    CHECK_MSG(cases >= 40, "only %zu cases", cases);
    for (size_t i = 0; i < cases; ++i) {
        const bad_case *c = &CASES[i];
        size_t files_before, files_after;
        uint64_t before = dir_digest(&files_before);
        int code = cli(c->args);
        uint64_t after = dir_digest(&files_after);
        CHECK_MSG(code == 1 || code == 2, "dropnet %s: exit %d (expected 1 or 2)\n%s", c->args,
                  code, output);
        CHECK_MSG(strstr(output, "dropnet: error: ") != NULL, "dropnet %s: no error line\n%s",
                  c->args, output);
        CHECK_MSG(strstr(output, c->names) != NULL, "dropnet %s: message does not name %s\n%s",
                  c->args, c->names, output);
        CHECK_MSG(strstr(output, c->problem) != NULL,
                  "dropnet %s: message does not say \"%s\"\n%s", c->args, c->problem, output);
        CHECK_MSG(strstr(output, "Sanitizer") == NULL && strstr(output, "runtime error") == NULL,
                  "dropnet %s: sanitizer report\n%s", c->args, output);
        CHECK_MSG(before == after && files_before == files_after,
                  "dropnet %s: files in the working directory changed (%zu before, %zu after)",
                  c->args, files_before, files_after);
    }
    printf("    %zu command lines refused\n", cases); /* the count docs/RELIABILITY.md quotes */
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    CHECK(system(command) == 0);
}
