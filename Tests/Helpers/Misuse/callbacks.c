/*
 * callbacks.c: misuse of Keras's built-in callbacks (anneal_callback_*): constructors refusing Keras's bad
 * arguments, bad handles, bad logs, each callback driven one event at a time (its decisions, the logs it
 * adds, the text it writes, the files it makes), anneal_session_fit_callbacks, and a callback held by a fit
 * driven from inside that fit's epoch callback.
 * Usage: callbacks PATH/TO/ionosphere.csv DIRECTORY
 */
#include "misuse.h"

#define ROWS 8

/* The text the callbacks wrote through anneal_callback_set_output, appended. */
static char written[4096];

static void collect(void *user_data, const char *text) {
    size_t used = strlen(written);
    (void)user_data;
    snprintf(written + used, sizeof written - used, "%s", text);
}

/* A rate function: *user_data is the rate to give, or NaN to refuse with -1. */
static int32_t rate_from(void *user_data, int32_t epoch, double current_rate, double *out_rate) {
    double rate = *(const double *)user_data;
    (void)epoch;
    (void)current_rate;
    if (isnan(rate)) return -1;
    *out_rate = rate;
    return 0;
}

/* Dense(2, relu, input_dim 2) -> Dense(1, sigmoid), binary cross-entropy, SGD. */
static anneal_model *compiled_model(void) {
    anneal_model *model = NULL;
    anneal_compile_options compile = ANNEAL_COMPILE_OPTIONS_INIT;
    compile.learning_rate = 0.1;
    EXPECT(ANNEAL_OK, anneal_model_create(5, &model), "");
    EXPECT(ANNEAL_OK, add_dense_layer(model, 2, ANNEAL_ACTIVATION_RELU, 0, 1, true, 2), "");
    EXPECT(ANNEAL_OK, add_dense_layer(model, 1, ANNEAL_ACTIVATION_SIGMOID, 0, 1, true, 0), "");
    EXPECT(ANNEAL_OK, anneal_model_compile(model, &compile), "");
    return model;
}

