"""How many ID numbers a union may look up in a day (issue 14 item 6).

同步会员 (categories A–E, its 预检 included) and 从其他工会转入 answer, row by row, whether an ID
number is registered anywhere and whether the name beside it matches: asked with any list of
people, that is an oracle on the city's register. The rule stays; it is bounded. A union may look
up at most `allowance(roster size)` rows per Shanghai calendar day — a multiple of its own roster,
never less than a floor — so it can check its own people several times a day (a 预检, a run
refused for its errors, the run that applies) but cannot walk the register. A request that would
go past the allowance is refused whole, before any lookup.

Pure arithmetic and words: the caller brings the day, the roster size and what was used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

QUOTA_EXCEEDED = "ID_LOOKUP_QUOTA_EXCEEDED"

# Defaults of the two settings (ID_LOOKUP_PER_MEMBER, ID_LOOKUP_FLOOR): three full runs of the
# roster a day, and a floor so that a small or new union can still check a list of 2,000 people.
PER_MEMBER = 3
FLOOR = 2000


@dataclass(frozen=True)
class LookupQuota:
    """The rule: rows per day = max(per_member × roster size, floor)."""

    per_member: int = PER_MEMBER
    floor: int = FLOOR

    def __post_init__(self) -> None:
        if self.per_member < 0 or self.floor < 0:
            raise ValueError("a lookup quota is never negative")

    def allowance(self, roster_size: int) -> int:
        return max(self.per_member * roster_size, self.floor)

    def decide(self, day: date, roster_size: int, used: int, asked: int) -> Decision:
        """May a union that has looked up `used` rows today look up `asked` more? All or none:
        a file is never half looked up."""
        if asked < 0 or used < 0:
            raise ValueError("rows are never negative")
        allowance = self.allowance(roster_size)
        return Decision(day, roster_size, used, asked, allowance, used + asked <= allowance, self)


@dataclass(frozen=True)
class Decision:
    day: date
    roster_size: int
    used: int
    asked: int
    allowance: int
    allowed: bool
    quota: LookupQuota

    @property
    def resets_on(self) -> date:
        """The allowance starts afresh at 0:00 (Shanghai) of the next day."""
        return self.day + timedelta(days=1)

    @property
    def left(self) -> int:
        return max(self.allowance - self.used, 0)

    def message(self) -> str:
        """What the clerk reads when refused: what was used, the allowance and why it is that,
        when it resets, and what to do."""
        basis = f"按本单位会员 {self.roster_size} 人的 {self.quota.per_member} 倍计算，最少 {self.quota.floor} 行"
        reset = f"{self.resets_on.month}月{self.resets_on.day}日 0:00（北京时间）"
        if self.asked > self.allowance:  # no amount of waiting lets this file through
            return (
                f"本次上传 {self.asked} 行，超过本单位每日证件号码查询额度 {self.allowance} 行"
                f"（{basis}），未做任何处理。请核对文件是否为本单位名单；如确需查询，请联系市职保中心。"
            )
        return (
            f"已超出本单位今日证件号码查询额度，本次未做任何处理：今日已查询 {self.used} 行，"
            f"本次上传 {self.asked} 行，每日额度 {self.allowance} 行（{basis}），今日还可查询 {self.left} 行。"
            f"额度于 {reset}重置，届时可重新上传；如确需更多，请联系市职保中心。"
        )
