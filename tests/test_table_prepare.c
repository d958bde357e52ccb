/* test_table_prepare.c — missing values and categorical columns (issue 13) through the dropnet
 * binary and the library: --impute's fill values equal scikit-learn's SimpleImputer fitted on the
 * training rows only (not the validation rows), the one-hot encoding equals OneHotEncoder(
 * handle_unknown='ignore') on new data with its columns reordered, an unknown category and
 * missing cells, predict gives on that file what the model gives on scikit-learn's matrix, and
 * every refusal names its line, column and fix. The reference is tests/tables/
 * prepare_reference.py, run with /usr/bin/python3 (pandas, scikit-learn). */
#include "test.h"

#include "dropnet.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char output[1 << 16];
static char dir[64];

#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

enum { ROWS = 40, KEPT = 30, INPUTS = 9 }; /* --val-split 0.25 keeps 30 rows (Keras) */

static void write_file(const char *name, const char *text) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    fputs(text, f);
    fclose(f);
}

/* 40 rows: age (numbers, missing as "", NA, NaN, nan, ?, N/A, null), color (text, one "?"),
 * size (numbers), grade (numbers and text mixed: categorical), label (yes/no). The 10 rows a
 * --val-split 0.25 holds out carry ages of 1000 and a color "purple" that the training rows never
 * show, so that statistics taken from them would be visibly wrong. */
static void write_train(void) {
    static const char *const missing[] = {"", "NA", "NaN", "nan", "?", "N/A", "null"};
    static const char *const colors[] = {"red", "green", "blue", "red", "green"};
    static const char *const grades[] = {"1", "2", "A", "2", "1", "B"};
    char path[128];
    snprintf(path, sizeof path, "%s/train.csv", dir);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    fputs("age,color,size,grade,label\n", f);
    for (int r = 0; r < ROWS; ++r) {
        if (r >= KEPT) fprintf(f, "%d", 1000 + r);
        else if (r % 5 == 2) fputs(missing[(r / 5) % 7], f);
        else fprintf(f, "%d", 20 + (r * 7) % 23);
        fprintf(f, ",%s", r == 7 ? "?" : r >= KEPT ? "purple" : colors[r % 5]);
        fprintf(f, ",%.1f", (r % 9) * 0.5 + (r == 11 ? 100.0 : 0.0));
        fprintf(f, ",%s", r % 13 == 4 ? "" : grades[r % 6]);
        fprintf(f, ",%s\n", (r * 3) % 7 < 3 ? "yes" : "no");
    }
    fclose(f);
}

/* New data: the columns reordered, an id and an extra column, missing cells, an unknown color
 * ("purple": held out of training) and an unknown grade ("C"). */
static const char NEW_CSV[] =
    "id,grade,size,extra,color,age\n"
    "a,1,2.5,9,red,33\n"
    "b,C,0.5,9,purple,NaN\n"
    "c,,4.0,9,blue,\n"
    "d,A,?,9,?,41\n";

/* Trains on train.csv with --impute `strategy` and checks the stored fills and categories
 * against scikit-learn, which also writes the expected matrix of new.csv to expected.csv. */
static int train_and_check(const char *strategy) {
    if (!CHECK(cli("train --train train.csv --model dense:2:softmax --epochs 2 --val-split 0.25 "
                   "--impute %s --out %s.st", strategy, strategy) == 0))
        return dn_test_fail(__FILE__, __LINE__, "%s", output);
    CHECK_MSG(strstr(output, "note: train.csv: categories and fill values come from the 30 "
                             "training rows only, not from the rows held out\n") != NULL, "%s",
              output);
    CHECK_MSG(strstr(output, "warning: train.csv (validation rows): 10 cells hold a category the "
                             "training rows did not") != NULL, "%s", output);
    char command[512];
    snprintf(command, sizeof command, "/usr/bin/python3 tests/tables/prepare_reference.py "
             "%s/train.csv %d %s %s/%s.st %s/new.csv %s/expected.csv 2>&1", dir, KEPT, strategy,
             dir, strategy, dir, dir);
    int status = dn_test_run(command, output, sizeof output);
    return CHECK_MSG(status == 0 && strstr(output, "ok ") != NULL, "%s", output);
}

