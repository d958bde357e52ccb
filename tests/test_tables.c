/* test_tables.c — real tables through the dropnet binary (issue 13): a model remembers its
 * columns, so eval/predict pick them by name in any order, ignore extras (and say so), refuse a
 * missing one by name, match a headerless file by position, decide by name whether the label is
 * there, carry --id through, and print class values as the training file wrote them. */
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char output[1 << 16];
static char dir[64];

#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

enum { ROWS = 240 };
typedef enum { NAMES, ONE_BASED, SIGNED } label_kind;

/* Row r's class and its four features (class c puts a bump on feature c), fixed by r. */
static int row_class(int r) { return (r * 7 + r / 5) % 3; }
static double feature(int r, int j) {
    unsigned h = (unsigned)(r * 2654435761u + (unsigned)j * 40503u);
    double noise = (double)((h >> 8) % 1000) / 1000.0 - 0.5;
    return (j == row_class(r) ? 2.0 : 0.0) + noise * 2.0;
}

static const char *label_text(int r, label_kind kind, char *buf) {
    static const char *const names[] = {"setosa", "versicolor", "virginica"};
    if (kind == NAMES) return names[row_class(r)];
    if (kind == ONE_BASED) sprintf(buf, "%d", row_class(r) + 1);
    else sprintf(buf, "%d", row_class(r) == 0 ? -1 : 1);
    return buf;
}

/* Writes `name` in dir with the columns `order` ("id", "a".."d", "label", "extra"), a header
 * when `header`, rows [first, first + rows). */
static void write_table(const char *name, const char *const *order, int columns, int header,
                        label_kind kind, int first, int rows) {
    char path[128], buf[32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    for (int c = 0; header && c < columns; ++c) fprintf(f, "%s%s", c ? "," : "", order[c]);
    if (header) fputc('\n', f);
    for (int r = first; r < first + rows; ++r) {
        for (int c = 0; c < columns; ++c) {
            const char *col = order[c];
            if (c) fputc(',', f);
            if (strcmp(col, "id") == 0) fprintf(f, "r%03d", r);
            else if (strcmp(col, "label") == 0) fputs(label_text(r, kind, buf), f);
            else if (strcmp(col, "extra") == 0) fputs("9", f);
            else fprintf(f, "%.4f", feature(r, col[0] - 'a'));
        }
        fputc('\n', f);
    }
    fclose(f);
}

/* The text of dir/name into buf (empty on failure). */
static void read_file(const char *name, char *buf, size_t size) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
}

static const char *const PLAIN[] = {"a", "b", "c", "d", "label"};

static void train_model(label_kind kind, const char *spec) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-tables-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    write_table("train.csv", PLAIN, 5, 1, kind, 0, ROWS);
    CHECK(cli("train --train train.csv --model %s --epochs 30 --lr 0.01 --out m.st", spec) == 0);
}

/* Fraction of prediction lines (after the header) whose field `field` equals the class text. */
static double accuracy_of(const char *csv, int field, label_kind kind, int first) {
    const char *line = strchr(csv, '\n');
    int right = 0, rows = 0;
    char buf[32], cell[64];
    while (line && line[1]) {
        line++;
        const char *at = line;
        for (int i = 0; i < field && at; ++i) at = strchr(at, ',') ? strchr(at, ',') + 1 : NULL;
        size_t n = at ? strcspn(at, ",\n") : 0;
        snprintf(cell, sizeof cell, "%.*s", (int)n, at ? at : "");
        if (cell[0] == '"') memmove(cell, cell + 1, strlen(cell)), cell[strcspn(cell, "\"")] = 0;
        right += strcmp(cell, label_text(first + rows, kind, buf)) == 0;
        rows++;
        line = strchr(line, '\n');
    }
    return rows ? (double)right / rows : 0.0;
}

