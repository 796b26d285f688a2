"""Synthetic events of the contract shape (docs/events.md) for the documents service's tests:
enrollment and billing are built in parallel, so the tests feed what those services will publish."""

from __future__ import annotations

import uuid

from common.db import envelope

DISTRICT_1, DISTRICT_2 = 1, 2
UNION_A, UNION_B, UNION_OTHER = 11, 12, 21  # A and B in district 1, OTHER in district 2


def event(event_type: str, data: dict, event_id: str | None = None) -> dict:
    producer = event_type.split(".")[0]
    return envelope(event_type, data, producer, event_id=event_id or str(uuid.uuid4()))


def districts() -> list[dict]:
    return [
        event(
            "members.district.registered",
            {
                "district_id": DISTRICT_1,
                "name": "黄浦区总工会",
                "kind": "district",
                "special_industry": False,
                "version": 1,
            },
        ),
        event(
            "members.district.registered",
            {
                "district_id": DISTRICT_2,
                "name": "中国金融工会上海委员会",
                "kind": "industry",
                "special_industry": True,
                "version": 1,
            },
        ),
    ]


def union(union_id: int, name: str, district_id: int, version: int = 1) -> dict:
    return event(
        "members.union.registered",
        {
            "union_id": union_id,
            "name": name,
            "credit_code": f"91310101MA1FL{union_id:04d}X"[:18],
            "district_id": district_id,
            "contact_person": "王芳",
            "phone": "13800000001",
            "version": version,
        },
    )


def unions() -> list[dict]:
    return [
        union(UNION_A, "上海示范科技有限公司工会", DISTRICT_1),
        union(UNION_B, "上海示范物流有限公司工会", DISTRICT_1),
        union(UNION_OTHER, "中国银行上海分行工会", DISTRICT_2),
    ]


def cover_year(year: int = 2020, version: int = 1, **changes) -> dict:
    data = {
        "cover_year": year,
        "split_window": [f"{year - 1}-10-25", f"{year - 1}-10-31"],
        "grassroots_window": [f"{year - 1}-11-01", f"{year - 1}-12-27"],
        "district_review_window": [f"{year - 1}-11-01", f"{year - 1}-12-27"],
        "district_submit_window": [f"{year - 1}-12-28", f"{year - 1}-12-31"],
        "card_cutoff": f"{year - 1}-12-31",
        "cover_start": f"{year}-01-01",
        "cover_end": f"{year}-12-31",
        "payment_deadline": f"{year}-01-20",
        "claims_deadline": f"{year + 1}-12-31",
        "version": version,
    }
    data.update(changes)
    return event("enrollment.cover_year.configured", data)


# per person, 2020, centralised (SPEC §4): B 90 = city 40 + district 30 + grassroots 20; A 26 = 13 + 13 + 0
PRICES = {
    "B": (9000, 4000, 3000, 2000),
    "A": (2600, 1300, 1300, 0),
    "A+": (7600, 1300, 6300, 0),
    "B+": (14000, 4000, 10000, 0),
}


def submission(
    submission_id: int,
    union_id: int,
    district_id: int,
    cover_type: str,
    headcount: int,
    total: int,
    sequence: int,
    submitted_at: str = "2019-11-05T10:00:00+08:00",
    mode: str = "centralised",
    year: int = 2020,
    **changes,
) -> dict:
    counts = {"centralised": headcount} if mode == "centralised" else {"instant_first_half": headcount}
    data = {
        "submission_id": submission_id,
        "union_id": union_id,
        "district_id": district_id,
        "cover_year": year,
        "type": cover_type,
        "mode": mode,
        "counts": counts,
        "headcount": headcount,
        "union_headcount_total": total,
        "submitted_at": submitted_at,
        "sequence": sequence,
    }
    data.update(changes)
    return event("enrollment.submission.submitted", data)


def priced(
    submission_id: int,
    union_id: int,
    district_id: int,
    cover_type: str,
    headcount: int,
    pay_by: str = "2019-12-27",
    mode: str = "centralised",
    year: int = 2020,
    **changes,
) -> dict:
    premium, city, district, grassroots = (headcount * p for p in PRICES[cover_type])
    data = {
        "submission_id": submission_id,
        "union_id": union_id,
        "district_id": district_id,
        "cover_year": year,
        "type": cover_type,
        "mode": mode,
        "headcount": headcount,
        "premium_fen": premium,
        "city_subsidy_fen": city,
        "district_share_fen": district,
        "grassroots_share_fen": grassroots,
        "grassroots_owes_fen": grassroots,
        "pay_by": pay_by,
    }
    data.update(changes)
    return event("billing.submission.priced", data)


