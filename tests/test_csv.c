/* test_csv.c — loading CSV files: header detection, labels, quoting, and every error message
 * with its file:line:column. Fixtures are written to a fresh mkdtemp directory. */
#include "test.h"

#include "dropnet.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
    char dir[64];
    char path[192];
} fixture;

static int fixture_open(fixture *f) {
    snprintf(f->dir, sizeof f->dir, "/tmp/dn-csv-XXXXXX");
    return CHECK(mkdtemp(f->dir) != NULL);
}

/* Writes `len` bytes to dir/name (len 0: strlen(text)) and returns the path. */
static const char *fixture_write(fixture *f, const char *name, const char *text, size_t len) {
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    FILE *fp = fopen(f->path, "wb");
    if (!CHECK(fp != NULL)) return f->path;
    fwrite(text, 1, len ? len : strlen(text), fp);
    fclose(fp);
    return f->path;
}

static void fixture_close(fixture *f) { CHECK(dn_test_remove_dir(f->dir)); }

/* Loads `text` as dir/name with the given label column; NULL on failure (message in err). */
static dn_dataset *load_text(fixture *f, const char *name, const char *text, const char *label,
                             size_t max_rows, dn_error *err) {
    const char *path = fixture_write(f, name, text, 0);
    dn_dataset_options opts = {.label_column = label, .max_rows = max_rows};
    dn_dataset *d = NULL;
    if (dn_dataset_open(&d, path, &opts, err) != DN_OK) return NULL;
    return d;
}

static void check_row(const dn_dataset *d, size_t row, const float *expected, size_t n) {
    float got[8] = {0};
    dn_error err;
    CHECK_OK(dn_dataset_get_row(d, row, got, &err), &err);
    for (size_t j = 0; j < n; ++j)
        CHECK_MSG(got[j] == expected[j], "row %zu feature %zu: %.9g, expected %.9g", row, j,
                  got[j], expected[j]);
}

/* Expects loading to fail with `status` and a message containing `expected`. */
static void check_error(fixture *f, const char *name, const char *text, const char *label,
                        dn_status status, const char *expected) {
    dn_error err = {DN_OK, ""};
    dn_dataset *d = load_text(f, name, text, label, 0, &err);
    CHECK_MSG(d == NULL, "%s: loaded, expected an error containing: %s", name, expected);
    dn_dataset_free(d);
    CHECK_MSG(err.status == status, "%s: status %s, expected %s", name,
              dn_status_name(err.status), dn_status_name(status));
    CHECK_MSG(strstr(err.message, expected) != NULL, "%s: message \"%s\" lacks \"%s\"", name,
              err.message, expected);
}

