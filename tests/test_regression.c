/* test_regression.c — regression, the inferred output layer and machine-readable results
 * through the dropnet binary (issue 13): a linear+noise table is learnt to R² > 0.95; the
 * target standardisation is stored in the model and undone at predict (checked by hand against
 * the library's raw outputs); mismatched tasks are refused naming the fix; eval --json matches
 * scikit-learn on the same predictions; on scikit-learn's diabetes data a dropout regression
 * comes within 0.05 R² of MLPRegressor on the same split. */
#include "test.h"

#include "dropnet.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char output[1 << 16];
static char dir[64];

#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

static int make_dir(void) {
    snprintf(dir, sizeof dir, "/tmp/dropnet-regression-XXXXXX");
    return CHECK(mkdtemp(dir) != NULL);
}

/* A fixed pseudo-random value in [-0.5, 0.5) for (r, j). */
static double noise(int r, int j) {
    unsigned h = (unsigned)(r * 2654435761u + (unsigned)j * 40503u + 17u);
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    h ^= h >> 15;
    return (double)(h % 100000) / 100000.0 - 0.5;
}

static double target_shift; /* added to every target (new data on another scale) */

/* y = 50 + 20·a − 10·b + 5·c + small noise: continuous, far from standardised. */
static double target(int r, const double *x) {
    return target_shift + 50.0 + 20.0 * x[0] - 10.0 * x[1] + 5.0 * x[2] + 0.4 * noise(r, 9);
}

static void write_linear(const char *name, int rows, int with_target) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    fprintf(f, with_target ? "a,b,c,y\n" : "a,b,c\n");
    for (int r = 0; r < rows; ++r) {
        double x[3] = {2.0 * noise(r, 0), 2.0 * noise(r, 1), 2.0 * noise(r, 2)};
        fprintf(f, "%.6f,%.6f,%.6f", x[0], x[1], x[2]);
        if (with_target) fprintf(f, ",%.6f", target(r, x));
        fputc('\n', f);
    }
    fclose(f);
}

/* The number after "\"key\":" in the text (NaN when absent). */
static double json_number(const char *text, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(text, pattern);
    return at ? strtod(at + strlen(pattern), NULL) : NAN;
}

TEST(regression_linear_noise_recovers_r2_and_says_what_it_chose) {
    if (!make_dir()) return;
    write_linear("lin.csv", 600, 1);
    CHECK(cli("train --train lin.csv --model dropout:0.05,dense:32:relu --epochs 60 --lr 0.01 "
              "--val-split 0.2 --val-shuffle --out m.st") == 0);
    CHECK_MSG(strstr(output, "the label column holds continuous values: regression") &&
              strstr(output, "added dense:1:linear") && strstr(output, "a regression target") &&
              strstr(output, "val_r2: "), "%s", output);
    CHECK(cli("eval --model m.st --data lin.csv --json") == 0);
    double r2 = json_number(output, "r2");
    CHECK_MSG(r2 > 0.95, "R2 %g on a linear+noise table: %s", r2, output);
    CHECK(strstr(output, "\"task\":\"regression\"") != NULL);
    /* --loss mae trains too, and the model says so */
    CHECK(cli("train --train lin.csv --model dense:32:relu --loss mae --epochs 60 --lr 0.01 "
              "--out mae.st") == 0);
    CHECK(cli("summary --model mae.st") == 0);
    CHECK_MSG(strstr(output, "mean absolute error") != NULL, "%s", output);
    CHECK(cli("eval --model mae.st --data lin.csv --json") == 0);
    CHECK_MSG(json_number(output, "r2") > 0.95, "%s", output);
    /* integer labels with few values stay classes */
    CHECK(cli("train --train lin.csv --label y --task classification --model dense:4:relu "
              "--out c.st") == 1);
    CHECK_MSG(strstr(output, "a continuous target needs a regression model, --task regression"),
              "%s", output);
    CHECK(dn_test_remove_dir(dir));
}

