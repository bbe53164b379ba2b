/*
 * optimizer.c: misuse of the schedules, the SGD description and the other optimizers' constructors.
 * Usage: optimizer PATH/TO/ionosphere.csv DIRECTORY
 */
#include "misuse.h"

/* Every schedule constructor as EACH(call), with valid arguments but for `rate` (its first rate), `unit` and
 * `out`. */
#define SCHEDULES(EACH, rate, unit, out)                                                                      \
    EACH(anneal_schedule_step_decay(rate, 0.5, 10, unit, out))                                               \
    EACH(anneal_schedule_time_decay(rate, 0.01, unit, out))                                                   \
    EACH(anneal_schedule_tutorial_compounding_decay(rate, 0.01, unit, out))                                   \
    EACH(anneal_schedule_constant(rate, unit, out))                                                          \
    EACH(anneal_schedule_exponential_decay(rate, 10, 0.9, false, unit, out))                                  \
    EACH(anneal_schedule_inverse_time_decay(rate, 10, 0.5, true, unit, out))                                  \
    EACH(anneal_schedule_piecewise_constant_decay(boundaries, 2, values_with(rate), 3, unit, out))            \
    EACH(anneal_schedule_polynomial_decay(rate, 10, 0.0001, 1, false, unit, out))                             \
    EACH(anneal_schedule_cosine_decay(rate, 10, 0, false, 0, 0, unit, out))                                   \
    EACH(anneal_schedule_cosine_decay_restarts(rate, 10, 2, 1, 0, unit, out))                                 \
    EACH(anneal_schedule_step_lr(rate, 10, 0.1, unit, out))                                                   \
    EACH(anneal_schedule_multi_step_lr(rate, boundaries, 2, 0.1, unit, out))                                  \
    EACH(anneal_schedule_exponential_lr(rate, 0.9, unit, out))                                                \
    EACH(anneal_schedule_cosine_annealing_lr(rate, 10, 0, unit, out))                                         \
    EACH(anneal_schedule_cosine_annealing_warm_restarts(rate, 10, 1, 0, unit, out))                           \
    EACH(anneal_schedule_one_cycle_lr(rate, 100, 0.3, ANNEAL_ANNEAL_COSINE, 25, 1e4, false, unit, out))       \
    EACH(anneal_schedule_cyclic_lr(rate / 10, rate, 20, 0, ANNEAL_CYCLIC_TRIANGULAR, 1, unit, out))          \
    EACH(anneal_schedule_linear_lr(rate, 1.0 / 3, 1, 5, unit, out))

static const int64_t boundaries[2] = {10, 20};
static double values[3];

static const double *values_with(double rate) {
    values[0] = rate;
    values[1] = rate / 2;
    values[2] = rate / 4;
    return values;
}

