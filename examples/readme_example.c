#include <dropnet.h>
#include <stdio.h>

int main(void) {
    dn_error err;
    dn_dataset *data = NULL;
    dn_model *model = NULL;
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    adam.learning_rate = 0.005f;

    /* 1000 rows × 20 features in 3 classes → Dropout(0.2) → Dense(10, relu) → Dense(3, softmax) */
    if (dn_dataset_create_synthetic(&data, 1000, 20, 3, 42, &err) ||
        dn_model_create(&model, 20, &err) ||
        dn_model_add_dropout(model, 0.2f, &err) ||
        dn_model_add_dense(model, 10, DN_ACT_RELU, NULL, &err) ||
        dn_model_add_dense(model, 3, DN_ACT_SOFTMAX, NULL, &err) ||
        dn_model_compile(model, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, 42, &err)) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }
    dn_fit_config fit = dn_fit_defaults(); /* batch 32, shuffled every epoch */
    fit.epochs = 5;
    fit.validation_split = 0.2;            /* the last 20 % of the rows, as in Keras */
    dn_epoch_metrics history[5];
    if (dn_model_fit(model, data, &fit, NULL, NULL, history, &err)) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }
    for (int e = 0; e < 5; ++e)
        printf("epoch %d: loss %.4f accuracy %.4f val_loss %.4f val_accuracy %.4f\n", e + 1,
               history[e].loss, history[e].accuracy, history[e].val_loss, history[e].val_accuracy);

    float x[20], probabilities[3]; /* predict one validation row, dropout off */
    dn_dataset_get_row(data, 800, x, NULL);
    dn_model_predict(model, x, 1, probabilities, NULL);
    printf("row 800: p = [%.3f, %.3f, %.3f], true class %d\n", probabilities[0],
           probabilities[1], probabilities[2], dn_dataset_label(data, 800));
    dn_model_free(model);
    dn_dataset_free(data);
    return 0;
}
