/*
 * metric.c: misuse of the metric objects (anneal_metric_*).
 * Usage: metric PATH/TO/ionosphere.csv DIRECTORY
 */
#include "misuse.h"

/* A model of one softmax layer of `units` on 2 inputs, not yet compiled. */
static anneal_model *uncompiled_model(int32_t units) {
    anneal_model *model = NULL;
    EXPECT(ANNEAL_OK, anneal_model_create(3, &model), "");
    EXPECT(ANNEAL_OK, add_dense_layer(model, units, ANNEAL_ACTIVATION_SOFTMAX, ANNEAL_INITIALIZER_GLOROT_UNIFORM,
                                      ANNEAL_INITIALIZER_ZEROS, true, 2), "");
    return model;
}

/* Compiles `model` with SGD, categorical cross-entropy and the metrics precision (index 0) and auc (index 1). */
static void compile_precision_auc(anneal_model *model) {
    anneal_sgd *sgd = NULL;
    const char *metrics[2] = {"precision", "auc"};
    EXPECT(ANNEAL_OK, anneal_sgd_create(0.1, 0, 0, false, &sgd), "");
    EXPECT(ANNEAL_OK, compile_with_sgd(model, sgd, ANNEAL_LOSS_CATEGORICAL_CROSSENTROPY, metrics, 2), "");
    anneal_sgd_free(sgd);
}

static void create(void) {
    anneal_metric *made = (anneal_metric *)(uintptr_t)1;
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_metric_create(NULL, 0.5, 5, 200, ANNEAL_CURVE_ROC, &made), "metric is NULL");
    CHECK(made == NULL);
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_metric_create("auc", 0.5, 5, 200, ANNEAL_CURVE_ROC, NULL), "out_metric");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_create("no_such_metric", 0.5, 5, 200, ANNEAL_CURVE_ROC, &made),
           "no_such_metric");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_create("\xc3\x28", 0.5, 5, 200, ANNEAL_CURVE_ROC, &made), "metric",
           "UTF-8");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_create("accuracy", 0.5, 5, 200, ANNEAL_CURVE_ROC, &made),
           "accuracy", "binary_accuracy");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_create("precision", NAN, 5, 200, ANNEAL_CURVE_ROC, &made),
           "threshold");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_create("top_k_categorical_accuracy", 0.5, 0, 200, ANNEAL_CURVE_ROC,
                                                           &made), "k", "0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_create("auc", 0.5, 5, 1, ANNEAL_CURVE_ROC, &made), "num_thresholds");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_create("auc", 0.5, 5, 200, 9, &made), "curve", "9");
    CHECK(made == NULL);
    /* A state that cannot be allocated is a status. */
    EXPECT(ANNEAL_E_OUT_OF_MEMORY, anneal_metric_create("auc", 0.5, 5, INT32_MAX, ANNEAL_CURVE_ROC, &made),
           "anneal_metric_create");
    CHECK(made == NULL);
}

