"""Who: users, passwords and API keys (``users.py``); business units and suppliers, the
parties every other record is scoped to (``directory.py``)."""
