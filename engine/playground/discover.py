"""Find the graph behind any learner ``Value``, whatever its class calls things.

A node's inputs are the Value-like objects (see ``is_value_like``) its attributes hold, directly
or in containers one or two levels down (``_prev = set(...)``, ``parents = (a, b)``,
``edges = [(a, 1.0), (b, 1.0)]``, ``left``/``right``). A set forgets an input used twice
(micrograd's ``x + x``): the closure of the node's backward function (``_backward``) still holds
it twice, so when that closure names the same inputs as the set, it says how many times each is
used. A class that keeps nothing on its nodes may record each operation in a list (a tape):
records that hold one node directly and its inputs in a container inside are read then.

Nothing here calls learner methods except attribute reads (a property may run): no ``__eq__``,
no ``__hash__`` (identity only), no ``__iter__`` of the learner's own classes. The walk is a loop,
never a recursion (a chain 100,000 deep is fine), and stops at ``MAX_NODES``.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from types import FunctionType, MemberDescriptorType
from typing import Any

MAX_NODES = 1000
MAX_ITEMS = 10_000  # items read from one container (a list of every node ever made is no input)
OP_ATTRIBUTES = ("_op", "op", "_operation", "operation", "_op_name", "op_name", "_opname", "opname")
# An op named by the method that defined the node's backward function (Value.__mul__.<locals>).
METHOD_OPS = {"__add__": "+", "__radd__": "+", "__sub__": "-", "__rsub__": "-", "__mul__": "*",
              "__rmul__": "*", "__truediv__": "/", "__rtruediv__": "/", "__pow__": "**",
              "__neg__": "neg"}
CONTAINERS = (tuple, list, set, frozenset, dict)
_ATOMS = frozenset({int, float, complex, bool, str, bytes, type(None)})
_type, _id, _len, _isinstance = type, id, len, isinstance


@dataclass
class Graph:
    """What ``read_graph`` found: ``nodes[0]`` is the drawn value; edges are (input, node) index
    pairs, one per use."""

    nodes: list[Any]
    ops: list[str | None]
    edges: list[tuple[int, int]] = field(default_factory=list)
    truncated: bool = False
    note: str | None = None


def has_data_and_grad(obj: object) -> bool:
    """Whether ``obj`` has ``data`` and ``grad``: on the instance or its class (slots, defaults)."""
    kind = _type(obj)
    if kind in _ATOMS or _isinstance(obj, (type, *CONTAINERS)):
        return False
    own = _instance_dict(obj)
    return all(name in own or any(name in vars(k) for k in kind.__mro__) for name in ("data", "grad"))


def is_value_like(obj: object, root: type) -> bool:
    """An instance of the drawn value's class (or a subclass), or of any class with ``data`` and
    ``grad`` (a learner's second class, the reference's ``Value`` in a mixed graph)."""
    kind = _type(obj)
    if kind is root:
        return True
    if kind in _ATOMS:
        return False
    return root in kind.__mro__ or has_data_and_grad(obj)


def attributes(obj: object) -> list[tuple[str, Any]]:
    """The object's own attributes: its ``__dict__`` (dataclass fields are there too) and every
    ``__slots__`` entry across its class's MRO that is set."""
    found = list(_instance_dict(obj).items())
    for name, slot, klass in _slots_of(_type(obj)):
        with suppress(AttributeError):  # declared, never set
            found.append((name, slot.__get__(obj, klass)))
    return found


def _slots_of(kind: type) -> list[tuple[str, Any, type]]:
    """(name, member descriptor, class) of each slot across ``kind``'s MRO: read once per class
    (per draw: a class may change between Runs)."""
    cached = _SLOTS.get(kind)
    if cached is not None and cached[0] is kind.__mro__:
        return cached[1]
    slots: list[tuple[str, Any, type]] = []
    for klass in kind.__mro__:
        declared = vars(klass).get("__slots__")
        if declared is None:
            continue
        try:
            names = [declared] if _isinstance(declared, str) else list(declared)
        except Exception:
            continue
        for name in names:
            if not _isinstance(name, str) or name in ("__dict__", "__weakref__"):
                continue
            key = f"_{klass.__name__.lstrip('_')}{name}" if name.startswith("__") else name
            slot = vars(klass).get(key)
            if _type(slot) is MemberDescriptorType:
                slots.append((name, slot, klass))
    _SLOTS[kind] = (kind.__mro__, slots)
    return slots


