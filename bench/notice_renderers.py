"""The notice renderers side by side, in CPU time, with the PDFs they make compared (issue 30).

    .venv/bin/python -m bench.notice_renderers [--runs 30] [--out /tmp/notice-renderers]

Per notice (grassroots, instant, district): `bare` is weasyprint.HTML(string=html).write_pdf()
of the notice's HTML and nothing else (the floor of the WeasyPrint way); `weasyprint` is
pdf.render_notice_html (compose, template, WeasyPrint with a reused font configuration: the
service's way until decision 0046); `canvas` is pdf.render_notice, i.e. pdf_canvas (ReportLab, the
same font file: the service's way since). CPU time of this process
(time.process_time), interleaved so all three see the same machine load; median and p95.

Then the two PDFs a person would get are compared: pdftotext's words in order (white space
normalised, and with it removed, since a Chinese line breaks anywhere), the page count, and a page
of each rendered by pdftoppm into --out to look at. Prints figures, asserts nothing."""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def sample_notices():
    """The three kinds of notice, from the facts the service's tests publish."""
    from services.documents import settings as documents_settings
    from services.documents.domain import facts
    from services.documents.domain.notices import district_notice, grassroots_notice, instant_notice
    from tests.services.documents import contract as c

    year = facts.parse_cover_year(c.cover_year(instant_payment_days=15)["data"])
    sub_data = c.submission(101, 11, 1, "B", 3, 7, 2)["data"]
    price_data = c.priced(101, 11, 1, "B", 3)["data"]
    instant_sub = c.submission(102, 11, 1, "A+", 2, 9, 1, mode="instant", kind="no_cover")["data"]
    instant_price = c.priced(102, 11, 1, "A+", 2, mode="instant")["data"]
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

    def instant():
        return instant_notice(
            "上海示范科技有限公司工会",
            year,
            facts.parse_submission(instant_sub),
            facts.parse_submission_price(instant_price),
        )

    def district():
        return district_notice(
            "黄浦区总工会",
            year,
            facts.parse_batch(batch_data),
            facts.parse_batch_price(batch_price),
            documents_settings.load().schema_1_payee,
        )

    return {"grassroots": grassroots, "instant": instant, "district": district}


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def words(text: str) -> list[str]:
    return text.replace("\f", " ").split()


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def _cpu(fn) -> float:
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


def _row(name: str, ms: list[float], base: float) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    median = statistics.median(ms)
    return (
        f"  {name:10s} median {median:6.1f} ms   p95 {p95:6.1f} ms   min {ms[0]:6.1f} ms   {median / base:5.2f}× bare"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notice_renderers")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--out", default="/tmp/notice-renderers")
    args = parser.parse_args(argv)
    import reportlab
    import weasyprint

    from services.documents.adapters import pdf

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"WeasyPrint {weasyprint.__version__}, ReportLab {reportlab.Version}, font "
        f"{pdf.settings.cjk_font_family()!r}; CPU ms per notice, {args.runs} runs each after a warm-up; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    for label, make in sample_notices().items():
        html = pdf.notice_html(make())

        def bare():
            return weasyprint.HTML(string=html).write_pdf()

        def weasy():
            return pdf.render_notice_html(make())

        def canvas():
            return pdf.render_notice(make())

        bare(), weasy(), canvas()  # warm-up: fontconfig, font parsing, imports
        times: dict[str, list[float]] = {"bare": [], "weasyprint": [], "canvas": []}
        for _ in range(args.runs):
            times["bare"].append(_cpu(bare))
            times["weasyprint"].append(_cpu(weasy))
            times["canvas"].append(_cpu(canvas))
        files = {"weasyprint": weasy(), "canvas": canvas()}
        base = statistics.median(times["bare"])
        sizes = ", ".join(f"{k} {len(v) / 1024:.0f} KiB" for k, v in files.items())
        print(f"{label} notice ({sizes}; load average {os.getloadavg()[0]:.2f})")
        for name, ms in times.items():
            print(_row(name, ms, base))
        texts, counts = {}, {}
        for name, content in files.items():
            path = out / f"{label}-{name}.pdf"
            path.write_bytes(content)
            texts[name], counts[name] = pdftotext(path), pages(path)
            subprocess.run(
                ["pdftoppm", "-png", "-r", "72", "-singlefile", str(path), str(out / f"{label}-{name}")], check=True
            )
        a, b = (words(texts[k]) for k in ("weasyprint", "canvas"))
        squeezed = "".join(a) == "".join(b)
        print(
            f"  pages weasyprint {counts['weasyprint']} canvas {counts['canvas']}; pdftotext words equal: {a == b}, "
            f"text equal without white space: {squeezed}; pages drawn: {out}/{label}-*.png"
        )
        if not squeezed:
            for i, (x, y) in enumerate(zip("".join(a), "".join(b), strict=False)):
                if x != y:
                    print(
                        f"  first difference at {i}: …{''.join(a)[i - 10 : i + 20]}… vs …{''.join(b)[i - 10 : i + 20]}…"
                    )
                    break
    return 0


if __name__ == "__main__":
    sys.exit(main())
