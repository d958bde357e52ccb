/* cmd_play.c — `dropnet play`: the playground page (docs/PLAYGROUND.md) written with the user's
 * own table in it, so a learner opens one file and trains on their data in the browser.
 *
 * The page is the one `make web` builds (build/web/playground.html, found next to this binary,
 * or --page FILE). Its data slot, <script id="pg-data" type="application/json">null</script>, is
 * replaced by the table as JSON: class names, labels as class ids, and the features bit for bit
 * as base64 bytes — one byte a value and a palette when the table has at most 256 distinct values
 * (images), float32 otherwise — which the page decodes (web/table.js). Nothing is rounded. */
#include "commands.h"
#include "common/base64.h"
#include "common/cli_error.h"
#include "common/options.h"

#include "dropnet.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char SLOT[] = "<script id=\"pg-data\" type=\"application/json\">null</script>";
static const char SLOT_OPEN[] = "<script id=\"pg-data\" type=\"application/json\">";
/* A cap on what a browser tab is asked to decode and hold (as float32, twice: page and worker). */
enum { MAX_VALUES = 4000000 };

typedef struct play_page {
    char *page;        /* the template, whole */
    size_t size;
    const char *slot;  /* where SLOT starts in it */
    const dn_dataset *data;
    const char *name;  /* shown in the page's data menu */
    const float *mean, *std; /* --standardize: (x − mean) / std, else NULL */
} play_page;

/* The template's path: --page, or web/playground.html beside this executable. */
static int default_page(char *out, size_t size) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return cli_error(-1, "play: cannot find this program's directory; give --page FILE");
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    if ((size_t)snprintf(out, size, "%s/web/playground.html", exe) >= size)
        return cli_error(-1, "play: path too long; give --page FILE");
    return 0;
}

static int read_page(play_page *p, const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cli_error(-1, "play: cannot read the playground page %s: %s (build it with `make web`, "
                         "or give --page FILE)", path, strerror(errno));
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return cli_error(-1, "play: cannot read %s", path);
    }
    p->page = malloc((size_t)size + 1);
    p->size = p->page ? fread(p->page, 1, (size_t)size, f) : 0;
    fclose(f);
    if (p->page == NULL || p->size != (size_t)size) return cli_error(-1, "play: cannot read %s", path);
    p->page[p->size] = '\0';
    p->slot = strstr(p->page, SLOT);
    if (p->slot == NULL || strlen(p->slot) != p->size - (size_t)(p->slot - p->page))
        return cli_error(-1, "play: %s is not an empty playground page (no data slot %s); build "
                         "one with `make web`", path, SLOT);
    return 0;
}

/* A JSON string; '<' written as \u003c so that no text can close the page's <script>. */
static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; ++c) {
        if (*c == '"' || *c == '\\') fprintf(f, "\\%c", *c);
        else if (*c < 0x20 || *c == '<') fprintf(f, "\\u%04x", *c);
        else fputc(*c, f);
    }
    fputc('"', f);
}

/* A float's IEEE 754 bytes, little-endian (the page reads them with a DataView). */
static void put_float(unsigned char *dst, float v) {
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    for (int k = 0; k < 4; ++k) dst[k] = (unsigned char)(b >> (8 * k));
}

static uint32_t bits_of(float v) {
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* Floats [n] as base64 of their little-endian bytes: exact, 5⅓ characters a value. */
static int write_floats(FILE *f, const float *v, size_t n) {
    unsigned char *bytes = malloc(4 * (n ? n : 1));
    if (bytes == NULL) return -1;
    for (size_t i = 0; i < n; ++i) put_float(bytes + 4 * i, v[i]);
    cli_base64_write(f, bytes, 4 * n);
    free(bytes);
    return 0;
}

/* The distinct values of a table when there are at most 256 (pixels: k/255), by bit pattern so
 * that −0 and 0 stay apart, sorted: each value is then one byte, its index here. */
typedef struct palette {
    uint32_t bits[256];
    size_t n;
} palette;

/* Where b is (returns 1) or would go (returns 0) in p's sorted bits. */
static int palette_find(const palette *p, uint32_t b, size_t *at) {
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->bits[mid] < b) lo = mid + 1;
        else hi = mid;
    }
    *at = lo;
    return lo < p->n && p->bits[lo] == b;
}