TEST(tables_reordered_columns_give_identical_predictions) {
    train_model(NAMES, "dense:8:relu,dense:3:softmax");
    static const char *const SHUFFLED[] = {"label", "d", "extra", "b", "id", "a", "c"};
    write_table("same.csv", PLAIN, 5, 1, NAMES, ROWS, 60);
    write_table("shuffled.csv", SHUFFLED, 7, 1, NAMES, ROWS, 60);
    static char same[1 << 14], shuffled[1 << 14];
    CHECK(cli("predict --model m.st --data same.csv --out same.pred") == 0);
    CHECK(strstr(output, "note:") == NULL);
    CHECK(cli("predict --model m.st --data shuffled.csv --id id --out shuffled.pred") == 0);
    /* the extra column is named once; the id column is not "ignored" */
    CHECK_MSG(strstr(output, "1 column not used by the model, ignored: \"extra\"") != NULL, "%s",
              output);
    read_file("same.pred", same, sizeof same);
    read_file("shuffled.pred", shuffled, sizeof shuffled);
    CHECK(strncmp(same, "\"predicted\"", 11) == 0 || strncmp(same, "predicted,", 10) == 0);
    CHECK_MSG(strncmp(shuffled, "\"id\",predicted,p_setosa,p_versicolor,p_virginica\n", 47) == 0,
              "header: %.80s", shuffled);
    /* every line of the shuffled file's predictions is "r<row>," + the same line */
    const char *a = strchr(same, '\n'), *b = strchr(shuffled, '\n');
    int lines = 0, equal = 0;
    while (a && b && a[1] && b[1]) {
        a++, b++;
        char id[16];
        snprintf(id, sizeof id, "\"r%03d\",", ROWS + lines);
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        equal += strncmp(b, id, strlen(id)) == 0 && lb == la + strlen(id) &&
                 strncmp(b + strlen(id), a, la) == 0;
        lines++;
        a = strchr(a, '\n'), b = strchr(b, '\n');
    }
    CHECK_MSG(lines == 60 && equal == 60, "%d of %d lines equal", equal, lines);
    double acc = accuracy_of(same, 0, NAMES, ROWS);
    CHECK_MSG(acc >= 0.85, "accuracy %.3f on held-out rows", acc);
    /* eval: the same accuracy either way, the label found by name */
    CHECK(cli("eval --model m.st --data same.csv") == 0);
    char first[64];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(output, "\n"), output);
    CHECK(cli("eval --model m.st --data shuffled.csv") == 0);
    CHECK_MSG(strstr(output, first) != NULL, "eval differs: %s vs %s", first, output);
    CHECK(dn_test_remove_dir(dir));
}

TEST(tables_missing_headerless_and_unlabelled_data) {
    train_model(NAMES, "dense:3:softmax");
    static const char *const NO_C[] = {"a", "b", "d", "label"};
    static const char *const FEATURES[] = {"d", "c", "b", "a"};
    write_table("no_c.csv", NO_C, 4, 1, NAMES, 0, 20);
    CHECK(cli("predict --model m.st --data no_c.csv") == 1);
    CHECK_MSG(strstr(output, "no_c.csv:1:1: expected the model's feature column \"c\"") != NULL,
              "%s", output);
    /* headerless: by position, said once */
    write_table("plain.csv", PLAIN, 5, 1, NAMES, 0, 20);
    write_table("bare.csv", PLAIN, 5, 0, NAMES, 0, 20);
    static char with[1 << 13], without[1 << 13];
    CHECK(cli("predict --model m.st --data plain.csv --out with.pred") == 0);
    CHECK(cli("predict --model m.st --data bare.csv --out without.pred") == 0);
    CHECK_MSG(strstr(output, "note: bare.csv has no header: its columns are matched to the "
                             "model's 4 by position") != NULL, "%s", output);
    read_file("with.pred", with, sizeof with);
    read_file("without.pred", without, sizeof without);
    CHECK(with[0] != '\0' && strcmp(with, without) == 0);
    /* no label column, in another order: predict works, eval names the label it wants */
    write_table("features.csv", FEATURES, 4, 1, NAMES, 0, 20);
    CHECK(cli("predict --model m.st --data features.csv --out features.pred") == 0);
    read_file("features.pred", without, sizeof without);
    CHECK(strcmp(with, without) == 0);
    CHECK(cli("eval --model m.st --data features.csv") == 1);
    CHECK_MSG(strstr(output, "features.csv has no label column \"label\"") != NULL, "%s", output);
    CHECK(dn_test_remove_dir(dir));
}

