/* 10,000 (or argv[2]) cycles of create / compile / train one epoch / free through the C API, printing the
 * resident set size every 1,000 cycles. Run by benchmarks/leaks/run.sh; usage: leak_c ionosphere.csv [cycles]. */
#include <anneal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long resident_kb(void) {
    long pages = 0, resident = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm == NULL) return -1;
    if (fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(statm);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

#define CHECK(call)                                                                                  \
    do {                                                                                             \
        int32_t status_ = (call);                                                                    \
        if (status_ != ANNEAL_OK) {                                                                  \
            fprintf(stderr, "%s: %s: %s\n", #call, anneal_status_string(status_), anneal_last_error()); \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s ionosphere.csv [cycles]\n", argv[0]);
        return 2;
    }
    long cycles = argc > 2 ? atol(argv[2]) : 10000;
    anneal_dataset *data = NULL;
    CHECK(anneal_dataset_load_csv(argv[1], -1, ANNEAL_CSV_HEADER_AUTO, &data));
    int64_t rows = 0;
    int32_t columns = 0;
    CHECK(anneal_dataset_rows(data, &rows));
    CHECK(anneal_dataset_features(data, &columns));
    float *x = malloc(sizeof(float) * (size_t)(rows * columns));
    float *y = malloc(sizeof(float) * (size_t)rows);
    if (x == NULL || y == NULL) return 1;
    CHECK(anneal_dataset_copy_features(data, x, rows * columns));
    CHECK(anneal_dataset_copy_labels(data, y, rows));
    const char *metrics[] = {"accuracy"};

    anneal_dense_options hidden = ANNEAL_DENSE_OPTIONS_INIT, output = ANNEAL_DENSE_OPTIONS_INIT;
    hidden.activation = ANNEAL_ACTIVATION_RELU;
    hidden.kernel_initializer = ANNEAL_INITIALIZER_NORMAL;
    hidden.input_dim = columns;
    output.activation = ANNEAL_ACTIVATION_SIGMOID;
    output.kernel_initializer = ANNEAL_INITIALIZER_NORMAL;
    anneal_compile_options compile = ANNEAL_COMPILE_OPTIONS_INIT;
    compile.loss = ANNEAL_LOSS_BINARY_CROSSENTROPY;
    compile.metric_names = metrics;
    compile.metric_name_count = 1;
    anneal_fit_options fit = ANNEAL_FIT_OPTIONS_INIT;
    fit.batch_size = 28;
    fit.validation_split = 0.33;
    long first = 0;
    for (long cycle = 0; cycle <= cycles; cycle++) {
        if (cycle % 1000 == 0) {
            long kb = resident_kb();
            if (cycle == 0) first = kb;
            printf("cycle %6ld  RSS %7ld kB  (%+ld kB)\n", cycle, kb, kb - first);
            fflush(stdout);
        }
        if (cycle == cycles) break;
        anneal_model *model = NULL;
        anneal_sgd *sgd = NULL;
        anneal_history *history = NULL;
        CHECK(anneal_model_create((uint64_t)cycle, &model));
        CHECK(anneal_model_add_dense(model, 34, &hidden));
        CHECK(anneal_model_add_dense(model, 1, &output));
        CHECK(anneal_sgd_create(0.1, 0.9, 0.001, false, &sgd));
        compile.sgd = sgd;
        CHECK(anneal_model_compile(model, &compile));
        CHECK(anneal_model_fit(model, x, rows, columns, y, 1, &fit, &history));
        (void)anneal_model_layer_count(NULL, NULL); /* a failure too, for the per-thread message */
        anneal_history_free(history);
        anneal_sgd_free(sgd);
        anneal_model_free(model);
    }
    free(x);
    free(y);
    anneal_dataset_free(data);
    return 0;
}
