/*
 * names.c: misuse of the version, status and name-lookup functions, and of the calling thread's threads.
 * Usage: names PATH/TO/ionosphere.csv DIRECTORY
 */
#include "misuse.h"

/* One lookup function refused NULLs, unknown names and invalid UTF-8, and accepted a good name. */
static void lookup(int32_t (*from_name)(const char *, int32_t *), const char *good, const char *what) {
    int32_t code = -7;
    EXPECT(ANNEAL_E_NULL_POINTER, from_name(NULL, &code), "name is NULL");
    EXPECT(ANNEAL_E_NULL_POINTER, from_name(good, NULL), "out_code is NULL");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, from_name("no_such_thing", &code), "no_such_thing");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, from_name("\xc3\x28", &code), "name", "UTF-8");
    CHECK(code == -7);
    EXPECT(ANNEAL_OK, from_name(good, &code), "");
    if (code < 0) printf("FAIL %s: \"%s\" gave %d\n", what, good, (int)code);
}

int main(int argc, char **argv) {
    misuse_start(argc, argv);
    CHECK(anneal_version_number() == ANNEAL_VERSION_NUMBER);
    CHECK(strcmp(anneal_version_string(), ANNEAL_VERSION_STRING) == 0);
    CHECK(strcmp(anneal_status_string(-1), "unknown status") == 0);
    CHECK(strcmp(anneal_status_string(INT32_MIN), "unknown status") == 0);
    CHECK(strcmp(anneal_status_string(INT32_MAX), "unknown status") == 0);
    for (int32_t status = ANNEAL_OK; status <= ANNEAL_E_INTERNAL; status++) {
        CHECK(strcmp(anneal_status_string(status), "unknown status") != 0);
    }
    /* The last error survives the calls that do not reset it. */
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_model_create(1, NULL), "out_model");
    (void)anneal_version_number();
    (void)anneal_version_string();
    (void)anneal_status_string(3);
    CHECK(strstr(anneal_last_error(), "out_model") != NULL);

    lookup(anneal_activation_from_name, "relu", "anneal_activation_from_name");
    lookup(anneal_initializer_from_name, "he_normal", "anneal_initializer_from_name");
    lookup(anneal_loss_from_name, "mse", "anneal_loss_from_name");
    lookup(anneal_metric_from_name, "accuracy", "anneal_metric_from_name");
    {
        int32_t code = -7;
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_from_name("mae", &code), "mae");
        CHECK(code == -7);
    }
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_metric_check_name(NULL), "name");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_check_name("no_such_metric"), "no_such_metric");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_metric_check_name("\xc3\x28"), "name", "UTF-8");
    EXPECT(ANNEAL_OK, anneal_metric_check_name("mae"), "");
    EXPECT(ANNEAL_OK, anneal_metric_check_name("AUC"), "");
    /* The calling thread's threads: 0 or 1, anything else refused by name, the setting kept. */
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_calling_thread_set_threads(2), "threads", "threads=2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_calling_thread_set_threads(-1), "threads", "threads=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_calling_thread_set_threads(INT32_MIN), "threads");
    {
        int32_t threads = -7;
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_calling_thread_threads(NULL), "out_threads");
        EXPECT(ANNEAL_OK, anneal_calling_thread_threads(&threads), "");
        CHECK(threads == 0);
        EXPECT(ANNEAL_OK, anneal_calling_thread_set_threads(1), "");
        EXPECT(ANNEAL_OK, anneal_calling_thread_set_threads(1), "");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_calling_thread_set_threads(7), "threads=7");
        EXPECT(ANNEAL_OK, anneal_calling_thread_threads(&threads), "");
        CHECK(threads == 1);
        EXPECT(ANNEAL_OK, anneal_calling_thread_set_threads(0), "");
        EXPECT(ANNEAL_OK, anneal_calling_thread_threads(&threads), "");
        CHECK(threads == 0);
    }
    return misuse_finish("names");
}
