/* test_table_columns.c — column control through the dropnet binary (issue 13 step 3): each
 * delimiter detected (and a wrong one refused naming the right one), --header yes/no/auto with
 * pandas' column-number header, pandas' index column left out, --features / --ignore by name,
 * index and range, and the errors that name their fix. */
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char output[1 << 16];
static char dir[64];

#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

enum { ROWS = 120 };

/* Row r's class ("lo"/"hi", or 0/1) and feature j, fixed by r. */
static int row_class(int r) { return (r * 7 + r / 3) % 2; }
static double feature(int r, int j) {
    unsigned h = (unsigned)(r * 2654435761u + (unsigned)j * 40503u);
    return (j == row_class(r) ? 1.5 : 0.0) + (double)((h >> 8) % 1000) / 1000.0 - 0.5;
}

typedef struct table {
    const char *name, *header; /* header NULL: none */
    char delimiter;
    int index;                 /* 1: pandas' index column first (values 0..ROWS-1) */
    int numeric_labels;        /* 1: labels 0/1, else lo/hi */
} table;

/* Writes dir/t->name: [index,] a, b, c, d, id, label over ROWS rows. */
static void write_table(const table *t) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, t->name);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    char d = t->delimiter;
    if (t->header) {
        for (const char *c = t->header; *c; ++c) fputc(*c == ',' ? d : *c, f);
        fputc('\n', f);
    }
    for (int r = 0; r < ROWS; ++r) {
        if (t->index) fprintf(f, "%d%c", r, d);
        for (int j = 0; j < 4; ++j) fprintf(f, "%.4f%c", feature(r, j), d);
        fprintf(f, "r%03d%c", r, d);
        if (t->numeric_labels) fprintf(f, "%d\n", row_class(r));
        else fprintf(f, "%s\n", row_class(r) ? "hi" : "lo");
    }
    fclose(f);
}

static const char *const NAMED = "a,b,c,d,id,label";

/* The text of dir/name into buf (empty on failure). */
static void read_file(const char *name, char *buf, size_t size) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
}

static void make_dir(void) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-columns-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
}

#define TRAIN "train --model dense:2:softmax --epochs 20 --lr 0.02 --seed 3 --out m.st "

TEST(table_columns_each_delimiter) {
    make_dir();
    static const char delimiters[] = {',', ';', '\t', '|'};
    static const char *const names[] = {"comma.csv", "semi.csv", "tab.tsv", "pipe.csv"};
    static char first[1 << 14], pred[1 << 14];
    for (int k = 0; k < 4; ++k) {
        write_table(&(table){names[k], NAMED, delimiters[k], 0, 0});
        CHECK(cli(TRAIN "--train %s --ignore id", names[k]) == 0);
        char expect[96];
        snprintf(expect, sizeof expect, "%s: %d rows \xc3\x97 4 features (a, b, c, d), label "
                 "\"label\", 2 classes", names[k], ROWS);
        CHECK_MSG(strncmp(output, expect, strlen(expect)) == 0, "%s", output);
        CHECK_MSG(strstr(output, "1 column not used as features: \"id\"") != NULL, "%s", output);
        const char *note = k == 1 ? "separated by \";\"" : k == 2 ? "separated by \"\\t\""
                         : k == 3 ? "separated by \"|\"" : NULL;
        CHECK_MSG(note == NULL ? strstr(output, "separated by") == NULL
                               : strstr(output, note) != NULL, "%s", output);
        /* the same numbers whatever the delimiter: the same model, the same predictions */
        CHECK(cli("predict --model m.st --data %s --id id --out p.csv", names[k]) == 0);
        read_file("p.csv", k ? pred : first, sizeof pred);
        CHECK(k == 0 || strcmp(first, pred) == 0);
    }
    CHECK(strlen(first) > 100 && strncmp(first, "\"id\",predicted,p_hi,p_lo\n", 25) == 0);
    /* a forced delimiter the file does not use: the error names the one it holds */
    CHECK(cli(TRAIN "--train semi.csv --delimiter ,") == 1);
    CHECK_MSG(strstr(output, "semi.csv:1:2: expected at least 2 cells (features and a label) "
                             "separated by \",\", found 1; the line holds \";\": give "
                             "--delimiter ';'") != NULL, "%s", output);
    CHECK(cli(TRAIN "--train tab.tsv --delimiter ';'") == 1);
    CHECK_MSG(strstr(output, "give --delimiter '\\t'") != NULL, "%s", output);
    CHECK(cli(TRAIN "--train tab.tsv --delimiter tab --ignore 4") == 0);
    /* eval/predict/trace take them too: a forced wrong one fails, the right one reads */
    CHECK(cli("eval --model m.st --data semi.csv --delimiter '|'") == 1);
    CHECK_MSG(strstr(output, "give --delimiter ';'") != NULL, "%s", output);
    CHECK(cli("eval --model m.st --data semi.csv --delimiter ';' --header yes") == 0);
    CHECK(cli("predict --model m.st --data semi.csv --header sometimes") == 1);
    CHECK(strstr(output, "semi.csv: --header must be yes, no or auto") != NULL);
    CHECK(cli(TRAIN "--train tab.tsv --delimiter x") == 2);
    CHECK(strstr(output, "train: --delimiter must be , ; | tab or auto, got \"x\"") != NULL);
    CHECK(dn_test_remove_dir(dir));
}

