"""HTTP entry points of the roster (会员管理): members, approvals, transfers, cards, removals,
uploads (import, transfer lists, card lists, removal lists, sync) and their templates."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.errors import NotFound, ValidationFailed
from common.schema import BaseSchema, PageQuery
from common.web import current_identity, roles, uow
from services.members.adapters import excel as xl
from services.members.domain import member as rules
from services.members.domain import uploads as upload_kinds
from services.members.handlers import cards, lists, roster, sync, transfers, uploads

blp = Blueprint("roster", __name__, description="会员名册：新增、审核、导入、转入转出、同步、会员服务卡、人口办剔除")

ALL = ("centre", "district", "grassroots")


class MemberIn(BaseSchema):
    name = fields.String(required=True, metadata={"description": "姓名"})
    id_type = fields.String(load_default="resident", validate=validate.OneOf(list(rules.ID_TYPES)),
                            metadata={"description": "resident 身份证 / other 其他"})
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
    id_number = fields.String(metadata={"description": "完整证件号码（仅详情）"})
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
    review_note = fields.String(allow_none=True, metadata={"description": "审核说明：区局驳回的原因"})
    version = fields.Integer()


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
    review_note = fields.String(allow_none=True, metadata={"description": "审核说明：区局驳回的原因"})
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


class MemberPage(BaseSchema):
    total = fields.Integer(allow_none=True, metadata={"description": "null when with_total=false"})
    total_capped = fields.Boolean(allow_none=True, metadata={
        "description": "true: more than 10,000 across a district or the city (total shows 10,000)"})
    items = fields.List(fields.Nested(MemberRow))


class MemberIds(BaseSchema):
    member_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=1000))


class TransferOutIn(MemberIds):
    reason = fields.String(required=True, validate=validate.OneOf(list(rules.TRANSFER_OUT_REASONS)),
                           metadata={"description": "离职、退休、离休、死亡、开除会籍、其他"})


class RejectionIn(MemberIds):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200),
                           metadata={"description": "驳回原因（审核说明），基层工会据此修改后重新提交"})


class RemovalIn(MemberIds):
    removed = fields.Boolean(load_default=True)


class CardIn(BaseSchema):
    card_number = fields.String(required=True, metadata={"description": "银行卡号"})
    issued_on = fields.Date(required=True)


class TransferQuery(PageQuery):
    direction = fields.String(load_default="out", validate=validate.OneOf(["out", "in"]),
                              metadata={"description": "out 会员转出审核（他会申请转走本会会员）/ in 本会发出的转入申请"})
    status = fields.String(load_default="pending",
                           validate=validate.OneOf(["pending", "approved", "rejected", "cancelled", "all"]))


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
    requested_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


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


class UploadOut(BaseSchema):
    id = fields.Integer()
    kind = fields.String()
    union_id = fields.Integer(allow_none=True)
    dry_run = fields.Boolean()
    state = fields.String(metadata={"description": "running / succeeded / failed"})
    filename = fields.String()
    total = fields.Integer()
    done = fields.Integer()
    counts = fields.Dict(allow_none=True)
    errors = fields.List(fields.Dict(), allow_none=True)
    result = fields.Dict(allow_none=True)
    message = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    result_path = fields.Function(
        lambda job: f"/uploads/{job.id}/result.xlsx" if job.kind == "sync" and not job.dry_run and job.state != "running"
        else None, metadata={"description": "导出结果 of a finished sync (under /api/v1/members)"})


class UploadQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(list(dict.fromkeys(k.kind for k in upload_kinds.KINDS))))
    union_id = fields.Integer()


class UploadPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(UploadOut))


class UploadKindOut(BaseSchema):
    kind = fields.String(metadata={"description": "the job's kind (UploadOut.kind), and its template's name"})
    dry_run = fields.Boolean(metadata={"description": "true: a sync that only counts (预检), uploaded with dry_run=true"})
    title = fields.String(metadata={"description": "what the clerk chooses, e.g. 批量导入会员"})
    hint = fields.String(metadata={"description": "what it does, in a sentence"})
    roles = fields.List(fields.String(), metadata={"description": "who may upload it"})
    upload_path = fields.String(metadata={"description": "POST the file here (under /api/v1/members)"})
    template_path = fields.String(metadata={"description": "its Excel template (under /api/v1/members)"})
    template_title = fields.String(metadata={"description": "the template's title (its sheet)"})


class CategoryOut(BaseSchema):
    code = fields.String(metadata={"description": "A–E, the keys of a sync's counts"})
    name = fields.String(metadata={"description": "what it means (the result workbook's 汇总 sheet)"})
    short_name = fields.String(metadata={"description": "the same, short, beside a count"})


class UploadKindsOut(BaseSchema):
    kinds = fields.List(fields.Nested(UploadKindOut), metadata={"description": "every kind, in the order to offer them"})
    categories = fields.List(fields.Nested(CategoryOut))


def _file() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": ["请选择要上传的 Excel 文件（表单字段 file）"]})
    return upload.filename or "", upload.read()


def _xlsx(filename: str, data: bytes) -> Response:
    response = Response(data, mimetype=xl.excel.CONTENT_TYPE)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ------------------------------------------------------------------ members

@blp.route("/members")
class Members(MethodView):
    @roles(*ALL)
    @blp.arguments(MemberQuery, location="query")
    @blp.response(200, MemberPage)
    def get(self, query):
        """会员列表/搜索 (scoped; ID numbers and mobiles masked)."""
        with uow() as work:
            total, items, capped = roster.list_members(work, current_identity(), **query)
            return {"total": total, "total_capped": capped, "items": items}

    @roles("grassroots")
    @blp.arguments(MemberIn)
    @blp.response(201, MemberOut)
    def post(self, data):
        """新增会员 (grassroots): waits for its district's approval."""
        with uow() as work:
            return roster.add_member(work, current_identity(), data)


