/* source.c — naming a dataset in one string: a CSV file, an IDX pair, or a directory split.
 *
 * The forms are told apart by what exists on disk first and by syntax second, so a file whose
 * name happens to contain ':' or '+' still opens as that file. */
#include "data/loaders.h"

#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

enum { DN_SOURCE_PATH_MAX = 4096 };

/* Short names for directories that a distribution installs. */
static const struct {
    const char *name, *dir;
} DN_SOURCE_ALIASES[] = {
    {"fashion-mnist", "/usr/share/datasets/fashion-mnist"}, /* Debian dataset-fashion-mnist */
};

/* The two splits of a directory in MNIST layout and the prefix of their files. */
static const struct {
    const char *split, *prefix;
} DN_SOURCE_SPLITS[] = {{"train", "train"}, {"test", "t10k"}};

static int is_regular_file(const char *path) {
    struct stat s;
    return stat(path, &s) == 0 && S_ISREG(s.st_mode);
}

static int is_stream(const char *path) {
    struct stat s;
    return stat(path, &s) == 0 && (S_ISFIFO(s.st_mode) || S_ISCHR(s.st_mode));
}

static int is_directory(const char *path) {
    struct stat s;
    return stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

/* Whether the (decompressed) file starts like an IDX file: 0, 0, a data type, 1 to 3 sizes. */
static int looks_like_idx(const char *path) {
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL) return 0;
    unsigned char m[4];
    int n = gzread(gz, m, sizeof m);
    gzclose(gz);
    return n == 4 && m[0] == 0 && m[1] == 0 && m[2] >= 0x08 && m[2] <= 0x0E && m[3] >= 1 &&
           m[3] <= 3;
}

static dn_status open_file(dn_dataset **out, const char *path, const dn_dataset_options *opts,
                           dn_error *err) {
    if (looks_like_idx(path))
        return dni_fail(err, DN_ERR_FORMAT, "%s: expected a CSV file, found an IDX file (name the "
                        "images and the labels together: IMAGES+LABELS)", path);
    return dni_csv_load(out, path, opts, err);
}

static dn_status check_idx_options(const char *spec, const dn_dataset_options *opts,
                                   dn_error *err) {
    /* label_optional: a model's remembered label name, which an IDX pair does not need */
    if (opts->label_column != NULL && !opts->label_optional)
        return dni_fail(err, DN_ERR_ARGUMENT, "%s: a label column (\"%s\") applies to CSV files "
                        "only; IDX labels come from their own file", spec, opts->label_column);
    return DN_OK;
}

/* dir/<prefix>-<name>.gz, else dir/<prefix>-<name>, into `path`. */
static dn_status find_split_file(const char *dir, const char *prefix, const char *name,
                                 char *path, dn_error *err) {
    static const char *const suffixes[] = {".gz", ""};
    for (size_t i = 0; i < 2; ++i) {
        int n = snprintf(path, DN_SOURCE_PATH_MAX, "%s/%s-%s%s", dir, prefix, name, suffixes[i]);
        if (n < 0 || n >= DN_SOURCE_PATH_MAX)
            return dni_fail(err, DN_ERR_ARGUMENT, "%s: path too long", dir);
        if (is_regular_file(path)) return DN_OK;
    }
    return dni_fail(err, DN_ERR_IO, "cannot open %s/%s-%s.gz or %s/%s-%s: no such file", dir,
                    prefix, name, dir, prefix, name);
}

static dn_status open_split(dn_dataset **out, const char *dir, const char *prefix,
                            const dn_dataset_options *opts, dn_error *err) {
    char images[DN_SOURCE_PATH_MAX], labels[DN_SOURCE_PATH_MAX];
    dn_status st = find_split_file(dir, prefix, "images-idx3-ubyte", images, err);
    if (st == DN_OK) st = find_split_file(dir, prefix, "labels-idx1-ubyte", labels, err);
    if (st != DN_OK) return st;
    return dni_idx_load(out, images, labels, opts->max_rows, opts->max_bytes, err);
}