/* expected.csv's 4 × INPUTS values. */
static int read_expected(float *x) {
    char path[128];
    snprintf(path, sizeof path, "%s/expected.csv", dir);
    FILE *f = fopen(path, "r");
    int n = 0;
    for (float v; f != NULL && n < 4 * INPUTS && fscanf(f, "%f%*[,\n]", &v) == 1;) x[n++] = v;
    if (f) fclose(f);
    return CHECK_MSG(n == 4 * INPUTS, "expected.csv holds %d values, not %d", n, 4 * INPUTS);
}

/* new.csv read with the model's columns and preprocessing, as eval/predict read it. */
static dn_dataset *open_like_model(const dn_model *m) {
    const char *names[] = {"age", "color", "size", "grade"};
    char path[128];
    snprintf(path, sizeof path, "%s/new.csv", dir);
    dn_dataset_options o = {.feature_columns = names, .feature_column_count = 4,
                            .label_column = "label", .label_optional = 1, .id_column = "id",
                            .preprocessing = dn_model_get_metadata(m, "preprocessing")};
    dn_dataset *d = NULL;
    dn_error err;
    if (!CHECK_MSG(dn_dataset_open(&d, path, &o, &err) == DN_OK, "%s", err.message)) return NULL;
    return d;
}

TEST(table_prepare_impute_and_one_hot_match_scikit_learn) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-prepare-XXXXXX");
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    write_train();
    write_file("new.csv", NEW_CSV);
    const char *strategies[] = {"mean", "median", "most_frequent"};
    for (int s = 0; s < 3; ++s) {
        if (!train_and_check(strategies[s])) continue;
        float want[4 * INPUTS], got[INPUTS];
        char model_path[128];
        snprintf(model_path, sizeof model_path, "%s/%s.st", dir, strategies[s]);
        dn_model *m = NULL;
        if (!read_expected(want) || !CHECK(dn_model_load(&m, model_path, NULL) == DN_OK)) continue;
        dn_dataset *d = open_like_model(m);
        CHECK(d != NULL && dn_dataset_features(d) == INPUTS && dn_dataset_rows(d) == 4);
        /* color: blue, green, red (purple is only in the held-out rows: unknown) */
        CHECK(d != NULL && strcmp(dn_dataset_feature_name(d, 1), "color=blue") == 0);
        for (size_t r = 0; d != NULL && r < 4; ++r) {
            dn_dataset_get_row(d, r, got, NULL);
            for (int j = 0; j < INPUTS; ++j)
                CHECK_MSG(fabsf(got[j] - want[r * INPUTS + j]) <= 1e-5f * fmaxf(1.0f, fabsf(got[j])),
                          "%s: row %zu input %d: dropnet %.9g, scikit-learn %.9g", strategies[s],
                          r, j, (double)got[j], (double)want[r * INPUTS + j]);
        }
        /* row b: color purple and grade C unknown: all zeros in their blocks */
        for (int j = 1; d != NULL && j < 4; ++j) CHECK(want[INPUTS + j] == 0.0f);
        CHECK(d != NULL && dn_dataset_warning(d) != NULL &&
              strstr(dn_dataset_warning(d), "\"color\" 1 (first \"purple\")") != NULL);
        dn_dataset_free(d);
        dn_model_free(m);
    }
    dn_test_remove_dir(dir);
}

