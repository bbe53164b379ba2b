/*
 * model.c: misuse of the model functions (layers, build, compile, queries, weights, predict, evaluate,
 * learning rate). Caller arrays are malloc'd at their exact size, so that AddressSanitizer reports any read
 * past them (a shape checked after the copy). Usage: model PATH/TO/ionosphere.csv DIRECTORY
 */
#include "misuse.h"

/* `count` floats of value `value`, malloc'd at exactly that size. */
static float *floats(size_t count, float value) {
    float *values = malloc(count * sizeof *values);
    if (values == NULL) exit(3);
    for (size_t i = 0; i < count; i++) values[i] = value;
    return values;
}

/* Dense(3, relu, input_dim 2) -> Dense(1, sigmoid), compiled with binary cross-entropy and accuracy unless
 * `compile` is false. */
static anneal_model *small_model(bool compile) {
    anneal_model *model = NULL;
    anneal_sgd *sgd = NULL;
    const char *metrics[1] = {"accuracy"};
    EXPECT(ANNEAL_OK, anneal_model_create(3, &model), "");
    EXPECT(ANNEAL_OK, add_dense_layer(model, 3, ANNEAL_ACTIVATION_RELU, ANNEAL_INITIALIZER_GLOROT_UNIFORM,
                                             ANNEAL_INITIALIZER_ZEROS, true, 2), "");
    EXPECT(ANNEAL_OK, add_dense_layer(model, 1, ANNEAL_ACTIVATION_SIGMOID, ANNEAL_INITIALIZER_GLOROT_UNIFORM,
                                             ANNEAL_INITIALIZER_ZEROS, true, 0), "");
    if (compile) {
        EXPECT(ANNEAL_OK, anneal_sgd_create(0.1, 0.9, 0.01, false, &sgd), "");
        EXPECT(ANNEAL_OK, compile_with_sgd(model, sgd, ANNEAL_LOSS_BINARY_CROSSENTROPY, metrics, 1), "");
        anneal_sgd_free(sgd);
    }
    return model;
}

