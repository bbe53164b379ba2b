#if __has_include(<Python.h>)
#include <Python.h>
#endif
