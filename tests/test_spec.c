/* test_spec.c — model spec strings: parsing, canonical printing, round trips, and every error
 * with its column. */
#include "test.h"

#include "dropnet.h"

#include <string.h>

static const char *MNIST_SPEC =
    "dropout:0.2,dense:1024:relu,dropout:0.5,dense:1024:relu,dropout:0.5,dense:10:softmax";

static dn_layer_info layer(const dn_model *m, size_t i) {
    dn_layer_info info;
    memset(&info, 0, sizeof info);
    dn_error err;
    CHECK_OK(dn_model_layer_info(m, i, &info, &err), &err);
    return info;
}

TEST(spec_parses_the_mnist_network) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 784, MNIST_SPEC, &err), &err);
    if (!CHECK(m != NULL)) return;
    CHECK(dn_model_layer_count(m) == 6);
    CHECK(dn_model_input_size(m) == 784);
    CHECK(dn_model_output_size(m) == 10);
    const float rates[] = {0.2f, 0, 0.5f, 0, 0.5f, 0};
    const size_t units[] = {784, 1024, 1024, 1024, 1024, 10};
    const dn_activation acts[] = {0, DN_ACT_RELU, 0, DN_ACT_RELU, 0, DN_ACT_SOFTMAX};
    for (size_t i = 0; i < 6; ++i) {
        dn_layer_info info = layer(m, i);
        CHECK_MSG(info.kind == (i % 2 ? DN_LAYER_DENSE : DN_LAYER_DROPOUT), "layer %zu kind", i);
        CHECK_MSG(info.outputs == units[i], "layer %zu: %zu units, expected %zu", i, info.outputs,
                  units[i]);
        if (info.kind == DN_LAYER_DROPOUT)
            CHECK(info.rate == rates[i]);
        else
            CHECK(info.activation == acts[i]);
    }
    char buf[256];
    CHECK(dn_model_spec(m, buf, sizeof buf) == strlen(MNIST_SPEC));
    CHECK_MSG(strcmp(buf, MNIST_SPEC) == 0, "printed \"%s\"", buf);
    dn_model_free(m);
}

TEST(spec_defaults_blanks_and_canonical_form) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 3, " dense:4 , dropout: 0.25,\tdense : 2 : sigmoid ", &err),
             &err);
    if (!CHECK(m != NULL)) return;
    CHECK(layer(m, 0).activation == DN_ACT_LINEAR); /* Keras' default */
    CHECK(layer(m, 1).rate == 0.25f);
    CHECK(layer(m, 2).activation == DN_ACT_SIGMOID);
    char buf[128];
    dn_model_spec(m, buf, sizeof buf);
    CHECK_MSG(strcmp(buf, "dense:4:linear,dropout:0.25,dense:2:sigmoid") == 0, "got \"%s\"", buf);
    dn_model_free(m);
}

TEST(spec_rates_round_trip_exactly) {
    /* Rates whose shortest text needs several digits, and the largest float below 1. */
    const float rates[] = {0.1f, 0.123456789f, 1e-7f, 0.99999994f, 0.0f, 1.0f / 3.0f};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; ++i) {
        char spec[64], printed[64], again[64];
        dn_model *m = NULL, *m2 = NULL;
        dn_error err;
        CHECK_OK(dn_model_create(&m, 2, &err), &err);
        CHECK_OK(dn_model_add_dropout(m, rates[i], &err), &err);
        CHECK_OK(dn_model_add_dense(m, 2, DN_ACT_TANH, NULL, &err), &err);
        dn_model_spec(m, spec, sizeof spec);
        CHECK_OK(dn_model_from_spec(&m2, 2, spec, &err), &err);
        if (m2 == NULL) {
            dn_model_free(m);
            continue;
        }
        float back = layer(m2, 0).rate;
        CHECK_MSG(memcmp(&back, &rates[i], sizeof back) == 0,
                  "rate %.9g printed as \"%s\" reads "
                  "back as %.9g",
                  (double)rates[i], spec, (double)back);
        dn_model_spec(m, printed, sizeof printed);
        dn_model_spec(m2, again, sizeof again);
        CHECK(strcmp(printed, again) == 0);
        dn_model_free(m);
        dn_model_free(m2);
    }
    /* The shortest form: 0.1f prints as "0.1", not "0.100000001". */
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 2, "dropout:0.1,dense:2", &err), &err);
    char buf[64];
    dn_model_spec(m, buf, sizeof buf);
    CHECK_MSG(strcmp(buf, "dropout:0.1,dense:2:linear") == 0, "got \"%s\"", buf);
    dn_model_free(m);
}

TEST(spec_print_reports_length_and_truncates) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 5, "dense:16:relu,dense:3:softmax", &err), &err);
    const size_t full = strlen("dense:16:relu,dense:3:softmax");
    char small[10];
    memset(small, 'x', sizeof small);
    CHECK(dn_model_spec(m, small, sizeof small) == full);
    CHECK(strcmp(small, "dense:16:") == 0);
    CHECK(dn_model_spec(m, NULL, 0) == full);
    CHECK(dn_model_spec(NULL, small, sizeof small) == 0 && small[0] == '\0');
    dn_model_free(m);
}

