/* test_null_args.c — the contract "a public function returns a status, never crashes": every
 * DN_API function is called with NULL for each pointer argument (and again with valid handles and
 * NULL outputs). Functions that return a status must refuse with a message; the others must
 * return their documented NULL value. The list of functions called is compared with the DN_API
 * declarations of include/dropnet.h, so a new public function cannot be left out. */
#include "test.h"

#include "dropnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { MAX_API = 256 };
static const char *called[MAX_API];
static size_t called_count;

static void record(const char *name) {
    for (size_t i = 0; i < called_count; ++i)
        if (strcmp(called[i], name) == 0) return;
    if (called_count < MAX_API) called[called_count++] = name;
}

/* CALL(f)(args) records f as covered and calls it. */
#define CALL(fn) (record(#fn), fn)

/* A refused call: not DN_OK, the same status in err, and a message saying why. */
static void check_refused(dn_status st, const dn_error *err, const char *what) {
    CHECK_MSG(st != DN_OK, "%s accepted a NULL argument", what);
    CHECK_MSG(err->status == st && err->message[0] != '\0', "%s: status %s without a message",
              what, dn_status_name(st));
}

/* fn(args..., &err) must refuse; then fn(args..., NULL) must not crash either. */
#define REFUSES(fn, ...)                                                                       \
    do {                                                                                       \
        dn_error err_ = {DN_OK, ""};                                                           \
        check_refused(CALL(fn)(__VA_ARGS__, &err_), &err_, #fn);                               \
        CHECK_MSG(fn(__VA_ARGS__, NULL) != DN_OK, "%s accepted NULL (err NULL)", #fn);         \
    } while (0)

/* fn(args..., &err) may succeed (NULL is allowed there) but must not crash; a failure has a
 * message. */
#define SURVIVES(fn, ...)                                                                      \
    do {                                                                                       \
        dn_error err_ = {DN_OK, ""};                                                           \
        dn_status st_ = CALL(fn)(__VA_ARGS__, &err_);                                          \
        CHECK_MSG(st_ == DN_OK || err_.message[0] != '\0', "%s failed without a message", #fn); \
    } while (0)

static dn_status write_nothing(FILE *file, void *context, dn_error *err) {
    (void)file, (void)context, (void)err;
    return DN_OK;
}

/* Every public function, each pointer argument NULL. */
static void call_with_nulls(void) {
    CHECK(CALL(dn_status_name)(DN_ERR_ARGUMENT) != NULL);
    CHECK(CALL(dn_version)() != NULL);

    /* 2. datasets */
    REFUSES(dn_dataset_create_classification, NULL, 4, 2, NULL, NULL, 2);
    REFUSES(dn_dataset_create_targets, NULL, 4, 2, NULL, 1, NULL);
    REFUSES(dn_dataset_create_synthetic, NULL, 4, 2, 2, 1);
    CALL(dn_dataset_free)(NULL);
    CHECK(CALL(dn_dataset_rows)(NULL) == 0);
    CHECK(CALL(dn_dataset_bytes)(NULL) == 0);
    CHECK(CALL(dn_dataset_on_disk)(NULL) == 0);
    CHECK(CALL(dn_dataset_features)(NULL) == 0);
    CHECK(CALL(dn_dataset_classes)(NULL) == 0);
    CHECK(CALL(dn_dataset_targets)(NULL) == 0);
    REFUSES(dn_dataset_get_row, NULL, 0, NULL);
    CHECK(CALL(dn_dataset_label)(NULL, 0) == -1);
    REFUSES(dn_dataset_slice, NULL, 0, 1, NULL);
    REFUSES(dn_dataset_take, NULL, NULL, 1, NULL);
    REFUSES(dn_dataset_open, NULL, NULL, NULL);
    CHECK(CALL(dn_dataset_class_name)(NULL, 0) == NULL);
    CHECK(CALL(dn_dataset_feature_name)(NULL, 0) == NULL);
    CHECK(CALL(dn_dataset_label_name)(NULL) == NULL);
    CHECK(CALL(dn_dataset_has_header)(NULL) == 0);
    CHECK(CALL(dn_dataset_row_id)(NULL, 0) == NULL);
    CHECK(CALL(dn_dataset_ignored_count)(NULL) == 0);
    CHECK(CALL(dn_dataset_ignored_name)(NULL, 0) == NULL);
    CHECK(CALL(dn_dataset_delimiter)(NULL) == 0);
    CHECK(CALL(dn_dataset_index_column_dropped)(NULL) == 0);
    CHECK(CALL(dn_dataset_needs_preparing)(NULL) == 0);
    REFUSES(dn_dataset_prepare, NULL, NULL, DN_IMPUTE_NONE, NULL);
    REFUSES(dn_dataset_prepared_bytes, NULL, NULL, DN_IMPUTE_NONE, NULL);
    CHECK(CALL(dn_dataset_preprocessing)(NULL) == NULL);
    CHECK(CALL(dn_dataset_warning)(NULL) == NULL);
    CHECK(CALL(dn_dataset_target_values)(NULL) == NULL);
    REFUSES(dn_dataset_scale_targets, NULL, NULL, NULL);
    REFUSES(dn_dataset_feature_stats, NULL, NULL, NULL);
    REFUSES(dn_dataset_align_classes, NULL, NULL, 0);
    REFUSES(dn_dataset_borrow, NULL, 4, 2, NULL, NULL, 2, 0, NULL);

    /* 3. building a model */
    REFUSES(dn_model_create, NULL, 4);
    CALL(dn_model_free)(NULL);
    CHECK(CALL(dn_activation_name)(DN_ACT_RELU) != NULL);
    REFUSES(dn_activation_parse, NULL, NULL);
    CHECK(CALL(dn_initializer_name)(DN_INIT_HE_NORMAL) != NULL);
    REFUSES(dn_initializer_parse, NULL, NULL);
    REFUSES(dn_model_add_dense, NULL, 4, DN_ACT_RELU, NULL);
    REFUSES(dn_model_dense_options, NULL, 0, NULL);
    REFUSES(dn_model_add_dropout, NULL, 0.5f);
    REFUSES(dn_model_add_alpha_dropout, NULL, 0.5f);
    REFUSES(dn_model_add_gaussian_dropout, NULL, 0.5f);
    REFUSES(dn_model_add_gaussian_noise, NULL, 0.5f);
    CHECK(CALL(dn_optimizer_defaults)(DN_OPTIMIZER_ADAM).learning_rate > 0.0f);
    REFUSES(dn_model_set_regularization, NULL, NULL);
    dn_regularization reg = CALL(dn_model_regularization)(NULL);
    CHECK(reg.l2 == 0.0f && reg.max_norm == 0.0f);
    REFUSES(dn_model_compile, NULL, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 1);
    REFUSES(dn_model_from_spec, NULL, 4, NULL);
    CHECK(CALL(dn_model_spec)(NULL, NULL, 0) == 0);
    REFUSES(dn_model_set_threads, NULL, 1);
    CHECK(CALL(dn_model_threads)(NULL) == 0);
    REFUSES(dn_model_set_precision, NULL, DN_PRECISION_BF16);
    CHECK(CALL(dn_model_precision)(NULL) == DN_PRECISION_FP32);
    REFUSES(dn_model_memory_estimate, NULL, 32, NULL);
    REFUSES(dn_model_check_memory, NULL, 32, 0);
    REFUSES(dn_model_fit_memory_estimate, NULL, NULL, 1, NULL);

    /* 4. training */
    CHECK(CALL(dn_fit_defaults)().batch_size == 32);
    REFUSES(dn_model_fit, NULL, NULL, NULL, NULL, NULL, NULL);
    REFUSES(dn_model_set_learning_rate, NULL, 0.1f);
    REFUSES(dn_model_set_momentum, NULL, 0.5f);
    CHECK(CALL(dn_model_learning_rate)(NULL) == 0.0f);
    CHECK(CALL(dn_model_step)(NULL) == 0);
    CHECK(CALL(dn_model_epochs_done)(NULL) == 0);

    /* 5. running and inspecting */
    REFUSES(dn_model_evaluate, NULL, NULL, NULL, NULL);
    REFUSES(dn_model_evaluate_reduced, NULL, NULL, NULL, NULL, NULL);
    REFUSES(dn_model_predict, NULL, NULL, 1, NULL);
    REFUSES(dn_model_predict_dataset, NULL, NULL, NULL);
    REFUSES(dn_model_prepare_inference, NULL);
    CHECK(CALL(dn_model_inference_prepared)(NULL) == 0);
    CHECK(CALL(dn_predicted_class)(NULL, 3) == 0);
    REFUSES(dn_model_confusion_matrix, NULL, NULL, NULL);
    REFUSES(dn_model_predict_mc, NULL, NULL, 1, 4, NULL, NULL, NULL, NULL);
    REFUSES(dn_model_predict_mc_dataset, NULL, NULL, 4, NULL, NULL, NULL, NULL);
    REFUSES(dn_model_forward, NULL, NULL, 1, DN_MODE_INFERENCE, 0, NULL);
    CHECK(CALL(dn_model_activation)(NULL, 0, NULL, NULL) == NULL);
    REFUSES(dn_model_dropout_mask, NULL, 0, NULL, NULL);
    CHECK(CALL(dn_model_input_size)(NULL) == 0);
    CHECK(CALL(dn_model_output_size)(NULL) == 0);
    CHECK(CALL(dn_model_layer_count)(NULL) == 0);
    CHECK(CALL(dn_model_param_count)(NULL) == 0);
    CHECK(CALL(dn_model_loss)(NULL) == DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    CHECK(CALL(dn_model_seed)(NULL) == 0);
    REFUSES(dn_model_layer_info, NULL, 0, NULL);
    CHECK(CALL(dn_model_params)(NULL) == NULL);
    CHECK(CALL(dn_model_grads)(NULL) == NULL);
    CALL(dn_philox4x32_10)(NULL, NULL, NULL);

    /* 6. preprocessing, annotations and files */
    REFUSES(dn_model_set_standardization, NULL, NULL, NULL);
    CHECK(CALL(dn_model_get_standardization)(NULL, NULL, NULL) == 0);
    REFUSES(dn_model_set_class_names, NULL, NULL, 0);
    CHECK(CALL(dn_model_class_name)(NULL, 0) == NULL);
    REFUSES(dn_model_set_metadata, NULL, NULL, NULL);
    CHECK(CALL(dn_model_get_metadata)(NULL, NULL) == NULL);
    CHECK(CALL(dn_model_metadata_count)(NULL) == 0);
    CHECK(CALL(dn_model_metadata_key)(NULL, 0) == NULL);
    REFUSES(dn_model_save, NULL, NULL);
    REFUSES(dn_model_save_as, NULL, NULL, DN_PRECISION_BF16);
    REFUSES(dn_model_load, NULL, NULL);
    REFUSES(dn_model_file_memory, NULL, NULL);
    REFUSES(dn_model_save_checkpoint, NULL, NULL, NULL);
    REFUSES(dn_model_load_checkpoint, NULL, NULL, NULL);
    CALL(dn_checkpoint_state_free)(NULL);
    REFUSES(dn_model_copy_weights, NULL, NULL);
    REFUSES(dn_model_export_onnx, NULL, "build/null-args-never-written.onnx", NULL);
    REFUSES(dn_model_import_onnx, NULL, "build/null-args-never-read.onnx");
    REFUSES(dn_write_file_atomic, NULL, NULL, NULL);
    REFUSES(dn_write_file_atomic, "build/null-args-never-written", NULL, NULL);
    SURVIVES(dn_check_outputs, NULL, 0, NULL, 0);
    REFUSES(dn_check_outputs, NULL, 2, NULL, 0);
    CALL(dn_remove_temp_files)();
    /* In a child: the handlers it installs would change how this process dies of a signal, which
     * the output-policy tests rely on. */
    int (*install)(void) = CALL(dn_install_temp_cleanup);
    pid_t child = fork();
    if (child == 0) _exit(install() >= 0 ? 0 : 1);
    int status = -1;
    CHECK(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
          WEXITSTATUS(status) == 0);
}

/* The DN_API function names of include/dropnet.h (found next to this file); 0 if unreadable. */
static size_t header_functions(char names[][64], size_t max) {
    char path[512];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *tests = strstr(path, "tests/test_null_args.c");
    if (tests == NULL) return 0;
    snprintf(tests, sizeof path - (size_t)(tests - path), "include/dropnet.h");
    FILE *f = fopen(path, "rb");
    if (f == NULL) return 0;
    static char text[1 << 17];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    size_t n = 0;
    for (const char *p = strstr(text, "\nDN_API "); p != NULL && n < max;
         p = strstr(p + 1, "\nDN_API ")) {
        const char *paren = strchr(p, '('), *end = paren;
        if (paren == NULL) break;
        while (end > p && end[-1] == ' ') --end;
        const char *begin = end;
        while (begin > p && (begin[-1] == '_' || (begin[-1] >= 'a' && begin[-1] <= 'z') ||
                             (begin[-1] >= '0' && begin[-1] <= '9')))
            --begin;
        snprintf(names[n++], 64, "%.*s", (int)(end - begin), begin);
    }
    return n;
}

TEST(every_public_function_refuses_null_and_none_is_missed) {
    call_with_nulls();
    static char names[MAX_API][64];
    size_t n = header_functions(names, MAX_API);
    CHECK_MSG(n >= 80, "found %zu DN_API functions in include/dropnet.h", n);
    for (size_t i = 0; i < n; ++i) {
        int found = 0;
        for (size_t j = 0; j < called_count && !found; ++j) found = strcmp(names[i], called[j]) == 0;
        CHECK_MSG(found, "%s (include/dropnet.h) is not called by tests/test_null_args.c", names[i]);
    }
    for (size_t j = 0; j < called_count; ++j) {
        int found = 0;
        for (size_t i = 0; i < n && !found; ++i) found = strcmp(names[i], called[j]) == 0;
        CHECK_MSG(found, "%s is called but not declared DN_API in include/dropnet.h", called[j]);
    }
}

TEST(valid_handles_with_null_outputs_return_a_status) {
    dn_error err = {DN_OK, ""};
    dn_model *m = NULL;
    dn_dataset *d = NULL;
    CHECK_OK(dn_model_from_spec(&m, 4, "dense:8:relu,dropout:0.5,dense:3:softmax", &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 7, &err), &err);
    CHECK_OK(dn_dataset_create_synthetic(&d, 16, 4, 3, 7, &err), &err);
    if (m == NULL || d == NULL) goto done;

    REFUSES(dn_dataset_create_classification, NULL, 4, 2, NULL, NULL, 2);
    REFUSES(dn_dataset_get_row, d, 0, NULL);
    REFUSES(dn_dataset_slice, d, 0, 1, NULL);
    REFUSES(dn_dataset_take, d, NULL, 1, NULL);
    REFUSES(dn_dataset_feature_stats, d, NULL, NULL);
    REFUSES(dn_dataset_prepared_bytes, d, d, DN_IMPUTE_NONE, NULL);
    REFUSES(dn_dataset_scale_targets, d, NULL, NULL);
    SURVIVES(dn_dataset_align_classes, d, NULL, 3); /* documented: a no-op without names */
    REFUSES(dn_model_dense_options, m, 0, NULL);
    REFUSES(dn_model_memory_estimate, m, 32, NULL);
    REFUSES(dn_model_fit_memory_estimate, m, NULL, 1, NULL);
    REFUSES(dn_model_fit, m, NULL, NULL, NULL, NULL, NULL);
    REFUSES(dn_model_evaluate, m, NULL, NULL, NULL);
    SURVIVES(dn_model_evaluate, m, d, NULL, NULL);
    dn_reducer no_functions = {.rank = 0, .workers = 1};
    REFUSES(dn_model_evaluate_reduced, NULL, d, &no_functions, NULL, NULL);
    REFUSES(dn_model_evaluate_reduced, m, d, &no_functions, NULL, NULL);
    SURVIVES(dn_model_evaluate_reduced, m, d, NULL, NULL, NULL);
    REFUSES(dn_model_predict, m, NULL, 1, NULL);
    REFUSES(dn_model_predict_dataset, m, d, NULL);
    REFUSES(dn_model_confusion_matrix, m, d, NULL);
    REFUSES(dn_model_predict_mc, m, NULL, 1, 4, NULL, NULL, NULL, NULL);
    SURVIVES(dn_model_predict_mc_dataset, m, d, 4, NULL, NULL, NULL, NULL);
    REFUSES(dn_model_forward, m, NULL, 1, DN_MODE_INFERENCE, 0, NULL);
    size_t rows = 1, cols = 1;
    (void)dn_model_activation(m, 0, NULL, NULL);
    (void)dn_model_activation(m, 0, &rows, &cols);
    SURVIVES(dn_model_dropout_mask, m, 1, NULL, NULL);
    REFUSES(dn_model_layer_info, m, 0, NULL);
    SURVIVES(dn_model_set_standardization, m, NULL, NULL); /* documented: removes it */
    float mean[4] = {0};
    REFUSES(dn_model_set_standardization, m, mean, NULL);
    CHECK(dn_model_get_standardization(m, NULL, NULL) == 0);
    REFUSES(dn_model_set_class_names, m, NULL, 3);
    REFUSES(dn_model_set_metadata, m, NULL, NULL);
    CHECK(dn_model_get_metadata(m, NULL) == NULL);
    CHECK(dn_model_spec(m, NULL, 0) > 0);
    REFUSES(dn_model_save, m, NULL);
    REFUSES(dn_model_save_as, m, NULL, DN_PRECISION_BF16);
    REFUSES(dn_model_save_checkpoint, m, NULL, NULL);
    REFUSES(dn_model_copy_weights, m, NULL);
    REFUSES(dn_model_export_onnx, m, NULL, NULL);
    REFUSES(dn_model_import_onnx, &m, NULL);
    REFUSES(dn_model_copy_weights, NULL, m);
    REFUSES(dn_write_file_atomic, NULL, write_nothing, NULL);
done:
    dn_dataset_free(d);
    dn_model_free(m);
}
