"""HTTP entry points of uploads (批量处理与同步): the list-driven uploads (import, transfer lists,
card lists, removal lists), the sync as a job, the history and the result workbook, the
templates, and the kinds of upload there are."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.errors import NotFound, ValidationFailed
from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import current_identity, roles, uow
from services.members.adapters import excel as xl
from services.members.api.roster import ALL
from services.members.domain import uploads as upload_kinds
from services.members.handlers import lists, sync, uploads

blp = Blueprint("uploads", __name__, description="批量处理与同步：导入、转入转出名单、会员服务卡名单、人口办剔除名单、同步会员，模板与历史记录")


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
    created_at = Timestamp()
    finished_at = Timestamp(allow_none=True)
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
                job_id, (counts, result) = uploads.run_upload(work, who, kind, filename,
                                                              lambda job: process(work, who, data, job))
            return {"job_id": job_id, **counts, **(result or {})}

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
        with uow() as work:  # read afresh: the job may have moved on in its thread
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
