"""Notice rendering beside a bare WeasyPrint render of the same HTML, in the same run.

    .venv/bin/python -m bench.notice [--runs 30]

`bare`: weasyprint.HTML(string=html).write_pdf() with nothing else. `notice`: what the documents
service does per notice (compose the notice from its facts and draw it: since decision 0046 on a
ReportLab canvas, before it the Jinja2 template through WeasyPrint). Goal: notice ≤ 2× bare and
≤ 100 ms (issue 6). Prints figures, asserts nothing; bench/notice_renderers.py puts the two
renderers side by side."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _facts():
    from services.documents import settings as documents_settings
    from services.documents.domain import facts
    from services.documents.domain.notices import district_notice, grassroots_notice
    from tests.services.documents import contract as c

    year = facts.parse_cover_year(c.cover_year()["data"])
    sub_data = c.submission(101, 11, 1, "B", 3, 7, 2)["data"]
    price_data = c.priced(101, 11, 1, "B", 3)["data"]
    batch_data = c.batch_submitted(7, 1, [(1, 11, "B", 5), (2, 12, "A", 4), (3, 13, "A+", 2), (4, 14, "B+", 1)])["data"]
    batch_price = c.batch_priced(7, 1, {"B": 5, "A": 4, "A+": 2, "B+": 1}, 10000)["data"]

    def grassroots():
        return grassroots_notice(
            "上海示范科技有限公司工会",
            year,
            facts.parse_submission(sub_data),
            facts.parse_submission_price(price_data),
            0,
        )

    def district():
        return district_notice(
            "黄浦区总工会",
            year,
            facts.parse_batch(batch_data),
            facts.parse_batch_price(batch_price),
            documents_settings.load().schema_1_payee,
        )

    return {"grassroots notice": grassroots, "district notice": district}


def _time(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _row(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"  {name:8s} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   min {ms[0]:7.1f} ms"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notice")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    import weasyprint

    from services.documents.adapters import pdf

    print(
        f"WeasyPrint {weasyprint.__version__}, font {pdf.settings.cjk_font_family()!r}, {args.runs} runs each "
        "(after one warm-up)"
    )
    for label, make in _facts().items():
        html = pdf.notice_html(make())

        def bare():
            return weasyprint.HTML(string=html).write_pdf()

        def notice():
            return pdf.render_notice(make())

        bare(), notice()  # warm-up: fontconfig cache, imports
        # interleave so that both see the same machine load
        bare_ms, notice_ms = [], []
        for _ in range(args.runs):
            bare_ms += _time(bare, 1)
            notice_ms += _time(notice, 1)
        size = len(notice())
        ratio = statistics.median(notice_ms) / statistics.median(bare_ms)
        print(f"{label} ({size / 1024:.0f} KiB PDF)")
        print(_row("bare", bare_ms))
        print(_row("notice", notice_ms))
        print(f"  notice/bare {ratio:.2f}×  (goal ≤ 2×; ≤ 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
