"""HTTP entry points for 职工保障查询 (a person's cover history): one by ID or member number,
or many from an uploaded list. POST, so that ID numbers never travel in a URL or a log line."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import file_upload
from common.downloads import download
from common.errors import ValidationFailed
from common.excel import CONTENT_TYPE
from common.identity import MEMBER
from common.pii import mask_id
from common.schema import BaseSchema
from common.web import audit_subject, current_identity, roles, uow
from services.enrollment.adapters import cover_lookup_excel
from services.enrollment.handlers import cover_lookup, pending_actions

blp = Blueprint("covers", __name__, description="职工保障查询；截止前仍未办理的单位")
ALL = ("grassroots", "district", "centre")


class LookupIn(BaseSchema):
    id_number = fields.String(validate=validate.Length(max=40), metadata={"description": "身份证号码"})
    member_no = fields.String(validate=validate.Length(max=40), metadata={"description": "会员编号"})


class CoverOut(BaseSchema):
    member_id = fields.Integer(
        metadata={"description": "参保凭证：GET /documents/certificates/{member_id}/{cover_year}/file"}
    )
    cover_year = fields.Integer()
    type = fields.String()
    type_name = fields.String()
    cover_start = fields.Date()
    cover_end = fields.Date()
    mode = fields.String(metadata={"description": "centralised 集中参保 / instant 即时参保"})
    mode_name = fields.String()
    union_id = fields.Integer()
    union_name = fields.String(allow_none=True)
    batch_no = fields.String(allow_none=True)
    state = fields.String(
        metadata={"description": "保障状态：保障中 / 已到期 / 未生效 / 已失效（按保障期间及是否参保失败）"}
    )
    payment_state = fields.String(
        metadata={"description": "缴费状态：审核中 / 已提交市职保中心 / 已缴费 / 已核销 / 失败"}
    )
    claims_deadline = fields.Date(allow_none=True, metadata={"description": "给付申请材料截止"})


class OpenClaimsOut(BaseSchema):
    cover_year = fields.Integer()
    claims_deadline = fields.Date()
    message = fields.String(metadata={"description": "如：2019年度保障的理赔截止日为 2021-12-31"})


class PersonOut(BaseSchema):
    id_number = fields.String(metadata={"description": "脱敏后的身份证号码"})
    name = fields.String()
    covers = fields.List(fields.Nested(CoverOut))
    claims_open = fields.List(
        fields.Nested(OpenClaimsOut),
        metadata={"description": "已到期、理赔截止日未过的往年保障（截止日次日起不再列出）"},
    )


class NotActedQuery(BaseSchema):
    deadline = fields.String(required=True, validate=validate.OneOf(pending_actions.DEADLINES))
    named = fields.Integer(
        load_default=0, validate=validate.Range(min=0, max=500), metadata={"description": "同时给出前若干个单位的名称"}
    )


class Named(BaseSchema):
    id = fields.Integer()
    name = fields.String(allow_none=True)


class NotActedOut(BaseSchema):
    deadline = fields.String()
    audience = fields.String()
    ids = fields.List(fields.Integer())
    named = fields.List(fields.Nested(Named))


@blp.route("/covers/lookup")
class Lookup(MethodView):
    @roles(*ALL)
    @blp.arguments(LookupIn)
    @blp.response(200, PersonOut)
    def post(self, data):
        """职工保障查询：按身份证号码或会员编号查询本人参保记录（范围内；查询留痕）."""
        # 操作日志 says whose number was looked up (masked), found or not
        asked = (
            f"证件号码 {mask_id((data.get('id_number') or '').strip())}"
            if data.get("id_number")
            else f"会员编号 {(data.get('member_no') or '').strip()[:20]}"
        )
        audit_subject(asked)
        with uow() as work:
            person = cover_lookup.lookup(work, current_identity(), data.get("id_number"), data.get("member_no"))
        audit_subject(f"{person['name']}（{person['id_number']}）" if person.get("name") else asked)
        return person


@blp.route("/covers/bulk-lookup")
class BulkLookup(MethodView):
    @roles(*ALL)
    @file_upload("ID numbers in column 1 from row 2 (.xlsx / .xls)")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=CONTENT_TYPE)
    def post(self):
        """批量查询：multipart 字段 file，身份证号码工作簿（第 1 列自第 2 行起，最多 10,000 个；超出 413 TOO_MANY_ROWS），返回各人参保状态工作簿（每个号码一行）."""
        from flask import request

        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed({"file": ["请选择要上传的文件（multipart/form-data，字段名 file）"]})
        numbers = cover_lookup_excel.read_id_numbers(upload.read())
        audit_subject(f"{len(numbers)} 个证件号码")
        with uow() as work:
            results = cover_lookup.bulk_lookup(work, current_identity(), numbers)
        return download(cover_lookup_excel.bulk_workbook(results), "职工保障查询结果.xlsx", CONTENT_TYPE)


@blp.route("/covers/bulk-lookup/template.xlsx")
class BulkTemplate(MethodView):
    @roles(*ALL)
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=CONTENT_TYPE)
    def get(self):
        """批量查询模板."""
        return download(cover_lookup_excel.template(), "职工保障查询模板.xlsx", CONTENT_TYPE)


@blp.route("/cover-years/<int:cover_year>/not-acted")
class NotActed(MethodView):
    @roles("centre")
    @blp.arguments(NotActedQuery, location="query")
    @blp.response(200, NotActedOut)
    def get(self, args, cover_year):
        """截止前仍未办理的单位（提醒用）：grassroots_end → 基层工会；district_submit_end、payment_deadline → 区局."""
        with uow() as work:
            return pending_actions.not_acted(work, current_identity(), cover_year, args["deadline"], args["named"])


class MyCoverOut(BaseSchema):
    cover_year = fields.Integer()
    type = fields.String()
    type_name = fields.String()
    benefits = fields.String(metadata={"description": "该类型保障内容（文字）"})
    cover_start = fields.Date()
    cover_end = fields.Date()
    mode = fields.String(metadata={"description": "centralised 集中参保 / instant 即时参保"})
    mode_name = fields.String()
    union_id = fields.Integer()
    union_name = fields.String(allow_none=True)
    state = fields.String(allow_none=True, metadata={"description": "保障中 / 已到期 / 未生效 / 已失效"})
    payment_state = fields.String(metadata={"description": "审核中 / 已提交市职保中心 / 已缴费 / 已核销 / 失败"})
    claims_deadline = fields.Date(allow_none=True, metadata={"description": "给付申请材料截止"})


class MyCoversOut(BaseSchema):
    covers = fields.List(fields.Nested(MyCoverOut))
    claims_open = fields.List(fields.Nested(OpenClaimsOut))


@blp.route("/me/covers")
class MyCovers(MethodView):
    @roles(MEMBER)
    @blp.response(200, MyCoversOut)
    def get(self):
        """我的保障 (member, decision 0041): every cover year of the signed-in member, newest first."""
        with uow() as work:
            return cover_lookup.my_covers(work, current_identity())
