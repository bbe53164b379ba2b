/*
 * anneal.h: the C interface of Anneal (libanneal.so).
 *
 * Anneal trains small dense networks with SGD exactly as Keras 2 does. This header is the whole C contract:
 * anything not written here is not API. The Python package (python/anneal/_lib.py) binds these functions
 * one to one.
 *
 * A first program: the tutorial's whole experiment, from CSV file to printed accuracy and saved weights, in
 * eight calls (examples/c/minimal.c runs it with every status checked; here the checks are left out):
 *
 *     anneal_dataset *data;  anneal_model *model;  anneal_history *history;  double accuracy;
 *     anneal_dense_options hidden = ANNEAL_DENSE_OPTIONS_INIT, output = ANNEAL_DENSE_OPTIONS_INIT;
 *     anneal_compile_options compile = ANNEAL_COMPILE_OPTIONS_INIT;
 *     anneal_fit_options fit = ANNEAL_FIT_OPTIONS_INIT;
 *     int32_t metrics[] = {ANNEAL_METRIC_ACCURACY};
 *     hidden.activation = ANNEAL_ACTIVATION_RELU;  hidden.kernel_initializer = ANNEAL_INITIALIZER_NORMAL;
 *     hidden.input_dim = 34;
 *     output.activation = ANNEAL_ACTIVATION_SIGMOID;  output.kernel_initializer = ANNEAL_INITIALIZER_NORMAL;
 *     compile.learning_rate = 0.1;  compile.momentum = 0.8;  compile.decay = 0.1 / 50;
 *     compile.loss = ANNEAL_LOSS_BINARY_CROSSENTROPY;  compile.metrics = metrics;  compile.metric_count = 1;
 *     fit.epochs = 50;  fit.batch_size = 28;  fit.validation_split = 0.33;
 *
 *     anneal_dataset_load_csv("ionosphere.csv", -1, ANNEAL_CSV_HEADER_AUTO, &data);          1
 *     anneal_model_create(7, &model);                                                        2
 *     anneal_model_add_dense(model, 34, &hidden);                                            3
 *     anneal_model_add_dense(model, 1, &output);                                             4
 *     anneal_model_compile(model, &compile);                                                 5
 *     anneal_model_fit_dataset(model, data, &fit, &history);                                 6
 *     anneal_history_last(history, "val_accuracy", &accuracy);                               7
 *     anneal_model_save_weights(model, "ionosphere.weights");                                8
 *     printf("val_accuracy %.4f\n", accuracy);
 *     anneal_history_free(history);  anneal_model_free(model);  anneal_dataset_free(data);
 *
 * ---------------------------------------------------------------------------------------------------------
 * CONVENTIONS (they apply to every function below unless its own comment says otherwise)
 *
 * Status codes. Every fallible function returns an int32_t status: ANNEAL_OK (0) on success, one of the
 *   ANNEAL_E_* codes otherwise. The numbers are pinned: they never change once published. Results come back
 *   through out-parameters (named out_*). On failure, out-parameters are left untouched, except that a
 *   constructor's handle out-parameter is always set to NULL on failure.
 *
 * Error messages. After a call that fails, anneal_last_error() returns a message for a person (naming the
 *   argument, value, file, line or column at fault); after a call that succeeds it returns "". The message is
 *   per thread. Which calls reset it: every function of this header except anneal_version_number,
 *   anneal_version_string, anneal_status_string and anneal_last_error.
 *
 * Handles. anneal_dataset, anneal_model, anneal_sgd, anneal_optimizer, anneal_schedule, anneal_session and
 *   anneal_history are opaque: never dereference them. Each is created by a function that writes it to an
 *   out-parameter and is released by its own anneal_*_free function; free(NULL) does nothing. Handles are
 *   tokens that are never reused: passing a handle that was freed (or was never created, or is of another
 *   kind) returns ANNEAL_E_INVALID_HANDLE instead of crashing. Freeing a handle that is not live does nothing.
 *   A handle that another handle depends on may be freed first: a session keeps its model's state alive, and
 *   an SGD, optimizer or schedule handle can be freed as soon as the call that takes it returns.
 *
 * Arrays. Inputs are borrowed for the duration of the call and copied if kept: the caller may free or reuse
 *   them as soon as the call returns. Feature matrices are float32, row-major: row r, column j at
 *   x[r * cols + j]. Outputs go into caller buffers with an explicit capacity (in elements, or in bytes
 *   including the terminating NUL for strings); a buffer too small returns ANNEAL_E_BUFFER_TOO_SMALL and
 *   writes nothing into it. The library never keeps a pointer the caller gave it after the call returns
 *   (except the user_data of a callback, during the call that uses it).
 *
 * Strings in. const char * arguments are NUL-terminated UTF-8; invalid UTF-8 is ANNEAL_E_INVALID_ARGUMENT.
 *
 * Strings out ("copy-out string" below). int32_t f(..., char *buffer, int64_t capacity, int64_t *out_length):
 *   *out_length (optional, may be NULL) receives the length in bytes without the NUL, on success and on
 *   ANNEAL_E_BUFFER_TOO_SMALL. buffer == NULL with capacity == 0 is a size query: ANNEAL_OK, nothing written.
 *   Otherwise buffer must hold length + 1 bytes; the string is written with its NUL.
 *
 * Value lists ("copy-out values" below). int32_t f(..., double *out_values, int32_t capacity,
 *   int32_t *out_count): *out_count (optional) receives the number of values, on success and on
 *   ANNEAL_E_BUFFER_TOO_SMALL; out_values == NULL with capacity == 0 is a count query.
 *
 * Option structs (anneal_dense_options, anneal_compile_options, anneal_fit_options). Each starts with
 *   struct_size, which the caller sets to sizeof of the struct (the _INIT macro does), so that a later minor
 *   version can add fields at the end without breaking programs built against this header (as zstd's and
 *   SQLite's versioned structs do): the library reads struct_size first, before any other field, and a later
 *   library still accepts the sizes of earlier versions, giving the fields those programs do not know their
 *   _INIT values. A struct_size this library does not know is ANNEAL_E_INVALID_ARGUMENT. Always start from
 *   the _INIT macro and then set the fields you need: the macro's values are Keras's defaults. Option
 *   structs are borrowed for the duration of the call. An options argument that may be NULL says so.
 *
 * Never fatal. No function aborts, exits, traps or prints, whatever the arguments: NULL handles and
 *   buffers, negative or overflowing sizes and out-of-range enum values are statuses. Every size computed
 *   from a caller's numbers (units x input width, batch rows x layer width, rows x cols) is checked for
 *   overflow, and the memory it sizes (weights, gradients, velocities, batch buffers, copies of the
 *   caller's arrays and of the weights, results) is tried before use: a request the machine cannot meet returns
 *   ANNEAL_E_OUT_OF_MEMORY with a message naming the call, the request and its size in bytes, e.g.
 *   "anneal_model_build: could not allocate 4398050705408 bytes for the model's 1099512676352 parameters
 *   (the kernel of layer 0, 1048576 x 1048576 floats, needs 4398046511104 bytes)", and changes nothing.
 *   Under Linux's default overcommit a request larger than memory and swap is refused at once; a smaller
 *   one may be granted and only fail when its pages are touched, which the operating system (not the
 *   library) handles. (A caller that lies about a buffer's size can still make the library read or write
 *   out of bounds: that is C.)
 *
 * Shapes before data. A function that reads a caller's matrix first checks the declared sizes (rows, cols,
 *   y_cols) against each other and against the model (its input width, its loss's label columns), and reads
 *   no byte of the matrix when they disagree: declaring the wrong width over a correct buffer is
 *   ANNEAL_E_SHAPE_MISMATCH, never a read past the buffer.
 *
 * Threads. Every function may be called from any thread. Datasets, SGD descriptions, schedules and
 *   histories are immutable once created and may be used from several threads at once. A model or a session
 *   takes one call at a time: a call on a model or session (or on a session's model) that another thread is
 *   using returns ANNEAL_E_BUSY at once, without waiting and without side effects; retry it later, or give
 *   each thread its own model. Different models train in parallel on different threads. Inside an epoch
 *   callback (anneal_model_fit, anneal_session_fit, anneal_session_fit_callbacks, anneal_session_fit_events)
 *   the callback may call the functions marked "callback-safe" on the model being trained, and create,
 *   train and free other sessions of it (the anneal_session_* functions; Keras's train_on_batch from a
 *   callback: the fit is paused between batches and reads the model afresh for its next one); anything else
 *   on that model, or on the fit's own session, from inside the callback returns ANNEAL_E_INVALID_STATE.
 *   The library may compute big matrix products on one helper thread of its own, which never changes a
 *   result and blocks all signals; set the environment variable ANNEAL_THREADS=1 before the first training
 *   call to keep all work on the calling thread. How that thread, the vectorized kernels and their buffers
 *   work is described in docs/THREADS.md (not API).
 * ---------------------------------------------------------------------------------------------------------
 */
#ifndef ANNEAL_H
#define ANNEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================================
 * Version
 * ====================================================================================================== */

/*
 * Semantic versioning, for this header and libanneal.so together:
 * - MAJOR changes when a program built against the previous version may stop working: a function, type or
 *   constant removed, a signature changed, or documented behaviour changed (what a call computes, returns or
 *   accepts). Status numbers and enum values never change, even then. A program built for major N needs a
 *   library of major N.
 * - MINOR changes when something is added and nothing breaks: new functions, new constants, new enum values
 *   or new names accepted. A program built for N.M runs on N.M' for every M' >= M.
 * - PATCH changes for fixes that keep the documented behaviour: a program sees no difference except that a
 *   bug is gone.
 * Compare anneal_version_number() / 10000 with ANNEAL_VERSION_MAJOR at start-up to detect a mismatch.
 * 2.0.0 gave anneal_model_add_dense, anneal_model_compile and anneal_model_fit their option structs in place
 * of positional arguments (1.x's anneal_model_add_dense_ex, anneal_model_compile_ex and
 * anneal_model_compile_optimizer are gone: use the plain names). 2.1.0 added anneal_session_fit_events (batch
 * and poll events for the epoch callback).
 */
#define ANNEAL_VERSION_MAJOR 2
#define ANNEAL_VERSION_MINOR 1
#define ANNEAL_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH. */
#define ANNEAL_VERSION_NUMBER 20100
#define ANNEAL_VERSION_STRING "2.1.0"

/**
 * The version of the library actually loaded, as ANNEAL_VERSION_NUMBER computes it. Compare it with the
 * macro to detect a header / library mismatch: a different major version is incompatible.
 * Never fails. Thread-safe.
 */
int32_t anneal_version_number(void);

/**
 * The version of the library actually loaded, "MAJOR.MINOR.PATCH". Static storage owned by the library,
 * valid for the life of the process; never NULL. Thread-safe.
 */
const char *anneal_version_string(void);

/* ======================================================================================================
 * Status codes and errors
 * ====================================================================================================== */

#define ANNEAL_OK                   0  /**< Success. */
#define ANNEAL_E_INVALID_ARGUMENT   1  /**< An argument is out of range or unknown (negative rate, bad enum, name). */
#define ANNEAL_E_NULL_POINTER       2  /**< A required pointer argument is NULL. */
#define ANNEAL_E_INVALID_HANDLE     3  /**< A handle is NULL, freed, never created, or of another kind. */
#define ANNEAL_E_SHAPE_MISMATCH     4  /**< Sizes that must agree do not (features, rows, weight shapes). */
#define ANNEAL_E_INVALID_STATE      5  /**< A call made in the wrong order (fit before compile, ...). */
#define ANNEAL_E_NON_FINITE         6  /**< NaN or infinity where a finite number is required. */
#define ANNEAL_E_IO                 7  /**< A file could not be opened, read, written or renamed. */
#define ANNEAL_E_PARSE              8  /**< A CSV file is malformed (the message names file:line:column). */
#define ANNEAL_E_CORRUPT_FILE       9  /**< A weights file is truncated, corrupted or of another version. */
#define ANNEAL_E_BUFFER_TOO_SMALL  10  /**< An output buffer's capacity is below what the result needs. */
#define ANNEAL_E_BUSY              11  /**< The model or session is in use by a call on another thread. */
#define ANNEAL_E_OUT_OF_MEMORY     12  /**< An allocation was refused or its size overflows (the message names it). */
#define ANNEAL_E_CALLBACK          13  /**< An epoch callback returned a negative value: training aborted. */
#define ANNEAL_E_INTERNAL          14  /**< A bug in Anneal; the message says what. Please report it. */

/**
 * A short static description of a status code ("invalid argument", ...), or "unknown status" for a number
 * that is not one of the above. Static storage, valid for the life of the process; never NULL.
 * Does not reset the last error. Thread-safe.
 */
const char *anneal_status_string(int32_t status);

/**
 * The message of the last failed call on this thread, or "" when the last call succeeded (see
 * CONVENTIONS). Never NULL. The text is owned by the library and stays valid until the next call on this
 * thread of any function other than anneal_version_number, anneal_version_string, anneal_status_string and
 * anneal_last_error; copy it to keep it. Per-thread, so thread-safe.
 */
const char *anneal_last_error(void);

/* ======================================================================================================
 * Enumerations (int32_t values, pinned)
 *
 * Each ANNEAL_ACTIVATION_*, ANNEAL_INITIALIZER_* and ANNEAL_LOSS_* constant is named after its Keras name in
 * upper case (ANNEAL_LOSS_KL_DIVERGENCE is "kl_divergence"), and the anneal_*_from_name functions below take
 * that name back to the constant's value, so bindings can derive a code's name from the constant's.
 * ====================================================================================================== */

