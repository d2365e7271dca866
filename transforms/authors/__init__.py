"""Author resolution: written names -> persons and groups (see resolve.py for the steps)."""

from transforms.authors.overrides import OverrideError
from transforms.authors.resolve import (
    LOW_CONFIDENCE,
    VARIANT_SEPARATOR,
    Resolution,
    quality_summary,
    resolve_partition,
)

__all__ = [
    "LOW_CONFIDENCE", "OverrideError", "Resolution", "VARIANT_SEPARATOR", "quality_summary", "resolve_partition",
]