static void schedules(void) {
    anneal_schedule *made = (anneal_schedule *)&made;
    double rate = -1;
    int32_t unit = -1;
#define REFUSED_NULL(call) EXPECT(ANNEAL_E_NULL_POINTER, call, "out_schedule is NULL");
    SCHEDULES(REFUSED_NULL, 0.1, ANNEAL_UNIT_DEFAULT, NULL)
#define REFUSED_UNIT(call) EXPECT(ANNEAL_E_INVALID_ARGUMENT, call, "unit", "3"); CHECK(made == NULL); made = (anneal_schedule *)&made;
    SCHEDULES(REFUSED_UNIT, 0.1, 3, &made)
#define REFUSED_NAN(call) EXPECT(ANNEAL_E_INVALID_ARGUMENT, call, "nan"); CHECK(made == NULL);
    SCHEDULES(REFUSED_NAN, NAN, ANNEAL_UNIT_EPOCH, &made)
#define MADE(call) EXPECT(ANNEAL_OK, call, ""); anneal_schedule_free(made); made = NULL;
    SCHEDULES(MADE, 0.1, ANNEAL_UNIT_UPDATE, &made)

    /* Lists: counts, NULLs, order. */
    EXPECT(ANNEAL_E_INVALID_ARGUMENT,
           anneal_schedule_piecewise_constant_decay(boundaries, -1, values, 0, ANNEAL_UNIT_DEFAULT, &made),
           "boundary_count", "-1");
    EXPECT(ANNEAL_E_NULL_POINTER,
           anneal_schedule_piecewise_constant_decay(NULL, 2, values, 3, ANNEAL_UNIT_DEFAULT, &made), "boundaries");
    EXPECT(ANNEAL_E_NULL_POINTER,
           anneal_schedule_piecewise_constant_decay(boundaries, 2, NULL, 3, ANNEAL_UNIT_DEFAULT, &made), "values");
    /* value_count disagrees with boundary_count: refused before `values` is read (INT32_MAX doubles would
     * run far past the 3 given). */
    EXPECT(ANNEAL_E_INVALID_ARGUMENT,
           anneal_schedule_piecewise_constant_decay(boundaries, 2, values, INT32_MAX, ANNEAL_UNIT_DEFAULT, &made),
           "value_count");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT,
           anneal_schedule_piecewise_constant_decay(boundaries, 2, values, 2, ANNEAL_UNIT_DEFAULT, &made),
           "value_count");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT,
           anneal_schedule_multi_step_lr(0.1, boundaries, -3, 0.1, ANNEAL_UNIT_DEFAULT, &made), "milestone_count");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_schedule_multi_step_lr(0.1, NULL, 2, 0.1, ANNEAL_UNIT_DEFAULT, &made),
           "milestones");
    {
        const int64_t backwards[2] = {30, 10};
        EXPECT(ANNEAL_E_INVALID_ARGUMENT,
               anneal_schedule_multi_step_lr(0.1, backwards, 2, 0.1, ANNEAL_UNIT_DEFAULT, &made), "milestones[1]");
    }
    EXPECT(ANNEAL_E_INVALID_ARGUMENT,
           anneal_schedule_one_cycle_lr(0.1, 100, 0.3, 2, 25, 1e4, false, ANNEAL_UNIT_DEFAULT, &made),
           "anneal_strategy", "2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT,
           anneal_schedule_cyclic_lr(0.01, 0.1, 20, 0, 3, 1, ANNEAL_UNIT_DEFAULT, &made), "mode", "3");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT,
           anneal_schedule_exponential_decay(0.1, 0, 0.9, false, ANNEAL_UNIT_DEFAULT, &made), "decay_steps");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_schedule_step_lr(0.1, 0, 0.1, ANNEAL_UNIT_DEFAULT, &made),
           "step_size");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_schedule_step_decay(0.1, 0.5, 0, ANNEAL_UNIT_DEFAULT, &made),
           "epochs_drop");
    CHECK(made == NULL);

    /* Sequential: NULL array, bad elements, milestones. */
    {
        anneal_schedule *first = NULL, *second = NULL;
        anneal_sgd *sgd = NULL;
        const anneal_schedule *parts[2];
        const int64_t at[1] = {5};
        EXPECT(ANNEAL_OK, anneal_schedule_constant(0.1, ANNEAL_UNIT_EPOCH, &first), "");
        EXPECT(ANNEAL_OK, anneal_schedule_step_lr(0.1, 2, 0.5, ANNEAL_UNIT_EPOCH, &second), "");
        EXPECT(ANNEAL_OK, anneal_sgd_create(0.1, 0, 0, false, &sgd), "");
        parts[0] = first;
        parts[1] = second;
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_schedule_sequential(parts, 2, at, 1, NULL), "out_schedule");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_schedule_sequential(NULL, 2, at, 1, &made), "schedules");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_schedule_sequential(parts, 0, at, 0, &made), "count");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_schedule_sequential(parts, -1, at, 0, &made), "count");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_schedule_sequential(parts, 2, NULL, 1, &made), "milestones");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_schedule_sequential(parts, 2, at, 0, &made), "milestone");
        /* milestone_count disagrees with count: refused before `milestones` is read. */
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_schedule_sequential(parts, 2, at, INT32_MAX, &made), "milestone");
        parts[1] = NULL;
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_schedule_sequential(parts, 2, at, 1, &made), "schedules[1]");
        parts[1] = (const anneal_schedule *)sgd;
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_schedule_sequential(parts, 2, at, 1, &made), "schedules[1]", "anneal_sgd");
        parts[1] = MADE_UP(anneal_schedule);
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_schedule_sequential(parts, 2, at, 1, &made), "schedules[1]");
        CHECK(made == NULL);
        parts[1] = second;
        EXPECT(ANNEAL_OK, anneal_schedule_sequential(parts, 2, at, 1, &made), "");

        /* Queries. */
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_schedule_rate(made, 0, NULL), "out_rate");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_schedule_rate(made, -1, &rate), "step", "-1");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_schedule_rate(made, INT64_MAX, &rate), "step");
        EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_schedule_rate(made, (int64_t)INT32_MAX + 1, &rate), "step");
        EXPECT(ANNEAL_OK, anneal_schedule_rate(made, INT32_MAX, &rate), "");
        EXPECT(ANNEAL_E_NULL_POINTER, anneal_schedule_unit(made, NULL), "out_unit");
        EXPECT(ANNEAL_OK, anneal_schedule_unit(made, &unit), "");
        CHECK(unit == ANNEAL_UNIT_EPOCH);
        anneal_schedule_free(first);
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_schedule_rate(first, 0, &rate), "schedule", "not a live handle");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_schedule_unit(first, &unit), "schedule", "not a live handle");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_schedule_rate(NULL, 0, &rate), "schedule is NULL");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_schedule_unit(NULL, &unit), "schedule is NULL");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_schedule_rate((const anneal_schedule *)sgd, 0, &rate), "anneal_sgd");
        EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_schedule_unit(MADE_UP(anneal_schedule), &unit), "schedule");
        /* The sequential schedule keeps its parts: the first freed, it still answers. */
        EXPECT(ANNEAL_OK, anneal_schedule_rate(made, 7, &rate), "");
        anneal_schedule_free(first);
        anneal_schedule_free((anneal_schedule *)sgd); /* an sgd freed as a schedule: nothing */
        anneal_schedule_free(NULL);
        anneal_schedule_free(MADE_UP(anneal_schedule));
        anneal_schedule_free(second);
        anneal_schedule_free(made);
        anneal_sgd_free(sgd);
    }
}

