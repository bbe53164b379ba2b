/*
 * session.c: misuse of training: anneal_model_fit, anneal_model_fit_dataset, the session functions, the
 * history and the epoch callback (calls made from inside it, aborting, stopping), anneal_session_fit_events'
 * batch and poll events. Caller arrays are malloc'd
 * at their exact size, so that AddressSanitizer reports any read past them.
 * Usage: session PATH/TO/ionosphere.csv DIRECTORY
 */
#include "misuse.h"

#define ROWS 8

static float *floats(size_t count, float value) {
    float *values = malloc(count * sizeof *values);
    if (values == NULL) exit(3);
    for (size_t i = 0; i < count; i++) values[i] = value;
    return values;
}

/* Dense(2, relu, input_dim 2) -> Dense(1, sigmoid), binary cross-entropy and accuracy, SGD with decay. */
static anneal_model *compiled_model(void) {
    anneal_model *model = NULL;
    anneal_compile_options compile = ANNEAL_COMPILE_OPTIONS_INIT;
    anneal_dense_options hidden = ANNEAL_DENSE_OPTIONS_INIT;
    const int32_t metrics[1] = {ANNEAL_METRIC_ACCURACY};
    hidden.activation = ANNEAL_ACTIVATION_RELU;
    hidden.input_dim = 2;
    compile.metrics = metrics;
    compile.metric_count = 1;
    compile.decay = 0.01;
    EXPECT(ANNEAL_OK, anneal_model_create(11, &model), "");
    EXPECT(ANNEAL_OK, anneal_model_add_dense(model, 2, &hidden), "");
    EXPECT(ANNEAL_OK, add_dense_layer(model, 1, ANNEAL_ACTIVATION_SIGMOID, 0, 1, true, 0), "");
    EXPECT(ANNEAL_OK, anneal_model_compile(model, &compile), "");
    return model;
}

/* What the callback does, chosen by the test. */
enum action { GO_ON, ABORT, STOP, CALL_BACK };

static int32_t on_epoch(void *user_data, anneal_model *model, int32_t event, int32_t epoch, const char *const *keys,
                        const double *values, int32_t count) {
    enum action *action = user_data;
    (void)keys;
    (void)values;
    (void)count;
    if (*action == ABORT && event == ANNEAL_EVENT_EPOCH_END) return -1;
    if (*action == STOP && epoch == 1 && event == ANNEAL_EVENT_EPOCH_END) return 1;
    if (*action == CALL_BACK && event == ANNEAL_EVENT_EPOCH_BEGIN) {
        /* Callback-safe functions work; the rest are ANNEAL_E_INVALID_STATE. */
        float x[2] = {0.5f, 0.5f}, y[1] = {1}, out[1];
        double rate = 0;
        anneal_history *history = NULL;
        EXPECT(ANNEAL_OK, anneal_model_learning_rate(model, &rate), "");
        EXPECT(ANNEAL_OK, anneal_model_set_learning_rate(model, rate), "");
        EXPECT(ANNEAL_OK, anneal_model_predict(model, x, 1, 2, 1, out, 1), "");
        EXPECT(ANNEAL_E_INVALID_STATE, add_dense_layer(model, 1, 0, 0, 1, true, 0), "callback");
        EXPECT(ANNEAL_E_INVALID_STATE, fit_arrays(model, x, 1, 2, y, 1, 1, 1, 0, false, NULL, NULL, NULL, NULL,
                                                        &history), "callback");
        CHECK(history == NULL);
        EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_build(model, 2), "callback");
    }
    return 0;
}

