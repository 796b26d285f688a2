"""Every `pattern` attribute that reaches the browser is the regular expression intended.

The pages are rendered (Jinja, the context of a page without an account) and parsed as the
browser parses them; the pages' scripts (inline and gateway/static/*.js) are read the way a
JavaScript engine reads their string and template literals — `\\s` inside a template literal is
just `s` (the backslash is lost: the bug that kept the district's default split from saving).
Each pattern is then checked as the browser compiles it — `^(?:pattern)$` with the `v` flag,
whose stricter syntax (an invalid pattern is silently ignored by the browser) is checked here —
and tried on the sample values declared below for the kind of field it guards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from jinja2 import Environment, FileSystemLoader

from common.config import ROOT
from gateway.pages import PAGES, menu_for

TEMPLATES = ROOT / "gateway" / "templates"
STATIC = ROOT / "gateway" / "static"

# Sample values per kind of field: what a person types that must be accepted, and refused.
SAMPLES: dict[str, tuple[list[str], list[str]]] = {
    "amount": (
        ["0.00", "0", "13", "13.5", "63.00", "100.00", " 13.00 ", "139.00"],
        ["abc", "1.234", "13.", ".5", "-1", "1,000", "１３", "13元"],
    ),
    "year": (["2020", "2019"], ["20", "20201", "abcd", "２０２０"]),
    "date": (["2020-01-10", "2019-11-05"], ["2020/01/10", "12-28", "20200110", "2020-1-10"]),
    "phone": (
        ["13800138000", " 13800138000 ", "021-62345678", "02162345678", "62345678", "021-62345678-123"],
        ["12", "12345", "1380013800a", "12800138000", "电话"],
    ),
    "mobile": (["13800138000", "19912345678"], ["12", "12800138000", "1380013800", "138001380000", "abc"]),
    "email": (
        ["name@example.com", "zhang.san@union.org.cn", "a+b@mail.example.cn"],
        ["a@b", "abc", "a b@example.com", "name@example", "@example.com"],
    ),
    "username": (["grassroots1", "zhang.san_01", "abc", "a-b"], ["a b", "ab", "用户名称", "a" * 65]),
    "id_number": (
        ["310101199001011237", "31010119900101123X", "31010119900101123x"],
        ["3101011990010112", "31010119900101123Y", "abc"],
    ),
    "credit_code": (["91310000MA1FL8XQ3C", "91310101123456789A"], ["123", "91310000MA1FL8XQ3", "abc"]),
    "card_number": (["6222020000000001", "6222020000000001234"], ["abc", "6222 0200", "12"]),
    "integer": (["1", "12", "90"], ["abc", "1.5", "-1", "一"]),
    "days": (["7, 3, 1", "7,3,1", "30"], ["七天", "a", "7;3", "-1"]),
    "sms_code": (["123456", "000000"], ["12345", "1234567", "abcdef", "１２３４５６"]),
}

# The kind of each field that carries a pattern, by its name (the part after the last "." or "|" of
# a name such as "A.district_share" or "A|centralised|premium"; a format checked by a script's
# regular expression literal by the literal's name, const DATE → "date"). A pattern on
# a field not named here fails the test: say what it guards, with samples above.
KIND_OF_FIELD = {
    "district_share": "amount",
    "grassroots_share": "amount",
    "amount": "amount",
    "amount_\ue000": "amount",  # 待分配流水: one amount per batch a line is allocated to
    "declared_amount": "amount",
    "premium": "amount",
    "city_subsidy": "amount",
    "special_city_subsidy": "amount",
    "union_id": "integer",
    "instant_payment_days": "integer",
    "days_before": "days",
    "cover_year": "year",
    "year": "year",
    "phone": "phone",
    "mobile": "mobile",
    "chair_mobile": "mobile",  # 组织注册
    "clerk_mobile": "mobile",
    "email": "email",
    "username": "username",
    "id_number": "id_number",
    "credit_code": "credit_code",
    "card_number": "card_number",
    "date": "date",
    "code": "sms_code",  # 个人登录's one-time code (decision 0041)
}

PLACEHOLDER = "\ue000"  # stands for a ${…} substitution of a template literal (never typed text)


@dataclass(frozen=True)
class Found:
    where: str  # file, and whether the pattern is in its HTML or in a script
    field: str  # the input's name (substitutions shown as PLACEHOLDER)
    pattern: str  # the value the browser gets
    flags: str = "v"  # a pattern attribute is compiled with v; a script's literal with its own

    @property
    def kind(self) -> str | None:
        name = re.split(r"[.|]", self.field)[-1]
        return KIND_OF_FIELD.get(name)


# ---- reading JavaScript's literals (a small lexer: comments, regex literals, strings, templates)

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^")
_REGEX_AFTER_WORDS = ("return", "typeof", "case", "do", "else", "in", "of", "void", "yield", "await")


def _escape(src: str, i: int) -> tuple[str, int]:
    """The character(s) an escape at src[i] == '\\' stands for, and the index after it — as the
    engine cooks it: any other character stands for itself, so `\\s` is `s`."""
    c = src[i + 1]
    if c in _SIMPLE_ESCAPES and not (c == "0" and src[i + 2 : i + 3].isdigit()):
        return _SIMPLE_ESCAPES[c], i + 2
    if c == "x":
        return chr(int(src[i + 2 : i + 4], 16)), i + 4
    if c == "u":
        if src[i + 2] == "{":
            end = src.index("}", i + 2)
            return chr(int(src[i + 3 : end], 16)), end + 1
        return chr(int(src[i + 2 : i + 6], 16)), i + 6
    if c == "\r" and src[i + 2 : i + 3] == "\n":
        return "", i + 3
    if c in "\n\r\u2028\u2029":
        return "", i + 2
    return c, i + 2


class JsLiterals:
    """The cooked strings of a script: each '…', "…" and `…` literal (a template literal with its
    substitutions as PLACEHOLDER, the literals inside substitutions read too), each with the
    code just before it (to tell `x.pattern = "…"`)."""

    def __init__(self, src: str):
        self.src = src
        self.strings: list[tuple[str, str]] = []  # (code before, cooked value)
        self.regexes: list[tuple[str, str, str]] = []  # (code before, body, flags)
        end = self._code(0, nested=False)
        assert end == len(src), f"script not read to its end (stopped at {end})"

    def _code(self, i: int, nested: bool) -> int:
        src, depth, last = self.src, 0, ""
        while i < len(src):
            c = src[i]
            if src.startswith("//", i):
                i = src.find("\n", i)
                i = len(src) if i < 0 else i
            elif src.startswith("/*", i):
                i = src.index("*/", i) + 2
            elif c in "'\"":
                value, j = self._quoted(i)
                self.strings.append((src[max(0, i - 40) : i], value))
                i, last = j, "x"
            elif c == "`":
                before = src[max(0, i - 40) : i]
                value, i = self._template(i)
                self.strings.append((before, value))
                last = "x"
            elif c == "/" and (last == "" or last in _REGEX_AFTER or last in _REGEX_AFTER_WORDS):
                j = self._regex(i)
                body, flags = self.src[i + 1 : j].rsplit("/", 1)
                self.regexes.append((src[max(0, i - 40) : i], body, flags))
                i, last = j, "x"
            elif c == "{":
                depth, i, last = depth + 1, i + 1, c
            elif c == "}":
                if nested and depth == 0:
                    return i  # the end of a ${…} substitution
                depth, i, last = depth - 1, i + 1, c
            elif c.isspace():
                i += 1
            elif c.isalnum() or c in "_$":
                m = re.compile(r"[\w$]+").match(src, i)
                last, i = m.group(0), m.end()
            else:
                last, i = c, i + 1
        return i

    def _quoted(self, i: int) -> tuple[str, int]:
        quote, out, i = self.src[i], [], i + 1
        while self.src[i] != quote:
            if self.src[i] == "\\":
                text, i = _escape(self.src, i)
                out.append(text)
            else:
                out.append(self.src[i])
                i += 1
        return "".join(out), i + 1

    def _template(self, i: int) -> tuple[str, int]:
        out, i = [], i + 1
        while self.src[i] != "`":
            if self.src[i] == "\\":
                text, i = _escape(self.src, i)
                out.append(text)
            elif self.src.startswith("${", i):
                i = self._code(i + 2, nested=True) + 1
                out.append(PLACEHOLDER)
            else:
                out.append(self.src[i])
                i += 1
        return "".join(out), i + 1

    def _regex(self, i: int) -> int:
        in_class, i = False, i + 1
        while True:
            c = self.src[i]
            if c == "\\":
                i += 2
                continue
            if c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            elif c == "/" and not in_class:
                i += 1
                while i < len(self.src) and self.src[i].isalpha():
                    i += 1
                return i
            elif c == "\n":
                raise AssertionError(f"unterminated regular expression literal at {i}")
            i += 1


# ---- reading the HTML as the browser does


class _Inputs(HTMLParser):
    """Fields with a pattern, and the text of inline scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.patterns: list[tuple[str, str]] = []  # (name, pattern)
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "pattern" in a:
            self.patterns.append((a.get("name") or a.get("id") or "", a["pattern"] or ""))
        if tag == "script" and "src" not in a:
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _html_patterns(html: str) -> list[tuple[str, str]]:
    parser = _Inputs()
    parser.feed(html)
    parser.close()
    return parser.patterns


