/* test_idx.c — IDX image/label pairs, plain and gzip: a round trip, and each malformed header
 * or body refused with a message that names the file and what was expected. */
#include "test.h"

#include "dropnet.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

typedef struct fixture {
    char dir[64];
    char path[192];
} fixture;

static int fixture_open(fixture *f) {
    snprintf(f->dir, sizeof f->dir, "/tmp/dn-idx-XXXXXX");
    return CHECK(mkdtemp(f->dir) != NULL);
}

static void fixture_close(fixture *f) { CHECK(dn_test_remove_dir(f->dir)); }

/* Writes dir/name: magic, `dims` sizes big-endian, then `n` bytes of data; gzip when `gz`
 * (written with gzwrite, as zlib users do). Returns a copy of the path (caller frees). */
static char *write_idx(fixture *f, const char *name, int gz, uint32_t magic, const uint32_t *dims,
                       size_t n_dims, const uint8_t *data, size_t n) {
    uint8_t head[4 + 4 * 4];
    uint32_t words[5] = {magic};
    memcpy(words + 1, dims, n_dims * sizeof *dims);
    for (size_t w = 0; w <= n_dims; ++w)
        for (int b = 0; b < 4; ++b) head[4 * w + (size_t)b] = (uint8_t)(words[w] >> (24 - 8 * b));
    size_t head_bytes = 4 + 4 * n_dims;
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    if (gz) {
        gzFile g = gzopen(f->path, "wb");
        if (CHECK(g != NULL)) {
            CHECK(gzwrite(g, head, (unsigned)head_bytes) == (int)head_bytes);
            if (n) CHECK(gzwrite(g, data, (unsigned)n) == (int)n);
            gzclose(g);
        }
    } else {
        FILE *fp = fopen(f->path, "wb");
        if (CHECK(fp != NULL)) {
            fwrite(head, 1, head_bytes, fp);
            if (n) fwrite(data, 1, n, fp);
            fclose(fp);
        }
    }
    char *copy = malloc(strlen(f->path) + 1);
    if (copy) strcpy(copy, f->path);
    return copy;
}

/* Five 2×3 images whose pixel k of image i is 50·i + k (and 255 at the very end). */
static const uint32_t IMAGE_DIMS[3] = {5, 2, 3};
static const uint32_t LABEL_DIMS[1] = {5};
static const uint8_t LABELS[5] = {3, 0, 1, 3, 2};

static void fill_pixels(uint8_t pixels[30]) {
    for (size_t i = 0; i < 30; ++i) pixels[i] = (uint8_t)(50 * (i / 6) + i % 6);
    pixels[29] = 255;
}

/* A scratch directory and the five images' pixels; 0 when the directory cannot be made. */
static int fixture_with_pixels(fixture *f, uint8_t pixels[30]) {
    fill_pixels(pixels);
    return fixture_open(f);
}

/* Opens images+labels through the public spec syntax. */
static dn_status open_pair(const char *images, const char *labels, size_t max_rows,
                           dn_dataset **d, dn_error *err) {
    char spec[512];
    snprintf(spec, sizeof spec, "%s+%s", images, labels);
    dn_dataset_options opts = {.max_rows = max_rows};
    *d = NULL;
    return dn_dataset_open(d, spec, &opts, err);
}

static void check_pair_error(const char *images, const char *labels, dn_status status,
                             const char *expected) {
    dn_error err = {DN_OK, ""};
    dn_dataset *d;
    dn_status st = open_pair(images, labels, 0, &d, &err);
    CHECK_MSG(st == status, "status %s, expected %s (%s)", dn_status_name(st),
              dn_status_name(status), err.message);
    CHECK_MSG(strstr(err.message, expected) != NULL, "message \"%s\" lacks \"%s\"", err.message,
              expected);
    CHECK(d == NULL);
    dn_dataset_free(d);
}