/* 1 when values [n] take at most 256 distinct values (p then holds them), else 0. */
static int palette_build(palette *p, const float *v, size_t n) {
    p->n = 0;
    for (size_t i = 0; i < n; ++i) {
        uint32_t b = bits_of(v[i]);
        size_t at;
        if (palette_find(p, b, &at)) continue;
        if (p->n == 256) return 0;
        memmove(p->bits + at + 1, p->bits + at, (p->n - at) * sizeof *p->bits);
        p->bits[at] = b;
        p->n++;
    }
    return 1;
}

/* "x": the features, row-major, exactly: {"palette": the ≤ 256 distinct values as float32,
 * "index": one byte a value} when the table has so few (images: 4× smaller than float32),
 * else {"float32": every value}; both base64. */
static int write_values(FILE *f, const float *v, size_t n) {
    palette *p = malloc(sizeof *p);
    if (p == NULL) return -1;
    int ok = 0;
    if (palette_build(p, v, n)) {
        float values[256];
        unsigned char *index = malloc(n ? n : 1);
        if (index) {
            for (size_t k = 0; k < p->n; ++k) memcpy(&values[k], &p->bits[k], sizeof values[k]);
            for (size_t i = 0; i < n; ++i) {
                size_t at;
                palette_find(p, bits_of(v[i]), &at);
                index[i] = (unsigned char)at;
            }
            fputs("{\"palette\":\"", f);
            ok = write_floats(f, values, p->n) == 0;
            fputs("\",\"index\":\"", f);
            cli_base64_write(f, index, n);
            fputs("\"}", f);
            free(index);
        }
    } else {
        fputs("{\"float32\":\"", f);
        ok = write_floats(f, v, n) == 0;
        fputs("\"}", f);
    }
    free(p);
    return ok ? 0 : -1;
}

/* Every row's features as read, row-major (NULL on failure, err set). */
static float *read_values(const dn_dataset *data, dn_error *err) {
    size_t rows = dn_dataset_rows(data), features = dn_dataset_features(data);
    size_t n = rows * features; /* bounded by check_data */
    float *x = malloc((n ? n : 1) * sizeof(float));
    if (x == NULL) {
        snprintf(err->message, sizeof err->message, "out of memory for %zu values", n);
        err->status = DN_ERR_MEMORY;
        return NULL;
    }
    for (size_t r = 0; r < rows; ++r)
        if (dn_dataset_get_row(data, r, x + r * features, err) != DN_OK) {
            free(x);
            return NULL;
        }
    return x;
}

/* The table as the page's JSON: the values as read and, with --standardize, the mean and std
 * the page applies, (x − mean) / std in float32 as this program would, so that the values stay
 * few (a palette) and exact. */
static dn_status write_table(FILE *f, const play_page *p, dn_error *err) {
    size_t rows = dn_dataset_rows(p->data), features = dn_dataset_features(p->data);
    size_t classes = dn_dataset_classes(p->data);
    float *x = read_values(p->data, err);
    if (x == NULL) return err->status;
    fprintf(f, "{\"name\":");
    json_string(f, p->name);
    fprintf(f, ",\"features\":%zu,\"classes\":%zu,\"classNames\":[", features, classes);
    for (size_t c = 0; c < classes; ++c) {
        const char *n = dn_dataset_class_name(p->data, c);
        char id[32];
        snprintf(id, sizeof id, "%zu", c);
        if (c) fputc(',', f);
        json_string(f, n ? n : id);
    }
    fprintf(f, "],\"x\":");
    int bad = write_values(f, x, rows * features);
    if (p->mean) {
        fputs(",\"standardize\":{\"mean\":\"", f);
        bad |= write_floats(f, p->mean, features);
        fputs("\",\"std\":\"", f);
        bad |= write_floats(f, p->std, features);
        fputs("\"}", f);
    }
    fprintf(f, ",\"y\":[");
    for (size_t r = 0; r < rows; ++r)
        fprintf(f, r ? ",%d" : "%d", (int)dn_dataset_label(p->data, r));
    fprintf(f, "]}");
    free(x);
    if (bad) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return err->status = DN_ERR_MEMORY;
    }
    return DN_OK;
}

/* The page with the table in its slot; without a table, the page as built. */
static dn_status write_page(FILE *f, void *context, dn_error *err) {
    const play_page *p = context;
    if (p->data == NULL) {
        fwrite(p->page, 1, p->size, f);
        return DN_OK;
    }
    size_t head = (size_t)(p->slot - p->page) + strlen(SLOT_OPEN);
    fwrite(p->page, 1, head, f);
    dn_status st = write_table(f, p, err);
    const char *tail = p->slot + strlen(SLOT_OPEN) + strlen("null");
    fwrite(tail, 1, strlen(tail), f);
    if (st == DN_OK && ferror(f)) {
        snprintf(err->message, sizeof err->message, "write error");
        st = err->status = DN_ERR_IO;
    }
    return st;
}