static void use(void) {
    anneal_metric *auc = NULL, *other = NULL, *sparse = NULL;
    EXPECT(ANNEAL_OK, anneal_metric_create("AUC", 0.5, 5, 200, ANNEAL_CURVE_ROC, &auc), "");
    EXPECT(ANNEAL_OK, anneal_metric_create("recall", 0.5, 5, 200, ANNEAL_CURVE_ROC, &other), "");
    EXPECT(ANNEAL_OK, anneal_metric_create("sparse_categorical_accuracy", 0.5, 5, 200, ANNEAL_CURVE_ROC, &sparse), "");
    float *labels = malloc(4 * sizeof(float)), *scores = malloc(4 * sizeof(float)), *weights = malloc(4 * sizeof(float));
    const float label_values[4] = {0, 0, 1, 1}, score_values[4] = {0.1f, 0.4f, 0.35f, 0.8f};
    memcpy(labels, label_values, sizeof label_values);
    memcpy(scores, score_values, sizeof score_values);
    double value = -1;
    int32_t columns = -1;

    EXPECT(ANNEAL_OK, anneal_metric_result(auc, &value), "");
    CHECK(value == 0);
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_metric_update(auc, NULL, scores, 4, 1, NULL), "y_true is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_metric_update(auc, labels, NULL, 4, 1, NULL), "y_pred is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_update(auc, labels, scores, 0, 1, NULL), "rows", "0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_update(auc, labels, scores, 4, 0, NULL), "units", "0");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_update(auc, labels, scores, INT64_MAX, 2, NULL), "rows");
    scores[1] = NAN;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_update(auc, labels, scores, 4, 1, NULL), "y_pred[1][0]", "finite");
    scores[1] = 0.4f;
    labels[2] = INFINITY;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_update(auc, labels, scores, 4, 1, NULL), "y_true[2][0]", "finite");
    labels[2] = 1;
    for (int i = 0; i < 4; i++) weights[i] = 1;
    weights[3] = -2;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_update(auc, labels, scores, 4, 1, weights), "sample_weight[3]");
    EXPECT(ANNEAL_OK, anneal_metric_result(auc, &value), "");
    CHECK(value == 0); /* nothing was added */

    EXPECT(ANNEAL_OK, anneal_metric_update(auc, labels, scores, 4, 1, NULL), "");
    EXPECT(ANNEAL_OK, anneal_metric_result(auc, &value), "");
    CHECK(fabs(value - 0.75) < 1e-6);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_update(auc, labels, scores, 2, 2, NULL), "2 columns", "1");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_metric_result(auc, NULL), "out_value");
    EXPECT(ANNEAL_OK, anneal_metric_merge(auc, auc), "");
    EXPECT(ANNEAL_OK, anneal_metric_result(auc, &value), "");
    CHECK(fabs(value - 0.75) < 1e-6);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_merge(auc, other), "merge");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_metric_merge(auc, NULL), "other");
    EXPECT(ANNEAL_OK, anneal_metric_reset(auc), "");
    EXPECT(ANNEAL_OK, anneal_metric_result(auc, &value), "");
    CHECK(value == 0);
    weights[3] = 2;
    EXPECT(ANNEAL_OK, anneal_metric_update(other, labels, scores, 4, 1, weights), "");
    EXPECT(ANNEAL_OK, anneal_metric_result(other, &value), "");
    CHECK(fabs(value - 2.0 / 3.0) < 1e-6); /* recall at 0.5: 0.8 (weight 2) of 0.35 (1) and 0.8 (2) */

    /* Class indices: one label column, each an integer in [0, units). */
    EXPECT(ANNEAL_OK, anneal_metric_label_columns(sparse, 2, &columns), "");
    CHECK(columns == 1);
    EXPECT(ANNEAL_OK, anneal_metric_label_columns(auc, 3, &columns), "");
    CHECK(columns == 3);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_label_columns(auc, 0, &columns), "units");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_metric_label_columns(auc, 1, NULL), "out_columns");
    labels[0] = 2;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_update(sparse, labels, scores, 2, 2, NULL), "y_true[0]",
           "class index");
    labels[0] = 1;
    EXPECT(ANNEAL_OK, anneal_metric_update(sparse, labels, scores, 2, 2, NULL), "");
    EXPECT(ANNEAL_OK, anneal_metric_result(sparse, &value), "");
    CHECK(value == 0.5); /* argmaxes 1 ({0.1, 0.4}) and 1 ({0.35, 0.8}) against labels 1 and 0 */

    /* Handles: NULL, freed, of another kind, never made. */
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_metric_update(NULL, labels, scores, 4, 1, NULL), "metric");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_metric_result(MADE_UP(anneal_metric), &value), "metric");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_metric_reset(NULL), "metric");
    anneal_schedule *schedule = NULL;
    EXPECT(ANNEAL_OK, anneal_schedule_time_decay(0.1, 0.5, ANNEAL_UNIT_DEFAULT, &schedule), "");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_metric_reset((anneal_metric *)schedule), "anneal_schedule",
           "anneal_metric");
    anneal_metric_free((anneal_metric *)schedule); /* a schedule freed as a metric: nothing */
    anneal_schedule_free(schedule);
    anneal_metric_free(other);
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_metric_merge(auc, other), "other", "not a live handle");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_metric_reset(other), "not a live handle");
    anneal_metric_free(other);
    anneal_metric_free(NULL);
    anneal_metric_free(MADE_UP(anneal_metric));
    anneal_metric_free(auc);
    anneal_metric_free(sparse);
    free(labels);
    free(scores);
    free(weights);
}

