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

    const char *metrics[] = {"accuracy"};
    for (int run = 0; run < runs + warmup; run++) {
        anneal_model *model = NULL;
        anneal_sgd *sgd = NULL;
        anneal_history *history = NULL;
        if (failed(anneal_model_create((uint64_t)run, &model), "anneal_model_create")) return 1;
        if (failed(anneal_model_add_dense(model, 34, ANNEAL_ACTIVATION_RELU, ANNEAL_INITIALIZER_NORMAL,
                                          ANNEAL_INITIALIZER_ZEROS, true, features), "anneal_model_add_dense")) return 1;
        if (failed(anneal_model_add_dense(model, 1, ANNEAL_ACTIVATION_SIGMOID, ANNEAL_INITIALIZER_NORMAL,
                                          ANNEAL_INITIALIZER_ZEROS, true, 0), "anneal_model_add_dense")) return 1;
        if (failed(anneal_sgd_create(0.1, 0.8, 0.1 / 50, false, &sgd), "anneal_sgd_create")) return 1;
        if (failed(anneal_model_compile(model, sgd, ANNEAL_LOSS_BINARY_CROSSENTROPY, metrics, 1), "anneal_model_compile"))
            return 1;
        double start = seconds();
        int32_t status = anneal_model_fit(model, x, rows, features, y, 1, 50, 28, 0.33, true, NULL, NULL, NULL, NULL,
                                          &history);
        double elapsed = seconds() - start;
        if (failed(status, "anneal_model_fit")) return 1;
        if (run >= warmup) times[run - warmup] = elapsed;
        anneal_history_free(history);
        anneal_sgd_free(sgd);
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
