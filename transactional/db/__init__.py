"""Database layer: tables, column types, engine setup per backend, sessions, migrations."""
