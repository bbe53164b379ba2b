#ifndef ANNEAL_PYTHON_EMBED_H
#define ANNEAL_PYTHON_EMBED_H

/*
 * A CPython interpreter embedded in the test process, for the tests that drive the `anneal` Python package.
 * This header does not include Python.h on purpose, so Swift can import it next to Foundation and Testing.
 */

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Starts the interpreter once per process (isolated from PYTHON* environment variables and the user's site
 * packages, without Python's signal handlers) and releases the GIL so any thread can take it.
 * Returns 0 when the interpreter is ready; otherwise non-zero, with *reason (if not NULL) pointing to a static
 * description of why it could not start. Thread-safe; later calls return the first call's result.
 */
int anneal_python_initialize(const char **reason);

/*
 * Runs `code` (a module body) holding the GIL, in a fresh namespace named "__anneal_embedded__".
 * Returns 0 when it ran to the end; 1 when it raised, with *report set to the formatted traceback.
 * *report is NULL or a malloc'd UTF-8 string the caller frees with anneal_python_free.
 */
int anneal_python_run(const char *code, char **report);

/* Frees a report from anneal_python_run. NULL does nothing. */
void anneal_python_free(char *report);

#ifdef __cplusplus
}
#endif

#endif
