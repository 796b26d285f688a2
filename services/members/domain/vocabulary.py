"""The words offices write, and what they mean (SPEC §7 "Spellings offices use", issue 17 item 1).
Pure rules, no I/O.

Every enumerated column of a member — 有效证件类型, 性别, 学历, 户籍类型, 技术等级, 工会职务 (and
转出原因 of a transfer-out list) — has its values (what the system stores and the template's
drop-down offers) and a published table of synonyms (what a clerk may type instead). One
function, `normalise`, turns a cell into a value for every upload (import, sync, transfer and
card lists) and the forms: full-width characters folded, spaces anywhere removed, Latin letters
upper-cased, then the value itself or a synonym. What is still unknown is an `UnknownWord`
whose message lists the accepted values.

Dates (`parse_date`) the same way: a real Excel date, or text such as 1985-03-12, 1985.3.12,
1985/03/12, 19850312, 1985年3月12日, with full-width digits or spaces."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime


class UnknownWord(ValueError):
    """A value the column does not know; the message lists what it accepts (in Chinese)."""


@dataclass(frozen=True)
class Vocabulary:
    title: str  # the column, as the template names it
    values: tuple[str, ...]  # what is stored; the drop-down's choices
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # value → other spellings

    def lookup(self) -> dict[str, str]:
        table = {fold(v): v for v in self.values}
        for value, words in self.synonyms.items():
            assert value in self.values, (self.title, value)
            for word in words:
                assert fold(word) not in table or table[fold(word)] == value, (self.title, word)
                table[fold(word)] = value
        return table

    def accepted(self) -> str:
        """The values, for a message: 小学及以下、初中、…"""
        return "、".join(self.values)

    def spellings(self) -> str:
        """The synonym table, for the 填写说明 sheet: 大学本科 ← 本科、大本、学士；…"""
        return "；".join(f"{v}：{'、'.join(w)}" for v, w in self.synonyms.items() if w)

    def unknown(self, shown: str) -> str:
        return f"无法识别“{shown}”，{self.title}请填写：{self.accepted()}"


def fold(raw: object) -> str:
    """Full-width → half-width (NFKC), every space removed, Latin letters upper-cased."""
    return "".join(unicodedata.normalize("NFKC", str(raw)).split()).upper()


ID_TYPE = Vocabulary(
    "有效证件类型",
    ("身份证", "其他"),
    {
        "身份证": (
            "居民身份证",
            "二代身份证",
            "第二代居民身份证",
            "中华人民共和国居民身份证",
            "身份证号",
            "身份证号码",
            "居民身份证号码",
            "大陆身份证",
            "ID",
        ),
        "其他": (
            "其它",
            "护照",
            "港澳居民来往内地通行证",
            "港澳通行证",
            "回乡证",
            "台湾居民来往大陆通行证",
            "台胞证",
            "港澳台居民居住证",
            "外国人永久居留身份证",
            "外国人永久居留证",
            "军官证",
            "士兵证",
            "PASSPORT",
        ),
    },
)
GENDER = Vocabulary("性别", ("男", "女"), {"男": ("男性", "M", "MALE"), "女": ("女性", "F", "FEMALE")})
EDUCATION = Vocabulary(
    "学历",
    ("小学及以下", "初中", "高中", "中专", "技校", "大专", "大学本科", "硕士研究生", "博士研究生"),
    {
        "小学及以下": ("小学", "小学以下", "文盲", "半文盲", "无学历"),
        "初中": ("初级中学", "初中毕业"),
        "高中": ("高级中学", "普通高中", "高中毕业", "职高", "职业高中"),
        "中专": ("中等专科", "中等专业学校", "中等职业学校", "中职"),
        "技校": ("技工学校", "技工", "中技"),
        "大专": ("大学专科", "专科", "高职", "高等职业教育"),
        "大学本科": ("本科", "大本", "学士", "大学"),
        "硕士研究生": ("硕士", "研究生", "硕士研究生毕业", "MBA"),
        "博士研究生": ("博士", "博士研究生毕业"),
    },
)
HOUSEHOLD_TYPE = Vocabulary(
    "户籍类型",
    ("非农业", "农业"),
    {
        "非农业": ("非农", "非农业户口", "非农户口", "城镇", "城镇户口", "城镇户籍", "城市", "城市户口"),
        "农业": ("农业户口", "农户", "农村", "农村户口", "农村户籍"),
    },
)
SKILL_GRADE = Vocabulary(
    "技术等级",
    ("无", "初级工", "中级工", "高级工", "技师", "高级技师"),
    {
        "无": ("没有", "暂无", "无等级", "/"),
        "初级工": ("初级", "五级", "五级工", "初级技能"),
        "中级工": ("中级", "四级", "四级工", "中级技能"),
        "高级工": ("高级", "三级", "三级工", "高级技能"),
        "技师": ("二级", "二级技师"),
        "高级技师": ("一级", "一级技师"),
    },
)
UNION_POST = Vocabulary(
    "工会职务",
    ("工会会员", "工会主席", "工会副主席", "工会委员", "经审委员", "女职工委员", "工会小组长"),
    {
        "工会会员": ("会员", "普通会员", "无"),
        "工会主席": ("主席",),
        "工会副主席": ("副主席",),
        "工会委员": ("委员",),
        "经审委员": ("经审会委员", "经费审查委员", "经费审查委员会委员"),
        "女职工委员": ("女职委委员", "女职工委员会委员", "女工委员"),
        "工会小组长": ("小组长", "工会组长"),
    },
)
TRANSFER_OUT_REASON = Vocabulary(
    "转出原因",
    ("离职", "退休", "离休", "死亡", "开除会籍", "其他"),
    {
        "离职": ("辞职", "调离", "解除劳动合同"),
        "死亡": ("去世", "过世", "身故"),
        "开除会籍": ("开除",),
        "其他": ("其它",),
    },
)

VOCABULARIES = (ID_TYPE, GENDER, EDUCATION, HOUSEHOLD_TYPE, SKILL_GRADE, UNION_POST, TRANSFER_OUT_REASON)
_LOOKUP = {v.title: v.lookup() for v in VOCABULARIES}


def normalise(vocabulary: Vocabulary, raw: object) -> str | None:
    """The stored value for a cell, None for an empty one; `UnknownWord` for anything else."""
    if raw is None:
        return None
    key = fold(raw)
    if not key:
        return None
    value = _LOOKUP[vocabulary.title].get(key)
    if value is None:
        raise UnknownWord(vocabulary.unknown(str(raw).strip()))
    return value


# ------------------------------------------------------------------ dates

DATE_HINT = "日期无法识别，请填写如 1985-03-12（也可 1985.3.12、1985/03/12、19850312）"
_DATE_TEXT = re.compile(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_TIME = re.compile(r"^(.+?)(?:T|\s)?0{1,2}:00(?::00(?:\.0+)?)?$")


def parse_date(value: object) -> date | None:
    """A date from a cell or a form, or None for an empty one; ValueError(DATE_HINT) otherwise.
    A real Excel date; or text 1985-03-12, 1985.3.12, 1985/03/12, 19850312, 1985年3月12日 (full-width
    or with spaces); a number 19850312 typed into a General cell."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 10_000_000 <= value < 100_000_000:
            value = str(int(value))
        else:
            raise ValueError(DATE_HINT)
    text = "".join(unicodedata.normalize("NFKC", str(value)).split())
    if not text:
        return None
    timed = _DATE_TIME.match(text)  # "1985-03-12 00:00:00": a date that went through text
    if timed and len(text) > 10:
        text = timed.group(1)
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if match is None:
        raise ValueError(DATE_HINT)
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(f"日期“{str(value).strip()}”不存在，请核对") from None


# ------------------------------------------------------------------ names

_CJK = re.compile(r"[\u3400-\u9fff]")
_SPACE = re.compile(r"\s")


def normalise_name(raw: object) -> str:
    """A person's name as typed: full-width letters folded; a Chinese name loses every space
    (offices pad 张  三 to line names up), any other keeps single spaces between its parts."""
    if raw.__class__ is str and not _SPACE.search(raw) and unicodedata.is_normalized("NFKC", raw):
        return raw  # the common case, in a 100,000-row roster: nothing to change
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if _CJK.search(text):
        return "".join(text.split())
    return " ".join(text.split())
