/*
 * The tutorial's time-based-decay experiment in eight library calls, from CSV file to printed accuracy and
 * saved weights (the frees and the error reporting aside):
 *
 *   Dense(34, relu, 'normal', input_dim=34) -> Dense(1, sigmoid, 'normal')
 *   SGD(lr=0.1, momentum=0.8, decay=0.1 / 50), binary_crossentropy, accuracy
 *   fit(X, Y, validation_split=0.33, epochs=50, batch_size=28)
 *
 * Usage: minimal [path/to/ionosphere.csv [seed [weights file]]]
 * Prints "val_accuracy: <value>" and writes the weights (default minimal.weights). Exit status 0 on success.
 */
#include <anneal.h>

#include <stdio.h>
#include <stdlib.h>

/* Goes to `done` with the failed call, its status and the library's message printed. */
#define CHECK(call)                                                                                             \
    do {                                                                                                        \
        int32_t status_ = (call);                                                                               \
        if (status_ != ANNEAL_OK) {                                                                             \
            fprintf(stderr, "%s: %s: %s\n", #call, anneal_status_string(status_), anneal_last_error());       \
            goto done;                                                                                          \
        }                                                                                                       \
    } while (0)

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "../data/ionosphere.csv";
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 7;
    const char *weights = argc > 3 ? argv[3] : "minimal.weights";
    int result = EXIT_FAILURE;
    anneal_dataset *data = NULL;
    anneal_model *model = NULL;
    anneal_history *history = NULL;
    double accuracy = 0;

    anneal_dense_options hidden = ANNEAL_DENSE_OPTIONS_INIT;
    hidden.activation = ANNEAL_ACTIVATION_RELU;
    hidden.kernel_initializer = ANNEAL_INITIALIZER_NORMAL;
    hidden.input_dim = 34;
    anneal_dense_options output = ANNEAL_DENSE_OPTIONS_INIT;
    output.activation = ANNEAL_ACTIVATION_SIGMOID;
    output.kernel_initializer = ANNEAL_INITIALIZER_NORMAL;

    const int32_t metrics[] = {ANNEAL_METRIC_ACCURACY};
    anneal_compile_options compile = ANNEAL_COMPILE_OPTIONS_INIT;
    compile.learning_rate = 0.1;
    compile.momentum = 0.8;
    compile.decay = 0.1 / 50;
    compile.loss = ANNEAL_LOSS_BINARY_CROSSENTROPY;
    compile.metrics = metrics;
    compile.metric_count = 1;

    anneal_fit_options fit = ANNEAL_FIT_OPTIONS_INIT;
    fit.epochs = 50;
    fit.batch_size = 28;
    fit.validation_split = 0.33;

    CHECK(anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_AUTO, &data));
    CHECK(anneal_model_create(seed, &model));
    CHECK(anneal_model_add_dense(model, 34, &hidden));
    CHECK(anneal_model_add_dense(model, 1, &output));
    CHECK(anneal_model_compile(model, &compile));
    CHECK(anneal_model_fit_dataset(model, data, &fit, &history));
    CHECK(anneal_history_last(history, "val_accuracy", &accuracy));
    CHECK(anneal_model_save_weights(model, weights));
    printf("val_accuracy: %.17g\n", accuracy);
    result = EXIT_SUCCESS;

done:
    anneal_history_free(history);
    anneal_model_free(model);
    anneal_dataset_free(data);
    return result;
}
