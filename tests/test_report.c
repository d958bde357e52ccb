/* test_report.c — `--report FILE.html` on demo, train and compare: every section present, its
 * numbers equal to the run's --log and printed output, nothing fetched, bad paths refused without
 * a file left behind; and, where Debian's chromium is installed, the page rendered headless. */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char output[1 << 20];
static char dir[64];

/* Runs the CLI inside `dir`, output into `output`. */
#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

static void setup_dir(void) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-report-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
}

static void remove_dir(void) { CHECK(dn_test_remove_dir(dir)); }

/* The whole file `name` in dir, NUL-terminated (caller frees), or NULL. */
static char *slurp(const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (text && fread(text, 1, (size_t)size, f) != (size_t)size) {
        free(text);
        text = NULL;
    }
    if (text) text[size] = '\0';
    fclose(f);
    return text;
}

static size_t count(const char *text, const char *needle) {
    size_t n = 0;
    for (const char *at = strstr(text, needle); at; at = strstr(at + 1, needle)) ++n;
    return n;
}

static int has(const char *text, const char *needle) {
    return CHECK_MSG(text && strstr(text, needle) != NULL, "report lacks: %s", needle);
}

static double json_number(const char *line, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(line, pattern);
    if (at == NULL || strncmp(at + strlen(pattern), "null", 4) == 0) return NAN;
    return strtod(at + strlen(pattern), NULL);
}

/* "0.1234" as the report writes a metric, "–" when the log has null. */
static void metric(char *buf, size_t size, double v) {
    if (isnan(v)) snprintf(buf, size, "–");
    else snprintf(buf, size, "%.4f", v);
}

/* Lines [first, first + n) of the JSON-lines log each appear as a row of the table `table_id`.
 * Returns the last line's val_accuracy. */
static double check_log_rows(const char *html, const char *log_name, int first, int n,
                             const char *table_id) {
    char *log = slurp(log_name), id[64], *line = log, *save = NULL;
    CHECK(log != NULL);
    snprintf(id, sizeof id, "id=\"%s\"", table_id);
    const char *table = html ? strstr(html, id) : NULL;
    CHECK_MSG(table != NULL, "no table %s", table_id);
    double last = NAN;
    for (int i = 0; log && table && (line = strtok_r(i ? NULL : log, "\n", &save)) && i < first + n; ++i) {
        if (i < first) continue;
        char loss[16], acc[16], vloss[16], vacc[16], row[160];
        metric(loss, sizeof loss, json_number(line, "loss"));
        metric(acc, sizeof acc, json_number(line, "accuracy"));
        metric(vloss, sizeof vloss, json_number(line, "val_loss"));
        metric(vacc, sizeof vacc, json_number(line, "val_accuracy"));
        snprintf(row, sizeof row, "<tr><td>%.0f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>",
                 json_number(line, "epoch"), loss, acc, vloss, vacc);
        CHECK_MSG(strstr(table, row) != NULL, "table %s lacks the log's row %s", table_id, row);
        last = json_number(line, "val_accuracy");
    }
    free(log);
    return last;
}

static void check_self_contained(const char *html) {
    CHECK(count(html, "<svg") == count(html, "</svg>"));
    CHECK(strstr(html, " src=") == NULL && strstr(html, "<link") == NULL);
    CHECK(strstr(html, "@import") == NULL && strstr(html, "url(http") == NULL);
    /* The only address is the SVG namespace name, which is never fetched. */
    CHECK(count(html, "http") == count(html, "http://www.w3.org/2000/svg"));
    static const char *const sections[] = {"id=\"pipeline\"", "id=\"training\"", "id=\"mask\"",
                                           "id=\"predictions\"", "id=\"confusion\"",
                                           "id=\"weights\"", "id=\"reproduce\""};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; ++i) has(html, sections[i]);
}