TEST(table_prepare_predict_on_reordered_columns_equals_the_reference_matrix) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-prepare-XXXXXX");
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    write_train();
    write_file("new.csv", NEW_CSV);
    float want[4 * INPUTS], y[4 * 2];
    char model_path[128];
    snprintf(model_path, sizeof model_path, "%s/mean.st", dir);
    dn_model *m = NULL;
    if (!train_and_check("mean") || !read_expected(want) ||
        !CHECK(dn_model_load(&m, model_path, NULL) == DN_OK))
        return;
    CHECK(dn_model_predict(m, want, 4, y, NULL) == DN_OK);
    CHECK(cli("predict --model mean.st --data new.csv --id id") == 0);
    CHECK_MSG(strstr(output, "warning: new.csv: 2 cells hold a category the training rows did "
                             "not, encoded as all zeros (--strict refuses them): \"color\" 1 "
                             "(first \"purple\"), \"grade\" 1 (first \"C\")") != NULL, "%s", output);
    CHECK(strstr(output, "note: new.csv: 1 column not used by the model, ignored: \"extra\"") != NULL);
    /* "id",predicted,p_no,p_yes: each row's probabilities are the model's on the reference row */
    const char *line = strstr(output, "\"id\",predicted,p_no,p_yes\n");
    for (int r = 0; CHECK(line != NULL) && r < 4; ++r) {
        line = strchr(line, '\n') + 1;
        char id[8], label[8];
        double p0, p1;
        CHECK(sscanf(line, "\"%7[^\"]\",\"%7[^\"]\",%lf,%lf", id, label, &p0, &p1) == 4);
        CHECK(id[0] == "abcd"[r]);
        CHECK_NEAR(p0, (double)y[2 * r], 2e-6);
        CHECK_NEAR(p1, (double)y[2 * r + 1], 2e-6);
    }
    /* --strict: the first unknown category is an error naming line, column and value */
    CHECK(cli("predict --model mean.st --data new.csv --strict") == 1);
    CHECK_MSG(strstr(output, "new.csv:3:5: column \"color\" holds \"purple\", a category the "
                             "training rows did not (they hold 3)") != NULL, "%s", output);
    /* trace and eval read the file the same way */
    CHECK(cli("trace --model mean.st --data new.csv") == 0);
    CHECK_MSG(strstr(output, "9 features") != NULL && strstr(output, "Input ") != NULL, "%s", output);
    CHECK(cli("eval --model mean.st --data train.csv") == 0);
    CHECK_MSG(strstr(output, "(40 examples)") != NULL, "%s", output);
    /* summary says which columns were encoded and the width */
    CHECK(cli("summary --model mean.st") == 0);
    CHECK_MSG(strstr(output, "inputs: one-hot encoded (categories sorted, as scikit-learn's "
                             "OneHotEncoder): color 3 (blue, green, red), grade 4 (1, 2, A, B); 9 "
                             "inputs from 4 columns") != NULL, "%s", output);
    dn_model_free(m);
    dn_test_remove_dir(dir);
}