/* The model stores the training rows' target mean and population std; predict prints
 * raw_output·std + mean, computed here from the library's own output. */
TEST(regression_standardisation_round_trips_through_a_saved_model) {
    if (!make_dir()) return;
    write_linear("lin.csv", 200, 1);
    write_linear("new.csv", 5, 0);
    CHECK(cli("train --train lin.csv --model dense:8:relu,dense:1:linear --epochs 5 "
              "--out m.st") == 0);
    CHECK_MSG(strstr(output, "note: --model has no output layer") == NULL, "%s", output);
    double sum = 0.0, sq = 0.0, y[200];
    for (int r = 0; r < 200; ++r) {
        double x[3] = {2.0 * noise(r, 0), 2.0 * noise(r, 1), 2.0 * noise(r, 2)};
        char text[32];
        snprintf(text, sizeof text, "%.6f", target(r, x)); /* as the file holds it */
        y[r] = (float)strtod(text, NULL);
        sum += y[r];
    }
    double mean = sum / 200.0;
    for (int r = 0; r < 200; ++r) sq += (y[r] - mean) * (y[r] - mean);
    double std = sqrt(sq / 200.0);
    char path[128];
    snprintf(path, sizeof path, "%s/m.st", dir);
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_load(&m, path, &err), &err);
    if (m == NULL) return;
    cJSON *meta = cJSON_Parse(dn_model_get_metadata(m, "regression"));
    double stored_mean = cJSON_GetNumberValue(cJSON_GetObjectItem(meta, "mean"));
    double stored_std = cJSON_GetNumberValue(cJSON_GetObjectItem(meta, "std"));
    CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(meta, "target")), "y") == 0);
    cJSON_Delete(meta);
    CHECK_NEAR(stored_mean, mean, 1e-4 * fabs(mean));
    CHECK_NEAR(stored_std, std, 1e-4 * std);
    CHECK(cli("predict --model m.st --data new.csv") == 0);
    const char *line = strchr(output, '\n');
    CHECK(strncmp(output, "predicted\n", 10) == 0);
    for (int r = 0; r < 5 && line != NULL; ++r) {
        float x[3] = {(float)(2.0 * noise(r, 0)), (float)(2.0 * noise(r, 1)),
                      (float)(2.0 * noise(r, 2))}, z;
        char text[32];
        for (int j = 0; j < 3; ++j) { /* as the file holds them */
            snprintf(text, sizeof text, "%.6f", (double)x[j]);
            x[j] = (float)strtod(text, NULL);
        }
        CHECK_OK(dn_model_predict(m, x, 1, &z, &err), &err);
        double want = (double)z * stored_std + stored_mean, got = strtod(line + 1, NULL);
        CHECK_NEAR(got, want, 1e-6 * fabs(want) + 1e-6);
        line = strchr(line + 1, '\n');
    }
    /* trace shows the value in the target's units, the same as predict's first row */
    CHECK(cli("trace --model m.st --data lin.csv --index 0") == 0);
    const char *value = strstr(output, "Predicted value ");
    CHECK_MSG(value != NULL && strstr(output, "Predicted class") == NULL &&
              strstr(output, ", true value "), "%s", output);
    float x0[3] = {(float)(2.0 * noise(0, 0)), (float)(2.0 * noise(0, 1)), (float)(2.0 * noise(0, 2))}, z0;
    for (int j = 0; j < 3; ++j) {
        char text[32];
        snprintf(text, sizeof text, "%.6f", (double)x0[j]);
        x0[j] = (float)strtod(text, NULL);
    }
    CHECK_OK(dn_model_predict(m, x0, 1, &z0, &err), &err);
    if (value != NULL) {
        double want = (double)z0 * stored_std + stored_mean;
        CHECK_NEAR(strtod(value + 16, NULL), want, 1e-5 * fabs(want) + 1e-5);
    }
    /* MC dropout gives the predictive mean and its std, in the target's units */
    CHECK(cli("train --train lin.csv --model dense:16:relu,dropout:0.3 --epochs 5 --out d.st") == 0);
    CHECK(cli("predict --model d.st --data new.csv --mc-samples 30") == 0);
    CHECK_MSG(strncmp(output, "predicted,std\n", 14) == 0, "%s", output);
    const char *comma = strchr(output + 14, ',');
    CHECK(comma != NULL && strtod(comma + 1, NULL) > 0.0);
    dn_model_free(m);
    CHECK(dn_test_remove_dir(dir));
}