TEST(tables_integer_labels_are_printed_as_given) {
    train_model(ONE_BASED, "dense:8:relu,dense:3:softmax");
    static char pred[1 << 14];
    write_table("test.csv", PLAIN, 5, 1, ONE_BASED, ROWS, 60);
    CHECK(cli("predict --model m.st --data test.csv --out p.csv") == 0);
    read_file("p.csv", pred, sizeof pred);
    CHECK_MSG(strncmp(pred, "predicted,p_1,p_2,p_3\n", 22) == 0, "%.60s", pred);
    double acc = accuracy_of(pred, 0, ONE_BASED, ROWS);
    CHECK_MSG(acc >= 0.85, "1-based labels: accuracy %.3f", acc);
    CHECK(cli("summary --model m.st") == 0);
    CHECK(strstr(output, "1 2 3") != NULL);
    CHECK(dn_test_remove_dir(dir));
    /* {-1, 1} on one sigmoid unit: the two values come back */
    train_model(SIGNED, "dense:1:sigmoid");
    write_table("test.csv", PLAIN, 5, 1, SIGNED, ROWS, 60);
    CHECK(cli("predict --model m.st --data test.csv --out p.csv") == 0);
    read_file("p.csv", pred, sizeof pred);
    CHECK_MSG(strncmp(pred, "predicted,p_-1,p_1\n", 19) == 0, "%.60s", pred);
    acc = accuracy_of(pred, 0, SIGNED, ROWS);
    CHECK_MSG(acc >= 0.85, "labels -1/1: accuracy %.3f", acc);
    CHECK(cli("eval --model m.st --data test.csv") == 0);
    CHECK(strstr(output, "accuracy") != NULL);
    CHECK(dn_test_remove_dir(dir));
}

/* A class-sorted file: `counts[c]` rows of class "a", "b", "c" in turn. */
static void write_sorted(const char *name, const int *counts) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    fputs("x1,x2,y\n", f);
    for (int c = 0, r = 0; c < 3; ++c)
        for (int i = 0; i < counts[c]; ++i, ++r)
            fprintf(f, "%.3f,%.3f,%c\n", feature(r, 0) + c, feature(r, 1), 'a' + c);
    fclose(f);
}