@blp.route("/members/<int:member_id>")
class MemberItem(MethodView):
    @roles(*ALL)
    @blp.response(200, MemberOut)
    def get(self, member_id):
        """会员详情: the full ID number, for a member in the caller's scope only."""
        with uow() as work:
            return roster.get_member(work, current_identity(), member_id)

    @roles("grassroots")
    @blp.arguments(MemberPatch)
    @blp.response(200, MemberOut)
    def patch(self, data, member_id):
        """编辑会员 (grassroots, own members; the ID number cannot change)."""
        with uow() as work:
            return roster.update_member(work, current_identity(), member_id, data)


@blp.route("/members/approvals")
class Approvals(MethodView):
    @roles("district", "centre")
    @blp.arguments(MemberIds)
    @blp.response(200, MemberOut(many=True))
    def post(self, data):
        """会员审核: approve waiting members (one or many); each gets its member number."""
        with uow() as work:
            return roster.approve_members(work, current_identity(), data["member_ids"])


@blp.route("/members/rejections")
class Rejections(MethodView):
    @roles("district", "centre")
    @blp.arguments(RejectionIn)
    @blp.response(200, MemberOut(many=True))
    def post(self, data):
        """会员审核 驳回: send waiting members back to their union with a reason; editing them
        (or importing their row again) resubmits them."""
        with uow() as work:
            return roster.reject_members(work, current_identity(), data["member_ids"], data["reason"])


@blp.route("/members/transfer-out")
class TransferOut(MethodView):
    @roles("grassroots")
    @blp.arguments(TransferOutIn)
    @blp.response(200, MemberOut(many=True))
    def post(self, data):
        """转出 / 批量转出会员 with a reason."""
        with uow() as work:
            return transfers.transfer_out(work, current_identity(), data["member_ids"], data["reason"])


@blp.route("/members/<int:member_id>/card")
class MemberCard(MethodView):
    @roles("grassroots", "centre")
    @blp.arguments(CardIn)
    @blp.response(200, MemberOut)
    def put(self, data, member_id):
        """办卡: record the member service card number and issue date."""
        with uow() as work:
            return cards.issue_card(work, current_identity(), member_id, data["card_number"], data["issued_on"])


@blp.route("/members/removals")
class Removals(MethodView):
    @roles("centre")
    @blp.arguments(RemovalIn)
    @blp.response(200, MemberOut(many=True))
    def post(self, data):
        """人口办剔除 (centre): flag members removed (or lift the flag with removed=false)."""
        with uow() as work:
            return roster.set_removed(work, current_identity(), data["member_ids"], data["removed"])


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
            total, items = transfers.list_transfer_requests(work, current_identity(), query["direction"], status,
                                                            query["page"], query["per_page"])
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