/* Activations of a dense layer. */
#define ANNEAL_ACTIVATION_LINEAR  0
#define ANNEAL_ACTIVATION_RELU    1
#define ANNEAL_ACTIVATION_SIGMOID 2
#define ANNEAL_ACTIVATION_TANH    3
#define ANNEAL_ACTIVATION_SOFTMAX 4
#define ANNEAL_ACTIVATION_ELU          5  /**< z > 0 ? z : exp(z) - 1 (alpha 1). */
#define ANNEAL_ACTIVATION_SELU         6  /**< 1.0507 * (z > 0 ? z : 1.6733 * (exp(z) - 1)). */
#define ANNEAL_ACTIVATION_SOFTPLUS     7  /**< log(1 + exp(z)). */
#define ANNEAL_ACTIVATION_SOFTSIGN     8  /**< z / (1 + |z|). */
#define ANNEAL_ACTIVATION_SWISH        9  /**< z * sigmoid(z) ('swish', 'silu'). */
#define ANNEAL_ACTIVATION_GELU        10  /**< 0.5 z (1 + erf(z / sqrt 2)), the exact form (approximate=False). */
#define ANNEAL_ACTIVATION_HARD_SIGMOID 11 /**< clip(0.2 z + 0.5, 0, 1), tf_keras 2's definition. */
#define ANNEAL_ACTIVATION_EXPONENTIAL 12  /**< exp(z). */
#define ANNEAL_ACTIVATION_LEAKY_RELU  13  /**< z > 0 ? z : alpha z; alpha 0.2 ('leaky_relu') unless set by
                                               anneal_model_set_activation. */
#define ANNEAL_ACTIVATION_GELU_APPROXIMATE 14 /**< 0.5 z (1 + tanh(sqrt(2 / pi) (z + 0.044715 z^3))): Keras's
                                                gelu(x, approximate=True), which has no Keras name of its own. */

/* Weight initializers, with Keras's definitions and default parameters. */
#define ANNEAL_INITIALIZER_GLOROT_UNIFORM    0  /**< U(-L, L), L = sqrt(6 / (fan_in + fan_out)); Keras's default kernel. */
#define ANNEAL_INITIALIZER_ZEROS             1  /**< 0; Keras's default bias. */
#define ANNEAL_INITIALIZER_ONES              2
#define ANNEAL_INITIALIZER_NORMAL            3  /**< N(0, 0.05), not truncated ('normal', 'random_normal'). */
#define ANNEAL_INITIALIZER_UNIFORM           4  /**< U(-0.05, 0.05). */
#define ANNEAL_INITIALIZER_TRUNCATED_NORMAL  5  /**< N(0, 0.05) redrawn beyond 2 stddev. */
#define ANNEAL_INITIALIZER_GLOROT_NORMAL     6
#define ANNEAL_INITIALIZER_HE_NORMAL         7
#define ANNEAL_INITIALIZER_HE_UNIFORM        8
#define ANNEAL_INITIALIZER_LECUN_NORMAL      9
#define ANNEAL_INITIALIZER_LECUN_UNIFORM    10

/* Losses. */
#define ANNEAL_LOSS_BINARY_CROSSENTROPY             0  /**< labels: 1 column per output, 0 or 1. */
#define ANNEAL_LOSS_CATEGORICAL_CROSSENTROPY        1  /**< labels: one-hot, 1 column per output. */
#define ANNEAL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY 2  /**< labels: 1 column, the class index. */
#define ANNEAL_LOSS_MEAN_SQUARED_ERROR              3  /**< labels: 1 column per output. */
/* The losses below take 1 label column per output; each is the mean over a sample's outputs (a sum where
 * noted), then over the batch, with Keras's epsilon 1e-7 where Keras clips. */
#define ANNEAL_LOSS_MEAN_ABSOLUTE_ERROR             4  /**< mean(|p - y|) ('mae'). */
#define ANNEAL_LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR  5  /**< 100 mean(|y - p| / max(|y|, 1e-7)) ('mape'). */
#define ANNEAL_LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR  6  /**< mean((log(max(p, 1e-7) + 1) - log(max(y, 1e-7) + 1))^2) ('msle'). */
#define ANNEAL_LOSS_HUBER                           7  /**< quadratic within delta (1 unless set), linear beyond. */
#define ANNEAL_LOSS_LOG_COSH                        8  /**< mean(log(cosh(p - y))) ('logcosh'). */
#define ANNEAL_LOSS_HINGE                           9  /**< mean(max(1 - y p, 0)); 0/1 labels become -1/1. */
#define ANNEAL_LOSS_SQUARED_HINGE                  10  /**< mean(max(1 - y p, 0)^2); 0/1 labels become -1/1. */
#define ANNEAL_LOSS_CATEGORICAL_HINGE              11  /**< max(max((1 - y) p) - sum(y p) + 1, 0). */
#define ANNEAL_LOSS_KL_DIVERGENCE                  12  /**< sum(y log(y / p)), both clipped to [1e-7, 1] ('kld'). */
#define ANNEAL_LOSS_POISSON                        13  /**< mean(p - y log(p + 1e-7)). */
#define ANNEAL_LOSS_COSINE_SIMILARITY              14  /**< -sum(y / |y| * p / |p|). */

/* The curve of an AUC metric. */
#define ANNEAL_CURVE_ROC 0  /**< Receiver operating characteristic (the default). */
#define ANNEAL_CURVE_PR  1  /**< Precision-recall, interpolated as Keras does. */

/* How an AUC metric sums the area between thresholds (Keras's summation_method). */
#define ANNEAL_SUMMATION_INTERPOLATION 0  /**< Mid-point heights; PR interpolated as Keras does (the default). */
#define ANNEAL_SUMMATION_MINORING      1  /**< The lower of each interval's two heights. */
#define ANNEAL_SUMMATION_MAJORING      2  /**< The higher of each interval's two heights. */

/* Header handling of anneal_dataset_load_csv (the rule of AUTO is given there). */
#define ANNEAL_CSV_HEADER_AUTO    0  /**< Detected from the first two rows; a first row mixing numbers and text is an error. */
#define ANNEAL_CSV_HEADER_PRESENT 1  /**< The first non-blank row is a header. */
#define ANNEAL_CSV_HEADER_ABSENT  2  /**< Every row is data. */

/* What a schedule's step counts. */
#define ANNEAL_UNIT_DEFAULT 0  /**< Constructors only: the schedule's usual unit (given in its comment). */
#define ANNEAL_UNIT_EPOCH   1  /**< The 0-based epoch index: evaluated at the start of every epoch. */
#define ANNEAL_UNIT_UPDATE  2  /**< The optimizer's iterations (updates done): evaluated before every batch. */

/* Events delivered to an anneal_epoch_callback; the last three only by anneal_session_fit_events, to a
 * callback that asks for them. */
#define ANNEAL_EVENT_EPOCH_BEGIN 0  /**< Before the epoch's first batch; no values (count 0). */
#define ANNEAL_EVENT_EPOCH_END   1  /**< After validation, with the epoch's logs. */
#define ANNEAL_EVENT_BATCH_BEGIN 2  /**< Before a batch; `epoch` is the batch's index in the epoch; count 0. */
#define ANNEAL_EVENT_BATCH_END   3  /**< After a batch's update; `epoch` is its index; the running logs. */
#define ANNEAL_EVENT_POLL        4  /**< Between epochs, at most every poll_seconds; `epoch` just ended; count 0. */

/* anneal_session_fit_events' `events`: which events its callback receives, OR-ed together. */
#define ANNEAL_EVENTS_EPOCH 1  /**< ANNEAL_EVENT_EPOCH_BEGIN and ANNEAL_EVENT_EPOCH_END. */
#define ANNEAL_EVENTS_BATCH 2  /**< ANNEAL_EVENT_BATCH_BEGIN and ANNEAL_EVENT_BATCH_END. */
#define ANNEAL_EVENTS_POLL  4  /**< ANNEAL_EVENT_POLL. */

/* Keras's `mode` for the callbacks that watch a monitored value (anneal_callback_early_stopping, ...). */
#define ANNEAL_MODE_AUTO 0  /**< max or min from the monitored name, as each Keras callback decides (given there). */
#define ANNEAL_MODE_MIN  1  /**< lower is better. */
#define ANNEAL_MODE_MAX  2  /**< higher is better. */

/* OneCycle annealing strategy; CyclicLR mode. */
#define ANNEAL_ANNEAL_COSINE 0
#define ANNEAL_ANNEAL_LINEAR 1
#define ANNEAL_CYCLIC_TRIANGULAR  0
#define ANNEAL_CYCLIC_TRIANGULAR2 1
#define ANNEAL_CYCLIC_EXP_RANGE   2

/**
 * Looks up an activation, initializer or loss by its Keras name and writes its ANNEAL_* code.
 * Activations: "linear" (also "" and "None"), "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus",
 *   "softsign", "swish" / "silu", "gelu", "hard_sigmoid", "exponential", "leaky_relu" (any case).
 * Initializers: "glorot_uniform", "zeros", "ones", "normal" / "random_normal", "uniform" / "random_uniform",
 *   "truncated_normal", "glorot_normal", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", also in
 *   class-name form ("GlorotUniform", "RandomNormal").
 * Losses: "binary_crossentropy" / "bce", "categorical_crossentropy" / "cce", "sparse_categorical_crossentropy",
 *   "mean_squared_error" / "mse", "mean_absolute_error" / "mae", "mean_absolute_percentage_error" / "mape",
 *   "mean_squared_logarithmic_error" / "msle", "huber" / "huber_loss", "log_cosh" / "logcosh", "hinge",
 *   "squared_hinge", "categorical_hinge", "kl_divergence" / "kld" / "kullback_leibler_divergence", "poisson",
 *   "cosine_similarity", also in class-name form ("MeanAbsoluteError", "Huber").
 * Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (name or out_code NULL); ANNEAL_E_INVALID_ARGUMENT (unknown name,
 * invalid UTF-8). Thread-safe.
 */
int32_t anneal_activation_from_name(const char *name, int32_t *out_code);
int32_t anneal_initializer_from_name(const char *name, int32_t *out_code);
int32_t anneal_loss_from_name(const char *name, int32_t *out_code);

/* ======================================================================================================
 * Dataset: a table loaded from CSV (immutable; thread-safe)
 * ====================================================================================================== */

typedef struct anneal_dataset anneal_dataset;

/**
 * Loads a CSV file: one example per line, feature cells and one label cell. Features are read like Python's
 * float() then cast to float32 (plain decimals only: "1", "-0.5", ".5", "2e-3"; not "nan", "inf", hexadecimal
 * or "1_000"). Labels that are all numbers are kept as numbers (class count 0); otherwise they are class
 * names, encoded like scikit-learn's LabelEncoder (names sorted by their UTF-8 bytes, label = index).
 *
 * The format (RFC 4180 with allowances): UTF-8, a leading byte order mark (EF BB BF) skipped; cells
 * separated by commas; lines ending with LF, CRLF or CR, the last one optionally; blank lines skipped (they
 * still count in line numbers); spaces and tabs around a cell ignored; a cell may be quoted with double quotes,
 * inside which commas, line breaks and "" (one quote) are text, and a quoted number is a number. Every row
 * has as many cells as the first.
 *
 * Header, with ANNEAL_CSV_HEADER_AUTO: the first non-blank row is a header when none of its feature cells
 * (all cells but the label's) is a number and every feature cell of the second row is one; it is data when
 * all its feature cells are numbers. A first row that mixes numbers and text in its feature cells is refused
 * with ANNEAL_E_PARSE at its first text cell, because it is most often a data row with a typo ("2.O"), which
 * taken for a header would silently lose a row and misname the columns; pass ANNEAL_CSV_HEADER_PRESENT or
 * _ABSENT to load such a file as you mean it. The label cell plays no part in the decision.
 *
 * path          file to read (borrowed).
 * label_column  0-based column of the label; negative counts from the end (-1 = last column).
 * header_mode   ANNEAL_CSV_HEADER_AUTO, _PRESENT or _ABSENT.
 * out_dataset   receives the new dataset (free with anneal_dataset_free), or NULL on failure.
 *
 * Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (path or out_dataset NULL); ANNEAL_E_INVALID_ARGUMENT (bad
 * header_mode or label_column, invalid UTF-8 path); ANNEAL_E_IO (cannot read the file); ANNEAL_E_PARSE
 * (malformed, or a first row mixing numbers and text under ANNEAL_CSV_HEADER_AUTO: the message is
 * "path:line:column: what"); ANNEAL_E_NON_FINITE (nan, inf or beyond float32); ANNEAL_E_OUT_OF_MEMORY (the
 * file or its numbers do not fit in memory).
 */
int32_t anneal_dataset_load_csv(const char *path, int32_t label_column, int32_t header_mode,
                                anneal_dataset **out_dataset);

/**
 * Makes a dataset from arrays in memory (copied): rows x features_per_row features (row-major) and rows
 * labels. Class count is 0 (labels are numbers).
 * Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (features, labels or out_dataset NULL);
 * ANNEAL_E_INVALID_ARGUMENT (rows < 1, features_per_row < 1, rows * features_per_row overflows);
 * ANNEAL_E_NON_FINITE; ANNEAL_E_OUT_OF_MEMORY. On failure *out_dataset = NULL.
 */
int32_t anneal_dataset_create(const float *features, const float *labels, int64_t rows, int32_t features_per_row,
                              anneal_dataset **out_dataset);

/** Releases a dataset. NULL, or a handle already freed, does nothing. */
void anneal_dataset_free(anneal_dataset *dataset);

/**
 * Shape queries: number of rows (examples), features per row, and class names (0 when labels are numbers).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_NULL_POINTER (out NULL).
 */
int32_t anneal_dataset_rows(const anneal_dataset *dataset, int64_t *out_rows);
int32_t anneal_dataset_features(const anneal_dataset *dataset, int32_t *out_features);
int32_t anneal_dataset_class_count(const anneal_dataset *dataset, int32_t *out_count);

/**
 * Class name `index` (0 <= index < class count; the label value that stands for it is `index`), as a
 * copy-out string (see CONVENTIONS).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_INVALID_ARGUMENT (index out of range);
 * ANNEAL_E_NULL_POINTER (buffer NULL with capacity > 0); ANNEAL_E_BUFFER_TOO_SMALL.
 */
int32_t anneal_dataset_class_name(const anneal_dataset *dataset, int32_t index, char *buffer, int64_t capacity,
                                  int64_t *out_length);

/**
 * Feature column name `index` from the file's header row, as a copy-out string. A dataset without a header
 * has no names: ANNEAL_E_INVALID_STATE. Other statuses as anneal_dataset_class_name.
 */
int32_t anneal_dataset_feature_name(const anneal_dataset *dataset, int32_t index, char *buffer, int64_t capacity,
                                    int64_t *out_length);