TEST(csv_header_and_string_labels) {
    fixture f;
    if (!fixture_open(&f)) return;
    dn_error err;
    dn_dataset *d = load_text(&f, "iris.csv",
                              "sepal,petal,species\n1.5,2,setosa\n3,-4e-1,virginica\n"
                              "0.25,1,setosa\n-7,8,versicolor\n",
                              NULL, 0, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_rows(d) == 4);
        CHECK(dn_dataset_features(d) == 2);
        CHECK(dn_dataset_classes(d) == 3);
        /* names in strcmp order: setosa < versicolor < virginica */
        CHECK(strcmp(dn_dataset_class_name(d, 0), "setosa") == 0);
        CHECK(strcmp(dn_dataset_class_name(d, 1), "versicolor") == 0);
        CHECK(strcmp(dn_dataset_class_name(d, 2), "virginica") == 0);
        CHECK(dn_dataset_class_name(d, 3) == NULL);
        CHECK(dn_dataset_label(d, 0) == 0 && dn_dataset_label(d, 1) == 2);
        CHECK(dn_dataset_label(d, 2) == 0 && dn_dataset_label(d, 3) == 1);
        check_row(d, 1, (const float[]){3.0f, -0.4f}, 2);
        check_row(d, 3, (const float[]){-7.0f, 8.0f}, 2);
    }
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(csv_no_header_integer_labels) {
    fixture f;
    if (!fixture_open(&f)) return;
    dn_error err;
    dn_dataset *d = load_text(&f, "plain.csv", "1,2,0\n3,4,4\n5e-1,6,1.0\n", NULL, 0, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_rows(d) == 3);
        /* LabelEncoder: the values 0, 1, 4 in numeric order are classes 0, 1, 2 */
        CHECK(dn_dataset_classes(d) == 3);
        CHECK(dn_dataset_label(d, 0) == 0 && dn_dataset_label(d, 1) == 2 &&
              dn_dataset_label(d, 2) == 1);
        CHECK(strcmp(dn_dataset_class_name(d, 2), "4") == 0); /* the values are the names */
        CHECK(strcmp(dn_dataset_class_name(d, 1), "1") == 0); /* "1.0" written as 1 */
        CHECK(strcmp(dn_dataset_feature_name(d, 1), "x1") == 0 && !dn_dataset_has_header(d));
        CHECK(strcmp(dn_dataset_label_name(d), "2") == 0); /* headerless: its index */
        check_row(d, 0, (const float[]){1.0f, 2.0f}, 2);
        check_row(d, 2, (const float[]){0.5f, 6.0f}, 2);
    }
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(csv_header_over_integer_labels) {
    /* Numeric feature names: only the label cell ("y" over 1) tells line 1 is a header. */
    fixture f;
    if (!fixture_open(&f)) return;
    dn_error err;
    dn_dataset *d = load_text(&f, "h.csv", "0,1,y\n5,6,1\n7,8,0\n", NULL, 0, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_rows(d) == 2);
        CHECK(dn_dataset_classes(d) == 2);
        check_row(d, 0, (const float[]){5.0f, 6.0f}, 2);
    }
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(csv_label_by_name_and_by_index) {
    fixture f;
    if (!fixture_open(&f)) return;
    const char *text = "kind,a,b\ncat,1,2\ndog,3,4\ncat,5,6\n";
    const char *specs[] = {"kind", "0"};
    for (size_t i = 0; i < 2; ++i) {
        dn_error err;
        dn_dataset *d = load_text(&f, "named.csv", text, specs[i], 0, &err);
        if (CHECK_MSG(d != NULL, "label %s: %s", specs[i], err.message)) {
            CHECK(dn_dataset_rows(d) == 3 && dn_dataset_features(d) == 2);
            CHECK(dn_dataset_classes(d) == 2);
            CHECK(dn_dataset_label(d, 1) == 1 && dn_dataset_label(d, 2) == 0);
            CHECK(strcmp(dn_dataset_class_name(d, 1), "dog") == 0);
            check_row(d, 2, (const float[]){5.0f, 6.0f}, 2); /* label column removed */
            CHECK(strcmp(dn_dataset_feature_name(d, 0), "a") == 0);
            CHECK(strcmp(dn_dataset_label_name(d), "kind") == 0);
        }
        dn_dataset_free(d);
    }
    /* An index into a file without a header: column 1 is the label. */
    dn_error err;
    dn_dataset *d = load_text(&f, "idx.csv", "1,2,3\n4,0,6\n", "1", 0, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_rows(d) == 2 && dn_dataset_classes(d) == 2); /* values 0 and 2 */
        CHECK(dn_dataset_label(d, 0) == 1 && dn_dataset_label(d, 1) == 0);
        check_row(d, 1, (const float[]){4.0f, 6.0f}, 2);
    }
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(csv_crlf_quotes_blank_lines_bom) {
    fixture f;
    if (!fixture_open(&f)) return;
    dn_error err;
    /* BOM, CRLF, quoted header cells with a comma, "" escapes, a blank line, spaces around
     * cells, and no newline after the last row. */
    dn_dataset *d = load_text(&f, "crlf.csv",
                              "\xEF\xBB\xBF\"a\",\"b, c\",\"kind\"\r\n"
                              " 1 ,\"2\",\"x \"\"y\"\"\"\r\n"
                              "\r\n"
                              "3,\t4,z",
                              NULL, 0, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_rows(d) == 2 && dn_dataset_features(d) == 2);
        CHECK(dn_dataset_classes(d) == 2);
        CHECK(strcmp(dn_dataset_class_name(d, 0), "x \"y\"") == 0);
        CHECK(strcmp(dn_dataset_class_name(d, 1), "z") == 0);
        check_row(d, 0, (const float[]){1.0f, 2.0f}, 2);
        check_row(d, 1, (const float[]){3.0f, 4.0f}, 2);
    }
    dn_dataset_free(d);
    /* A BOM before a numeric first row: still a data row, not a header. */
    d = load_text(&f, "bom.csv", "\xEF\xBB\xBF" "1,2,0\n3,4,1\n", NULL, 0, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_rows(d) == 2);
        check_row(d, 0, (const float[]){1.0f, 2.0f}, 2);
    }
    dn_dataset_free(d);
    /* A label named with a comma inside quotes resolves by name. */
    d = load_text(&f, "crlf2.csv", "\"b, c\",a\r\nred,1\r\nblue,2\r\n", "b, c", 0, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_label(d, 0) == 1 && dn_dataset_label(d, 1) == 0);
        check_row(d, 1, (const float[]){2.0f}, 1);
    }
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(csv_max_rows_takes_the_first_rows) {
    fixture f;
    if (!fixture_open(&f)) return;
    dn_error err;
    dn_dataset *d = load_text(&f, "m.csv", "a,b\n1,0\n2,1\n3,2\nbad,3\n", NULL, 2, &err);
    /* Line 5 is malformed, but only the first two rows are read. */
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_rows(d) == 2);
        CHECK(dn_dataset_classes(d) == 2);
        check_row(d, 1, (const float[]){2.0f}, 1);
    }
    dn_dataset_free(d);
    /* Without a header the first two lines are read to settle the shape: --max-rows 1 still
     * gives one row. */
    d = load_text(&f, "n.csv", "1,0\n2,1\n3,2\n", NULL, 1, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_rows(d) == 1);
        check_row(d, 0, (const float[]){1.0f}, 1);
    }
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(csv_slice_keeps_class_names) {
    fixture f;
    if (!fixture_open(&f)) return;
    dn_error err;
    dn_dataset *d = load_text(&f, "s.csv", "1,b\n2,a\n3,c\n", NULL, 0, &err), *s = NULL;
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK_OK(dn_dataset_slice(d, 1, 3, &s, &err), &err);
        if (s != NULL) {
            CHECK(dn_dataset_classes(s) == 3);
            CHECK(strcmp(dn_dataset_class_name(s, 2), "c") == 0);
            CHECK(dn_dataset_label(s, 0) == 0); /* row 2 "a" */
        }
    }
    dn_dataset_free(s);
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(csv_feature_stats) {
    fixture f;
    if (!fixture_open(&f)) return;
    dn_error err;
    /* column 1: 1,2,3,4 → mean 2.5, population std √1.25; column 2 constant → std 1 */
    dn_dataset *d = load_text(&f, "st.csv", "1,7,0\n2,7,1\n3,7,0\n4,7,1\n", NULL, 0, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        float mean[2], std[2];
        CHECK_OK(dn_dataset_feature_stats(d, mean, std, &err), &err);
        CHECK_NEAR(mean[0], 2.5, 1e-7);
        CHECK_NEAR(std[0], 1.1180339887, 1e-7);
        CHECK_NEAR(mean[1], 7.0, 0);
        CHECK_NEAR(std[1], 1.0, 0);
        CHECK(dn_dataset_feature_stats(d, mean, NULL, &err) == DN_ERR_ARGUMENT);
    }
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(csv_errors_name_file_line_column) {
    fixture f;
    if (!fixture_open(&f)) return;
    /* The example of the issue: line 14, column 3. */
    char text[512] = "a,b,c,label\n";
    for (int i = 0; i < 12; ++i) strcat(text, "1,2,3,0\n");
    strcat(text, "1,2,abc,0\n");
    check_error(&f, "data.csv", text, NULL, DN_ERR_FORMAT,
                "data.csv:14:3: expected a number, found \"abc\"");
    check_error(&f, "empty_cell.csv", "a,b,c\n1,,0\n", NULL, DN_ERR_FORMAT,
                "empty_cell.csv:2:2: expected a number, found an empty cell");
    check_error(&f, "nan.csv", "1,2,0\nnan,2,1\n", NULL, DN_ERR_FORMAT,
                "nan.csv:2:1: expected a finite number, found \"nan\"");
    check_error(&f, "inf.csv", "1,2,0\n1,-inf,1\n", NULL, DN_ERR_FORMAT,
                "inf.csv:2:2: expected a finite number, found \"-inf\"");
    check_error(&f, "big.csv", "1,1e39,0\n", NULL, DN_ERR_FORMAT,
                "big.csv:1:2: expected a finite number, found \"1e39\""); /* beyond float */
    check_error(&f, "short.csv", "a,b,c\n1,2,0\n\n1,2\n", NULL, DN_ERR_FORMAT,
                "short.csv:4:3: expected 3 cells as on line 1, found 2");
    check_error(&f, "long.csv", "1,2,0\r\n1,2,3,0\r\n", NULL, DN_ERR_FORMAT,
                "long.csv:2:4: expected 3 cells as on line 1, found 4");
    check_error(&f, "name.csv", "a,b,label\n1,2,0\n", "klass", DN_ERR_FORMAT,
                "name.csv:1:1: expected a label column named \"klass\" or an index in 0..2, "
                "found the columns \"a\", \"b\", \"label\"");
    check_error(&f, "index.csv", "1,2,0\n", "3", DN_ERR_FORMAT,
                "index.csv:1:4: expected a label column index in 0..2, found 3");
    check_error(&f, "empty.csv", "", NULL, DN_ERR_FORMAT,
                "empty.csv:1:1: expected a header or a data row, found an empty file");
    check_error(&f, "blank.csv", "\n \r\n", NULL, DN_ERR_FORMAT,
                "blank.csv:1:1: expected a header or a data row, found an empty file");
    check_error(&f, "header_only.csv", "a,b,label\n", NULL, DN_ERR_FORMAT,
                "header_only.csv:2:1: expected a data row after the header, found the end");
    check_error(&f, "one_col.csv", "1\n2\n", NULL, DN_ERR_FORMAT,
                "one_col.csv:1:2: expected at least 2 cells");
    check_error(&f, "huge.csv", "1,2,0\n3,4,-1e20\n", NULL, DN_ERR_FORMAT,
                "huge.csv:2:3: expected a class label (an integer in "
                "-9007199254740992..9007199254740992, or a name), found \"-1e20\"");
    check_error(&f, "frac.csv", "1,2,0\n3,4,1.5\n", NULL, DN_ERR_FORMAT,
                "frac.csv:2:3: expected a class label (an integer in "
                "-9007199254740992..9007199254740992, or a name), found \"1.5\"");
    check_error(&f, "nolabel.csv", "1,2,0\n3,4,\n", NULL, DN_ERR_FORMAT,
                "nolabel.csv:2:3: expected a class label, found an empty cell");
    check_error(&f, "nolabel1.csv", "1,2,\n3,4,1\n", NULL, DN_ERR_FORMAT, /* not a header */
                "nolabel1.csv:1:3: expected a class label, found an empty cell");
    check_error(&f, "quote.csv", "a,b\n1,\"x\n", NULL, DN_ERR_FORMAT,
                "quote.csv:2:2: expected a closing \" in a quoted cell, found the end of the line");
    check_error(&f, "after.csv", "a,b\n1,\"x\"y\n", NULL, DN_ERR_FORMAT,
                "after.csv:2:2: expected \",\" after a closing quote, found \"y\"");
    dn_error err = {DN_OK, ""};
    dn_dataset *d = NULL;
    fixture_write(&f, "nul.csv", "1,2,0\n1,\0,1\n", 12);
    CHECK(dn_dataset_open(&d, f.path, NULL, &err) == DN_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "nul.csv:2: expected text, found a NUL byte") != NULL, "%s",
              err.message);
    snprintf(f.path, sizeof f.path, "%s/missing.csv", f.dir);
    CHECK(dn_dataset_open(&d, f.path, NULL, &err) == DN_ERR_IO);
    CHECK_MSG(strstr(err.message, "missing.csv: No such file or directory") != NULL, "%s",
              err.message);
    CHECK(d == NULL);
    fixture_close(&f);
}

