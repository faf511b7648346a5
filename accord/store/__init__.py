"""Storage: SQLAlchemy Core tables, Alembic migrations and repository functions.

Driver errors never leave this package: they become :class:`accord.errors.StoreError`.
"""