static void check_loaded(const dn_dataset *d, const uint8_t *pixels) {
    CHECK(dn_dataset_rows(d) == 5);
    CHECK(dn_dataset_features(d) == 6);
    CHECK(dn_dataset_classes(d) == 4); /* max label 3 + 1 */
    CHECK(dn_dataset_class_name(d, 0) == NULL);
    for (size_t r = 0; r < 5; ++r) {
        CHECK_MSG(dn_dataset_label(d, r) == LABELS[r], "label %zu: %d", r,
                  (int)dn_dataset_label(d, r));
        float row[6];
        dn_error err;
        CHECK_OK(dn_dataset_get_row(d, r, row, &err), &err);
        for (size_t k = 0; k < 6; ++k) CHECK_NEAR(row[k], pixels[r * 6 + k] / 255.0, 1e-7);
    }
}

TEST(idx_plain_and_gzip_round_trip) {
    fixture f;
    uint8_t pixels[30];
    if (!fixture_with_pixels(&f, pixels)) return;
    dn_dataset *sets[2] = {NULL, NULL};
    for (int gz = 0; gz < 2; ++gz) {
        char *img = write_idx(&f, gz ? "i.gz" : "i", gz, 0x803, IMAGE_DIMS, 3, pixels, 30);
        char *lab = write_idx(&f, gz ? "l.gz" : "l", gz, 0x801, LABEL_DIMS, 1, LABELS, 5);
        dn_error err;
        CHECK_OK(open_pair(img, lab, 0, &sets[gz], &err), &err);
        if (sets[gz]) check_loaded(sets[gz], pixels);
        free(img);
        free(lab);
    }
    if (sets[0] && sets[1]) { /* identical datasets, row by row */
        for (size_t r = 0; r < 5; ++r) {
            float a[6], b[6];
            dn_dataset_get_row(sets[0], r, a, NULL);
            dn_dataset_get_row(sets[1], r, b, NULL);
            CHECK(memcmp(a, b, sizeof a) == 0);
            CHECK(dn_dataset_label(sets[0], r) == dn_dataset_label(sets[1], r));
        }
    }
    dn_dataset_free(sets[0]);
    dn_dataset_free(sets[1]);
    fixture_close(&f);
}

TEST(idx_two_dimensional_images_and_max_rows) {
    fixture f;
    uint8_t pixels[30];
    if (!fixture_with_pixels(&f, pixels)) return;
    const uint32_t flat[2] = {5, 6};
    char *img = write_idx(&f, "flat", 0, 0x802, flat, 2, pixels, 30);
    char *lab = write_idx(&f, "lab.gz", 1, 0x801, LABEL_DIMS, 1, LABELS, 5);
    dn_dataset *d;
    dn_error err;
    CHECK_OK(open_pair(img, lab, 0, &d, &err), &err);
    if (d) check_loaded(d, pixels);
    dn_dataset_free(d);
    CHECK_OK(open_pair(img, lab, 2, &d, &err), &err); /* the first two rows only */
    if (d) {
        CHECK(dn_dataset_rows(d) == 2);
        CHECK(dn_dataset_classes(d) == 4); /* labels 3, 0 */
        CHECK(dn_dataset_label(d, 1) == 0);
        float row[6];
        dn_dataset_get_row(d, 1, row, NULL);
        CHECK_NEAR(row[5], 55 / 255.0, 1e-7);
        float mean[6], std[6];
        CHECK_OK(dn_dataset_feature_stats(d, mean, std, &err), &err);
        CHECK_NEAR(mean[0], 25 / 255.0, 1e-7); /* pixels 0 and 50, scaled */
        CHECK_NEAR(std[0], 25 / 255.0, 1e-7);
    }
    dn_dataset_free(d);
    free(img);
    free(lab);
    fixture_close(&f);
}

