/* A PEP 523 frame evaluator that only runs the default one: what a tail
   site costs when an evaluator is installed (bench/steps/pep523.py), with
   nothing of the evaluator's own work in the count.  tools/bench builds it
   against the stock headers. */
#include <Python.h>

static PyObject *
run_frame(PyThreadState *tstate, struct _PyInterpreterFrame *frame, int exc)
{
    return _PyEval_EvalFrameDefault(tstate, frame, exc);
}

static PyObject *
install(PyObject *module, PyObject *Py_UNUSED(arg))
{
    _PyInterpreterState_SetEvalFrameFunc(PyInterpreterState_Get(), run_frame);
    Py_RETURN_NONE;
}

static PyObject *
uninstall(PyObject *module, PyObject *Py_UNUSED(arg))
{
    _PyInterpreterState_SetEvalFrameFunc(PyInterpreterState_Get(),
                                         _PyEval_EvalFrameDefault);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"install", install, METH_NOARGS, "Install the evaluator."},
    {"uninstall", uninstall, METH_NOARGS, "Restore the default evaluator."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "evalframe", NULL, 0, methods,
};

PyMODINIT_FUNC
PyInit_evalframe(void)
{
    return PyModule_Create(&module);
}
