/*
 * extreme_sizes.c: drives libanneal.so with sizes no machine can meet, one case per process.
 *
 *   extreme_sizes CASE      runs CASE and prints "status N: message" (the last call's status and
 *                           anneal_last_error()), exiting 0; a crash shows as a signal to the parent.
 *   extreme_sizes --list    prints the case names, one a line.
 *
 * AnnealExportTests (SizeLimitTests) compiles it against include/anneal.h, runs every case in a child
 * process and checks that each ends with the expected status, never with a signal. Outside a sanitizer the
 * address space is capped first (RLIMIT_AS), so that a request the library wrongly let through fails here
 * instead of taking the machine's memory (under a sanitizer, SizeLimitTests caps its allocator instead).
 */
#define _DEFAULT_SOURCE
#include <anneal.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static int32_t report(int32_t status) {
    printf("status %d: %s\n", (int)status, anneal_last_error());
    return status;
}

/* A model with one dense layer of `units` relu units; `input_dim` 0 leaves it unbuilt. */
static anneal_model *model_with(int32_t units, int32_t input_dim, int32_t *status) {
    anneal_model *model = NULL;
    anneal_dense_options layer = ANNEAL_DENSE_OPTIONS_INIT;
    layer.activation = ANNEAL_ACTIVATION_RELU;
    layer.kernel_initializer = ANNEAL_INITIALIZER_ZEROS;
    layer.input_dim = input_dim;
    anneal_model_create(1, &model);
    *status = anneal_model_add_dense(model, units, &layer);
    return model;
}

/* anneal_model_compile with `sgd` and `loss`, no metrics. */
static int32_t compile_with(anneal_model *model, const anneal_sgd *sgd, int32_t loss) {
    anneal_compile_options options = ANNEAL_COMPILE_OPTIONS_INIT;
    options.sgd = sgd;
    options.loss = loss;
    return anneal_model_compile(model, &options);
}

/* anneal_model_fit for one epoch of batch_size rows, not shuffled, without validation or a history. */
static int32_t fit_with(anneal_model *model, const float *x, int64_t rows, int32_t cols, const float *y, int32_t y_cols,
                        int32_t batch_size) {
    anneal_fit_options options = ANNEAL_FIT_OPTIONS_INIT;
    options.batch_size = batch_size;
    options.shuffle = false;
    return anneal_model_fit(model, x, rows, cols, y, y_cols, &options, NULL);
}

/* A compiled model with a 1-input layer of `units` units and sparse categorical cross-entropy, whose labels
 * are 1 column (the class index) however many units. */
