"""The roster as the request read it (adapters/roster_file.py): what the worker's sync job is
given instead of the workbook. It must hold everything the job would have read itself."""

from __future__ import annotations

from services.members.adapters import excel as xl
from services.members.adapters import roster_file
from services.members.domain.roster_sync import person_rows
from tests.services.members.roster_helpers import xlsx as workbook
from tests.unit.test_idcard import TODAY, make


def test_the_packed_roster_reads_back_as_the_workbook_reads():
    data = workbook(
        [
            ["姓名", "证件号码"],
            ["张三", make(seq="001")],
            [" 李四 ", 310101199001011234],
            ["=A2", make(seq="003")],
            [None, None],
            ["王五", " " + make(seq="005") + " "],
        ]
    )
    read_now = roster_file.read(data)  # a workbook handed to the job (the form before packing)
    packed = roster_file.pack(roster_file.of_rows(xl.read_rows(data, "sync", xl.MAX_SYNC_ROWS)))
    assert packed.startswith(roster_file.MAGIC) and not data.startswith(roster_file.MAGIC)
    assert roster_file.read(packed) == read_now
    assert read_now.total == 4  # the empty row is not a row
    assert [c[3] for c in read_now.cells] == [False, True, False, False] and read_now.as_number == [
        1
    ]  # the ID that arrived as a number
    assert [(e.row, e.column) for e in read_now.formula_errors] == [(4, "姓名")]
    # and the job's rules see the same rows and errors either way
    assert list(roster_file.read(packed).cells) == list(read_now.cells)
    assert person_rows(roster_file.read(packed).cells, TODAY) == person_rows(read_now.cells, TODAY)


def test_a_roster_read_a_row_at_a_time_refuses_too_many_rows_saying_how_many_and_an_empty_one():
    import pytest

    from common.excel import UploadRejected

    rows = [["姓名", "证件号码"]] + [[f"会员{n}", make(seq=f"{n:03d}")] for n in range(5)]
    assert roster_file.read_workbook(workbook(rows), max_rows=5).total == 5
    with pytest.raises(UploadRejected) as too_many:
        roster_file.read_workbook(workbook(rows), max_rows=4)
    assert too_many.value.code == "TOO_MANY_ROWS" and "本文件有 5 行" in too_many.value.message
    with pytest.raises(UploadRejected) as empty:
        roster_file.read_workbook(workbook([["姓名", "证件号码"], [None, " "]]))
    assert empty.value.code == "UPLOAD_NO_ROWS"
    with pytest.raises(UploadRejected) as header:
        roster_file.read_workbook(workbook([["证件号码", "姓名"], ["张三", make()]]))
    assert header.value.code == "HEADER_INVALID"


def test_an_empty_packed_roster_reads_back_empty():
    empty = roster_file.ReadRoster([], [], [], [], [], 0)
    assert roster_file.read(roster_file.pack(empty)) == empty