TEST(report_demo_sections_match_the_log_and_the_trace) {
    setup_dir();
    CHECK(cli("demo --epochs 3 --log log.jsonl --report r.html") == 0);
    static char printed[sizeof output];
    memcpy(printed, output, sizeof output);
    char *html = slurp("r.html");
    CHECK(html != NULL);
    if (html) {
        check_self_contained(html);
        double val_accuracy = check_log_rows(html, "log.jsonl", 0, 3, "epochs");
        char text[160];
        /* The confusion matrix counts the same 200 validation rows fit validated on. */
        snprintf(text, sizeof text, "Accuracy on the 200 validation examples: <strong>%.4f</strong>",
                 val_accuracy);
        has(html, text);
        has(html, "<th>243</th>"); /* total params */
        has(html, "shape (None, 20)");
        has(html, "210 params (20×10 + 10)");
        /* The mask section counts what the demo's data-flow line printed. */
        unsigned dropped = 0, total = 0;
        const char *at = strstr(printed, "this batch: ");
        CHECK(at && sscanf(at, "this batch: %u of %u dropped", &dropped, &total) == 2);
        snprintf(text, sizeof text, "Dropped <strong>%u of %u</strong> values", dropped, total);
        has(html, text);
        has(html, "32 examples × 20 units");
        /* The first traced example is the demo's, with the same prediction. */
        at = strstr(printed, "Predicted class ");
        char predicted[64] = "";
        CHECK(at && sscanf(at, "Predicted class %63[^,]", predicted) == 1);
        has(html, "validation example #800");
        has(html, predicted);
        has(html, "kernel 20 × 10 = 200 weights");
        has(html, "<th class=\"text\">seed</th><td class=\"text\">42</td>");
        has(html, "<td class=\"text\">0.1.0</td>");
        has(html, "dropnet demo --epochs 3 --log log.jsonl --report r.html");
    }
    CHECK(strstr(printed, "Report written to r.html") != NULL);
    free(html);
    remove_dir();
}

TEST(report_is_deterministic_for_a_seed) {
    setup_dir();
    CHECK(cli("demo --epochs 2 --seed 5 --report r.html") == 0);
    char *first = slurp("r.html");
    CHECK(cli("demo --epochs 2 --seed 5 --report r.html") == 0);
    char *second = slurp("r.html");
    CHECK(first && second && strcmp(first, second) == 0);
    CHECK(cli("demo --epochs 2 --seed 6 --report r.html") == 0);
    char *third = slurp("r.html");
    CHECK(first && third && strcmp(first, third) != 0);
    free(first);
    free(second);
    free(third);
    remove_dir();
}

/* Gaussian blobs in 4 features with awkward class names: HTML must escape them. */
static void write_blobs(const char *name, int rows, unsigned seed) {
    static const char *names[] = {"<cat>", "dog&co", "emu"};
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fprintf(f, "f1,f2,f3,f4,animal\n");
    srand(seed);
    for (int r = 0; r < rows; ++r) {
        int c = rand() % 3;
        for (int j = 0; j < 4; ++j)
            fprintf(f, "%.4f,", (j == c ? 2.0 : 0.0) + ((double)rand() / RAND_MAX - 0.5) * 3.0);
        fprintf(f, "%s\n", names[c]);
    }
    fclose(f);
}

TEST(report_compare_draws_both_runs_and_the_gap) {
    setup_dir();
    write_blobs("train.csv", 400, 11);
    const char *spec = "dense:32:relu,dropout:0.5,dense:3:softmax";
    CHECK(cli("compare --train train.csv --val-split 0.25 --model %s --epochs 3 --log log.jsonl "
              "--report c.html --trace", spec) == 0);
    static char printed[sizeof output];
    memcpy(printed, output, sizeof output);
    CHECK(strstr(printed, "== without dropout (every rate 0) ==") != NULL);
    CHECK(strstr(printed, " epoch | loss   | accuracy") != NULL);
    char *html = slurp("c.html");
    CHECK(html != NULL);
    if (html) {
        check_self_contained(html);
        check_log_rows(html, "log.jsonl", 0, 3, "epochs");          /* the run with dropout */
        check_log_rows(html, "log.jsonl", 3, 3, "epochs-baseline"); /* the run without */
        has(html, "class=\"band hatch\"");
        has(html, "without dropout: validation");
        /* Each row of compare's printed table is a row of the report's gap table. */
        for (int e = 1; e <= 3; ++e) {
            char label[16], row[200];
            snprintf(label, sizeof label, "\n %-6d |", e);
            const char *at = strstr(printed, label);
            double v[6];
            CHECK(at && sscanf(at + strlen(label), "%lf | %lf | %lf | %lf | %lf | %lf", &v[0],
                               &v[1], &v[2], &v[3], &v[4], &v[5]) == 6);
            if (!at) continue;
            snprintf(row, sizeof row, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%+.4f</td>"
                     "<td>%.4f</td><td>%.4f</td><td>%+.4f</td></tr>", e, v[0], v[1], v[2], v[3],
                     v[4], v[5]);
            has(html, row);
        }
        has(html, "&lt;cat&gt;");
        has(html, "dog&amp;co");
        CHECK(strstr(html, "<cat>") == NULL);
        has(html, "Accuracy on the 100 validation examples");
        has(html, "validation example #300");
    }
    free(html);
    remove_dir();
}

