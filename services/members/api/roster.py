"""HTTP entry points of the roster (会员名册): members (list, add, edit), the district's review,
member service cards and the population office's removals."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import answers
from common.pii import mask_id, mask_mobile
from common.schema import BaseSchema, PageQuery
from common.web import audit_subject, current_identity, no_store, roles, uow
from services.members.domain import member as rules
from services.members.handlers import cards, removals, review, roster

blp = Blueprint("roster", __name__, description="会员名册：新增、编辑、审核、会员服务卡、人口办剔除、会员列表")

ALL = ("centre", "district", "grassroots")


def _person(member) -> str:
    """A member as 操作日志 names them: name and masked ID number, never the full number."""
    return f"{member.name}（{member.id_masked}）"


def said_members(members: list) -> list:
    """Name the members acted on for 操作日志: up to five, then how many in all."""
    shown = "、".join(_person(m) for m in members[:5])
    audit_subject(shown + (f" 等 {len(members)} 人" if len(members) > 5 else ""))
    return members


def said_member(member):
    audit_subject(_person(member))
    return member


class MemberIn(BaseSchema):
    name = fields.String(required=True, metadata={"description": "姓名"})
    id_type = fields.String(
        load_default="resident",
        validate=validate.OneOf(list(rules.ID_TYPES)),
        metadata={"description": "resident 身份证 / other 其他"},
    )
    id_number = fields.String(required=True, metadata={"description": "证件号码（文本）"})
    gender = fields.String(allow_none=True, metadata={"description": "男/女；身份证可省略"})
    birth_date = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD；身份证可省略"})
    address = fields.String(required=True)
    mobile = fields.String(required=True)
    education = fields.String(required=True, metadata={"description": "、".join(rules.EDUCATIONS)})
    household_type = fields.String(required=True, metadata={"description": "非农业/农业"})
    skill_grade = fields.String(load_default=rules.DEFAULT_SKILL_GRADE)
    union_post = fields.String(load_default=rules.DEFAULT_UNION_POST)


class MemberPatch(BaseSchema):
    name = fields.String()
    id_number = fields.String(
        metadata={"description": "证件号码：只能在审核未通过（区局驳回）时更正，保存即重新提交审核"}
    )
    gender = fields.String(allow_none=True)
    birth_date = fields.String(allow_none=True)
    address = fields.String()
    mobile = fields.String()
    education = fields.String()
    household_type = fields.String()
    skill_grade = fields.String()
    union_post = fields.String()


class MemberOut(BaseSchema):
    id = fields.Integer()
    union_id = fields.Integer(allow_none=True)
    name = fields.String()
    id_type = fields.String()
    id_number = fields.String(
        metadata={
            "description": "证件号码：本单位会员详情为完整号码；区局、市职保中心为脱敏号码（完整号码经查看完整号码）"
        }
    )
    gender = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    address = fields.String()
    mobile = fields.String(allow_none=True)
    education = fields.String(allow_none=True)
    household_type = fields.String(allow_none=True)
    skill_grade = fields.String()
    union_post = fields.String()
    member_no = fields.String(allow_none=True)
    status = fields.String()
    synced = fields.Boolean()
    card_number = fields.String(allow_none=True)
    card_issued_on = fields.Date(allow_none=True)
    removed = fields.Boolean()
    left_reason = fields.String(allow_none=True)
    review_note = fields.String(
        allow_none=True,
        metadata={"description": "审核说明：区局最近一次驳回的原因（修改保存后重新待审，原因保留为记录）"},
    )
    version = fields.Integer()


class MemberSummary(MemberOut):
    """A member in the answer to a bulk action (approve, reject, remove, transfer out): the person
    is named, their ID number, card number and mobile masked — the full ones are in the detail."""

    id_number = fields.Function(lambda m: m.id_masked, metadata={"description": "masked (as stored: nothing opened)"})
    mobile = fields.Function(lambda m: mask_mobile(m.mobile), metadata={"description": "masked"})
    card_number = fields.Function(lambda m: mask_id(m.card_number), metadata={"description": "masked"})


class MemberRow(BaseSchema):
    id = fields.Integer()
    union_id = fields.Integer(allow_none=True)
    member_no = fields.String(allow_none=True)
    name = fields.String()
    gender = fields.String(allow_none=True)
    id_type = fields.String()
    id_number = fields.String(metadata={"description": "masked, e.g. 3101**********1234"})
    address = fields.String()
    mobile = fields.String(allow_none=True, metadata={"description": "masked, e.g. 138****1234"})
    card_held = fields.Boolean()
    card_number = fields.String(allow_none=True)
    card_issued_on = fields.Date(allow_none=True)
    status = fields.String()
    review_note = fields.String(
        allow_none=True,
        metadata={"description": "审核说明：区局最近一次驳回的原因（修改保存后重新待审，原因保留为记录）"},
    )
    synced = fields.Boolean()
    removed = fields.Boolean()


class MemberQuery(PageQuery):
    name = fields.String(metadata={"description": "姓名（前缀匹配）"})
    member_no = fields.String()
    id_number = fields.String()
    status = fields.String(validate=validate.OneOf(list(rules.STATUSES)))
    synced = fields.Boolean()
    card_held = fields.Boolean()
    removed = fields.Boolean()
    union_id = fields.Integer()
    sort = fields.String(load_default="id", validate=validate.OneOf(list(roster.SORTS)))
    order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))
    with_total = fields.Boolean(load_default=True)


# One instance for every request: given the class, webargs builds a new schema (copying its
# fields) per request (decision 0048).
MEMBER_QUERY = MemberQuery()


class MemberPage(BaseSchema):
    total = fields.Integer(allow_none=True, metadata={"description": "null when with_total=false"})
    total_capped = fields.Boolean(
        allow_none=True,
        metadata={"description": "true: more than 10,000 across a district or the city (total shows 10,000)"},
    )
    items = fields.List(fields.Nested(MemberRow))


class MemberIds(BaseSchema):
    member_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=1000))


class RejectionIn(MemberIds):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "驳回原因（审核说明），基层工会据此修改后重新提交"},
    )


class RemovalIn(MemberIds):
    removed = fields.Boolean(load_default=True)


class CardIn(BaseSchema):
    card_number = fields.String(required=True, metadata={"description": "银行卡号"})
    issued_on = fields.Date(required=True)


# ------------------------------------------------------------------ members


@blp.route("/members")
class Members(MethodView):
    @roles(*ALL)
    @blp.arguments(MEMBER_QUERY, location="query")
    @blp.response(200, MemberPage)
    def get(self, query):
        """会员列表/搜索 (scoped; ID numbers and mobiles masked)."""
        with uow() as work:
            total, items, capped = roster.list_members(work, current_identity(), **query)
        # The rows are already MemberRow's fields as JSON-ready values (a day is dumped as its
        # ISO date): answered as they are, not dumped again field by field through marshmallow
        # (~0.4 ms a 50-row page, decision 0048). tests/services/members/test_member_list_answer.py
        # holds the answer equal to MemberPage's dump.
        return current_app.json.response({"total": total, "total_capped": capped, "items": items})

    @roles("grassroots")
    @no_store
    @blp.arguments(MemberIn)
    @blp.response(201, MemberOut)
    @answers(429)  # its answer can tell whether a number is registered: it counts (decision 0021)
    def post(self, data):
        """新增会员 (grassroots): waits for its district's approval."""
        with uow() as work:
            return said_member(roster.add_member(work, current_identity(), data))


