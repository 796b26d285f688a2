"""HTTP entry points of uploads (批量处理与同步): the list-driven uploads (import, transfer lists,
card lists, removal lists), the sync as a job, the history and the result workbook, the
templates, and the kinds of upload there are."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import XLSX, answers, downloads, file_upload
from common.downloads import download
from common.errors import NotFound, ValidationFailed
from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import audit_subject, current_identity, roles, uow
from services.members.adapters import excel as xl
from services.members.api.roster import ALL
from services.members.domain import uploads as upload_kinds
from services.members.handlers import (
    cards,
    member_import,
    removals,
    sync,
    sync_results,
    transfer_lists,
    union_import,
    upload_history,
    uploads,
)

blp = Blueprint(
    "uploads",
    __name__,
    description="批量处理与同步：导入、转入转出名单、会员服务卡名单、人口办剔除名单、同步会员，模板与历史记录",
)


class UploadSummary(BaseSchema):
    """A job in the history (历史导入记录): what it was and how it ended — never its rows."""

    id = fields.Integer()
    kind = fields.String()
    union_id = fields.Integer(allow_none=True)
    dry_run = fields.Boolean()
    state = fields.String(metadata={"description": "running / succeeded / failed"})
    filename = fields.String()
    total = fields.Integer()
    done = fields.Integer()
    counts = fields.Dict(allow_none=True)
    error_count = fields.Integer(metadata={"description": "how many errors the refused file had (all of them)"})
    message = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = Timestamp()
    finished_at = Timestamp(allow_none=True)
    result_path = fields.Function(
        lambda job: (
            f"/uploads/{job.id}/result.xlsx"
            if job.kind == "sync" and job.state != "running" and not (job.dry_run and job.state != "succeeded")
            else None
        ),
        metadata={"description": "导出结果 of a finished sync, a dry run's too (under /api/v1/members)"},
    )
    people_path = fields.Function(
        lambda job: f"/uploads/{job.id}/people" if job.kind == "sync" and job.state == "succeeded" else None,
        metadata={"description": "page through the run's C and D people: ?category=C|D (under /api/v1/members)"},
    )
    errors_path = fields.Function(
        lambda job: f"/uploads/{job.id}/errors" if job.error_count else None,
        metadata={"description": "page through every error (under /api/v1/members)"},
    )
    errors_download_path = fields.Function(
        lambda job: f"/uploads/{job.id}/errors.xlsx" if job.error_count else None,
        metadata={"description": "every error as a workbook (under /api/v1/members)"},
    )


class UploadOut(UploadSummary):
    """A job's state: its progress (done of total, total known from the start), counts, and at
    most the first 100 errors (error_count says how many; errors_path pages, errors_download_path
    downloads them all). No answer grows with the file."""

    errors = fields.List(
        fields.Dict(),
        attribute="first_errors",
        metadata={
            "description": "the first ≤100 errors, in row order: row, column, value, message (the fix), name, "
            "id_number (masked)"
        },
    )
    result = fields.Dict(allow_none=True, metadata={"description": "a dry run's samples (≤100 a category)"})


class ErrorPage(BaseSchema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Dict())


class PeopleQuery(PageQuery):
    category = fields.String(
        required=True,
        validate=validate.OneOf(list(sync_results.PEOPLE_CATEGORIES)),
        metadata={"description": "C 在其他工会（同步时申请转入）/ D 本会会员但不在名单内（同步后标记未同步）"},
    )


class SyncPerson(BaseSchema):
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    member_no = fields.String(allow_none=True)
    union_name = fields.String(allow_none=True, metadata={"description": "所在工会（C：原所属单位；D：本会）"})
    district_name = fields.String(allow_none=True)


class PeoplePage(BaseSchema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    category = fields.String()
    items = fields.List(fields.Nested(SyncPerson))


class UploadQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(list(dict.fromkeys(k.kind for k in upload_kinds.KINDS))))
    union_id = fields.Integer()


class UploadPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(UploadSummary))


class ErrorQuery(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100))


class ListUploadOut(BaseSchema):
    """A list upload that was applied: its job and what it did. `rows` is the file's rows; the
    other counts depend on the kind (GET /uploads/kinds → counts names each)."""

    job_id = fields.Integer()
    rows = fields.Integer()
    added = fields.Integer()
    updated = fields.Integer()
    moved = fields.Integer()
    requested = fields.Integer()
    transferred_out = fields.Integer()
    cards = fields.Integer()
    removed = fields.Integer()
    notice = fields.String(metadata={"description": "which sheet was read, when the workbook had several"})


def _answer(work, job):
    """A job as UploadOut dumps it: with the first page of its errors."""
    job.first_errors = upload_history.first_errors(work, current_identity(), job)
    return job


class UploadKindOut(BaseSchema):
    kind = fields.String(metadata={"description": "the job's kind (UploadOut.kind), and its template's name"})
    dry_run = fields.Boolean(
        metadata={"description": "true: a sync that only counts (预检), uploaded with dry_run=true"}
    )
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


class CountLabelOut(BaseSchema):
    key = fields.String(metadata={"description": "a key of a finished job's counts, e.g. added"})
    label = fields.String(metadata={"description": "what a clerk reads beside it, e.g. 新增会员"})


class UploadKindsOut(BaseSchema):
    kinds = fields.List(
        fields.Nested(UploadKindOut), metadata={"description": "every kind, in the order to offer them"}
    )
    categories = fields.List(fields.Nested(CategoryOut))
    counts = fields.List(fields.Nested(CountLabelOut), metadata={"description": "the names of the other counts"})


def _file() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": ["请选择要上传的 Excel 文件（表单字段 file）"]})
    return upload.filename or "", upload.read()


def _xlsx(filename: str, data: bytes) -> Response:
    return download(data, filename, xl.excel.CONTENT_TYPE)


# ------------------------------------------------------------------ uploads

LIST_UPLOADS = {  # kind → its handler; titles, hints and roles are domain.uploads.KINDS
    "import": member_import.import_members,
    "transfer_in": transfer_lists.transfer_in_from_list,
    "transfer_out": transfer_lists.transfer_out_from_list,
    "cards": cards.cards_from_list,
    "removals": removals.removals_from_list,
}
# Uploads whose rows count against the union's daily ID look-ups (429 past the allowance).
LOOKUP_UPLOADS = ("import", "transfer_in", "cards")


def _list_upload_view(kind: str):
    process, about = LIST_UPLOADS[kind], upload_kinds.kind(kind)

    class View(MethodView):
        @roles(*about.roles)
        @file_upload()
        @answers(*((429,) if kind in LOOKUP_UPLOADS else ()))
        @blp.response(200, ListUploadOut)
        def post(self):
            who = current_identity()
            filename, data = _file()
            audit_subject(f"文件 {filename}")
            rows = xl.read_rows(data, kind)  # a format or header error: 422 at once, before any job
            with uow() as work:
                job_id, (counts, result) = uploads.run_upload(
                    work, who, kind, filename, lambda job: process(work, who, rows, job), total=len(rows)
                )
            return {"job_id": job_id, **counts, **(result or {})}

    View.post.__doc__ = (
        f"{about.title}: multipart field `file` (.xlsx/.xls, ≤1,000 rows from row 2). All or nothing: "
        "a format or header error → 422 at once (no job); row errors → 422 ROWS_INVALID with the "
        "first 100, error_count, job_id and the links to page or download them all; nothing applied; "
        "409 while another upload of this union is running."
    )
    View.__name__ = f"Upload_{kind}"
    return View


for _kind in LIST_UPLOADS:
    blp.route(upload_kinds.kind(_kind).path)(_list_upload_view(_kind))


@blp.route(upload_kinds.kind("sync").path)
class SyncUpload(MethodView):
    @roles(*upload_kinds.kind("sync").roles)
    @file_upload(
        "the roster (.xlsx / .xls: 姓名, 证件号码)", dry_run={"type": "boolean", "description": "true: 预检 only"}
    )
    @answers(429)
    @blp.response(202, UploadOut)
    def post(self):
        """同步会员: multipart `file` (姓名, 证件号码; up to 100,000 rows) and optional `dry_run=true`.
        A format or header error → 422 at once (no job), as for every upload. Otherwise 202: the
        job (total = the file's rows, done = 0) runs on members' worker; poll GET /uploads/{id}.
        409 while another upload of this union is running."""
        filename, data = _file()
        dry_run = (request.form.get("dry_run") or request.args.get("dry_run") or "").lower() in ("1", "true", "yes")
        audit_subject(f"文件 {filename}" + ("（预检，不做任何修改）" if dry_run else ""))
        who = current_identity()
        with uow() as work:
            job_id = sync.accept_sync(work, who, filename, data, dry_run)
        with uow() as work:
            return _answer(work, upload_history.get_upload(work, who, job_id))


@blp.route(upload_kinds.kind("unions").path)
class UnionImportUpload(MethodView):
    @roles(*upload_kinds.kind("unions").roles)
    @file_upload("the unions and their clerks (.xlsx / .xls: the 工会批量导入 template)")
    @blp.response(202, UploadOut)
    def post(self):
        """工会批量导入: multipart `file` (the template's 9 columns; up to 110,000 rows). The centre
        loads districts and grassroots unions, a district its own unions; each row's clerk gets an
        inactive account with an activation link mailed (by the gateway, from
        members.clerks.loaded). A format or header error → 422 at once (no job). Otherwise 202:
        the job runs on members' worker; poll GET /uploads/{id}. All or nothing: any row error →
        the job fails with every error (errors_path, errors_download_path), nothing registered.
        409 while another upload of the caller is running."""
        filename, data = _file()
        audit_subject(f"文件 {filename}")
        who = current_identity()
        with uow() as work:
            job_id = union_import.accept_union_import(work, who, filename, data)
        with uow() as work:
            return _answer(work, upload_history.get_upload(work, who, job_id))


@blp.route("/uploads/kinds")
class UploadKinds(MethodView):
    @roles(*ALL)
    @blp.response(200, UploadKindsOut)
    def get(self):
        """The kinds of upload (title, hint, who may make it, where to upload it, its template) and
        the sync categories A–E with their names: what the upload page offers and how it names a result."""
        with uow() as work:
            return upload_history.upload_kinds(work, current_identity())


@blp.route("/uploads")
class Uploads(MethodView):
    @roles(*ALL)
    @blp.arguments(UploadQuery, location="query")
    @blp.response(200, UploadPage)
    def get(self, query):
        """历史导入记录 (time, outcome, counts; sync results downloadable)."""
        with uow() as work:
            total, items = upload_history.list_uploads(work, current_identity(), **query)
            return {"total": total, "items": items}


@blp.route("/uploads/<int:job_id>")
class UploadItem(MethodView):
    @roles(*ALL)
    @blp.response(200, UploadOut)
    def get(self, job_id):
        """An upload's state and progress (done/total), its counts and the first ≤100 row errors."""
        with uow() as work:
            return _answer(work, upload_history.get_upload(work, current_identity(), job_id))


@blp.route("/uploads/<int:job_id>/errors")
class UploadErrors(MethodView):
    @roles(*ALL)
    @blp.arguments(ErrorQuery, location="query")
    @blp.response(200, ErrorPage)
    def get(self, query, job_id):
        """A page (≤100) of a refused upload's errors, in row order; ID numbers masked."""
        with uow() as work:
            return upload_history.upload_errors(work, current_identity(), job_id, **query)


@blp.route("/uploads/<int:job_id>/errors.xlsx")
class UploadErrorsWorkbook(MethodView):
    @roles(*ALL)
    @downloads(XLSX)
    def get(self, job_id):
        """Every error of a refused upload as a workbook (错误信息); ID numbers masked."""
        with uow() as work:
            filename, data = upload_history.errors_workbook(work, current_identity(), job_id)
        return _xlsx(filename, data)


@blp.route("/uploads/<int:job_id>/people")
class SyncPeople(MethodView):
    @roles(*ALL)
    @blp.arguments(PeopleQuery, location="query")
    @blp.response(200, PeoplePage)
    def get(self, query, job_id):
        """A sync run's C or D people, paged — a dry run's (who would be asked for, who would be
        marked 未同步) as a real run's; the same stored result as its 导出结果 workbook."""
        with uow() as work:
            return sync_results.sync_people(
                work, current_identity(), job_id, query["category"], query["page"], query["per_page"]
            )


@blp.route("/uploads/<int:job_id>/result.xlsx")
class UploadResult(MethodView):
    @roles(*ALL)
    @downloads(XLSX)
    def get(self, job_id):
        """导出结果 of a sync run (.xlsx)."""
        with uow() as work:
            filename, data = sync_results.sync_result_workbook(work, current_identity(), job_id)
        return _xlsx(filename, data)


@blp.route("/templates/<string:kind>.xlsx")
class Template(MethodView):
    @roles(*ALL)
    @downloads(XLSX)
    def get(self, kind):
        """Excel 模板: import, sync, transfer_in, transfer_out, cards, removals, unions (with a 填写说明 sheet)."""
        if kind not in xl.TEMPLATES:
            raise NotFound()
        return _xlsx(f"{xl.TEMPLATES[kind][0]}模板.xlsx", xl.template(kind))