static void fit(void) {
    anneal_model *model = compiled_model(), *uncompiled = NULL;
    float *x = floats(ROWS * 2, 0.5f), *y = floats(ROWS, 1), *nan_y = floats(ROWS, NAN);
    anneal_history *history = (anneal_history *)&history;
    anneal_schedule *update = NULL, *epoch = NULL;
    anneal_dataset *data = NULL, *wide = NULL, *two_labels = NULL;
    float *wide_x = floats(ROWS * 3, 0.5f), *two_y = floats(ROWS * 2, 0);
    anneal_fit_options options = ANNEAL_FIT_OPTIONS_INIT;
    enum action action = GO_ON;
    const uint64_t seed = 3;
    EXPECT(ANNEAL_OK, anneal_model_create(1, &uncompiled), "");
    EXPECT(ANNEAL_OK, add_dense_layer(uncompiled, 1, 0, 0, 1, true, 2), "");
    EXPECT(ANNEAL_OK, anneal_schedule_exponential_decay(0.1, 10, 0.9, false, ANNEAL_UNIT_DEFAULT, &update), "");
    EXPECT(ANNEAL_OK, anneal_schedule_step_decay(0.1, 0.5, 10, ANNEAL_UNIT_DEFAULT, &epoch), "");
    EXPECT(ANNEAL_OK, anneal_dataset_create(x, y, ROWS, 2, &data), "");
    EXPECT(ANNEAL_OK, anneal_dataset_create(wide_x, y, ROWS, 3, &wide), "");
    EXPECT(ANNEAL_OK, anneal_dataset_create_labels(x, two_y, ROWS, 2, 2, &two_labels), "");

#define FIT(m, xs, rows, cols, ys, y_cols, epochs, batch, split, sched)                                         \
    fit_arrays(m, xs, rows, cols, ys, y_cols, epochs, batch, split, true, &seed, sched, on_epoch, &action,  \
                     &history)
    EXPECT(ANNEAL_E_INVALID_HANDLE, FIT(NULL, x, ROWS, 2, y, 1, 1, 4, 0, NULL), "model is NULL");
    CHECK(history == NULL);
    EXPECT(ANNEAL_E_INVALID_HANDLE, FIT((anneal_model *)data, x, ROWS, 2, y, 1, 1, 4, 0, NULL), "anneal_dataset");
    EXPECT(ANNEAL_E_INVALID_HANDLE, FIT(MADE_UP(anneal_model), x, ROWS, 2, y, 1, 1, 4, 0, NULL), "model");
    EXPECT(ANNEAL_E_INVALID_STATE, FIT(uncompiled, x, ROWS, 2, y, 1, 1, 4, 0, NULL), "anneal_model_compile");
    EXPECT(ANNEAL_E_NULL_POINTER, FIT(model, NULL, ROWS, 2, y, 1, 1, 4, 0, NULL), "x is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, FIT(model, x, ROWS, 2, NULL, 1, 1, 4, 0, NULL), "y is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, 0, 2, y, 1, 1, 4, 0, NULL), "rows=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, INT64_MIN, 2, y, 1, 1, 4, 0, NULL), "rows");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, ROWS, -2, y, 1, 1, 4, 0, NULL), "cols=-2");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, FIT(model, x, ROWS, 3, y, 1, 1, 4, 0, NULL), "cols=3");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, FIT(model, x, ROWS, 2, y, 2, 1, 4, 0, NULL), "y_cols=2");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, FIT(model, x, ROWS, INT32_MAX, y, 1, 1, 4, 0, NULL), "cols");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, INT64_MAX, 2, y, 1, 1, 4, 0, NULL), "rows");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, ROWS, 2, y, 1, -1, 4, 0, NULL), "epochs=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, ROWS, 2, y, 1, 1, 0, 0, NULL), "batch_size");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, ROWS, 2, y, 1, 1, 4, 1, NULL), "validation_split");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, ROWS, 2, y, 1, 1, 4, -0.1, NULL), "validation_split");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, ROWS, 2, y, 1, 1, 4, NAN, NULL), "validation_split");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, ROWS, 2, y, 1, 1, 4, 1e-20, NULL), "validation_split");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT(model, x, ROWS, 2, y, 1, 1, 4, 0, update), "schedule");
    EXPECT(ANNEAL_E_INVALID_HANDLE, FIT(model, x, ROWS, 2, y, 1, 1, 4, 0, (anneal_schedule *)data), "schedule",
           "anneal_dataset");
    EXPECT(ANNEAL_E_NON_FINITE, FIT(model, x, ROWS, 2, nan_y, 1, 1, 4, 0, NULL), "y");
    action = ABORT;
    EXPECT(ANNEAL_E_CALLBACK, FIT(model, x, ROWS, 2, y, 1, 3, 4, 0, NULL), "callback", "-1");
    CHECK(history == NULL);
    action = STOP;
    EXPECT(ANNEAL_OK, FIT(model, x, ROWS, 2, y, 1, 5, 4, 0.25, epoch), "");
    {
        int32_t epochs = 0;
        EXPECT(ANNEAL_OK, anneal_history_epoch_count(history, &epochs), "");
        CHECK(epochs == 2);
        anneal_history_free(history);
    }
    action = CALL_BACK;
    EXPECT(ANNEAL_OK, FIT(model, x, ROWS, 2, y, 1, 1, 4, 0, NULL), "");
    anneal_history_free(history);
    action = GO_ON;
    EXPECT(ANNEAL_OK, fit_arrays(model, x, ROWS, 2, y, 1, 0, 4, 0, false, NULL, NULL, NULL, NULL, NULL), "");

    /* anneal_model_fit's option struct: its size first, validation_data's widths before x or y is read. */
    {
        anneal_fit_options fit = ANNEAL_FIT_OPTIONS_INIT;
        fit.struct_size = 7;
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_fit(model, x, ROWS, 2, y, 1, &fit, &history), "options",
               "struct_size", "7");
        CHECK(history == NULL);
        fit.struct_size = INT64_MIN;
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_fit(model, x, ROWS, 2, y, 1, &fit, NULL), "struct_size");
        fit.struct_size = (int64_t)sizeof fit;
        fit.batch_size = 4;
        fit.validation_data = wide;
        EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_fit(model, x, ROWS, 2, y, 1, &fit, NULL), "validation_data",
               "3 features");
        fit.validation_data = two_labels;
        EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_fit(model, x, ROWS, 2, y, 1, &fit, NULL), "validation_data",
               "2 label columns");
        fit.validation_data = MADE_UP(anneal_dataset);
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_fit(model, x, ROWS, 2, y, 1, &fit, NULL), "validation_data");
        fit.validation_data = (const anneal_dataset *)model;
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_fit(model, x, ROWS, 2, y, 1, &fit, NULL), "validation_data",
               "anneal_model");
        fit.validation_data = data;
        EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_fit(model, x, ROWS, 3, y, 1, &fit, NULL), "cols=3");
        EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_fit(model, x, ROWS, 2, y, 2, &fit, NULL), "y_cols=2");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_fit(model, x, INT64_MAX, 2, y, 1, &fit, NULL), "rows");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_fit(model, NULL, ROWS, 2, y, 1, &fit, NULL), "x is NULL");
        fit.epochs = INT32_MIN;
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_fit(model, x, ROWS, 2, y, 1, &fit, NULL), "epochs");
        fit.epochs = 1;
        fit.batch_size = INT32_MIN;
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_fit(model, x, ROWS, 2, y, 1, &fit, NULL), "batch_size");
        fit.batch_size = 4;
        EXPECT(ANNEAL_OK, anneal_model_fit(model, x, ROWS, 2, y, 1, &fit, &history), "");
        CHECK(history != NULL);
        anneal_history_free(history);
        history = NULL;
        EXPECT(ANNEAL_OK, anneal_model_fit(model, x, ROWS, 2, y, 1, NULL, NULL), "");
    }

    /* On a dataset. */
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_fit_dataset(NULL, data, NULL, &history), "model is NULL");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_fit_dataset(model, NULL, NULL, &history), "dataset is NULL");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_fit_dataset(model, (anneal_dataset *)model, NULL, &history),
           "dataset", "anneal_model");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_fit_dataset(uncompiled, data, NULL, &history), "anneal_model_compile");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_fit_dataset(model, wide, NULL, &history), "3");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_fit_dataset(model, two_labels, NULL, &history), "2");
    options.struct_size = 1;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_fit_dataset(model, data, &options, &history), "struct_size", "1");
    options.struct_size = (int64_t)sizeof options;
    options.epochs = -1;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_fit_dataset(model, data, &options, &history), "epochs", "-1");
    options.epochs = 1;
    options.batch_size = 0;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_fit_dataset(model, data, &options, &history), "batch_size", "0");
    options.batch_size = 4;
    options.validation_split = 2;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_fit_dataset(model, data, &options, &history), "validation_split");
    options.validation_split = 0;
    options.validation_data = wide;
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_fit_dataset(model, data, &options, &history), "validation_data");
    options.validation_data = MADE_UP(anneal_dataset);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_fit_dataset(model, data, &options, &history), "validation_data");
    options.validation_data = data;
    options.schedule = update;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_fit_dataset(model, data, &options, &history), "schedule");
    options.schedule = MADE_UP(anneal_schedule);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_fit_dataset(model, data, &options, &history), "schedule");
    options.schedule = epoch;
    options.callback = on_epoch;
    options.user_data = &action;
    action = ABORT;
    EXPECT(ANNEAL_E_CALLBACK, anneal_model_fit_dataset(model, data, &options, &history), "callback");
    CHECK(history == NULL);
    action = GO_ON;
    EXPECT(ANNEAL_OK, anneal_model_fit_dataset(model, data, &options, NULL), "");
    EXPECT(ANNEAL_OK, anneal_model_fit_dataset(model, data, NULL, &history), "");

    /* The history. */
    {
        int32_t count = -1;
        int64_t length = -1;
        double value = -1, values[1];
        char key[2];
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_history_epoch_count(history, NULL), "out_count");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_history_key_count(history, NULL), "out_count");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_history_key(history, 9, key, sizeof key, &length), "index", "9");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_history_key(history, -1, key, sizeof key, &length), "index");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_history_key(history, 0, NULL, 4, &length), "buffer");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_history_key(history, 0, key, -4, &length), "capacity");
        EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_history_key(history, 0, key, sizeof key, &length), "buffer holds 2");
        CHECK(length == 4);
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_history_values(history, NULL, values, 1, &count), "key is NULL");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_history_values(history, "nope", values, 1, &count), "nope", "loss");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_history_values(history, "\xff", values, 1, &count), "key", "UTF-8");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_history_values(history, "loss", values, -1, &count), "capacity");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_history_values(history, "loss", NULL, 1, &count), "out_values");
        EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_history_values(history, "loss", values, 0, &count), "out_values holds 0");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_history_last(history, NULL, &value), "key is NULL");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_history_last(history, "loss", NULL), "out_value is NULL");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_history_last(history, "val_nope", &value), "val_nope", "loss");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_history_last(history, "\xc0", &value), "key", "UTF-8");
        CHECK(value == -1);
        EXPECT(ANNEAL_OK, anneal_history_last(history, "accuracy", &value), "");
        anneal_history_free(history);
        EXPECT(ANNEAL_OK, fit_arrays(model, x, ROWS, 2, y, 1, 0, 4, 0, false, NULL, NULL, NULL, NULL, &history),
               "");
        EXPECT(ANNEAL_E_INVALID_STATE, anneal_history_last(history, "loss", &value), "no epoch");
        anneal_history_free(history);
        /* Bad handles. */
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_history_epoch_count(history, &count), "history", "not a live handle");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_history_key_count(NULL, &count), "history is NULL");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_history_key((anneal_history *)model, 0, key, 2, &length), "anneal_model");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_history_values(MADE_UP(anneal_history), "loss", values, 1, &count),
               "history");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_history_last(history, "loss", &value), "history");
        anneal_history_free(history);
        anneal_history_free(NULL);
        anneal_history_free((anneal_history *)model); /* a model freed as a history: nothing */
    }
    free(x);
    free(y);
    free(nan_y);
    free(wide_x);
    free(two_y);
    anneal_dataset_free(data);
    anneal_dataset_free(wide);
    anneal_dataset_free(two_labels);
    anneal_schedule_free(update);
    anneal_schedule_free(epoch);
    anneal_model_free(model);
    anneal_model_free(uncompiled);
}

