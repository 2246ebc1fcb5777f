"""Fixtures of the workbench tests (defined in ``web_support``)."""

from web_support import api, app_url, serve, site

__all__ = ["api", "app_url", "serve", "site"]
