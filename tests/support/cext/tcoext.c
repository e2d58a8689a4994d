/* A C extension for tests/test_cext.py, built against the headers of
 * *stock* CPython 3.13.15 and imported into cpython-tco: C extensions built
 * for 3.13 must keep working when the interpreter replaces frames in long
 * chains of tail calls.
 *
 * Built twice from this file:
 *   - tcoext:          the full C API (frames: PyEval_GetFrame,
 *                      PyFrame_GetBack, PyFrame_GetCode, ...);
 *   - tcoext_limited:  with -DPy_LIMITED_API=0x030d0000, an .abi3.so module
 *                      that calls Python with PyObject_CallObject and
 *                      PyObject_Vectorcall.  The free-threaded build of
 *                      3.13 has no stable ABI (Python.h rejects
 *                      Py_LIMITED_API): there the same module is built with
 *                      -DTCOEXT_LIMITED against the full API.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

/* The free-threaded build: the module keeps no state of its own, so it
 * runs without the GIL (otherwise importing it would enable the GIL). */
static PyObject *
module_ready(PyObject *module)
{
#ifdef Py_GIL_DISABLED
    if (module != NULL &&
        PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED) < 0)
    {
        Py_DECREF(module);
        return NULL;
    }
#endif
    return module;
}

/* call_catch(f, *args) -> (result, None, None) if f(*args) returned,
 * (None, PyErr_Occurred(), exception) if it raised: the exception that the
 * Python callable raised, seen from C. */
static PyObject *
call_catch_impl(PyObject *result)
{
    if (result != NULL) {
        if (PyErr_Occurred()) {
            Py_DECREF(result);
            PyErr_SetString(PyExc_SystemError,
                            "a result and an exception at once");
            return NULL;
        }
        return Py_BuildValue("(NOO)", result, Py_None, Py_None);
    }
    PyObject *type = PyErr_Occurred();      /* borrowed */
    if (type == NULL) {
        PyErr_SetString(PyExc_SystemError, "NULL without an exception");
        return NULL;
    }
    Py_INCREF(type);
    PyObject *exc = PyErr_GetRaisedException();
    if (PyErr_Occurred()) {
        Py_DECREF(type);
        Py_XDECREF(exc);
        PyErr_SetString(PyExc_SystemError, "exception still set after fetch");
        return NULL;
    }
    return Py_BuildValue("(ONN)", Py_None, type, exc);
}

#if !defined(Py_LIMITED_API) && !defined(TCOEXT_LIMITED)

/* ---------------------------------------------------------------------- */
/* The full C API: module tcoext                                          */

/* call(f, *args) -> f(*args), through PyObject_Vectorcall; an exception
 * goes on to the caller. */
static PyObject *
call(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "call() needs a callable");
        return NULL;
    }
    return PyObject_Vectorcall(args[0], args + 1, nargs - 1, NULL);
}

static PyObject *
call_catch(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "call_catch() needs a callable");
        return NULL;
    }
    PyObject *result = PyObject_Vectorcall(args[0], args + 1, nargs - 1, NULL);
    return call_catch_impl(result);
}

/* call_many(f, arg, n) -> the number of calls f(arg) that returned arg. */
static PyObject *
call_many(PyObject *self, PyObject *args)
{
    PyObject *f, *arg;
    Py_ssize_t n, same = 0;
    if (!PyArg_ParseTuple(args, "OOn:call_many", &f, &arg, &n)) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *result = PyObject_CallOneArg(f, arg);
        if (result == NULL) {
            return NULL;
        }
        same += (result == arg);
        Py_DECREF(result);
    }
    return PyLong_FromSsize_t(same);
}

/* catch_many(f, arg, n) -> the number of calls f(arg) that raised; each
 * exception is cleared in C. */
static PyObject *
catch_many(PyObject *self, PyObject *args)
{
    PyObject *f, *arg;
    Py_ssize_t n, raised = 0;
    if (!PyArg_ParseTuple(args, "OOn:catch_many", &f, &arg, &n)) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *result = PyObject_CallOneArg(f, arg);
        if (result == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_SystemError, "NULL without an exception");
                return NULL;
            }
            PyErr_Clear();
            raised++;
        }
        else {
            Py_DECREF(result);
        }
    }
    return PyLong_FromSsize_t(raised);
}