TEST(regression_refusals_name_the_fix) {
    if (!make_dir()) return;
    write_linear("lin.csv", 100, 1);
    CHECK(cli("train --train lin.csv --model dense:4:relu --val-split 0.2 --stratify "
              "--out m.st") == 1);
    CHECK_MSG(strstr(output, "--stratify keeps class proportions, and the regression target of "
                             "lin.csv has no classes: use --val-shuffle") != NULL, "%s", output);
    CHECK(cli("train --train lin.csv --task regression --model dense:4:relu --test-split 0.2 "
              "--stratify --out m.st") == 2);
    CHECK_MSG(strstr(output, "a regression target has no classes: use --val-shuffle") != NULL,
              "%s", output);
    CHECK(cli("train --train lin.csv --model dense:4:relu,dense:3:softmax --out m.st") == 1);
    CHECK_MSG(strstr(output, "does not fit a regression target (one number per row): end --model "
                             "with dense:1:linear") != NULL, "%s", output);
    CHECK(cli("compare --train lin.csv --model dense:4:relu,dropout:0.2 --val-split 0.2") == 1);
    CHECK_MSG(strstr(output, "compare measures classification accuracy") != NULL, "%s", output);
    CHECK(cli("train --train lin.csv --model dense:4:relu --loss categorical --out m.st") == 1);
    CHECK_MSG(strstr(output, "give --loss mse or mae") != NULL, "%s", output);
    /* a classifier on the regression file, and a regression model on a file of class names */
    char path[128];
    snprintf(path, sizeof path, "%s/names.csv", dir);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    fprintf(f, "a,b,c,y\n");
    for (int r = 0; r < 60; ++r)
        fprintf(f, "%d,%d,%d,%s\n", r % 3, r % 5, r % 7, r % 2 ? "cat" : "dog");
    fclose(f);
    CHECK(cli("train --train names.csv --model dense:4:relu --epochs 2 --out c.st") == 0);
    CHECK_MSG(strstr(output, "added dense:2:softmax") != NULL, "%s", output);
    CHECK(cli("eval --model c.st --data lin.csv") == 1);
    CHECK_MSG(strstr(output, "a continuous target needs a regression model") != NULL, "%s", output);
    CHECK(cli("train --train lin.csv --model dense:4:relu --epochs 2 --out r.st") == 0);
    CHECK(cli("eval --model r.st --data names.csv") == 1);
    CHECK_MSG(strstr(output, "expected a finite number as the regression target, found \"dog\" "
                             "(class labels need a classification model") != NULL, "%s", output);
    /* a classification output layer that does not fit: the fix is named */
    CHECK(cli("train --train names.csv --model dense:4:relu,dense:3:softmax --out c.st") == 1);
    CHECK_MSG(strstr(output, "end --model with dense:2:softmax, or leave the output layer out") !=
              NULL, "%s", output);
    CHECK(cli("train --train names.csv --model dense:4:relu,dense:1:sigmoid --epochs 1 "
              "--out s.st") == 0); /* a fitting output layer is used as it is */
    CHECK_MSG(strstr(output, "note: --model has no output layer") == NULL, "%s", output);
    CHECK(cli("train --train names.csv --model dense:4:relu --loss mae --out c.st") == 1);
    CHECK_MSG(strstr(output, "--loss mae needs a regression target") != NULL, "%s", output);
    CHECK(dn_test_remove_dir(dir));
}

