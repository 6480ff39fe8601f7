"""Make ``--dist loadgroup`` group tests under pytest 9 (a pytest plugin).

pytest-xdist 3.8 sends the tests of one ``xdist_group`` to one worker by suffixing their node
ids with ``@<group>`` (``item._nodeid``) while the worker collects; pytest 9.2 keeps node ids
in ``item._id``, so that suffix is lost and the groups are silently spread over the workers.
This hook, run after xdist's, applies the same suffix where it did not take. It does nothing
without ``--dist loadgroup`` or once xdist's own rewrite works.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Suffix the node id of every grouped test with its group, as xdist intends."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        if names and not item.nodeid.endswith("@" + "_".join(names)):
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")