/* Every function taking a model, given `handle` that is not a live model: ANNEAL_E_INVALID_HANDLE. */
static void refused_everywhere(anneal_model *handle, const char *text) {
    int32_t count = 0, rank = 0;
    int64_t size = 0, length = 0, dims[2];
    double rate = 0, values[4];
    float x[2] = {0, 0}, y[1] = {0}, out[4];
    char buffer[8];
    bool flag = false;
    anneal_sgd *sgd = NULL;
    anneal_optimizer *adam = NULL;
    anneal_dataset *data = NULL;
    anneal_dense_options dense = ANNEAL_DENSE_OPTIONS_INIT;
    anneal_compile_options compile = ANNEAL_COMPILE_OPTIONS_INIT;
    const char *metrics[1] = {"accuracy"};
    anneal_sgd_create(0.1, 0, 0, false, &sgd);
    anneal_optimizer_adam(0.001, 0.9, 0.999, 1e-7, false, 0, NULL, &adam);
    anneal_dataset_create(x, y, 1, 2, &data);
    EXPECT(ANNEAL_E_INVALID_HANDLE, add_dense_layer(handle, 1, 0, 0, 1, true, 2), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_add_dense(handle, 1, &dense), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_add_dropout(handle, 0.5, NULL), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_build(handle, 2), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, compile_with_sgd(handle, sgd, 0, metrics, 1), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, compile_with_optimizer(handle, adam, 0, metrics, 1), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_compile(handle, &compile), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_set_activation(handle, 0, 1, 0), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_set_loss_options(handle, false, 0, 1), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_set_metric(handle, 0, "auc", "auc", 0.5, 5, 200, 0), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_set_metric_weighted(handle, 0, true), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_metric_weighted(handle, 0, &flag), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_layer_count(handle, &count), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_input_dim(handle, &count), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_output_dim(handle, &count), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_weight_count(handle, &count), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_metric_count(handle, &count), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_metric_name(handle, 0, buffer, 8, &length), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_weight_shape(handle, 0, &rank, dims, 2, &size), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_get_weight(handle, 0, out, 4), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_set_weight(handle, 0, out, 4), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_description(handle, buffer, 8, &length), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_predict(handle, x, 1, 2, 1, out, 4), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_evaluate(handle, x, 1, 2, y, 1, 1, values, 4, &count), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_evaluate_weighted(handle, x, 1, 2, y, 1, NULL, 1, values, 4, &count),
           "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_evaluate_dataset(handle, data, 1, values, 4, &count), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_predict_dataset(handle, data, 1, out, 4), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_learning_rate(handle, &rate), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_set_learning_rate(handle, 0.1), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_effective_learning_rate(handle, &rate), "model", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_iterations(handle, &size), "model", text);
    CHECK(count == 0 && rank == 0 && size == 0 && length == 0 && rate == 0);
    anneal_sgd_free(sgd);
    anneal_optimizer_free(adam);
    anneal_dataset_free(data);
}

static void layers(void) {
    anneal_model *model = NULL;
    anneal_dense_options dense = ANNEAL_DENSE_OPTIONS_INIT;
    const uint64_t seed = 5;
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_create(1, NULL), "out_model is NULL");
    EXPECT(ANNEAL_OK, anneal_model_create(1, &model), "");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, add_dense_layer(model, 0, 0, 0, 1, true, 2), "units", "0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, add_dense_layer(model, -4, 0, 0, 1, true, 2), "units", "-4");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, add_dense_layer(model, 2, 0, 0, 1, true, -1), "input_dim", "-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, add_dense_layer(model, 2, 15, 0, 1, true, 2), "activation", "15");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, add_dense_layer(model, 2, -1, 0, 1, true, 2), "activation", "-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, add_dense_layer(model, 2, 0, 11, 1, true, 2), "kernel_initializer", "11");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, add_dense_layer(model, 2, 0, 0, INT32_MIN, true, 2), "bias_initializer");
    EXPECT(ANNEAL_E_OUT_OF_MEMORY, add_dense_layer(model, INT32_MAX, 0, 0, 1, true, INT32_MAX),
           "anneal_model_add_dense");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_add_dropout(model, 1, NULL), "rate", "1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_add_dropout(model, -0.5, &seed), "rate");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_add_dropout(model, NAN, NULL), "rate");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_build(model, 2), "no layers");
    {
        anneal_model *unbuilt = NULL;
        EXPECT(ANNEAL_OK, anneal_model_create(1, &unbuilt), "");
        EXPECT(ANNEAL_OK, add_dense_layer(unbuilt, 2, 0, 0, 1, true, 0), "");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_build(unbuilt, 0), "input_dim");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_build(unbuilt, -3), "input_dim");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_build(unbuilt, INT32_MIN), "input_dim");
        EXPECT(ANNEAL_E_OUT_OF_MEMORY, anneal_model_build(unbuilt, INT32_MAX / 2 + 1), "anneal_model_build");
        anneal_model_free(unbuilt);
    }

    /* Option structs: NULL means the defaults; an unknown struct_size is refused first. */
    dense.struct_size = 3;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_add_dense(model, 2, &dense), "struct_size", "3");
    dense.struct_size = -1;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_add_dense(model, 2, &dense), "struct_size");
    dense.struct_size = INT64_MAX;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_add_dense(model, 2, &dense), "struct_size");
    dense.struct_size = (int64_t)sizeof dense;
    dense.activation = 99;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_add_dense(model, 2, &dense), "activation", "99");
    dense.activation = ANNEAL_ACTIVATION_RELU;
    dense.kernel_initializer = -2;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_add_dense(model, 2, &dense), "kernel_initializer");
    dense.kernel_initializer = ANNEAL_INITIALIZER_GLOROT_UNIFORM;
    dense.input_dim = -1;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_add_dense(model, 2, &dense), "input_dim");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_add_dense(model, 0, NULL), "units");
    dense.input_dim = 2;
    EXPECT(ANNEAL_OK, anneal_model_add_dense(model, 3, &dense), "");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, add_dense_layer(model, 1, 0, 0, 1, true, 4), "input_dim", "4");
    EXPECT(ANNEAL_OK, anneal_model_add_dropout(model, 0.5, &seed), "");
    EXPECT(ANNEAL_OK, anneal_model_add_dense(model, 1, NULL), "");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_build(model, 5), "input_dim", "5");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_activation(model, 2, 1, 0), "layer", "2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_activation(model, -1, 1, 0), "layer");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_activation(model, 0, 15, 0), "activation", "15");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_activation(model, 0, ANNEAL_ACTIVATION_LEAKY_RELU, NAN),
           "alpha");
    EXPECT(ANNEAL_OK, anneal_model_set_activation(model, 0, ANNEAL_ACTIVATION_LEAKY_RELU, 0.3), "");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_set_loss_options(model, false, 0, 1), "anneal_model_compile");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_set_metric(model, 0, "auc", "auc", 0.5, 5, 200, 0),
           "anneal_model_compile");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_set_metric_weighted(model, 0, true), "anneal_model_compile");
    anneal_model_free(model);

    /* Bad handles. */
    {
        anneal_sgd *sgd = NULL;
        int local = 0;
        EXPECT(ANNEAL_OK, anneal_sgd_create(0.1, 0, 0, false, &sgd), "");
        refused_everywhere(NULL, "model is NULL");
        refused_everywhere((anneal_model *)sgd, "anneal_sgd");
        refused_everywhere(MADE_UP(anneal_model), "not a live handle");
        refused_everywhere((anneal_model *)&local, "not a live handle");
        refused_everywhere(model, "not a live handle");
        anneal_model_free(model);
        anneal_model_free(NULL);
        anneal_model_free((anneal_model *)sgd); /* an sgd freed as a model: nothing */
        anneal_model_free(MADE_UP(anneal_model));
        anneal_sgd_free(sgd);
    }
}