/* Two and three classes, and a regression model: eval --json against scikit-learn's metrics on
 * the predictions `predict` wrote for the same rows (tests/reference/eval_report.py). */
TEST(regression_eval_json_matches_scikit_learn) {
    if (!make_dir()) return;
    char path[128], cmd[512];
    const int classes[] = {2, 3};
    for (int k = 0; k < 2; ++k) {
        snprintf(path, sizeof path, "%s/c%d.csv", dir, classes[k]);
        FILE *f = fopen(path, "w");
        if (!CHECK(f != NULL)) return;
        fprintf(f, "a,b,label\n");
        for (int r = 0; r < 150; ++r) { /* overlapping classes: every score below 1 */
            int c = (r * 7 + r / 3) % classes[k];
            fprintf(f, "%.5f,%.5f,k%d\n", c + 3.0 * noise(r, 0), 3.0 * noise(r, 1) - c, c);
        }
        fclose(f);
        CHECK(cli("train --train c%d.csv --model dense:8:relu --epochs 20 --lr 0.01 "
                  "--out c%d.st", classes[k], classes[k]) == 0);
        CHECK(cli("predict --model c%d.st --data c%d.csv --out p%d.csv", classes[k], classes[k],
                  classes[k]) == 0);
        CHECK(cli("eval --model c%d.st --data c%d.csv --json > e%d.json", classes[k], classes[k],
                  classes[k]) == 0);
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/reference/eval_report.py %s/c%d.csv "
                 "%s/p%d.csv %s/e%d.json", dir, classes[k], dir, classes[k], dir, classes[k]);
        int rc = dn_test_run(cmd, output, sizeof output);
        /* accuracy, 4 scores per class, 6 averages, and ROC AUC for two classes */
        char ok[16];
        snprintf(ok, sizeof ok, "ok %d", 1 + 4 * classes[k] + 6 + (classes[k] == 2));
        CHECK_MSG(rc == 0 && strstr(output, ok), "%d classes: eval_report.py (%d; `make setup` "
                  "installs python3-sklearn):\n%s", classes[k], rc, output);
    }
    write_linear("lin.csv", 150, 1);
    CHECK(cli("train --train lin.csv --model dense:8:relu --epochs 20 --lr 0.01 --out r.st") == 0);
    CHECK(cli("predict --model r.st --data lin.csv --out pr.csv") == 0);
    CHECK(cli("eval --model r.st --data lin.csv --json > er.json") == 0);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/reference/eval_report.py %s/lin.csv "
             "%s/pr.csv %s/er.json y", dir, dir, dir);
    int rc = dn_test_run(cmd, output, sizeof output);
    CHECK_MSG(rc == 0 && strstr(output, "ok 3"), "regression: eval_report.py (%d):\n%s", rc, output);
    CHECK(dn_test_remove_dir(dir));
}

