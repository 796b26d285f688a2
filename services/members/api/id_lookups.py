"""HTTP entry point of 证件号码查询量: the centre watches how many ID numbers each union looked up
by sync and transfer-in lists each day, and what the daily quota refused (issue 14 item 6)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import current_identity, roles, uow
from services.members.handlers import id_lookups

blp = Blueprint(
    "id_lookups",
    __name__,
    description="证件号码查询量：同步会员（含预检）与转入名单每日查询的行数及额度拒绝（市职保中心）",
)


class IdLookupQuery(PageQuery):
    day_from = fields.Date(metadata={"description": "first day (Shanghai), inclusive"})
    day_to = fields.Date(metadata={"description": "last day (Shanghai), inclusive"})
    union_id = fields.Integer()
    refused = fields.Boolean(metadata={"description": "true: only days with a refusal; false: only days without"})


class IdLookupDayOut(BaseSchema):
    day = fields.Date(metadata={"description": "the Shanghai calendar day"})
    union_id = fields.Integer()
    union_name = fields.String()
    district_id = fields.Integer()
    district_name = fields.String()
    rows = fields.Integer(
        metadata={
            "description": "rows looked up: every row of each accepted sync, dry run and "
            "transfer-in list, whatever its outcome"
        }
    )
    runs = fields.Integer(metadata={"description": "the uploads that looked them up"})
    allowance = fields.Integer(metadata={"description": "the day's allowance as last decided (it follows the roster)"})
    refusals = fields.Integer(metadata={"description": "uploads refused by the quota (429, nothing looked up)"})
    refused_rows = fields.Integer(metadata={"description": "the rows those uploads asked for"})
    last_at = Timestamp(allow_none=True, metadata={"description": "the last upload counted or refused"})


class IdLookupPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(IdLookupDayOut))


@blp.route("/id-lookups")
class IdLookups(MethodView):
    @roles("centre")
    @blp.arguments(IdLookupQuery, location="query")
    @blp.response(200, IdLookupPage)
    def get(self, query):
        """证件号码查询量 (centre): per union per day, the rows its syncs (预检 included) and transfer-in
        lists looked up, the allowance, and the uploads the quota refused; newest day first."""
        with uow() as work:
            total, items = id_lookups.list_id_lookups(work, current_identity(), **query)
            return {"total": total, "items": items}