TEST(report_train_on_images_draws_the_inputs) {
    if (access("/usr/share/datasets/fashion-mnist", R_OK) != 0) {
        SKIP("dataset-fashion-mnist is not installed; scripts/setup.sh installs it");
    }
    setup_dir();
    CHECK(cli("train --train fashion-mnist:train --max-rows 500 --val-split 0.2 --model "
              "dropout:0.2,dense:32:relu,dropout:0.5,dense:10:softmax --epochs 2 --out f.st "
              "--log log.jsonl --report f.html --trace") == 0);
    CHECK(strstr(output, "Training trace") != NULL && strstr(output, "report written to f.html") != NULL);
    char *html = slurp("f.html");
    CHECK(html != NULL);
    if (html) {
        check_self_contained(html);
        check_log_rows(html, "log.jsonl", 0, 2, "epochs");
        CHECK(count(html, "class=\"chart image\"") >= 3); /* an input (and its dropout) per example */
        has(html, "28 × 28 image");
        has(html, "32 examples × 784 units");
        has(html, "32 examples × 32 units");
        has(html, "validation examples: <strong>");
        has(html, "kernel 784 × 32 = 25088 weights");
    }
    free(html);
    remove_dir();
}

static int exists(const char *name) {
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

TEST(report_refuses_bad_paths_and_leaves_nothing_on_failure) {
    setup_dir();
    write_blobs("train.csv", 60, 3);
    CHECK(cli("demo --epochs 1 --report /nonexistent-dir/r.html") == 2);
    CHECK(strstr(output, "dropnet: error: demo: cannot write --report /nonexistent-dir/r.html") != NULL);
    CHECK(cli("train --train train.csv --model dense:3:softmax --out m.st --report nodir/r.html") == 2);
    CHECK(strstr(output, "--report nodir/r.html") != NULL);
    CHECK(cli("train --train missing.csv --model dense:3:softmax --out m.st --report r.html") == 1);
    CHECK(cli("compare --train train.csv --val-split 0.2 --model dense:4:softmax --report r.html") == 1);
    CHECK(!exists("r.html") && !exists("m.st"));
    char command[128];
    snprintf(command, sizeof command, "ls -a %s", dir);
    CHECK(dn_test_run(command, output, sizeof output) == 0 && strstr(output, "train.csv") != NULL);
    CHECK_MSG(strstr(output, ".tmp") == NULL, "left behind: %s", output);
    remove_dir();
}

/* `dropnet report` rebuilds the page of a finished `train` from its model and --log: the same
 * epoch table, the same confusion count on the same test rows; its inputs are never outputs. */
TEST(report_command_rebuilds_a_train_page_from_model_and_log) {
    setup_dir();
    write_blobs("train.csv", 300, 5);
    write_blobs("test.csv", 90, 6);
    CHECK(cli("train --train train.csv --test test.csv --val-split 0.2 --model "
              "dropout:0.2,dense:16:relu,dense:3:softmax --epochs 4 --out m.st --log log.jsonl "
              "--report during.html") == 0);
    CHECK(cli("report --model m.st --log log.jsonl --data test.csv --examples-name test "
              "--out after.html") == 0);
    CHECK(strstr(output, "report written to after.html") != NULL);
    char *during = slurp("during.html"), *after = slurp("after.html");
    CHECK(during != NULL && after != NULL);
    if (during && after) {
        check_self_contained(after);
        check_log_rows(after, "log.jsonl", 0, 4, "epochs");
        const char *line = strstr(during, "Accuracy on the 90 test examples: <strong>");
        CHECK(line != NULL);
        if (line) {
            char same[96];
            snprintf(same, sizeof same, "%.52s", line); /* the count and the 4-digit accuracy */
            has(after, same);
        }
        has(after, "Not recorded: this page was made after training");
        has(after, "dropnet report --model m.st --log log.jsonl");
        has(after, "&lt;cat&gt;");
    }
    free(during);
    free(after);
    /* an input as --out, a log that is not one, a missing model: refused, nothing written */
    CHECK(cli("report --model m.st --log log.jsonl --out log.jsonl") == 2);
    CHECK(strstr(output, "--out log.jsonl is the same file as --log log.jsonl") != NULL);
    CHECK(cli("report --model m.st --log m.st --out x.html") == 1); /* not JSON lines */
    CHECK(cli("report --model m.st --log train.csv --out x.html") == 1);
    CHECK(strstr(output, "train.csv:1: not a JSON object") != NULL);
    CHECK(cli("report --model none.st --log log.jsonl --out x.html") == 1);
    CHECK(!exists("x.html"));
    remove_dir();
}

/* The PNG's width and height from its IHDR chunk, or 0. */
static void png_size(const char *name, unsigned *width, unsigned *height) {
    char *data = slurp(name);
    *width = *height = 0;
    if (data && memcmp(data, "\x89PNG", 4) == 0) {
        const unsigned char *p = (const unsigned char *)data + 16;
        *width = (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
        *height = (unsigned)p[4] << 24 | (unsigned)p[5] << 16 | (unsigned)p[6] << 8 | p[7];
    }
    free(data);
}

static const char CHROMIUM[] = "/usr/bin/chromium";

static int chromium(const char *what, const char *page) {
    char command[2048];
    snprintf(command, sizeof command, "(cd %s && profile=$(mktemp -d) && timeout 120 %s --headless --no-sandbox "
             "--disable-gpu --disable-quic --no-first-run --disable-background-networking "
             "--disable-component-update --disable-sync --hide-scrollbars --user-data-dir=$profile "
             "--enable-logging=stderr --v=0 --window-size=1280,2000 %s file://%s/%s; code=$?; "
             "rm -rf $profile; exit $code)", dir, CHROMIUM, what, dir, page);
    return dn_test_run(command, output, sizeof output);
}

TEST(report_renders_in_headless_chromium) {
    if (access(CHROMIUM, X_OK) != 0) {
        SKIP("%s is not installed; scripts/setup.sh installs it", CHROMIUM);
    }
    setup_dir();
    CHECK(cli("demo --epochs 3 --report r.html") == 0);
    CHECK(chromium("--dump-dom", "r.html") == 0);
    /* The page's self-check: every figure has a size, nothing is wider than the window,
     * nothing was fetched; and the console stayed silent (no script or page errors). */
    const char *at = strstr(output, "selfcheck svgs=");
    unsigned svgs = 0, empty = 1, overflow = 1, fetched = 1;
    CHECK_MSG(at && sscanf(at, "selfcheck svgs=%u empty=%u overflow=%u fetched=%u", &svgs, &empty,
                           &overflow, &fetched) == 4, "no self-check in the rendered DOM");
    CHECK_MSG(svgs >= 12 && empty == 0 && overflow == 0 && fetched == 0,
              "svgs=%u empty=%u overflow=%u fetched=%u", svgs, empty, overflow, fetched);
    CHECK_MSG(strstr(output, ":CONSOLE") == NULL, "console messages: %s", strstr(output, ":CONSOLE"));
    CHECK(chromium("--screenshot=shot.png", "r.html") == 0);
    unsigned width, height;
    png_size("shot.png", &width, &height);
    CHECK_MSG(width == 1280 && height == 2000, "screenshot %u×%u", width, height);
    struct stat st;
    char path[128];
    snprintf(path, sizeof path, "%s/shot.png", dir);
    CHECK(stat(path, &st) == 0 && st.st_size > 30000); /* a blank page compresses to a few KB */
    remove_dir();
}
