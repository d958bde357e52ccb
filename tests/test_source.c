/* test_source.c — naming datasets with dn_dataset_open: a gzip CSV, an IDX pair, a directory
 * split, the fashion-mnist alias (when installed), and specs that name nothing. */
#include "test.h"

#include "dropnet.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char FASHION_MNIST[] = "/usr/share/datasets/fashion-mnist";

typedef struct fixture {
    char dir[64];
    char path[192];
    char spec[512];
} fixture;

static int fixture_open(fixture *f) {
    snprintf(f->dir, sizeof f->dir, "/tmp/dn-source-XXXXXX");
    return CHECK(mkdtemp(f->dir) != NULL);
}

static void fixture_close(fixture *f) { CHECK(dn_test_remove_dir(f->dir)); }

/* Writes dir/name, gzip-compressed when `gz`, and leaves its path in f->path. */
static void write_bytes(fixture *f, const char *name, int gz, const void *data, size_t n) {
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    if (gz) {
        gzFile g = gzopen(f->path, "wb");
        if (CHECK(g != NULL)) {
            CHECK(gzwrite(g, data, (unsigned)n) == (int)n);
            gzclose(g);
        }
        return;
    }
    FILE *fp = fopen(f->path, "wb");
    if (CHECK(fp != NULL)) {
        fwrite(data, 1, n, fp);
        fclose(fp);
    }
}

/* An IDX file of `count` rows: 2×2 images (value 10·row + pixel) or labels (row % 3). */
static void write_idx(fixture *f, const char *name, int gz, int images, uint8_t count) {
    uint8_t buf[16 + 4 * 255] = {0, 0, 8, images ? 3 : 1, 0, 0, 0, count};
    size_t n = images ? 16 : 8;
    if (images) buf[11] = buf[15] = 2;
    for (size_t r = 0; r < count; ++r) {
        if (!images) buf[n++] = (uint8_t)(r % 3);
        else
            for (int p = 0; p < 4; ++p) buf[n++] = (uint8_t)(10 * r + (size_t)p);
    }
    write_bytes(f, name, gz, buf, n);
}

static dn_status open_spec(fixture *f, const char *fmt, const char *arg, const char *label,
                           dn_dataset **d, dn_error *err) {
    snprintf(f->spec, sizeof f->spec, fmt, arg, arg);
    dn_dataset_options opts = {.label_column = label};
    *d = NULL;
    return dn_dataset_open(d, f->spec, &opts, err);
}

static void check_open_error(fixture *f, const char *fmt, const char *arg, const char *label,
                             dn_status status, const char *expected) {
    dn_dataset *d;
    dn_error err = {DN_OK, ""};
    dn_status st = open_spec(f, fmt, arg, label, &d, &err);
    CHECK_MSG(st == status, "%s: status %s, expected %s (%s)", f->spec, dn_status_name(st),
              dn_status_name(status), err.message);
    CHECK_MSG(strstr(err.message, expected) != NULL, "%s: message \"%s\" lacks \"%s\"", f->spec,
              err.message, expected);
    CHECK(d == NULL);
    dn_dataset_free(d);
}

TEST(source_directory_splits) {
    fixture f;
    if (!fixture_open(&f)) return;
    /* train gzip, test plain: either is found */
    write_idx(&f, "train-images-idx3-ubyte.gz", 1, 1, 6);
    write_idx(&f, "train-labels-idx1-ubyte.gz", 1, 0, 6);
    write_idx(&f, "t10k-images-idx3-ubyte", 0, 1, 4);
    write_idx(&f, "t10k-labels-idx1-ubyte", 0, 0, 4);
    dn_dataset *d;
    dn_error err;
    CHECK_OK(open_spec(&f, "%s:train", f.dir, NULL, &d, &err), &err);
    if (d) {
        CHECK(dn_dataset_rows(d) == 6 && dn_dataset_features(d) == 4);
        CHECK(dn_dataset_classes(d) == 3);
        CHECK(dn_dataset_label(d, 5) == 2);
        float row[4];
        dn_dataset_get_row(d, 5, row, NULL);
        CHECK_NEAR(row[3], 53 / 255.0, 1e-7);
    }
    dn_dataset_free(d);
    CHECK_OK(open_spec(&f, "%s:test", f.dir, NULL, &d, &err), &err);
    if (d) CHECK(dn_dataset_rows(d) == 4 && dn_dataset_label(d, 3) == 0);
    dn_dataset_free(d);

    check_open_error(&f, "%s:valid", f.dir, NULL, DN_ERR_FORMAT,
                     "expected \"train\" or \"test\" after");
    check_open_error(&f, "%s", f.dir, NULL, DN_ERR_FORMAT,
                     "expected a file, found a directory (choose a split:");
    check_open_error(&f, "%s:test", f.dir, "0", DN_ERR_ARGUMENT,
                     "a label column (\"0\") applies to CSV files only");
    snprintf(f.path, sizeof f.path, "%s/t10k-labels-idx1-ubyte", f.dir);
    unlink(f.path);
    check_open_error(&f, "%s:test", f.dir, NULL, DN_ERR_IO, "t10k-labels-idx1-ubyte.gz or ");
    fixture_close(&f);
}

