"""common.excel: uploads are judged by content, zip bombs are refused before parsing, number
cells are told from text, and nothing we write is ever a formula."""

import io
import time
import zipfile
from datetime import UTC, date

import openpyxl
import pytest

from common import excel, workbook_guard
from common.web import status_of
from tests.season import crafted_upload, xlsx
from tests.season import rezipped as _rezipped


def test_reads_xlsx_with_types_and_absolute_rows():
    data = xlsx([["姓名", "证件号码"], ["张三", "310101199001011234"], [None, None], ["李四", 3.10101199001011e17]])
    sheet = excel.read_upload(data)
    assert excel.header_errors(sheet, ["姓名", "证件号码"]) == []
    rows = list(sheet.data_rows())
    assert [r[0] for r in rows] == [2, 4]  # the empty row 3 is skipped, numbering kept
    assert rows[0][1][1] == "310101199001011234"
    assert excel.is_number_cell(rows[1][1][1]) and not excel.is_number_cell(rows[0][1][1])


def test_reads_legacy_xls():
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("Sheet1")
    for r, row in enumerate([["姓名", "证件号码"], ["张三", "310101199001011234"]]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    out = io.BytesIO()
    book.save(out)
    sheet = excel.read_upload(out.getvalue())
    assert sheet.rows[1] == ["张三", "310101199001011234"]


@pytest.mark.parametrize(
    "cells",
    [
        {},
        {"A1": "h", "B2": 3},
        {"B3": "h", "D5": 1.5},
        {"C1": "x"},
        {"A1": "姓名", "B1": "证件号码", "A2": "张三", "B4": "310101199001011234"},
    ],
)
def test_the_sheet_read_a_row_at_a_time_is_the_sheet_read_whole(cells):
    """stream_upload's rows are calamine's to_python(skip_empty_area=False), one at a time:
    empty leading rows kept, and empty leading columns given back (iter_rows starts at the used
    range's first column)."""
    from python_calamine import CalamineWorkbook

    book = openpyxl.Workbook()
    for ref, value in cells.items():
        book.active[ref] = value
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    whole = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    assert list(excel.stream_upload(data).rows) == whole == excel.read_upload(data).rows


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "UPLOAD_EMPTY"),
        (b"name,id\n1,2\n", "NOT_A_WORKBOOK"),
        (b"%PDF-1.7 not a workbook", "NOT_A_WORKBOOK"),
    ],
)
def test_what_is_not_a_workbook_is_refused_whatever_its_name(data, code):
    with pytest.raises(excel.UploadRejected) as err:
        excel.read_upload(data)
    assert err.value.code == code


def test_a_plain_zip_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(excel.UploadRejected) as err:
        excel.read_upload(out.getvalue())
    assert err.value.code == "NOT_A_WORKBOOK"


def test_over_the_size_limit_is_413():
    with pytest.raises(excel.UploadTooLarge) as err:
        excel.check_upload(excel.XLSX_MAGIC + b"0" * 2000, max_bytes=1000)
    assert status_of(err.value) == 413


def test_zip_bomb_is_refused_quickly_without_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (600 * 1024 * 1024))
    started = time.perf_counter()
    with pytest.raises(excel.UploadRejected) as err:
        excel.read_upload(out.getvalue())
    assert err.value.code == "SUSPICIOUS_ARCHIVE"
    assert len(out.getvalue()) < 2 * 1024 * 1024
    assert time.perf_counter() - started < 5  # generous: the check stops at the cap


def test_too_many_entries_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for i in range(excel.MAX_ZIP_ENTRIES + 1):
            z.writestr(f"xl/x{i}.xml", "")
    with pytest.raises(excel.UploadRejected) as err:
        excel.read_upload(out.getvalue())
    assert err.value.code == "SUSPICIOUS_ARCHIVE"


def test_header_errors_name_what_is_missing_and_extra():
    sheet = excel.read_upload(xlsx([["姓名", "身份证"]]))
    [message] = excel.header_errors(sheet, ["姓名", "证件号码"])
    assert "缺少列：证件号码" in message and "多出列：身份证" in message
    empty = excel.Sheet([])
    assert "空" in excel.header_errors(empty, ["姓名"])[0]


