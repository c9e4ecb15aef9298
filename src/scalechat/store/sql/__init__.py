"""The SQL backend: SQLite (embedded default) and PostgreSQL, through SQLAlchemy 2 async."""
