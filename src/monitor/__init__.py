"""monitor: source-monitoring ingestion for the TTP–Pakistan–Afghanistan conflict."""

__version__ = "0.1.0"
