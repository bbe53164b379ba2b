"""The C library, bound one to one: every function of ``include/anneal.h`` as a module-level name,
``anneal_x = _function("anneal_x", restype, argtypes)``, under its C declaration quoted from the header
(``python/tests/test_lib.py`` checks the types against it). The header's integer constants are in ``_codes``.

The library is loaded from the first of these that exists: the ``ANNEAL_LIBRARY`` environment variable, the
copy inside the installed package, then the repository's ``.build/release`` and ``.build/debug``.
``check(status)`` turns a status into the matching exception with the library's message. ctypes releases the
GIL during every call, so models train in parallel on different threads.
"""

import ctypes
import os
from ctypes import POINTER, c_bool, c_char, c_char_p, c_double, c_float, c_int32, c_int64, c_uint64, c_void_p

from ._codes import ANNEAL_E_BUFFER_TOO_SMALL, ANNEAL_OK
from ._messages import keras_words
from .errors import BY_STATUS, AnnealError, InternalError

SUPPORTED_MAJOR = 2

_here = os.path.dirname(os.path.abspath(__file__))
_repo = os.path.dirname(os.path.dirname(_here))


def candidate_paths():
    paths = []
    if os.environ.get("ANNEAL_LIBRARY"):
        paths.append(os.environ["ANNEAL_LIBRARY"])
    paths.append(os.path.join(_here, "libanneal.so"))
    for configuration in ("release", "debug"):
        paths.append(os.path.join(_repo, ".build", configuration, "libanneal.so"))
    return paths


