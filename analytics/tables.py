"""The tables every report shows, as plain data: the page renders them, the exports write them. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = str | int | float | None


@dataclass
class ReportTable:
    """A titled table: ``columns`` are headers; each row's first cell is its row header."""

    name: str  # used in file names and URLs (ASCII)
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    # Per row, the URL query for drilling down into it ("" for none); the page uses it, exports do not.
    links: list[str] = field(default_factory=list)

    def rows_with_links(self) -> list[tuple[str, list[Cell]]]:
        links = self.links + [""] * (len(self.rows) - len(self.links))
        return list(zip(links, self.rows, strict=True))