TEST(tables_split_sizes_match_keras_and_stratify_keeps_proportions) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-tables-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    write_sorted("sorted.csv", (const int[]){334, 333, 333});
    /* Keras: kept = floor(n · (1 − split)) in double precision: 900, 800, 700 of 1000 */
    static const double splits[] = {0.1, 0.2, 0.3};
    for (int i = 0; i < 3; ++i) {
        CHECK(cli("train --train sorted.csv --model dense:3:softmax --epochs 1 --out m.st "
                  "--val-split %g --stratify", splits[i]) == 0);
        char expected[96];
        size_t kept = (size_t)floor(1000.0 * (1.0 - splits[i]));
        snprintf(expected, sizeof expected, "sorted.csv: 1000 rows -> %zu kept, %zu validation",
                 kept, 1000 - kept);
        CHECK_MSG(strstr(output, expected) != NULL, "%s not in %s", expected, output);
        CHECK(strstr(output, "warning") == NULL);
    }
    /* stratified: each class's share of 100 rows, the extra row to the largest remainder */
    CHECK(cli("train --train sorted.csv --model dense:3:softmax --epochs 1 --out m.st "
              "--test-split 0.1 --stratify") == 0);
    CHECK_MSG(strstr(output, "100 test, stratified (a 34, b 33, c 33)") != NULL, "%s", output);
    write_sorted("uneven.csv", (const int[]){500, 300, 200});
    CHECK(cli("train --train uneven.csv --model dense:3:softmax --epochs 1 --out m.st "
              "--val-split 0.2 --stratify") == 0);
    CHECK_MSG(strstr(output, "200 validation, stratified (a 100, b 60, c 40)") != NULL, "%s",
              output);
    /* the file's end of a class-sorted file: one class, and a warning that says what to do */
    CHECK(cli("train --train sorted.csv --model dense:3:softmax --epochs 1 --out m.st "
              "--val-split 0.2") == 0);
    CHECK_MSG(strstr(output, "last rows (a 0, b 0, c 200)") != NULL, "%s", output);
    CHECK_MSG(strstr(output, "warning: the validation rows of sorted.csv (200) hold 1 of the 3 "
                             "classes") != NULL && strstr(output, "--stratify") != NULL, "%s",
              output);
    /* shuffled: seeded, so the same run twice prints the same numbers */
    static char first[sizeof output];
    CHECK(cli("train --train sorted.csv --model dense:3:softmax --epochs 2 --out m.st "
              "--val-split 0.3 --val-shuffle --seed 5") == 0);
    memcpy(first, output, sizeof output);
    CHECK(strstr(first, "300 validation, shuffled") != NULL && strstr(first, "warning") == NULL);
    CHECK(cli("train --train sorted.csv --model dense:3:softmax --epochs 2 --out m.st "
              "--val-split 0.3 --val-shuffle --seed 5") == 0);
    /* the epoch lines' numbers after the (varying) seconds */
    const char *a = strstr(first, "Epoch 2/2"), *b = strstr(output, "Epoch 2/2");
    a = a ? strstr(a, "loss:") : NULL, b = b ? strstr(b, "loss:") : NULL;
    CHECK(a != NULL && b != NULL && strncmp(a, b, strcspn(a, "\n")) == 0);
    CHECK(a != NULL && strstr(a, "val_loss") != NULL);
    CHECK(cli("train --train sorted.csv --model dense:3:softmax --epochs 1 --out m.st "
              "--stratify") == 2);
    CHECK(dn_test_remove_dir(dir));
}

TEST(tables_train_says_what_was_read) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-tables-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    write_sorted("sorted.csv", (const int[]){5, 3, 2});
    CHECK(cli("train --train sorted.csv --model dense:3:softmax --epochs 1 --out m.st") == 0);
    CHECK_MSG(strncmp(output, "sorted.csv: 10 rows \xc3\x97 2 features (x1, x2), label \"y\", 3 "
                              "classes (a 5, b 3, c 2)\n", 76) == 0, "%s", output);
    CHECK(dn_test_remove_dir(dir));
}

/* --test and --val-data are read as eval reads data for the model: by name, in any order, the
 * columns it does not use named once (a test file read by position would be scored on the wrong
 * columns: its loss would differ from eval's). */