/* The SGD description and every optimizer constructor: NULL out-parameters, bad numbers, bad schedules. */
static void optimizers(void) {
    anneal_optimizer *made = (anneal_optimizer *)&made;
    anneal_schedule *update = NULL, *epoch = NULL;
    anneal_sgd *sgd = (anneal_sgd *)&sgd, *rejected = NULL;
    EXPECT(ANNEAL_OK, anneal_schedule_exponential_decay(0.1, 10, 0.9, false, ANNEAL_UNIT_DEFAULT, &update), "");
    EXPECT(ANNEAL_OK, anneal_schedule_step_lr(0.1, 10, 0.5, ANNEAL_UNIT_DEFAULT, &epoch), "");

    EXPECT(ANNEAL_E_NULL_POINTER, anneal_sgd_create(0.1, 0, 0, false, NULL), "out_sgd");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_sgd_create(-0.1, 0, 0, false, &sgd), "learning_rate", "-0.1");
    CHECK(sgd == NULL);
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_sgd_create(NAN, 0, 0, false, &sgd), "learning_rate");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_sgd_create(INFINITY, 0, 0, false, &sgd), "learning_rate");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_sgd_create(0.1, 1.5, 0, false, &sgd), "momentum=1.5");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_sgd_create(0.1, NAN, 0, false, &sgd), "momentum");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_sgd_create(0.1, 0, -1, false, &sgd), "decay=-1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_sgd_create(0.1, 0, NAN, false, &sgd), "decay");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_sgd_create(1e39, 0, 0, false, &sgd), "learning_rate");
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_sgd_create_scheduled(update, 0, 0, false, NULL), "out_sgd");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_sgd_create_scheduled(NULL, 0, 0, false, &sgd), "schedule is NULL");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_sgd_create_scheduled(MADE_UP(anneal_schedule), 0, 0, false, &sgd),
           "schedule");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_sgd_create_scheduled(epoch, 0, 0, false, &sgd), "schedule", "epoch");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_sgd_create_scheduled(update, 2, 0, false, &sgd), "momentum");
    CHECK(sgd == NULL);
    EXPECT(ANNEAL_OK, anneal_sgd_create_scheduled(update, 0.9, 0, true, &sgd), "");
    EXPECT(ANNEAL_E_INVALID_HANDLE, anneal_sgd_create_scheduled((const anneal_schedule *)sgd, 0, 0, false, &rejected),
           "anneal_sgd");