TEST(table_columns_header_rules) {
    make_dir();
    char expect[64];
    snprintf(expect, sizeof expect, ": %d rows", ROWS);
    /* pandas' pd.DataFrame(X).to_csv(index=False): column numbers over string labels */
    write_table(&(table){"numbers.csv", "0,1,2,3,id,label", ',', 0, 0});
    CHECK(cli(TRAIN "--train numbers.csv --ignore id") == 0);
    CHECK_MSG(strstr(output, "numbers.csv: 120 rows \xc3\x97 3 features (0, 1, 2, 3)") == NULL &&
              strstr(output, "numbers.csv: 120 rows \xc3\x97 4 features (0, 1, 2, 3)") != NULL,
              "%s", output);
    /* ... and over integer labels, all of line 1 numbers: 1-based column numbers */
    write_table(&(table){"ints.csv", "1,2,3,4,id,5", ',', 0, 1});
    CHECK(cli(TRAIN "--train ints.csv --ignore id") == 0);
    CHECK_MSG(strstr(output, "ints.csv: 120 rows \xc3\x97 4 features (1, 2, 3, 4), label \"5\", "
                             "2 classes") != NULL, "%s", output);
    /* --header no: line 1 is data, its "5" a third class the 2 units cannot hold */
    CHECK(cli(TRAIN "--train ints.csv --ignore 4 --header no") == 1);
    CHECK_MSG(strstr(output, "ints.csv:2:5: expected a number, found \"r000\"") == NULL &&
              strstr(output, "3 classes but the output layer has 2 units (is the label column "
                             "the right one? name it with --label COL)") != NULL, "%s", output);
    CHECK(cli(TRAIN "--train numbers.csv --label label --header no") == 1);
    CHECK_MSG(strstr(output, "needs a header, but the file is read with --header no") != NULL,
              "%s", output);
    /* --header yes on a headerless file: its first row is taken as names, one row fewer */
    write_table(&(table){"bare.csv", NULL, ',', 0, 1});
    CHECK(cli(TRAIN "--train bare.csv --ignore 4") == 0);
    CHECK_MSG(strstr(output, "bare.csv: 120 rows") != NULL, "%s", output);
    CHECK(cli(TRAIN "--train bare.csv --ignore 4 --header yes") == 0);
    CHECK_MSG(strstr(output, "bare.csv: 119 rows") != NULL, "%s", output);
    CHECK(cli(TRAIN "--train bare.csv --header maybe") == 2);
    CHECK(strstr(output, "train: --header must be yes, no or auto, got \"maybe\"") != NULL);
    CHECK(strstr(output, "--header must be yes, no or auto") != NULL);
    CHECK(dn_test_remove_dir(dir));
}