def test_written_cells_are_never_formulas_and_id_columns_are_text():
    dangerous = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x")']
    data = excel.write_workbook(
        [
            excel.SheetSpec(
                "结果",
                [excel.Column("值"), excel.Column("证件号码", text=True)],
                rows=[[d, "310101199001011234"] for d in dangerous] + [[12, date(2020, 1, 1)]],
            )
        ],
        notes=[excel.Column("证件号码", note="18 位身份证号", allowed="文本")],
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["结果"]
    for row, text in enumerate(dangerous, start=2):
        cell = ws.cell(row=row, column=1)
        # XML turns a lone CR into LF on the way back; what matters is that it stayed text
        assert cell.value == text.replace("\r", "\n") and cell.data_type == "s", (text, cell.data_type)
        assert ws.cell(row=row, column=2).number_format == "@"
    assert ws.cell(row=len(dangerous) + 2, column=1).value == 12
    assert wb["填写说明"]["A2"].value == "证件号码"
    # and read back through our own reader, still text
    sheet = excel.read_upload(data)
    assert sheet.rows[1][0] == "=1+1"


def test_the_collector_is_paused_for_a_large_upload_and_turned_back_on_only_by_who_paused_it():
    import gc

    assert gc.isenabled()
    with excel.collector_paused():
        assert not gc.isenabled()
        with excel.collector_paused():  # a second upload at the same time
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one did not turn it on under the outer one
    assert gc.isenabled()
    try:
        with excel.collector_paused():
            raise ValueError("a failing upload")
    except ValueError:
        pass
    assert gc.isenabled()


def test_a_column_says_what_it_holds_and_the_writer_makes_the_cell():
    """Money: integer fen in, yuan as an exact number out (0.00); counts integers (0); dates real
    dates (yyyy-mm-dd); moments Shanghai wall-clock (yyyy-mm-dd hh:mm), a naive one being UTC."""
    from datetime import datetime
    from decimal import Decimal

    columns = [
        excel.Column("金额", kind=excel.MONEY),
        excel.Column("人数", kind=excel.COUNT),
        excel.Column("日期", kind=excel.DATE),
        excel.Column("时间", kind=excel.MOMENT),
    ]
    rows = [
        [63000, 10, date(2020, 1, 20), datetime(2019, 11, 5, 2, 0)],  # naive = UTC
        [1, 0, "2020-01-01", "2019-12-20T09:30:00+08:00"],
        [123456789012345, 7, datetime(2019, 12, 31, 17, 0, tzinfo=UTC), datetime(2019, 12, 31, 17, 0)],
        [-5, "", "", None],
    ]
    data = excel.write_workbook([excel.SheetSpec("缴费明细", columns, rows, template_rows=1)])
    ws = openpyxl.load_workbook(io.BytesIO(data))["缴费明细"]
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert values[0] == [630, 10, datetime(2020, 1, 20), datetime(2019, 11, 5, 10, 0)]
    assert values[1] == [0.01, 0, datetime(2020, 1, 1), datetime(2019, 12, 20, 9, 30)]
    # the last yuan digit of a very large amount survives; the UTC evening is the next Shanghai day
    assert Decimal(str(values[2][0])) == Decimal("1234567890123.45")
    assert values[2][2:] == [datetime(2020, 1, 1), datetime(2020, 1, 1, 1, 0)]
    assert values[3] == [-0.05, None, None, None] and values[4] == [None] * 4  # the template row
    for row in ws.iter_rows(min_row=2):
        assert [c.number_format for c in row] == ["0.00", "0", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"]
    assert all(isinstance(v, int) for v in (values[0][1], values[1][1]))
    assert ws["A1"].value == "金额" and ws["A1"].number_format == "General"  # the header is a header


@pytest.mark.parametrize(
    "kind, value",
    [
        (excel.MONEY, 6.3),
        (excel.MONEY, "630.00"),
        (excel.MONEY, True),
        (excel.COUNT, 1.5),
        (excel.COUNT, "3"),
        (excel.DATE, 20200101),
        (excel.MOMENT, date(2020, 1, 1)),
    ],
)
def test_a_cell_of_the_wrong_kind_is_a_bug_not_a_guess(kind, value):
    with pytest.raises(TypeError):
        excel.write_workbook([excel.SheetSpec("结果", [excel.Column("值", kind=kind)], rows=[[value]])])


@pytest.mark.parametrize("title", ["Sheet", "Sheet1", "Results", ""])
def test_every_sheet_has_a_chinese_name(title):
    with pytest.raises(ValueError):
        excel.write_workbook([excel.SheetSpec(title, [excel.Column("值")])])


# ----------------------------------------------------------------- issue 23: parsed with limits


def _template() -> bytes:
    columns = [excel.Column("姓名"), excel.Column("证件号码", kind=excel.TEXT)]
    return excel.write_workbook([excel.SheetSpec("名单", columns, template_rows=1000)])


def test_the_crafted_upload_is_refused_by_what_it_holds_not_by_a_timer():
    data = crafted_upload(_template())
    assert len(data) < 12_000
    with pytest.raises(excel.UploadRejected) as err:
        excel.read_upload(data)
    assert err.value.code == "SUSPICIOUS_WORKBOOK" and status_of(err.value) == 422
    assert "结构异常" in err.value.message and "另存为" in err.value.message


@pytest.mark.parametrize(
    "change",
    [
        # a DTD declaring entities (billion laughs, external entities)
        lambda xml: xml.replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY a "aaaaaaaa">]><worksheet', 1),
        # a processing instruction past the declaration
        lambda xml: xml.replace(b"</worksheet>", b"<?x y?></worksheet>"),
        # deeper than any sheet nests, behind a formula so that the sheet is parsed
        lambda xml: xml.replace(
            b"</sheetData>",
            b"</sheetData>" + b"<a>" * (excel.MAX_XML_DEPTH + 1) + b"<f/>" + b"</a>" * (excel.MAX_XML_DEPTH + 1),
        ),
        # not well-formed
        lambda xml: xml.replace(b"</worksheet>", b"<f></worksheet>"),
    ],
)
def test_what_no_spreadsheet_program_writes_is_refused(change):
    with pytest.raises(excel.UploadRejected) as err:
        excel.read_upload(_rezipped(_template(), change))
    assert err.value.code == "SUSPICIOUS_WORKBOOK"


def test_a_parsed_sheet_has_at_most_so_many_elements(monkeypatch):
    data = xlsx([["姓名"], ["=A1"]] + [[f"x{i}"] for i in range(50)])  # a formula: the sheet is parsed
    assert excel.read_upload(data).formulas == {(2, 0)}
    monkeypatch.setattr(workbook_guard, "MAX_SHEET_ELEMENTS", 50)
    with pytest.raises(excel.UploadRejected) as err:
        excel.read_upload(data)
    assert err.value.code == "SUSPICIOUS_WORKBOOK"


def test_markup_is_counted_in_every_sheet_parsed_or_not(monkeypatch):
    data = xlsx([["姓名"]] + [[f"x{i}"] for i in range(50)])
    monkeypatch.setattr(workbook_guard, "MAX_SHEET_TAGS", 100)
    with pytest.raises(excel.UploadRejected) as err:
        excel.read_upload(data)
    assert err.value.code == "SUSPICIOUS_WORKBOOK"


def test_the_compression_ratio_is_checked_for_small_entries_too():
    """Under 1 MB was once not checked at all: 900 KB of one byte compresses ~1000:1."""
    data = _rezipped(xlsx([["姓名"]]), lambda xml: xml.replace(b"</worksheet>", b" " * 900_000 + b"</worksheet>"))
    assert len(data) < 12_000
    with pytest.raises(excel.UploadRejected) as err:
        excel.read_upload(data)
    assert err.value.code == "SUSPICIOUS_ARCHIVE"


def test_formula_cells_are_found_with_or_without_their_reference():
    def strip_refs(xml):  # the second data row's cells without r (Excel allows it: they follow on)
        return xml.replace(b'<c r="A3"', b"<c").replace(b'<c r="B3"', b"<c")

    data = _rezipped(xlsx([["姓名", "证件号码"], ["张三", "=B1"], ["=A1", "=1+1"]]), strip_refs)
    assert excel.read_upload(data).formulas == {(2, 1), (3, 0), (3, 1)}


def test_a_protected_sheet_is_still_refused():
    book = openpyxl.Workbook()
    book.active.append(["姓名"])
    book.active.protection.sheet = True
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(excel.UploadRejected) as err:
        excel.read_upload(out.getvalue())
    assert err.value.code == "WORKBOOK_PROTECTED"


def test_a_workbook_with_macros_is_refused_whatever_its_name():
    vba = _rezipped(_template(), extra=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macros")])
    renamed_xlsm = _rezipped(_template())
    source = zipfile.ZipFile(io.BytesIO(renamed_xlsm))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "[Content_Types].xml":
                part = part.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            z.writestr(info.filename, part)
    xls_with_macros = excel.XLS_MAGIC + b"\0" * 504 + "_VBA_PROJECT_CUR".encode("utf-16-le") + b"\0" * 512
    for data in (vba, out.getvalue(), xls_with_macros):
        with pytest.raises(excel.UploadRejected) as err:
            excel.read_upload(data)
        assert err.value.code == "WORKBOOK_MACROS" and "宏" in err.value.message