static void constructors(void) {
    anneal_callback *callback = (anneal_callback *)&callback;
    anneal_schedule *update = NULL;
    const double baseline = 0.5;
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_early_stopping(NULL, 0, 0, 0, ANNEAL_MODE_AUTO, NULL, false, 0,
                                                                 &callback), "monitor is NULL");
    CHECK(callback == NULL);
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_early_stopping("loss", 0, 0, 0, ANNEAL_MODE_AUTO, NULL, false, 0,
                                                                 NULL), "out_callback");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_early_stopping("loss", NAN, 0, 0, ANNEAL_MODE_AUTO, NULL, false,
                                                                     0, &callback), "min_delta=nan");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_early_stopping("loss", 0, -1, 0, ANNEAL_MODE_AUTO, NULL, false, 0,
                                                                     &callback), "patience=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_early_stopping("loss", 0, 0, 0, ANNEAL_MODE_AUTO, NULL, false, -2,
                                                                     &callback), "start_from_epoch=-2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_early_stopping("loss", 0, 0, 0, 7, NULL, false, 0, &callback),
           "mode=7");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_early_stopping("\xff", 0, 0, 0, 0, NULL, false, 0, &callback),
           "monitor", "UTF-8");
    CHECK(callback == NULL);
    EXPECT(ANNEAL_OK, anneal_callback_early_stopping("loss", 0, 0, 0, ANNEAL_MODE_MAX, &baseline, true, 0, &callback),
           "");
    anneal_callback_free(callback);

    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_reduce_lr_on_plateau("loss", 1.0, 10, 0, 0, 1e-4, 0, 0, &callback),
           "factor", "1.0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_reduce_lr_on_plateau("loss", -0.5, 10, 0, 0, 1e-4, 0, 0, &callback),
           "factor", "-0.5");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_reduce_lr_on_plateau("loss", NAN, 10, 0, 0, 1e-4, 0, 0, &callback),
           "factor");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_reduce_lr_on_plateau("loss", 0.1, -1, 0, 0, 1e-4, 0, 0, &callback),
           "patience=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_reduce_lr_on_plateau("loss", 0.1, 10, 0, 0, 1e-4, -3, 0, &callback),
           "cooldown=-3");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_reduce_lr_on_plateau("loss", 0.1, 10, 0, 0, 1e-4, 0, -1, &callback),
           "min_lr=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_reduce_lr_on_plateau("loss", 0.1, 10, 0, 0, INFINITY, 0, 0,
                                                                           &callback), "min_delta");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_reduce_lr_on_plateau("loss", 0.1, 10, 0, 3, 1e-4, 0, 0, &callback),
           "mode=3");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_reduce_lr_on_plateau(NULL, 0.1, 10, 0, 0, 1e-4, 0, 0, &callback),
           "monitor");
    CHECK(callback == NULL);

    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_model_checkpoint("", "loss", 0, false, 0, NULL, &callback),
           "filepath");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_model_checkpoint("w{epoch", "loss", 0, false, 0, NULL, &callback),
           "w{epoch", "'{'");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_model_checkpoint("w{epoch:q}", "loss", 0, false, 0, NULL,
                                                                       &callback), "'q'");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_model_checkpoint(NULL, "loss", 0, false, 0, NULL, &callback),
           "filepath is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_model_checkpoint("w.bin", NULL, 0, false, 0, NULL, &callback),
           "monitor is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_model_checkpoint("w.bin", "loss", 0, false, -1, NULL, &callback),
           "mode=-1");

    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_csv_logger("", ",", false, &callback), "filename");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_csv_logger("log.csv", ";;", false, &callback), "separator", ";;");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_csv_logger("log.csv", "\"", false, &callback), "separator");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_csv_logger(NULL, ",", false, &callback), "filename is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_csv_logger("log.csv", NULL, false, &callback), "separator is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_terminate_on_nan(NULL), "out_callback");

    EXPECT(ANNEAL_OK, anneal_schedule_exponential_decay(0.1, 10, 0.9, false, ANNEAL_UNIT_DEFAULT, &update), "");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_callback_learning_rate_scheduler(NULL, 0, &callback), "schedule is NULL");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_callback_learning_rate_scheduler(MADE_UP(anneal_schedule), 0, &callback),
           "not a live handle");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_learning_rate_scheduler(update, 0, &callback), "ANNEAL_UNIT_EPOCH");
    CHECK(callback == NULL);
    anneal_schedule_free(update);

    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_progress_logger(0, 1, 1, &callback), "verbose=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_progress_logger(3, 1, 1, &callback), "verbose=3");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_progress_logger(1, -1, 1, &callback), "epochs=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_progress_logger(1, 1, -1, &callback), "steps=-1");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_progress_logger(1, 1, 1, NULL), "out_callback");
    CHECK(callback == NULL);

    /* Free: NULL, twice, another kind of handle: nothing. */
    anneal_callback_free(NULL);
    EXPECT(ANNEAL_OK, anneal_callback_terminate_on_nan(&callback), "");
    anneal_callback_free(callback);
    anneal_callback_free(callback);
    anneal_callback_free(MADE_UP(anneal_callback));
}

/* Every event function refuses `callback` on `model` with `status` and a message containing `text`; so do the
 * functions without a model when `callback` is the bad one. */