static void compile(void) {
    anneal_model *model = small_model(false), *empty = NULL;
    anneal_sgd *sgd = NULL;
    anneal_optimizer *adam = NULL;
    anneal_compile_options options = ANNEAL_COMPILE_OPTIONS_INIT;
    const char *metrics[2] = {"accuracy", NULL};
    const char *unknown[1] = {"no_such_metric"};
    const char *invalid[1] = {"\xff"};
    const int32_t codes[2] = {ANNEAL_METRIC_ACCURACY, 77};
    EXPECT(ANNEAL_OK, anneal_sgd_create(0.1, 0, 0, false, &sgd), "");
    EXPECT(ANNEAL_OK, anneal_optimizer_adam(0.001, 0.9, 0.999, 1e-7, false, 0, NULL, &adam), "");
    EXPECT(ANNEAL_OK, anneal_model_create(1, &empty), "");
    EXPECT(ANNEAL_E_INVALID_STATE, compile_with_sgd(empty, sgd, 0, NULL, 0), "no layers");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_compile(empty, &options), "no layers");
    options.sgd = sgd;
    options.optimizer = adam;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_compile(model, &options), "optimizer", "sgd", "both");
    options.sgd = NULL;
    options.optimizer = NULL;
    EXPECT(ANNEAL_E_INVALID_HANDLE, compile_with_sgd(model, (anneal_sgd *)adam, 0, NULL, 0), "sgd",
           "anneal_optimizer");
    EXPECT(ANNEAL_E_INVALID_HANDLE, compile_with_sgd(model, MADE_UP(anneal_sgd), 0, NULL, 0), "sgd");
    EXPECT(ANNEAL_E_INVALID_HANDLE, compile_with_optimizer(model, (anneal_optimizer *)sgd, 0, NULL, 0),
           "optimizer", "anneal_sgd");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, compile_with_sgd(model, sgd, 15, NULL, 0), "loss", "15");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, compile_with_sgd(model, sgd, -1, NULL, 0), "loss", "-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, compile_with_optimizer(model, adam, 99, NULL, 0), "loss", "99");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, compile_with_sgd(model, sgd, 0, metrics, -1), "metric_name_count", "-1");
    EXPECT(ANNEAL_E_NULL_POINTER, compile_with_sgd(model, sgd, 0, NULL, 1), "metric_names is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, compile_with_sgd(model, sgd, 0, metrics, 2), "metric_names[1]");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, compile_with_sgd(model, sgd, 0, unknown, 1), "no_such_metric");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, compile_with_sgd(model, sgd, 0, invalid, 1), "metric_names[0]", "UTF-8");
    EXPECT(ANNEAL_E_NULL_POINTER, compile_with_optimizer(model, adam, 0, NULL, 3), "metric_names is NULL");

    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_compile(model, NULL), "options is NULL");
    options.struct_size = 0;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_compile(model, &options), "struct_size", "0");
    options.struct_size = (int64_t)sizeof options;
    options.loss = 42;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_compile(model, &options), "loss", "42");
    options.loss = ANNEAL_LOSS_BINARY_CROSSENTROPY;
    options.metric_count = 1;
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_compile(model, &options), "metrics is NULL");
    options.metrics = codes;
    options.metric_count = -2;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_compile(model, &options), "metric_count", "-2");
    options.metric_count = 2;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_compile(model, &options), "metrics[1]", "77");
    options.metric_count = 1;
    options.momentum = 3;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_compile(model, &options), "momentum", "3");
    options.momentum = 0;
    options.learning_rate = NAN;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_compile(model, &options), "learning_rate");
    options.optimizer = (const anneal_optimizer *)sgd;
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_compile(model, &options), "optimizer", "anneal_sgd");
    options.optimizer = adam;
    EXPECT(ANNEAL_OK, anneal_model_compile(model, &options), "");

    /* After compile. */
    EXPECT(ANNEAL_E_INVALID_STATE, add_dense_layer(model, 1, 0, 0, 1, true, 0), "compiled");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_add_dropout(model, 0.1, NULL), "compiled");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_set_activation(model, 0, 1, 0), "compiled");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_loss_options(model, false, 1.5, 1), "label_smoothing", "1.5");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_loss_options(model, false, NAN, 1), "label_smoothing");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_loss_options(model, false, 0, INFINITY), "delta");
    EXPECT(ANNEAL_OK, anneal_model_set_loss_options(model, true, 0.1, 1), "");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric(model, 1, "auc", "auc", 0.5, 5, 200, 0), "index", "1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric(model, -1, "auc", "auc", 0.5, 5, 200, 0), "index");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_set_metric(model, 0, NULL, "auc", 0.5, 5, 200, 0), "metric is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_set_metric(model, 0, "auc", NULL, 0.5, 5, 200, 0), "name is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric(model, 0, "auc", "", 0.5, 5, 200, 0), "name");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric(model, 0, "nope", "x", 0.5, 5, 200, 0), "nope");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric(model, 0, "auc", "auc", NAN, 5, 200, 0), "threshold");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric(model, 0, "auc", "auc", 0.5, 0, 200, 0), "k", "0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric(model, 0, "auc", "auc", 0.5, 5, 1, 0),
           "num_thresholds", "1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric(model, 0, "auc", "auc", 0.5, 5, 200, 2), "curve", "2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric(model, 0, "\xff", "auc", 0.5, 5, 200, 0), "metric",
           "UTF-8");
    EXPECT(ANNEAL_OK, anneal_model_set_metric(model, 0, "auc", "auc", 0.5, 5, 200, ANNEAL_CURVE_PR), "");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_weighted(model, 1, true), "index", "1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_weighted(model, -1, true), "index");
    EXPECT(ANNEAL_OK, anneal_model_set_metric_weighted(model, 0, true), "");
    anneal_model_free(model);
    anneal_model_free(empty);
    anneal_sgd_free(sgd);
    anneal_optimizer_free(adam);
}