/* Every function taking a session, given `handle` that is not a live session. */
static void refused_everywhere(anneal_session *handle, const char *text) {
    int32_t count = 0, epochs = 0, per_epoch = 0;
    int64_t rows = 0;
    double values[4];
    float weights[1] = {1};
    anneal_history *history = NULL;
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_batch_count(handle, &count), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_training_rows(handle, &rows), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_validation_rows(handle, &rows), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_batches_done(handle, &count), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_set_sample_weights(handle, weights, 1), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_set_validation_sample_weights(handle, weights, 1), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_begin_epoch(handle), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_train_batch(handle, 0), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_train_epoch(handle, values, 4, &count), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_running_values(handle, values, 4, &count), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_validate(handle, values, 4, &count), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_run_epoch(handle, values, 4, &count), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_end_epoch(handle, values, 4, &count), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_epoch_key_count(handle, &count), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_epoch_key(handle, 0, NULL, 0, &rows), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_run_epochs(handle, 1, 0, values, 4, &epochs, &per_epoch), "session",
           text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_fit(handle, 1, 0, NULL, NULL, NULL, &history), "session", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_fit_events(handle, 1, 0, NULL, 0, NULL, NULL, 0, 0, &history),
           "session", text);
    CHECK(count == 0 && rows == 0 && epochs == 0 && history == NULL);
}