TEST(source_pair_and_gzip_csv) {
    fixture f;
    if (!fixture_open(&f)) return;
    write_idx(&f, "a+b.images", 0, 1, 3); /* a '+' inside a name still splits right */
    write_idx(&f, "labels.gz", 1, 0, 3);
    dn_dataset *d;
    dn_error err;
    snprintf(f.spec, sizeof f.spec, "%s/a+b.images+%s/labels.gz", f.dir, f.dir);
    CHECK_OK(dn_dataset_open(&d, f.spec, NULL, &err), &err);
    if (d) CHECK(dn_dataset_rows(d) == 3 && dn_dataset_label(d, 2) == 2);
    dn_dataset_free(d);
    snprintf(f.spec, sizeof f.spec, "%s/a+b.images", f.dir);
    CHECK(dn_dataset_open(&d, f.spec, NULL, &err) == DN_ERR_FORMAT); /* one IDX file alone */
    CHECK_MSG(strstr(err.message, "a+b.images: expected a CSV file, found an IDX file") != NULL,
              "%s", err.message);

    const char csv[] = "x,y,colour\n1,2,red\n3,4,blue\n";
    write_bytes(&f, "data.csv.gz", 1, csv, sizeof csv - 1);
    dn_dataset_options opts = {.label_column = "colour"};
    CHECK_OK(dn_dataset_open(&d, f.path, &opts, &err), &err);
    if (d) {
        CHECK(dn_dataset_rows(d) == 2 && dn_dataset_classes(d) == 2);
        CHECK(strcmp(dn_dataset_class_name(d, 0), "blue") == 0);
        CHECK(dn_dataset_label(d, 0) == 1);
    }
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(source_specs_that_name_nothing) {
    fixture f;
    if (!fixture_open(&f)) return;
    dn_dataset *d = NULL;
    dn_error err;
    CHECK(dn_dataset_open(&d, "", NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "found an empty string") != NULL);
    CHECK(dn_dataset_open(NULL, "x.csv", NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(dn_dataset_open(&d, NULL, NULL, &err) == DN_ERR_ARGUMENT);
    check_open_error(&f, "%s/nothing.csv", f.dir, NULL, DN_ERR_IO,
                     "nothing.csv: No such file or directory (expected a CSV file");
    check_open_error(&f, "%s/none:train", f.dir, NULL, DN_ERR_IO, "none:train: No such file");
    check_open_error(&f, "%s/img+lab", f.dir, NULL, DN_ERR_IO,
                     "img: No such file or directory");
    CHECK(dn_dataset_class_name(NULL, 0) == NULL);
    fixture_close(&f);
}

TEST(source_fashion_mnist_test_split) {
    struct stat s;
    if (stat(FASHION_MNIST, &s) != 0) {
        SKIP("%s is absent (dataset-fashion-mnist; scripts/setup.sh installs it)", FASHION_MNIST);
    }
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_open(&d, "fashion-mnist:test", NULL, &err), &err);
    if (d == NULL) return;
    CHECK(dn_dataset_rows(d) == 10000);
    CHECK(dn_dataset_features(d) == 784);
    CHECK(dn_dataset_classes(d) == 10);
    /* Known from the file (zcat t10k-labels-idx1-ubyte.gz | od): 9 2 1 1 6 ..., last 5; the
     * first image's 784 pixels sum to 33456. */
    CHECK(dn_dataset_label(d, 0) == 9);
    CHECK(dn_dataset_label(d, 4) == 6);
    CHECK(dn_dataset_label(d, 9999) == 5);
    float row[784];
    double sum = 0;
    dn_dataset_get_row(d, 0, row, NULL);
    for (size_t j = 0; j < 784; ++j) sum += row[j];
    CHECK_NEAR(sum, 33456 / 255.0, 1e-3);
    dn_dataset_free(d);
}