static void queries(void) {
    anneal_model *model = small_model(true), *unbuilt = NULL, *uncompiled = small_model(false);
    int32_t rank = -1;
    int64_t length = -1, size = -1, dims[2] = {-1, -1}, one_dim[1];
    double rate = -1;
    float *weight = floats(6, 0.25f), *short_weight = floats(5, 0.25f), *nan_weight = floats(6, NAN);
    char name[4];
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_layer_count(model, NULL), "out_count");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_input_dim(model, NULL), "out_dim");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_output_dim(model, NULL), "out_dim");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_weight_count(model, NULL), "out_count");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_metric_count(model, NULL), "out_count");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_metric_name(model, 1, name, sizeof name, &length), "index", "1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_metric_name(model, -1, name, sizeof name, &length), "index");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_metric_name(model, 0, NULL, 8, &length), "buffer");
    CHECK(length == -1);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_metric_name(model, 0, name, -8, &length), "capacity", "-8");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_metric_name(model, 0, name, sizeof name, &length), "buffer holds");
    CHECK(length == 8);
    bool weighted = true;
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_metric_weighted(model, 0, NULL), "out_weighted");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_metric_weighted(model, 1, &weighted), "index", "1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_metric_weighted(model, -1, &weighted), "index");
    EXPECT(ANNEAL_OK, anneal_model_metric_weighted(model, 0, &weighted), "");
    CHECK(!weighted);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_metric_weighted(uncompiled, 0, &weighted), "index", "0");

    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_weight_shape(model, 4, &rank, dims, 2, &size), "index", "4");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_weight_shape(model, -1, &rank, dims, 2, &size), "index");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_weight_shape(model, 0, NULL, dims, 2, &size), "out_rank");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_weight_shape(model, 0, &rank, NULL, 2, &size), "out_dims");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_weight_shape(model, 0, &rank, dims, -1, &size), "dims_capacity");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_weight_shape(model, 0, &rank, one_dim, 1, &size), "out_dims");
    CHECK(rank == 2);
    EXPECT(ANNEAL_OK, anneal_model_weight_shape(model, 0, &rank, NULL, 0, NULL), "");

    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_get_weight(model, 0, NULL, 6), "buffer");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_get_weight(model, 9, weight, 6), "index", "9");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_get_weight(model, 0, short_weight, 5), "buffer holds");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_get_weight(model, 0, weight, -6), "buffer holds");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_set_weight(model, 0, NULL, 6), "values is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_weight(model, 4, weight, 6), "index", "4");
    /* count disagrees with the tensor's size: refused before `values` is read. */
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_set_weight(model, 0, short_weight, 7), "count=7");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_set_weight(model, 0, short_weight, INT64_MAX), "count");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_set_weight(model, 0, short_weight, -1), "count=-1");
    EXPECT(ANNEAL_E_NON_FINITE, anneal_model_set_weight(model, 0, nan_weight, 6), "nan");
    EXPECT(ANNEAL_OK, anneal_model_set_weight(model, 0, weight, 6), "");
    EXPECT(ANNEAL_OK, anneal_model_create(1, &unbuilt), "");
    EXPECT(ANNEAL_OK, add_dense_layer(unbuilt, 2, 0, 0, 1, true, 0), "");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_set_weight(unbuilt, 0, weight, 6), "input_dim");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_get_weight(unbuilt, 0, weight, 6), "index");

    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_description(model, NULL, 16, &length), "buffer");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_description(model, name, -1, &length), "capacity");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_description(model, name, sizeof name, &length), "buffer holds");
    EXPECT(ANNEAL_OK, anneal_model_description(model, NULL, 0, NULL), "");

    /* Learning rate. */
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_learning_rate(model, NULL), "out_rate");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_effective_learning_rate(model, NULL), "out_rate");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_iterations(model, NULL), "out_iterations");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_learning_rate(model, -1), "rate", "-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_learning_rate(model, NAN), "rate", "nan");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_learning_rate(model, INFINITY), "rate", "inf");
    EXPECT(ANNEAL_OK, anneal_model_set_learning_rate(model, 0.05), "");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_learning_rate(uncompiled, &rate), "anneal_model_compile");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_set_learning_rate(uncompiled, 0.1), "anneal_model_compile");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_effective_learning_rate(uncompiled, &rate), "anneal_model_compile");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_iterations(uncompiled, &size), "anneal_model_compile");
    CHECK(rate == -1);
    free(weight);
    free(short_weight);
    free(nan_weight);
    anneal_model_free(model);
    anneal_model_free(unbuilt);
    anneal_model_free(uncompiled);
}