/**
 * Copies the features (rows * features floats, row-major) or the labels (rows floats: class indices, or the
 * numbers of a numeric label column) into buffer; capacity is in floats.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_NULL_POINTER (buffer NULL);
 * ANNEAL_E_BUFFER_TOO_SMALL (capacity below the count; nothing written).
 */
int32_t anneal_dataset_copy_features(const anneal_dataset *dataset, float *buffer, int64_t capacity);
int32_t anneal_dataset_copy_labels(const anneal_dataset *dataset, float *buffer, int64_t capacity);

/* ======================================================================================================
 * Schedules: learning rate as a function of a step (immutable; thread-safe)
 *
 * Each constructor checks its arguments as the Keras or PyTorch original does (ANNEAL_E_INVALID_ARGUMENT with
 * the argument named), takes `unit` (ANNEAL_UNIT_DEFAULT, _EPOCH or _UPDATE; anything else is
 * ANNEAL_E_INVALID_ARGUMENT), writes the new schedule to *out_schedule (NULL on failure; ANNEAL_E_NULL_POINTER
 * when out_schedule is NULL). Free with anneal_schedule_free. Rates are computed in double; an optimizer
 * stores them as float32. An epoch schedule drives anneal_model_fit / anneal_session_fit; an update schedule
 * drives anneal_sgd_create_scheduled.
 * ====================================================================================================== */

typedef struct anneal_schedule anneal_schedule;

/** The tutorial's step decay, default unit epoch: initial_rate * drop ^ floor((1 + epoch) / epochs_drop).
 *  With (0.1, 0.5, 10) it is the tutorial's step_decay. */
int32_t anneal_schedule_step_decay(double initial_rate, double drop, double epochs_drop, int32_t unit,
                                   anneal_schedule **out_schedule);
/** Keras's legacy time-based decay, default unit update: initial_rate / (1 + decay * step). */
int32_t anneal_schedule_time_decay(double initial_rate, double decay, int32_t unit, anneal_schedule **out_schedule);
/** The tutorial's compounding table (not what Keras computes), default unit epoch:
 *  rate(0) = initial_rate, rate(k) = rate(k - 1) / (1 + decay * k). Its cost grows linearly with the step. */
int32_t anneal_schedule_tutorial_compounding_decay(double initial_rate, double decay, int32_t unit,
                                                   anneal_schedule **out_schedule);
/** The same rate at every step, default unit update. */
int32_t anneal_schedule_constant(double rate, int32_t unit, anneal_schedule **out_schedule);
/** Keras ExponentialDecay, default unit update: initial_rate * decay_rate ^ (step / decay_steps), the exponent
 *  floored when staircase. */
int32_t anneal_schedule_exponential_decay(double initial_rate, int64_t decay_steps, double decay_rate, bool staircase,
                                          int32_t unit, anneal_schedule **out_schedule);
/** Keras InverseTimeDecay, default unit update: initial_rate / (1 + decay_rate * step / decay_steps). */
int32_t anneal_schedule_inverse_time_decay(double initial_rate, int64_t decay_steps, double decay_rate, bool staircase,
                                           int32_t unit, anneal_schedule **out_schedule);
/** Keras PiecewiseConstantDecay, default unit update: values[0] while step <= boundaries[0], values[i] while
 *  boundaries[i-1] < step <= boundaries[i], the last value after. value_count must be boundary_count + 1;
 *  both arrays are copied. boundaries may be NULL when boundary_count is 0. */
int32_t anneal_schedule_piecewise_constant_decay(const int64_t *boundaries, int32_t boundary_count,
                                                 const double *values, int32_t value_count, int32_t unit,
                                                 anneal_schedule **out_schedule);
/** Keras PolynomialDecay, default unit update: (initial_rate - end_rate) * (1 - min(step, D) / D) ^ power + end_rate. */
int32_t anneal_schedule_polynomial_decay(double initial_rate, int64_t decay_steps, double end_rate, double power,
                                         bool cycle, int32_t unit, anneal_schedule **out_schedule);
/** Keras CosineDecay, default unit update, with optional linear warmup to warmup_target over warmup_steps
 *  (has_warmup_target false: no warmup target, warmup_target ignored). */
int32_t anneal_schedule_cosine_decay(double initial_rate, int64_t decay_steps, double alpha, bool has_warmup_target,
                                     double warmup_target, int64_t warmup_steps, int32_t unit,
                                     anneal_schedule **out_schedule);
/** Keras CosineDecayRestarts, default unit update (Keras defaults: t_mul 2, m_mul 1, alpha 0). */
int32_t anneal_schedule_cosine_decay_restarts(double initial_rate, int64_t first_decay_steps, double t_mul,
                                              double m_mul, double alpha, int32_t unit,
                                              anneal_schedule **out_schedule);
/** PyTorch StepLR, default unit epoch: initial_rate * gamma ^ floor(epoch / step_size) (drops one epoch later
 *  than the tutorial's step decay). */
int32_t anneal_schedule_step_lr(double initial_rate, int64_t step_size, double gamma, int32_t unit,
                                anneal_schedule **out_schedule);
/** PyTorch MultiStepLR, default unit epoch: initial_rate * gamma ^ (number of milestones <= step). milestones:
 *  milestone_count steps (>= 0), copied; may be NULL when milestone_count is 0. They must be sorted
 *  (non-decreasing; a milestone given twice drops the rate twice, as in PyTorch): a list out of order, such as
 *  {30, 10}, is ANNEAL_E_INVALID_ARGUMENT naming the first pair out of order. (PyTorch's documentation asks
 *  for an increasing list, and its versions up to 1.3 raised ValueError otherwise; later ones sort it
 *  silently. The Python package sorts the list it is given, as PyTorch now does.) */
int32_t anneal_schedule_multi_step_lr(double initial_rate, const int64_t *milestones, int32_t milestone_count,
                                      double gamma, int32_t unit, anneal_schedule **out_schedule);
/** PyTorch ExponentialLR, default unit epoch: initial_rate * gamma ^ epoch. */
int32_t anneal_schedule_exponential_lr(double initial_rate, double gamma, int32_t unit, anneal_schedule **out_schedule);
/** PyTorch CosineAnnealingLR, default unit epoch. */
int32_t anneal_schedule_cosine_annealing_lr(double initial_rate, int64_t t_max, double eta_min, int32_t unit,
                                            anneal_schedule **out_schedule);
/** PyTorch CosineAnnealingWarmRestarts, default unit epoch. */
int32_t anneal_schedule_cosine_annealing_warm_restarts(double initial_rate, int64_t t_0, int64_t t_mult, double eta_min,
                                                       int32_t unit, anneal_schedule **out_schedule);
/** PyTorch OneCycleLR, default unit update. anneal_strategy: ANNEAL_ANNEAL_COSINE or ANNEAL_ANNEAL_LINEAR
 *  (PyTorch defaults: pct_start 0.3, cosine, div_factor 25, final_div_factor 1e4, three_phase false). */
int32_t anneal_schedule_one_cycle_lr(double max_rate, int64_t total_steps, double pct_start, int32_t anneal_strategy,
                                     double div_factor, double final_div_factor, bool three_phase, int32_t unit,
                                     anneal_schedule **out_schedule);
/** PyTorch CyclicLR, default unit update. step_size_down 0 means equal to step_size_up; mode is
 *  ANNEAL_CYCLIC_TRIANGULAR, _TRIANGULAR2 or _EXP_RANGE (PyTorch defaults: step_size_up 2000, gamma 1). */
int32_t anneal_schedule_cyclic_lr(double base_rate, double max_rate, int64_t step_size_up, int64_t step_size_down,
                                  int32_t mode, double gamma, int32_t unit, anneal_schedule **out_schedule);
/** PyTorch LinearLR (warmup), default unit epoch (PyTorch defaults: 1/3, 1, 5). */
int32_t anneal_schedule_linear_lr(double initial_rate, double start_factor, double end_factor, int64_t total_iters,
                                  int32_t unit, anneal_schedule **out_schedule);
/**
 * PyTorch SequentialLR: schedules[i + 1] takes over at milestones[i] and starts from its own step 0.
 * schedules: count handles (count >= 1, all of the same unit; the array and the handles are only read during
 * the call: they may be freed afterwards). milestones: count - 1 positive, strictly increasing steps (may be
 * NULL when count is 1). The result has the schedules' unit (`unit` is not taken).
 * Returns also ANNEAL_E_INVALID_HANDLE (an element is not a live schedule).
 */
int32_t anneal_schedule_sequential(const anneal_schedule *const *schedules, int32_t count, const int64_t *milestones,
                                   int32_t milestone_count, anneal_schedule **out_schedule);

/** Releases a schedule. NULL, or a handle already freed, does nothing. */
void anneal_schedule_free(anneal_schedule *schedule);

/**
 * The rate at `step` (0 <= step <= INT32_MAX).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_NULL_POINTER (out_rate NULL);
 * ANNEAL_E_INVALID_ARGUMENT (step out of range).
 */
int32_t anneal_schedule_rate(const anneal_schedule *schedule, int64_t step, double *out_rate);

/** What the schedule's step counts: ANNEAL_UNIT_EPOCH or ANNEAL_UNIT_UPDATE.
 *  Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_NULL_POINTER. */
int32_t anneal_schedule_unit(const anneal_schedule *schedule, int32_t *out_unit);

/* ======================================================================================================
 * SGD: the optimizer's settings (immutable; thread-safe)
 *
 * Keras 2's (legacy) SGD. Before each update lr_t = base / (1 + decay * iterations) in float32, then
 *   momentum 0:  w -= lr_t * g
 *   momentum m:  v = m * v - lr_t * g;  w += v
 *   nesterov:    v = m * v - lr_t * g;  w += m * v - lr_t * g
 * An anneal_sgd only describes these settings: anneal_model_compile (anneal_compile_options's sgd) gives the
 * model its own optimizer built from them (iterations 0, zero velocities), so one anneal_sgd may compile
 * several models and may be freed right after compiling.
 * ====================================================================================================== */

typedef struct anneal_sgd anneal_sgd;

/**
 * learning_rate >= 0 and finite; 0 <= momentum <= 1; decay >= 0 and finite (Keras's time-based decay, not
 * weight decay). Keras's defaults: 0.01, 0, 0, false.
 * Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (out_sgd NULL); ANNEAL_E_INVALID_ARGUMENT (the message is
 * Keras's, e.g. "momentum must be between [0, 1]. Received: momentum=1.5 ..."). *out_sgd = NULL on failure.
 */
int32_t anneal_sgd_create(double learning_rate, double momentum, double decay, bool nesterov, anneal_sgd **out_sgd);

/**
 * An SGD whose base rate follows `schedule` (which must have ANNEAL_UNIT_UPDATE), asked for `iterations`
 * before every update: Keras's SGD(learning_rate=ExponentialDecay(...)). The schedule is copied: it may be
 * freed after this call. Setting the model's learning rate later replaces the schedule with a fixed rate.
 * Returns as anneal_sgd_create; also ANNEAL_E_INVALID_HANDLE (schedule) and ANNEAL_E_INVALID_ARGUMENT
 * (an epoch schedule).
 */
int32_t anneal_sgd_create_scheduled(const anneal_schedule *schedule, double momentum, double decay, bool nesterov,
                                    anneal_sgd **out_sgd);

/** Releases an SGD description. NULL, or a handle already freed, does nothing. */
void anneal_sgd_free(anneal_sgd *sgd);

/* ======================================================================================================
 * Optimizers: Keras 2's other (legacy) optimizers' settings (immutable; thread-safe)
 *
 * Every one shares SGD's rate: before each update lr_t = base / (1 + decay * iterations) in float32, base
 * being learning_rate or, when `schedule` is not NULL, the schedule's value at `iterations` (the schedule
 * must have ANNEAL_UNIT_UPDATE; it is copied and may be freed after the call; learning_rate is then ignored).
 * With t = iterations + 1 and every state starting at 0 (Adagrad's accumulator at
 * initial_accumulator_value), each parameter w with gradient g moves by, in float32 and in this order:
 *   Adam:      alpha = lr_t * sqrt(1 - beta_2^t) / (1 - beta_1^t);  m += (g - m) * (1 - beta_1);
 *              v += (g^2 - v) * (1 - beta_2);  w -= m * alpha / (sqrt(v) + epsilon)
 *              (amsgrad: vhat = max(vhat, v) replaces v in the denominator)
 *   RMSprop:   momentum 0: ms = rho * ms + (1 - rho) * g^2;  w -= lr_t * g / (sqrt(ms) + epsilon)
 *              momentum > 0: ms += (g^2 - ms) * (1 - rho);  mom = momentum * mom + lr_t * g / sqrt(ms + epsilon);
 *              w -= mom  (centered: mg = rho * mg + (1 - rho) * g, and ms - mg^2 replaces ms)
 *   Adagrad:   acc += g^2;  w -= g * lr_t / (sqrt(acc) + epsilon)
 *   Adadelta:  acc = rho * acc + (1 - rho) * g^2;  u = sqrt(acc_u + epsilon) / sqrt(acc + epsilon) * g;
 *              w -= lr_t * u;  acc_u = rho * acc_u + (1 - rho) * u^2
 *   Adamax:    m += (g - m) * (1 - beta_1);  v = max(beta_2 * v, |g|);  w -= lr_t / (1 - beta_1^t) * m / (v + epsilon)
 *   Nadam:     Adam with Nesterov momentum and Dozat's momentum schedule
 *              mu_t = beta_1 * (1 - 0.5 * 0.96^(schedule_decay * t)), whose running product is kept as state;
 *              its rate is never decayed and never scheduled (Keras's legacy Nadam).
 * An anneal_optimizer only describes these settings: anneal_model_compile gives the model its own
 * optimizer built from them (iterations 0, zero state), so one handle may compile several models.
 * Keras's defaults: Adam(0.001, 0.9, 0.999, 1e-7, false, 0); RMSprop(0.001, 0.9, 0, 1e-7, false, 0);
 * Adagrad(0.001, 0.1, 1e-7, 0); Adadelta(0.001, 0.95, 1e-7, 0); Adamax(0.001, 0.9, 0.999, 1e-7, 0);
 * Nadam(0.001, 0.9, 0.999, 1e-7, 0.004). epsilon 0 means 1e-7 (Keras's `epsilon or backend.epsilon()`).
 *
 * Each constructor returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (out_optimizer NULL); ANNEAL_E_INVALID_HANDLE
 * (schedule); ANNEAL_E_INVALID_ARGUMENT (a non-finite number; learning_rate, decay, epsilon,
 * initial_accumulator_value or schedule_decay negative; beta_1, beta_2 outside [0, 1) (Adamax's beta_2
 * [0, 1]); rho, momentum outside [0, 1]; an epoch schedule; the message names the argument and the value).
 * *out_optimizer = NULL on failure.
 * ====================================================================================================== */

