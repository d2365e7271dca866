"""The published schema: every table's columns and types, as the writers cast to them.

Writers cast to it (so a transform that drifts fails the run instead of
silently changing a BI tool's types) and tests check the files against it.
Types are what BI tools read well: strings, booleans, 32/64-bit integers and
DATE; nothing nested (name variants are a delimited string).

The columns and types are declared once, with their descriptions and data
tests, in the data dictionary ``sql/dictionary.yml`` (see
``warehouse.dictionary``); ``TABLE_SCHEMAS`` is derived from it on first use
(PEP 562 module attribute), so importing this module reads no file.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from warehouse.dictionary import table_schemas

TABLE_SCHEMAS: dict[str, pa.Schema]


def __getattr__(name: str) -> Any:
    if name == "TABLE_SCHEMAS":
        return table_schemas()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