TEST(tables_test_and_val_data_are_matched_by_name) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-tables-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    static const char *const SHUFFLED[] = {"label", "d", "extra", "b", "id", "a", "c"};
    static const char *const MOVED[] = {"c", "a", "b", "label", "d"};
    write_table("train.csv", PLAIN, 5, 1, NAMES, 0, ROWS);
    write_table("shuffled.csv", SHUFFLED, 7, 1, NAMES, ROWS, 60);
    write_table("moved.csv", MOVED, 5, 1, NAMES, ROWS + 60, 40);
    CHECK(cli("train --train train.csv --test shuffled.csv --val-data moved.csv --model "
              "dense:8:relu,dense:3:softmax --epochs 10 --lr 0.01 --out m.st") == 0);
    CHECK_MSG(strstr(output, "note: shuffled.csv: 2 columns not used by the model, ignored: "
                             "\"extra\", \"id\"") != NULL, "%s", output);
    CHECK(strstr(output, "moved.csv: ") == NULL); /* every column used: nothing to say */
    double test_loss = -1.0, test_acc = -1.0, loss = -2.0, acc = -2.0;
    const char *at = strstr(output, "test loss ");
    CHECK(at != NULL && sscanf(at, "test loss %lf - test accuracy %lf", &test_loss, &test_acc) == 2);
    CHECK(cli("eval --model m.st --data shuffled.csv") == 0);
    at = strstr(output, "loss "); /* after the same note */
    CHECK(at != NULL && sscanf(at, "loss %lf - accuracy %lf", &loss, &acc) == 2);
    CHECK_MSG(test_loss == loss && test_acc == acc && acc >= 0.85,
              "train --test: loss %.4f accuracy %.4f; eval: loss %.4f accuracy %.4f", test_loss,
              test_acc, loss, acc);
    /* a --test file without a training column is refused naming it, as eval refuses it */
    static const char *const NO_C[] = {"a", "b", "d", "label"};
    write_table("no_c.csv", NO_C, 4, 1, NAMES, 0, 20);
    CHECK(cli("train --train train.csv --test no_c.csv --model dense:3:softmax --epochs 1 "
              "--out m2.st") == 1);
    CHECK_MSG(strstr(output, "no_c.csv:1:1: expected the model's feature column \"c\"") != NULL,
              "%s", output);
    /* a --val-data file without the label is refused by name (it cannot be scored) */
    static const char *const FEATURES[] = {"d", "c", "b", "a"};
    write_table("features.csv", FEATURES, 4, 1, NAMES, 0, 20);
    CHECK(cli("train --train train.csv --val-data features.csv --model dense:3:softmax --epochs 1 "
              "--out m2.st") == 1);
    CHECK_MSG(strstr(output, "features.csv has no label column \"label\" (the label of "
                             "train.csv)") != NULL, "%s", output);
    CHECK(dn_test_remove_dir(dir));
}

/* The remaining cases through the binary: boolean labels as pandas writes them (True /
 * False: classes in LabelEncoder's order, False first) printed back as given, per row; and the
 * start-of-run line cut after 8 feature names for a wide file. */
TEST(tables_boolean_labels_and_the_start_line_of_a_wide_file) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-tables-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/bool.csv", dir);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    fputs("a,b,churned\n", f);
    for (int r = 0; r < 100; ++r) fprintf(f, "%d,%d,%s\n", r % 10, (r * 7) % 5, r % 10 >= 5 ? "True" : "False");
    fclose(f);
    CHECK(cli("train --train bool.csv --model dense:8:relu --epochs 30 --lr 0.05 --out b.st") == 0);
    CHECK_MSG(strstr(output, "label \"churned\", 2 classes (False 50, True 50)") != NULL, "%s", output);
    CHECK(cli("predict --model b.st --data bool.csv") == 0);
    CHECK_MSG(strncmp(output, "predicted,p_False,p_True\n", 25) == 0, "%.60s", output);
    int right = 0, rows = 0;
    for (const char *line = strchr(output, '\n'); line && line[1]; line = strchr(line + 1, '\n'), ++rows)
        right += strncmp(line + 1, rows % 10 >= 5 ? "\"True\"," : "\"False\",", rows % 10 >= 5 ? 7 : 8) == 0;
    CHECK_MSG(rows == 100 && right == 100, "%d of %d rows predicted as their label", right, rows);
    snprintf(path, sizeof path, "%s/wide.csv", dir);
    f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    for (int j = 0; j < 12; ++j) fprintf(f, "f%d,", j);
    fputs("y\n", f);
    for (int r = 0; r < 20; ++r) {
        for (int j = 0; j < 12; ++j) fprintf(f, "%d,", (r + j) % 7);
        fprintf(f, "%d\n", r % 2);
    }
    fclose(f);
    CHECK(cli("train --train wide.csv --model dense:2:softmax --epochs 1 --out w.st") == 0);
    CHECK_MSG(strncmp(output, "wide.csv: 20 rows \xc3\x97 12 features (f0, f1, f2, f3, f4, f5, f6, "
                              "f7, ... 4 more), label \"y\", 2 classes (0 10, 1 10)\n", 99) == 0,
              "%s", output);
    CHECK(dn_test_remove_dir(dir));
}