typedef struct anneal_optimizer anneal_optimizer;

int32_t anneal_optimizer_adam(double learning_rate, double beta_1, double beta_2, double epsilon, bool amsgrad,
                              double decay, const anneal_schedule *schedule, anneal_optimizer **out_optimizer);
int32_t anneal_optimizer_rmsprop(double learning_rate, double rho, double momentum, double epsilon, bool centered,
                                 double decay, const anneal_schedule *schedule, anneal_optimizer **out_optimizer);
int32_t anneal_optimizer_adagrad(double learning_rate, double initial_accumulator_value, double epsilon,
                                 double decay, const anneal_schedule *schedule, anneal_optimizer **out_optimizer);
int32_t anneal_optimizer_adadelta(double learning_rate, double rho, double epsilon, double decay,
                                  const anneal_schedule *schedule, anneal_optimizer **out_optimizer);
int32_t anneal_optimizer_adamax(double learning_rate, double beta_1, double beta_2, double epsilon, double decay,
                                const anneal_schedule *schedule, anneal_optimizer **out_optimizer);
int32_t anneal_optimizer_nadam(double learning_rate, double beta_1, double beta_2, double epsilon,
                               double schedule_decay, anneal_optimizer **out_optimizer);

/** Releases an optimizer description. NULL, or a handle already freed, does nothing. */
void anneal_optimizer_free(anneal_optimizer *optimizer);

/* ======================================================================================================
 * Model: a Sequential stack of dense layers (one call at a time; see CONVENTIONS, Threads)
 * ====================================================================================================== */

typedef struct anneal_model anneal_model;

/**
 * An empty model whose random choices (initial weights, and shuffling when a fit or session is given no
 * seed) all come from `seed`: the same seed and calls give the same run, bit for bit. Models made here never
 * print.
 * Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (out_model NULL).
 */
int32_t anneal_model_create(uint64_t seed, anneal_model **out_model);

/** Releases a model. NULL, or a handle already freed, does nothing. Sessions made from it stay usable. */
void anneal_model_free(anneal_model *model);

/** The settings of one dense layer (anneal_model_add_dense): Keras's Dense arguments after units. */
typedef struct anneal_dense_options {
    int64_t struct_size;          /**< sizeof(anneal_dense_options). */
    int32_t activation;           /**< ANNEAL_ACTIVATION_*; default LINEAR. */
    int32_t kernel_initializer;   /**< ANNEAL_INITIALIZER_*; default GLOROT_UNIFORM. */
    int32_t bias_initializer;     /**< ANNEAL_INITIALIZER_*; default ZEROS. */
    bool use_bias;                /**< default true. */
    int32_t input_dim;            /**< > 0 on a first layer (unless anneal_model_build follows); default 0. */
} anneal_dense_options;

#define ANNEAL_DENSE_OPTIONS_INIT                                                                              \
    { (int64_t)sizeof(anneal_dense_options), ANNEAL_ACTIVATION_LINEAR, ANNEAL_INITIALIZER_GLOROT_UNIFORM,    \
      ANNEAL_INITIALIZER_ZEROS, true, 0 }

/**
 * Appends Dense(units, **options), Keras's Dense(units, activation, kernel_initializer, bias_initializer,
 * use_bias, input_dim). options NULL means ANNEAL_DENSE_OPTIONS_INIT (a linear layer whose input width comes
 * from the previous layer). options->input_dim is required (> 0) on the first layer unless
 * anneal_model_build is called later, and 0 ("not given") or the previous layer's units on the others. The
 * layer's weights are drawn now when the input width is known.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (an unknown
 * options->struct_size, checked before any other field is read; units < 1, input_dim < 0, unknown enum
 * value); ANNEAL_E_SHAPE_MISMATCH (input_dim differs from the previous layer's units);
 * ANNEAL_E_INVALID_STATE (model already compiled; inside a callback); ANNEAL_E_OUT_OF_MEMORY (the layer's
 * weights, drawn now, do not fit: the layer is not added).
 */
int32_t anneal_model_add_dense(anneal_model *model, int32_t units, const anneal_dense_options *options);

/**
 * Appends Dropout(rate, seed): while training (fits, sessions), each value of the previous layer's output
 * (of the inputs, when first) is kept with probability 1 - rate and scaled by 1 / (1 - rate), else set to 0;
 * evaluate, predict and validation pass values through unchanged. rate: in [0, 1); 0 is the identity.
 * seed: seeds the layer's masks; NULL derives it from the model's seed and the layer's place among the
 * model's Dropout layers. The same seeds give the same masks, bit for bit, on every thread count and kernel
 * level; they come from Anneal's own generator, not TensorFlow's, so they differ from Keras's masks. A model
 * may end with a Dropout for predict only: compiling it fails. Its mask, batch_size rows of its input, is
 * made with the other batch buffers by anneal_model_fit and anneal_session_create (ANNEAL_E_OUT_OF_MEMORY
 * there), not here.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (rate outside [0, 1)
 * or NaN); ANNEAL_E_INVALID_STATE (model already compiled; inside a callback).
 */
int32_t anneal_model_add_dropout(anneal_model *model, double rate, const uint64_t *seed);

/**
 * Creates the weights of layers that have none yet for inputs of width input_dim (> 0). Fit, evaluate and
 * predict build the model themselves from their data's width.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (input_dim < 1);
 * ANNEAL_E_INVALID_STATE (no layers; inside a callback); ANNEAL_E_SHAPE_MISMATCH (built for another width);
 * ANNEAL_E_OUT_OF_MEMORY (the weights do not fit; the model stays unbuilt).
 */
int32_t anneal_model_build(anneal_model *model, int32_t input_dim);

/**
 * The loss, metrics and optimizer of anneal_model_compile: Keras's compile(optimizer, loss, metrics).
 *
 * Metrics, logged in this order under the name given: first the metric_count ANNEAL_METRIC_* codes of
 * `metrics` (the accuracies, by code as losses are), then the metric_name_count names of `metric_names`,
 * which may name any metric: "accuracy", "acc", "binary_accuracy", "categorical_accuracy",
 * "sparse_categorical_accuracy", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
 * "root_mean_squared_error" / "rmse", "precision", "recall", "auc", "cosine_similarity", or any loss name of
 * anneal_loss_from_name, such as "mae" or "binary_crossentropy", for the loss's value; class names such as
 * "AUC" too (anneal_metric_check_name tells which names are taken). Each starts with Keras's default parameters: anneal_model_set_metric and the
 * anneal_model_set_metric_* calls change them, and anneal_model_set_metric_weighted makes one of Keras's
 * weighted_metrics. Each is accumulated over the epoch as Keras's stateful metrics are.
 *
 * Optimizer: set at most one of `optimizer` (any optimizer of the Optimizers section) and `sgd` (an SGD
 * description, e.g. with a per-update schedule from anneal_sgd_create_scheduled); with neither, SGD with the
 * inline settings learning_rate, momentum, decay and nesterov (anneal_sgd_create's ranges). A handle is only
 * read during the call: the model gets a fresh optimizer built from it. The learning-rate functions below,
 * effective_lr in the logs (when decay > 0) and the fit schedules work alike for every optimizer.
 */
typedef struct anneal_compile_options {
    int64_t struct_size;                /**< sizeof(anneal_compile_options). */
    int32_t loss;                       /**< ANNEAL_LOSS_*; default BINARY_CROSSENTROPY. */
    const int32_t *metrics;             /**< metric_count ANNEAL_METRIC_* codes (borrowed); default NULL. */
    int32_t metric_count;               /**< default 0. */
    const char *const *metric_names;    /**< metric_name_count metric names (borrowed); default NULL. */
    int32_t metric_name_count;          /**< default 0. */
    const anneal_optimizer *optimizer;  /**< any optimizer; default NULL. */
    const anneal_sgd *sgd;              /**< an SGD description; default NULL. With neither handle, SGD with: */
    double learning_rate;               /**< 0.01, */
    double momentum;                    /**< 0, */
    double decay;                       /**< 0, */
    bool nesterov;                      /**< false. Ignored when a handle is given. */
} anneal_compile_options;

#define ANNEAL_COMPILE_OPTIONS_INIT                                                                            \
    { (int64_t)sizeof(anneal_compile_options), ANNEAL_LOSS_BINARY_CROSSENTROPY, NULL, 0, NULL, 0, NULL, NULL,  \
      0.01, 0.0, 0.0, false }

/**
 * Sets the loss, the optimizer and the metrics (see anneal_compile_options). Compiling again replaces all
 * three and starts a fresh optimizer.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE (model, options->optimizer, options->sgd); ANNEAL_E_BUSY;
 * ANNEAL_E_NULL_POINTER (options NULL; metrics or metric_names NULL with a count > 0, or a metric_names
 * element NULL); ANNEAL_E_INVALID_ARGUMENT (an unknown options->struct_size, checked before any other field
 * is read; both optimizer and sgd set; an unknown loss, metric code or metric name; a count < 0; inline SGD
 * settings out of anneal_sgd_create's ranges; a metric reading other labels than the loss's, such as "mae"
 * with the sparse loss and several outputs; the last layer a Dropout); ANNEAL_E_INVALID_STATE (no layers;
 * inside a callback).
 */
int32_t anneal_model_compile(anneal_model *model, const anneal_compile_options *options);

/**
 * Replaces layer `layer`'s activation (0-based among the Dense layers, Dropout layers not counted; before
 * compile): Keras's Activation and LeakyReLU layers, folded into the Dense they follow. alpha is the
 * negative slope of ANNEAL_ACTIVATION_LEAKY_RELU (Keras's LeakyReLU layer defaults to 0.3, the "leaky_relu"
 * name to 0.2) and is ignored by the other activations. The layer's weights are kept.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (layer out of range,
 * unknown activation, alpha not finite for the leaky ReLU); ANNEAL_E_INVALID_STATE (model already compiled;
 * inside a callback); ANNEAL_E_OUT_OF_MEMORY (a built model's weights are copied into the new layer layout:
 * no room for that copy; the model stays as it was).
 */
int32_t anneal_model_set_activation(anneal_model *model, int32_t layer, int32_t activation, double alpha);

/**
 * Sets the compiled loss's parameters, as Keras's loss classes take them: from_logits (the outputs are logits;
 * the cross-entropies only), label_smoothing in [0, 1] (binary: y (1 - s) + s / 2, categorical:
 * y (1 - s) + s / outputs; binary and categorical cross-entropy only) and delta (Huber's threshold; others
 * ignore it). compile sets false, 0 and 1.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (label_smoothing
 * outside [0, 1] or given to another loss, from_logits given to a loss without it, delta not finite);
 * ANNEAL_E_INVALID_STATE (not compiled; inside a callback).
 */
int32_t anneal_model_set_loss_options(anneal_model *model, bool from_logits, double label_smoothing, double delta);

/**
 * Replaces compiled metric `index` by `metric` (a name as anneal_model_compile takes) logged as `name` (both
 * copied), with Keras's metric-class parameters: threshold (binary_accuracy, precision, recall; Keras: 0.5),
 * k (top_k_categorical_accuracy, sparse_top_k_categorical_accuracy; Keras: 5), num_thresholds (auc; Keras:
 * 200) and curve (auc: ANNEAL_CURVE_ROC or ANNEAL_CURVE_PR). Metrics ignore the parameters they do not take.
 * Logs are keyed by name: give every metric a different one.
 * Keras's Precision or Recall at a list of thresholds (thresholds=[0.3, 0.7], whose result is one value per
 * threshold) is one metric per threshold named name[0], name[1], ... in order: the logs, histories and
 * anneal_session_epoch_key hold one number per threshold under those keys (val_name[0], ... for validation),
 * and the library's callbacks present such a run of two or more keys as Keras's one array `name`: the
 * progress logger prints its mean, the CSV logger writes it in one column as "[a, b]", and early stopping,
 * reducing the rate on a plateau and a best-only checkpoint refuse to monitor it (ANNEAL_E_INVALID_ARGUMENT
 * from the fit, as Keras raises there).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (metric or name NULL);
 * ANNEAL_E_INVALID_ARGUMENT (index out of range, unknown metric, empty name, threshold not finite, k < 1,
 * num_thresholds < 2, unknown curve, a metric whose labels differ from the loss's); ANNEAL_E_INVALID_STATE
 * (not compiled; inside a callback). The metric's running state (an auc's 2 num_thresholds + 2 floats) is
 * made by fit, evaluate and anneal_session_create, which report ANNEAL_E_OUT_OF_MEMORY when it does not fit.
 */
int32_t anneal_model_set_metric(anneal_model *model, int32_t index, const char *metric, const char *name,
                                double threshold, int32_t k, int32_t num_thresholds, int32_t curve);

/**
 * Makes compiled metric `index` one of Keras's weighted_metrics (weighted true) or of its metrics (false, as
 * compile makes every metric). A weighted metric takes the sample weights the loss takes (fit's sample and
 * class weights through anneal_session_set_sample_weights, validation weights, anneal_model_evaluate_weighted):
 * a mean (the accuracies, top-k, a loss as a metric, cosine_similarity) is sum(w_i v_i) / sum(w_i) (0 when
 * the weights sum to 0), rmse is sqrt(sum(w_i (p - y)^2) / (outputs * sum(w_i))), and precision, recall and
 * auc count each output with its row's weight. Without sample weights every row weighs 1, as unweighted.
 * The metric's name and parameters stay: Keras logs a weighted metric whose name is already taken by another
 * metric as "weighted_" + name (set it with anneal_model_set_metric; anneal_model_set_metric keeps the flag).
 * Keras lists metrics first, then weighted_metrics. Whole-model saving keeps the flag.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (index out of range);
 * ANNEAL_E_INVALID_STATE (not compiled; inside a callback).
 */