static void sessions(void) {
    anneal_model *model = compiled_model(), *uncompiled = NULL;
    float *x = floats(ROWS * 2, 0.5f), *y = floats(ROWS, 1), *nan_x = floats(ROWS * 2, NAN);
    float *weights = floats(ROWS, 1), *nan_weights = floats(ROWS, NAN);
    anneal_session *session = (anneal_session *)&session, *plain = NULL;
    anneal_schedule *update = NULL;
    anneal_history *history = NULL;
    double values[16];
    int32_t count = -1, epochs = -1, per_epoch = -1;
    int64_t rows = -1;
    EXPECT(ANNEAL_OK, anneal_model_create(1, &uncompiled), "");
    EXPECT(ANNEAL_OK, add_dense_layer(uncompiled, 1, 0, 0, 1, true, 2), "");
    EXPECT(ANNEAL_OK, anneal_schedule_constant(0.1, ANNEAL_UNIT_UPDATE, &update), "");

#define CREATE(m, xs, rows, cols, ys, y_cols, batch, split, out)                                                 \
    anneal_session_create(m, xs, rows, cols, ys, y_cols, batch, split, true, NULL, out)
    EXPECT(ANNEAL_E_NULL_POINTER, CREATE(model, x, ROWS, 2, y, 1, 4, 0.25, NULL), "out_session");
    EXPECT(ANNEAL_E_INVALID_HANDLE, CREATE(NULL, x, ROWS, 2, y, 1, 4, 0.25, &session), "model is NULL");
    CHECK(session == NULL);
    EXPECT(ANNEAL_E_INVALID_HANDLE, CREATE((anneal_model *)update, x, ROWS, 2, y, 1, 4, 0.25, &session),
           "anneal_schedule");
    EXPECT(ANNEAL_E_INVALID_STATE, CREATE(uncompiled, x, ROWS, 2, y, 1, 4, 0.25, &session), "anneal_model_compile");
    EXPECT(ANNEAL_E_NULL_POINTER, CREATE(model, NULL, ROWS, 2, y, 1, 4, 0.25, &session), "x is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, CREATE(model, x, ROWS, 2, NULL, 1, 4, 0.25, &session), "y is NULL");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, CREATE(model, x, ROWS, 3, y, 1, 4, 0.25, &session), "cols=3");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, CREATE(model, x, ROWS, 2, y, 3, 4, 0.25, &session), "y_cols=3");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, CREATE(model, x, 0, 2, y, 1, 4, 0.25, &session), "rows=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, CREATE(model, x, INT64_MAX, 2, y, 1, 4, 0.25, &session), "rows");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, CREATE(model, x, ROWS, 2, y, 1, -4, 0.25, &session), "batch_size");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, CREATE(model, x, ROWS, 2, y, 1, 4, 1.5, &session), "validation_split");
    EXPECT(ANNEAL_E_NON_FINITE, CREATE(model, nan_x, ROWS, 2, y, 1, 4, 0.25, &session), "x");
    CHECK(session == NULL);