TEST(table_prepare_refusals_name_line_column_and_fix) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-prepare-XXXXXX");
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    write_train();
    /* no --impute: the first missing cell, by line, column and name, and both fixes */
    CHECK(cli("train --train train.csv --model dense:2:softmax --out m.st") == 1);
    CHECK_MSG(strstr(output, "train.csv:4:1: column \"age\" has a missing value and no imputation: "
                             "give --impute mean|median|most_frequent (at train), or leave the "
                             "column out with --ignore \"age\"") != NULL, "%s", output);
    CHECK(access("m.st", F_OK) != 0);
    /* a missing label names its row */
    write_file("nolabel.csv", "a,b,label\n1,2,x\n3,4,NA\n");
    CHECK(cli("train --train nolabel.csv --model dense:2:softmax --out m.st --impute mean") == 1);
    CHECK_MSG(strstr(output, "nolabel.csv:3:3: the label is missing (\"NA\")") != NULL, "%s", output);
    /* a bad --impute */
    CHECK(cli("train --train train.csv --model dense:2:softmax --out m.st --impute mode") == 2);
    CHECK(strstr(output, "--impute must be none, mean, median or most_frequent") != NULL);
    /* a numeric-only file makes a model with no preprocessing (as before); new data with a
     * missing cell is then refused as before */
    write_file("plain.csv", "a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
    CHECK(cli("train --train plain.csv --model dense:2:softmax --out plain.st") == 0);
    CHECK(cli("summary --model plain.st") == 0);
    CHECK(strstr(output, "preprocessing") == NULL);
    write_file("gap.csv", "a,b\n1,\n");
    CHECK(cli("predict --model plain.st --data gap.csv") == 1);
    CHECK_MSG(strstr(output, "gap.csv:2:2: expected a number, found an empty cell") != NULL, "%s",
              output);
    /* --test files against training data that needed no preparation: a missing cell, text */
    write_file("gap_test.csv", "a,b,label\n1,2,x\n,4,y\n");
    CHECK(cli("train --train plain.csv --test gap_test.csv --model dense:2:softmax --out t.st") == 1);
    CHECK_MSG(strstr(output, "gap_test.csv:3:1: column \"a\" has a missing value and no "
                             "imputation") != NULL, "%s", output);
    write_file("text_test.csv", "a,b,label\n1,2,x\n3,big,y\n");
    CHECK(cli("train --train plain.csv --test text_test.csv --model dense:2:softmax --out t.st") == 1);
    CHECK_MSG(strstr(output, "text_test.csv: column \"b\" holds text (\"2\") but numbers in "
                             "the training rows (plain.csv)") != NULL, "%s", output);
    /* a text column different on every row is an identifier, not a category */
    char ids[512] = "name,a,label\n";
    for (int r = 0; r < 12; ++r)
        snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "n%02d,%d,%s\n", r, r, r % 2 ? "x" : "y");
    write_file("ids.csv", ids);
    CHECK(cli("train --train ids.csv --model dense:2:softmax --out t.st") == 1);
    CHECK_MSG(strstr(output, "ids.csv: column \"name\" holds a different text on each of the 12 "
                             "training rows (\"n00\", ...): an identifier, not a category; leave "
                             "it out with --ignore \"name\"") != NULL, "%s", output);
    CHECK(cli("train --train ids.csv --model dense:2:softmax --out t.st --ignore name") == 0);
    dn_test_remove_dir(dir);
}

/* Replaces every `from` in `text` by `to`, into out. */
static void replace_all(const char *text, const char *from, const char *to, char *out, size_t size) {
    size_t used = 0, n = strlen(from);
    out[0] = '\0';
    for (const char *p = text; *p && used + 1 < size;) {
        if (strncmp(p, from, n) == 0) {
            used += (size_t)snprintf(out + used, size - used, "%s", to);
            p += n;
        } else {
            out[used++] = *p++;
            out[used] = '\0';
        }
    }
}

/* 1 when lines a and b (each up to its line break) are equal but for their numbers, which may
 * differ by 0.002 (a CPU with other kernels rounds the last digits differently). */
static int same_but_numbers(const char *a, const char *b) {
    while (*a && *a != '\n' && *b && *b != '\n') {
        int digit_a = (*a >= '0' && *a <= '9'), digit_b = (*b >= '0' && *b <= '9');
        if (digit_a && digit_b) {
            char *ea, *eb;
            double x = strtod(a, &ea), y = strtod(b, &eb);
            if (fabs(x - y) > 0.002) return 0;
            a = ea, b = eb;
        } else if (*a++ != *b++) {
            return 0;
        }
    }
    return (*a == '\0' || *a == '\n') && (*b == '\0' || *b == '\n');
}

