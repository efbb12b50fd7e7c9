"""URL rules whose url_for() half is made when it is first used, not at start-up.

Werkzeug compiles two Python functions per rule when the rule joins the map, to build its URLs
with and without extra query arguments: generated source, compiled with compile(). For the
app's hundred-odd rules that was about 70 ms of every start-up, for functions of which a worker
uses a few dozen (the routes its pages link to). Matching a request does not use them.

Here each of the two is a stand-in that compiles the real function on its first call, puts it in
its place on the rule and calls it: URLs come out as Werkzeug builds them. Two threads that
build the same rule's first URL at once both compile it; either result is the same function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuildRule(Rule):
    """A Werkzeug rule that compiles its URL builders on first use (app.url_rule_class)."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        # Rule.compile stores what this returns, bound to the rule, as _build_unknown
        # (append_unknown) or _build; the first call puts the real builder there instead.
        name = "_build_unknown" if append_unknown else "_build"

        def build_first(rule: Rule, **values: Any) -> tuple[str, str]:
            real = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, name, real)
            return real(**values)

        return build_first
