"""What every table module of the schema shares: one ``MetaData`` and the 64-bit key type."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, MetaData

metadata = MetaData()

#: A 64-bit key that is SQLite's rowid alias there (so it auto-increments in insert order).
BigKey = BigInteger().with_variant(Integer(), "sqlite")