/* The name of a frame's code, through PyFrame_GetCode. */
static PyObject *
frame_name(PyFrameObject *frame)
{
    PyCodeObject *code = PyFrame_GetCode(frame);        /* new reference */
    PyObject *name = Py_NewRef(code->co_name);
    Py_DECREF(code);
    return name;
}

/* Walks the frames from PyEval_GetFrame() along PyFrame_GetBack(), and
 * appends item(frame) for each one to a new list. */
static PyObject *
walk_frames(PyObject *(*item)(PyFrameObject *))
{
    PyObject *list = PyList_New(0);
    if (list == NULL) {
        return NULL;
    }
    PyFrameObject *frame = PyEval_GetFrame();           /* borrowed */
    Py_XINCREF(frame);
    while (frame != NULL) {
        PyObject *value = item(frame);
        if (value == NULL || PyList_Append(list, value) < 0) {
            Py_XDECREF(value);
            Py_DECREF(frame);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(value);
        PyFrameObject *back = PyFrame_GetBack(frame);   /* new reference */
        Py_DECREF(frame);
        frame = back;
    }
    return list;
}

/* stack_names() -> co_name of every frame, from the caller's down. */
static PyObject *
stack_names(PyObject *self, PyObject *unused)
{
    return walk_frames(frame_name);
}

static PyObject *
frame_itself(PyFrameObject *frame)
{
    return Py_NewRef(frame);
}

/* stack_frames() -> the frame objects, from the caller's down. */
static PyObject *
stack_frames(PyObject *self, PyObject *unused)
{
    return walk_frames(frame_itself);
}

static PyObject *
frame_info(PyFrameObject *frame)
{
    PyObject *name = frame_name(frame);
    if (name == NULL) {
        return NULL;
    }
    PyObject *locals = PyFrame_GetLocals(frame);    /* a proxy in 3.13 */
    if (locals == NULL) {
        Py_DECREF(name);
        return NULL;
    }
    PyObject *copy = PyDict_New();
    if (copy == NULL || PyDict_Merge(copy, locals, 1) < 0) {
        Py_XDECREF(copy);
        Py_DECREF(locals);
        Py_DECREF(name);
        return NULL;
    }
    Py_DECREF(locals);
    return Py_BuildValue("(NiN)", name, PyFrame_GetLineNumber(frame), copy);
}

/* stack_info() -> (co_name, line number, dict of the locals) of every
 * frame, from the caller's down. */
static PyObject *
stack_info(PyObject *self, PyObject *unused)
{
    return walk_frames(frame_info);
}

/* caller_var(name) -> the value of the caller's local variable name,
 * through PyFrame_GetVar. */
static PyObject *
caller_var(PyObject *self, PyObject *name)
{
    PyFrameObject *frame = PyEval_GetFrame();
    if (frame == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "no Python frame");
        return NULL;
    }
    return PyFrame_GetVar(frame, name);
}

/* raise_if(flag, message) -> raises ValueError(message) from C if flag is
 * true, else returns message. */
static PyObject *
raise_if(PyObject *self, PyObject *args)
{
    int flag;
    PyObject *message;
    if (!PyArg_ParseTuple(args, "pU:raise_if", &flag, &message)) {
        return NULL;
    }
    if (flag) {
        PyErr_SetObject(PyExc_ValueError, message);
        return NULL;
    }
    return Py_NewRef(message);
}