static void refused_everywhere(anneal_callback *callback, anneal_model *model, int32_t status, const char *text,
                               bool bad_callback) {
    const char *keys[1] = {"loss"};
    const double values[1] = {1};
    bool stop = true;
    int32_t count = 0;
    double value = 0;
    char buffer[8];
    EXPECT(status, anneal_callback_train_begin(callback, model), text);
    EXPECT(status, anneal_callback_epoch_begin(callback, model, 0, &stop), text);
    CHECK(!stop);
    EXPECT(status, anneal_callback_batch_end(callback, model, 0, keys, values, 1, NULL), text);
    EXPECT(status, anneal_callback_epoch_end(callback, model, 0, keys, values, 1, NULL), text);
    EXPECT(status, anneal_callback_train_end(callback, model, keys, values, 1), text);
    if (bad_callback) {
        EXPECT(status, anneal_callback_set_output(callback, collect, NULL), text);
        EXPECT(status, anneal_callback_log_count(callback, &count), text);
        EXPECT(status, anneal_callback_log_key(callback, 0, buffer, sizeof buffer, NULL), text);
        EXPECT(status, anneal_callback_log_values(callback, &value, 1, &count), text);
    }
}

static void events(void) {
    anneal_model *model = compiled_model();
    anneal_callback *early = NULL, *plateau = NULL, *nan_stop = NULL, *scheduler = NULL, *csv = NULL,
                    *checkpoint = NULL, *progress = NULL, *bad_csv = NULL, *missing_key = NULL;
    anneal_schedule *epoch_schedule = NULL;
    const char *keys[2] = {"loss", "val_loss"};
    const char *twice[2] = {"loss", "loss"};
    const char *null_key[1] = {NULL};
    double values[2] = {1.0, 2.0};
    double logged[4] = {0};
    double rate = 0;
    int32_t count = 0;
    int64_t length = 0;
    char key[8], small[2], path[1024], text[256];
    bool stop = false;

    /* Bad handles and logs. */
    refused_everywhere(NULL, model, ANNEAL_E_INVALID_HANDLE, "callback is NULL", true);
    refused_everywhere(MADE_UP(anneal_callback), model, ANNEAL_E_INVALID_HANDLE, "not a live handle", true);
    refused_everywhere((anneal_callback *)model, model, ANNEAL_E_INVALID_HANDLE, "anneal_model", true);
    EXPECT(ANNEAL_OK, anneal_callback_early_stopping("loss", 0, 1, 1, ANNEAL_MODE_MIN, NULL, false, 0, &early), "");
    refused_everywhere(early, NULL, ANNEAL_E_INVALID_HANDLE, "model is NULL", false);
    refused_everywhere(early, MADE_UP(anneal_model), ANNEAL_E_INVALID_HANDLE, "model", false);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_epoch_end(early, model, 0, keys, values, -1, NULL), "count=-1");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_epoch_end(early, model, 0, NULL, values, 1, NULL), "keys is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_epoch_end(early, model, 0, keys, NULL, 1, NULL), "values is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_epoch_end(early, model, 0, null_key, values, 1, NULL), "keys[0]");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_epoch_end(early, model, 0, twice, values, 2, NULL), "keys[1]",
           "repeats keys[0]");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_epoch_end(early, model, -1, keys, values, 1, NULL), "epoch=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_epoch_begin(early, model, -1, NULL), "epoch=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_batch_end(early, model, -1, keys, values, 1, NULL), "batch=-1");
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(early, model, 0, NULL, NULL, 0, NULL), "");

    /* EarlyStopping: a loss that does not improve for `patience` epochs stops training; its text at train end. */
    EXPECT(ANNEAL_OK, anneal_callback_set_output(early, collect, NULL), "");
    EXPECT(ANNEAL_OK, anneal_callback_train_begin(early, model), "");
    EXPECT(ANNEAL_OK, anneal_callback_epoch_begin(early, model, 0, &stop), "");
    CHECK(!stop);
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(early, model, 0, keys, values, 2, &stop), "");
    CHECK(!stop);
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(early, model, 1, keys, values, 2, &stop), "");
    CHECK(stop);
    EXPECT(ANNEAL_OK, anneal_callback_log_count(early, &count), "");
    CHECK(count == 2);
    EXPECT(ANNEAL_OK, anneal_callback_train_end(early, model, keys, values, 2), "");
    CHECK(strcmp(written, "Epoch 2: early stopping\n") == 0);
    written[0] = '\0';

    /* ReduceLROnPlateau: logs "lr", halves it after `patience` epochs without improvement, says so. */
    EXPECT(ANNEAL_OK, anneal_callback_reduce_lr_on_plateau("loss", 0.5, 1, 1, ANNEAL_MODE_AUTO, 1e-4, 0, 0, &plateau), "");
    EXPECT(ANNEAL_OK, anneal_callback_set_output(plateau, collect, NULL), "");
    EXPECT(ANNEAL_OK, anneal_callback_train_begin(plateau, model), "");
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(plateau, model, 0, keys, values, 1, NULL), "");
    EXPECT(ANNEAL_OK, anneal_callback_log_count(plateau, &count), "");
    CHECK(count == 2);
    EXPECT(ANNEAL_OK, anneal_callback_log_key(plateau, 1, key, sizeof key, &length), "");
    CHECK(strcmp(key, "lr") == 0 && length == 2);
    EXPECT(ANNEAL_OK, anneal_callback_log_values(plateau, logged, 4, &count), "");
    CHECK(count == 2 && logged[0] == 1.0 && fabs(logged[1] - 0.1) < 1e-7);
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(plateau, model, 1, keys, values, 1, NULL), "");
    EXPECT(ANNEAL_OK, anneal_model_learning_rate(model, &rate), "");
    CHECK(fabs(rate - 0.05) < 1e-7);
    CHECK(strcmp(written, "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.05.\n") == 0);
    written[0] = '\0';
    /* The log functions' own checks. */
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_log_count(plateau, NULL), "out_count");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_log_key(plateau, 2, key, sizeof key, &length), "index 2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_log_key(plateau, -1, key, sizeof key, &length), "index -1");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_callback_log_key(plateau, 0, small, sizeof small, &length), "buffer");
    CHECK(length == 4);
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_callback_log_values(plateau, logged, 1, &count), "out_values");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_log_values(plateau, logged, -1, &count), "capacity");
    EXPECT(ANNEAL_OK, anneal_callback_epoch_begin(plateau, model, 2, NULL), "");
    EXPECT(ANNEAL_OK, anneal_callback_log_count(plateau, &count), "");
    CHECK(count == 0);

    /* TerminateOnNaN: a NaN loss at a batch end stops training. */
    EXPECT(ANNEAL_OK, anneal_callback_terminate_on_nan(&nan_stop), "");
    EXPECT(ANNEAL_OK, anneal_callback_set_output(nan_stop, collect, NULL), "");
    values[0] = 0.5;
    EXPECT(ANNEAL_OK, anneal_callback_batch_end(nan_stop, model, 2, keys, values, 1, &stop), "");
    CHECK(!stop && written[0] == '\0');
    values[0] = NAN;
    EXPECT(ANNEAL_OK, anneal_callback_batch_end(nan_stop, model, 3, keys, values, 1, &stop), "");
    CHECK(stop);
    CHECK(strcmp(written, "Batch 3: Invalid loss, terminating training\n") == 0);
    written[0] = '\0';
    values[0] = 1.0;

    /* LearningRateScheduler over an epoch schedule: sets the rate at epoch begin, logs it at epoch end. */
    EXPECT(ANNEAL_OK, anneal_schedule_step_decay(0.2, 0.5, 1, ANNEAL_UNIT_DEFAULT, &epoch_schedule), "");
    EXPECT(ANNEAL_OK, anneal_callback_learning_rate_scheduler(epoch_schedule, 1, &scheduler), "");
    anneal_schedule_free(epoch_schedule); /* the callback keeps it */
    EXPECT(ANNEAL_OK, anneal_callback_set_output(scheduler, collect, NULL), "");
    EXPECT(ANNEAL_OK, anneal_callback_epoch_begin(scheduler, model, 1, NULL), "");
    EXPECT(ANNEAL_OK, anneal_model_learning_rate(model, &rate), "");
    CHECK(fabs(rate - 0.05) < 1e-7);
    CHECK(strcmp(written, "\nEpoch 2: LearningRateScheduler setting learning rate to 0.05.\n") == 0);
    written[0] = '\0';
    EXPECT(ANNEAL_OK, anneal_callback_set_output(scheduler, NULL, NULL), "");
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(scheduler, model, 1, keys, values, 1, NULL), "");
    EXPECT(ANNEAL_OK, anneal_callback_log_key(scheduler, 1, key, sizeof key, NULL), "");
    CHECK(strcmp(key, "lr") == 0);

    /* LearningRateScheduler over a function: its rate, a value it refuses, a function that aborts. */
    {
        anneal_callback *function = NULL;
        double given = 0.025;
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_learning_rate_function(NULL, &given, 0, &function), "rate is NULL");
        EXPECT(ANNEAL_OK, anneal_callback_learning_rate_function(rate_from, &given, 0, &function), "");
        EXPECT(ANNEAL_OK, anneal_callback_epoch_begin(function, model, 0, NULL), "");
        EXPECT(ANNEAL_OK, anneal_model_learning_rate(model, &rate), "");
        CHECK(fabs(rate - 0.025) < 1e-7);
        given = -1;
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_epoch_begin(function, model, 4, NULL), "-1.0", "epoch 4");
        given = NAN;
        EXPECT(ANNEAL_E_CALLBACK, anneal_callback_epoch_begin(function, model, 5, NULL), "returned -1", "epoch 5");
        anneal_callback_free(function);
    }

    /* The state Keras's attributes read. */
    {
        double state = -1;
        EXPECT(ANNEAL_OK, anneal_callback_state(early, "stopped_epoch", &state), "");
        CHECK(state == 1);
        EXPECT(ANNEAL_OK, anneal_callback_state(early, "mode", &state), "");
        CHECK(state == ANNEAL_MODE_MIN);
        EXPECT(ANNEAL_OK, anneal_callback_state(plateau, "best", &state), "");
        CHECK(state == 1.0);
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_state(plateau, "patience", &state), "'patience'",
               "cooldown_counter");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_state(nan_stop, "wait", &state), "'wait'");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_state(early, NULL, &state), "name is NULL");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_callback_state(early, "wait", NULL), "out_value");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_callback_state(NULL, "wait", &state), "callback is NULL");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_callback_state(MADE_UP(anneal_callback), "wait", &state), "not a live");
    }

    /* CSVLogger: Python's csv text; a file it cannot open is ANNEAL_E_IO at train begin. */
    snprintf(path, sizeof path, "%s/log.csv", misuse_directory);
    EXPECT(ANNEAL_OK, anneal_callback_csv_logger(path, ",", false, &csv), "");
    EXPECT(ANNEAL_OK, anneal_callback_train_begin(csv, model), "");
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(csv, model, 0, keys, values, 2, NULL), "");
    values[1] = 0.25;
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(csv, model, 1, keys, values, 2, NULL), "");
    EXPECT(ANNEAL_OK, anneal_callback_train_end(csv, model, keys, values, 2), "");
    {
        FILE *file = fopen(path, "rb");
        size_t read = 0;
        CHECK(file != NULL);
        if (file != NULL) {
            read = fread(text, 1, sizeof text - 1, file);
            fclose(file);
        }
        text[read] = '\0';
        CHECK(strcmp(text, "epoch,loss,val_loss\r\n0,1.0,2.0\r\n1,1.0,0.25\r\n") == 0);
    }
    snprintf(path, sizeof path, "%s/no/such/folder/log.csv", misuse_directory);
    EXPECT(ANNEAL_OK, anneal_callback_csv_logger(path, ";", true, &bad_csv), "");
    EXPECT(ANNEAL_E_IO, anneal_callback_train_begin(bad_csv, model), "no/such/folder");

    /* ModelCheckpoint: writes the weights file at epoch end; a key not in the logs is refused there. */
    snprintf(path, sizeof path, "%s/w{epoch:02d}-{loss:.1f}.bin", misuse_directory);
    EXPECT(ANNEAL_OK, anneal_callback_model_checkpoint(path, "loss", 0, false, ANNEAL_MODE_AUTO, NULL, &checkpoint), "");
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(checkpoint, model, 2, keys, values, 2, NULL), "");
    snprintf(path, sizeof path, "%s/w03-1.0.bin", misuse_directory);
    EXPECT(ANNEAL_OK, anneal_model_load_weights(model, path), "");
    snprintf(path, sizeof path, "%s/w{nope}.bin", misuse_directory);
    EXPECT(ANNEAL_OK, anneal_callback_model_checkpoint(path, "loss", 0, true, ANNEAL_MODE_MIN, &values[0], &missing_key),
           "");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_callback_epoch_end(missing_key, model, 0, keys, values, 2, NULL), "{nope}");

    /* The progress logger, verbose 2: "Epoch i/N", then one line per epoch. */
    EXPECT(ANNEAL_OK, anneal_callback_progress_logger(2, 2, 3, &progress), "");
    EXPECT(ANNEAL_OK, anneal_callback_set_output(progress, collect, NULL), "");
    EXPECT(ANNEAL_OK, anneal_callback_epoch_begin(progress, model, 0, NULL), "");
    CHECK(strcmp(written, "Epoch 1/2\n") == 0);
    written[0] = '\0';
    EXPECT(ANNEAL_OK, anneal_callback_batch_end(progress, model, 0, keys, values, 1, NULL), "");
    CHECK(written[0] == '\0');
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(progress, model, 0, keys, values, 2, NULL), "");
    CHECK(strncmp(written, "3/3 - ", 6) == 0);
    CHECK(strstr(written, " - loss: 1.0000 - val_loss: 0.2500 - ") != NULL);
    CHECK(strstr(written, "/epoch - ") != NULL && strstr(written, "/step\n") != NULL);
    written[0] = '\0';

    anneal_callback_free(early);
    anneal_callback_free(plateau);
    anneal_callback_free(nan_stop);
    anneal_callback_free(scheduler);
    anneal_callback_free(csv);
    anneal_callback_free(bad_csv);
    anneal_callback_free(checkpoint);
    anneal_callback_free(missing_key);
    anneal_callback_free(progress);
    refused_everywhere(early, model, ANNEAL_E_INVALID_HANDLE, "not a live handle", true);
    anneal_model_free(model);
}

