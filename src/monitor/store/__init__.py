"""Storage: the only package that knows SQLAlchemy."""

from monitor.store.store import Store

__all__ = ["Store"]
