"""The workbench (SPEC section 6): review pages, the JSON API, health and metrics."""

from monitor.web.app import create_app

__all__ = ["create_app"]