#define CREATE_VAL(m, xs, rows, cols, ys, y_cols, x_val, y_val, val_rows, out)                                   \
    anneal_session_create_with_validation(m, xs, rows, cols, ys, y_cols, x_val, y_val, val_rows, 4, false, NULL, out)
    EXPECT(ANNEAL_E_NULL_POINTER, CREATE_VAL(model, x, 6, 2, y, 1, x, y, 2, NULL), "out_session");
    EXPECT(ANNEAL_E_NULL_POINTER, CREATE_VAL(model, x, 6, 2, y, 1, NULL, y, 2, &session), "x_val is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, CREATE_VAL(model, x, 6, 2, y, 1, x, NULL, 2, &session), "y_val is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, CREATE_VAL(model, x, 6, 2, y, 1, x, y, 0, &session), "val_rows");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, CREATE_VAL(model, x, 6, 2, y, 1, x, y, INT64_MAX, &session), "val_rows");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, CREATE_VAL(model, x, 6, 3, y, 1, x, y, 2, &session), "cols=3");
    EXPECT(ANNEAL_E_INVALID_HANDLE, CREATE_VAL(MADE_UP(anneal_model), x, 6, 2, y, 1, x, y, 2, &session), "model");
    CHECK(session == NULL);
    EXPECT(ANNEAL_OK, CREATE_VAL(model, x, 6, 2, y, 1, x, y, 2, &session), "");
    EXPECT(ANNEAL_OK, CREATE(model, x, ROWS, 2, y, 1, 4, 0, &plain), "");

    /* Queries and sample weights. */
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_batch_count(session, NULL), "out_count");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_training_rows(session, NULL), "out_rows");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_validation_rows(session, NULL), "out_rows");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_batches_done(session, NULL), "out_count");
    EXPECT(ANNEAL_OK, anneal_session_training_rows(session, &rows), "");
    CHECK(rows == 6);
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_set_sample_weights(session, NULL, 6), "weights is NULL");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_session_set_sample_weights(session, weights, 7), "count is 7");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_session_set_sample_weights(session, weights, INT64_MAX), "count");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_session_set_sample_weights(session, weights, -1), "count");
    EXPECT(ANNEAL_E_NON_FINITE, anneal_session_set_sample_weights(session, nan_weights, 6), "weights");
    EXPECT(ANNEAL_OK, anneal_session_set_sample_weights(session, weights, 6), "");
    EXPECT(ANNEAL_OK, anneal_session_set_sample_weights(session, NULL, 0), "");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_session_set_validation_sample_weights(session, weights, 3), "count is 3");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_set_validation_sample_weights(session, NULL, 2), "weights is NULL");
    EXPECT(ANNEAL_E_NON_FINITE, anneal_session_set_validation_sample_weights(session, nan_weights, 2), "weights");
    EXPECT(ANNEAL_OK, anneal_session_set_validation_sample_weights(session, weights, 2), "");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_session_set_validation_sample_weights(plain, weights, 1), "validation");

    /* The epoch loop in the wrong order, and bad indices and buffers. */
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_session_train_batch(session, 0), "anneal_session_begin_epoch");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_session_running_values(session, values, 16, &count),
           "anneal_session_begin_epoch");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_session_end_epoch(session, values, 16, &count), "anneal_session_begin_epoch");
    EXPECT(ANNEAL_OK, anneal_session_begin_epoch(session), "");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_train_batch(session, 2), "index", "2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_train_batch(session, -1), "index");
    EXPECT(ANNEAL_OK, anneal_session_train_batch(session, 0), "");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_running_values(session, values, -1, &count), "capacity");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_running_values(session, NULL, 2, &count), "out_values");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_session_running_values(session, values, 1, &count), "holds 1");
    CHECK(count == 2);
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_session_validate(session, values, 1, &count), "holds 1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_validate(session, values, -2, &count), "capacity");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_session_validate(plain, values, 16, &count), "validation");
    /* The epoch's logs after the caller's batches: the running values, validation, effective_lr, named. */
    {
        double running[4], validation[4], ended[8], rate = 0;
        int32_t running_count = 0, validation_count = 0, keys = 0;
        char key[16];
        int64_t length = 0;
        EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_session_end_epoch(session, ended, 4, &count), "holds 4");
        CHECK(count == 5);
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_end_epoch(session, ended, -1, &count), "capacity");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_end_epoch(session, NULL, 5, &count), "out_values");
        EXPECT(ANNEAL_OK, anneal_session_running_values(session, running, 4, &running_count), "");
        EXPECT(ANNEAL_OK, anneal_session_validate(session, validation, 4, &validation_count), "");
        EXPECT(ANNEAL_OK, anneal_model_effective_learning_rate(model, &rate), "");
        EXPECT(ANNEAL_OK, anneal_session_end_epoch(session, ended, 8, &count), "");
        CHECK(count == 5 && running_count == 2 && validation_count == 2);
        CHECK(memcmp(ended, running, 2 * sizeof *ended) == 0 && memcmp(ended + 2, validation, 2 * sizeof *ended) == 0
              && ended[4] == rate);
        EXPECT(ANNEAL_OK, anneal_session_epoch_key_count(session, &keys), "");
        CHECK(keys == 5);
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_epoch_key_count(session, NULL), "out_count");
        EXPECT(ANNEAL_OK, anneal_session_epoch_key(session, 4, key, sizeof key, &length), "");
        CHECK(strcmp(key, "effective_lr") == 0 && length == 12);
        EXPECT(ANNEAL_OK, anneal_session_epoch_key(session, 2, key, sizeof key, NULL), "");
        CHECK(strcmp(key, "val_loss") == 0);
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_epoch_key(session, 5, key, sizeof key, &length), "index 5");
        EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_session_epoch_key(session, 0, key, 2, &length), "buffer");
        CHECK(length == 4);
    }
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_session_train_epoch(session, values, 1, &count), "holds 1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_train_epoch(session, values, -1, &count), "capacity");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_train_epoch(session, NULL, 3, &count), "out_values");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_session_run_epoch(session, values, 2, &count), "holds 2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_run_epoch(session, values, INT32_MIN, &count), "capacity");
    EXPECT(ANNEAL_OK, anneal_session_run_epoch(session, NULL, 0, NULL), "");

    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_run_epochs(session, -1, 0, values, 16, &epochs, &per_epoch),
           "epochs", "-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_run_epochs(session, 1, NAN, values, 16, &epochs, &per_epoch),
           "max_seconds");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_run_epochs(session, 1, 0, values, -1, &epochs, &per_epoch),
           "capacity");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_session_run_epochs(session, 2, 0, values, 5, &epochs, &per_epoch),
           "2 epochs");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL,
           anneal_session_run_epochs(session, INT32_MAX, 0, values, 16, &epochs, &per_epoch), "2147483647 epochs");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_run_epochs(session, 1, 0, NULL, 16, &epochs, &per_epoch),
           "out_values");
    EXPECT(ANNEAL_OK, anneal_session_run_epochs(session, 0, 0, NULL, 0, NULL, NULL), "");
    EXPECT(ANNEAL_OK, anneal_session_run_epochs(session, 2, 0, values, 16, &epochs, &per_epoch), "");
    CHECK(epochs == 2);

    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_fit(session, 2, -1, NULL, NULL, NULL, &history), "initial_epoch");
    CHECK(history == NULL);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_fit(session, 2, 0, update, NULL, NULL, &history), "schedule");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_fit(session, 2, 0, MADE_UP(anneal_schedule), NULL, NULL, &history),
           "schedule");
    EXPECT(ANNEAL_OK, anneal_session_fit(session, 3, 1, NULL, NULL, NULL, &history), "");
    anneal_history_free(history);

    /* The model freed first: the session keeps its state alive. */
    anneal_model_free(model);
    EXPECT(ANNEAL_OK, anneal_session_run_epoch(session, NULL, 0, NULL), "");

    /* Bad handles. */
    anneal_session_free(session);
    refused_everywhere(session, "not a live handle");
    refused_everywhere(NULL, "session is NULL");
    refused_everywhere((anneal_session *)update, "anneal_schedule");
    refused_everywhere(MADE_UP(anneal_session), "not a live handle");
    anneal_session_free(session);
    anneal_session_free(NULL);
    anneal_session_free((anneal_session *)update); /* a schedule freed as a session: nothing */
    anneal_session_free(plain);
    anneal_schedule_free(update);
    anneal_model_free(uncompiled);
    free(x);
    free(y);
    free(nan_x);
    free(weights);
    free(nan_weights);
}