/* A line of `text` that is `line`, but for small differences in its numbers. */
static int holds_line(const char *text, const char *line) {
    for (const char *p = text; p != NULL && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (same_but_numbers(p, line)) return 1;
    return 0;
}

/* The README's walkthrough (between <!-- tables:begin --> and <!-- tables:end -->): its files are
 * what examples/tables/make_tables.py writes, its commands run, and every line it shows as their
 * output is in what they print (the epoch lines, elided with "...", aside; numbers within 0.002). */
TEST(table_prepare_readme_walkthrough_is_true) {
    static char readme[1 << 17], ran[1 << 17], one[1 << 16];
    snprintf(dir, sizeof dir, "/tmp/dropnet-prepare-XXXXXX");
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    char command[1024];
    snprintf(command, sizeof command, "/usr/bin/python3 examples/tables/make_tables.py %s && "
             "cmp %s/churn.csv examples/tables/churn.csv && cmp %s/new_customers.csv "
             "examples/tables/new_customers.csv 2>&1", dir, dir, dir);
    CHECK_MSG(dn_test_run(command, one, sizeof one) == 0, "make_tables.py: %s", one);
    FILE *f = fopen("README.md", "r");
    size_t n = f ? fread(readme, 1, sizeof readme - 1, f) : 0;
    readme[n] = '\0';
    if (f) fclose(f);
    char *begin = strstr(readme, "<!-- tables:begin -->"), *end = strstr(readme, "<!-- tables:end -->");
    if (!CHECK_MSG(begin != NULL && end != NULL, "README.md lacks the tables markers")) return;
    *end = '\0';
    char model[128], cli_with_path[600];
    snprintf(model, sizeof model, "%s/churn.safetensors", dir);
    snprintf(cli_with_path, sizeof cli_with_path, "%s", dn_test_cli_path());
    size_t used = 0, commands = 0, shown = 0;
    for (char *line = strtok(begin, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "./build/dropnet ", 16) != 0) continue;
        char with_model[1024], full[2048];
        replace_all(line + 16, "churn.safetensors", model, with_model, sizeof with_model);
        snprintf(full, sizeof full, "%s %s 2>&1", cli_with_path, with_model);
        CHECK_MSG(dn_test_run(full, one, sizeof one) == 0, "%s\n%s", full, one);
        used += (size_t)snprintf(ran + used, sizeof ran - used, "%s", one);
        commands++;
    }
    CHECK(commands == 2);
    /* strtok cut the section at its line breaks: walk its lines again */
    for (char *line = begin; line < end; line += strlen(line) + 1) {
        while (*line == '\n') line++; /* strtok leaves the breaks of blank lines */
        if (line >= end) break;
        if (line[0] == '\0' || strncmp(line, "```", 3) == 0 || strcmp(line, "...") == 0 ||
            strncmp(line, "./build/dropnet ", 16) == 0 || strncmp(line, "<!--", 4) == 0 ||
            strncmp(line, "New customers", 13) == 0 || strncmp(line, "showed and", 10) == 0)
            continue;
        shown++;
        CHECK_MSG(holds_line(ran, line), "README.md shows \"%s\", which the run did not print:\n%s",
                  line, ran);
    }
    CHECK(shown >= 15);
    dn_test_remove_dir(dir);
}

/* rows lines "a,color,label" of `colors` categories into dir/name; returns its size in bytes. */
static size_t write_colors(const char *name, int rows, int colors) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return 0;
    fputs("a,color,label\n", f);
    for (int r = 0; r < rows; ++r) fprintf(f, "%d,c%02d,%c\n", r % 17, r % colors, "xy"[r % 2]);
    size_t size = (size_t)ftell(f);
    fclose(f);
    return size;
}

/* A shell prefix limiting the address space to 2 GiB, so that an attempt at a huge allocation
 * fails at once instead of paging; none under AddressSanitizer, whose shadow memory alone
 * reserves terabytes of addresses (the build of `make test-asan`). */
#if defined(__SANITIZE_ADDRESS__)
#define ADDRESS_LIMIT ""
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ADDRESS_LIMIT ""
#endif
#endif
#ifndef ADDRESS_LIMIT
#define ADDRESS_LIMIT "ulimit -v 2000000 && "
#endif

/* --max-memory counts what reading a categorical column holds: per category cell a pointer to its
 * text until every row is read, one column of pointers to sort them by, every row's line, then
 * the categories' copies; and once encoded, the one-hot width of the data sets. */
