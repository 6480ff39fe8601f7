"""A small, fast match model shared by the entity-resolution tests (fitted once per session)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def small_model():
    from models.entity_resolution.model import fit_model

    return fit_model(prior_companies=600)