/* top_k and class_id of a precision or recall, on a metric object and on a compiled model's metric. */
static void limits(void) {
    anneal_metric *precision = NULL, *auc = NULL;
    EXPECT(ANNEAL_OK, anneal_metric_create("precision", -1e10, 5, 200, ANNEAL_CURVE_ROC, &precision), "");
    EXPECT(ANNEAL_OK, anneal_metric_create("auc", 0.5, 5, 200, ANNEAL_CURVE_ROC, &auc), "");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_top_k(precision, -1, -1), "top_k", "-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_top_k(precision, 0, -2), "class_id", "-2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_top_k(auc, 1, -1), "precision and recall");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_metric_set_top_k(NULL, 1, -1), "metric");
    EXPECT(ANNEAL_OK, anneal_metric_set_top_k(precision, 1, -1), "");
    const float labels[6] = {0, 1, 0, 1, 0, 0}, scores[6] = {0.1f, 0.6f, 0.3f, 0.2f, 0.5f, 0.3f};
    double value = -1;
    EXPECT(ANNEAL_OK, anneal_metric_update(precision, labels, scores, 2, 3, NULL), "");
    EXPECT(ANNEAL_OK, anneal_metric_result(precision, &value), "");
    CHECK(value == 0.5); /* the top outputs: 0.6 (a positive) and 0.5 (a negative) */
    EXPECT(ANNEAL_OK, anneal_metric_set_top_k(precision, 0, 3), ""); /* forgets the update */
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_update(precision, labels, scores, 2, 3, NULL), "class_id", "3");
    EXPECT(ANNEAL_OK, anneal_metric_result(precision, &value), "");
    CHECK(value == 0);
    anneal_metric_free(precision);
    anneal_metric_free(auc);

    anneal_model *model = uncompiled_model(3);
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_set_metric_top_k(model, 0, 1, -1), "anneal_model_compile");
    compile_precision_auc(model);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_top_k(model, 2, 1, -1), "index", "2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_top_k(model, 1, 1, -1), "precision and recall");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_top_k(model, 0, 1, 3), "class_id", "3");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_top_k(model, 0, -4, -1), "top_k", "-4");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_set_metric_top_k(NULL, 0, 1, -1), "model");
    EXPECT(ANNEAL_OK, anneal_model_set_metric_top_k(model, 0, 2, 1), "");
    anneal_model_free(model);
}

/* multi_label, num_labels and label_weights of an auc, on a metric object and on a compiled model's metric. */
static void labels(void) {
    anneal_metric *auc = NULL, *recall = NULL;
    EXPECT(ANNEAL_OK, anneal_metric_create("auc", 0.5, 5, 200, ANNEAL_CURVE_ROC, &auc), "");
    EXPECT(ANNEAL_OK, anneal_metric_create("recall", 0.5, 5, 200, ANNEAL_CURVE_ROC, &recall), "");
    const float weights[2] = {2.0f, 1.0f}, bad[2] = {1.0f, -1.0f};
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_auc_labels(recall, true, 0, NULL, 0), "auc");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_auc_labels(auc, false, 2, NULL, 0), "num_labels",
           "multi_label");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_auc_labels(auc, true, -1, NULL, 0), "num_labels", "-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_auc_labels(auc, true, 3, weights, 2), "num_labels=3");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_auc_labels(auc, true, 0, bad, 2), "label_weights");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_auc_labels(auc, true, 0, weights, -2), "label_weight_count");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_metric_set_auc_labels(auc, true, 0, NULL, 2), "label_weights is NULL");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_metric_set_auc_labels(NULL, true, 0, NULL, 0), "metric");
    EXPECT(ANNEAL_E_OUT_OF_MEMORY, anneal_metric_set_auc_labels(auc, true, INT32_MAX, NULL, 0),
           "anneal_metric_set_auc_labels");
    EXPECT(ANNEAL_OK, anneal_metric_set_auc_labels(auc, true, 0, weights, 2), "");
    /* Two labels, each perfectly ranked: both areas 1. */
    const float labels[8] = {1, 0, 0, 1, 1, 0, 0, 1}, scores[8] = {0.9f, 0.2f, 0.1f, 0.8f, 0.7f, 0.3f, 0.4f, 0.6f};
    double value = -1;
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_update(auc, labels, scores, 2, 4, NULL), "label_weights");
    EXPECT(ANNEAL_OK, anneal_metric_update(auc, labels, scores, 4, 2, NULL), "");
    EXPECT(ANNEAL_OK, anneal_metric_result(auc, &value), "");
    CHECK(fabs(value - 1.0) < 1e-6);
    anneal_metric_free(auc);
    anneal_metric_free(recall);

    anneal_model *model = uncompiled_model(2);
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_set_metric_auc_labels(model, 1, true, NULL, 0), "anneal_model_compile");
    compile_precision_auc(model);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_auc_labels(model, 0, true, NULL, 0), "auc");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_auc_labels(model, 2, true, NULL, 0), "index", "2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_auc_labels(model, 1, true, weights, 1),
           "label_weights", "2 outputs");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_set_metric_auc_labels(model, 1, false, NULL, 2), "label_weights");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_set_metric_auc_labels(NULL, 1, true, NULL, 0), "model");
    EXPECT(ANNEAL_OK, anneal_model_set_metric_auc_labels(model, 1, true, weights, 2), "");
    EXPECT(ANNEAL_OK, anneal_model_set_metric_auc_labels(model, 1, false, weights, 2), "");
    anneal_model_free(model);
}

