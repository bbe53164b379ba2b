/*
 * saving.c: misuse of the weights-file and model-file functions; every file error names its file.
 * Usage: saving PATH/TO/ionosphere.csv DIRECTORY
 */
#define _DEFAULT_SOURCE /* truncate */
#include "misuse.h"

#include <unistd.h>

/* The CRC-32 of zlib (reflected 0xEDB88320), as the weights file's last four bytes hold it. */
static uint32_t crc32_of(const unsigned char *bytes, size_t count) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < count; i++) {
        crc ^= bytes[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

static size_t put32(unsigned char *at, uint32_t value) {
    for (int i = 0; i < 4; i++) at[i] = (unsigned char)(value >> (8 * i));
    return 4;
}

static size_t put64(unsigned char *at, uint64_t value) {
    for (int i = 0; i < 8; i++) at[i] = (unsigned char)(value >> (8 * i));
    return 8;
}

/* A valid weights file (checksum included) holding one [1, 1] kernel whose value has bit pattern `bits`. */
static void write_weights_file(const char *path, uint32_t bits) {
    unsigned char bytes[64];
    size_t n = 0;
    memcpy(bytes, "ANNEALW", 8);
    n = 8;
    n += put32(bytes + n, 1);  /* version */
    n += put32(bytes + n, 1);  /* tensors */
    n += put32(bytes + n, 2);  /* rank */
    n += put64(bytes + n, 1);
    n += put64(bytes + n, 1);
    n += put32(bytes + n, bits);
    n += put32(bytes + n, crc32_of(bytes, n));
    FILE *file = fopen(path, "wb");
    if (file == NULL || fwrite(bytes, 1, n, file) != n) exit(3);
    fclose(file);
}

/* Dense(1, input_dim 1, no bias): one [1, 1] kernel. */
static anneal_model *one_weight_model(void) {
    anneal_model *model = NULL;
    EXPECT(ANNEAL_OK, anneal_model_create(1, &model), "");
    EXPECT(ANNEAL_OK, add_dense_layer(model, 1, 0, 0, 1, false, 1), "");
    return model;
}

int main(int argc, char **argv) {
    misuse_start(argc, argv);
    anneal_model *model = one_weight_model(), *loaded = (anneal_model *)&loaded, *unbuilt = NULL, *wide = NULL;
    anneal_sgd *sgd = NULL;
    char path[600], missing[600], nowhere[600];
    snprintf(missing, sizeof missing, "%s/missing.weights", misuse_directory);
    snprintf(nowhere, sizeof nowhere, "%s/no/such/folder/file.weights", misuse_directory);
    EXPECT(ANNEAL_OK, anneal_model_create(1, &unbuilt), "");
    EXPECT(ANNEAL_OK, add_dense_layer(unbuilt, 1, 0, 0, 1, false, 0), "");
    EXPECT(ANNEAL_OK, anneal_model_create(1, &wide), "");
    EXPECT(ANNEAL_OK, add_dense_layer(wide, 3, 0, 0, 1, true, 2), "");

    /* Weights files. */
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_save_weights(model, NULL), "path is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_load_weights(model, NULL), "path is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_save_weights(model, "\xff.weights"), "path", "UTF-8");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_load_weights(model, "\xff.weights"), "path", "UTF-8");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_save_weights(model, ""), "path");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_save_weights(unbuilt, missing), "not built");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_save_weights(NULL, missing), "model is NULL");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_load_weights(MADE_UP(anneal_model), missing), "model");
    EXPECT(ANNEAL_E_IO, anneal_model_save_weights(model, nowhere), nowhere);
    EXPECT(ANNEAL_E_IO, anneal_model_save_weights(model, misuse_directory), misuse_directory);
    EXPECT(ANNEAL_E_IO, anneal_model_load_weights(model, missing), missing);
    EXPECT(ANNEAL_E_IO, anneal_model_load_weights(model, misuse_directory), misuse_directory);
    misuse_write_file("empty.weights", "", path, sizeof path);
    EXPECT(ANNEAL_E_CORRUPT_FILE, anneal_model_load_weights(model, path), path);
    misuse_write_file("text.weights", "not a weights file at all, but long enough to hold a header", path, sizeof path);
    EXPECT(ANNEAL_E_CORRUPT_FILE, anneal_model_load_weights(model, path), path);
    snprintf(path, sizeof path, "%s/nan.weights", misuse_directory);
    write_weights_file(path, 0x7FC00000u);
    EXPECT(ANNEAL_E_NON_FINITE, anneal_model_load_weights(model, path), path, "nan");
    snprintf(path, sizeof path, "%s/good.weights", misuse_directory);
    write_weights_file(path, 0x3F800000u);
    EXPECT(ANNEAL_OK, anneal_model_load_weights(model, path), "");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_load_weights(wide, path), path, "weights file holds 1 weight",
           "the model has 2 weights");
    snprintf(path, sizeof path, "%s/wide.model", misuse_directory);
    EXPECT(ANNEAL_OK, anneal_model_save(wide, path), "");
    EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_model_load_weights(model, path), path, "model file holds 2 weights",
           "the model has 1 weight");
    snprintf(path, sizeof path, "%s/good.weights", misuse_directory);
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_load_weights(unbuilt, path), path);
    {
        /* A byte changed: the checksum catches it. */
        FILE *file = fopen(path, "r+b");
        if (file == NULL) exit(3);
        fseek(file, 30, SEEK_SET);
        fputc(0x55, file);
        fclose(file);
        EXPECT(ANNEAL_E_CORRUPT_FILE, anneal_model_load_weights(model, path), path);
    }

    /* Model files. */
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_save(model, NULL), "path is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_save(model, "\xfe"), "path", "UTF-8");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_save(NULL, missing), "model is NULL");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_save((anneal_model *)((uintptr_t)model + 8), missing), "model");
    EXPECT(ANNEAL_E_IO, anneal_model_save(model, nowhere), nowhere);
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_load(NULL, &loaded), "path is NULL");
    CHECK(loaded == NULL);
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_load(missing, NULL), "out_model");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_load("\xc3", &loaded), "path", "UTF-8");
    EXPECT(ANNEAL_E_IO, anneal_model_load(missing, &loaded), missing);
    EXPECT(ANNEAL_E_IO, anneal_model_load(misuse_directory, &loaded), misuse_directory);
    misuse_write_file("text.model", "ANNEAL? no: a text file", path, sizeof path);
    EXPECT(ANNEAL_E_CORRUPT_FILE, anneal_model_load(path, &loaded), path);
    snprintf(path, sizeof path, "%s/good.weights", misuse_directory);
    write_weights_file(path, 0x3F800000u);
    EXPECT(ANNEAL_E_CORRUPT_FILE, anneal_model_load(path, &loaded), path);
    CHECK(loaded == NULL);

    /* A model with Dropout is saved whole, and loads back. */
    EXPECT(ANNEAL_OK, anneal_model_add_dropout(wide, 0.5, NULL), "");
    snprintf(path, sizeof path, "%s/dropout.model", misuse_directory);
    EXPECT(ANNEAL_OK, anneal_model_save(wide, path), "");
    EXPECT(ANNEAL_OK, anneal_model_load(path, &loaded), "");
    CHECK(loaded != NULL);
    anneal_model_free(loaded);
    loaded = NULL;

    /* An optimizer following a schedule a model file cannot hold: said without Swift's type names. */
    {
        anneal_model *scheduled = one_weight_model();
        anneal_schedule *step = NULL;
        anneal_sgd *follows = NULL;
        char text[16];
        EXPECT(ANNEAL_OK, anneal_schedule_step_lr(0.1, 5, 0.5, ANNEAL_UNIT_UPDATE, &step), "");
        EXPECT(ANNEAL_OK, anneal_sgd_create_scheduled(step, 0, 0, false, &follows), "");
        EXPECT(ANNEAL_OK, compile_with_sgd(scheduled, follows, ANNEAL_LOSS_MEAN_SQUARED_ERROR, NULL, 0), "");
        snprintf(path, sizeof path, "%s/scheduled.model", misuse_directory);
        EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_save(scheduled, path), "a schedule a model file cannot hold");
        CHECK(strstr(anneal_last_error(), "UnitOverride") == NULL && strstr(anneal_last_error(), "StepLR") == NULL);
        EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_description(scheduled, text, sizeof text, NULL),
               "a schedule a model file cannot hold");
        anneal_schedule_free(step);
        anneal_sgd_free(follows);
        anneal_model_free(scheduled);
    }

    /* A good round trip, then a truncated copy. */
    snprintf(path, sizeof path, "%s/good.model", misuse_directory);
    EXPECT(ANNEAL_OK, anneal_sgd_create(0.1, 0.9, 0, true, &sgd), "");
    EXPECT(ANNEAL_OK, compile_with_sgd(model, sgd, ANNEAL_LOSS_MEAN_SQUARED_ERROR, NULL, 0), "");
    EXPECT(ANNEAL_OK, anneal_model_save(model, path), "");
    EXPECT(ANNEAL_OK, anneal_model_load(path, &loaded), "");
    anneal_model_free(loaded);
    {
        FILE *file = fopen(path, "r+b");
        if (file == NULL) exit(3);
        fseek(file, 0, SEEK_END);
        long size = ftell(file);
        fclose(file);
        if (truncate(path, size / 2) != 0) exit(3);
        EXPECT(ANNEAL_E_CORRUPT_FILE, anneal_model_load(path, &loaded), path);
        EXPECT(ANNEAL_E_CORRUPT_FILE, anneal_model_load_weights(model, path), path);
    }
    anneal_sgd_free(sgd);
    anneal_model_free(model);
    anneal_model_free(unbuilt);
    anneal_model_free(wide);
    return misuse_finish("saving");
}
