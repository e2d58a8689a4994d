"""Code objects made by hand: bytecode the compiler does not emit (tail
calls with an argument wider than a byte), for tests of the interpreter."""

import dis
import opcode
import types


def assemble(ops):
    """Bytecode for [(opname, arg)]: EXTENDED_ARG where the argument needs
    it, and zeroed inline caches."""
    out = bytearray()
    for name, arg in ops:
        if arg > 0xFF:
            out += bytes([dis.opmap["EXTENDED_ARG"], (arg >> 8) & 0xFF])
        out += bytes([dis.opmap[name], arg & 0xFF])
        out += bytes(2 * opcode._inline_cache_entries.get(name, 0))
    return bytes(out)


def line_table(code_units):
    """A location table that puts every instruction on the line after
    co_firstlineno (entries without columns, 8 code units at most)."""
    table = bytearray()
    delta = 1
    while code_units > 0:
        n = min(code_units, 8)
        table.append(0x80 | (13 << 3) | (n - 1))
        table.append(delta << 1)        # signed varint: zigzag, one byte
        delta = 0
        code_units -= n
    return bytes(table)


NARGS = 300


PARAMS = ", ".join(f"a{i}" for i in range(NARGS))


def hand_made_tail_caller(kw):
    """f(n, a0, ..., a299) whose body is `return nxt(n, a0, ..., a299)`
    as one TAIL_CALL (or TAIL_CALL_KW, all by keyword) with an argument of
    301: EXTENDED_ARG.  The compiler never makes these (a call with more
    than 30 arguments compiles to CALL_FUNCTION_EX), so they are built by
    hand."""
    ns = {}
    exec(f"def f(n, {PARAMS}):\n    pass\n", ns)
    f = ns["f"]
    ops = [("RESUME", 0), ("LOAD_GLOBAL", 1)]
    ops += [("LOAD_FAST", i) for i in range(NARGS + 1)]
    if kw:
        ops += [("LOAD_CONST", 1), ("TAIL_CALL_KW", NARGS + 1)]
        consts = (None, ("n",) + tuple(f"a{i}" for i in range(NARGS)))
    else:
        ops += [("TAIL_CALL", NARGS + 1)]
        consts = (None,)
    ops += [("RETURN_VALUE", 0)]
    code = assemble(ops)
    f.__code__ = f.__code__.replace(
        co_code=code, co_names=("nxt",), co_consts=consts,
        co_stacksize=NARGS + 4, co_linetable=line_table(len(code) // 2),
        co_exceptiontable=b"")
    f.__globals__["nxt"] = None
    return f



def hand_made_self_tail_generator():
    """g(n), a generator function whose body is `return g(n)` as one
    TAIL_CALL to itself.  The compiler puts no tail call in a generator's
    code, so it is built by hand.  Its first next() raises StopIteration
    whose value is a new generator of g's, not yet started."""
    module = compile("def g(n):\n    yield\n", "<hand-made>", "exec")
    ops = [("RETURN_GENERATOR", 0), ("POP_TOP", 0), ("RESUME", 0),
           ("LOAD_GLOBAL", 1), ("LOAD_FAST", 0), ("TAIL_CALL", 1),
           ("RETURN_VALUE", 0)]
    code = assemble(ops)
    consts = tuple(
        const.replace(co_code=code, co_names=("g",), co_consts=(None,),
                      co_stacksize=3, co_exceptiontable=b"",
                      co_linetable=line_table(len(code) // 2))
        if isinstance(const, types.CodeType) else const
        for const in module.co_consts)
    # The function made by the module's MAKE_FUNCTION, which gives it a
    # version to specialize calls on (assigning __code__ takes it away).
    ns = {}
    exec(module.replace(co_consts=consts), ns)
    return ns["g"]
