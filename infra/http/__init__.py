"""The HTTP kit both APIs share: one error envelope and its handlers (``errors.py``), pages
(``pages.py``), and the checks every request passes at the edge (``validators.py``).

Only FastAPI, Starlette and pydantic below it; no service imports it back. ``pages.py`` and
``validators.py`` import pydantic alone, so use-case code may return a :class:`Page`.
"""