TEST(table_columns_pandas_index_column) {
    make_dir();
    write_table(&(table){"indexed.csv", ",a,b,c,d,id,label", ',', 1, 0});
    write_table(&(table){"plain.csv", NAMED, ',', 0, 0});
    CHECK(cli(TRAIN "--train indexed.csv --ignore id") == 0);
    CHECK_MSG(strstr(output, "indexed.csv: 120 rows \xc3\x97 4 features (a, b, c, d)") != NULL &&
              strstr(output, "note: indexed.csv: column 0 has no name and holds 0, 1, ..., 119: "
                             "pandas' index, ignored") != NULL, "%s", output);
    static char a[1 << 14], b[1 << 14];
    CHECK(cli("predict --model m.st --data indexed.csv --out a.csv") == 0);
    CHECK(cli(TRAIN "--train plain.csv --ignore id") == 0);
    CHECK(strstr(output, "pandas' index") == NULL);
    CHECK(cli("predict --model m.st --data plain.csv --out b.csv") == 0);
    read_file("a.csv", a, sizeof a);
    read_file("b.csv", b, sizeof b);
    CHECK(strlen(a) > 100 && strcmp(a, b) == 0); /* the index column changed nothing */
    /* an empty first header cell over other values is not an index: it stays a feature */
    write_table(&(table){"noindex.csv", ",b,c,d,id,label", ',', 0, 0});
    CHECK(cli(TRAIN "--train noindex.csv --ignore id") == 0);
    CHECK_MSG(strstr(output, "5 features (, b, c, d, e)") == NULL &&
              strstr(output, "4 features (, b, c, d)") != NULL && strstr(output, "pandas") == NULL,
              "%s", output);
    CHECK(dn_test_remove_dir(dir));
}

TEST(table_columns_features_and_ignore) {
    make_dir();
    write_table(&(table){"t.csv", NAMED, ',', 0, 0});
    static const char *const same[] = {"--features a,b", "--features 0-1", "--features 0,b",
                                       "--ignore c,d,id", "--ignore 2-4"};
    for (size_t i = 0; i < sizeof same / sizeof *same; ++i) {
        CHECK(cli(TRAIN "--train t.csv %s", same[i]) == 0);
        CHECK_MSG(strstr(output, "120 rows \xc3\x97 2 features (a, b), label \"label\"") != NULL,
                  "%s: %s", same[i], output);
    }
    CHECK(cli(TRAIN "--train t.csv --features d,a") == 0); /* the order given */
    CHECK(strstr(output, "2 features (d, a)") != NULL);
    CHECK(cli(TRAIN "--train t.csv --features a,label") == 1);
    CHECK_MSG(strstr(output, "t.csv:1:6: --features lists column 5 \"label\", which is the label "
                             "column") != NULL, "%s", output);
    CHECK(cli(TRAIN "--train t.csv --features a,zz") == 1);
    CHECK_MSG(strstr(output, "--features: expected a column name that line 1 holds, a 0-based "
                             "index in 0..5 or a range N-M, found \"zz\"") != NULL, "%s", output);
    CHECK(cli(TRAIN "--train t.csv --features 3-9") == 1);
    CHECK(strstr(output, "beyond the file's columns") != NULL);
    CHECK(cli(TRAIN "--train t.csv --ignore label") == 1);
    CHECK(strstr(output, "which is the label column: name the label with --label COL") != NULL);
    CHECK(cli(TRAIN "--train t.csv --ignore a --features b") == 1);
    CHECK(strstr(output, "give --features or --ignore, not both") != NULL);
    /* the id column as a feature: text different on every row is refused as an identifier */
    CHECK(cli(TRAIN "--train t.csv") == 1);
    CHECK_MSG(strstr(output, "t.csv: column \"id\" holds a different text on each of the 120 "
                             "training rows (\"r000\", ...): an identifier, not a category; "
                             "leave it out with --ignore \"id\"") != NULL, "%s", output);
    /* a model trained on chosen columns reads new data by those names */
    CHECK(cli(TRAIN "--train t.csv --features c,a") == 0);
    CHECK(cli("eval --model m.st --data t.csv") == 0);
    CHECK_MSG(strstr(output, "note: t.csv: 3 columns not used by the model, ignored: \"b\", "
                             "\"d\", \"id\"\n") != NULL, "%s", output);
    CHECK(dn_test_remove_dir(dir));
}

TEST(table_columns_errors_name_the_fix) {
    make_dir();
    write_table(&(table){"t.csv", NAMED, ',', 0, 0});
    CHECK(cli("eval --model t.csv --data t.csv") == 1);
    CHECK_MSG(strstr(output, "t.csv: this is not a safetensors file (it looks like CSV); give a "
                             "model saved by dropnet train") != NULL, "%s", output);
    /* a label column the output layer does not fit: the hint names --label */
    CHECK(cli("train --train t.csv --ignore id --model dense:3:softmax --out m.st") == 1);
    CHECK_MSG(strstr(output, "2 classes but the output layer has 3 units") != NULL, "%s", output);
    CHECK_MSG(strstr(output, "name it with --label COL") != NULL, "%s", output);
    CHECK(dn_test_remove_dir(dir));
}
