/*
 * The tutorial's step-decay experiment through libanneal's C API.
 *
 *   Dense(34, relu, 'normal', input_dim=34) -> Dense(1, sigmoid, 'normal')
 *   SGD(lr=0.0, momentum=0.9), binary_crossentropy, accuracy
 *   fit(X, Y, validation_split=0.33, epochs=50, batch_size=28), the rate set at the start of every epoch by
 *   step_decay(epoch) = 0.1 * 0.5 ^ floor((1 + epoch) / 10)    (Keras's LearningRateScheduler)
 *
 * Usage: tutorial_step_decay [path/to/ionosphere.csv [seed]]
 * Prints one line per epoch, then "final val_accuracy: <value> (<correct>/<rows>)". Exit status 0 on success.
 */
#include <anneal.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The tutorial's schedule, written as the tutorial writes it. */
static double step_decay(int32_t epoch) {
    const double initial_lrate = 0.1;
    const double drop = 0.5;
    const double epochs_drop = 10.0;
    return initial_lrate * pow(drop, floor((1.0 + epoch) / epochs_drop));
}

/* Prints the failed call, its status and the library's message, and says whether it failed. */
static int failed(int32_t status, const char *call) {
    if (status == ANNEAL_OK) return 0;
    fprintf(stderr, "%s failed: %s (%d): %s\n", call, anneal_status_string(status), (int)status, anneal_last_error());
    return 1;
}

struct run {
    int32_t epochs;
    int32_t status; /* the first failure inside the callback, reported after fit returns */
};

/* Sets each epoch's rate at its start; prints each epoch's logs at its end. */
static int32_t on_epoch(void *user_data, anneal_model *model, int32_t event, int32_t epoch, const char *const *keys,
                        const double *values, int32_t count) {
    struct run *run = (struct run *)user_data;
    if (event == ANNEAL_EVENT_EPOCH_BEGIN) {
        int32_t status = anneal_model_set_learning_rate(model, step_decay(epoch));
        if (failed(status, "anneal_model_set_learning_rate")) {
            run->status = status;
            return -1;
        }
        return 0;
    }
    double rate = 0.0;
    int32_t status = anneal_model_learning_rate(model, &rate);
    if (failed(status, "anneal_model_learning_rate")) {
        run->status = status;
        return -1;
    }
    printf("Epoch %d/%d", (int)(epoch + 1), (int)run->epochs);
    for (int32_t i = 0; i < count; i++) printf(" - %s: %.4f", keys[i], values[i]);
    printf(" - lr: %.4f\n", rate);
    return 0;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "../data/ionosphere.csv";
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 7;
    int exit_code = 1;

    anneal_dataset *data = NULL;
    anneal_model *model = NULL;
    anneal_history *history = NULL;
    float *x = NULL;
    float *y = NULL;

    if (anneal_version_number() / 10000 != ANNEAL_VERSION_MAJOR) {
        fprintf(stderr, "libanneal %s does not match anneal.h %s\n", anneal_version_string(), ANNEAL_VERSION_STRING);
        return 1;
    }

    /* The data: 351 rows of 34 features, labels b -> 0, g -> 1. */
    int64_t rows = 0;
    int32_t features = 0;
    if (failed(anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_AUTO, &data), "anneal_dataset_load_csv")) goto done;
    if (failed(anneal_dataset_rows(data, &rows), "anneal_dataset_rows")) goto done;
    if (failed(anneal_dataset_features(data, &features), "anneal_dataset_features")) goto done;
    x = malloc((size_t)rows * (size_t)features * sizeof *x);
    y = malloc((size_t)rows * sizeof *y);
    if (x == NULL || y == NULL) {
        fprintf(stderr, "out of memory\n");
        goto done;
    }
    if (failed(anneal_dataset_copy_features(data, x, rows * features), "anneal_dataset_copy_features")) goto done;
    if (failed(anneal_dataset_copy_labels(data, y, rows), "anneal_dataset_copy_labels")) goto done;

    /* The model. */
    if (failed(anneal_model_create(seed, &model), "anneal_model_create")) goto done;
    anneal_dense_options hidden = ANNEAL_DENSE_OPTIONS_INIT, output = ANNEAL_DENSE_OPTIONS_INIT;
    hidden.activation = ANNEAL_ACTIVATION_RELU;
    hidden.kernel_initializer = ANNEAL_INITIALIZER_NORMAL;
    hidden.input_dim = features;
    output.activation = ANNEAL_ACTIVATION_SIGMOID;
    output.kernel_initializer = ANNEAL_INITIALIZER_NORMAL;
    if (failed(anneal_model_add_dense(model, 34, &hidden), "anneal_model_add_dense")) goto done;
    if (failed(anneal_model_add_dense(model, 1, &output), "anneal_model_add_dense")) goto done;
    /* SGD(momentum=0.9); the callback sets the rate of every epoch. */
    anneal_compile_options compile = ANNEAL_COMPILE_OPTIONS_INIT;
    int32_t metrics[] = {ANNEAL_METRIC_ACCURACY};
    compile.loss = ANNEAL_LOSS_BINARY_CROSSENTROPY;
    compile.metrics = metrics;
    compile.metric_count = 1;
    compile.learning_rate = 0.0;
    compile.momentum = 0.9;
    if (failed(anneal_model_compile(model, &compile), "anneal_model_compile")) goto done;

    /* fit(X, Y, validation_split=0.33, epochs=50, batch_size=28) with the schedule in the callback. */
    struct run run = {50, ANNEAL_OK};
    anneal_fit_options fit = ANNEAL_FIT_OPTIONS_INIT;
    fit.epochs = run.epochs;
    fit.batch_size = 28;
    fit.validation_split = 0.33;
    fit.callback = on_epoch;
    fit.user_data = &run;
    int32_t status = anneal_model_fit(model, x, rows, features, y, 1, &fit, &history);
    if (run.status != ANNEAL_OK) goto done; /* already reported by the callback */
    if (failed(status, "anneal_model_fit")) goto done;

    /* The last epoch's validation accuracy. */
    double val_accuracy[64];
    int32_t epochs_logged = 0;
    if (failed(anneal_history_values(history, "val_accuracy", val_accuracy, 64, &epochs_logged),
               "anneal_history_values")) goto done;
    if (epochs_logged < 1) {
        fprintf(stderr, "no epoch was recorded\n");
        goto done;
    }
    int64_t validation_rows = rows - (int64_t)floor((double)rows * (1.0 - 0.33));
    double final_accuracy = val_accuracy[epochs_logged - 1];
    printf("final val_accuracy: %.17g (%.0f/%" PRId64 ")\n", final_accuracy,
           final_accuracy * (double)validation_rows, validation_rows);
    exit_code = 0;

done:
    anneal_history_free(history);
    anneal_model_free(model);
    anneal_dataset_free(data);
    free(x);
    free(y);
    return exit_code;
}