# ------------------------------------------------------------------ uploads

LIST_UPLOADS = {  # kind → its handler; titles, hints and roles are domain.uploads.KINDS
    "import": lists.import_members,
    "transfer_in": lists.transfer_in_from_list,
    "transfer_out": lists.transfer_out_from_list,
    "cards": lists.cards_from_list,
    "removals": lists.removals_from_list,
}


def _list_upload_view(kind: str):
    process, about = LIST_UPLOADS[kind], upload_kinds.kind(kind)

    class View(MethodView):
        @roles(*about.roles)
        @blp.response(200)
        def post(self):
            who = current_identity()
            filename, data = _file()
            with uow() as work:
                job_id, (counts, _) = uploads.run_upload(work, who, kind, filename,
                                                         lambda job: process(work, who, data, job))
            return {"job_id": job_id, **counts}

    View.post.__doc__ = (f"{about.title}: multipart field `file` (.xlsx/.xls, ≤1,000 rows from row 2). All or nothing: "
                         "any error → 422 with every row error, nothing applied; 409 while another upload of this "
                         "union is running.")
    View.__name__ = f"Upload_{kind}"
    return View


for _kind in LIST_UPLOADS:
    blp.route(upload_kinds.kind(_kind).path)(_list_upload_view(_kind))


@blp.route(upload_kinds.kind("sync").path)
class SyncUpload(MethodView):
    @roles(*upload_kinds.kind("sync").roles)
    @blp.response(202, UploadOut)
    def post(self):
        """同步会员: multipart `file` (姓名, 证件号码; up to 100,000 rows) and optional `dry_run=true`.
        Runs as a job: poll GET /uploads/{id}; 409 while another upload of this union is running."""
        filename, data = _file()
        dry_run = (request.form.get("dry_run") or request.args.get("dry_run") or "").lower() in ("1", "true", "yes")
        who = current_identity()
        with uow() as work:
            job_id = sync.start_sync(work, who, filename, data, dry_run)
            return uploads.get_upload(work, who, job_id)


@blp.route("/uploads/kinds")
class UploadKinds(MethodView):
    @roles(*ALL)
    @blp.response(200, UploadKindsOut)
    def get(self):
        """The kinds of upload (title, hint, who may make it, where to upload it, its template) and
        the sync categories A–E with their names: what the upload page offers and how it names a result."""
        with uow() as work:
            return uploads.upload_kinds(work, current_identity())


@blp.route("/uploads")
class Uploads(MethodView):
    @roles(*ALL)
    @blp.arguments(UploadQuery, location="query")
    @blp.response(200, UploadPage)
    def get(self, query):
        """历史导入记录 (time, outcome, counts; sync results downloadable)."""
        with uow() as work:
            total, items = uploads.list_uploads(work, current_identity(), **query)
            return {"total": total, "items": items}


@blp.route("/uploads/<int:job_id>")
class UploadItem(MethodView):
    @roles(*ALL)
    @blp.response(200, UploadOut)
    def get(self, job_id):
        """An upload's state and progress (done/total), its counts and its row errors."""
        with uow() as work:
            return uploads.get_upload(work, current_identity(), job_id)


@blp.route("/uploads/<int:job_id>/result.xlsx")
class UploadResult(MethodView):
    @roles(*ALL)
    def get(self, job_id):
        """导出结果 of a sync run (.xlsx)."""
        with uow() as work:
            filename, data = sync.sync_result_workbook(work, current_identity(), job_id)
        return _xlsx(filename, data)


@blp.route("/templates/<string:kind>.xlsx")
class Template(MethodView):
    @roles(*ALL)
    def get(self, kind):
        """Excel 模板: import, sync, transfer_in, transfer_out, cards, removals (with a 填写说明 sheet)."""
        if kind not in xl.TEMPLATES:
            raise NotFound()
        return _xlsx(f"{xl.TEMPLATES[kind][0]}模板.xlsx", xl.template(kind))
