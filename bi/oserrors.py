"""Telling a full disk apart from other OS errors, for one clear line instead of a traceback."""

from __future__ import annotations

import errno

#: A full file system, or a full quota: either way "no space left".
OUT_OF_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_out_of_space(exc: OSError) -> bool:
    """True for ENOSPC / EDQUOT; pyarrow raises a plain OSError with the errno set, and no file name."""
    return exc.errno in OUT_OF_SPACE