/* predict and evaluate, on arrays and datasets: NULLs, sizes, widths declared wider than the buffers. */
static void inference(void) {
    anneal_model *model = small_model(true), *empty = NULL, *uncompiled = small_model(false);
    float *x = floats(4 * 2, 0.5f), *y = floats(4, 1), *out = floats(4, 0), *weights = floats(4, 1);
    float *nan_x = floats(4 * 2, NAN), *nan_weights = floats(4, NAN);
    double values[2];
    int32_t count = -1;
    anneal_dataset *data = NULL, *wide = NULL, *two_labels = NULL;
    float *wide_x = floats(4 * 3, 0.5f), *two_y = floats(4 * 2, 0);
    EXPECT(ANNEAL_OK, anneal_model_create(1, &empty), "");
    EXPECT(ANNEAL_OK, anneal_dataset_create(x, y, 4, 2, &data), "");
    EXPECT(ANNEAL_OK, anneal_dataset_create(wide_x, y, 4, 3, &wide), "");
    EXPECT(ANNEAL_OK, anneal_dataset_create_labels(x, two_y, 4, 2, 2, &two_labels), "");

    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_predict(empty, x, 4, 2, 4, out, 4), "anneal_model_add_dense");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_predict(model, NULL, 4, 2, 4, out, 4), "x is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_predict(model, x, 4, 2, 4, NULL, 4), "out is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_predict(model, x, 0, 2, 4, out, 4), "rows=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_predict(model, x, -1, 2, 4, out, 4), "rows=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_predict(model, x, 4, 0, 4, out, 4), "cols=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_predict(model, x, 4, 2, 0, out, 4), "batch_size=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_predict(model, x, 4, 2, INT32_MIN, out, 4), "batch_size");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_predict(model, x, 4, 3, 4, out, 4), "cols=3");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_predict(model, x, 4, INT32_MAX, 4, out, 4), "cols");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_predict(model, x, INT64_MAX, 2, 4, out, 4), "rows");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_predict(model, x, 4, 2, 4, out, 3), "out holds 3");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_predict(model, x, 4, 2, 4, out, -1), "out holds");
    EXPECT(ANNEAL_E_NON_FINITE, anneal_model_predict(model, nan_x, 4, 2, 4, out, 4), "x");
    EXPECT(ANNEAL_OK, anneal_model_predict(model, x, 4, 2, INT32_MAX, out, 4), "");

    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_evaluate(uncompiled, x, 4, 2, y, 1, 4, values, 2, &count),
           "anneal_model_compile");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_evaluate(model, NULL, 4, 2, y, 1, 4, values, 2, &count), "x is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_evaluate(model, x, 4, 2, NULL, 1, 4, values, 2, &count), "y is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_evaluate(model, x, 4, 2, y, 1, 0, values, 2, &count), "batch_size");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_evaluate(model, x, 0, 2, y, 1, 4, values, 2, &count), "rows=0");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_evaluate(model, x, 4, 3, y, 1, 4, values, 2, &count), "cols=3");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_evaluate(model, x, 4, 2, y, 2, 4, values, 2, &count), "y_cols=2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_evaluate(model, x, 4, 2, y, 0, 4, values, 2, &count), "y_cols=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_evaluate(model, x, 4, 2, y, 1, 4, values, -1, &count), "capacity");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_evaluate(model, x, 4, 2, y, 1, 4, NULL, 2, &count), "out_values");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_evaluate(model, x, 4, 2, y, 1, 4, values, 1, &count),
           "out_values holds 1");
    CHECK(count == 2);
    EXPECT(ANNEAL_E_NON_FINITE, anneal_model_evaluate(model, nan_x, 4, 2, y, 1, 4, values, 2, &count), "x");
    EXPECT(ANNEAL_OK, anneal_model_evaluate(model, x, 4, 2, y, 1, 4, NULL, 0, &count), "");

    EXPECT(ANNEAL_E_INVALID_STATE,
           anneal_model_evaluate_weighted(uncompiled, x, 4, 2, y, 1, weights, 4, values, 2, &count),
           "anneal_model_compile");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_evaluate_weighted(model, NULL, 4, 2, y, 1, weights, 4, values, 2, &count),
           "x is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_evaluate_weighted(model, x, 4, 2, NULL, 1, weights, 4, values, 2, &count),
           "y is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_evaluate_weighted(model, x, 4, 2, y, 1, weights, 0, values, 2, &count),
           "batch_size");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_evaluate_weighted(model, x, 4, 3, y, 1, weights, 4, values, 2, &count),
           "cols=3");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_evaluate_weighted(model, x, 4, 2, y, 2, weights, 4, values, 2, &count),
           "y_cols=2");
    EXPECT(ANNEAL_E_NON_FINITE,
           anneal_model_evaluate_weighted(model, x, 4, 2, y, 1, nan_weights, 4, values, 2, &count), "sample_weight");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_evaluate_weighted(model, x, 4, 2, y, 1, NULL, 4, values, 1, &count),
           "out_values holds 1");
    EXPECT(ANNEAL_OK, anneal_model_evaluate_weighted(model, x, 4, 2, y, 1, weights, 4, values, 2, &count), "");

    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_evaluate_dataset(model, NULL, 4, values, 2, &count), "dataset is NULL");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_evaluate_dataset(model, (anneal_dataset *)model, 4, values, 2, &count),
           "dataset", "anneal_model");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_evaluate_dataset(model, data, 0, values, 2, &count), "batch_size");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_evaluate_dataset(model, wide, 4, values, 2, &count), "3");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_evaluate_dataset(model, two_labels, 4, values, 2, &count), "2");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_evaluate_dataset(model, data, 4, values, 1, &count), "holds 1");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_evaluate_dataset(uncompiled, data, 4, values, 2, &count),
           "anneal_model_compile");
    EXPECT(ANNEAL_OK, anneal_model_evaluate_dataset(model, data, 4, values, 2, &count), "");

    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_predict_dataset(model, NULL, 4, out, 4), "dataset is NULL");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_predict_dataset(model, MADE_UP(anneal_dataset), 4, out, 4), "dataset");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_predict_dataset(model, data, 4, NULL, 4), "out is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_predict_dataset(model, data, -1, out, 4), "batch_size");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_predict_dataset(model, wide, 4, out, 4), "3");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_model_predict_dataset(model, data, 4, out, 3), "holds 3");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_predict_dataset(empty, data, 4, out, 4), "anneal_model_add_dense");
    EXPECT(ANNEAL_OK, anneal_model_predict_dataset(model, data, 4, out, 4), "");
    free(x);
    free(y);
    free(out);
    free(weights);
    free(nan_x);
    free(nan_weights);
    free(wide_x);
    free(two_y);
    anneal_dataset_free(data);
    anneal_dataset_free(wide);
    anneal_dataset_free(two_labels);
    anneal_model_free(model);
    anneal_model_free(empty);
    anneal_model_free(uncompiled);
}

int main(int argc, char **argv) {
    misuse_start(argc, argv);
    layers();
    compile();
    queries();
    inference();
    return misuse_finish("model");
}
