"""Where market data sits on disk: one `Source` (its kind and path) that the plan, research and the
replay feed classify a path with, so a Lean folder or a DBN file means the same to each of them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from orderflow_lib.core.errors import DataError

DBN_SUFFIXES: Final = (".dbn", ".dbn.zst")
"""File name endings of Databento DBN files (plain or zstd-compressed)."""
LEAN_DAY_SUFFIX: Final = "_trade.zip"
"""File name ending of one UTC day of Lean minute trade bars (YYYYMMDD_trade.zip)."""

SourceKind = Literal["lean", "dbn"]


def is_dbn(path: str | os.PathLike[str]) -> bool:
    """True when the file name ends as a Databento file (.dbn or .dbn.zst)."""
    return Path(path).name.endswith(DBN_SUFFIXES)


@dataclass(frozen=True, slots=True)
class Source:
    """Market data files of one kind: 'lean' (a Lean minute folder of 1-minute bars) or 'dbn' (a
    Databento file, or a folder of them, of trades or books)."""

    kind: SourceKind
    path: Path

    @classmethod
    def at(cls, path: str | os.PathLike[str]) -> Source:
        """The source at `path`: a folder of YYYYMMDD_trade.zip (or its `minute` subfolder) is
        Lean, a file or a folder of .dbn/.dbn.zst files is DBN; DataError for anything else."""
        where = Path(path)
        if not where.exists():
            raise DataError(f"source {where} does not exist")
        if where.is_dir() and any(p.name.endswith(LEAN_DAY_SUFFIX) for p in where.iterdir()):
            return cls("lean", where)
        if where.is_dir() and (where / "minute").is_dir():
            return cls("lean", where / "minute")
        if where.is_file() or any(is_dbn(p) for p in where.iterdir()):
            return cls("dbn", where)
        raise DataError(
            f"source {where}: expected a Lean minute folder (YYYYMMDD_trade.zip) or Databento "
            "DBN files"
        )

    @property
    def files(self) -> list[Path]:
        """The DBN files in name order: the path itself when it is a file."""
        if self.path.is_file():
            return [self.path]
        return sorted(p for p in self.path.iterdir() if is_dbn(p))