/* Each bad spec, the status, and a piece its message must contain. */
static const struct {
    const char *spec;
    dn_status status;
    const char *message;
} BAD_SPECS[] = {
    {"", DN_ERR_FORMAT, "model spec is empty"},
    {"   ", DN_ERR_FORMAT, "model spec is empty"},
    {"dropout:0.2,dens:10", DN_ERR_FORMAT,
     "model spec column 13: unknown layer type \"dens\" (expected dense, dropout, "
     "alpha_dropout, gaussian_dropout or gaussian_noise)"},
    {"dense:10,,dense:2", DN_ERR_FORMAT, "model spec column 10: empty layer"},
    {"dense:10,", DN_ERR_FORMAT, "model spec column 10: empty layer"},
    {",dense:10", DN_ERR_FORMAT, "model spec column 1: empty layer"},
    {"dense", DN_ERR_FORMAT, "model spec column 1: \"dense\" needs a unit count"},
    {"dense:4,dropout", DN_ERR_FORMAT, "model spec column 9: \"dropout\" needs a rate"},
    {"dense:", DN_ERR_FORMAT, "model spec column 7: units \"\" is not a whole number > 0"},
    {"dense:abc", DN_ERR_FORMAT, "model spec column 7: units \"abc\" is not a whole number > 0"},
    {"dense:-5", DN_ERR_FORMAT, "model spec column 7: units \"-5\" is not a whole number > 0"},
    {"dense:2.5", DN_ERR_FORMAT, "model spec column 7: units \"2.5\" is not a whole number"},
    {"dense:0", DN_ERR_FORMAT, "model spec column 7: units must be > 0, found \"0\""},
    {"dense:99999999999999999999999", DN_ERR_FORMAT, "model spec column 7: too many units"},
    {"dense:10:rleu", DN_ERR_FORMAT, "model spec column 10: unknown activation \"rleu\""},
    {"dense:10:relu:x", DN_ERR_FORMAT, "model spec column 15: unexpected field \"x\""},
    {"dropout:0.5:x", DN_ERR_FORMAT, "model spec column 13: unexpected field \"x\""},
    {"dropout:abc", DN_ERR_FORMAT, "model spec column 9: dropout rate is not a number: \"abc\""},
    {"dropout:1.5", DN_ERR_FORMAT,
     "model spec column 9: dropout rate \"1.5\": dropout rate must be "
     "in [0, 1), got 1.5"},
    {"dropout:1", DN_ERR_FORMAT, "column 9: dropout rate \"1\""},
    {"dropout:-0.1", DN_ERR_FORMAT, "column 9: dropout rate \"-0.1\""},
    {"dropout:nan", DN_ERR_FORMAT, "column 9: dropout rate \"nan\""},
    {"dropout:1e99", DN_ERR_FORMAT, "column 9: dropout rate is not a number: \"1e99\""},
};

TEST(spec_errors_name_the_column_and_token) {
    for (size_t i = 0; i < sizeof BAD_SPECS / sizeof BAD_SPECS[0]; ++i) {
        dn_model *m = (dn_model *)&m; /* must stay untouched */
        dn_error err;
        memset(&err, 0, sizeof err);
        dn_status st = dn_model_from_spec(&m, 4, BAD_SPECS[i].spec, &err);
        CHECK_MSG(st == BAD_SPECS[i].status, "\"%s\": status %d, expected %d", BAD_SPECS[i].spec,
                  (int)st, (int)BAD_SPECS[i].status);
        CHECK_MSG(strstr(err.message, BAD_SPECS[i].message) != NULL,
                  "\"%s\": message \"%s\" lacks \"%s\"", BAD_SPECS[i].spec, err.message,
                  BAD_SPECS[i].message);
        CHECK(m == (dn_model *)&m);
    }
    /* The example of the documentation, word for word. */
    dn_model *m = NULL;
    dn_error err;
    dn_model_from_spec(&m, 4, "dropout:0.2,dens:1024", &err);
    CHECK_MSG(strcmp(err.message, "model spec column 13: unknown layer type \"dens\" (expected "
                                  "dense, dropout, alpha_dropout, gaussian_dropout or "
                                  "gaussian_noise)") == 0,
              "got \"%s\"", err.message);
    CHECK(dn_model_from_spec(&m, 0, "dense:2", &err) == DN_ERR_ARGUMENT);
    CHECK(dn_model_from_spec(&m, 4, NULL, &err) == DN_ERR_ARGUMENT);
    CHECK(dn_model_from_spec(NULL, 4, "dense:2", &err) == DN_ERR_ARGUMENT);
    CHECK(m == NULL);
}

TEST(spec_long_tokens_are_quoted_cut) {
    char spec[200];
    memset(spec, 'q', sizeof spec - 1);
    spec[sizeof spec - 1] = '\0';
    dn_model *m = NULL;
    dn_error err;
    CHECK(dn_model_from_spec(&m, 4, spec, &err) == DN_ERR_FORMAT);
    CHECK_MSG(strstr(err.message, "column 1: unknown layer type \"qqqq") != NULL &&
                  strstr(err.message, "...\"") != NULL && strlen(err.message) < 170,
              "got \"%s\"", err.message);
}