/* What anneal_session_fit_events' callback saw and does, chosen by the test. */
struct events {
    char seen[256];  /* one letter per event: b B e E p (batch begin/end, epoch begin/end, poll) */
    int32_t length;
    int32_t abort_at, stop_at;  /* the event (ANNEAL_EVENT_*) to answer -1 or 1 at, the first time; -1: none */
    anneal_session *own;  /* the fit's session, refused inside the callback */
    const float *x, *y;  /* a second session's data, trained inside the callback */
    int32_t running;  /* BATCH_END's count */
};

static int32_t on_event(void *user_data, anneal_model *model, int32_t event, int32_t index, const char *const *keys,
                        const double *values, int32_t count) {
    struct events *events = user_data;
    const char letters[] = "eEbBp";
    if (event < 0 || event > 4 || events->length + 1 >= (int32_t)sizeof events->seen) return -1;
    events->seen[events->length++] = letters[event];
    events->seen[events->length] = '\0';
    if (event == ANNEAL_EVENT_BATCH_END) {
        events->running = count;
        CHECK(count == 2 && keys != NULL && values != NULL && strcmp(keys[0], "loss") == 0 && index >= 0);
    }
    if (event == ANNEAL_EVENT_BATCH_BEGIN || event == ANNEAL_EVENT_POLL) CHECK(count == 0 && keys == NULL);
    if (events->own != NULL && event == ANNEAL_EVENT_BATCH_END) {
        /* A second session of the model trains here (Keras's train_on_batch from a callback); the fit's own
         * session is refused. */
        anneal_session *other = NULL;
        double out[4];
        EXPECT(ANNEAL_OK, anneal_session_create(model, events->x, 4, 2, events->y, 1, 4, 0, false, NULL, &other), "");
        EXPECT(ANNEAL_OK, anneal_session_begin_epoch(other), "");
        EXPECT(ANNEAL_OK, anneal_session_train_batch(other, 0), "");
        EXPECT(ANNEAL_OK, anneal_session_running_values(other, out, 4, NULL), "");
        anneal_session_free(other);
        EXPECT(ANNEAL_E_INVALID_STATE, anneal_session_begin_epoch(events->own), "callback");
        events->own = NULL;
    }
    if (event == events->abort_at) {
        events->abort_at = -1;
        return -1;
    }
    if (event == events->stop_at) {
        events->stop_at = -1;
        return 1;
    }
    return 0;
}

