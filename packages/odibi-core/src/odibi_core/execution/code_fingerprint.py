"""Fold the code of a node's Python steps into its config fingerprint.

A node's fingerprint covers its YAML (and its upstream fingerprints), so editing SQL reruns it
under ``--resume``. A Python step's behaviour lives in code: editing the body of a function in
``transforms.py`` must rerun the nodes that call it too. Each function is represented by the
bytes of the file of the module that defines it (so an edit to a helper it calls counts as well),
else its source, else its compiled code.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from odibi_core.config.models import FunctionStep
from odibi_core.planning.dag import Plan, refingerprint
from odibi_core.plugins.types import TransformSpec


def with_code_fingerprints(plan: Plan, transforms: Mapping[str, TransformSpec]) -> Plan:
    """``plan`` with the code of every node's Python steps folded into the fingerprints."""
    code: dict[str, str] = {}
    for name, node in plan.nodes.items():
        functions = [
            s.function
            for s in (node.transform.steps if node.transform else [])
            if isinstance(s, FunctionStep)
        ]
        digests = [function_digest(transforms[f].func) for f in functions if f in transforms]
        if digests:
            code[name] = hashlib.sha256("\n".join(digests).encode()).hexdigest()
    if code:
        refingerprint(plan, code)
    return plan


def function_digest(func: Callable[..., Any]) -> str:
    """What identifies ``func``'s behaviour: its module file's bytes, else its source, else its
    compiled code."""
    module = inspect.getmodule(func)
    path = getattr(module, "__file__", None)
    if path:
        try:
            with open(path, "rb") as handle:
                return "file:" + hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            pass
    try:
        return "source:" + hashlib.sha256(inspect.getsource(func).encode()).hexdigest()
    except (OSError, TypeError):
        code = getattr(func, "__code__", None)
        payload = repr((code.co_code, code.co_consts, code.co_names)) if code else repr(func)
        return "code:" + hashlib.sha256(payload.encode()).hexdigest()