int32_t anneal_model_set_metric_weighted(anneal_model *model, int32_t index, bool weighted);

/**
 * Whether compiled metric `index` is weighted (see anneal_model_set_metric_weighted), into *out_weighted
 * (callback-safe).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (out_weighted NULL);
 * ANNEAL_E_INVALID_ARGUMENT (index out of range).
 */
int32_t anneal_model_metric_weighted(const anneal_model *model, int32_t index, bool *out_weighted);

/**
 * Limits compiled metric `index`, a "precision" or "recall", as Keras's top_k and class_id do: top_k >= 1
 * keeps only each row's top_k largest outputs (ties to the lower index, as tf.math.top_k; the others count as
 * -1e10, so give the threshold -1e10 for Keras's default with top_k), 0 for none; class_id in [0, outputs)
 * counts only that output and its label column, -1 for none. The metric keeps its name and threshold.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (index out of range, a
 * metric other than precision or recall, top_k < 0, class_id < -1 or not below the output count);
 * ANNEAL_E_INVALID_STATE (not compiled; inside a callback).
 */
int32_t anneal_model_set_metric_top_k(anneal_model *model, int32_t index, int32_t top_k, int32_t class_id);

/**
 * Makes compiled metric `index`, an "auc", Keras's AUC(multi_label=..., label_weights=...): with multi_label
 * every output is a label with its own counts and the result is the mean of their areas (weighted by
 * label_weights when given); without, label_weights weigh each output's counts. label_weights: NULL, or
 * label_weight_count (= the model's outputs) finite weights >= 0, copied.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (index out of range, a
 * metric other than auc, label_weight_count other than the outputs, a negative or non-finite weight);
 * ANNEAL_E_NULL_POINTER (label_weights NULL with label_weight_count > 0); ANNEAL_E_INVALID_STATE (not
 * compiled; inside a callback); ANNEAL_E_OUT_OF_MEMORY (the counts: 2 num_thresholds + 2 floats per output).
 */
int32_t anneal_model_set_metric_auc_labels(anneal_model *model, int32_t index, bool multi_label,
                                           const float *label_weights, int32_t label_weight_count);

/**
 * Makes compiled metric `index`, an "auc", Keras's AUC(summation_method=..., thresholds=..., from_logits=...):
 * summation_method an ANNEAL_SUMMATION_* code; thresholds NULL with threshold_count 0 (the evenly spaced
 * num_thresholds kept), or threshold_count finite values, copied and sorted, counted at -1e-7, the values,
 * 1 + 1e-7 (num_thresholds becomes threshold_count + 2; outputs are not clipped unless the values are evenly
 * spaced, as Keras); from_logits applies the sigmoid to the outputs first. Keeps multi_label and label_weights.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (index out of range, a
 * metric other than auc, an unknown summation_method, threshold_count < 0, a non-finite threshold);
 * ANNEAL_E_NULL_POINTER (thresholds NULL with threshold_count > 0); ANNEAL_E_INVALID_STATE (not compiled;
 * inside a callback); ANNEAL_E_OUT_OF_MEMORY (the counts: 2 num_thresholds + 2 floats per label).
 */
int32_t anneal_model_set_metric_auc_method(anneal_model *model, int32_t index, int32_t summation_method,
                                           const float *thresholds, int32_t threshold_count, bool from_logits);

/**
 * Structure queries (callback-safe): number of layers (Dense and Dropout); input width (0 until known);
 * output width (last Dense layer's units; 0 without layers); number of weight tensors (each Dense layer's
 * kernel, then its bias when it has one; 0 until built); metric count (after compile; 0 before).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (out NULL).
 */
int32_t anneal_model_layer_count(const anneal_model *model, int32_t *out_count);
int32_t anneal_model_input_dim(const anneal_model *model, int32_t *out_dim);
int32_t anneal_model_output_dim(const anneal_model *model, int32_t *out_dim);
int32_t anneal_model_weight_count(const anneal_model *model, int32_t *out_count);
int32_t anneal_model_metric_count(const anneal_model *model, int32_t *out_count);

/**
 * Metric `index`'s log name as given to compile, as a copy-out string (callback-safe).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (index out of range);
 * ANNEAL_E_NULL_POINTER; ANNEAL_E_BUFFER_TOO_SMALL.
 */
int32_t anneal_model_metric_name(const anneal_model *model, int32_t index, char *buffer, int64_t capacity,
                                 int64_t *out_length);

/**
 * Shape of weight tensor `index` (callback-safe): kernels are [inputs, units] (rank 2), biases [units]
 * (rank 1). Writes *out_rank and the first min(rank, dims_capacity) dimensions into out_dims (out_dims may
 * be NULL when dims_capacity is 0); *out_size (optional) receives the element count.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (out_rank NULL, or out_dims
 * NULL with dims_capacity > 0); ANNEAL_E_INVALID_ARGUMENT (index out of range, dims_capacity < 0);
 * ANNEAL_E_BUFFER_TOO_SMALL (0 < dims_capacity < rank; *out_rank still written).
 */
int32_t anneal_model_weight_shape(const anneal_model *model, int32_t index, int32_t *out_rank, int64_t *out_dims,
                                  int32_t dims_capacity, int64_t *out_size);

/**
 * Copies weight tensor `index` (row-major, Keras layout: kernel[i][j] at i * units + j) into buffer; capacity
 * is in floats (callback-safe).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (buffer NULL);
 * ANNEAL_E_INVALID_ARGUMENT (index out of range); ANNEAL_E_BUFFER_TOO_SMALL; ANNEAL_E_OUT_OF_MEMORY (no room
 * for a copy of the weights).
 */
int32_t anneal_model_get_weight(const anneal_model *model, int32_t index, float *buffer, int64_t capacity);

/**
 * Replaces weight tensor `index` with `count` floats (count must equal its size; copied). All values must
 * be finite; on any error the weights are unchanged (callback-safe).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (values NULL);
 * ANNEAL_E_INVALID_ARGUMENT (index out of range); ANNEAL_E_SHAPE_MISMATCH (count differs);
 * ANNEAL_E_NON_FINITE; ANNEAL_E_INVALID_STATE (not built); ANNEAL_E_OUT_OF_MEMORY (no room for two copies of
 * the weights).
 */
int32_t anneal_model_set_weight(anneal_model *model, int32_t index, const float *values, int64_t count);

/**
 * Saves every weight to `path` in Anneal's weights-file format, atomically (a temporary file renamed over
 * the destination); loads such a file into the model, checking count, shapes and finiteness first (on any
 * error the weights are unchanged). Callback-safe.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (path NULL);
 * ANNEAL_E_INVALID_STATE (not built); ANNEAL_E_IO; ANNEAL_E_CORRUPT_FILE (load); ANNEAL_E_SHAPE_MISMATCH
 * (load: a file of another architecture); ANNEAL_E_NON_FINITE (load); ANNEAL_E_INVALID_ARGUMENT (bad path);
 * ANNEAL_E_OUT_OF_MEMORY (no room for two copies of the weights). Every error about the file starts its
 * message with the file's path.
 */
int32_t anneal_model_save_weights(const anneal_model *model, const char *path);
int32_t anneal_model_load_weights(anneal_model *model, const char *path);

/**
 * Saves the whole model to `path`, atomically (a temporary file renamed over the destination): its layers
 * (Dense: units, activation, initializers, input width; Dropout: rate, seed and the state of its mask
 * generator, so that a loaded model draws the masks this one would have drawn next), its weights, its compile settings (loss, metrics with their names and parameters, the
 * optimizer's kind and every argument, its schedule when it follows one of Keras's schedules or a constant),
 * the optimizer's state (iterations, every state buffer, Nadam's momentum cache) and the model's random
 * generator, checksummed (CRC-32). A model loaded from the file with anneal_model_load trains on bit for
 * bit as this one would have. Works on an empty, unbuilt or uncompiled model too. Callback-safe.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (path NULL);
 * ANNEAL_E_INVALID_STATE (the optimizer follows a schedule a model file cannot hold: a callback schedule,
 * the tutorial's or PyTorch's);
 * ANNEAL_E_INVALID_ARGUMENT (bad path); ANNEAL_E_IO (the message names the
 * path and the system's reason; any previous file at `path` is left intact); ANNEAL_E_OUT_OF_MEMORY (no room
 * for two copies of the weights and the optimizer's state).
 */
int32_t anneal_model_save(const anneal_model *model, const char *path);

/**
 * A new model read from a file written by anneal_model_save, ready to predict and to go on training (free
 * it with anneal_model_free). Models made here never print. On any error *out_model is NULL and nothing is
 * kept.
 * Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (path or out_model NULL); ANNEAL_E_INVALID_ARGUMENT (bad path);
 * ANNEAL_E_IO (cannot open or read; the message names the path); ANNEAL_E_CORRUPT_FILE (truncated, checksum
 * mismatch, not a model file, another version, or a description that does not make a model; the message
 * names the path); ANNEAL_E_OUT_OF_MEMORY (the model's weights or the optimizer's state do not fit; the
 * message names the call and the buffer).
 */
int32_t anneal_model_load(const char *path, anneal_model **out_model);

/**
 * The model's description as anneal_model_save writes it, as a copy-out string (callback-safe): one record
 * per line, a kind then `key=value` fields separated by single spaces (`layer units=34 activation=relu ...`,
 * `dropout rate=0.25 seed=none ...`, `optimizer class=SGD learning_rate=0.1 ...`; the record kinds and fields are listed in the Swift
 * documentation of ModelDescription). Numbers are in shortest round-trip form.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER;
 * ANNEAL_E_BUFFER_TOO_SMALL; ANNEAL_E_INVALID_STATE (as anneal_model_save).
 */
int32_t anneal_model_description(const anneal_model *model, char *buffer, int64_t capacity, int64_t *out_length);

/**
 * The model's outputs for rows x cols inputs x (row-major, borrowed), computed batch_size rows at a time,
 * written row-major into out (rows * output_dim floats; capacity in floats). Builds the model from cols when
 * needed; works before compile (callback-safe).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (x or out NULL);
 * ANNEAL_E_INVALID_ARGUMENT (rows < 1, cols < 1, batch_size < 1, overflowing sizes);
 * ANNEAL_E_SHAPE_MISMATCH (cols differs from the input width; checked before x is read);
 * ANNEAL_E_NON_FINITE (x); ANNEAL_E_INVALID_STATE (no layers); ANNEAL_E_BUFFER_TOO_SMALL (capacity below
 * rows * output_dim; checked before anything is computed); ANNEAL_E_OUT_OF_MEMORY (the copy of x, the
 * outputs, or min(batch_size, rows) rows of every layer's activations do not fit).
 */
int32_t anneal_model_predict(anneal_model *model, const float *x, int64_t rows, int32_t cols, int32_t batch_size,
                             float *out, int64_t capacity);

/**
 * Keras's evaluate: the loss then each metric (in anneal_model_metric_name order) over x (rows x cols) and
 * y (rows x y_cols: 1 column for binary and sparse losses, one per output otherwise), as copy-out values
 * (1 + metric count values). Callback-safe.
 * Returns ANNEAL_OK; as anneal_model_predict (x, y; y_cols that is not the loss's label columns is
 * ANNEAL_E_SHAPE_MISMATCH before x or y is read); ANNEAL_E_INVALID_STATE (not compiled);
 * ANNEAL_E_NULL_POINTER (out_values NULL with capacity > 0); ANNEAL_E_BUFFER_TOO_SMALL; ANNEAL_E_OUT_OF_MEMORY
 * (as anneal_model_predict, or the metrics' running state).
 */
int32_t anneal_model_evaluate(anneal_model *model, const float *x, int64_t rows, int32_t cols, const float *y,
                              int32_t y_cols, int32_t batch_size, double *out_values, int32_t capacity,
                              int32_t *out_count);

/**
 * As anneal_model_evaluate, with Keras's sample_weight: sample_weight (rows values) weights each row's loss
 * (sum(w_i * loss_i) / rows) and the weighted metrics (anneal_model_set_metric_weighted); the others are not
 * weighted. NULL weighs every row 1. Callback-safe.
 * Returns as anneal_model_evaluate; ANNEAL_E_NON_FINITE also for a NaN or infinite weight.
 */
int32_t anneal_model_evaluate_weighted(anneal_model *model, const float *x, int64_t rows, int32_t cols,
                                       const float *y, int32_t y_cols, const float *sample_weight,
                                       int32_t batch_size, double *out_values, int32_t capacity,
                                       int32_t *out_count);

/**
 * Learning rate of the compiled optimizer (callback-safe):
 * - anneal_model_learning_rate: the base rate the next update starts from (the schedule's value at the
 *   current iterations for a scheduled optimizer), as the float32 the optimizer holds, widened to double.
 * - anneal_model_set_learning_rate: replaces the base rate (and any schedule); rate >= 0 and finite; stored
 *   as float32. `decay` still applies on top. Inside an epoch callback, this is how a C program sets the
 *   next epoch's rate (Keras's LearningRateScheduler).
 * - anneal_model_effective_learning_rate: the rate the next update will use: base / (1 + decay * iterations).
 * - anneal_model_iterations: updates done so far (never reset, across epochs and fits).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (out NULL);
 * ANNEAL_E_INVALID_STATE (not compiled); ANNEAL_E_INVALID_ARGUMENT / ANNEAL_E_NON_FINITE (set: bad rate).
 */
int32_t anneal_model_learning_rate(const anneal_model *model, double *out_rate);
int32_t anneal_model_set_learning_rate(anneal_model *model, double rate);
int32_t anneal_model_effective_learning_rate(const anneal_model *model, double *out_rate);
int32_t anneal_model_iterations(const anneal_model *model, int64_t *out_iterations);

/* ======================================================================================================
 * Fitting with callbacks
 * ====================================================================================================== */

typedef struct anneal_history anneal_history;