static void fit_events(void) {
    anneal_model *model = compiled_model();
    float *x = floats(ROWS * 2, 0.5f), *y = floats(ROWS, 1);
    anneal_session *session = NULL;
    anneal_history *history = (anneal_history *)&history;
    anneal_callback *callbacks[1] = {NULL};
    struct events events = {"", 0, -1, -1, NULL, NULL, NULL, 0};
    int32_t epochs = 0;
    const uint64_t seed = 5;
    EXPECT(ANNEAL_OK, anneal_session_create(model, x, ROWS, 2, y, 1, 4, 0, true, &seed, &session), "");

#define FIT_EVENTS(n, mask, seconds) \
    anneal_session_fit_events(session, n, 0, NULL, 0, on_event, &events, mask, seconds, &history)
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT_EVENTS(2, 8, 0), "events", "8");
    CHECK(history == NULL && events.length == 0);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT_EVENTS(2, -1, 0), "events");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT_EVENTS(2, ANNEAL_EVENTS_POLL, -1), "poll_seconds");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT_EVENTS(2, ANNEAL_EVENTS_POLL, NAN), "poll_seconds");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT_EVENTS(2, ANNEAL_EVENTS_POLL, INFINITY), "poll_seconds");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, FIT_EVENTS(-1, ANNEAL_EVENTS_EPOCH, 0), "epochs");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_fit_events(session, 2, 0, NULL, 1, NULL, NULL, 0, 0, &history),
           "callbacks");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_fit_events(session, 2, 0, callbacks, 1, NULL, NULL, 0, 0,
                                                              &history), "callbacks[0]");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_fit_events(session, 2, 0, NULL, -1, NULL, NULL, 0, 0, &history),
           "callback_count");
    CHECK(events.length == 0 && history == NULL);

    /* Every event, in Keras's order: 2 batches of 4 rows per epoch; polls between epochs only. */
    EXPECT(ANNEAL_OK, FIT_EVENTS(2, ANNEAL_EVENTS_EPOCH | ANNEAL_EVENTS_BATCH | ANNEAL_EVENTS_POLL, 0), "");
    CHECK(strcmp(events.seen, "ebBbBEpebBbBE") == 0 && events.running == 2);
    anneal_history_free(history);
    events.length = 0;
    EXPECT(ANNEAL_OK, FIT_EVENTS(2, ANNEAL_EVENTS_BATCH, 0), "");
    CHECK(strcmp(events.seen, "bBbBbBbB") == 0);
    anneal_history_free(history);
    /* Polls only: the fit trains in bulk between them; none after the last epoch. */
    events.length = 0;
    EXPECT(ANNEAL_OK, FIT_EVENTS(3, ANNEAL_EVENTS_POLL, 0), "");
    CHECK(strcmp(events.seen, "pp") == 0);
    anneal_history_free(history);
    events.length = 0;
    EXPECT(ANNEAL_OK, FIT_EVENTS(3, ANNEAL_EVENTS_POLL, 1000), "");
    CHECK(events.length == 0);
    EXPECT(ANNEAL_OK, anneal_history_epoch_count(history, &epochs), "");
    CHECK(epochs == 3);
    anneal_history_free(history);
    events.length = 0;
    EXPECT(ANNEAL_OK, FIT_EVENTS(3, 0, 0), "");
    CHECK(events.length == 0);
    anneal_history_free(history);

    /* A positive answer at a batch's end stops after it: that epoch ends as usual, none follows. */
    events.length = 0;
    events.stop_at = ANNEAL_EVENT_BATCH_END;
    EXPECT(ANNEAL_OK, FIT_EVENTS(3, ANNEAL_EVENTS_EPOCH | ANNEAL_EVENTS_BATCH, 0), "");
    CHECK(strcmp(events.seen, "ebBE") == 0);
    EXPECT(ANNEAL_OK, anneal_history_epoch_count(history, &epochs), "");
    CHECK(epochs == 1);
    anneal_history_free(history);
    /* At a poll: no further epoch. */
    events.length = 0;
    events.stop_at = ANNEAL_EVENT_POLL;
    EXPECT(ANNEAL_OK, FIT_EVENTS(3, ANNEAL_EVENTS_POLL, 0), "");
    EXPECT(ANNEAL_OK, anneal_history_epoch_count(history, &epochs), "");
    CHECK(epochs == 1 && strcmp(events.seen, "p") == 0);
    anneal_history_free(history);
    /* A negative answer aborts, naming the moment. */
    events.abort_at = ANNEAL_EVENT_BATCH_BEGIN;
    EXPECT(ANNEAL_E_CALLBACK, FIT_EVENTS(3, ANNEAL_EVENTS_BATCH, 0), "-1", "begin of batch 0");
    CHECK(history == NULL);
    events.abort_at = ANNEAL_EVENT_BATCH_END;
    EXPECT(ANNEAL_E_CALLBACK, FIT_EVENTS(3, ANNEAL_EVENTS_BATCH, 0), "end of batch 0");
    events.abort_at = ANNEAL_EVENT_POLL;
    EXPECT(ANNEAL_E_CALLBACK, FIT_EVENTS(3, ANNEAL_EVENTS_POLL, 0), "poll after epoch 0");

    /* Inside the callback: another session of the model trains; the fit's own is refused. */
    events.own = session;
    events.x = x;
    events.y = y;
    EXPECT(ANNEAL_OK, FIT_EVENTS(1, ANNEAL_EVENTS_BATCH, 0), "");
    CHECK(events.own == NULL);
    anneal_history_free(history);
#undef FIT_EVENTS

    anneal_session_free(session);
    anneal_model_free(model);
    free(x);
    free(y);
}

int main(int argc, char **argv) {
    misuse_start(argc, argv);
    fit();
    sessions();
    fit_events();
    return misuse_finish("session");
}