/* Whether two paths name the same existing file (an output must never replace an input). */
static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int check_data(const dn_dataset *data, const char *spec) {
    size_t rows = dn_dataset_rows(data), features = dn_dataset_features(data);
    if (dn_dataset_classes(data) < 2)
        return cli_error(-1, "play: %s needs class labels in at least 2 classes (the playground "
                         "trains a classifier)", spec);
    if (rows > MAX_VALUES / (features ? features : 1))
        return cli_error(-1, "play: %s has %zu rows × %zu features, more than the page holds "
                         "(%d values); take fewer rows with --max-rows N", spec, rows, features,
                         MAX_VALUES);
    return 0;
}

static int run_play(const char *spec, const char *out, const char *page_path, size_t max_rows,
                    int standardize) {
    char page_buf[PATH_MAX];
    if (page_path == NULL) {
        if (default_page(page_buf, sizeof page_buf) != 0) return 1;
        page_path = page_buf;
    }
    if (same_file(out, page_path) || (spec && same_file(out, spec)))
        return cli_error(1, "play: --out %s is an input (the page or the data); choose another "
                         "file", out);
    play_page p = {.name = "seed data"};
    dn_dataset *data = NULL;
    float *stats = NULL;
    dn_error err;
    int code = 1;
    if (read_page(&p, page_path) != 0) goto done;
    if (spec) {
        dn_dataset_options opt = {.max_rows = max_rows};
        if (dn_dataset_open(&data, spec, &opt, &err) != DN_OK) {
            cli_error(-1, "%s", err.message);
            goto done;
        }
        if (check_data(data, spec) != 0) goto done;
        const char *base = strrchr(spec, '/');
        p.name = base ? base + 1 : spec;
        p.data = data;
        size_t features = dn_dataset_features(data);
        if (standardize) {
            stats = malloc(2 * features * sizeof(float));
            if (stats == NULL || dn_dataset_feature_stats(data, stats, stats + features, &err) != DN_OK) {
                cli_error(-1, "play: %s", stats ? err.message : "out of memory");
                goto done;
            }
            p.mean = stats;
            p.std = stats + features;
        }
    }
    if (dn_write_file_atomic(out, write_page, &p, &err) != DN_OK) {
        cli_error(-1, "%s", err.message);
        goto done;
    }
    if (data) {
        size_t rows = dn_dataset_rows(data);
        printf("Playground written to %s with %s: %zu rows × %zu features, %zu classes%s%s\n",
               out, p.name, rows, dn_dataset_features(data), dn_dataset_classes(data),
               max_rows && rows == max_rows ? " (the first rows only: --max-rows)" : "",
               standardize ? ", standardised" : "");
    } else {
        printf("Playground written to %s (the seed data and the 2-D sets; --data FILE adds your "
               "own)\n", out);
    }
    code = 0;
done:
    free(stats);
    free(p.page);
    dn_dataset_free(data);
    return code;
}

int cli_cmd_play(int argc, char **argv) {
    const char *spec = NULL, *out = NULL, *page = NULL;
    size_t max_rows = 5000;
    int standardize = 0;
    const cli_option options[] = {
        {"data", CLI_OPT_STRING, &spec, "FILE", "a labelled table (CSV, IDX; docs/DATA.md) to "
                                                "embed; without it the page has the seed data"},
        {"out", CLI_OPT_STRING, &out, "FILE.html", "the page to write (atomically)"},
        {"max-rows", CLI_OPT_SIZE, &max_rows, "N", "embed the first N rows (default 5000; 0 = all)"},
        {"standardize", CLI_OPT_FLAG, &standardize, NULL,
         "embed (x − mean) / std per feature (scikit-learn's StandardScaler)"},
        {"page", CLI_OPT_STRING, &page, "FILE", "the playground page to start from (default: "
                                                "web/playground.html beside this program)"},
    };
    const cli_command cmd = {
        .name = "play",
        .summary = "Writes the playground: one HTML file that trains dropnet (as WebAssembly) "
                   "in the browser, offline, optionally on your own table.",
        .usage = "[--data FILE] --out FILE.html",
        .options = options,
        .option_count = CLI_COUNT(options),
    };
    int exit_code;
    if (cli_parse_command(&cmd, argc, argv, &exit_code) != 0) return exit_code;
    if (out == NULL) return cli_error(2, "play: --out FILE.html is required");
    return run_play(spec, out, page, max_rows, standardize);
}