/* DIR:train, DIR:test or ALIAS:train|test. Returns 0 (nothing done) when spec has no such form. */
static int try_split(dn_dataset **out, const char *spec, const dn_dataset_options *opts,
                     dn_status *st, dn_error *err) {
    const char *colon = strrchr(spec, ':');
    if (colon == NULL || (size_t)(colon - spec) >= DN_SOURCE_PATH_MAX) return 0;
    char dir[DN_SOURCE_PATH_MAX];
    memcpy(dir, spec, (size_t)(colon - spec));
    dir[colon - spec] = '\0';
    for (size_t i = 0; i < sizeof DN_SOURCE_ALIASES / sizeof DN_SOURCE_ALIASES[0]; ++i)
        if (strcmp(dir, DN_SOURCE_ALIASES[i].name) == 0)
            snprintf(dir, sizeof dir, "%s", DN_SOURCE_ALIASES[i].dir);
    if (!is_directory(dir)) return 0;
    if ((*st = check_idx_options(spec, opts, err)) != DN_OK) return 1;
    for (size_t i = 0; i < sizeof DN_SOURCE_SPLITS / sizeof DN_SOURCE_SPLITS[0]; ++i)
        if (strcmp(colon + 1, DN_SOURCE_SPLITS[i].split) == 0) {
            *st = open_split(out, dir, DN_SOURCE_SPLITS[i].prefix, opts, err);
            return 1;
        }
    *st = dni_fail(err, DN_ERR_FORMAT, "%s: expected \"train\" or \"test\" after \"%s:\", found "
                   "\"%s\"", spec, dir, colon + 1);
    return 1;
}

/* IMAGES+LABELS: the first '+' that splits spec into two existing files, else the first '+'
 * (so that the IDX loader names the file that is missing). Returns 0 when spec has no '+'. */
static int try_pair(dn_dataset **out, const char *spec, const dn_dataset_options *opts,
                    dn_status *st, dn_error *err) {
    const char *plus = strchr(spec, '+'), *chosen = plus;
    if (plus == NULL) return 0;
    if ((*st = check_idx_options(spec, opts, err)) != DN_OK) return 1;
    char images[DN_SOURCE_PATH_MAX];
    for (const char *p = plus; p != NULL; p = strchr(p + 1, '+')) {
        size_t n = (size_t)(p - spec);
        if (n >= sizeof images) break;
        memcpy(images, spec, n);
        images[n] = '\0';
        if (is_regular_file(images) && is_regular_file(p + 1)) {
            chosen = p;
            break;
        }
    }
    size_t n = (size_t)(chosen - spec);
    if (n >= sizeof images) {
        *st = dni_fail(err, DN_ERR_ARGUMENT, "%s: path too long", spec);
        return 1;
    }
    memcpy(images, spec, n);
    images[n] = '\0';
    *st = dni_idx_load(out, images, chosen + 1, opts->max_rows, opts->max_bytes, err);
    return 1;
}

dn_status dn_dataset_open(dn_dataset **out, const char *spec, const dn_dataset_options *options,
                          dn_error *err) {
    static const dn_dataset_options defaults = {.label_column = NULL, .max_rows = 0,
                                               .unlabeled = 0, .max_bytes = 0};
    const dn_dataset_options *opts = options ? options : &defaults;
    if (out == NULL || spec == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "dn_dataset_open: out and spec must not be NULL");
    if (spec[0] == '\0')
        return dni_fail(err, DN_ERR_ARGUMENT, "dn_dataset_open: expected a dataset (a CSV file, "
                        "IMAGES+LABELS or DIR:train|test), found an empty string");
    *out = NULL;
    dn_status st;
    if (is_regular_file(spec)) return open_file(out, spec, opts, err);
    /* A stream (standard input, a FIFO, a pipe like /dev/fd/63) can only be read once, so it is
     * not sniffed for IDX: it is CSV, plain or gzip (IDX needs seekable files). */
    if (strcmp(spec, "-") == 0 || is_stream(spec))
        return dni_csv_load(out, spec, opts, err);
    if (is_directory(spec))
        return dni_fail(err, DN_ERR_FORMAT, "%s: expected a file, found a directory (choose a "
                        "split: %s:train or %s:test)", spec, spec, spec);
    if (try_split(out, spec, opts, &st, err) || try_pair(out, spec, opts, &st, err)) return st;
    struct stat info;
    int cause = stat(spec, &info) != 0 ? errno : ENOENT;
    return dni_fail(err, DN_ERR_IO, "cannot open %s: %s (expected a CSV file, IMAGES+LABELS, "
                    "DIR:train, DIR:test or fashion-mnist:train|test)", spec, strerror(cause));
}