def _script_patterns(where: str, script: str) -> list[Found]:
    found = []
    literals = JsLiterals(script)
    # a format checked by a regular expression literal named after its kind: const DATE = /…/
    for before, body, flags in literals.regexes:
        named = re.search(r"\bconst\s+([A-Z][A-Z_]*)\s*=\s*$", before)
        if named:
            found.append(Found(where, named.group(1).lower(), body, flags or "-"))
    for before, value in literals.strings:
        # markup built by the script: the attribute as the browser will parse it
        if "pattern" in value and "<" in value:
            found += [Found(where, name, p) for name, p in _html_patterns(value)]
        # a property set directly: input.pattern = "…"
        if re.search(r"\.pattern\s*=\s*$", before):
            owner = re.search(r"([\w$]+)\.pattern\s*=\s*$", before).group(1)
            kind = "date" if 'type="date"' in script or "date" in owner else owner
            found.append(Found(where, kind, value))
    return found


ROLES = ("grassroots", "district", "centre")


def _render(template: str, role: str) -> str:
    """The page as the gateway renders it for an account of `role` (some pages differ by role)."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    account = SimpleNamespace(role=role, display_name="某工会", username="someone", union_id=1, district_id=1)
    page = next((p for p in PAGES if p.template == template and role in p.roles), None)
    return env.get_template(template).render(
        account=account, page=page, role_name="某角色", menu=menu_for(role), csrf_token="t", error=None, username=""
    )


def collect() -> list[Found]:
    found: dict[Found, None] = {}
    for path in sorted(TEMPLATES.glob("*.html")):
        for role in ROLES:
            html = _render(path.name, role)
            found.update((Found(f"{path.name} (HTML)", name, p), None) for name, p in _html_patterns(html))
            parser = _Inputs()
            parser.feed(html)
            for script in parser.scripts:
                found.update((f, None) for f in _script_patterns(f"{path.name} (script)", script))
    for path in sorted(STATIC.rglob("*.js")):
        found.update(
            (f, None) for f in _script_patterns(f"static/{path.relative_to(STATIC)}", path.read_text(encoding="utf-8"))
        )
    return list(found)


# ---- the browser's regular expressions: the `v` flag's syntax, then Python's re for matching

_V_ESCAPES = set("dDwWsSbBnrtfv0cxukpP") | set("^$\\.*+?()[]{}|/")
_V_CLASS_SYNTAX = set("()[]{}/-\\|")
_V_CLASS_PUNCTUATORS = set("&-!#%,:;<=>@`~")
_V_DOUBLE = {c * 2 for c in "&!#$%*+,.:;<=>?@^`~"}


def v_flag_problems(pattern: str) -> list[str]:
    """What makes `pattern` invalid with the `v` flag (the browser then ignores it entirely) — the
    rules Python's re does not know: identity escapes only for syntax characters, and in a class
    the characters ( ) [ ] { } / - \\ | escaped (but for a range's -) and no doubled punctuators."""
    problems, i, in_class, class_start = [], 0, False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            n = pattern[i + 1 : i + 2]
            allowed = _V_ESCAPES | (_V_CLASS_PUNCTUATORS if in_class else set())
            if n not in allowed and not n.isdigit():
                problems.append(f"\\{n} at {i} is not an escape the v flag allows")
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c == "-":
                prev, nxt = pattern[i - 1 : i], pattern[i + 1 : i + 2]
                if i == class_start or nxt in ("]", "") or prev == "[":
                    problems.append(f"unescaped - at {i} in a class")
            elif c in _V_CLASS_SYNTAX:
                problems.append(f"unescaped {c} at {i} in a class")
            elif pattern[i : i + 2] in _V_DOUBLE:
                problems.append(f"reserved double punctuator {pattern[i : i + 2]} at {i} in a class")
        elif c == "[":
            in_class, class_start = True, i + 1
            if pattern[i + 1 : i + 2] == "^":
                class_start += 1
                i += 1
        i += 1
    if in_class:
        problems.append("unterminated class")
    return problems


_JS_CLASSES = {"d": "0-9", "w": "A-Za-z0-9_"}  # JavaScript's \\d and \\w are ASCII; Python's are Unicode


def compiled(pattern: str) -> re.Pattern:
    """As the browser compiles a pattern attribute: the whole value, anchored; \\d and \\w (and
    their negations) as JavaScript reads them. \\s is Unicode white space in both."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            n = pattern[i + 1]
            if n.lower() in _JS_CLASSES:
                chars = _JS_CLASSES[n.lower()]
                if in_class:
                    assert n.islower(), f"{pattern!r}: a negated class escape inside a class"
                    out.append(chars)
                else:
                    out.append(f"[{'^' if n.isupper() else ''}{chars}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        in_class = (c == "[") or (in_class and c != "]")
        out.append(c)
        i += 1
    return re.compile("^(?:" + "".join(out) + ")$")


def accepts(pattern: str, value: str) -> bool:
    return compiled(pattern).match(value) is not None


# ---- the tests

FOUND = collect()


def test_the_collector_reads_both_markup_and_scripts():
    """Guards against a collector that finds nothing (and so passes): the fields known to carry a
    pattern are all seen, some of them built by scripts."""
    fields = {re.split(r"[.|]", f.field)[-1] for f in FOUND}
    assert {
        "district_share",
        "grassroots_share",
        "amount",
        "cover_year",
        "phone",
        "email",
        "username",
        "date",
    } <= fields, fields
    scripted = [f for f in FOUND if "(HTML)" not in f.where]
    assert {f.kind for f in scripted} >= {"date"}, scripted


def test_the_lexer_cooks_as_an_engine_does():
    strings = [
        v
        for _, v in JsLiterals(r"""const a = `x="\s*\d+"`; b = "\\d{4}"; c = /["'`]/g; // `no`
        d = `<p>${cond ? `<b pattern="\\s">` : ""}</p>`; e = 'it\'s';""").strings
    ]
    assert strings == ['x="s*d+"', "\\d{4}", '<b pattern="\\s">', "", f"<p>{PLACEHOLDER}</p>", "it's"]


def test_the_checker_knows_the_v_flags_rules():
    assert v_flag_problems(r"\s*\d+(\.\d{1,2})?\s*") == []
    assert v_flag_problems(r"[A-Za-z0-9_.\-]{3,64}") == []
    assert v_flag_problems(r"[\w-]+") != []  # a lone - in a class
    assert v_flag_problems(r"[a(]") != []
    assert v_flag_problems(r"\-") != []  # outside a class, only syntax characters
    assert v_flag_problems(r"[a..b]") != []
    assert not accepts(r"\d", "１") and accepts(r"[\d.]+", "1.5") and not accepts(r"\D", "1")
    assert not accepts(r"s*d+(.d{1,2})?s*", "13.00") and accepts(r"\s*\d+(\.\d{1,2})?\s*", "13.00")


@pytest.mark.parametrize("found", FOUND, ids=[f"{f.where}:{f.field}" for f in FOUND])
def test_each_pattern_is_the_one_intended(found: Found):
    where = f"{found.where}, field {found.field!r}: pattern {found.pattern!r}"
    assert PLACEHOLDER not in found.pattern, f"{where} is built at run time: it cannot be checked"
    assert found.kind, f"{where}: declare the field's kind in KIND_OF_FIELD (and its samples)"
    if "v" in found.flags:
        assert v_flag_problems(found.pattern) == [], f"{where}: {v_flag_problems(found.pattern)}"
    compiled(found.pattern)
    good, bad = SAMPLES[found.kind]
    refused = [v for v in good if not accepts(found.pattern, v)]
    let_through = [v for v in bad if accepts(found.pattern, v)]
    assert refused == [], f"{where} refuses what a person rightly types: {refused}"
    assert let_through == [], f"{where} accepts what it should refuse: {let_through}"