TEST(table_prepare_memory_cap_counts_category_cells) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-prepare-XXXXXX");
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    enum { N = 1000 };
    size_t text = write_colors("cat.csv", N, 3);
    /* the text, x (N × 2 floats), class ids (N int32), the label cells kept for naming the
     * classes (N × {pointer, line}): all a numeric file of this shape holds */
    size_t numeric = text + N * 2 * 4 + N * 4 + N * 2 * sizeof(size_t);
    /* read raw: every row's line; the color cells and one column to sort them */
    size_t reading = numeric + N * sizeof(size_t) + 2 * N * sizeof(char *);
    size_t categories = 3 * sizeof(char *) + 3 * 4; /* "c00" "c01" "c02" with their NULs */
    /* a cap the first reading (which finds the text column, holding no cells for it) fits in */
    size_t cap = numeric + N * sizeof(size_t) + 1000;
    CHECK(cli("train --train cat.csv --model dense:2:softmax --epochs 1 --out m.st "
              "--max-memory %zu", cap) == 1);
    char want[256];
    snprintf(want, sizeof want, "--max-memory: cat.csv: loading 1000 rows x 2 features (with the "
             "file's text and the cells of 1 category column) needs %.1f KiB, over the memory "
             "limit of %.1f KiB", (double)reading / 1024.0, (double)cap / 1024.0);
    CHECK_MSG(strstr(output, want) != NULL, "want %s\ngot %s", want, output);
    CHECK(access("m.st", F_OK) != 0);
    /* the reading fits; the categories' copies do not (equal in KiB: said in bytes) */
    CHECK(cli("train --train cat.csv --model dense:2:softmax --epochs 1 --out m.st "
              "--max-memory %zu", reading) == 1);
    snprintf(want, sizeof want, "cat.csv: keeping the categories of 1 column (with the file's "
             "text) needs %zu B, over the memory limit of %zu B", reading + categories, reading);
    CHECK_MSG(strstr(output, want) != NULL, "want %s\ngot %s", want, output);
    /* with them the file is read (and the model is what no longer fits) */
    CHECK(cli("train --train cat.csv --model dense:2:softmax --epochs 1 --out m.st "
              "--max-memory %zu", reading + categories) == 1);
    CHECK_MSG(strstr(output, "the model needs") != NULL && strstr(output, "cat.csv: loading") == NULL &&
                  strstr(output, "cat.csv: keeping") == NULL, "%s", output);
    /* 60 categories: 2000 rows take 2000 × 60 one-hot floats once encoded (480 000 bytes), not
     * the 2 × 2000 the raw reading held; the data budget counts the encoded width */
    write_colors("wide.csv", 2000, 60);
    /* the data budget counts the encoded width before encoding: the rows as read (2000 × 2
     * floats + 2000 class ids), their encoded copy (2000 × 61 floats + ids) and the working copy
     * dn_dataset_prepare makes of the rows as read */
    size_t as_read = 2000 * 2 * 4 + 2000 * 4, encoded = 2000 * 61 * 4 + 2000 * 4;
    CHECK(cli("train --train wide.csv --model dense:2:softmax --epochs 1 --out m.st "
              "--max-memory 400000") == 1);
    snprintf(want, sizeof want, "--max-memory 400000: wide.csv: encoding the categories and filling "
             "the missing cells needs %zu bytes (0.5 MiB) at its peak (the data as read %zu bytes, "
             "encoded %zu), over the limit", 2 * as_read + encoded, as_read, encoded);
    CHECK_MSG(strstr(output, want) != NULL, "want %s\ngot %s", want, output);
    /* 200 000 rows of a column of 100 000 categories: 80 GB once encoded, from a 2 MiB file.
     * Refused by the count before the encoding is allocated: an attempt would end as "out of
     * memory" instead (under the 2 GiB address-space limit, or on a machine with less than 80 GB
     * of memory and swap). */
    char path[128];
    snprintf(path, sizeof path, "%s/huge.csv", dir);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    fputs("a,color,label\n", f);
    for (int r = 0; r < 200000; ++r) fprintf(f, "%d,c%05d,%c\n", r % 17, r % 100000, "xy"[r % 2]);
    fclose(f);
    char command[512];
    snprintf(command, sizeof command, "cd %s && %s%s train --train huge.csv --model dense:2:softmax "
             "--epochs 1 --out m.st --max-memory 1G 2>&1", dir, ADDRESS_LIMIT, dn_test_cli_path());
    CHECK(dn_test_run(command, output, sizeof output) == 1);
    size_t huge_read = 200000 * 2 * 4 + 200000 * 4, huge = (size_t)200000 * 100001 * 4 + 200000 * 4;
    snprintf(want, sizeof want, "--max-memory 1G: huge.csv: encoding the categories and filling "
             "the missing cells needs %zu bytes", 2 * huge_read + huge);
    CHECK_MSG(strstr(output, want) != NULL && strstr(output, "out of memory") == NULL,
              "want %s\ngot %s", want, output);
    /* --test read with the training rows' categories: its encoded rows are counted before they
     * are made (20 000 rows × 61 inputs, 4.9 MiB, where the file as read took 0.5 MiB) */
    write_colors("small.csv", 120, 60);
    write_colors("big.csv", 20000, 60);
    CHECK(cli("train --train small.csv --test big.csv --model dense:2:softmax --epochs 1 "
              "--out m.st --max-memory 2M") == 1);
    CHECK_MSG(strstr(output, "--max-memory: big.csv: encoding 20000 rows to 61 inputs (next to "
                             "the 2 columns read) needs 4.9 MiB, over the memory limit of") != NULL,
              "%s", output);
    CHECK(access("m.st", F_OK) != 0);
    dn_test_remove_dir(dir);
}