static anneal_model *compiled(int32_t units) {
    int32_t status;
    anneal_model *model = model_with(units, 1, &status);
    anneal_sgd *sgd = NULL;
    anneal_sgd_create(0.01, 0.9, 0, false, &sgd);
    compile_with(model, sgd, ANNEAL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    anneal_sgd_free(sgd);
    if (status != ANNEAL_OK) report(status);
    return model;
}

/* `count` zero floats followed by a page that cannot be read: reading one float more faults. */
static float *guarded_floats(size_t count) {
    long page = sysconf(_SC_PAGESIZE);
    size_t bytes = count * sizeof(float);
    size_t pages = (bytes + (size_t)page - 1) / (size_t)page;
    char *base = mmap(NULL, (pages + 1) * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return NULL;
    mprotect(base + pages * (size_t)page, (size_t)page, PROT_NONE);
    return (float *)(base + pages * (size_t)page - bytes);
}

static int32_t run(const char *name) {
    int32_t status = ANNEAL_OK;
    float small[64] = {0};
    double values[8];
    if (strcmp(name, "add_dense_int32_max_units") == 0) {
        anneal_model *model = model_with(INT32_MAX, 34, &status);
        report(status);
        anneal_model_free(model);
    } else if (strcmp(name, "add_dense_int32_max_squared") == 0) {
        anneal_model *model = model_with(INT32_MAX, INT32_MAX, &status);
        report(status);
        anneal_model_free(model);
    } else if (strcmp(name, "add_dense_100_gb") == 0) {
        anneal_model *model = model_with(160000, 160000, &status);  /* 160000^2 floats: 102.4 GB */
        report(status);
        anneal_model_free(model);
    } else if (strcmp(name, "build_2_20_square") == 0) {
        anneal_model *model = model_with(1 << 20, 0, &status);
        status = report(anneal_model_build(model, 1 << 20));
        anneal_model_free(model);
    } else if (strcmp(name, "build_int32_max") == 0) {
        anneal_model *model = model_with(INT32_MAX, 0, &status);
        status = report(anneal_model_build(model, INT32_MAX));
        anneal_model_free(model);
    } else if (strcmp(name, "predict_huge_batch") == 0) {
        /* 2^14 rows of 1 input through 2^20 units: each batch buffer is 2^34 floats (64 GB). */
        int32_t unused;
        anneal_model *model = model_with(1 << 20, 1, &unused);
        float *x = calloc((size_t)1 << 14, sizeof(float));
        status = report(anneal_model_predict(model, x, (int64_t)1 << 14, 1, 1 << 14, small, INT64_MAX));
        free(x);
        anneal_model_free(model);
    } else if (strcmp(name, "predict_rows_past_size_max") == 0) {
        int32_t unused;
        anneal_model *model = model_with(4, 1, &unused);
        status = report(anneal_model_predict(model, small, INT64_MAX, 1, 32, small, INT64_MAX));
        anneal_model_free(model);
    } else if (strcmp(name, "predict_product_past_size_max") == 0) {
        int32_t unused;
        anneal_model *model = model_with(4, 0, &unused);
        status = report(anneal_model_predict(model, small, INT64_MAX, INT32_MAX, INT32_MAX, small, INT64_MAX));
        anneal_model_free(model);
    } else if (strcmp(name, "fit_huge_batch") == 0) {
        anneal_model *model = compiled(1 << 20);
        float *x = calloc((size_t)1 << 14, sizeof(float));
        float *y = calloc((size_t)1 << 14, sizeof(float));
        status = report(fit_with(model, x, (int64_t)1 << 14, 1, y, 1, 1 << 14));
        free(x);
        free(y);
        anneal_model_free(model);
    } else if (strcmp(name, "fit_product_past_size_max") == 0) {
        anneal_model *model = compiled(4);
        status = report(fit_with(model, small, INT64_MAX, 1, small, 1, INT32_MAX));
        anneal_model_free(model);
    } else if (strcmp(name, "session_huge_batch") == 0) {
        anneal_model *model = compiled(1 << 20);
        float *x = calloc((size_t)1 << 14, sizeof(float));
        anneal_session *session = NULL;
        status = report(anneal_session_create(model, x, (int64_t)1 << 14, 1, x, 1, 1 << 14, 0, false, NULL,
                                              &session));
        anneal_session_free(session);
        free(x);
        anneal_model_free(model);
    } else if (strcmp(name, "evaluate_product_past_size_max") == 0) {
        anneal_model *model = compiled(4);
        int32_t count;
        status = report(anneal_model_evaluate(model, small, INT64_MAX, 1, small, 1, INT32_MAX, values, 8, &count));
        anneal_model_free(model);
    } else if (strcmp(name, "dataset_product_past_size_max") == 0) {
        anneal_dataset *dataset = NULL;
        status = report(anneal_dataset_create(small, small, INT64_MAX, INT32_MAX, &dataset));
        anneal_dataset_free(dataset);
    } else if (strcmp(name, "set_weight_count_int64_max") == 0) {
        int32_t unused;
        anneal_model *model = model_with(4, 1, &unused);
        status = report(anneal_model_set_weight(model, 0, small, INT64_MAX));
        anneal_model_free(model);
    } else if (strcmp(name, "run_epochs_int32_max") == 0) {
        anneal_model *model = compiled(1);
        anneal_session *session = NULL;
        anneal_session_create(model, small, 8, 1, small, 1, 4, 0, false, NULL, &session);
        int32_t epochs;
        status = report(anneal_session_run_epochs(session, INT32_MAX, 0, values, 8, &epochs, NULL));
        anneal_session_free(session);
        anneal_model_free(model);
    } else if (strcmp(name, "fit_cols_beyond_buffer") == 0) {
        /* The model takes 2 columns; the caller declares 3 over a buffer holding 16 x 2 floats. */
        int32_t unused;
        anneal_model *model = model_with(1, 2, &unused);
        anneal_sgd *sgd = NULL;
        anneal_sgd_create(0.01, 0, 0, false, &sgd);
        compile_with(model, sgd, ANNEAL_LOSS_MEAN_SQUARED_ERROR);
        anneal_sgd_free(sgd);
        float *x = guarded_floats(16 * 2);
        float *y = guarded_floats(16);
        status = report(fit_with(model, x, 16, 3, y, 1, 4));
        anneal_model_free(model);
    } else if (strcmp(name, "fit_y_cols_beyond_buffer") == 0) {
        int32_t unused;
        anneal_model *model = model_with(1, 2, &unused);
        anneal_sgd *sgd = NULL;
        anneal_sgd_create(0.01, 0, 0, false, &sgd);
        compile_with(model, sgd, ANNEAL_LOSS_MEAN_SQUARED_ERROR);
        anneal_sgd_free(sgd);
        float *x = guarded_floats(16 * 2);
        float *y = guarded_floats(16);
        status = report(fit_with(model, x, 16, 2, y, 2, 4));
        anneal_model_free(model);
    } else if (strcmp(name, "predict_cols_beyond_buffer") == 0) {
        int32_t unused;
        anneal_model *model = model_with(1, 2, &unused);
        float *x = guarded_floats(16 * 2);
        float out[16];
        status = report(anneal_model_predict(model, x, 16, 3, 4, out, 16));
        anneal_model_free(model);
    } else if (strcmp(name, "evaluate_cols_beyond_buffer") == 0) {
        int32_t unused;
        anneal_model *model = model_with(1, 2, &unused);
        anneal_sgd *sgd = NULL;
        anneal_sgd_create(0.01, 0, 0, false, &sgd);
        compile_with(model, sgd, ANNEAL_LOSS_MEAN_SQUARED_ERROR);
        anneal_sgd_free(sgd);
        float *x = guarded_floats(16 * 2);
        float *y = guarded_floats(16);
        status = report(anneal_model_evaluate(model, x, 16, 3, y, 1, 4, values, 8, NULL));
        anneal_model_free(model);
    } else if (strcmp(name, "session_cols_beyond_buffer") == 0) {
        int32_t unused;
        anneal_model *model = model_with(1, 2, &unused);
        anneal_sgd *sgd = NULL;
        anneal_sgd_create(0.01, 0, 0, false, &sgd);
        compile_with(model, sgd, ANNEAL_LOSS_MEAN_SQUARED_ERROR);
        anneal_sgd_free(sgd);
        float *x = guarded_floats(16 * 2);
        float *y = guarded_floats(16);
        anneal_session *session = NULL;
        status = report(anneal_session_create(model, x, 16, 3, y, 1, 4, 0, false, NULL, &session));
        anneal_session_free(session);
        anneal_model_free(model);
    } else {
        fprintf(stderr, "unknown case %s\n", name);
        return -1;
    }
    return status;
}

static const char *const cases[] = {
    "add_dense_int32_max_units", "add_dense_int32_max_squared", "add_dense_100_gb", "build_2_20_square",
    "build_int32_max", "predict_huge_batch", "predict_rows_past_size_max", "predict_product_past_size_max",
    "fit_huge_batch", "fit_product_past_size_max", "session_huge_batch", "evaluate_product_past_size_max",
    "dataset_product_past_size_max", "set_weight_count_int64_max", "run_epochs_int32_max",
    "fit_cols_beyond_buffer", "fit_y_cols_beyond_buffer", "predict_cols_beyond_buffer",
    "evaluate_cols_beyond_buffer", "session_cols_beyond_buffer",
};

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: extreme_sizes CASE | --list\n");
        return 2;
    }
    if (strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) puts(cases[i]);
        return 0;
    }
    if (getenv("ANNEAL_SANITIZER") == NULL || getenv("ANNEAL_SANITIZER")[0] == '\0') {
        struct rlimit limit = {(rlim_t)8 << 30, (rlim_t)8 << 30};  /* 8 GB of address space */
        setrlimit(RLIMIT_AS, &limit);
    }
    return run(argv[1]) < 0 ? 2 : 0;
}