@blp.route("/members/<int:member_id>")
class MemberItem(MethodView):
    @roles(*ALL)
    @no_store
    @blp.response(200, MemberOut)
    def get(self, member_id):
        """会员详情, for a member in the caller's scope only: the full ID number and mobile for the
        member's own union; masked for a district or the centre (the full ID number through
        `POST …/id-number-reveals`, which is audited)."""
        with uow() as work:
            return roster.member_detail(work, current_identity(), member_id)

    @roles("grassroots")
    @no_store
    @blp.arguments(MemberPatch)
    @blp.response(200, MemberOut)
    @answers(429)  # its answer can tell whether a number is registered: it counts (decision 0021)
    def patch(self, data, member_id):
        """编辑会员 (grassroots, own members; the ID number only while 审核未通过)."""
        with uow() as work:
            return said_member(roster.update_member(work, current_identity(), member_id, data))


class IdNumberOut(MemberOut):
    """查看完整号码: whose numbers they are, the ID number and the mobile."""

    class Meta(MemberOut.Meta):
        fields = ("id", "union_id", "name", "id_type", "id_number", "mobile")


@blp.route("/members/<int:member_id>/id-number-reveals")
class IdNumberReveal(MethodView):
    @roles("district")
    @no_store
    @blp.response(200, IdNumberOut)
    def post(self, member_id):
        """查看完整证件号码 (district reviewer, a member in its scope). A POST so that the gateway's
        audit trail records each reveal: who (the account), whose (name and masked number), when."""
        with uow() as work:
            return said_member(roster.reveal_id_number(work, current_identity(), member_id))


@blp.route("/members/approvals")
class Approvals(MethodView):
    @roles("district", "centre")
    @blp.arguments(MemberIds)
    @blp.response(200, MemberSummary(many=True))
    def post(self, data):
        """会员审核: approve waiting members (one or many); each gets its member number."""
        with uow() as work:
            return said_members(review.approve_members(work, current_identity(), data["member_ids"]))


@blp.route("/members/rejections")
class Rejections(MethodView):
    @roles("district", "centre")
    @blp.arguments(RejectionIn)
    @blp.response(200, MemberSummary(many=True))
    def post(self, data):
        """会员审核 驳回: send waiting members back to their union with a reason; editing them
        (or importing their row again) resubmits them."""
        with uow() as work:
            return said_members(review.reject_members(work, current_identity(), data["member_ids"], data["reason"]))


@blp.route("/members/<int:member_id>/card")
class MemberCard(MethodView):
    @roles("grassroots", "centre")
    @no_store
    @blp.arguments(CardIn)
    @blp.response(200, MemberOut)
    @answers(429)  # its answer can tell whether a number is registered: it counts (decision 0021)
    def put(self, data, member_id):
        """办卡: record the member service card number and issue date (the member as the caller sees it)."""
        with uow() as work:
            who = current_identity()
            return said_member(
                roster.as_seen_by(who, cards.issue_card(work, who, member_id, data["card_number"], data["issued_on"]))
            )


@blp.route("/members/removals")
class Removals(MethodView):
    @roles("centre")
    @blp.arguments(RemovalIn)
    @blp.response(200, MemberSummary(many=True))
    def post(self, data):
        """人口办剔除 (centre): flag members removed (or lift the flag with removed=false)."""
        with uow() as work:
            return said_members(removals.set_removed(work, current_identity(), data["member_ids"], data["removed"]))