_SLOTS: dict[type, tuple[tuple[type, ...], list[tuple[str, Any, type]]]] = {}


def _instance_dict(obj: object) -> dict[str, Any]:
    try:
        own = object.__getattribute__(obj, "__dict__")
    except Exception:
        return {}
    return own if _type(own) is dict else {}


def _values_in(container: Any, node: object, root: type, depth: int) -> list[Any]:
    """Value-likes in a container (dict: its values), and in containers inside it up to
    ``depth`` levels, in order, each as many times as it is there; never ``node`` itself."""
    found: list[Any] = []
    stack = [(container, depth)]
    while stack:
        box, level = stack.pop()
        try:
            items = list(dict.values(box) if _isinstance(box, dict) else box)[:MAX_ITEMS]
        except Exception:
            continue
        inner = []
        for item in items:
            if item is node:
                continue
            if is_value_like(item, root):
                found.append(item)
            elif level > 1 and _isinstance(item, CONTAINERS):
                inner.append(item)
        # containers inside, in order, after this level's own values (a tuple (a, 1.0) inside
        # a list yields a in its place: one level of nesting keeps the order)
        for box_inside in inner:
            found.extend(_values_in(box_inside, node, root, level - 1))
    return found


def _closure_inputs(function: FunctionType, node: object, root: type) -> list[Any]:
    """Value-likes a backward function's closure holds (other than the node), ``self`` first."""
    cells = function.__closure__ or ()
    named = sorted(zip(function.__code__.co_freevars, cells, strict=False),
                   key=lambda pair: pair[0] != "self")
    found: list[Any] = []
    for _, cell in named:
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if value is node:
            continue
        if is_value_like(value, root):
            found.append(value)
        elif _isinstance(value, (tuple, list)):
            found.extend(_values_in(value, node, root, 1))
    return found


def _method_op(function: FunctionType) -> str | None:
    """The op a backward function's defining method names (``Value.__mul__.<locals>._backward``
    -> ``*``, ``Value.relu.<locals>...`` -> ``relu``); None when it is no such method."""
    outer = function.__qualname__.partition(".<locals>.")
    if not outer[1]:
        return None
    method = outer[0].rpartition(".")[2]
    if method in METHOD_OPS:
        return METHOD_OPS[method]
    return method if method.isidentifier() and not method.startswith("_") else None


@dataclass
class Inputs:
    """One node's inputs as its attributes give them."""

    values: list[Any]
    where: list[str]  # the attributes they came from
    op: str | None
    from_closure: bool = False  # a set's inputs counted from the backward function's closure
    stores_inputs: bool = False  # some attribute holds a container, even an empty one (a leaf)


def read_inputs(node: object, root: type) -> Inputs:
    """The inputs of one node, read from its attributes (see the module's docstring)."""
    singles: list[tuple[str, Any]] = []
    boxes: list[tuple[str, list[Any], bool]] = []
    functions: list[FunctionType] = []
    op = None
    stores = False
    for name, value in attributes(node):
        if name in ("data", "grad") or value is node:
            continue
        if op is None and name in OP_ATTRIBUTES and _type(value) is str and 0 < _len(value) <= 24:
            op = value
        if is_value_like(value, root):
            singles.append((name, value))
        elif _isinstance(value, CONTAINERS):
            stores = True
            found = _values_in(value, node, root, 2)
            if found:
                boxes.append((name, found, _isinstance(value, (set, frozenset))))
        elif _type(value) is FunctionType:
            functions.append(value)
    values: list[Any] = []
    where: list[str] = []
    boxed: set[int] = set()
    from_closure = False
    for name, found, is_set in boxes:
        ids = {_id(v) for v in found}
        if boxed and ids <= boxed:
            continue  # the same inputs kept twice (a tuple and a set of them)
        if is_set:
            for function in functions:
                counted = _closure_inputs(function, node, root)
                if {_id(v) for v in counted} == ids:
                    from_closure = from_closure or _len(counted) != _len(found)
                    found = counted
                    break
        boxed |= ids
        values.extend(found)
        where.append(name)
    for name, value in singles:
        if _id(value) not in boxed:
            values.append(value)
            where.append(name)
    if op is None and values:
        op = next((o for o in map(_method_op, functions) if o is not None), None)
    return Inputs(values, where, op, from_closure, stores or bool(singles))