/**
 * Called by anneal_model_fit and anneal_session_fit on the calling thread.
 *
 * user_data  the pointer given to the fit call, passed through untouched.
 * model      the model being trained, as the handle given to anneal_model_fit or anneal_session_create
 *            (if that handle has been freed since, calls on it return ANNEAL_E_INVALID_HANDLE). Call only
 *            callback-safe functions on it; the rest return ANNEAL_E_INVALID_STATE.
 * event      ANNEAL_EVENT_EPOCH_BEGIN (before the epoch's first batch, after the schedule, if any, set the
 *            rate; count 0, keys and values NULL) or ANNEAL_EVENT_EPOCH_END (after validation; the epoch's
 *            logs); from anneal_session_fit_events also the batch and poll events it describes.
 * epoch      0-based epoch index (a batch event's: the batch's index in its epoch).
 * keys, values, count   the epoch's logs in Keras's order: "loss", metrics, "val_loss", "val_" metrics, then
 *            "effective_lr" when decay > 0, "lr" when a schedule is given. Valid only during the call.
 *
 * Return 0 to go on; a negative value to abort: the fit returns ANNEAL_E_CALLBACK; a positive value to stop
 * training as Keras's model.stop_training = True does, and the fit returns ANNEAL_OK with the history so far:
 * - returned at EPOCH_END, no further epoch begins;
 * - returned at EPOCH_BEGIN, the epoch still trains its first batch (Keras checks the flag after each
 *   batch), then ends as usual (validation, EPOCH_END with its logs, recorded in the history), and no further
 *   epoch begins.
 */
typedef int32_t (*anneal_epoch_callback)(void *user_data, anneal_model *model, int32_t event, int32_t epoch,
                                         const char *const *keys, const double *values, int32_t count);

/**
 * Keras's fit arguments after x and y (anneal_model_fit, anneal_model_fit_dataset). Start from
 * ANNEAL_FIT_OPTIONS_INIT, Keras's defaults.
 *
 * epochs           the number of epochs to train (>= 0; 0 trains nothing); callbacks and the history number
 *                  them 0 to epochs - 1.
 * batch_size       rows per update (>= 1); the last batch of an epoch may be shorter.
 * validation_split fraction of the LAST rows held out for validation, in [0, 1), taken before shuffling
 *                  (floor(rows * (1 - split)) rows train). Ignored when validation_data is given.
 * validation_data  a held-out dataset (Keras's validation_data) of the training data's widths; only read
 *                  during the call.
 * shuffle          a fresh order of the training rows every epoch.
 * has_seed, seed   seed the shuffling with `seed`; without, the seed is drawn from the model's generator.
 * schedule         optional epoch schedule (ANNEAL_UNIT_EPOCH): sets the base rate at the start of every
 *                  epoch and logs it as "lr" (Keras's LearningRateScheduler). Only read during the call.
 * callback         optional epoch callback (runs after the schedule at EPOCH_BEGIN).
 * user_data        passed to callback.
 */
typedef struct anneal_fit_options {
    int64_t struct_size;                    /**< sizeof(anneal_fit_options). */
    int32_t epochs;                         /**< >= 0; default 1. */
    int32_t batch_size;                     /**< >= 1; default 32. */
    double validation_split;                /**< in [0, 1), the LAST rows; default 0; ignored with validation_data. */
    const anneal_dataset *validation_data;  /**< held-out dataset (Keras's validation_data); default NULL. */
    bool shuffle;                           /**< a fresh order of the training rows every epoch; default true. */
    bool has_seed;                          /**< seed the shuffling with `seed`; default false: the model's generator. */
    uint64_t seed;
    const anneal_schedule *schedule;        /**< optional epoch schedule; default NULL. */
    anneal_epoch_callback callback;         /**< optional epoch callback; default NULL. */
    void *user_data;                        /**< passed to callback; default NULL. */
} anneal_fit_options;

#define ANNEAL_FIT_OPTIONS_INIT                                                                                \
    { (int64_t)sizeof(anneal_fit_options), 1, 32, 0.0, NULL, true, false, 0, NULL, NULL, NULL }

/**
 * Keras's fit(x, y, **options) in one call, always silent (verbose 0).
 *
 * x, rows, cols    training inputs, row-major (borrowed, copied).
 * y, y_cols        labels, rows x y_cols (1 column for binary and sparse losses, one per output otherwise).
 * options          the other arguments (see anneal_fit_options); NULL means ANNEAL_FIT_OPTIONS_INIT.
 * out_history      optional: receives the history (free with anneal_history_free), NULL on failure.
 *
 * Returns ANNEAL_OK (also when the callback stopped training); ANNEAL_E_INVALID_HANDLE (model,
 * options->validation_data, options->schedule); ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (x or y NULL);
 * ANNEAL_E_INVALID_ARGUMENT (an unknown options->struct_size, checked before any other field is read; sizes,
 * epochs < 0, batch_size < 1, split out of range or leaving a side empty, an update schedule, a schedule
 * value that is negative or not finite); ANNEAL_E_SHAPE_MISMATCH (cols is not the model's input width, y_cols
 * not its loss's label columns, validation_data's widths not cols and y_cols: checked before x or y is
 * read); ANNEAL_E_NON_FINITE; ANNEAL_E_INVALID_STATE (not compiled; inside a callback); ANNEAL_E_CALLBACK
 * (callback returned < 0); ANNEAL_E_OUT_OF_MEMORY (the copies of x and y, batch_size rows of every layer's
 * activations and Dropout masks, the optimizer's state, e.g. Adam's moments or SGD's velocities, one float
 * per parameter each, or the metrics' running state, e.g. 2 num_thresholds + 2 floats for an auc, do not
 * fit; all are made before the first update).
 * After a failure during training the model keeps the weights of its last finished batch.
 */
int32_t anneal_model_fit(anneal_model *model, const float *x, int64_t rows, int32_t cols, const float *y,
                         int32_t y_cols, const anneal_fit_options *options, anneal_history **out_history);

/** Releases a history. NULL, or a handle already freed, does nothing. */
void anneal_history_free(anneal_history *history);

/** Number of epochs recorded; number of keys. Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_NULL_POINTER. */
int32_t anneal_history_epoch_count(const anneal_history *history, int32_t *out_count);
int32_t anneal_history_key_count(const anneal_history *history, int32_t *out_count);

/**
 * Key `index` ("loss", "accuracy", "val_loss", ... in first-seen order) as a copy-out string; a metric of
 * several thresholds has one key per threshold, name[0], name[1], ... (see anneal_model_set_metric).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_INVALID_ARGUMENT (index out of range);
 * ANNEAL_E_NULL_POINTER; ANNEAL_E_BUFFER_TOO_SMALL.
 */
int32_t anneal_history_key(const anneal_history *history, int32_t index, char *buffer, int64_t capacity,
                           int64_t *out_length);

/**
 * The per-epoch values of `key` as copy-out values (one per epoch that logged it).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_NULL_POINTER (key NULL, or out_values NULL with
 * capacity > 0); ANNEAL_E_INVALID_ARGUMENT (unknown key, capacity < 0); ANNEAL_E_BUFFER_TOO_SMALL.
 */
int32_t anneal_history_values(const anneal_history *history, const char *key, double *out_values, int32_t capacity,
                              int32_t *out_count);

/* ======================================================================================================
 * Session: training driven by the caller, one epoch or one batch at a time (one call at a time)
 *
 * A session holds one fit's worth of state over fixed data: the train / validation split, the batch order,
 * and the epoch's running sums. A caller's own loop that reproduces anneal_model_fit:
 *
 *     for (epoch = 0; epoch < epochs; epoch++) {
 *         anneal_model_set_learning_rate(model, my_schedule(epoch));   (optional)
 *         anneal_session_begin_epoch(session);
 *         for (b = 0; b < batch_count; b++) anneal_session_train_batch(session, b);
 *         anneal_session_running_values(session, train, 8, &n);   loss, metrics
 *         anneal_session_validate(session, val, 8, &m);             val_loss, val_ metrics
 *     }
 *
 * Every session call also uses the session's model: it returns ANNEAL_E_BUSY while another thread uses the
 * model, and calls on the model from another thread return ANNEAL_E_BUSY during a session call.
 * ====================================================================================================== */

typedef struct anneal_session anneal_session;

/**
 * Prepares training of a compiled model on x (rows x cols) and y (rows x y_cols), both borrowed and copied;
 * arguments as anneal_model_fit. The model must stay compiled as it is (a later compile does not reach an
 * existing session).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (x, y or out_session);
 * ANNEAL_E_INVALID_ARGUMENT; ANNEAL_E_SHAPE_MISMATCH (cols or y_cols against the model, checked before x or
 * y is read); ANNEAL_E_NON_FINITE; ANNEAL_E_INVALID_STATE (not compiled);
 * ANNEAL_E_OUT_OF_MEMORY (as anneal_model_fit). *out_session = NULL on failure.
 */
int32_t anneal_session_create(anneal_model *model, const float *x, int64_t rows, int32_t cols, const float *y,
                              int32_t y_cols, int32_t batch_size, double validation_split, bool shuffle,
                              const uint64_t *shuffle_seed, anneal_session **out_session);

/**
 * As anneal_session_create, with explicit validation data x_val (val_rows x cols) and y_val
 * (val_rows x y_cols), instead of a split (Keras's validation_data).
 */
int32_t anneal_session_create_with_validation(anneal_model *model, const float *x, int64_t rows, int32_t cols,
                                              const float *y, int32_t y_cols, const float *x_val, const float *y_val,
                                              int64_t val_rows, int32_t batch_size, bool shuffle,
                                              const uint64_t *shuffle_seed, anneal_session **out_session);

/** Releases a session. NULL, or a handle already freed, does nothing. */
void anneal_session_free(anneal_session *session);

/**
 * Sizes: updates per epoch (ceil(training rows / batch size)); training rows; validation rows (0 without
 * validation); batches trained so far in the current epoch.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER.
 */
int32_t anneal_session_batch_count(const anneal_session *session, int32_t *out_count);
int32_t anneal_session_training_rows(const anneal_session *session, int64_t *out_rows);
int32_t anneal_session_validation_rows(const anneal_session *session, int64_t *out_rows);
int32_t anneal_session_batches_done(const anneal_session *session, int32_t *out_count);

/**
 * Keras's sample_weight: weights (count values, copied) weight each training row's loss, so that a batch's
 * loss is sum(w_i * loss_i) / rows (divided by the number of rows, not by the sum of the weights) and the
 * epoch's loss is sum(w_i * loss_i) / training rows; only the weighted metrics (anneal_model_set_metric_weighted)
 * are weighted. weights[i] is training row
 * i's (with a validation split, the first training-rows values of the fit's sample_weight). NULL (with count
 * 0) weighs every row 1 again. Takes effect from the next batch trained.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (weights NULL with count >
 * 0); ANNEAL_E_SHAPE_MISMATCH (count is not the session's training rows); ANNEAL_E_NON_FINITE (a weight is
 * NaN or infinite); ANNEAL_E_INVALID_STATE (from its own fit's callback).
 */
int32_t anneal_session_set_sample_weights(anneal_session *session, const float *weights, int64_t count);

/**
 * As anneal_session_set_sample_weights, for the validation rows: they weight val_loss (the third element of
 * Keras's validation_data, or the last rows' sample_weight with a validation split). count must be the
 * session's validation rows; ANNEAL_E_INVALID_STATE also when the session has no validation data.
 */
int32_t anneal_session_set_validation_sample_weights(anneal_session *session, const float *weights, int64_t count);

/**
 * Starts an epoch: a fresh batch order (when shuffling) and cleared running sums.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_STATE (from its own fit's callback).
 */
int32_t anneal_session_begin_epoch(anneal_session *session);

/**
 * Trains batch `index` (0 <= index < batch count) of the current epoch: forward, loss, backward, one SGD
 * update. Batches are usually trained in order, each once.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (index out of range);
 * ANNEAL_E_INVALID_STATE (no epoch begun; from its own fit's callback).
 */
int32_t anneal_session_train_batch(anneal_session *session, int32_t index);

/**
 * Begins an epoch, trains all its batches and writes the training loss then metrics as copy-out values
 * (values may be NULL with capacity 0 when only training matters).
 * Returns as anneal_session_train_batch, plus ANNEAL_E_NULL_POINTER and ANNEAL_E_BUFFER_TOO_SMALL (the epoch
 * has been trained all the same).
 */
int32_t anneal_session_train_epoch(anneal_session *session, double *out_values, int32_t capacity, int32_t *out_count);

/**
 * The current epoch's running means (loss then metrics, row-weighted over the batches trained so far) as
 * copy-out values. Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER;
 * ANNEAL_E_BUFFER_TOO_SMALL; ANNEAL_E_INVALID_STATE (no epoch begun).
 */
int32_t anneal_session_running_values(const anneal_session *session, double *out_values, int32_t capacity,
                                      int32_t *out_count);

/**
 * Validation loss then metrics for the current weights over all validation rows, as copy-out values.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER; ANNEAL_E_BUFFER_TOO_SMALL;
 * ANNEAL_E_INVALID_STATE (the session has no validation data; from its own fit's callback).
 */
int32_t anneal_session_validate(anneal_session *session, double *out_values, int32_t capacity, int32_t *out_count);

/**
 * One whole epoch in one call (what a caller's loop without batch hooks needs, at the cost of one call):
 * begins an epoch, trains all its batches, validates when the session has validation data, and writes the
 * epoch's logs in Keras's order as copy-out values: loss, metrics, then val_loss and the val_ metrics (only
 * with validation data), then effective_lr (only when the optimizer's decay > 0). The same numbers as
 * anneal_session_train_epoch, anneal_session_validate and anneal_model_effective_learning_rate called in
 * that order.
 * Returns as anneal_session_train_epoch (ANNEAL_E_BUFFER_TOO_SMALL: the epoch has been trained and
 * validated all the same).
 */
int32_t anneal_session_run_epoch(anneal_session *session, double *out_values, int32_t capacity, int32_t *out_count);

/**
 * The current epoch's logs once the caller has trained its batches (anneal_session_begin_epoch, then
 * anneal_session_train_batch...), in anneal_session_run_epoch's order: the running loss and metrics, then
 * validation and effective_lr as there. The same numbers as anneal_session_running_values,
 * anneal_session_validate and anneal_model_effective_learning_rate called in that order.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER; ANNEAL_E_BUFFER_TOO_SMALL;
 * ANNEAL_E_INVALID_ARGUMENT (capacity < 0); ANNEAL_E_INVALID_STATE (no epoch begun; from its own fit's callback).
 */
int32_t anneal_session_end_epoch(anneal_session *session, double *out_values, int32_t capacity, int32_t *out_count);

