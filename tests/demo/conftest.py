"""Fixtures of the demo-group tests: one small generated group shared by the whole session.

Tests that change a demo group (advance, regenerate) work on a copy (:func:`demo_copy`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SMALL_SCALE = 0.05
SEED = 42


def make_settings(home: Path, **overrides: object) -> object:
    """Settings rooted at ``home`` that ignore the developer's environment and .env file."""
    from infra.settings import isolated_settings

    return isolated_settings(home, **overrides)


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo group generated once at scale 0.05, seed 42 (read-only for tests)."""
    from demo import generate_demo_group

    home = tmp_path_factory.mktemp("demo-home")
    generate_demo_group(make_settings(home), scale=SMALL_SCALE, seed=SEED)
    return home


@pytest.fixture(scope="session")
def demo_settings(demo_home: Path) -> object:
    return make_settings(demo_home)


@pytest.fixture(scope="session")
def demo_manifest(demo_settings: object) -> object:
    from demo.manifest import DemoManifest

    return DemoManifest.read(Path(demo_settings.demo.dir))


@pytest.fixture
def demo_copy(demo_home: Path, tmp_path: Path) -> object:
    """Settings of a private copy of the small demo group (safe to advance or modify)."""
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    return make_settings(home)


@pytest.fixture(scope="session")
def truth_dir(demo_settings: object) -> Path:
    return Path(demo_settings.demo.dir) / "ground_truth"