/* What the epoch callback of the fit below checks: the callbacks it was given, held by the fit. */
struct inside {
    anneal_callback *held;
    anneal_callback *free_one;
    int calls;
};

static int32_t on_epoch(void *user_data, anneal_model *model, int32_t event, int32_t epoch, const char *const *keys,
                        const double *values, int32_t count) {
    struct inside *inside = user_data;
    (void)epoch;
    if (event != ANNEAL_EVENT_EPOCH_END) return 0;
    inside->calls++;
    /* It sees what the callbacks before it added. */
    CHECK(count == 2 && strcmp(keys[1], "lr") == 0 && values[1] > 0);
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_callback_epoch_end(inside->held, model, 0, keys, values, count, NULL),
           "anneal_callback");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_callback_set_output(inside->held, NULL, NULL), "anneal_callback");
    /* A callback the fit does not run can be driven on the model from here. */
    EXPECT(ANNEAL_OK, anneal_callback_epoch_end(inside->free_one, model, 0, keys, values, count, NULL), "");
    return 0;
}

static void fits(void) {
    anneal_model *model = compiled_model();
    anneal_session *session = NULL;
    anneal_history *history = (anneal_history *)&history;
    anneal_callback *plateau = NULL, *early = NULL, *progress = NULL;
    float *x = malloc(ROWS * 2 * sizeof *x), *y = malloc(ROWS * sizeof *y);
    const uint64_t seed = 9;
    struct inside inside = {NULL, NULL, 0};
    int32_t epochs = 0;
    if (x == NULL || y == NULL) exit(3);
    for (int i = 0; i < ROWS * 2; i++) x[i] = (float)(i % 5) / 5.0f;
    for (int i = 0; i < ROWS; i++) y[i] = (float)(i % 2);
    EXPECT(ANNEAL_OK, anneal_session_create(model, x, ROWS, 2, y, 1, 4, 0, true, &seed, &session), "");
    EXPECT(ANNEAL_OK, anneal_callback_reduce_lr_on_plateau("loss", 0.5, 0, 0, ANNEAL_MODE_AUTO, 10, 0, 0, &plateau), "");
    EXPECT(ANNEAL_OK, anneal_callback_early_stopping("loss", 10, 1, 0, ANNEAL_MODE_AUTO, NULL, false, 0, &early), "");
    EXPECT(ANNEAL_OK, anneal_callback_progress_logger(1, 3, 2, &progress), "");
    EXPECT(ANNEAL_OK, anneal_callback_set_output(progress, collect, NULL), "");
    {
        anneal_callback *list[2] = {plateau, MADE_UP(anneal_callback)};
        anneal_callback *with_progress[2] = {plateau, progress};
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_session_fit_callbacks(session, 3, 0, NULL, 1, NULL, NULL, &history),
               "callbacks is NULL");
        CHECK(history == NULL);
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_fit_callbacks(session, 3, 0, list, -1, NULL, NULL, &history),
               "callback_count=-1");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_fit_callbacks(session, 3, 0, list, 2, NULL, NULL, &history),
               "callbacks[1]");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_session_fit_callbacks(NULL, 3, 0, list, 1, NULL, NULL, &history),
               "session is NULL");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_session_fit_callbacks(session, 3, -1, list, 1, NULL, NULL, &history),
               "initial_epoch");
        EXPECT(ANNEAL_OK, anneal_session_fit_callbacks(session, 2, 0, NULL, 0, NULL, NULL, &history), "");
        anneal_history_free(history);
        /* The progress logger's bar ends every epoch with a line of its own. */
        EXPECT(ANNEAL_OK, anneal_session_fit_callbacks(session, 3, 1, with_progress, 2, NULL, NULL, &history), "");
        CHECK(strncmp(written, "Epoch 2/3\n", 10) == 0 && strstr(written, "Epoch 3/3\n") != NULL);
        CHECK(strstr(written, "2/2 [==============================] - ") != NULL);
        written[0] = '\0';
        EXPECT(ANNEAL_OK, anneal_history_epoch_count(history, &epochs), "");
        CHECK(epochs == 2);
        anneal_history_free(history);
    }
    {
        /* min_delta 10: no epoch improves, so EarlyStopping (patience 1) stops after the second. */
        anneal_callback *list[2] = {plateau, early};
        inside.held = early;
        inside.free_one = progress;
        EXPECT(ANNEAL_OK, anneal_session_fit_callbacks(session, 5, 0, list, 2, on_epoch, &inside, &history), "");
        EXPECT(ANNEAL_OK, anneal_history_epoch_count(history, &epochs), "");
        CHECK(epochs == 2 && inside.calls == 2);
        anneal_history_free(history);
        written[0] = '\0';
    }
    anneal_session_free(session);
    anneal_callback_free(plateau);
    anneal_callback_free(early);
    anneal_callback_free(progress);
    anneal_model_free(model);
    free(x);
    free(y);
}

int main(int argc, char **argv) {
    misuse_start(argc, argv);
    constructors();
    events();
    fits();
    return misuse_finish("callbacks");
}