/**
 * The names of anneal_session_run_epoch's values in its order, which the library defines in one place:
 * their number, and name `index` ("loss", metrics, "val_loss", ..., "effective_lr") as a copy-out string. The
 * values of anneal_session_running_values are the first of them.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER; ANNEAL_E_INVALID_ARGUMENT
 * (index out of range); ANNEAL_E_BUFFER_TOO_SMALL.
 */
int32_t anneal_session_epoch_key_count(const anneal_session *session, int32_t *out_count);
int32_t anneal_session_epoch_key(const anneal_session *session, int32_t index, char *buffer, int64_t capacity,
                                 int64_t *out_length);

/**
 * Up to `epochs` (>= 0) whole epochs in one call, as many calls of anneal_session_run_epoch: the loop of a
 * caller that runs nothing between epochs, at the cost of one call. Returns early, after any epoch that ends
 * `max_seconds` or more after the call began (max_seconds <= 0: no limit), so that a caller can handle a
 * signal or show progress in time. Epoch i's values go to out_values[i * values_per_epoch ...], in
 * anneal_session_run_epoch's order; capacity must hold epochs * values_per_epoch of them, which is checked
 * before anything trains. Writes the epochs trained to *out_epochs and the values per epoch to
 * *out_values_per_epoch (either may be NULL; out_values may be NULL when epochs is 0). Since nothing runs
 * between these epochs, a small model's validation (one whose products do not use Anneal's helper thread)
 * runs on the helper thread over a copy of the weights while the next epoch trains: the same values, sooner.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER;
 * ANNEAL_E_INVALID_ARGUMENT (negative epochs or capacity, a NaN max_seconds); ANNEAL_E_BUFFER_TOO_SMALL
 * (nothing trained); ANNEAL_E_INVALID_STATE (from its own fit's callback); ANNEAL_E_OUT_OF_MEMORY (the copy of the
 * weights that validation beside training needs does not fit; nothing trained).
 */
int32_t anneal_session_run_epochs(anneal_session *session, int32_t epochs, double max_seconds, double *out_values,
                                  int64_t capacity, int32_t *out_epochs, int32_t *out_values_per_epoch);

/**
 * Keras's fit loop over the session (anneal_model_fit without the data arguments), silent: the epochs
 * numbered initial_epoch (>= 0) to epochs - 1, as Keras's fit(epochs=..., initial_epoch=...) (so epochs is
 * the index after the last epoch, not a count from initial_epoch; epochs <= initial_epoch trains nothing),
 * with the optional epoch schedule and callback. Same statuses as anneal_model_fit.
 */
int32_t anneal_session_fit(anneal_session *session, int32_t epochs, int32_t initial_epoch,
                           const anneal_schedule *schedule, anneal_epoch_callback callback, void *user_data,
                           anneal_history **out_history);

/* ======================================================================================================
 * Keras's built-in callbacks
 *
 * An anneal_callback is one of Keras's callbacks with its state (EarlyStopping's wait and best value, a
 * CSVLogger's open file, ...), made by a constructor that takes Keras's arguments and checks them as Keras
 * does (ANNEAL_E_INVALID_ARGUMENT naming the argument; ANNEAL_E_NULL_POINTER when a required string or
 * out_callback is NULL; *out_callback is NULL on failure). Free with anneal_callback_free.
 *
 * Two ways to use one: pass it to anneal_session_fit_callbacks, or drive it one event at a time from a loop
 * of your own (anneal_callback_train_begin, _epoch_begin, _batch_end, _epoch_end, _train_end), giving the
 * model it watches or steers. Callbacks write their text (verbose > 0, the progress logger, TerminateOnNaN)
 * to standard output, or to the function given to anneal_callback_set_output. A callback is used by one
 * call at a time: a call on a callback in use on another thread is ANNEAL_E_BUSY; on this thread (from
 * inside a fit's epoch callback, on a callback that fit runs) ANNEAL_E_INVALID_STATE.
 * ====================================================================================================== */

typedef struct anneal_callback anneal_callback;

/** Keras 2's EarlyStopping: training stops when `monitor` has not improved by more than |min_delta| for
 *  `patience` epochs (from epoch start_from_epoch on); ANNEAL_MODE_AUTO is max when the name ends in "acc",
 *  "accuracy" or "auc". baseline: optional (NULL: none). With restore_best_weights the best epoch's weights
 *  come back at train end. verbose > 0 prints "Epoch 5: early stopping". Refuses a min_delta that is not
 *  finite, a negative patience or start_from_epoch. */
int32_t anneal_callback_early_stopping(const char *monitor, double min_delta, int32_t patience, int32_t verbose,
                                       int32_t mode, const double *baseline, bool restore_best_weights,
                                       int32_t start_from_epoch, anneal_callback **out_callback);
/** Keras 2's ReduceLROnPlateau (Keras defaults: "val_loss", 0.1, 10, 0, auto, 1e-4, 0, 0): logs the rate as
 *  "lr", and multiplies it by factor, down to min_lr, once `monitor` has not improved by min_delta for
 *  `patience` epochs, then waits `cooldown` epochs. ANNEAL_MODE_AUTO is max when the name contains "acc".
 *  Refuses a factor outside [0, 1), a negative patience or cooldown, a min_delta or min_lr that is not
 *  finite, a negative min_lr. */
int32_t anneal_callback_reduce_lr_on_plateau(const char *monitor, double factor, int32_t patience, int32_t verbose,
                                             int32_t mode, double min_delta, int32_t cooldown, double min_lr,
                                             anneal_callback **out_callback);
/** Keras's ModelCheckpoint, weights only (anneal_model_save_weights' file): at each epoch end saves to
 *  filepath formatted as Python's str.format with `epoch` (1-based) and the logs ("w.{epoch:02d}.bin"); with
 *  save_best_only only when `monitor` improved (ANNEAL_MODE_AUTO: max when the name contains "acc").
 *  initial_value_threshold: optional (NULL: none). Refuses an empty filepath or one with a bad field. */
int32_t anneal_callback_model_checkpoint(const char *filepath, const char *monitor, int32_t verbose,
                                         bool save_best_only, int32_t mode, const double *initial_value_threshold,
                                         anneal_callback **out_callback);
/** Keras's CSVLogger: a header "epoch" + the first epoch's sorted log keys, then one flushed row per epoch,
 *  as Python's csv module writes them (rows end in "\r\n"). separator: one character other than a quote or a
 *  newline. append continues an existing file (without a second header). The file is opened at train begin
 *  (ANNEAL_E_IO when it cannot be) and closed at train end. */
int32_t anneal_callback_csv_logger(const char *filename, const char *separator, bool append,
                                   anneal_callback **out_callback);
/** Keras's TerminateOnNaN: at a batch end whose "loss" is NaN or infinite, prints
 *  "Batch 3: Invalid loss, terminating training" and stops training. */
int32_t anneal_callback_terminate_on_nan(anneal_callback **out_callback);
/** Keras's LearningRateScheduler over an epoch schedule (ANNEAL_UNIT_EPOCH; another unit is
 *  ANNEAL_E_INVALID_ARGUMENT): sets the base rate at each epoch begin (ANNEAL_E_INVALID_ARGUMENT for a value
 *  that is negative or not finite) and logs it as "lr" at epoch end. The callback keeps the schedule alive. */
int32_t anneal_callback_learning_rate_scheduler(const anneal_schedule *schedule, int32_t verbose,
                                                anneal_callback **out_callback);
/**
 * Called by a LearningRateScheduler made with anneal_callback_learning_rate_function at each epoch begin:
 * writes the new base rate for `epoch` (0-based) to *out_rate; current_rate is the base rate now. Return 0;
 * anything else aborts the call running the callback with ANNEAL_E_CALLBACK.
 */
typedef int32_t (*anneal_rate_callback)(void *user_data, int32_t epoch, double current_rate, double *out_rate);

/** Keras's LearningRateScheduler over a function of the caller's (a front end's schedule): as
 *  anneal_callback_learning_rate_scheduler, with the rate from rate(user_data, epoch, current rate, &rate).
 *  Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (rate or out_callback NULL). */
int32_t anneal_callback_learning_rate_function(anneal_rate_callback rate, void *user_data, int32_t verbose,
                                               anneal_callback **out_callback);
/** Keras's ProgbarLogger and Progbar, text for text: "Epoch i/N" when epochs > 1, then a bar redrawn after
 *  each batch (verbose 1) or one line per epoch (verbose 2) over `steps` batches. "effective_lr" is not
 *  printed. Refuses a verbose other than 1 or 2, a negative epochs or steps. */
int32_t anneal_callback_progress_logger(int32_t verbose, int32_t epochs, int32_t steps,
                                        anneal_callback **out_callback);

/** Releases a callback (closing a CSVLogger's file). NULL, or a handle already freed, does nothing. */
void anneal_callback_free(anneal_callback *callback);

/** Receives a callback's text, NUL-terminated, valid only during the call. */
typedef void (*anneal_write_callback)(void *user_data, const char *text);

/**
 * Sends the callback's text to write(user_data, text) instead of standard output; write NULL restores
 * standard output. Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_STATE.
 */
int32_t anneal_callback_set_output(anneal_callback *callback, anneal_write_callback write, void *user_data);

/**
 * Keras's hooks, one event at a time, for a front end that runs its own epoch loop: call train_begin, then
 * per epoch epoch_begin, batch_end after each batch, epoch_end with the epoch's logs, and train_end with the
 * last epoch's logs. model is the model the callback watches or steers (its weights, its learning rate); the
 * calls are callback-safe. keys, values, count: the logs (keys unique, valid UTF-8; keys and values may be
 * NULL when count is 0), read during the call only. *out_stop (optional; false on failure) is true when the
 * callback asks training to stop (Keras's model.stop_training = True).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE (callback, model); ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (keys,
 * values or a key NULL with count > 0); ANNEAL_E_INVALID_ARGUMENT (negative epoch, batch or count, a key
 * given twice, invalid UTF-8, what the callback refuses: a schedule's bad value, a checkpoint path naming a
 * key not in the logs); ANNEAL_E_IO (a file the callback writes); ANNEAL_E_INVALID_STATE (a callback in use).
 */
int32_t anneal_callback_train_begin(anneal_callback *callback, anneal_model *model);
int32_t anneal_callback_epoch_begin(anneal_callback *callback, anneal_model *model, int32_t epoch, bool *out_stop);
int32_t anneal_callback_batch_end(anneal_callback *callback, anneal_model *model, int32_t batch,
                                  const char *const *keys, const double *values, int32_t count, bool *out_stop);
int32_t anneal_callback_epoch_end(anneal_callback *callback, anneal_model *model, int32_t epoch,
                                  const char *const *keys, const double *values, int32_t count, bool *out_stop);
int32_t anneal_callback_train_end(anneal_callback *callback, anneal_model *model, const char *const *keys,
                                  const double *values, int32_t count);

/**
 * The logs as the callback's last batch_end, epoch_end or train_end left them, with what it added (the "lr"
 * of LearningRateScheduler and ReduceLROnPlateau): the number of keys; key `index` as a copy-out string; the
 * values as copy-out values, in the keys' order. Empty after a begin event.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER; ANNEAL_E_INVALID_ARGUMENT
 * (index out of range, capacity < 0); ANNEAL_E_BUFFER_TOO_SMALL.
 */
int32_t anneal_callback_log_count(const anneal_callback *callback, int32_t *out_count);
int32_t anneal_callback_log_key(const anneal_callback *callback, int32_t index, char *buffer, int64_t capacity,
                                int64_t *out_length);
int32_t anneal_callback_log_values(const anneal_callback *callback, double *out_values, int32_t capacity,
                                   int32_t *out_count);

/**
 * A value of the callback's state, by its Keras attribute name: EarlyStopping "wait", "stopped_epoch", "best",
 * "best_epoch"; ReduceLROnPlateau "wait", "best", "cooldown_counter"; ModelCheckpoint "best"; and for these
 * three "mode", ANNEAL_MODE_MIN or ANNEAL_MODE_MAX (ANNEAL_MODE_AUTO decided from the monitored name).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (name, out_value);
 * ANNEAL_E_INVALID_ARGUMENT (a name the callback does not have, the message listing those it has).
 */
int32_t anneal_callback_state(const anneal_callback *callback, const char *name, double *out_value);

/**
 * anneal_session_fit with Keras's callbacks: callbacks[0 .. callback_count) run in order at every event,
 * then the optional epoch callback, which sees what they added to the logs. callbacks may be NULL when
 * callback_count is 0. The callbacks are held for the call (see above).
 * Returns as anneal_session_fit; ANNEAL_E_INVALID_HANDLE also for a callback (the message names its index);
 * ANNEAL_E_NULL_POINTER (callbacks NULL with callback_count > 0); ANNEAL_E_INVALID_ARGUMENT also for a negative
 * callback_count and what a callback refuses; ANNEAL_E_IO (a CSVLogger's or ModelCheckpoint's file).
 */
int32_t anneal_session_fit_callbacks(anneal_session *session, int32_t epochs, int32_t initial_epoch,
                                     anneal_callback *const *callbacks, int32_t callback_count,
                                     anneal_epoch_callback callback, void *user_data, anneal_history **out_history);

/**
 * anneal_session_fit_callbacks whose epoch callback chooses its events: `events` is ANNEAL_EVENTS_EPOCH,
 * ANNEAL_EVENTS_BATCH, ANNEAL_EVENTS_POLL OR-ed together (0: none; ANNEAL_EVENTS_EPOCH alone is
 * anneal_session_fit_callbacks). The callback runs after `callbacks` at every event it receives, as there:
 * - ANNEAL_EVENT_EPOCH_BEGIN, ANNEAL_EVENT_EPOCH_END: as for anneal_epoch_callback.
 * - ANNEAL_EVENT_BATCH_BEGIN before each batch (count 0) and ANNEAL_EVENT_BATCH_END after its update, with
 *   the epoch's running logs ("loss" and metrics: row-weighted means of the epoch's batches so far), the
 *   batch's index (from 0 in each epoch) in `epoch`: Keras's on_train_batch_begin / _end. A positive
 *   return stops training after this batch (Keras checks model.stop_training after each batch): the epoch
 *   ends as usual (validation, EPOCH_END, recorded in the history) and no further epoch begins.
 * - ANNEAL_EVENT_POLL after an epoch's callbacks, when another epoch is to follow and poll_seconds or more
 *   have passed since the fit began or since the last POLL (count 0, `epoch` the epoch just ended): a cheap
 *   way to notice a request to stop (a front end's Ctrl-C) without a call per epoch. Positive: no further
 *   epoch begins; negative: the fit returns ANNEAL_E_CALLBACK. With neither EPOCH nor BATCH events and no
 *   other callback the fit trains between polls without stopping, as anneal_session_run_epochs does.
 * The functions callback-safe inside an anneal_epoch_callback are callback-safe at every event.
 * Returns as anneal_session_fit_callbacks; ANNEAL_E_INVALID_ARGUMENT also for other bits in `events` and a
 * poll_seconds that is negative or not finite.
 */
