/* demo_pipeline.c — the seed page's data, network and fit settings (demo_pipeline.h). */
#include "learn/demo_pipeline.h"

dn_status cli_demo_data(dn_dataset **out, uint64_t seed, dn_error *err) {
    return dn_dataset_create_synthetic(out, CLI_DEMO_ROWS, CLI_DEMO_FEATURES, CLI_DEMO_CLASSES,
                                       seed, err);
}

dn_status cli_demo_model(dn_model **out, float rate, float learning_rate, uint64_t seed,
                         dn_error *err) {
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    adam.learning_rate = learning_rate;
    dn_model *m = NULL;
    dn_status st = dn_model_create(&m, CLI_DEMO_FEATURES, err);
    if (st == DN_OK) st = dn_model_add_dropout(m, rate, err);
    if (st == DN_OK) st = dn_model_add_dense(m, CLI_DEMO_HIDDEN, DN_ACT_RELU, NULL, err);
    if (st == DN_OK) st = dn_model_add_dense(m, CLI_DEMO_CLASSES, DN_ACT_SOFTMAX, NULL, err);
    if (st == DN_OK)
        st = dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, seed, err);
    if (st != DN_OK) {
        dn_model_free(m);
        return st;
    }
    *out = m;
    return DN_OK;
}

dn_fit_config cli_demo_fit(size_t epochs, size_t batch) {
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = epochs;
    fit.batch_size = batch;
    fit.validation_split = CLI_DEMO_VALIDATION_SPLIT;
    return fit;
}