static PyMethodDef tcoext_methods[] = {
    {"call", _PyCFunction_CAST(call), METH_FASTCALL, NULL},
    {"call_catch", _PyCFunction_CAST(call_catch), METH_FASTCALL, NULL},
    {"call_many", call_many, METH_VARARGS, NULL},
    {"catch_many", catch_many, METH_VARARGS, NULL},
    {"stack_names", stack_names, METH_NOARGS, NULL},
    {"stack_frames", stack_frames, METH_NOARGS, NULL},
    {"stack_info", stack_info, METH_NOARGS, NULL},
    {"caller_var", caller_var, METH_O, NULL},
    {"raise_if", raise_if, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef tcoext_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "tcoext",
    .m_size = -1,
    .m_methods = tcoext_methods,
};

PyMODINIT_FUNC
PyInit_tcoext(void)
{
    return module_ready(PyModule_Create(&tcoext_module));
}

#else   /* Py_LIMITED_API or TCOEXT_LIMITED */

/* ---------------------------------------------------------------------- */
/* The limited API: module tcoext_limited                                 */

/* call_object(f, args_tuple) -> PyObject_CallObject(f, args_tuple) */
static PyObject *
call_object(PyObject *self, PyObject *args)
{
    PyObject *f, *tuple;
    if (!PyArg_ParseTuple(args, "OO!:call_object", &f, &PyTuple_Type, &tuple)) {
        return NULL;
    }
    return PyObject_CallObject(f, tuple);
}

#define SMALL 8

/* Calls f(*args) with PyObject_Vectorcall, the arguments in an array of
 * our own with a free slot before them (PY_VECTORCALL_ARGUMENTS_OFFSET). */
static PyObject *
vectorcall_impl(PyObject *f, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *small[SMALL + 1];
    PyObject **stack = small;
    if (nargs > SMALL) {
        stack = PyMem_Malloc((nargs + 1) * sizeof(PyObject *));
        if (stack == NULL) {
            return PyErr_NoMemory();
        }
    }
    stack[0] = NULL;
    memcpy(stack + 1, args, nargs * sizeof(PyObject *));
    PyObject *result = PyObject_Vectorcall(
        f, stack + 1, nargs | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    if (stack != small) {
        PyMem_Free(stack);
    }
    return result;
}

/* vectorcall(f, *args) -> f(*args) */
static PyObject *
vectorcall(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "vectorcall() needs a callable");
        return NULL;
    }
    return vectorcall_impl(args[0], args + 1, nargs - 1);
}

/* call_catch(f, *args): as in tcoext, through PyObject_Vectorcall. */
static PyObject *
call_catch(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "call_catch() needs a callable");
        return NULL;
    }
    return call_catch_impl(vectorcall_impl(args[0], args + 1, nargs - 1));
}

/* check(f, arg, expected, n) -> True if each of n rounds of
 * PyObject_CallObject(f, (arg,)) and PyObject_Vectorcall(f, [arg]) returned
 * an object equal to expected; raises AssertionError otherwise. */
static PyObject *
check(PyObject *self, PyObject *args)
{
    PyObject *f, *arg, *expected;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "OOOn:check", &f, &arg, &expected, &n)) {
        return NULL;
    }
    PyObject *tuple = PyTuple_Pack(1, arg);
    if (tuple == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < 2 * n; i++) {
        PyObject *result = (i % 2) ? vectorcall_impl(f, &arg, 1)
                                   : PyObject_CallObject(f, tuple);
        if (result == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        int equal = PyObject_RichCompareBool(result, expected, Py_EQ);
        if (equal <= 0) {
            if (equal == 0) {
                PyErr_Format(PyExc_AssertionError,
                             "%s returned %R, not %R",
                             (i % 2) ? "PyObject_Vectorcall"
                                     : "PyObject_CallObject",
                             result, expected);
            }
            Py_DECREF(result);
            Py_DECREF(tuple);
            return NULL;
        }
        Py_DECREF(result);
    }
    Py_DECREF(tuple);
    Py_RETURN_TRUE;
}

/* caller() -> (co_name, line number) of the calling frame, through the
 * stable ABI's PyEval_GetFrame, PyFrame_GetCode, PyFrame_GetLineNumber. */
static PyObject *
caller(PyObject *self, PyObject *unused)
{
    PyFrameObject *frame = PyEval_GetFrame();
    if (frame == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "no Python frame");
        return NULL;
    }
    PyCodeObject *code = PyFrame_GetCode(frame);
    PyObject *name = PyObject_GetAttrString((PyObject *)code, "co_name");
    Py_DECREF(code);
    if (name == NULL) {
        return NULL;
    }
    return Py_BuildValue("(Ni)", name, PyFrame_GetLineNumber(frame));
}

static PyMethodDef limited_methods[] = {
    {"call_object", call_object, METH_VARARGS, NULL},
    {"vectorcall", (PyCFunction)(void (*)(void))vectorcall, METH_FASTCALL, NULL},
    {"call_catch", (PyCFunction)(void (*)(void))call_catch, METH_FASTCALL, NULL},
    {"check", check, METH_VARARGS, NULL},
    {"caller", caller, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef limited_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "tcoext_limited",
    .m_size = -1,
    .m_methods = limited_methods,
};

PyMODINIT_FUNC
PyInit_tcoext_limited(void)
{
    return module_ready(PyModule_Create(&limited_module));
}

#endif  /* Py_LIMITED_API or TCOEXT_LIMITED */