TEST(idx_truncated_files) {
    fixture f;
    uint8_t pixels[30];
    if (!fixture_with_pixels(&f, pixels)) return;
    char *lab = write_idx(&f, "lab", 0, 0x801, LABEL_DIMS, 1, LABELS, 5);
    char *img = write_idx(&f, "short", 0, 0x803, IMAGE_DIMS, 3, pixels, 24);
    check_pair_error(img, lab, DN_ERR_FORMAT, "short: truncated: header claims 5 images of 6 "
                     "bytes (30 bytes), found 24 bytes after the 16-byte header");
    free(img);
    img = write_idx(&f, "short.gz", 1, 0x803, IMAGE_DIMS, 3, pixels, 24);
    check_pair_error(img, lab, DN_ERR_FORMAT, "short.gz: truncated: expected 30 bytes of "
                     "pixels at byte 16, found 24");
    free(img);
    img = write_idx(&f, "head", 0, 0x803, IMAGE_DIMS, 1, NULL, 0); /* 1 of 3 sizes */
    check_pair_error(img, lab, DN_ERR_FORMAT, "head: truncated: expected 12 bytes of IDX sizes "
                     "at byte 4, found 4");
    free(img);
    img = write_idx(&f, "long", 0, 0x803, IMAGE_DIMS, 3, pixels, 30);
    FILE *fp = fopen(img, "ab");
    if (CHECK(fp != NULL)) {
        fputc(7, fp);
        fclose(fp);
    }
    check_pair_error(img, lab, DN_ERR_FORMAT, "long: expected the file to end after 5 images "
                     "(30 bytes after the header), found 1 more bytes");
    free(img);
    /* Bytes after the data of a gzip file show only once the data has been read. */
    uint8_t more[31];
    memcpy(more, pixels, 30);
    more[30] = 9;
    img = write_idx(&f, "long.gz", 1, 0x803, IMAGE_DIMS, 3, more, 31);
    check_pair_error(img, lab, DN_ERR_FORMAT, "long.gz: expected the data to end after 5 rows, "
                     "found more bytes");
    free(img);
    /* A gzip stream cut short: zlib reports the damage, the loader passes it on. */
    img = write_idx(&f, "cut.gz", 1, 0x803, IMAGE_DIMS, 3, pixels, 30);
    FILE *gz = fopen(img, "rb");
    unsigned char buf[256];
    size_t n = gz ? fread(buf, 1, sizeof buf, gz) : 0;
    if (gz) fclose(gz);
    gz = fopen(img, "wb");
    if (CHECK(gz != NULL && n > 12)) {
        fwrite(buf, 1, n - 12, gz); /* drop the CRC/length trailer and some data */
        fclose(gz);
    }
    dn_dataset *d;
    dn_error err = {DN_OK, ""};
    CHECK(open_pair(img, lab, 0, &d, &err) != DN_OK);
    CHECK_MSG(strstr(err.message, "cut.gz") != NULL, "%s", err.message);
    free(img);
    free(lab);
    fixture_close(&f);
}

TEST(idx_wrong_magic_type_and_sizes) {
    fixture f;
    uint8_t pixels[30];
    if (!fixture_with_pixels(&f, pixels)) return;
    char *lab = write_idx(&f, "lab", 0, 0x801, LABEL_DIMS, 1, LABELS, 5);
    char *img = write_idx(&f, "magic", 0, 0x12340803, IMAGE_DIMS, 3, pixels, 30);
    check_pair_error(img, lab, DN_ERR_FORMAT, "magic: expected an IDX magic number 0x00000803 "
                     "(images) or 0x00000802 (flat rows), found 0x12340803");
    free(img);
    img = write_idx(&f, "float", 1, 0x0D03, IMAGE_DIMS, 3, pixels, 30);
    check_pair_error(img, lab, DN_ERR_FORMAT, "float: expected IDX data type 0x08 (unsigned "
                     "byte), found 0x0d (32-bit float)");
    free(img);
    /* images and labels swapped */
    img = write_idx(&f, "img", 0, 0x803, IMAGE_DIMS, 3, pixels, 30);
    check_pair_error(lab, img, DN_ERR_FORMAT, "lab: expected an IDX images file, magic number "
                     "0x00000803 (images) or 0x00000802 (flat rows), found 0x00000801 (1 "
                     "dimension)");
    check_pair_error(img, img, DN_ERR_FORMAT, "img: expected an IDX labels file, magic number "
                     "0x00000801 (labels), found 0x00000803 (3 dimensions)");
    const uint32_t four[1] = {4};
    char *lab4 = write_idx(&f, "lab4", 0, 0x801, four, 1, LABELS, 4);
    check_pair_error(img, lab4, DN_ERR_SHAPE, "img holds 5 images but");
    check_pair_error(img, lab4, DN_ERR_SHAPE, "lab4 holds 4 labels: expected the same count");
    free(lab4);
    free(img);
    const uint32_t zero[3] = {5, 0, 3};
    img = write_idx(&f, "zero", 0, 0x803, zero, 3, pixels, 30);
    check_pair_error(img, lab, DN_ERR_FORMAT, "zero: expected IDX size 2 of 3 to be > 0, found 0");
    free(img);
    free(lab);
    fixture_close(&f);
}

