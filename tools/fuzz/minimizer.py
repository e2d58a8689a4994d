"""Delta debugging on a program's syntax tree (Minimizer)."""

import ast
import time

def protected(node):
    """Module statements the minimizer keeps: imports and the recursion
    limit, without which stock would diverge by design."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and "setrecursionlimit" in ast.unparse(node.value.func))


def statement_lists(tree):
    """(owner, field) of every list of statements, handlers or cases,
    outermost first."""
    out, queue = [], [tree]
    while queue:
        node = queue.pop(0)
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            value = getattr(node, field, None)
            if isinstance(value, list) and value and isinstance(
                    value[0], (ast.stmt, ast.excepthandler, ast.match_case)):
                out.append((node, field))
        queue.extend(ast.iter_child_nodes(node))
    return out


class Minimizer:
    """Delta debugging on the syntax tree: while `still(src)` holds, drop
    statements (in halving chunks), replace compound statements by their
    bodies and conditional returns by one branch, shrink integers."""

    def __init__(self, still, deadline):
        self.still = still
        self.deadline = deadline
        self.cache = {}
        self.current = None

    def test(self, tree):
        if time.monotonic() > self.deadline:
            return False
        try:
            src = ast.unparse(ast.fix_missing_locations(tree)) + "\n"
            compile(src, "<fuzz>", "exec")
        except (SyntaxError, ValueError, TypeError, AttributeError):
            return False
        if src == self.current:
            return False
        if src not in self.cache:
            self.cache[src] = self.still(src)
        if self.cache[src]:
            self.current = src
            return True
        return False

    def run(self, src):
        tree = ast.parse(src)
        self.current = src
        while time.monotonic() < self.deadline:
            before = self.current
            self.drop_statements(tree)
            self.flatten(tree)
            self.shrink_ints(tree)
            if self.current == before:
                break
        return self.current

    def drop_statements(self, tree):
        i = 0
        while True:
            lists = statement_lists(tree)
            if i >= len(lists) or time.monotonic() > self.deadline:
                return
            owner, field = lists[i]
            self.reduce_list(tree, owner, field)
            i += 1

    def reduce_list(self, tree, owner, field):
        stmts = getattr(owner, field)
        chunk = max(1, len(stmts) // 2)
        while True:
            i = 0
            while i < len(stmts):
                cut = stmts[i:i + chunk]
                if isinstance(owner, ast.Module) and any(map(protected, cut)):
                    i += chunk
                    continue
                new = stmts[:i] + stmts[i + chunk:]
                if not new and field == "body" and not isinstance(
                        owner, ast.Module):
                    new = [ast.Pass()]
                setattr(owner, field, new)
                if self.test(tree):
                    stmts = new
                else:
                    setattr(owner, field, stmts)
                    i += chunk
            if chunk == 1:
                return
            chunk = max(1, chunk // 2)

    def flatten(self, tree):
        for owner, field in statement_lists(tree):
            stmts = getattr(owner, field)
            if not stmts or not isinstance(stmts[0], ast.stmt):
                continue
            i = 0
            while i < len(stmts):
                for repl in self.replacements(stmts[i]):
                    new = stmts[:i] + repl + stmts[i + 1:]
                    setattr(owner, field, new)
                    if self.test(tree):
                        stmts = new
                        break
                    setattr(owner, field, stmts)
                i += 1

    @staticmethod
    def replacements(node):
        if isinstance(node, ast.If):
            yield node.body
            if node.orelse:
                yield node.orelse
        elif isinstance(node, (ast.For, ast.While, ast.With)):
            yield node.body
        elif isinstance(node, ast.Try):
            yield node.body
            if node.finalbody:
                yield node.body + node.finalbody
        elif isinstance(node, ast.Match):
            for case in node.cases:
                yield case.body
        elif isinstance(node, ast.Return) and isinstance(node.value,
                                                         ast.IfExp):
            yield [ast.Return(value=node.value.body)]
            yield [ast.Return(value=node.value.orelse)]
        elif isinstance(node, ast.Return) and isinstance(node.value,
                                                         ast.BoolOp):
            yield [ast.Return(value=node.value.values[-1])]
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and (
                node.decorator_list):
            copy = ast.parse(ast.unparse(node)).body[0]
            copy.decorator_list = []
            yield [copy]

    def shrink_ints(self, tree):
        keep = {id(node) for stmt in tree.body if protected(stmt)
                for node in ast.walk(stmt)}
        for node in list(ast.walk(tree)):
            if time.monotonic() > self.deadline:
                return
            if id(node) in keep or not isinstance(node, ast.Constant):
                continue
            if type(node.value) is not int or node.value < 2:
                continue
            lo, hi = 0, node.value
            while lo < hi:
                mid = (lo + hi) // 2
                old = node.value
                node.value = mid
                if self.test(tree):
                    hi = mid
                else:
                    node.value = old
                    lo = mid + 1
            node.value = hi