/* dn_dataset_prepared_bytes says beforehand what dn_dataset_prepare makes: 40 rows of the
 * training file prepared against its first 30 (their categories: 9 inputs, purple unknown) take
 * 40 × 9 floats and 40 class ids; and a dataset that needs nothing, its own size. */
TEST(table_prepare_bytes_are_known_before_preparing) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-prepare-XXXXXX");
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    write_train();
    char path[128];
    snprintf(path, sizeof path, "%s/train.csv", dir);
    dn_dataset_options o = {.label_column = "label", .raw_columns = 1};
    dn_dataset *all = NULL, *fit = NULL, *prepared = NULL, *plain = NULL;
    dn_error err;
    size_t bytes = 0;
    CHECK_OK(dn_dataset_open(&all, path, &o, &err), &err);
    if (all != NULL) CHECK_OK(dn_dataset_slice(all, 0, KEPT, &fit, &err), &err);
    if (fit != NULL) {
        CHECK_OK(dn_dataset_prepared_bytes(all, fit, DN_IMPUTE_MEDIAN, &bytes, &err), &err);
        CHECK_MSG(bytes == ROWS * INPUTS * 4 + ROWS * 4, "%zu bytes", bytes);
        CHECK_OK(dn_dataset_prepare(all, fit, DN_IMPUTE_MEDIAN, &prepared, &err), &err);
        CHECK(prepared != NULL && dn_dataset_features(prepared) == INPUTS &&
              dn_dataset_bytes(prepared) == bytes);
        /* prepared data needs nothing more: a copy of the same size */
        CHECK_OK(dn_dataset_prepared_bytes(prepared, prepared, DN_IMPUTE_NONE, &bytes, &err), &err);
        CHECK(bytes == dn_dataset_bytes(prepared));
        CHECK_OK(dn_dataset_prepare(prepared, prepared, DN_IMPUTE_NONE, &plain, &err), &err);
        CHECK(plain != NULL && dn_dataset_bytes(plain) == bytes);
        /* the same argument checks as dn_dataset_prepare */
        CHECK(dn_dataset_prepared_bytes(all, fit, (dn_impute)9, &bytes, &err) == DN_ERR_ARGUMENT &&
              bytes == 0);
        CHECK(dn_dataset_prepared_bytes(all, prepared, DN_IMPUTE_MEAN, &bytes, &err) == DN_ERR_ARGUMENT);
        CHECK_MSG(strstr(err.message, "raw_columns") != NULL, "%s", err.message);
    }
    dn_dataset_free(plain);
    dn_dataset_free(prepared);
    dn_dataset_free(fit);
    dn_dataset_free(all);
    dn_test_remove_dir(dir);
}