TEST(idx_absurd_sizes_refused_before_allocating) {
    /* 2^31 images of 28×28 claimed by files of a few bytes: refused from the header alone (an
     * attempt to allocate 1.7 TB would fail with DN_ERR_MEMORY instead, or abort under ASan). */
    fixture f;
    uint8_t pixels[30];
    if (!fixture_with_pixels(&f, pixels)) return;
    char *lab = write_idx(&f, "lab", 0, 0x801, LABEL_DIMS, 1, LABELS, 5);
    const uint32_t huge[3] = {UINT32_C(1) << 31, 28, 28};
    char *img = write_idx(&f, "huge", 0, 0x803, huge, 3, pixels, 30);
    check_pair_error(img, lab, DN_ERR_FORMAT, "huge: truncated: header claims 2147483648 images "
                     "of 784 bytes (1683627180032 bytes), found 30 bytes after the 16-byte header");
    free(img);
    img = write_idx(&f, "huge.gz", 1, 0x803, huge, 3, pixels, 30);
    check_pair_error(img, lab, DN_ERR_FORMAT, "huge.gz: header claims 2147483648 images of 784 "
                     "bytes (1683627180032 bytes), more than a");
    free(img);
    const uint32_t overflow[3] = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
    img = write_idx(&f, "overflow", 0, 0x803, overflow, 3, pixels, 30);
    check_pair_error(img, lab, DN_ERR_FORMAT, "overflow: header claims 4294967295 images of "
                     "18446744065119617025 bytes, which overflows");
    free(img);
    const uint32_t many[1] = {UINT32_C(1) << 31};
    char *lab_huge = write_idx(&f, "labhuge", 0, 0x801, many, 1, LABELS, 5);
    img = write_idx(&f, "img", 0, 0x803, IMAGE_DIMS, 3, pixels, 30);
    check_pair_error(img, lab_huge, DN_ERR_FORMAT, "labhuge: truncated: header claims 2147483648 "
                     "labels of 1 bytes");
    free(img);
    free(lab_huge);
    free(lab);
    fixture_close(&f);
}

/* Over the memory cap an uncompressed IDX file is not refused: its pixels stay in the file and
 * each gather reads its rows (docs/SCALING.md "Data"). The rows, slices, takes, a fit and an
 * evaluation are the very same as with the data held; a gzip file is refused naming the fix;
 * and a file truncated after opening makes every reader fail naming the file and row, before
 * anything uses the zeros of the failed read (the weights stay as they were). */