TEST(csv_class_names_survive_realignment) {
    /* dn_dataset_align_classes changes `classes` before replacing the names: the old names must
     * still be freed by their own count (9 here, not the new 17, which would read past the old
     * array even with the allocator's 64-byte rounding). */
    fixture f;
    if (!fixture_open(&f)) return;
    static const char *const names[17] = {"c00", "c01", "c02", "c03", "c04", "c05",
                                          "c06", "c07", "c08", "c09", "c10", "c11",
                                          "c12", "c13", "c14", "c15", "c16"};
    const char *text = "0,c00\n2,c02\n4,c04\n6,c06\n8,c08\n10,c10\n12,c12\n14,c14\n16,c16\n";
    dn_error err;
    dn_dataset *d = load_text(&f, "al.csv", text, NULL, 0, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_classes(d) == 9);
        CHECK_OK(dn_dataset_align_classes(d, names, 17, &err), &err);
        CHECK(dn_dataset_classes(d) == 17);
        CHECK(dn_dataset_label(d, 0) == 0 && dn_dataset_label(d, 8) == 16);
        const char *last = dn_dataset_class_name(d, 15);
        CHECK(last != NULL && strcmp(last, "c15") == 0);
    }
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(csv_unlabeled_reads_every_column_as_a_feature) {
    char dir[] = "/tmp/dropnet-unlabeled-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/x.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("a,b,c\n1,2,3\n4,5,6.5\n", f);
    fclose(f);
    dn_dataset_options opts = {.unlabeled = 1};
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_open(&d, path, &opts, &err), &err);
    if (d) {
        CHECK(dn_dataset_rows(d) == 2);
        CHECK(dn_dataset_features(d) == 3);
        CHECK(dn_dataset_classes(d) == 0);
        float row[3];
        CHECK_OK(dn_dataset_get_row(d, 1, row, &err), &err);
        CHECK(row[0] == 4.0f && row[1] == 5.0f && row[2] == 6.5f);
    }
    dn_dataset_free(d);
    opts.label_column = "c";
    CHECK(dn_dataset_open(&d, path, &opts, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "unlabeled") != NULL);
    remove(path);
    rmdir(dir);
}

