/* cmd_play.c — `dropnet play`: the playground page (docs/PLAYGROUND.md) written with the user's
 * own table in it, so a learner opens one file and trains on their data in the browser.
 *
 * The page is the one `make web` builds (build/web/playground.html, found next to this binary,
 * or --page FILE). Its data slot, <script id="pg-data" type="application/json">null</script>, is
 * replaced by the table as JSON: features as numbers with 9 significant digits (floats survive
 * the trip exactly), labels as class ids, class names when the file has them. */
#include "commands.h"
#include "common/cli_error.h"
#include "common/options.h"

#include "dropnet.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char SLOT[] = "<script id=\"pg-data\" type=\"application/json\">null</script>";
static const char SLOT_OPEN[] = "<script id=\"pg-data\" type=\"application/json\">";
/* The page holds the table as text: a cap on what a browser tab is asked to parse. */
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

static dn_status write_table(FILE *f, const play_page *p, dn_error *err) {
    size_t rows = dn_dataset_rows(p->data), features = dn_dataset_features(p->data);
    size_t classes = dn_dataset_classes(p->data);
    float *x = malloc((features ? features : 1) * sizeof(float));
    if (x == NULL) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return err->status = DN_ERR_MEMORY;
    }
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
    fprintf(f, "],\"x\":[");
    dn_status st = DN_OK;
    for (size_t r = 0; r < rows && st == DN_OK; ++r) {
        st = dn_dataset_get_row(p->data, r, x, err);
        for (size_t j = 0; j < features && st == DN_OK; ++j) {
            float v = p->mean ? (x[j] - p->mean[j]) / p->std[j] : x[j];
            fprintf(f, r || j ? ",%.9g" : "%.9g", (double)v);
        }
    }
    fprintf(f, "],\"y\":[");
    for (size_t r = 0; r < rows; ++r)
        fprintf(f, r ? ",%d" : "%d", (int)dn_dataset_label(p->data, r));
    fprintf(f, "]}");
    free(x);
    return st;
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