/* train --json: the final metrics of every set and the settings; the test line in --log. */
TEST(regression_train_json_and_log_hold_the_test_metrics) {
    if (!make_dir()) return;
    write_linear("lin.csv", 300, 1);
    CHECK(cli("train --train lin.csv --model dense:8:relu --epochs 3 --val-split 0.2 "
              "--test-split 0.2 --val-shuffle --log log.jsonl --json run.json --out m.st") == 0);
    char path[128], text[8192] = "";
    snprintf(path, sizeof path, "%s/run.json", dir);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[n] = '\0';
    if (f) fclose(f);
    cJSON *o = cJSON_Parse(text);
    CHECK_MSG(o != NULL, "not JSON: %s", text);
    cJSON *test = cJSON_GetObjectItem(o, "test"), *val = cJSON_GetObjectItem(o, "validation");
    CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(o, "task")), "regression") == 0);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(test, "rows")) == 60);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(val, "rows")) == 48);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "train"), "rows")) == 192);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "settings"), "epochs")) == 3);
    double test_r2 = cJSON_GetNumberValue(cJSON_GetObjectItem(test, "r2"));
    cJSON_Delete(o);
    snprintf(path, sizeof path, "cat %s/log.jsonl", dir);
    CHECK(dn_test_run(path, output, sizeof output) == 0);
    const char *last = strstr(output, "{\"test_loss\":");
    CHECK_MSG(last != NULL && fabs(json_number(last, "test_r2") - test_r2) < 1e-6, "%s", output);
    /* a classifier on standard output (--json -): accuracy per set, the test line in --log */
    snprintf(path, sizeof path, "%s/c.csv", dir);
    f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    fprintf(f, "a,b,label\n");
    for (int r = 0; r < 100; ++r) fprintf(f, "%.4f,%.4f,%d\n", noise(r, 0) + r % 2, noise(r, 1), r % 2);
    fclose(f);
    CHECK(cli("train --train c.csv --model dense:4:relu --epochs 2 --test-split 0.3 --json - "
              "--log c.jsonl --out c.st") == 0);
    const char *json = strstr(output, "\"task\":\t\"classification\"");
    CHECK_MSG(json != NULL && strstr(json, "\"accuracy\":") != NULL, "%s", output);
    snprintf(path, sizeof path, "tail -1 %s/c.jsonl", dir);
    CHECK(dn_test_run(path, output, sizeof output) == 0);
    CHECK_MSG(strncmp(output, "{\"test_loss\":", 13) == 0 && strstr(output, "\"test_accuracy\":"),
              "%s", output);
    CHECK(dn_test_remove_dir(dir));
}

/* scikit-learn's diabetes data, 353/89 rows (train_test_split(test_size=0.2, random_state=0)):
 * a dropout regression against MLPRegressor (64 relu units, standardised features and target,
 * early stopping) on the same split. Measured: dropnet 0.368, MLPRegressor 0.301. */
TEST(regression_diabetes_within_005_r2_of_mlpregressor) {
    if (!make_dir()) return;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/reference/diabetes.py %s", dir);
    int rc = dn_test_run(cmd, output, sizeof output);
    const char *at = strstr(output, "mlp_r2 ");
    if (!CHECK_MSG(rc == 0 && at != NULL, "diabetes.py failed (%d; `make setup` installs "
                   "python3-sklearn):\n%s", rc, output))
        return;
    double reference = strtod(at + 7, NULL);
    CHECK(cli("train --train train.csv --test test.csv --model dropout:0.1,dense:64:relu,dropout:0.5 "
              "--standardize --epochs 100 --json - --out d.st") == 0);
    const char *test = strstr(output, "\"test\":");
    double r2 = test ? json_number(test, "r2") : NAN;
    CHECK_MSG(r2 >= reference - 0.05, "diabetes: dropnet R2 %.4f, MLPRegressor %.4f", r2, reference);
    CHECK_MSG(reference > 0.2, "MLPRegressor's R2 %.4f: the reference did not learn", reference);
    CHECK(dn_test_remove_dir(dir));
}

/* How often `needle` stands in [text, end). */
static int count_in(const char *text, const char *end, const char *needle) {
    int n = 0;
    for (const char *at = strstr(text, needle); at && at < end; at = strstr(at + 1, needle)) ++n;
    return n;
}

/* Every epoch line of the log (6 of them) is a row of the page's regression table, as the
 * report prints it: <tr><td>E</td>[<td>mae</td><td>rmse</td><td>r2</td>]<td>val_mae</td>
 * <td>val_rmse</td><td>val_r2</td></tr>, the training columns when `with_train`. */