/* summation_method, thresholds and from_logits of an auc, on a metric object and on a compiled model's metric. */
static void methods(void) {
    anneal_metric *auc = NULL, *recall = NULL;
    EXPECT(ANNEAL_OK, anneal_metric_create("auc", 0.5, 5, 200, ANNEAL_CURVE_ROC, &auc), "");
    EXPECT(ANNEAL_OK, anneal_metric_create("recall", 0.5, 5, 200, ANNEAL_CURVE_ROC, &recall), "");
    const float thresholds[1] = {0.4f}, bad[2] = {0.2f, NAN};
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_auc_method(recall, ANNEAL_SUMMATION_MINORING, NULL, 0, false),
           "auc");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_auc_method(auc, 7, NULL, 0, false), "summation_method", "7");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_auc_method(auc, ANNEAL_SUMMATION_INTERPOLATION, thresholds, -1,
                                                                   false), "threshold_count", "-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_set_auc_method(auc, ANNEAL_SUMMATION_INTERPOLATION, bad, 2, false),
           "thresholds", "nan");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_metric_set_auc_method(auc, ANNEAL_SUMMATION_INTERPOLATION, NULL, 2, false),
           "thresholds is NULL");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_metric_set_auc_method(NULL, ANNEAL_SUMMATION_INTERPOLATION, NULL, 0, false),
           "metric");
    EXPECT(ANNEAL_OK, anneal_metric_set_auc_method(auc, ANNEAL_SUMMATION_MAJORING, thresholds, 1, false), "");
    /* Labels 1, 0, 1, 0 at 0.7, 0.6, -0.3, 1.5, counted unclipped at -1e-7, 0.4, 1 + 1e-7: majoring gives 1/4. */
    const float labels[4] = {1, 0, 1, 0}, scores[4] = {0.7f, 0.6f, -0.3f, 1.5f};
    double value = -1;
    EXPECT(ANNEAL_OK, anneal_metric_update(auc, labels, scores, 4, 1, NULL), "");
    EXPECT(ANNEAL_OK, anneal_metric_result(auc, &value), "");
    CHECK(fabs(value - 0.25) < 1e-6);
    anneal_metric_free(auc);
    anneal_metric_free(recall);

    anneal_model *model = uncompiled_model(2);
    EXPECT(ANNEAL_E_INVALID_STATE, anneal_model_set_metric_auc_method(model, 1, ANNEAL_SUMMATION_MINORING, NULL, 0,
                                                                      false), "anneal_model_compile");
    compile_precision_auc(model);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_auc_method(model, 0, ANNEAL_SUMMATION_MINORING, NULL, 0,
                                                                         false), "auc");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_auc_method(model, 2, ANNEAL_SUMMATION_MINORING, NULL, 0,
                                                                         false), "index", "2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_model_set_metric_auc_method(model, 1, -1, NULL, 0, false),
           "summation_method");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_set_metric_auc_method(model, 1, ANNEAL_SUMMATION_MINORING, NULL, 1,
                                                                     false), "thresholds");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_model_set_metric_auc_method(NULL, 1, ANNEAL_SUMMATION_MINORING, NULL, 0,
                                                                       false), "model");
    EXPECT(ANNEAL_OK, anneal_model_set_metric_auc_method(model, 1, ANNEAL_SUMMATION_MINORING, thresholds, 1, true), "");
    EXPECT(ANNEAL_OK, anneal_model_set_metric_auc_labels(model, 1, true, NULL, 0), "");
    EXPECT(ANNEAL_OK, anneal_model_set_metric_auc_method(model, 1, ANNEAL_SUMMATION_INTERPOLATION, NULL, 0, false), "");
    anneal_model_free(model);
}

int main(int argc, char **argv) {
    misuse_start(argc, argv);
    create();
    use();
    limits();
    labels();
    methods();
    return misuse_finish("metric");
}
