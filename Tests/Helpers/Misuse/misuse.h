/*
 * misuse.h: the checks shared by the misuse programs (the .c files beside it).
 *
 * Each program drives one part of include/anneal.h with NULLs, bad handles (NULL, freed, of another kind,
 * never created), bad enum values, wrong shapes and extreme sizes, and checks for every call:
 * - the exact status the header documents;
 * - the message of anneal_last_error(): "" after success, otherwise non-empty, containing the given texts
 *   (the C function's or argument's name, the value received), and free of Swift's words (camelCase
 *   names, Swift type names such as Float or Int, "nil", "a anneal_", Swift call syntax).
 * A failed check prints "FAIL file:line: ..." on stdout; the program exits 1 when any check failed, 0
 * otherwise. Nothing is printed on stderr: there, only the library or a sanitizer could write.
 *
 * AnnealExportTests (MisuseTests) compiles each program with -std=c11 -Wall -Wextra -Werror -pedantic
 * -fsanitize=address,undefined -fno-sanitize-recover=all, runs it in a child process and expects exit 0 and
 * an empty stderr. It also checks that every function the header declares is called by some program here.
 */
#ifndef MISUSE_H
#define MISUSE_H

#include <anneal.h>

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int misuse_failures;
static int misuse_checks;

/* anneal_model_add_dense with the layer's settings as arguments, through an anneal_dense_options. */
static inline int32_t add_dense_layer(anneal_model *model, int32_t units, int32_t activation, int32_t kernel_initializer,
                                      int32_t bias_initializer, bool use_bias, int32_t input_dim) {
    anneal_dense_options options = ANNEAL_DENSE_OPTIONS_INIT;
    options.activation = activation;
    options.kernel_initializer = kernel_initializer;
    options.bias_initializer = bias_initializer;
    options.use_bias = use_bias;
    options.input_dim = input_dim;
    return anneal_model_add_dense(model, units, &options);
}

/* anneal_model_compile with an SGD handle or an optimizer handle (the other NULL), a loss and metric names. */
static inline int32_t compile_named(anneal_model *model, const anneal_sgd *sgd, const anneal_optimizer *optimizer,
                                    int32_t loss, const char *const *names, int32_t count) {
    anneal_compile_options options = ANNEAL_COMPILE_OPTIONS_INIT;
    options.sgd = sgd;
    options.optimizer = optimizer;
    options.loss = loss;
    options.metric_names = names;
    options.metric_name_count = count;
    return anneal_model_compile(model, &options);
}

static inline int32_t compile_with_sgd(anneal_model *model, const anneal_sgd *sgd, int32_t loss,
                                       const char *const *names, int32_t count) {
    return compile_named(model, sgd, NULL, loss, names, count);
}

static inline int32_t compile_with_optimizer(anneal_model *model, const anneal_optimizer *optimizer, int32_t loss,
                                             const char *const *names, int32_t count) {
    return compile_named(model, NULL, optimizer, loss, names, count);
}

/* anneal_model_fit with Keras's fit arguments as arguments, through an anneal_fit_options (seed NULL: none). */
static inline int32_t fit_arrays(anneal_model *model, const float *x, int64_t rows, int32_t cols, const float *y,
                                 int32_t y_cols, int32_t epochs, int32_t batch_size, double validation_split,
                                 bool shuffle, const uint64_t *seed, const anneal_schedule *schedule,
                                 anneal_epoch_callback callback, void *user_data, anneal_history **out_history) {
    anneal_fit_options options = ANNEAL_FIT_OPTIONS_INIT;
    options.epochs = epochs;
    options.batch_size = batch_size;
    options.validation_split = validation_split;
    options.shuffle = shuffle;
    options.has_seed = seed != NULL;
    options.seed = seed != NULL ? *seed : 0;
    options.schedule = schedule;
    options.callback = callback;
    options.user_data = user_data;
    return anneal_model_fit(model, x, rows, cols, y, y_cols, &options, out_history);
}

/* The program's temporary directory (its random name may mix cases): left out of the word check. */
static char misuse_directory[512];

/* Swift's words that a C caller must never read. */
static const char *const misuse_swift_words[] = {
    "Float", "Double", "Int", "Int32", "Int64", "UInt64", "Bool", "String", "nil", "Optional", "Swift",
    "Array", "Sequential", "AnnealError", "CAPIError", NULL,
};

/* Texts that betray Swift's call syntax or a translation slip. */
static const char *const misuse_swift_texts[] = {"a anneal_", "build(", "(_:", ":)", "Fatal error", NULL};

