#define _POSIX_C_SOURCE 200809L /* strdup */
#include "PythonEmbed.h"

#include <stdlib.h>
#include <string.h>

#if !__has_include(<Python.h>)

/* Built where pkg-config found no python3-embed (libpython3-dev missing): the tests that need the interpreter
 * skip with this reason. */
static const char *const missing = "libpython3 was not found when Anneal was built (pkg-config python3-embed; "
                                   "install Debian's libpython3-dev)";

int anneal_python_initialize(const char **reason) {
    if (reason) *reason = missing;
    return 1;
}

int anneal_python_run(const char *code, char **report) {
    (void)code;
    if (report) *report = strdup(missing);
    return 1;
}

void anneal_python_free(char *report) { free(report); }

#else

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <stdio.h>

static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static const char *start_failure = NULL;
static char start_message[512];

static void start_interpreter(void) {
    /* UTF-8 mode: files and paths are UTF-8 whatever locale the test process runs under. */
    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    preconfig.utf8_mode = 1;
    PyStatus prestatus = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(prestatus)) {
        snprintf(start_message, sizeof start_message, "the embedded CPython could not pre-initialize: %s",
                 prestatus.err_msg ? prestatus.err_msg : "");
        start_failure = start_message;
        return;
    }
    PyConfig config;
    /* Isolated: PYTHONPATH/PYTHONHOME (a pyenv's, say) must not leak another installation into the test. */
    PyConfig_InitIsolatedConfig(&config);
    config.install_signal_handlers = 0; /* the test process keeps its own signal handling */
    PyStatus status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        snprintf(start_message, sizeof start_message, "the embedded CPython could not start: %s%s%s",
                 status.func ? status.func : "", status.func ? ": " : "", status.err_msg ? status.err_msg : "");
        start_failure = start_message;
        return;
    }
    PyEval_SaveThread(); /* release the GIL taken by initialization */
}

int anneal_python_initialize(const char **reason) {
    pthread_once(&start_once, start_interpreter);
    if (reason) *reason = start_failure;
    return start_failure ? 1 : 0;
}

/* The pending exception's traceback as text, or a fallback; the exception is cleared. */
static char *format_exception(void) {
    PyObject *type = NULL, *value = NULL, *traceback = NULL;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    if (value && traceback) PyException_SetTraceback(value, traceback);
    char *text = NULL;
    PyObject *module = PyImport_ImportModule("traceback");
    PyObject *lines = module ? PyObject_CallMethod(module, "format_exception", "OOO", type ? type : Py_None,
                                                   value ? value : Py_None, traceback ? traceback : Py_None)
                             : NULL;
    PyObject *empty = PyUnicode_FromString("");
    PyObject *joined = (lines && empty) ? PyUnicode_Join(empty, lines) : NULL;
    const char *utf8 = joined ? PyUnicode_AsUTF8(joined) : NULL;
    text = strdup(utf8 ? utf8 : "a Python exception was raised, and its traceback could not be formatted");
    PyErr_Clear();
    Py_XDECREF(joined);
    Py_XDECREF(empty);
    Py_XDECREF(lines);
    Py_XDECREF(module);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    return text;
}

int anneal_python_run(const char *code, char **report) {
    if (report) *report = NULL;
    if (anneal_python_initialize(NULL) != 0) {
        if (report) *report = strdup(start_failure);
        return 1;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    int failed = 0;
    PyObject *globals = PyDict_New();
    PyObject *name = PyUnicode_FromString("__anneal_embedded__");
    PyObject *result = NULL;
    if (globals && name && PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) == 0 &&
        PyDict_SetItemString(globals, "__name__", name) == 0) {
        result = PyRun_String(code, Py_file_input, globals, globals);
    }
    if (!result) {
        failed = 1;
        char *text = format_exception();
        if (report) *report = text; else free(text);
    }
    Py_XDECREF(result);
    Py_XDECREF(name);
    Py_XDECREF(globals);
    PyGILState_Release(gil);
    return failed;
}

void anneal_python_free(char *report) { free(report); }

#endif