static void check_regression_epochs(const char *page, const char *log, int with_train) {
    const char *line = log;
    for (int epoch = 1; epoch <= 6; ++epoch, line = strchr(line, '\n') + 1) {
        char row[240], train[120] = "";
        if (with_train)
            snprintf(train, sizeof train, "<td>%.4f</td><td>%.4f</td><td>%.4f</td>",
                     json_number(line, "mae"), json_number(line, "rmse"),
                     json_number(line, "r2"));
        snprintf(row, sizeof row, "<tr><td>%d</td>%s<td>%.4f</td><td>%.4f</td><td>%.4f</td></tr>",
                 epoch, train, json_number(line, "val_mae"), json_number(line, "val_rmse"),
                 json_number(line, "val_r2"));
        CHECK_MSG(strstr(page, row) != NULL, "the report lacks %s", row);
    }
}

/* The training section of a regression page: a mean-absolute-error chart where a classifier's
 * accuracy chart stands (none of accuracy), and the epoch table loss | [mae] | val_loss |
 * val_mae with the log's numbers, no column of dashes. */
static void check_training_section(const char *page, const char *log, int with_train) {
    const char *section = strstr(page, "<section id=\"training\">");
    const char *end = section ? strstr(section, "</section>") : NULL;
    if (!CHECK_MSG(section && end, "no training section")) return;
    char caption[160];
    snprintf(caption, sizeof caption, "<figcaption>Mean absolute error per epoch. %s",
             with_train ? "Solid: training" : "Dashed: validation");
    const char *mae = strstr(section, caption);
    CHECK_MSG(mae != NULL && mae < end, "no MAE chart (%s) in the training section", caption);
    CHECK(strstr(page, "ccuracy per epoch") == NULL && strstr(page, "<th>accuracy</th>") == NULL);
    CHECK(strstr(page, "<th>val_accuracy</th>") == NULL);
    CHECK(count_in(section, end, "<figure>") == 2);
    CHECK_MSG(strstr(section, with_train ? "<th>loss</th><th>mae</th><th>val_loss</th><th>val_mae</th>"
                                         : "<th>loss</th><th>val_loss</th><th>val_mae</th>"),
              "the epoch table's columns");
    const char *line = log;
    for (int epoch = 1; epoch <= 6; ++epoch, line = strchr(line, '\n') + 1) {
        char row[200], train[32] = "";
        if (with_train) snprintf(train, sizeof train, "<td>%.4f</td>", json_number(line, "mae"));
        snprintf(row, sizeof row, "<tr><td>%d</td><td>%.4f</td>%s<td>%.4f</td><td>%.4f</td>", epoch,
                 json_number(line, "loss"), train, json_number(line, "val_loss"),
                 json_number(line, "val_mae"));
        const char *at = strstr(section, row);
        CHECK_MSG(at != NULL && at < end, "the training table lacks %s", row);
    }
}

/* The HTML report of a regression run shows the validation MAE/RMSE/R² of every epoch as --log
 * holds them and the final model's R² on the held-out (test) rows as the log's test line, with
 * predicted against actual, and no confusion matrix or class trace (there are no classes). */
