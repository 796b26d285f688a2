"""HTTP entry points of transfers (转入/转出): a union lets members go, and decides the requests of
other unions for its members (会员转出审核)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import current_identity, roles, uow
from services.members.api.roster import ALL, MemberIds, MemberSummary, said_members
from services.members.domain import member as rules
from services.members.handlers import transfers

blp = Blueprint("transfers", __name__, description="会员转出与转入申请：转出、会员转出审核")


class TransferOutIn(MemberIds):
    reason = fields.String(
        required=True,
        validate=validate.OneOf(list(rules.TRANSFER_OUT_REASONS)),
        metadata={"description": "离职、退休、离休、死亡、开除会籍、其他"},
    )


class TransferQuery(PageQuery):
    direction = fields.String(
        load_default="out",
        validate=validate.OneOf(["out", "in"]),
        metadata={"description": "out 会员转出审核（他会申请转走本会会员）/ in 本会发出的转入申请"},
    )
    status = fields.String(
        load_default="pending", validate=validate.OneOf(["pending", "approved", "rejected", "cancelled", "all"])
    )


class TransferRow(BaseSchema):
    id = fields.Integer()
    member_id = fields.Integer()
    name = fields.String()
    id_number = fields.String()
    from_union_id = fields.Integer()
    to_union_id = fields.Integer()
    other_union = fields.String()
    status = fields.String()
    reason = fields.String(allow_none=True)
    requested_at = Timestamp()
    decided_at = Timestamp(allow_none=True)


class TransferPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(TransferRow))


class DecisionIn(BaseSchema):
    approve = fields.Boolean(required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class DecisionOut(BaseSchema):
    id = fields.Integer()
    status = fields.String()
    reason = fields.String(allow_none=True)


# ------------------------------------------------------------------ transfer out


@blp.route("/members/transfer-out")
class TransferOut(MethodView):
    @roles("grassroots")
    @blp.arguments(TransferOutIn)
    @blp.response(200, MemberSummary(many=True))
    def post(self, data):
        """转出 / 批量转出会员 with a reason."""
        with uow() as work:
            return said_members(transfers.transfer_out(work, current_identity(), data["member_ids"], data["reason"]))


# ------------------------------------------------------------------ transfer requests


@blp.route("/transfer-requests")
class TransferRequests(MethodView):
    @roles(*ALL)
    @blp.arguments(TransferQuery, location="query")
    @blp.response(200, TransferPage)
    def get(self, query):
        """会员转出审核 (direction=out) and the requests this union sent (direction=in)."""
        status = None if query["status"] == "all" else query["status"]
        with uow() as work:
            total, items = transfers.list_transfer_requests(
                work, current_identity(), query["direction"], status, query["page"], query["per_page"]
            )
            return {"total": total, "items": items}


@blp.route("/transfer-requests/<int:request_id>/decision")
class TransferDecision(MethodView):
    @roles("grassroots")
    @blp.arguments(DecisionIn)
    @blp.response(200, DecisionOut)
    def post(self, data, request_id):
        """The source union approves (the member moves) or rejects (reason required)."""
        with uow() as work:
            return transfers.decide_transfer(work, current_identity(), request_id, data["approve"], data["reason"])
