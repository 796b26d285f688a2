"""How long the crafted upload of issue 23 takes to refuse, beside a bare parse of a normal file.

`python -m bench.excel_crafted [--repeat N]`: the members import template with `<!-- ` +
`<c r="A1">` × 16,000 + ` </c> <f x -->` in its sheet XML (~10 KB; it held the members service
for 54 s while a regular expression scanned it), refused by common.excel; beside it, python-calamine
reading the same template untouched (the bare parse) and common.excel reading it whole (checks +
parse). Figures only; the test (tests/unit/test_excel.py) asserts the refusal by its code."""

from __future__ import annotations

import argparse
import io
import time

from bench.figures import load, spread
from common import excel
from services.members.adapters import excel as members_excel
from tests.season import crafted_upload


def timed(action, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from python_calamine import CalamineWorkbook

    template = members_excel.template("import")
    crafted = crafted_upload(template)

    def refuse():
        try:
            excel.read_upload(crafted)
        except excel.UploadRejected as rejected:
            assert rejected.code == "SUSPICIOUS_WORKBOOK"
        else:
            raise SystemExit("the crafted file was not refused")

    def bare():
        CalamineWorkbook.from_filelike(io.BytesIO(template)).get_sheet_by_index(0).to_python()

    print(f"crafted file {len(crafted):,} bytes; template {len(template):,} bytes; {load()}")
    print(f"refuse the crafted file      {spread(timed(refuse, args.repeat), 's', 3)}")
    print(f"bare calamine parse, normal  {spread(timed(bare, args.repeat), 's', 3)}")
    print(f"common.excel read, normal    {spread(timed(lambda: excel.read_upload(template), args.repeat), 's', 3)}")


if __name__ == "__main__":
    main()
