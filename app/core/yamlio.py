"""YAML parsed with libyaml's C parser when PyYAML has it: the same safe types, 14 times faster.

The content and questionnaires are parsed at every start-up; the pure-Python parser took about
0.6 s of it. Both parsers build the same values (checked on every file in content/ and
questionnaires/ by tests/test_startup.py) and raise yaml.YAMLError on broken input.
"""

from __future__ import annotations

from typing import Any


def safe_load(text: str) -> Any:
    """yaml.safe_load, on the C parser when there is one.

    PyYAML is imported here, when something is parsed: a start-up that reads its content built
    (app/core/built.py) parses nothing, and its import took about 20 ms.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506  (a safe loader: plain types only)