def tape_index(root_value: object, root: type, namespace: dict[str, Any]
               ) -> tuple[dict[int, list[Any]], str] | None:
    """Inputs by node id from a list of records (a tape), and the list's name; None if no list
    in the learner's module or on the class records ``root_value``'s inputs.

    A record (a tuple, a list or an object) counts when it holds exactly one Value-like directly
    (the output) and the others inside a container (``(out, (a, b), (1, 1))``); an output with
    two records is left out (which one is right cannot be told)."""
    places: list[tuple[str, Any]] = [(k, v) for k, v in list(namespace.items())
                                     if not k.startswith("__")]
    for klass in root.__mro__[:-1]:
        places += [(f"{klass.__name__}.{k}", v) for k, v in list(vars(klass).items())]
    for name, box in places:
        if not _isinstance(box, (list, tuple, dict)) or is_value_like(box, root):
            continue
        try:
            records = list(dict.values(box) if _isinstance(box, dict) else box)
        except Exception:
            continue
        index: dict[int, list[Any]] = {}
        twice: set[int] = set()
        for record in records:
            split = _split_record(record, root)
            if split is not None:
                out, inputs = split
                if _id(out) in index:
                    twice.add(_id(out))
                index[_id(out)] = inputs
        for key in twice:
            del index[key]
        if _id(root_value) in index:
            return index, name
    return None


def _split_record(record: Any, root: type) -> tuple[Any, list[Any]] | None:
    if _isinstance(record, (tuple, list)):
        fields = list(record)
    elif _type(record) in _ATOMS or _isinstance(record, (dict, set, frozenset, type)) or \
            is_value_like(record, root):
        return None
    else:
        fields = [value for _, value in attributes(record)]
    direct = [f for f in fields if is_value_like(f, root)]
    if _len(direct) != 1:
        return None
    inputs: list[Any] = []
    for f in fields:
        if _isinstance(f, (tuple, list)):
            inputs.extend(_values_in(f, direct[0], root, 1))
    return (direct[0], inputs) if inputs else None


NO_INPUTS_NOTE = ("draw() found no inputs for this Value. If it was computed from other Values, it "
                  "keeps them somewhere draw() cannot see (not in its attributes, its backward "
                  "function or a list of records), so only the value itself is drawn.")


def read_graph(value: object, namespace: dict[str, Any] | None = None,
               max_nodes: int = MAX_NODES) -> Graph:
    """Walk from ``value`` to every node it was computed from (breadth first, in a loop), at most
    ``max_nodes``; ``value`` is node 0, the rest in the order found."""
    root = _type(value)
    try:
        return _walk(value, root, namespace, max_nodes)
    finally:
        _SLOTS.clear()  # keeps no learner class alive once the drawing is read


def _walk(value: object, root: type, namespace: dict[str, Any] | None, max_nodes: int) -> Graph:
    tape = None
    first = read_inputs(value, root)
    if not first.values and namespace is not None:
        tape = tape_index(value, root, namespace)
    nodes: list[Any] = [value]
    ops: list[str | None] = []
    seen: dict[int, int] = {_id(value): 0}
    graph = Graph(nodes, ops)
    where: list[str] = []
    counted_from_closure = False
    position = 0
    while position < _len(nodes):
        node = nodes[position]
        if tape is not None:
            inputs = read_inputs(node, root)
            found = tape[0].get(_id(node), [])
            op = inputs.op
        else:
            inputs = first if position == 0 else read_inputs(node, root)
            found, op = inputs.values, inputs.op
            counted_from_closure = counted_from_closure or inputs.from_closure
            where.extend(w for w in inputs.where if w not in where)
        ops.append(op)
        for child in found:
            index = seen.get(_id(child))
            if index is None:
                if _len(nodes) >= max_nodes:
                    graph.truncated = True
                    continue
                index = seen[_id(child)] = _len(nodes)
                nodes.append(child)
            graph.edges.append((index, position))
        position += 1
    if tape is not None:
        graph.note = f"Inputs read from the records in `{tape[1]}`."
    elif where:
        names = ", ".join(f"`{w}`" for w in where)
        graph.note = f"Inputs read from {names}" + (
            " (and, for an input used twice, from the backward function)." if counted_from_closure
            else ".")
    elif not first.stores_inputs:
        graph.note = NO_INPUTS_NOTE
    return graph
