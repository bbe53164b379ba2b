/*
 * dataset.c: misuse of the dataset functions (load, create, queries, copies, one-hot), and file errors
 * naming their file. Usage: dataset PATH/TO/ionosphere.csv DIRECTORY
 */
#include "misuse.h"

/* Calls every query of a handle that is not a live dataset; each must be ANNEAL_E_INVALID_HANDLE. */
static void refused_everywhere(const anneal_dataset *handle, const char *text) {
    int64_t rows = 0, length = 0;
    int32_t count = 0;
    float buffer[4];
    char name[8];
    anneal_dataset *made = NULL;
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_dataset_rows(handle, &rows), "dataset", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_dataset_features(handle, &count), "dataset", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_dataset_class_count(handle, &count), "dataset", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_dataset_label_columns(handle, &count), "dataset", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_dataset_class_name(handle, 0, name, sizeof name, &length), "dataset", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_dataset_feature_name(handle, 0, name, sizeof name, &length), "dataset", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_dataset_copy_features(handle, buffer, 4), "dataset", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_dataset_copy_labels(handle, buffer, 4), "dataset", text);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_dataset_one_hot(handle, 2, &made), "dataset", text);
    CHECK(made == NULL);
    CHECK(rows == 0 && count == 0 && length == 0);
}

static void load_csv(const char *ionosphere) {
    anneal_dataset *data = (anneal_dataset *)&data; /* garbage: a failed constructor must write NULL */
    char path[256];
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_load_csv(NULL, -1, ANNEAL_CSV_HEADER_AUTO, &data), "path is NULL");
    CHECK(data == NULL);
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_load_csv(ionosphere, -1, ANNEAL_CSV_HEADER_AUTO, NULL), "out_dataset");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_load_csv(ionosphere, -1, 3, &data), "header_mode", "header_mode=3");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_load_csv(ionosphere, -1, -1, &data), "header_mode=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_load_csv(ionosphere, 35, ANNEAL_CSV_HEADER_AUTO, &data),
           "label_column", "35");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_load_csv(ionosphere, INT32_MIN, ANNEAL_CSV_HEADER_AUTO, &data),
           "label_column");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_load_csv("\xff\xfe.csv", -1, ANNEAL_CSV_HEADER_AUTO, &data),
           "path", "UTF-8");
    CHECK(data == NULL);

    /* Every file error names its file. */
    snprintf(path, sizeof path, "%s/missing.csv", misuse_directory);
    EXPECT(ANNEAL_E_IO, anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_AUTO, &data), path);
    EXPECT(ANNEAL_E_IO, anneal_dataset_load_csv(misuse_directory, -1, ANNEAL_CSV_HEADER_AUTO, &data), misuse_directory);
    misuse_write_file("ragged.csv", "1,2,0\n3,4\n", path, sizeof path);
    EXPECT(ANNEAL_E_PARSE, anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_AUTO, &data), path, ":2:");
    misuse_write_file("typo.csv", "1,2.O,0\n3,4,1\n", path, sizeof path);
    EXPECT(ANNEAL_E_PARSE, anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_AUTO, &data), path, ":1:");
    misuse_write_file("nan.csv", "1,nan,0\n", path, sizeof path);
    EXPECT(ANNEAL_E_NON_FINITE, anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_ABSENT, &data), path, "nan");
    misuse_write_file("huge.csv", "1,1e39,0\n", path, sizeof path);
    EXPECT(ANNEAL_E_NON_FINITE, anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_ABSENT, &data), path);
    misuse_write_file("empty.csv", "", path, sizeof path);
    EXPECT(ANNEAL_E_PARSE, anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_AUTO, &data), path);
    misuse_write_file("quote.csv", "1,\"2,0\n", path, sizeof path);
    EXPECT(ANNEAL_E_PARSE, anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_AUTO, &data), path);
    CHECK(data == NULL);
}

static void create(void) {
    float x[6] = {1, 2, 3, 4, 5, 6}, y[3] = {0, 1, 0}, bad[6] = {1, 2, 3, 4, 5, INFINITY};
    anneal_dataset *data = (anneal_dataset *)&data;
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_create(NULL, y, 3, 2, &data), "features is NULL");
    CHECK(data == NULL);
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_create(x, NULL, 3, 2, &data), "labels is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_create(x, y, 3, 2, NULL), "out_dataset");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create(x, y, 0, 2, &data), "rows", "rows=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create(x, y, -1, 2, &data), "rows=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create(x, y, 3, 0, &data), "features_per_row=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create(x, y, 3, -5, &data), "features_per_row=-5");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create(x, y, INT64_MAX, INT32_MAX, &data),
           "rows x features_per_row");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create(x, y, INT64_MAX / 2, 1, &data), "rows");
    EXPECT(ANNEAL_E_NON_FINITE, anneal_dataset_create(bad, y, 3, 2, &data), "features");
    CHECK(data == NULL);

    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_create_labels(NULL, y, 3, 2, 1, &data), "features is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_create_labels(x, NULL, 3, 2, 1, &data), "labels is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_create_labels(x, y, 3, 2, 1, NULL), "out_dataset");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create_labels(x, y, 0, 2, 1, &data), "rows=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create_labels(x, y, 3, 0, 1, &data), "features_per_row=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create_labels(x, y, 3, 2, 0, &data), "label_columns=0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create_labels(x, y, 3, 2, -1, &data), "label_columns=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_create_labels(x, y, INT64_MAX / 8, 1, INT32_MAX, &data),
           "label_columns");
    EXPECT(ANNEAL_E_NON_FINITE, anneal_dataset_create_labels(x, bad, 1, 2, 6, &data), "labels");
    CHECK(data == NULL);
}

