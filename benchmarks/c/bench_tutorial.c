/* Times the tutorial's time-based run (SGD(lr=0.1, momentum=0.8, decay=0.1/50), 50 epochs, batch 28,
 * validation_split=0.33) through the C API, in-process, and prints the median wall time per run in ms.
 *
 *   cc -std=c11 -O2 -I include benchmarks/c/bench_tutorial.c -L <dir of libanneal.so> -lanneal -Wl,-rpath,<dir>
 *   ./bench_tutorial examples/data/ionosphere.csv [runs]
 *
 * Each run builds and compiles a fresh model (not timed) and times anneal_model_fit alone, as the Swift and
 * Python benchmarks do. benchmarks/run.py builds and runs it. */
#define _POSIX_C_SOURCE 199309L
#include <anneal.h>

#include <stdio.h>
#include <stdlib.h>
#include "timing.h"

static int failed(int32_t status, const char *call) {
    if (status == ANNEAL_OK) return 0;
    fprintf(stderr, "%s failed: %s (%d): %s\n", call, anneal_status_string(status), (int)status, anneal_last_error());
    return 1;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "examples/data/ionosphere.csv";
    int runs = argc > 2 ? atoi(argv[2]) : 200;
    const int warmup = 5;
    if (runs < 1) runs = 1;

    anneal_dataset *data = NULL;
    int64_t rows = 0;
    int32_t features = 0;
    if (failed(anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_AUTO, &data), "anneal_dataset_load_csv")) return 1;
    if (failed(anneal_dataset_rows(data, &rows), "anneal_dataset_rows")) return 1;
    if (failed(anneal_dataset_features(data, &features), "anneal_dataset_features")) return 1;
    float *x = malloc((size_t)rows * (size_t)features * sizeof *x);
    float *y = malloc((size_t)rows * sizeof *y);
    double *times = malloc((size_t)runs * sizeof *times);
    if (!x || !y || !times) return 1;
    if (failed(anneal_dataset_copy_features(data, x, rows * features), "anneal_dataset_copy_features")) return 1;
    if (failed(anneal_dataset_copy_labels(data, y, rows), "anneal_dataset_copy_labels")) return 1;

    int32_t metrics[] = {ANNEAL_METRIC_ACCURACY};
    anneal_compile_options compile = ANNEAL_COMPILE_OPTIONS_INIT;
    compile.loss = ANNEAL_LOSS_BINARY_CROSSENTROPY;
    compile.metrics = metrics;
    compile.metric_count = 1;
    compile.learning_rate = 0.1;
    compile.momentum = 0.8;
    compile.decay = 0.1 / 50;
    anneal_fit_options fit = ANNEAL_FIT_OPTIONS_INIT;
    fit.epochs = 50;
    fit.batch_size = 28;
    fit.validation_split = 0.33;
    anneal_dense_options hidden = ANNEAL_DENSE_OPTIONS_INIT, output = ANNEAL_DENSE_OPTIONS_INIT;
    hidden.activation = ANNEAL_ACTIVATION_RELU;
    hidden.kernel_initializer = ANNEAL_INITIALIZER_NORMAL;
    hidden.input_dim = features;
    output.activation = ANNEAL_ACTIVATION_SIGMOID;
    output.kernel_initializer = ANNEAL_INITIALIZER_NORMAL;
    for (int run = 0; run < runs + warmup; run++) {
        anneal_model *model = NULL;
        anneal_history *history = NULL;
        if (failed(anneal_model_create((uint64_t)run, &model), "anneal_model_create")) return 1;
        if (failed(anneal_model_add_dense(model, 34, &hidden), "anneal_model_add_dense")) return 1;
        if (failed(anneal_model_add_dense(model, 1, &output), "anneal_model_add_dense")) return 1;
        if (failed(anneal_model_compile(model, &compile), "anneal_model_compile")) return 1;
        double start = seconds();
        int32_t status = anneal_model_fit(model, x, rows, features, y, 1, &fit, &history);
        double elapsed = seconds() - start;
        if (failed(status, "anneal_model_fit")) return 1;
        if (run >= warmup) times[run - warmup] = elapsed;
        anneal_history_free(history);
        anneal_model_free(model);
    }
    qsort(times, (size_t)runs, sizeof *times, compare);
    printf("tutorial time-based run, 50 epochs, C API: median %.3f ms over %d runs (min %.3f, max %.3f)\n",
           times[runs / 2] * 1e3, runs, times[0] * 1e3, times[runs - 1] * 1e3);
    free(times);
    free(x);
    free(y);
    anneal_dataset_free(data);
    return 0;
}