#define OPTIMIZERS(EACH, rate, schedule, out)                                                                 \
    EACH(anneal_optimizer_adam(rate, 0.9, 0.999, 1e-7, false, 0, schedule, out))                              \
    EACH(anneal_optimizer_rmsprop(rate, 0.9, 0, 1e-7, false, 0, schedule, out))                               \
    EACH(anneal_optimizer_adagrad(rate, 0.1, 1e-7, 0, schedule, out))                                         \
    EACH(anneal_optimizer_adadelta(rate, 0.95, 1e-7, 0, schedule, out))                                       \
    EACH(anneal_optimizer_adamax(rate, 0.9, 0.999, 1e-7, 0, schedule, out))
#define OUT_NULL(call) EXPECT(ANNEAL_E_NULL_POINTER, call, "out_optimizer is NULL");
    OPTIMIZERS(OUT_NULL, 0.001, NULL, NULL)
    EXPECT(ANNEAL_E_NULL_POINTER, anneal_optimizer_nadam(0.001, 0.9, 0.999, 1e-7, 0.004, NULL), "out_optimizer");
#define BAD_RATE(call) EXPECT(ANNEAL_E_INVALID_ARGUMENT, call, "learning_rate"); CHECK(made == NULL);
    OPTIMIZERS(BAD_RATE, -1, NULL, &made)
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_nadam(-1, 0.9, 0.999, 1e-7, 0.004, &made), "learning_rate");
    OPTIMIZERS(BAD_RATE, NAN, NULL, &made)
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_nadam(NAN, 0.9, 0.999, 1e-7, 0.004, &made), "learning_rate");
#define BAD_SCHEDULE(call) EXPECT(ANNEAL_E_INVALID_HANDLE, call, "schedule"); CHECK(made == NULL);
    OPTIMIZERS(BAD_SCHEDULE, 0.001, MADE_UP(anneal_schedule), &made)
    OPTIMIZERS(BAD_SCHEDULE, 0.001, (const anneal_schedule *)sgd, &made)
#define EPOCH_SCHEDULE(call) EXPECT(ANNEAL_E_INVALID_ARGUMENT, call, "schedule"); CHECK(made == NULL);
    OPTIMIZERS(EPOCH_SCHEDULE, 0.001, epoch, &made)
#define MADE_OPTIMIZER(call) EXPECT(ANNEAL_OK, call, ""); anneal_optimizer_free(made); made = NULL;
    OPTIMIZERS(MADE_OPTIMIZER, 0.001, update, &made)
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_adam(0.001, 1, 0.999, 1e-7, false, 0, NULL, &made), "beta_1");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_adam(0.001, 0.9, -0.1, 1e-7, false, 0, NULL, &made), "beta_2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_adam(0.001, 0.9, 0.999, -1, false, 0, NULL, &made), "epsilon");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_adam(0.001, 0.9, 0.999, 1e-7, false, -1, NULL, &made), "decay");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_rmsprop(0.001, 1.5, 0, 1e-7, false, 0, NULL, &made), "rho");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_rmsprop(0.001, 0.9, -1, 1e-7, false, 0, NULL, &made), "momentum");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_adagrad(0.001, -1, 1e-7, 0, NULL, &made),
           "initial_accumulator_value");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_adadelta(0.001, 2, 1e-7, 0, NULL, &made), "rho");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_adamax(0.001, 0.9, 1.5, 1e-7, 0, NULL, &made), "beta_2");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_nadam(0.001, 0.9, 0.999, 1e-7, -1, &made), "schedule_decay");
    EXPECT(ANNEAL_E_INVALID_ARGUMENT, anneal_optimizer_nadam(0.001, 0.9, 0.999, INFINITY, 0.004, &made), "epsilon");
    CHECK(made == NULL);
    EXPECT(ANNEAL_OK, anneal_optimizer_nadam(0.001, 0.9, 0.999, 1e-7, 0.004, &made), "");
    anneal_optimizer_free(made);
    anneal_optimizer_free(made);
    anneal_optimizer_free(NULL);
    anneal_optimizer_free((anneal_optimizer *)sgd); /* an sgd freed as an optimizer: nothing */
    anneal_optimizer_free(MADE_UP(anneal_optimizer));
    anneal_sgd_free(sgd);
    anneal_sgd_free(sgd);
    anneal_sgd_free(NULL);
    anneal_sgd_free(MADE_UP(anneal_sgd));
    anneal_schedule_free(update);
    anneal_schedule_free(epoch);
}

int main(int argc, char **argv) {
    misuse_start(argc, argv);
    schedules();
    optimizers();
    return misuse_finish("optimizer");
}