TEST(idx_over_the_memory_cap_is_read_from_disk_with_the_same_results) {
    fixture f;
    uint8_t pixels[30];
    if (!fixture_with_pixels(&f, pixels)) return;
    char *img = write_idx(&f, "i", 0, 0x803, IMAGE_DIMS, 3, pixels, 30);
    char *lab = write_idx(&f, "l", 0, 0x801, LABEL_DIMS, 1, LABELS, 5);
    char *gz = write_idx(&f, "i.gz", 1, 0x803, IMAGE_DIMS, 3, pixels, 30);
    char spec[512];
    dn_error err;
    dn_dataset *held = NULL, *disk = NULL, *refused = NULL;
    /* held: 30 pixel bytes + 5 labels × 4 = 50 bytes; on disk: the 20 bytes of labels */
    dn_dataset_options cap = {.max_bytes = 30};
    snprintf(spec, sizeof spec, "%s+%s", img, lab);
    CHECK_OK(dn_dataset_open(&held, spec, NULL, &err), &err);
    CHECK_OK(dn_dataset_open(&disk, spec, &cap, &err), &err);
    snprintf(spec, sizeof spec, "%s+%s", gz, lab);
    CHECK(dn_dataset_open(&refused, spec, &cap, &err) == DN_ERR_MEMORY);
    CHECK_MSG(strstr(err.message, "i.gz") && strstr(err.message, "gunzip"), "got: %s", err.message);
    if (held == NULL || disk == NULL) goto done;
    CHECK(!dn_dataset_on_disk(held) && dn_dataset_on_disk(disk));
    CHECK(dn_dataset_bytes(held) == 50 && dn_dataset_bytes(disk) == 20);
    check_loaded(disk, pixels);
    dn_dataset *slice = NULL, *taken = NULL;
    const size_t pick[3] = {4, 0, 2};
    CHECK_OK(dn_dataset_slice(disk, 1, 4, &slice, &err), &err);
    CHECK_OK(dn_dataset_take(disk, pick, 3, &taken, &err), &err);
    for (size_t r = 0; slice && taken && r < 3; ++r) {
        float a[6], b[6];
        CHECK_OK(dn_dataset_get_row(slice, r, a, &err), &err);
        CHECK_OK(dn_dataset_get_row(held, r + 1, b, &err), &err);
        CHECK(memcmp(a, b, sizeof a) == 0 && dn_dataset_label(slice, r) == LABELS[r + 1]);
        CHECK_OK(dn_dataset_get_row(taken, r, a, &err), &err);
        CHECK_OK(dn_dataset_get_row(held, pick[r], b, &err), &err);
        CHECK(memcmp(a, b, sizeof a) == 0 && dn_dataset_label(taken, r) == LABELS[pick[r]]);
    }
    CHECK(dn_dataset_on_disk(slice) && dn_dataset_on_disk(taken));
    /* the same fit (validation split: a slice of the file) and evaluation, bit for bit */
    dn_model *m[2] = {NULL, NULL};
    float *before = NULL;
    size_t count = 0;
    double loss[2] = {0, 0};
    for (int k = 0; k < 2; ++k) {
        dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
        CHECK_OK(dn_model_from_spec(&m[k], 6, "dense:8:relu,dropout:0.5,dense:4:softmax", &err), &err);
        if (m[k] == NULL) goto models;
        CHECK_OK(dn_model_compile(m[k], DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, 7, &err), &err);
        dn_fit_config fit = dn_fit_defaults();
        fit.epochs = 3;
        fit.batch_size = 2;
        fit.validation_split = 0.4;
        CHECK_OK(dn_model_fit(m[k], k ? disk : held, &fit, NULL, NULL, NULL, &err), &err);
        CHECK_OK(dn_model_evaluate(m[k], k ? disk : held, &loss[k], NULL, &err), &err);
    }
    count = dn_model_param_count(m[0]);
    CHECK(memcmp(dn_model_params(m[0]), dn_model_params(m[1]), count * sizeof(float)) == 0);
    CHECK(memcmp(&loss[0], &loss[1], sizeof loss[0]) == 0);
    /* the file cut short after opening: every reader of the on-disk rows fails, naming them */
    CHECK(truncate(img, 16 + 12) == 0); /* the header and two rows are left */
    before = malloc(count * sizeof *before);
    if (before) memcpy(before, dn_model_params(m[1]), count * sizeof *before);
    dn_fit_config again = dn_fit_defaults();
    again.batch_size = 5;
    CHECK(dn_model_fit(m[1], disk, &again, NULL, NULL, NULL, &err) == DN_ERR_IO);
    CHECK_MSG(strstr(err.message, "cannot read row") && strstr(err.message, img), "got: %s",
              err.message);
    if (before) CHECK(memcmp(before, dn_model_params(m[1]), count * sizeof *before) == 0);
    CHECK(dn_model_evaluate(m[1], disk, &loss[1], NULL, &err) == DN_ERR_IO);
    float row[6];
    CHECK(dn_dataset_get_row(slice, 2, row, &err) == DN_ERR_IO); /* file row 3 */
    CHECK_MSG(strstr(err.message, "row 3 of"), "got: %s", err.message);
    free(before);
models:
    dn_model_free(m[0]);
    dn_model_free(m[1]);
    dn_dataset_free(slice);
    dn_dataset_free(taken);
done:
    dn_dataset_free(held);
    dn_dataset_free(disk);
    dn_dataset_free(refused);
    free(img);
    free(lab);
    free(gz);
    fixture_close(&f);
}