def _open():
    tried = []
    for path in candidate_paths():
        if not os.path.exists(path):
            tried.append(f"{path} (not found)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as error:
            tried.append(f"{path} ({error})")
    raise ImportError(
        "anneal could not load libanneal.so. Build it with `swift build -c release` in the repository, install "
        "the package with `pip install ./python`, or set ANNEAL_LIBRARY to its path. Tried:\n  "
        + "\n  ".join(tried))


lib, path = _open()

# --- Types ------------------------------------------------------------------------------------------------------------
# Opaque handles are plain pointers on the Python side.
anneal_dataset_p = c_void_p
anneal_schedule_p = c_void_p
anneal_sgd_p = c_void_p
anneal_optimizer_p = c_void_p
anneal_model_p = c_void_p
anneal_history_p = c_void_p
anneal_session_p = c_void_p
anneal_callback_p = c_void_p
anneal_metric_p = c_void_p

# int32_t (*anneal_epoch_callback)(void *user_data, anneal_model *model, int32_t event, int32_t epoch,
#                                  const char *const *keys, const double *values, int32_t count);
anneal_epoch_callback = ctypes.CFUNCTYPE(
    c_int32, c_void_p, anneal_model_p, c_int32, c_int32, POINTER(c_char_p), POINTER(c_double), c_int32)

# void (*anneal_write_callback)(void *user_data, const char *text);
anneal_write_callback = ctypes.CFUNCTYPE(None, c_void_p, c_char_p)

# int32_t (*anneal_rate_callback)(void *user_data, int32_t epoch, double current_rate, double *out_rate);
anneal_rate_callback = ctypes.CFUNCTYPE(c_int32, c_void_p, c_int32, c_double, POINTER(c_double))


class anneal_dense_options(ctypes.Structure):
    """anneal.h's anneal_dense_options; struct_size must be ctypes.sizeof(anneal_dense_options)."""
    _fields_ = [("struct_size", c_int64), ("activation", c_int32), ("kernel_initializer", c_int32),
                ("bias_initializer", c_int32), ("use_bias", c_bool), ("input_dim", c_int32)]


class anneal_compile_options(ctypes.Structure):
    """anneal.h's anneal_compile_options; struct_size must be ctypes.sizeof(anneal_compile_options)."""
    _fields_ = [("struct_size", c_int64), ("loss", c_int32), ("metrics", POINTER(c_int32)),
                ("metric_count", c_int32), ("metric_names", POINTER(c_char_p)), ("metric_name_count", c_int32),
                ("optimizer", anneal_optimizer_p), ("sgd", anneal_sgd_p), ("learning_rate", c_double),
                ("momentum", c_double), ("decay", c_double), ("nesterov", c_bool)]


class anneal_fit_options(ctypes.Structure):
    """anneal.h's anneal_fit_options; struct_size must be ctypes.sizeof(anneal_fit_options)."""
    _fields_ = [("struct_size", c_int64), ("epochs", c_int32), ("batch_size", c_int32),
                ("validation_split", c_double), ("validation_data", anneal_dataset_p), ("shuffle", c_bool),
                ("has_seed", c_bool), ("seed", c_uint64), ("schedule", anneal_schedule_p),
                ("callback", anneal_epoch_callback), ("user_data", c_void_p)]


def _function(name, restype, argtypes):
    """The library's function ``name`` with its prototype set; ImportError when the library lacks it."""
    try:
        function = getattr(lib, name)
    except AttributeError:
        raise ImportError(f"{path} has no {name}: it was built from another version of Anneal. Rebuild it "
                          "(`swift build -c release`) from the same checkout as this package.") from None
    function.restype = restype
    function.argtypes = argtypes
    return function


# --- Version ----------------------------------------------------------------------------------------------------------
# int32_t anneal_version_number(void);
anneal_version_number = _function("anneal_version_number", c_int32, [])
# const char *anneal_version_string(void);
anneal_version_string = _function("anneal_version_string", c_char_p, [])

# --- Status codes and errors ------------------------------------------------------------------------------------------
# const char *anneal_status_string(int32_t status);
anneal_status_string = _function("anneal_status_string", c_char_p, [c_int32])
# const char *anneal_last_error(void);
anneal_last_error = _function("anneal_last_error", c_char_p, [])

# --- Enumerations (int32_t values, pinned) ----------------------------------------------------------------------------
# int32_t anneal_activation_from_name(const char *name, int32_t *out_code);
anneal_activation_from_name = _function("anneal_activation_from_name", c_int32, [c_char_p, POINTER(c_int32)])
# int32_t anneal_initializer_from_name(const char *name, int32_t *out_code);
anneal_initializer_from_name = _function("anneal_initializer_from_name", c_int32, [c_char_p, POINTER(c_int32)])
# int32_t anneal_loss_from_name(const char *name, int32_t *out_code);
anneal_loss_from_name = _function("anneal_loss_from_name", c_int32, [c_char_p, POINTER(c_int32)])

# --- Dataset: a table loaded from CSV (immutable; thread-safe) --------------------------------------------------------
# int32_t anneal_dataset_load_csv(const char *path, int32_t label_column, int32_t header_mode,
#                                 anneal_dataset **out_dataset);
anneal_dataset_load_csv = _function("anneal_dataset_load_csv", c_int32, [c_char_p, c_int32, c_int32,
    POINTER(anneal_dataset_p)])
# int32_t anneal_dataset_create(const float *features, const float *labels, int64_t rows, int32_t features_per_row,
#                               anneal_dataset **out_dataset);
anneal_dataset_create = _function("anneal_dataset_create", c_int32, [POINTER(c_float), POINTER(c_float), c_int64,
    c_int32, POINTER(anneal_dataset_p)])
# void anneal_dataset_free(anneal_dataset *dataset);
anneal_dataset_free = _function("anneal_dataset_free", None, [anneal_dataset_p])
# int32_t anneal_dataset_rows(const anneal_dataset *dataset, int64_t *out_rows);
anneal_dataset_rows = _function("anneal_dataset_rows", c_int32, [anneal_dataset_p, POINTER(c_int64)])
# int32_t anneal_dataset_features(const anneal_dataset *dataset, int32_t *out_features);
anneal_dataset_features = _function("anneal_dataset_features", c_int32, [anneal_dataset_p, POINTER(c_int32)])
# int32_t anneal_dataset_class_count(const anneal_dataset *dataset, int32_t *out_count);
anneal_dataset_class_count = _function("anneal_dataset_class_count", c_int32, [anneal_dataset_p, POINTER(c_int32)])
# int32_t anneal_dataset_class_name(const anneal_dataset *dataset, int32_t index, char *buffer, int64_t capacity,
#                                   int64_t *out_length);
anneal_dataset_class_name = _function("anneal_dataset_class_name", c_int32, [anneal_dataset_p, c_int32, POINTER(c_char),
    c_int64, POINTER(c_int64)])
# int32_t anneal_dataset_feature_name(const anneal_dataset *dataset, int32_t index, char *buffer, int64_t capacity,
#                                     int64_t *out_length);
anneal_dataset_feature_name = _function("anneal_dataset_feature_name", c_int32, [anneal_dataset_p, c_int32,
    POINTER(c_char), c_int64, POINTER(c_int64)])
# int32_t anneal_dataset_copy_features(const anneal_dataset *dataset, float *buffer, int64_t capacity);
anneal_dataset_copy_features = _function("anneal_dataset_copy_features", c_int32, [anneal_dataset_p, POINTER(c_float),
    c_int64])
# int32_t anneal_dataset_copy_labels(const anneal_dataset *dataset, float *buffer, int64_t capacity);
anneal_dataset_copy_labels = _function("anneal_dataset_copy_labels", c_int32, [anneal_dataset_p, POINTER(c_float),
    c_int64])

# --- Schedules: learning rate as a function of a step (immutable; thread-safe) ----------------------------------------
# int32_t anneal_schedule_step_decay(double initial_rate, double drop, double epochs_drop, int32_t unit,
#                                    anneal_schedule **out_schedule);
anneal_schedule_step_decay = _function("anneal_schedule_step_decay", c_int32, [c_double, c_double, c_double, c_int32,
    POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_time_decay(double initial_rate, double decay, int32_t unit, anneal_schedule **out_schedule);
anneal_schedule_time_decay = _function("anneal_schedule_time_decay", c_int32, [c_double, c_double, c_int32,
    POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_tutorial_compounding_decay(double initial_rate, double decay, int32_t unit,
#                                                    anneal_schedule **out_schedule);
anneal_schedule_tutorial_compounding_decay = _function("anneal_schedule_tutorial_compounding_decay", c_int32, [c_double,
    c_double, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_constant(double rate, int32_t unit, anneal_schedule **out_schedule);
anneal_schedule_constant = _function("anneal_schedule_constant", c_int32, [c_double, c_int32,
    POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_exponential_decay(double initial_rate, int64_t decay_steps, double decay_rate, bool staircase,
#                                           int32_t unit, anneal_schedule **out_schedule);
anneal_schedule_exponential_decay = _function("anneal_schedule_exponential_decay", c_int32, [c_double, c_int64,
    c_double, c_bool, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_inverse_time_decay(double initial_rate, int64_t decay_steps, double decay_rate, bool staircase,
#                                            int32_t unit, anneal_schedule **out_schedule);
anneal_schedule_inverse_time_decay = _function("anneal_schedule_inverse_time_decay", c_int32, [c_double, c_int64,
    c_double, c_bool, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_piecewise_constant_decay(const int64_t *boundaries, int32_t boundary_count,
#                                                  const double *values, int32_t value_count, int32_t unit,
#                                                  anneal_schedule **out_schedule);
anneal_schedule_piecewise_constant_decay = _function("anneal_schedule_piecewise_constant_decay", c_int32, [
    POINTER(c_int64), c_int32, POINTER(c_double), c_int32, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_polynomial_decay(double initial_rate, int64_t decay_steps, double end_rate, double power,
#                                          bool cycle, int32_t unit, anneal_schedule **out_schedule);
anneal_schedule_polynomial_decay = _function("anneal_schedule_polynomial_decay", c_int32, [c_double, c_int64, c_double,
    c_double, c_bool, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_cosine_decay(double initial_rate, int64_t decay_steps, double alpha, bool has_warmup_target,
#                                      double warmup_target, int64_t warmup_steps, int32_t unit,
#                                      anneal_schedule **out_schedule);
anneal_schedule_cosine_decay = _function("anneal_schedule_cosine_decay", c_int32, [c_double, c_int64, c_double, c_bool,
    c_double, c_int64, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_cosine_decay_restarts(double initial_rate, int64_t first_decay_steps, double t_mul,
#                                               double m_mul, double alpha, int32_t unit,
#                                               anneal_schedule **out_schedule);
anneal_schedule_cosine_decay_restarts = _function("anneal_schedule_cosine_decay_restarts", c_int32, [c_double, c_int64,
    c_double, c_double, c_double, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_step_lr(double initial_rate, int64_t step_size, double gamma, int32_t unit,
#                                 anneal_schedule **out_schedule);
anneal_schedule_step_lr = _function("anneal_schedule_step_lr", c_int32, [c_double, c_int64, c_double, c_int32,
    POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_multi_step_lr(double initial_rate, const int64_t *milestones, int32_t milestone_count,
#                                       double gamma, int32_t unit, anneal_schedule **out_schedule);
anneal_schedule_multi_step_lr = _function("anneal_schedule_multi_step_lr", c_int32, [c_double, POINTER(c_int64),
    c_int32, c_double, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_exponential_lr(double initial_rate, double gamma, int32_t unit, anneal_schedule **out_schedule);
anneal_schedule_exponential_lr = _function("anneal_schedule_exponential_lr", c_int32, [c_double, c_double, c_int32,
    POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_cosine_annealing_lr(double initial_rate, int64_t t_max, double eta_min, int32_t unit,
#                                             anneal_schedule **out_schedule);
anneal_schedule_cosine_annealing_lr = _function("anneal_schedule_cosine_annealing_lr", c_int32, [c_double, c_int64,
    c_double, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_cosine_annealing_warm_restarts(double initial_rate, int64_t t_0, int64_t t_mult, double eta_min,
#                                                        int32_t unit, anneal_schedule **out_schedule);
anneal_schedule_cosine_annealing_warm_restarts = _function("anneal_schedule_cosine_annealing_warm_restarts", c_int32, [
    c_double, c_int64, c_int64, c_double, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_one_cycle_lr(double max_rate, int64_t total_steps, double pct_start, int32_t anneal_strategy,
#                                      double div_factor, double final_div_factor, bool three_phase, int32_t unit,
#                                      anneal_schedule **out_schedule);
anneal_schedule_one_cycle_lr = _function("anneal_schedule_one_cycle_lr", c_int32, [c_double, c_int64, c_double, c_int32,
    c_double, c_double, c_bool, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_cyclic_lr(double base_rate, double max_rate, int64_t step_size_up, int64_t step_size_down,
#                                   int32_t mode, double gamma, int32_t unit, anneal_schedule **out_schedule);
anneal_schedule_cyclic_lr = _function("anneal_schedule_cyclic_lr", c_int32, [c_double, c_double, c_int64, c_int64,
    c_int32, c_double, c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_linear_lr(double initial_rate, double start_factor, double end_factor, int64_t total_iters,
#                                   int32_t unit, anneal_schedule **out_schedule);
anneal_schedule_linear_lr = _function("anneal_schedule_linear_lr", c_int32, [c_double, c_double, c_double, c_int64,
    c_int32, POINTER(anneal_schedule_p)])
# int32_t anneal_schedule_sequential(const anneal_schedule *const *schedules, int32_t count, const int64_t *milestones,
#                                    int32_t milestone_count, anneal_schedule **out_schedule);
anneal_schedule_sequential = _function("anneal_schedule_sequential", c_int32, [POINTER(anneal_schedule_p), c_int32,
    POINTER(c_int64), c_int32, POINTER(anneal_schedule_p)])
# void anneal_schedule_free(anneal_schedule *schedule);
anneal_schedule_free = _function("anneal_schedule_free", None, [anneal_schedule_p])
# int32_t anneal_schedule_rate(const anneal_schedule *schedule, int64_t step, double *out_rate);
anneal_schedule_rate = _function("anneal_schedule_rate", c_int32, [anneal_schedule_p, c_int64, POINTER(c_double)])
# int32_t anneal_schedule_unit(const anneal_schedule *schedule, int32_t *out_unit);
anneal_schedule_unit = _function("anneal_schedule_unit", c_int32, [anneal_schedule_p, POINTER(c_int32)])

# --- SGD: the optimizer's settings (immutable; thread-safe) -----------------------------------------------------------
# int32_t anneal_sgd_create(double learning_rate, double momentum, double decay, bool nesterov, anneal_sgd **out_sgd);
anneal_sgd_create = _function("anneal_sgd_create", c_int32, [c_double, c_double, c_double, c_bool,
    POINTER(anneal_sgd_p)])
# int32_t anneal_sgd_create_scheduled(const anneal_schedule *schedule, double momentum, double decay, bool nesterov,
#                                     anneal_sgd **out_sgd);
anneal_sgd_create_scheduled = _function("anneal_sgd_create_scheduled", c_int32, [anneal_schedule_p, c_double, c_double,
    c_bool, POINTER(anneal_sgd_p)])
# void anneal_sgd_free(anneal_sgd *sgd);
anneal_sgd_free = _function("anneal_sgd_free", None, [anneal_sgd_p])

# --- Optimizers: Keras 2's other (legacy) optimizers' settings (immutable; thread-safe) -------------------------------
# int32_t anneal_optimizer_adam(double learning_rate, double beta_1, double beta_2, double epsilon, bool amsgrad,
#                               double decay, const anneal_schedule *schedule, anneal_optimizer **out_optimizer);
anneal_optimizer_adam = _function("anneal_optimizer_adam", c_int32, [c_double, c_double, c_double, c_double, c_bool,
    c_double, anneal_schedule_p, POINTER(anneal_optimizer_p)])
# int32_t anneal_optimizer_rmsprop(double learning_rate, double rho, double momentum, double epsilon, bool centered,
#                                  double decay, const anneal_schedule *schedule, anneal_optimizer **out_optimizer);
anneal_optimizer_rmsprop = _function("anneal_optimizer_rmsprop", c_int32, [c_double, c_double, c_double, c_double,
    c_bool, c_double, anneal_schedule_p, POINTER(anneal_optimizer_p)])
# int32_t anneal_optimizer_adagrad(double learning_rate, double initial_accumulator_value, double epsilon,
#                                  double decay, const anneal_schedule *schedule, anneal_optimizer **out_optimizer);
anneal_optimizer_adagrad = _function("anneal_optimizer_adagrad", c_int32, [c_double, c_double, c_double, c_double,
    anneal_schedule_p, POINTER(anneal_optimizer_p)])
# int32_t anneal_optimizer_adadelta(double learning_rate, double rho, double epsilon, double decay,
#                                   const anneal_schedule *schedule, anneal_optimizer **out_optimizer);
anneal_optimizer_adadelta = _function("anneal_optimizer_adadelta", c_int32, [c_double, c_double, c_double, c_double,
    anneal_schedule_p, POINTER(anneal_optimizer_p)])
# int32_t anneal_optimizer_adamax(double learning_rate, double beta_1, double beta_2, double epsilon, double decay,
#                                 const anneal_schedule *schedule, anneal_optimizer **out_optimizer);
anneal_optimizer_adamax = _function("anneal_optimizer_adamax", c_int32, [c_double, c_double, c_double, c_double,
    c_double, anneal_schedule_p, POINTER(anneal_optimizer_p)])
# int32_t anneal_optimizer_nadam(double learning_rate, double beta_1, double beta_2, double epsilon,
#                                double schedule_decay, anneal_optimizer **out_optimizer);
anneal_optimizer_nadam = _function("anneal_optimizer_nadam", c_int32, [c_double, c_double, c_double, c_double, c_double,
    POINTER(anneal_optimizer_p)])
# void anneal_optimizer_free(anneal_optimizer *optimizer);
anneal_optimizer_free = _function("anneal_optimizer_free", None, [anneal_optimizer_p])

# --- Model: a Sequential stack of dense layers (one call at a time; see CONVENTIONS, Threads) -------------------------
# int32_t anneal_model_create(uint64_t seed, anneal_model **out_model);
anneal_model_create = _function("anneal_model_create", c_int32, [c_uint64, POINTER(anneal_model_p)])
# void anneal_model_free(anneal_model *model);
anneal_model_free = _function("anneal_model_free", None, [anneal_model_p])
# int32_t anneal_model_add_dense(anneal_model *model, int32_t units, const anneal_dense_options *options);
anneal_model_add_dense = _function("anneal_model_add_dense", c_int32, [anneal_model_p, c_int32,
    POINTER(anneal_dense_options)])
# int32_t anneal_model_add_dropout(anneal_model *model, double rate, const uint64_t *seed);
anneal_model_add_dropout = _function("anneal_model_add_dropout", c_int32, [anneal_model_p, c_double, POINTER(c_uint64)])
# int32_t anneal_model_build(anneal_model *model, int32_t input_dim);
anneal_model_build = _function("anneal_model_build", c_int32, [anneal_model_p, c_int32])
# int32_t anneal_model_compile(anneal_model *model, const anneal_compile_options *options);
anneal_model_compile = _function("anneal_model_compile", c_int32, [anneal_model_p,
    POINTER(anneal_compile_options)])
# int32_t anneal_model_set_activation(anneal_model *model, int32_t layer, int32_t activation, double alpha);
anneal_model_set_activation = _function("anneal_model_set_activation", c_int32, [anneal_model_p, c_int32, c_int32,
    c_double])
# int32_t anneal_model_set_loss_options(anneal_model *model, bool from_logits, double label_smoothing, double delta);
anneal_model_set_loss_options = _function("anneal_model_set_loss_options", c_int32, [anneal_model_p, c_bool, c_double,
    c_double])
# int32_t anneal_model_set_metric(anneal_model *model, int32_t index, const char *metric, const char *name,
#                                 double threshold, int32_t k, int32_t num_thresholds, int32_t curve);
anneal_model_set_metric = _function("anneal_model_set_metric", c_int32, [anneal_model_p, c_int32, c_char_p, c_char_p,
    c_double, c_int32, c_int32, c_int32])
# int32_t anneal_model_set_metric_weighted(anneal_model *model, int32_t index, bool weighted);
anneal_model_set_metric_weighted = _function("anneal_model_set_metric_weighted", c_int32, [anneal_model_p, c_int32,
    c_bool])
# int32_t anneal_model_metric_weighted(const anneal_model *model, int32_t index, bool *out_weighted);
anneal_model_metric_weighted = _function("anneal_model_metric_weighted", c_int32, [anneal_model_p, c_int32,
    POINTER(c_bool)])
# int32_t anneal_model_layer_count(const anneal_model *model, int32_t *out_count);
anneal_model_layer_count = _function("anneal_model_layer_count", c_int32, [anneal_model_p, POINTER(c_int32)])
# int32_t anneal_model_input_dim(const anneal_model *model, int32_t *out_dim);
anneal_model_input_dim = _function("anneal_model_input_dim", c_int32, [anneal_model_p, POINTER(c_int32)])
# int32_t anneal_model_output_dim(const anneal_model *model, int32_t *out_dim);
anneal_model_output_dim = _function("anneal_model_output_dim", c_int32, [anneal_model_p, POINTER(c_int32)])
# int32_t anneal_model_weight_count(const anneal_model *model, int32_t *out_count);
anneal_model_weight_count = _function("anneal_model_weight_count", c_int32, [anneal_model_p, POINTER(c_int32)])
# int32_t anneal_model_set_metric_top_k(anneal_model *model, int32_t index, int32_t top_k, int32_t class_id);
anneal_model_set_metric_top_k = _function("anneal_model_set_metric_top_k", c_int32, [anneal_model_p, c_int32, c_int32,
    c_int32])
# int32_t anneal_model_set_metric_auc_labels(anneal_model *model, int32_t index, bool multi_label,
#                                            const float *label_weights, int32_t label_weight_count);
anneal_model_set_metric_auc_labels = _function("anneal_model_set_metric_auc_labels", c_int32, [anneal_model_p, c_int32,
    c_bool, POINTER(c_float), c_int32])
# int32_t anneal_model_set_metric_auc_method(anneal_model *model, int32_t index, int32_t summation_method,
#                                            const float *thresholds, int32_t threshold_count, bool from_logits);
anneal_model_set_metric_auc_method = _function("anneal_model_set_metric_auc_method", c_int32, [anneal_model_p, c_int32,
    c_int32, POINTER(c_float), c_int32, c_bool])
# int32_t anneal_model_metric_count(const anneal_model *model, int32_t *out_count);
anneal_model_metric_count = _function("anneal_model_metric_count", c_int32, [anneal_model_p, POINTER(c_int32)])
# int32_t anneal_model_metric_name(const anneal_model *model, int32_t index, char *buffer, int64_t capacity,
#                                  int64_t *out_length);
anneal_model_metric_name = _function("anneal_model_metric_name", c_int32, [anneal_model_p, c_int32, POINTER(c_char),
    c_int64, POINTER(c_int64)])
# int32_t anneal_model_weight_shape(const anneal_model *model, int32_t index, int32_t *out_rank, int64_t *out_dims,
#                                   int32_t dims_capacity, int64_t *out_size);
anneal_model_weight_shape = _function("anneal_model_weight_shape", c_int32, [anneal_model_p, c_int32, POINTER(c_int32),
    POINTER(c_int64), c_int32, POINTER(c_int64)])
# int32_t anneal_model_get_weight(const anneal_model *model, int32_t index, float *buffer, int64_t capacity);
anneal_model_get_weight = _function("anneal_model_get_weight", c_int32, [anneal_model_p, c_int32, POINTER(c_float),
    c_int64])
# int32_t anneal_model_set_weight(anneal_model *model, int32_t index, const float *values, int64_t count);
anneal_model_set_weight = _function("anneal_model_set_weight", c_int32, [anneal_model_p, c_int32, POINTER(c_float),
    c_int64])
# int32_t anneal_model_save_weights(const anneal_model *model, const char *path);
anneal_model_save_weights = _function("anneal_model_save_weights", c_int32, [anneal_model_p, c_char_p])
# int32_t anneal_model_load_weights(anneal_model *model, const char *path);
anneal_model_load_weights = _function("anneal_model_load_weights", c_int32, [anneal_model_p, c_char_p])
# int32_t anneal_model_save(const anneal_model *model, const char *path);
anneal_model_save = _function("anneal_model_save", c_int32, [anneal_model_p, c_char_p])
# int32_t anneal_model_load(const char *path, anneal_model **out_model);
anneal_model_load = _function("anneal_model_load", c_int32, [c_char_p, POINTER(anneal_model_p)])
# int32_t anneal_model_description(const anneal_model *model, char *buffer, int64_t capacity, int64_t *out_length);
anneal_model_description = _function("anneal_model_description", c_int32, [anneal_model_p, POINTER(c_char), c_int64,
    POINTER(c_int64)])
# int32_t anneal_model_predict(anneal_model *model, const float *x, int64_t rows, int32_t cols, int32_t batch_size,
#                              float *out, int64_t capacity);
anneal_model_predict = _function("anneal_model_predict", c_int32, [anneal_model_p, POINTER(c_float), c_int64, c_int32,
    c_int32, POINTER(c_float), c_int64])
# int32_t anneal_model_evaluate(anneal_model *model, const float *x, int64_t rows, int32_t cols, const float *y,
#                               int32_t y_cols, int32_t batch_size, double *out_values, int32_t capacity,
#                               int32_t *out_count);
anneal_model_evaluate = _function("anneal_model_evaluate", c_int32, [anneal_model_p, POINTER(c_float), c_int64, c_int32,
    POINTER(c_float), c_int32, c_int32, POINTER(c_double), c_int32, POINTER(c_int32)])
# int32_t anneal_model_evaluate_weighted(anneal_model *model, const float *x, int64_t rows, int32_t cols,
#                                        const float *y, int32_t y_cols, const float *sample_weight,
#                                        int32_t batch_size, double *out_values, int32_t capacity,
#                                        int32_t *out_count);
anneal_model_evaluate_weighted = _function("anneal_model_evaluate_weighted", c_int32, [anneal_model_p, POINTER(c_float),
    c_int64, c_int32, POINTER(c_float), c_int32, POINTER(c_float), c_int32, POINTER(c_double), c_int32,
    POINTER(c_int32)])
# int32_t anneal_model_learning_rate(const anneal_model *model, double *out_rate);
anneal_model_learning_rate = _function("anneal_model_learning_rate", c_int32, [anneal_model_p, POINTER(c_double)])
# int32_t anneal_model_set_learning_rate(anneal_model *model, double rate);
anneal_model_set_learning_rate = _function("anneal_model_set_learning_rate", c_int32, [anneal_model_p, c_double])
# int32_t anneal_model_effective_learning_rate(const anneal_model *model, double *out_rate);
anneal_model_effective_learning_rate = _function("anneal_model_effective_learning_rate", c_int32, [anneal_model_p,
    POINTER(c_double)])
# int32_t anneal_model_iterations(const anneal_model *model, int64_t *out_iterations);
anneal_model_iterations = _function("anneal_model_iterations", c_int32, [anneal_model_p, POINTER(c_int64)])

# --- Fitting with callbacks -------------------------------------------------------------------------------------------
# int32_t anneal_model_fit(anneal_model *model, const float *x, int64_t rows, int32_t cols, const float *y,
#                          int32_t y_cols, const anneal_fit_options *options, anneal_history **out_history);
anneal_model_fit = _function("anneal_model_fit", c_int32, [anneal_model_p, POINTER(c_float), c_int64, c_int32,
    POINTER(c_float), c_int32, POINTER(anneal_fit_options), POINTER(anneal_history_p)])
# void anneal_history_free(anneal_history *history);
anneal_history_free = _function("anneal_history_free", None, [anneal_history_p])
# int32_t anneal_history_epoch_count(const anneal_history *history, int32_t *out_count);
anneal_history_epoch_count = _function("anneal_history_epoch_count", c_int32, [anneal_history_p, POINTER(c_int32)])
# int32_t anneal_history_key_count(const anneal_history *history, int32_t *out_count);
anneal_history_key_count = _function("anneal_history_key_count", c_int32, [anneal_history_p, POINTER(c_int32)])
# int32_t anneal_history_key(const anneal_history *history, int32_t index, char *buffer, int64_t capacity,
#                            int64_t *out_length);
anneal_history_key = _function("anneal_history_key", c_int32, [anneal_history_p, c_int32, POINTER(c_char), c_int64,
    POINTER(c_int64)])
# int32_t anneal_history_values(const anneal_history *history, const char *key, double *out_values, int32_t capacity,
#                               int32_t *out_count);
anneal_history_values = _function("anneal_history_values", c_int32, [anneal_history_p, c_char_p, POINTER(c_double),
    c_int32, POINTER(c_int32)])

# --- Session: training driven by the caller, one epoch or one batch at a time (one call at a time) --------------------
# int32_t anneal_session_create(anneal_model *model, const float *x, int64_t rows, int32_t cols, const float *y,
#                               int32_t y_cols, int32_t batch_size, double validation_split, bool shuffle,
#                               const uint64_t *shuffle_seed, anneal_session **out_session);
anneal_session_create = _function("anneal_session_create", c_int32, [anneal_model_p, POINTER(c_float), c_int64, c_int32,
    POINTER(c_float), c_int32, c_int32, c_double, c_bool, POINTER(c_uint64), POINTER(anneal_session_p)])
# int32_t anneal_session_create_with_validation(anneal_model *model, const float *x, int64_t rows, int32_t cols,
#                                               const float *y, int32_t y_cols, const float *x_val, const float *y_val,
#                                               int64_t val_rows, int32_t batch_size, bool shuffle,
#                                               const uint64_t *shuffle_seed, anneal_session **out_session);
anneal_session_create_with_validation = _function("anneal_session_create_with_validation", c_int32, [anneal_model_p,
    POINTER(c_float), c_int64, c_int32, POINTER(c_float), c_int32, POINTER(c_float), POINTER(c_float), c_int64, c_int32,
    c_bool, POINTER(c_uint64), POINTER(anneal_session_p)])
# void anneal_session_free(anneal_session *session);
anneal_session_free = _function("anneal_session_free", None, [anneal_session_p])
# int32_t anneal_session_batch_count(const anneal_session *session, int32_t *out_count);
anneal_session_batch_count = _function("anneal_session_batch_count", c_int32, [anneal_session_p, POINTER(c_int32)])
# int32_t anneal_session_training_rows(const anneal_session *session, int64_t *out_rows);
anneal_session_training_rows = _function("anneal_session_training_rows", c_int32, [anneal_session_p, POINTER(c_int64)])
# int32_t anneal_session_validation_rows(const anneal_session *session, int64_t *out_rows);
anneal_session_validation_rows = _function("anneal_session_validation_rows", c_int32, [anneal_session_p,
    POINTER(c_int64)])
# int32_t anneal_session_batches_done(const anneal_session *session, int32_t *out_count);
anneal_session_batches_done = _function("anneal_session_batches_done", c_int32, [anneal_session_p, POINTER(c_int32)])
# int32_t anneal_session_set_sample_weights(anneal_session *session, const float *weights, int64_t count);
anneal_session_set_sample_weights = _function("anneal_session_set_sample_weights", c_int32, [anneal_session_p,
    POINTER(c_float), c_int64])
# int32_t anneal_session_set_validation_sample_weights(anneal_session *session, const float *weights, int64_t count);
anneal_session_set_validation_sample_weights = _function("anneal_session_set_validation_sample_weights", c_int32, [
    anneal_session_p, POINTER(c_float), c_int64])
# int32_t anneal_session_begin_epoch(anneal_session *session);
anneal_session_begin_epoch = _function("anneal_session_begin_epoch", c_int32, [anneal_session_p])
# int32_t anneal_session_train_batch(anneal_session *session, int32_t index);
anneal_session_train_batch = _function("anneal_session_train_batch", c_int32, [anneal_session_p, c_int32])
# int32_t anneal_session_train_epoch(anneal_session *session, double *out_values, int32_t capacity, int32_t *out_count);
anneal_session_train_epoch = _function("anneal_session_train_epoch", c_int32, [anneal_session_p, POINTER(c_double),
    c_int32, POINTER(c_int32)])
# int32_t anneal_session_running_values(const anneal_session *session, double *out_values, int32_t capacity,
#                                       int32_t *out_count);
anneal_session_running_values = _function("anneal_session_running_values", c_int32, [anneal_session_p,
    POINTER(c_double), c_int32, POINTER(c_int32)])
# int32_t anneal_session_validate(anneal_session *session, double *out_values, int32_t capacity, int32_t *out_count);
anneal_session_validate = _function("anneal_session_validate", c_int32, [anneal_session_p, POINTER(c_double), c_int32,
    POINTER(c_int32)])
# int32_t anneal_session_run_epoch(anneal_session *session, double *out_values, int32_t capacity, int32_t *out_count);
anneal_session_run_epoch = _function("anneal_session_run_epoch", c_int32, [anneal_session_p, POINTER(c_double), c_int32,
    POINTER(c_int32)])
# int32_t anneal_session_end_epoch(anneal_session *session, double *out_values, int32_t capacity, int32_t *out_count);
anneal_session_end_epoch = _function("anneal_session_end_epoch", c_int32, [anneal_session_p, POINTER(c_double), c_int32,
    POINTER(c_int32)])
# int32_t anneal_session_epoch_key_count(const anneal_session *session, int32_t *out_count);
anneal_session_epoch_key_count = _function("anneal_session_epoch_key_count", c_int32, [anneal_session_p,
    POINTER(c_int32)])
# int32_t anneal_session_epoch_key(const anneal_session *session, int32_t index, char *buffer, int64_t capacity,
#                                  int64_t *out_length);
anneal_session_epoch_key = _function("anneal_session_epoch_key", c_int32, [anneal_session_p, c_int32, POINTER(c_char),
    c_int64, POINTER(c_int64)])
# int32_t anneal_session_run_epochs(anneal_session *session, int32_t epochs, double max_seconds, double *out_values,
#                                   int64_t capacity, int32_t *out_epochs, int32_t *out_values_per_epoch);
anneal_session_run_epochs = _function("anneal_session_run_epochs", c_int32, [anneal_session_p, c_int32, c_double,
    POINTER(c_double), c_int64, POINTER(c_int32), POINTER(c_int32)])
# int32_t anneal_session_fit(anneal_session *session, int32_t epochs, int32_t initial_epoch,
#                            const anneal_schedule *schedule, anneal_epoch_callback callback, void *user_data,
#                            anneal_history **out_history);
anneal_session_fit = _function("anneal_session_fit", c_int32, [anneal_session_p, c_int32, c_int32, anneal_schedule_p,
    anneal_epoch_callback, c_void_p, POINTER(anneal_history_p)])

# --- Keras's built-in callbacks ---------------------------------------------------------------------------------------
# int32_t anneal_callback_early_stopping(const char *monitor, double min_delta, int32_t patience, int32_t verbose,
#                                        int32_t mode, const double *baseline, bool restore_best_weights,
#                                        int32_t start_from_epoch, anneal_callback **out_callback);
anneal_callback_early_stopping = _function("anneal_callback_early_stopping", c_int32, [c_char_p, c_double, c_int32,
    c_int32, c_int32, POINTER(c_double), c_bool, c_int32, POINTER(anneal_callback_p)])
# int32_t anneal_callback_reduce_lr_on_plateau(const char *monitor, double factor, int32_t patience, int32_t verbose,
#                                              int32_t mode, double min_delta, int32_t cooldown, double min_lr,
#                                              anneal_callback **out_callback);
anneal_callback_reduce_lr_on_plateau = _function("anneal_callback_reduce_lr_on_plateau", c_int32, [c_char_p, c_double,
    c_int32, c_int32, c_int32, c_double, c_int32, c_double, POINTER(anneal_callback_p)])
# int32_t anneal_callback_model_checkpoint(const char *filepath, const char *monitor, int32_t verbose,
#                                          bool save_best_only, int32_t mode, const double *initial_value_threshold,
#                                          anneal_callback **out_callback);
anneal_callback_model_checkpoint = _function("anneal_callback_model_checkpoint", c_int32, [c_char_p, c_char_p, c_int32,
    c_bool, c_int32, POINTER(c_double), POINTER(anneal_callback_p)])
# int32_t anneal_callback_csv_logger(const char *filename, const char *separator, bool append,
#                                    anneal_callback **out_callback);
anneal_callback_csv_logger = _function("anneal_callback_csv_logger", c_int32, [c_char_p, c_char_p, c_bool,
    POINTER(anneal_callback_p)])
# int32_t anneal_callback_terminate_on_nan(anneal_callback **out_callback);
anneal_callback_terminate_on_nan = _function("anneal_callback_terminate_on_nan", c_int32, [POINTER(anneal_callback_p)])
# int32_t anneal_callback_learning_rate_scheduler(const anneal_schedule *schedule, int32_t verbose,
#                                                 anneal_callback **out_callback);
anneal_callback_learning_rate_scheduler = _function("anneal_callback_learning_rate_scheduler", c_int32, [
    anneal_schedule_p, c_int32, POINTER(anneal_callback_p)])
# int32_t anneal_callback_learning_rate_function(anneal_rate_callback rate, void *user_data, int32_t verbose,
#                                                anneal_callback **out_callback);
anneal_callback_learning_rate_function = _function("anneal_callback_learning_rate_function", c_int32, [
    anneal_rate_callback, c_void_p, c_int32, POINTER(anneal_callback_p)])
# int32_t anneal_callback_progress_logger(int32_t verbose, int32_t epochs, int32_t steps,
#                                         anneal_callback **out_callback);
anneal_callback_progress_logger = _function("anneal_callback_progress_logger", c_int32, [c_int32, c_int32, c_int32,
    POINTER(anneal_callback_p)])
# void anneal_callback_free(anneal_callback *callback);
anneal_callback_free = _function("anneal_callback_free", None, [anneal_callback_p])
# int32_t anneal_callback_set_output(anneal_callback *callback, anneal_write_callback write, void *user_data);
anneal_callback_set_output = _function("anneal_callback_set_output", c_int32, [anneal_callback_p,
    anneal_write_callback, c_void_p])
# int32_t anneal_callback_train_begin(anneal_callback *callback, anneal_model *model);
anneal_callback_train_begin = _function("anneal_callback_train_begin", c_int32, [anneal_callback_p, anneal_model_p])
# int32_t anneal_callback_epoch_begin(anneal_callback *callback, anneal_model *model, int32_t epoch, bool *out_stop);
anneal_callback_epoch_begin = _function("anneal_callback_epoch_begin", c_int32, [anneal_callback_p, anneal_model_p,
    c_int32, POINTER(c_bool)])
# int32_t anneal_callback_batch_end(anneal_callback *callback, anneal_model *model, int32_t batch,
#                                   const char *const *keys, const double *values, int32_t count, bool *out_stop);
anneal_callback_batch_end = _function("anneal_callback_batch_end", c_int32, [anneal_callback_p, anneal_model_p, c_int32,
    POINTER(c_char_p), POINTER(c_double), c_int32, POINTER(c_bool)])
# int32_t anneal_callback_epoch_end(anneal_callback *callback, anneal_model *model, int32_t epoch,
#                                   const char *const *keys, const double *values, int32_t count, bool *out_stop);
anneal_callback_epoch_end = _function("anneal_callback_epoch_end", c_int32, [anneal_callback_p, anneal_model_p, c_int32,
    POINTER(c_char_p), POINTER(c_double), c_int32, POINTER(c_bool)])
# int32_t anneal_callback_train_end(anneal_callback *callback, anneal_model *model, const char *const *keys,
#                                   const double *values, int32_t count);
anneal_callback_train_end = _function("anneal_callback_train_end", c_int32, [anneal_callback_p, anneal_model_p,
    POINTER(c_char_p), POINTER(c_double), c_int32])
# int32_t anneal_callback_log_count(const anneal_callback *callback, int32_t *out_count);
anneal_callback_log_count = _function("anneal_callback_log_count", c_int32, [anneal_callback_p, POINTER(c_int32)])
# int32_t anneal_callback_log_key(const anneal_callback *callback, int32_t index, char *buffer, int64_t capacity,
#                                 int64_t *out_length);
anneal_callback_log_key = _function("anneal_callback_log_key", c_int32, [anneal_callback_p, c_int32, POINTER(c_char),
    c_int64, POINTER(c_int64)])
# int32_t anneal_callback_log_values(const anneal_callback *callback, double *out_values, int32_t capacity,
#                                    int32_t *out_count);
anneal_callback_log_values = _function("anneal_callback_log_values", c_int32, [anneal_callback_p, POINTER(c_double),
    c_int32, POINTER(c_int32)])
# int32_t anneal_callback_state(const anneal_callback *callback, const char *name, double *out_value);
anneal_callback_state = _function("anneal_callback_state", c_int32, [anneal_callback_p, c_char_p, POINTER(c_double)])
# int32_t anneal_session_fit_callbacks(anneal_session *session, int32_t epochs, int32_t initial_epoch,
#                                      anneal_callback *const *callbacks, int32_t callback_count,
#                                      anneal_epoch_callback callback, void *user_data, anneal_history **out_history);
anneal_session_fit_callbacks = _function("anneal_session_fit_callbacks", c_int32, [anneal_session_p, c_int32, c_int32,
    POINTER(anneal_callback_p), c_int32, anneal_epoch_callback, c_void_p, POINTER(anneal_history_p)])
# int32_t anneal_session_fit_events(anneal_session *session, int32_t epochs, int32_t initial_epoch,
#                                   anneal_callback *const *callbacks, int32_t callback_count,
#                                   anneal_epoch_callback callback, void *user_data, int32_t events,
#                                   double poll_seconds, anneal_history **out_history);
anneal_session_fit_events = _function("anneal_session_fit_events", c_int32, [anneal_session_p, c_int32, c_int32,
    POINTER(anneal_callback_p), c_int32, anneal_epoch_callback, c_void_p, c_int32, c_double, POINTER(anneal_history_p)])

# --- Data-set-first training: option structs, fit / evaluate / predict on an anneal_dataset ---------------------------
# int32_t anneal_metric_from_name(const char *name, int32_t *out_code);
anneal_metric_from_name = _function("anneal_metric_from_name", c_int32, [c_char_p, POINTER(c_int32)])
# int32_t anneal_metric_check_name(const char *name);
anneal_metric_check_name = _function("anneal_metric_check_name", c_int32, [c_char_p])
# int32_t anneal_dataset_create_labels(const float *features, const float *labels, int64_t rows,
#                                      int32_t features_per_row, int32_t label_columns, anneal_dataset **out_dataset);
anneal_dataset_create_labels = _function("anneal_dataset_create_labels", c_int32, [POINTER(c_float), POINTER(c_float),
    c_int64, c_int32, c_int32, POINTER(anneal_dataset_p)])
# int32_t anneal_dataset_one_hot(const anneal_dataset *dataset, int32_t class_count, anneal_dataset **out_dataset);
anneal_dataset_one_hot = _function("anneal_dataset_one_hot", c_int32, [anneal_dataset_p, c_int32,
    POINTER(anneal_dataset_p)])
# int32_t anneal_dataset_label_columns(const anneal_dataset *dataset, int32_t *out_columns);
anneal_dataset_label_columns = _function("anneal_dataset_label_columns", c_int32, [anneal_dataset_p, POINTER(c_int32)])
# int32_t anneal_model_fit_dataset(anneal_model *model, const anneal_dataset *dataset, const anneal_fit_options *options,
#                                  anneal_history **out_history);
anneal_model_fit_dataset = _function("anneal_model_fit_dataset", c_int32, [anneal_model_p, anneal_dataset_p,
    POINTER(anneal_fit_options), POINTER(anneal_history_p)])
# int32_t anneal_model_evaluate_dataset(anneal_model *model, const anneal_dataset *dataset, int32_t batch_size,
#                                       double *out_values, int32_t capacity, int32_t *out_count);
anneal_model_evaluate_dataset = _function("anneal_model_evaluate_dataset", c_int32, [anneal_model_p, anneal_dataset_p,
    c_int32, POINTER(c_double), c_int32, POINTER(c_int32)])
# int32_t anneal_model_predict_dataset(anneal_model *model, const anneal_dataset *dataset, int32_t batch_size, float *out,
#                                      int64_t capacity);
anneal_model_predict_dataset = _function("anneal_model_predict_dataset", c_int32, [anneal_model_p, anneal_dataset_p,
    c_int32, POINTER(c_float), c_int64])
# int32_t anneal_history_last(const anneal_history *history, const char *key, double *out_value);
anneal_history_last = _function("anneal_history_last", c_int32, [anneal_history_p, c_char_p, POINTER(c_double)])

# --- Metric objects -----------------------------------------------------------------------------------------------
# int32_t anneal_metric_create(const char *metric, double threshold, int32_t k, int32_t num_thresholds, int32_t curve,
#                              anneal_metric **out_metric);
anneal_metric_create = _function("anneal_metric_create", c_int32, [c_char_p, c_double, c_int32, c_int32, c_int32,
    POINTER(anneal_metric_p)])
# void anneal_metric_free(anneal_metric *metric);
anneal_metric_free = _function("anneal_metric_free", None, [anneal_metric_p])
# int32_t anneal_metric_set_top_k(anneal_metric *metric, int32_t top_k, int32_t class_id);
anneal_metric_set_top_k = _function("anneal_metric_set_top_k", c_int32, [anneal_metric_p, c_int32, c_int32])
# int32_t anneal_metric_set_auc_labels(anneal_metric *metric, bool multi_label, int32_t num_labels,
#                                      const float *label_weights, int32_t label_weight_count);
anneal_metric_set_auc_labels = _function("anneal_metric_set_auc_labels", c_int32, [anneal_metric_p, c_bool, c_int32,
    POINTER(c_float), c_int32])
# int32_t anneal_metric_set_auc_method(anneal_metric *metric, int32_t summation_method, const float *thresholds,
#                                      int32_t threshold_count, bool from_logits);
anneal_metric_set_auc_method = _function("anneal_metric_set_auc_method", c_int32, [anneal_metric_p, c_int32,
    POINTER(c_float), c_int32, c_bool])
# int32_t anneal_metric_update(anneal_metric *metric, const float *y_true, const float *y_pred, int64_t rows,
#                              int32_t units, const float *sample_weight);
anneal_metric_update = _function("anneal_metric_update", c_int32, [anneal_metric_p, POINTER(c_float), POINTER(c_float),
    c_int64, c_int32, POINTER(c_float)])
# int32_t anneal_metric_result(anneal_metric *metric, double *out_value);
anneal_metric_result = _function("anneal_metric_result", c_int32, [anneal_metric_p, POINTER(c_double)])
# int32_t anneal_metric_label_columns(anneal_metric *metric, int32_t units, int32_t *out_columns);
anneal_metric_label_columns = _function("anneal_metric_label_columns", c_int32, [anneal_metric_p, c_int32,
    POINTER(c_int32)])
# int32_t anneal_metric_reset(anneal_metric *metric);
anneal_metric_reset = _function("anneal_metric_reset", c_int32, [anneal_metric_p])
# int32_t anneal_metric_merge(anneal_metric *metric, const anneal_metric *other);
anneal_metric_merge = _function("anneal_metric_merge", c_int32, [anneal_metric_p, anneal_metric_p])

# --- The calling thread -----------------------------------------------------------------------------------------------
# int32_t anneal_calling_thread_set_threads(int32_t threads);
anneal_calling_thread_set_threads = _function("anneal_calling_thread_set_threads", c_int32, [c_int32])
# int32_t anneal_calling_thread_threads(int32_t *out_threads);
anneal_calling_thread_threads = _function("anneal_calling_thread_threads", c_int32, [POINTER(c_int32)])


# --- Checks -----------------------------------------------------------------------------------------------------------
version_number = anneal_version_number()
version = anneal_version_string().decode()
if version_number // 10000 != SUPPORTED_MAJOR:  # MAJOR * 10000 + MINOR * 100 + PATCH
    raise ImportError(
        f"{path} is Anneal {version}; this package needs major version {SUPPORTED_MAJOR}. "
        "Rebuild the library from the same checkout as the package.")


def check(status):
    """Raises the exception for a non-zero status, with the library's per-thread message in Keras's words
    (``_messages.keras_words``)."""
    if status == ANNEAL_OK:
        return
    message = anneal_last_error()
    text = message.decode("utf-8", "replace") if message else ""
    if not text:
        name = anneal_status_string(status)
        text = name.decode() if name else f"status {status}"
    raise BY_STATUS.get(status, InternalError)(keras_words(text))


def read_string(function, *args):
    """Calls a copy-out string function and returns the text: one call when it fits a short buffer (names of
    logs, layers and classes do: fit reads its log names on every call), a second at the length it reports
    otherwise."""
    return _StringReader().read(function, *args)


def read_strings(function, *args, count):
    """The texts of a copy-out string function at indices ``0..<count`` (its argument after ``args``), read
    through one buffer."""
    reader = _StringReader()
    return [reader.read(function, *args, index) for index in range(count)]


class _StringReader:
    """One buffer for copy-out string calls, grown when a text does not fit."""

    def __init__(self):
        self._length = c_int64(0)
        self._capacity = _SHORT_STRING
        self._buffer = ctypes.create_string_buffer(self._capacity)

    def read(self, function, *args):
        status = function(*args, self._buffer, self._capacity, ctypes.byref(self._length))
        if status == ANNEAL_E_BUFFER_TOO_SMALL:
            self._capacity = self._length.value + 1
            self._buffer = ctypes.create_string_buffer(self._capacity)
            status = function(*args, self._buffer, self._capacity, ctypes.byref(self._length))
        check(status)
        return self._buffer.raw[:self._length.value].decode("utf-8")


_SHORT_STRING = 64


__all__ = ["lib", "path", "check", "read_string", "read_strings", "AnnealError"]
