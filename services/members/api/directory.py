"""HTTP entry points of the union directory: /districts and /unions."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from common.identity import GATEWAY
from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import audit_subject, current_identity, roles, uow
from services.members.handlers import directory

blp = Blueprint("directory", __name__, description="工会名录：区局/产业工会与基层工会")


class DistrictIn(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["district", "industry"]),
        metadata={"description": "district 区局工会 / industry 产业工会"},
    )
    special_industry = fields.Boolean(
        load_default=False, metadata={"description": "特殊行业（东航、民航、铁路、金融等），市总补贴不同"}
    )


class DistrictPatch(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    kind = fields.String(validate=validate.OneOf(["district", "industry"]))
    special_industry = fields.Boolean()


class DistrictOut(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    special_industry = fields.Boolean()
    version = fields.Integer()


class UnionIn(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    credit_code = fields.String(required=True, metadata={"description": "18 位统一社会信用代码"})
    district_id = fields.Integer(required=True)
    contact_person = fields.String(required=True, validate=validate.Length(min=1, max=50))
    phone = fields.String(required=True, validate=validate.Length(min=1, max=30))


class UnionPatch(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    credit_code = fields.String()
    district_id = fields.Integer()
    contact_person = fields.String(validate=validate.Length(min=1, max=50))
    phone = fields.String(validate=validate.Length(min=1, max=30))


class UnionOut(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    credit_code = fields.String()
    district_id = fields.Integer()
    contact_person = fields.String()
    phone = fields.String()
    version = fields.Integer()


class UnionQuery(PageQuery):
    name = fields.String(validate=validate.Length(max=200))
    credit_code = fields.String(validate=validate.Length(max=30))
    district_id = fields.Integer()
    # ≤ 100 ids keeps the address well inside the 4 KB request line gunicorn takes (else 414)
    ids = DelimitedList(
        fields.Integer(validate=validate.Range(min=1, max=2_147_483_647)),
        validate=validate.Length(min=1, max=100),
        metadata={"description": "只列这些编号的基层工会（逗号分隔，至多 100 个）：如账号管理一页的绑定单位"},
    )


class UnionPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(UnionOut))


def _named(organisation):
    """操作日志 names the union or district acted on."""
    audit_subject(organisation.name)
    return organisation


@blp.route("/districts")
class Districts(MethodView):
    @roles("centre", "district", "grassroots", GATEWAY)
    @blp.response(200, DistrictOut(many=True))
    def get(self):
        """区局/产业工会列表 (centre: all; others: their own)."""
        with uow() as work:
            return directory.list_districts(work, current_identity())

    @roles("centre")
    @blp.arguments(DistrictIn)
    @blp.response(201, DistrictOut)
    def post(self, data):
        """登记区局/产业工会 (centre)."""
        with uow() as work:
            return _named(directory.register_district(work, current_identity(), **data))


@blp.route("/districts/<int:district_id>")
class DistrictItem(MethodView):
    @roles("centre")
    @blp.arguments(DistrictPatch)
    @blp.response(200, DistrictOut)
    def patch(self, data, district_id):
        """修改区局/产业工会 (centre)."""
        with uow() as work:
            return _named(directory.update_district(work, current_identity(), district_id, data))


@blp.route("/unions")
class Unions(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(UnionQuery, location="query")
    @blp.response(200, UnionPage)
    def get(self, query):
        """基层工会列表, scoped: centre all, district its own, grassroots itself."""
        with uow() as work:
            total, items = directory.list_unions(work, current_identity(), **query)
            return {"total": total, "items": items}

    @roles("centre")
    @blp.arguments(UnionIn)
    @blp.response(201, UnionOut)
    def post(self, data):
        """登记基层工会 (centre)."""
        with uow() as work:
            return _named(directory.register_union(work, current_identity(), data))


class OriginsQuery(BaseSchema):
    union_ids = DelimitedList(
        fields.Integer(validate=validate.Range(min=1, max=2_147_483_647)),
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "基层工会编号，逗号分隔，至多 200 个"},
    )


class OriginOut(BaseSchema):
    union_id = fields.Integer()
    registration_no = fields.String(allow_none=True, metadata={"description": "组织注册的注册编号"})
    approved_at = Timestamp(allow_none=True)


@blp.route("/unions/origins")
class UnionOrigins(MethodView):
    @roles("centre", "district")
    @blp.arguments(OriginsQuery, location="query")
    @blp.response(200, OriginOut(many=True))
    def get(self, query):
        """这些基层工会中经组织注册加入名录的（注册编号、审核通过时间）；其余由市职保中心登记."""
        with uow() as work:
            return directory.registration_origins(work, current_identity(), query["union_ids"])


@blp.route("/unions/<int:union_id>")
class UnionItem(MethodView):
    @roles("centre", "district", "grassroots", GATEWAY)
    @blp.response(200, UnionOut)
    def get(self, union_id):
        """基层工会详情 (in scope only; otherwise 404)."""
        with uow() as work:
            return directory.get_union(work, current_identity(), union_id)

    @roles("centre", "grassroots")
    @blp.arguments(UnionPatch)
    @blp.response(200, UnionOut)
    def patch(self, data, union_id):
        """更名、改联系人、调整所属区局 (centre); own contact details (grassroots)."""
        with uow() as work:
            return _named(directory.update_union(work, current_identity(), union_id, data))