/* The first Swift word or text in `message` (outside the temporary directory's name), copied to `found`. */
static inline int misuse_swift_word(const char *message, char *found, size_t capacity) {
    char text[2048];
    snprintf(text, sizeof text, "%s", message);
    size_t skip = strlen(misuse_directory);
    if (skip > 0) {
        for (char *at = strstr(text, misuse_directory); at != NULL; at = strstr(at + skip, misuse_directory)) {
            memset(at, '/', skip);
        }
    }
    for (int i = 0; misuse_swift_texts[i] != NULL; i++) {
        if (strstr(text, misuse_swift_texts[i]) != NULL) {
            snprintf(found, capacity, "%s", misuse_swift_texts[i]);
            return 1;
        }
    }
    const char *cursor = text;
    while (*cursor != '\0') {
        if (!isalnum((unsigned char)*cursor) && *cursor != '_') {
            cursor++;
            continue;
        }
        const char *start = cursor;
        int upper_inside = 0;
        while (isalnum((unsigned char)*cursor) || *cursor == '_') {
            if (cursor != start && isupper((unsigned char)*cursor)) upper_inside = 1;
            cursor++;
        }
        size_t length = (size_t)(cursor - start);
        /* camelCase: a lower-case start with a capital inside (labelColumn, inputDimension). */
        int camel = islower((unsigned char)*start) && upper_inside;
        int swift = 0;
        for (int i = 0; misuse_swift_words[i] != NULL; i++) {
            if (strlen(misuse_swift_words[i]) == length && strncmp(start, misuse_swift_words[i], length) == 0) swift = 1;
        }
        if (camel || swift) {
            snprintf(found, capacity, "%.*s", (int)length, start);
            return 1;
        }
    }
    return 0;
}

/* Checks one call; use EXPECT. `texts` ends with NULL; "" matches anything. */
static inline void misuse_expect(const char *file, int line, const char *call, int32_t expected, int32_t status,
                          const char *const *texts) {
    const char *message = anneal_last_error();
    misuse_checks++;
    int failed = 0;
    char word[128];
    if (status != expected) {
        printf("FAIL %s:%d: %s\n  expected %d (%s), got %d (%s)\n", file, line, call, (int)expected,
               anneal_status_string(expected), (int)status, anneal_status_string(status));
        failed = 1;
    } else if (status == ANNEAL_OK && message[0] != '\0') {
        printf("FAIL %s:%d: %s\n  succeeded but left a message\n", file, line, call);
        failed = 1;
    } else if (status != ANNEAL_OK && message[0] == '\0') {
        printf("FAIL %s:%d: %s\n  failed with an empty message\n", file, line, call);
        failed = 1;
    }
    for (int i = 0; texts[i] != NULL; i++) {
        if (strstr(message, texts[i]) == NULL) {
            printf("FAIL %s:%d: %s\n  the message lacks \"%s\"\n", file, line, call, texts[i]);
            failed = 1;
        }
    }
    if (misuse_swift_word(message, word, sizeof word)) {
        printf("FAIL %s:%d: %s\n  the message speaks Swift (\"%s\")\n", file, line, call, word);
        failed = 1;
    }
    if (failed) {
        printf("  message: \"%s\"\n", message);
        misuse_failures++;
    }
}

/* EXPECT(status, call, text...): the call returns `status` and its message contains every text. */
#define EXPECT(status, call, ...)                                                                          \
    misuse_expect(__FILE__, __LINE__, #call, (status), (call), (const char *const[]){__VA_ARGS__, NULL})

/* A condition the program needs (a value read back, a handle made). */
#define CHECK(condition)                                                                                    \
    do {                                                                                                    \
        misuse_checks++;                                                                                    \
        if (!(condition)) {                                                                                 \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #condition);                                    \
            misuse_failures++;                                                                              \
        }                                                                                                   \
    } while (0)

/* Handles no Anneal call ever made: a token-like number and an ordinary heap address. The header promises
 * ANNEAL_E_INVALID_HANDLE for a handle "never created", without dereferencing it. */
#define MADE_UP(type) ((type *)(uintptr_t)0x12345670u)

/* Reads the command line, "PROGRAM PATH/TO/ionosphere.csv DIRECTORY" (the directory exists, is empty and
 * is removed by the caller); returns the CSV's path. */
static inline const char *misuse_start(int argc, char **argv) {
    if (argc != 3 || strlen(argv[2]) >= sizeof misuse_directory) {
        printf("usage: %s PATH/TO/ionosphere.csv DIRECTORY\n", argc > 0 ? argv[0] : "misuse");
        exit(2);
    }
    snprintf(misuse_directory, sizeof misuse_directory, "%s", argv[2]);
    return argv[1];
}

/* Writes `text` to the temporary directory's file `name`; returns the path in `path`. */
static inline void misuse_write_file(const char *name, const char *text, char *path, size_t capacity) {
    snprintf(path, capacity, "%s/%s", misuse_directory, name);
    FILE *file = fopen(path, "wb");
    if (file == NULL) {
        printf("FAIL cannot write %s\n", path);
        exit(1);
    }
    fputs(text, file);
    fclose(file);
}

/* Ends the program: the summary on stdout, exit status 1 when a check failed. */
static inline int misuse_finish(const char *program) {
    printf("%s: %d checks, %d failed\n", program, misuse_checks, misuse_failures);
    return misuse_failures == 0 ? 0 : 1;
}

#endif /* MISUSE_H */
