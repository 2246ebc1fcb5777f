"""The fetch stage: the service's own HTTP client, hardened against hostile servers.

``Fetcher`` is the whole interface; see ``client.py`` for the flow and
docs/fetch.md for limits, error classes and the SSRF and robots policies.
"""

from monitor.fetch.client import Fetcher

__all__ = ["Fetcher"]
