"""Type into a workbook as a person would, in LibreOffice Calc (headless), and save it as
.xlsx: `python3 office_typist.py IN.xlsx OUT.xlsx PROFILE_DIR EDITS.json`, where EDITS.json
is a list of [sheet, cell, typed text].

Run by tests/e2e/test_workbook_office.py with the Python that has LibreOffice's `uno`
module (Debian's python3-uno, i.e. /usr/bin/python3), not the project's virtual
environment. Calc's own input parsing applies to each text: in a cell whose format is Text
the text is kept as typed (as Calc does with typed input there); in any other cell it goes
through XCell.setFormula, Calc's parsing of a typed entry (numbers, ISO dates, percentages,
in the en-US locale of a new profile), so the format of the cell decides, as when a member
types. (`.uno:EnterString` on the selected cell would be closer still, but in the nogui
build a view that has been typed into builds its input line from a .ui file the package does
not ship, and the office aborts a second later: measured with libreoffice-calc-nogui 7.4.)
Prints one JSON line per edit: what Calc stored (its type, value and shown text).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

TEXT_FORMAT = 256  # com.sun.star.util.NumberFormat.TEXT


def _prop(name: str, value: Any) -> Any:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str, office: subprocess.Popen[bytes]) -> Any:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if office.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _type(doc: Any, sheet_name: str, address: str, text: str) -> dict[str, Any]:
    """Type `text` into a cell, as Calc takes typed input with the cell's format."""
    cell = doc.Sheets.getByName(sheet_name).getCellRangeByName(address)
    kind = doc.getNumberFormats().getByKey(cell.NumberFormat).Type
    if kind & TEXT_FORMAT:
        cell.setString(text)
    else:
        cell.setFormula(text)
    return {"sheet": sheet_name, "cell": address, "typed": text,
            "type": cell.Type.value, "value": cell.Value, "shown": cell.String}  # fmt: skip


def type_into(source: Path, target: Path, profile: Path, edits: list[list[str]]) -> None:
    pipe = f"wgreport_typist_{os.getpid()}"
    options = ["--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
               f"-env:UserInstallation={profile.resolve().as_uri()}"]  # fmt: skip
    # A new profile makes the office restart once after creating it, which would drop the
    # connection: create it first.
    subprocess.run(["soffice", *options, "--terminate_after_init"], timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)  # fmt: skip
    office = subprocess.Popen(
        ["soffice", *options, f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        context = _connect(pipe, office)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        doc = desktop.loadComponentFromURL(
            source.resolve().as_uri(), "_blank", 0, (_prop("Hidden", True),)
        )
        if doc is None:
            raise SystemExit(f"LibreOffice could not open {source}")
        for sheet_name, address, text in edits:
            print(json.dumps(_type(doc, sheet_name, address, text)), flush=True)
        doc.storeToURL(target.resolve().as_uri(), (_prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception as exc:
            if not type(exc).__name__.endswith("DisposedException"):
                raise  # the bridge may go as the office quits: that is expected
        office.wait(timeout=30)
    finally:
        if office.poll() is None:
            office.kill()
            office.wait(timeout=30)


if __name__ == "__main__":
    type_into(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        Path(sys.argv[3]),
        json.loads(Path(sys.argv[4]).read_text(encoding="utf-8")),
    )
