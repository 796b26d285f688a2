"""The pages fit a strict Content-Security-Policy (script-src 'self', style-src 'self'): no template
carries an inline script, an inline event handler or a style attribute, and every script a
template names is a file under gateway/static. The browser tests (tests/browser/test_screens.py)
see the header on every page and no violation reported."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from gateway.app import CONTENT_SECURITY_POLICY

GATEWAY = Path(__file__).resolve().parents[2] / "gateway"
TEMPLATES = sorted((GATEWAY / "templates").glob("*.html"))
SCRIPTS = sorted((GATEWAY / "static").rglob("*.js"))


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, _value in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
        if tag == "script":
            src = names.get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"inline script (src={src!r})")
            elif not (GATEWAY / src.lstrip("/")).is_file():
                self.problems.append(f"missing script file {src}")
            self.in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append("code inside a <script src> element")


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.name for t in TEMPLATES])
def test_a_template_has_no_inline_script_handler_or_style(template):
    scan = _Scan()
    scan.feed(template.read_text(encoding="utf-8"))
    assert scan.problems == []


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_the_html_a_script_writes_has_no_inline_handler_or_style(script):
    # markup built in JavaScript (innerHTML) is held to the same policy
    text = script.read_text(encoding="utf-8")
    for needle in (' style="', " onclick=", " onchange=", " onsubmit=", " oninput=", "javascript:", "eval(",
                   "new Function("):
        assert needle not in text, f"{script.name}: {needle.strip()}"


def test_the_policy_is_strict():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