TEST(csv_negative_and_sparse_integer_labels_are_encoded_in_order) {
    fixture f;
    if (!fixture_open(&f)) return;
    dn_error err;
    dn_dataset *d = load_text(&f, "neg.csv", "a,y\n1,100\n2,-1\n3,7\n4,100\n", NULL, 0, &err);
    if (CHECK_MSG(d != NULL, "load failed: %s", err.message)) {
        CHECK(dn_dataset_classes(d) == 3);
        CHECK(dn_dataset_label(d, 0) == 2 && dn_dataset_label(d, 1) == 0 &&
              dn_dataset_label(d, 2) == 1 && dn_dataset_label(d, 3) == 2);
        CHECK(strcmp(dn_dataset_class_name(d, 0), "-1") == 0);
        CHECK(strcmp(dn_dataset_class_name(d, 2), "100") == 0);
    }
    dn_dataset_free(d);
    fixture_close(&f);
}

TEST(csv_columns_selected_by_name_with_id_and_extras) {
    fixture f;
    if (!fixture_open(&f)) return;
    dn_error err;
    char path[256];
    snprintf(path, sizeof path, "%s/sel.csv", f.dir);
    FILE *file = fopen(path, "w");
    if (!CHECK(file != NULL)) return;
    fputs("id,y,b,junk,a\nr1,cat,2,x,1\nr2,dog,4,y,3\n", file);
    fclose(file);
    static const char *const names[] = {"a", "b"};
    dn_dataset_options opts = {.label_column = "y", .feature_columns = names,
                               .feature_column_count = 2, .id_column = "id"};
    dn_dataset *d = NULL;
    CHECK_OK(dn_dataset_open(&d, path, &opts, &err), &err);
    if (d != NULL) {
        check_row(d, 1, (const float[]){3.0f, 4.0f}, 2); /* a then b, as asked */
        CHECK(strcmp(dn_dataset_row_id(d, 1), "r2") == 0);
        CHECK(dn_dataset_ignored_count(d) == 1 && strcmp(dn_dataset_ignored_name(d, 0), "junk") == 0);
        CHECK(dn_dataset_classes(d) == 2);
    }
    dn_dataset_free(d);
    /* the label asked for by name, absent: unlabeled with label_optional, an error without */
    opts.label_column = "species";
    opts.label_optional = 1;
    d = NULL;
    CHECK_OK(dn_dataset_open(&d, path, &opts, &err), &err);
    CHECK(d != NULL && dn_dataset_classes(d) == 0 && dn_dataset_ignored_count(d) == 2);
    dn_dataset_free(d);
    opts.label_optional = 0;
    d = NULL;
    CHECK(dn_dataset_open(&d, path, &opts, &err) == DN_ERR_FORMAT && d == NULL);
    CHECK_MSG(strstr(err.message, "label column named \"species\"") != NULL, "%s", err.message);
    fixture_close(&f);
}