static void queries(const char *ionosphere) {
    anneal_dataset *data = NULL, *hot = (anneal_dataset *)&hot;
    int64_t rows = 0, length = -1;
    int32_t features = 0;
    float one[1];
    char name[4];
    EXPECT(ANNEAL_OK, anneal_dataset_load_csv(ionosphere, -1, ANNEAL_CSV_HEADER_AUTO, &data), "");
    EXPECT(ANNEAL_OK, anneal_dataset_rows(data, &rows), "");
    EXPECT(ANNEAL_OK, anneal_dataset_features(data, &features), "");
    CHECK(rows == 351 && features == 34);
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_rows(data, NULL), "out_rows");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_features(data, NULL), "out_features");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_class_count(data, NULL), "out_count");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_label_columns(data, NULL), "out_columns");

    /* Copy-out strings: index range, size query, NULL buffer with a capacity, too small. */
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_class_name(data, 2, name, sizeof name, &length), "index", "2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_class_name(data, -1, name, sizeof name, &length), "index");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_class_name(data, INT32_MAX, name, sizeof name, &length), "index");
    EXPECT(ANNEAL_OK, anneal_dataset_class_name(data, 0, NULL, 0, &length), "");
    CHECK(length == 1);
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_class_name(data, 0, NULL, 8, &length), "buffer");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_dataset_class_name(data, 0, name, 1, &length), "buffer holds");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_class_name(data, 0, name, -1, &length), "capacity");
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_dataset_feature_name(data, 0, name, sizeof name, &length), "header");
    {
        char path[600];
        anneal_dataset *named = NULL;
        misuse_write_file("named.csv", "width,height,label\n1,2,x\n3,4,y\n", path, sizeof path);
        EXPECT(ANNEAL_OK, anneal_dataset_load_csv(path, -1, ANNEAL_CSV_HEADER_AUTO, &named), "");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_feature_name(named, 2, name, sizeof name, &length), "index");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_feature_name(named, -1, name, sizeof name, &length), "index");
        EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_dataset_feature_name(named, 0, name, 2, &length), "buffer holds");
        CHECK(length == 5);
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_feature_name(named, 0, NULL, 8, NULL), "buffer");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_feature_name(named, 0, name, -1, NULL), "capacity");
        anneal_dataset_free(named);
    }

    /* Copy-out floats. */
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_copy_features(data, NULL, 351 * 34), "buffer");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_dataset_copy_features(data, one, 1), "buffer holds");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_dataset_copy_features(data, one, -1), "buffer holds");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_dataset_copy_features(data, one, INT64_MIN), "buffer holds");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_copy_labels(data, NULL, 351), "buffer");
    EXPECT(ANNEAL_E_BUFFER_TOO_SMALL, anneal_dataset_copy_labels(data, one, 1), "buffer holds");

    /* One-hot. */
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_dataset_one_hot(data, 0, NULL), "out_dataset");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_one_hot(data, -1, &hot), "class_count", "-1");
    CHECK(hot == NULL);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_one_hot(data, 1, &hot), "row");
    EXPECT(ANNEAL_OK, anneal_dataset_one_hot(data, 0, &hot), "");
    {
        anneal_dataset *twice = (anneal_dataset *)&twice;
        EXPECT(ANNEAL_E_SHAPE_MISMATCH, anneal_dataset_one_hot(hot, 2, &twice), "label column");
        CHECK(twice == NULL);
    }

    /* A dataset made from arrays: no names, no classes. */
    {
        float x[2] = {1, 2}, y[1] = {0.5f};
        anneal_dataset *arrays = NULL;
        EXPECT(ANNEAL_OK, anneal_dataset_create(x, y, 1, 2, &arrays), "");
        EXPECT(ANNEAL_E_INVALID_STATE, anneal_dataset_feature_name(arrays, 0, name, sizeof name, NULL), "feature names");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_class_name(arrays, 0, name, sizeof name, NULL), "index");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_one_hot(arrays, 0, &hot), "class_count");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_dataset_one_hot(arrays, 2, &hot), "row 0");
        anneal_dataset_free(arrays);
    }

    /* Bad handles: NULL, another kind, never created, freed (twice). */
    {
        anneal_model *model = NULL;
        int local = 0;
        EXPECT(ANNEAL_OK, anneal_model_create(1, &model), "");
        refused_everywhere(NULL, "NULL");
        refused_everywhere((const anneal_dataset *)model, "anneal_model");
        refused_everywhere(MADE_UP(anneal_dataset), "not a live handle");
        refused_everywhere((const anneal_dataset *)&local, "not a live handle");
        anneal_model_free(model);
        anneal_dataset_free((anneal_dataset *)model); /* a model freed as a dataset: nothing */
    }
    anneal_dataset_free(hot);
    anneal_dataset_free(data);
    refused_everywhere(data, "not a live handle");
    anneal_dataset_free(data);
    anneal_dataset_free(NULL);
    anneal_dataset_free(MADE_UP(anneal_dataset));
}

int main(int argc, char **argv) {
    const char *ionosphere = misuse_start(argc, argv);
    load_csv(ionosphere);
    create();
    queries(ionosphere);
    return misuse_finish("dataset");
}
