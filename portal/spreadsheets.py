"""Reading XLSX uploads safely: formula cells saved without a computed value.

openpyxl reads a cell's cached result (``data_only=True``); a formula that the program
that wrote the file never calculated — exported by a tool, or saved with manual
calculation — has no cached result and would silently read as empty. Every XLSX reader
of the portal (data versions, catalog imports) calls ``uncached_formulas`` first and
refuses such a file, naming each cell, rather than import blanks.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string


@dataclass(frozen=True)
class UncachedFormula:
    row: int      # sheet row, from 1
    column: int   # sheet column, from 1
    coordinate: str


def uncached_formulas(sheet, *, limit: int = 20) -> list[UncachedFormula]:
    """The first ``limit`` formula cells of a read-only worksheet that carry no value,
    found by streaming the sheet's XML (defusedxml) once."""
    from defusedxml.ElementTree import iterparse

    found: list[UncachedFormula] = []
    row_number, column_number = 0, 0
    with sheet._get_source() as source:  # the worksheet part, as openpyxl streams it
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    row_number = int(element.get("r") or row_number + 1)
                    column_number = 0
                continue
            if tag == "c":
                reference = element.get("r")
                if reference:
                    letters, row_number = coordinate_from_string(reference)
                    column_number = column_index_from_string(letters)
                else:
                    column_number += 1
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                value = children.get("v")
                # An empty <v/> is no result, except a formula whose result is the empty
                # string (t="str").
                cached = "is" in children or (value is not None and (
                    bool(value.text) or element.get("t") == "str"))
                if "f" in children and not cached:
                    found.append(UncachedFormula(row_number, column_number,
                                                 reference or f"R{row_number}C{column_number}"))
                    if len(found) >= limit:
                        break
                element.clear()
            elif tag == "row":
                element.clear()
    return found