TEST(regression_report_holds_the_logged_r2_and_no_confusion_matrix) {
    if (!make_dir()) return;
    write_linear("lin.csv", 300, 1);
    CHECK(cli("train --train lin.csv --model dense:8:relu --epochs 6 --lr 0.01 --val-split 0.2 "
              "--test-split 0.2 --val-shuffle --log log.jsonl --report r.html --out m.st") == 0);
    static char log[1 << 14], page[1 << 18];
    char command[512];
    snprintf(command, sizeof command, "cat %s/log.jsonl", dir);
    CHECK(dn_test_run(command, log, sizeof log) == 0);
    snprintf(command, sizeof command, "cat %s/r.html", dir);
    CHECK(dn_test_run(command, page, sizeof page) == 0);
    check_regression_epochs(page, log, 0);
    const char *test = strstr(log, "{\"test_loss\":");
    char total[200];
    snprintf(total, sizeof total, "On the 60 test examples at inference: MAE <strong>%.4f</strong>, "
             "RMSE <strong>%.4f</strong>, R² <strong>%.4f</strong>.", json_number(test, "test_mae"),
             json_number(test, "test_rmse"), json_number(test, "test_r2"));
    CHECK_MSG(test != NULL && strstr(page, total) != NULL, "the report lacks %s", total);
    CHECK(json_number(test, "test_r2") > 0.5);
    CHECK(strstr(page, "<h2>5. Predicted against actual</h2>") != NULL);
    CHECK(strstr(page, "<tr><th>row</th><th>actual</th><th>predicted</th><th>error</th></tr>") != NULL);
    CHECK(strstr(page, "a regression target") != NULL && strstr(page, "classes") == NULL);
    CHECK(strstr(page, "onfusion") == NULL && strstr(page, "Prediction trace") == NULL);
    check_training_section(page, log, 0);
    /* dropnet report rebuilds it from the model and the log: data in the target's units, the
     * same R² as eval on it, and the log's validation metrics epoch by epoch */
    CHECK(cli("report --model m.st --log log.jsonl --data lin.csv --out r2.html") == 0);
    snprintf(command, sizeof command, "cat %s/r2.html", dir);
    CHECK(dn_test_run(command, page, sizeof page) == 0);
    check_regression_epochs(page, log, 0);
    check_training_section(page, log, 0);
    CHECK(cli("eval --model m.st --data lin.csv") == 0);
    const char *r2 = strstr(output, "r2 ");
    snprintf(total, sizeof total, "On the 300 held-out examples at inference: MAE");
    CHECK_MSG(strstr(page, total) != NULL && strstr(page, "onfusion") == NULL, "%s", page);
    snprintf(total, sizeof total, "R² <strong>%.4f</strong>", r2 ? strtod(r2 + 3, NULL) : NAN);
    CHECK_MSG(r2 != NULL && strstr(page, total) != NULL, "eval: %s; the page lacks %s", output, total);
    /* A log that also holds the training rows' mae, rmse and r2 (a Keras-style History): the
     * MAE chart draws them solid, both tables show them. */
    snprintf(command, sizeof command, "cd %s && awk '{sub(/\"accuracy\":null/, \"\\\"accuracy\\\":null,"
             "\\\"mae\\\":\" NR/8 \",\\\"rmse\\\":\" NR/4 \",\\\"r2\\\":\" 1-NR/10); print}' "
             "log.jsonl > train.jsonl && cat train.jsonl", dir);
    CHECK(dn_test_run(command, log, sizeof log) == 0);
    CHECK_MSG(strstr(log, "\"mae\":0.125,\"rmse\":0.25,\"r2\":0.9,") != NULL, "%s", log);
    CHECK(cli("report --model m.st --log train.jsonl --data lin.csv --out r3.html") == 0);
    snprintf(command, sizeof command, "cat %s/r3.html", dir);
    CHECK(dn_test_run(command, page, sizeof page) == 0);
    check_regression_epochs(page, log, 1);
    check_training_section(page, log, 1);
    /* A metric that is not a number is refused, naming the file and line, and writes nothing. */
    snprintf(command, sizeof command, "cd %s && sed '2s/\"val_r2\":[^,]*/\"val_r2\":\"high\"/' "
             "log.jsonl > bad.jsonl", dir);
    CHECK(dn_test_run(command, output, sizeof output) == 0);
    CHECK(cli("report --model m.st --log bad.jsonl --out r4.html") == 1);
    CHECK_MSG(strstr(output, "bad.jsonl:2: mae, rmse, r2, val_mae, val_rmse and val_r2 must be "
                     "numbers or null") != NULL, "%s", output);
    CHECK(dn_test_size_in(dir, "r4.html") == -1);
    CHECK(dn_test_remove_dir(dir));
}

/* The "regression" metadata of dir/name ("" when it cannot be read). */
static void regression_metadata(const char *name, char *out, size_t size) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    dn_model *m = NULL;
    out[0] = '\0';
    if (!CHECK(dn_model_load(&m, path, NULL) == DN_OK)) return;
    const char *text = dn_model_get_metadata(m, "regression");
    snprintf(out, size, "%s", text ? text : "");
    dn_model_free(m);
}