def returned(submission_id: int, union_id: int, district_id: int, returned_at: str | None = None, **changes) -> dict:
    """enrollment.submission.returned; without `returned_at` the shape from before it was carried."""
    data = {"submission_id": submission_id, "union_id": union_id, "district_id": district_id, "reason": "名单有误"}
    if returned_at is not None:
        data.update(returned_at=returned_at, mode="centralised", cover_year=2020)
    data.update(changes)
    return event("enrollment.submission.returned", data)


HANDLER = {"name": "张丽", "phone": "021-63210000", "email": "zhangli@example.cn"}


def batch_submitted(
    batch_id: int,
    district_id: int,
    parts: list[tuple[int, int, str, int]],
    batch_no: str = "CB201912280001",
    year: int = 2020,
    **changes,
) -> dict:
    """parts: (submission_id, union_id, type, headcount)."""
    by_type: dict[str, int] = {}
    for _, _, cover_type, n in parts:
        by_type[cover_type] = by_type.get(cover_type, 0) + n
    data = {
        "batch_id": batch_id,
        "batch_no": batch_no,
        "district_id": district_id,
        "cover_year": year,
        "mode": "centralised",
        "submitted_at": "2019-12-28T15:30:00+08:00",
        "handler": HANDLER,
        "submissions": [
            {"submission_id": s, "union_id": u, "type": t, "headcount": n, "counts": {"centralised": n}}
            for s, u, t, n in parts
        ],
        "headcount_by_type": by_type,
        "headcount": sum(by_type.values()),
    }
    data.update(changes)
    return event("enrollment.batch.submitted", data)


def batch_priced(
    batch_id: int,
    district_id: int,
    heads: dict[str, int],
    credit_fen: int,
    batch_no: str = "CB201912280001",
    year: int = 2020,
    split: bool = True,
    **changes,
) -> dict:
    """billing.batch.priced; `split=False` leaves out the union share's split (schema 1 and 2)."""
    lines = []
    for cover_type, n in heads.items():
        premium, city, district, grassroots = (n * p for p in PRICES[cover_type])
        line = {
            "type": cover_type,
            "headcount": n,
            "premium_fen": premium,
            "city_subsidy_fen": city,
            "union_share_fen": premium - city,
        }
        if split:
            line.update(district_share_fen=district, grassroots_share_fen=grassroots)
        lines.append(line)
    share = sum(x["union_share_fen"] for x in lines)
    credit = min(credit_fen, share)
    data = {
        "batch_id": batch_id,
        "batch_no": batch_no,
        "district_id": district_id,
        "cover_year": year,
        "mode": "centralised",
        "headcount": sum(heads.values()),
        "by_type": lines,
        "premium_fen": sum(x["premium_fen"] for x in lines),
        "city_subsidy_fen": sum(x["city_subsidy_fen"] for x in lines),
        "union_share_fen": share,
        "credit_applied_fen": credit,
        "due_fen": share - credit,
        "pay_by": f"{year}-01-20",
        "handler": HANDLER,
    }
    if split:
        data["district_share_fen"] = sum(x["district_share_fen"] for x in lines)
        data["grassroots_share_fen"] = sum(x["grassroots_share_fen"] for x in lines)
    data.update(changes)
    return event("billing.batch.priced", data)


def covers_recorded(
    submission_id: int,
    union_id: int,
    district_id: int,
    people: list[tuple[int, str]],
    cover_type: str = "A",
    year: int = 2020,
    part: int = 1,
    parts: int = 1,
    **changes,
) -> dict:
    """enrollment.covers.recorded: people (member_id, name) covered for the whole year."""
    data = {
        "submission_id": submission_id,
        "union_id": union_id,
        "district_id": district_id,
        "cover_year": year,
        "type": cover_type,
        "mode": "centralised",
        "part": part,
        "parts": parts,
        "covers": [
            {"member_id": m, "name": name, "cover_start": f"{year}-01-01", "cover_end": f"{year}-12-31"}
            for m, name in people
        ],
    }
    data.update(changes)
    return event("enrollment.covers.recorded", data)


def cover_outcome(
    outcome: str, batch_id: int, district_id: int, submission_ids: list[int], batch_no: str = "CB201912280001"
) -> dict:
    """enrollment.cover.granted / enrollment.cover.failed for a batch's submissions."""
    return event(
        f"enrollment.cover.{outcome}",
        {
            "batch_id": batch_id,
            "batch_no": batch_no,
            "district_id": district_id,
            "cover_year": 2020,
            "mode": "centralised",
            "submission_ids": submission_ids,
            "headcount": 1,
        },
    )
