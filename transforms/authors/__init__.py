"""Author resolution: written names -> persons and groups (see resolve.py for the steps)."""

from transforms.authors.overrides import OverrideError
from transforms.authors.resolve import (
    LOW_CONFIDENCE,
    VARIANT_SEPARATOR,
    Resolution,
    explode_mentions,
    quality_summary,
    resolve_authors,
)

__all__ = [
    "LOW_CONFIDENCE", "OverrideError", "Resolution", "VARIANT_SEPARATOR", "explode_mentions",
    "quality_summary", "resolve_authors",
]