int32_t anneal_session_fit_events(anneal_session *session, int32_t epochs, int32_t initial_epoch,
                                  anneal_callback *const *callbacks, int32_t callback_count,
                                  anneal_epoch_callback callback, void *user_data, int32_t events,
                                  double poll_seconds, anneal_history **out_history);

/* ======================================================================================================
 * Data-set-first training: fit / evaluate / predict on an anneal_dataset, metric codes
 *
 * Label matrices. A dataset holds rows x label_columns labels: 1 column (anneal_dataset_load_csv,
 *   anneal_dataset_create; class indices or numbers) or label_columns of them (anneal_dataset_create_labels,
 *   anneal_dataset_one_hot, e.g. one-hot rows for categorical_crossentropy). A fit, evaluate or validation on
 *   a dataset checks the dataset's feature count against the model's input width and its label columns
 *   against the loss's (ANNEAL_E_SHAPE_MISMATCH); the results are bit for bit those of the matrix functions
 *   on the dataset's copied-out arrays.
 * ====================================================================================================== */

/* Metrics by code, as losses are (anneal_compile_options). The log name is the name given here. */
#define ANNEAL_METRIC_ACCURACY                    0  /**< "accuracy": binary, sparse or categorical as Keras resolves it. */
#define ANNEAL_METRIC_BINARY_ACCURACY             1  /**< "binary_accuracy". */
#define ANNEAL_METRIC_CATEGORICAL_ACCURACY        2  /**< "categorical_accuracy". */
#define ANNEAL_METRIC_SPARSE_CATEGORICAL_ACCURACY 3  /**< "sparse_categorical_accuracy". */

/**
 * Looks up a metric by its Keras name ("accuracy" / "acc", "binary_accuracy", "categorical_accuracy",
 * "sparse_categorical_accuracy") and writes its ANNEAL_METRIC_* code.
 * Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (name or out_code NULL); ANNEAL_E_INVALID_ARGUMENT (unknown name, a
 * metric that has no ANNEAL_METRIC_* code such as "mae": name those in anneal_compile_options's metric_names;
 * invalid UTF-8). Thread-safe.
 */
int32_t anneal_metric_from_name(const char *name, int32_t *out_code);

/**
 * Whether anneal_compile_options's metric_names take `name`: "accuracy" / "acc", "binary_accuracy",
 * "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
 * "sparse_top_k_categorical_accuracy", "cosine_similarity", "root_mean_squared_error" / "rmse", "precision",
 * "recall", "auc", or a loss name (anneal_loss_from_name's), in any case and also in class-name form
 * ("BinaryAccuracy", "AUC").
 * Returns ANNEAL_OK for such a name; ANNEAL_E_NULL_POINTER (name NULL); ANNEAL_E_INVALID_ARGUMENT (unknown name,
 * the message listing the names; invalid UTF-8). Thread-safe.
 */
int32_t anneal_metric_check_name(const char *name);

/**
 * Makes a dataset with a label matrix (copied): rows x features_per_row features and rows x label_columns
 * labels, both row-major. Class count is 0.
 * Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (features, labels or out_dataset NULL); ANNEAL_E_INVALID_ARGUMENT
 * (rows, features_per_row or label_columns < 1, overflowing sizes); ANNEAL_E_NON_FINITE;
 * ANNEAL_E_OUT_OF_MEMORY. On failure *out_dataset = NULL.
 */
int32_t anneal_dataset_create_labels(const float *features, const float *labels, int64_t rows,
                                     int32_t features_per_row, int32_t label_columns, anneal_dataset **out_dataset);

/**
 * A new dataset with the same features whose labels are one-hot rows of class_count columns: row r has 1 in
 * column dataset's label r and 0 elsewhere (Keras's to_categorical). class_count 0 means the dataset's class
 * count (its number of class names). The dataset must have one label column of class indices.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_NULL_POINTER (out_dataset NULL);
 * ANNEAL_E_INVALID_ARGUMENT (class_count < 0, or 0 for a dataset without class names; a label that is not an
 * integer in [0, class_count), named with its row); ANNEAL_E_SHAPE_MISMATCH (more than one label column);
 * ANNEAL_E_OUT_OF_MEMORY. On failure *out_dataset = NULL.
 */
int32_t anneal_dataset_one_hot(const anneal_dataset *dataset, int32_t class_count, anneal_dataset **out_dataset);

/** Label columns per row (1 for CSV files and anneal_dataset_create). anneal_dataset_copy_labels copies
 *  rows * label_columns floats, row-major.
 *  Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_NULL_POINTER. */
int32_t anneal_dataset_label_columns(const anneal_dataset *dataset, int32_t *out_columns);

/**
 * anneal_model_fit on a dataset's features and labels, with the arguments in `options` (NULL means
 * ANNEAL_FIT_OPTIONS_INIT), silent. Neither dataset is copied.
 * Returns as anneal_model_fit; ANNEAL_E_INVALID_HANDLE also for dataset and options->validation_data;
 * ANNEAL_E_INVALID_ARGUMENT also for an unknown struct_size (checked before any other field is read);
 * ANNEAL_E_SHAPE_MISMATCH (a dataset's feature count is not the model's input width, its label columns not
 * the loss's, or validation_data's widths differ from dataset's). *out_history (optional) is NULL on failure.
 */
int32_t anneal_model_fit_dataset(anneal_model *model, const anneal_dataset *dataset, const anneal_fit_options *options,
                                 anneal_history **out_history);

/**
 * anneal_model_evaluate and anneal_model_predict on a dataset (its labels are ignored by predict), batch_size
 * rows at a time. Callback-safe.
 * Returns as anneal_model_evaluate / anneal_model_predict; ANNEAL_E_INVALID_HANDLE also for dataset;
 * ANNEAL_E_SHAPE_MISMATCH (feature count, label columns). predict's capacity is in floats and must hold
 * rows * output_dim (checked before anything is computed).
 */
int32_t anneal_model_evaluate_dataset(anneal_model *model, const anneal_dataset *dataset, int32_t batch_size,
                                      double *out_values, int32_t capacity, int32_t *out_count);
int32_t anneal_model_predict_dataset(anneal_model *model, const anneal_dataset *dataset, int32_t batch_size, float *out,
                                     int64_t capacity);

/**
 * The last value of `key` in the history (the final epoch's "val_accuracy", ...).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_NULL_POINTER (key or out_value NULL);
 * ANNEAL_E_INVALID_ARGUMENT (unknown key, the message listing the keys; invalid UTF-8);
 * ANNEAL_E_INVALID_STATE (the key has no value: no epoch was trained).
 */
int32_t anneal_history_last(const anneal_history *history, const char *key, double *out_value);

/* ======================================================================================================
 * Metric objects: a metric on its own, as Keras's metric classes are used outside fit (one call at a time)
 *
 *     anneal_metric *auc;
 *     anneal_metric_create("auc", 0.5, 5, 200, ANNEAL_CURVE_PR, &auc);
 *     anneal_metric_update(auc, y_true, y_pred, rows, 1, NULL);     once per batch
 *     anneal_metric_result(auc, &value);                            over every batch since the last reset
 *     anneal_metric_reset(auc);
 *     anneal_metric_free(auc);
 *
 * The formulas are those fit and evaluate log. A metric handle takes one call at a time: a call while another
 * thread is in one on the same handle returns ANNEAL_E_BUSY.
 * ====================================================================================================== */

typedef struct anneal_metric anneal_metric;

/**
 * Makes a metric: `metric` a name as anneal_compile_options's metric_names take except "accuracy" / "acc" (which a
 * model resolves from its output and loss: name "binary_accuracy", "categorical_accuracy" or
 * "sparse_categorical_accuracy"), with the parameters of anneal_model_set_metric (threshold, k,
 * num_thresholds, curve; each metric reads its own and ignores the others).
 * Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (metric or out_metric NULL); ANNEAL_E_INVALID_ARGUMENT (unknown
 * metric, "accuracy", threshold not finite, k < 1, num_thresholds < 2, unknown curve, invalid UTF-8);
 * ANNEAL_E_OUT_OF_MEMORY (the state: 2 num_thresholds + 2 floats for an auc). On failure *out_metric = NULL.
 * Thread-safe.
 */
int32_t anneal_metric_create(const char *metric, double threshold, int32_t k, int32_t num_thresholds, int32_t curve,
                             anneal_metric **out_metric);

/** Releases a metric. NULL, or a handle already freed, does nothing. */
void anneal_metric_free(anneal_metric *metric);

/**
 * top_k and class_id of a "precision" or "recall" metric, as anneal_model_set_metric_top_k takes them (class_id
 * is checked against the outputs at each update). Forgets every update, as anneal_metric_reset.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT (a metric other than
 * precision or recall, top_k < 0, class_id < -1).
 */
int32_t anneal_metric_set_top_k(anneal_metric *metric, int32_t top_k, int32_t class_id);

/**
 * multi_label, num_labels (0: the outputs of the first update) and label_weights (NULL, or
 * label_weight_count copied weights) of an "auc" metric, as anneal_model_set_metric_auc_labels takes them
 * (num_labels only with multi_label; the outputs are checked at each update). Forgets every update.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (label_weights NULL with
 * label_weight_count > 0); ANNEAL_E_INVALID_ARGUMENT (a metric other than auc, num_labels < 0 or given
 * without multi_label, label_weight_count < 0 or other than num_labels, a negative or non-finite weight);
 * ANNEAL_E_OUT_OF_MEMORY.
 */
int32_t anneal_metric_set_auc_labels(anneal_metric *metric, bool multi_label, int32_t num_labels,
                                     const float *label_weights, int32_t label_weight_count);

/**
 * summation_method, thresholds (NULL with threshold_count 0: the evenly spaced num_thresholds kept) and
 * from_logits of an "auc" metric, as anneal_model_set_metric_auc_method takes them. Keeps multi_label,
 * num_labels and label_weights; forgets every update.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (thresholds NULL with
 * threshold_count > 0); ANNEAL_E_INVALID_ARGUMENT (a metric other than auc, an unknown summation_method,
 * threshold_count < 0, a non-finite threshold); ANNEAL_E_OUT_OF_MEMORY.
 */
int32_t anneal_metric_set_auc_method(anneal_metric *metric, int32_t summation_method, const float *thresholds,
                                     int32_t threshold_count, bool from_logits);

/**
 * Adds a batch to the metric's state (Keras's update_state): y_pred is rows x units, y_true rows x units, or
 * rows x 1 class indices for "sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy" and
 * "sparse_categorical_crossentropy" (anneal_metric_label_columns); both borrowed, read during the call only.
 * sample_weight: NULL, or rows weights (finite, >= 0) that multiply each row's contribution as Keras's
 * sample_weight does (means divide by the sum of the weights). The first update fixes units until
 * anneal_metric_reset.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (y_true or y_pred NULL);
 * ANNEAL_E_INVALID_ARGUMENT (rows or units < 1, units other than the first update's, a value that is not
 * finite, a class index that is not an integer in [0, units), a negative or non-finite weight; nothing is
 * added).
 */
int32_t anneal_metric_update(anneal_metric *metric, const float *y_true, const float *y_pred, int64_t rows,
                             int32_t units, const float *sample_weight);

/**
 * The metric over every row added since the last reset, as fit logs it (Keras's result); 0 before any.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER (out_value NULL).
 */
int32_t anneal_metric_result(anneal_metric *metric, double *out_value);

/**
 * The columns anneal_metric_update's y_true has for `units` outputs: 1 for the class-index metrics, units
 * otherwise. Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY; ANNEAL_E_NULL_POINTER
 * (out_columns NULL); ANNEAL_E_INVALID_ARGUMENT (units < 1).
 */
int32_t anneal_metric_label_columns(anneal_metric *metric, int32_t units, int32_t *out_columns);

/**
 * Forgets every update (Keras's reset_state).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE; ANNEAL_E_BUSY.
 */
int32_t anneal_metric_reset(anneal_metric *metric);

/**
 * Adds other's state to metric's (Keras's merge_state); other is unchanged (it may be metric itself).
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_HANDLE (metric or other); ANNEAL_E_BUSY; ANNEAL_E_INVALID_ARGUMENT
 * (another metric or other parameters, another number of outputs).
 */
int32_t anneal_metric_merge(anneal_metric *metric, const anneal_metric *other);

/* ======================================================================================================
 * The calling thread
 * ====================================================================================================== */

/**
 * How many threads the calling thread's later training calls (fits, sessions, evaluate, predict) compute on:
 * 1 keeps all of their work on the calling thread, never using the library's helper thread (see CONVENTIONS,
 * Threads), as ANNEAL_THREADS=1 does for the whole process; 0 is the default (the helper shares big products
 * and a small model's validation when the process may run on 2 or more CPUs and ANNEAL_THREADS is not 1).
 * Meant for a program that trains one model per core on threads of its own, where the helper would only take
 * CPU from the other threads. Per thread: other threads are unaffected, and every thread starts at 0. Takes
 * effect at the calling thread's next product; never changes a result.
 * Returns ANNEAL_OK; ANNEAL_E_INVALID_ARGUMENT (threads neither 0 nor 1). Thread-safe.
 */
int32_t anneal_calling_thread_set_threads(int32_t threads);

/**
 * The calling thread's setting of anneal_calling_thread_set_threads (0 unless it was set on this thread).
 * Returns ANNEAL_OK; ANNEAL_E_NULL_POINTER (out_threads NULL). Thread-safe.
 */
int32_t anneal_calling_thread_threads(int32_t *out_threads);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ANNEAL_H */
