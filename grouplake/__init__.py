"""The ``grouplake`` command and ``grouplake up``, the service launcher."""