/* --init from a regression model on new data whose target has another mean and spread: the
 * model's stored scale is kept (its weights were learnt on it), said in a note, stored again,
 * so that with no epochs the new model predicts exactly what the old one does, and fine-tuning
 * keeps the scale too. Recomputing it from the new data would make the same weights mean other
 * numbers (every prediction shifted by ~100 here). */
TEST(regression_init_keeps_the_models_target_scale) {
    if (!make_dir()) return;
    target_shift = 0.0;
    write_linear("lin.csv", 300, 1);
    target_shift = 100.0;
    write_linear("shifted.csv", 200, 1);
    target_shift = 0.0;
    CHECK(cli("train --train lin.csv --model dense:8:relu --epochs 5 --lr 0.01 --out a.st") == 0);
    char a[256], b[256], c[256];
    regression_metadata("a.st", a, sizeof a);
    CHECK(cli("train --train shifted.csv --init a.st --epochs 0 --out b.st") == 0);
    CHECK_MSG(strstr(output, "note: --init a.st: the targets keep the model's scale (mean ") != NULL &&
                  strstr(output, "the training rows of shifted.csv have mean 14") != NULL,
              "%s", output);
    regression_metadata("b.st", b, sizeof b);
    CHECK_MSG(a[0] != '\0' && strcmp(a, b) == 0, "a: %s\nb: %s", a, b);
    static char pa[sizeof output], pb[sizeof output];
    CHECK(cli("predict --model a.st --data shifted.csv") == 0);
    memcpy(pa, output, sizeof output);
    CHECK(cli("predict --model b.st --data shifted.csv") == 0);
    memcpy(pb, output, sizeof output);
    CHECK(strncmp(pa, "predicted\n", 10) == 0 && strcmp(pa, pb) == 0);
    /* fine-tuned on the shifted data: still the model's scale */
    CHECK(cli("train --train shifted.csv --init a.st --epochs 3 --lr 0.01 --out c.st") == 0);
    regression_metadata("c.st", c, sizeof c);
    CHECK_MSG(strcmp(a, c) == 0, "a: %s\nc: %s", a, c);
    CHECK(dn_test_remove_dir(dir));
}

/* The features of an --init model that was standardised keep its mean and std, with or without
 * --standardize (recomputing them from the new rows, or dropping them, would feed its weights
 * inputs on another scale): with 0 epochs the new model predicts exactly as the old one. */
TEST(init_keeps_the_models_feature_standardisation) {
    if (!make_dir()) return;
    target_shift = 0.0;
    write_linear("lin.csv", 300, 1);
    write_linear("other.csv", 120, 1);
    CHECK(cli("train --train lin.csv --model dense:8:relu --standardize --epochs 5 --lr 0.01 "
              "--out a.st") == 0);
    static char pa[sizeof output], pb[sizeof output];
    CHECK(cli("predict --model a.st --data other.csv") == 0);
    memcpy(pa, output, sizeof output);
    const char *runs[] = {"train --train other.csv --init a.st --epochs 0 --out b.st",
                          "train --train other.csv --init a.st --standardize --epochs 0 --out b.st"};
    for (size_t i = 0; i < 2; ++i) {
        CHECK(cli("%s", runs[i]) == 0);
        CHECK_MSG(strstr(output, "note: --init a.st: the features keep the model's "
                                 "standardisation") != NULL, "%s", output);
        CHECK(cli("predict --model b.st --data other.csv") == 0);
        memcpy(pb, output, sizeof output);
        CHECK_MSG(strncmp(pa, "predicted\n", 10) == 0 && strcmp(pa, pb) == 0, "%s:\n%.200s\n%.200s",
                  runs[i], pa, pb);
    }
    CHECK(dn_test_remove_dir(dir));
}
