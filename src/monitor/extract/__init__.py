"""Extraction: article pages and feed HTML to plain text, language, metadata.

extract_article(html, url)   page bytes → Article (pure, sync; ExtractError)
ExtractionPool(settings)     the same in worker processes, under a hard time limit
html_to_text(html)           feed content/summary HTML → plain text with paragraphs
detect_language(text)        ISO 639-1 code from the text itself, or None
"""

from __future__ import annotations

from monitor.extract.article import extract_article
from monitor.extract.language import detect_language
from monitor.extract.markup import html_to_text
from monitor.extract.pool import ExtractionPool

__all__ = ["ExtractionPool", "detect_language", "extract_article", "html_to_text"]
