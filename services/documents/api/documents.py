"""HTTP entry points of the documents service: list documents, their versions, and downloads.

Every download is scope-checked: another union's or district's document answers exactly like a
missing one (404)."""

from __future__ import annotations

from datetime import UTC

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import PDF, XLSX, answers, downloads
from common.clock import SHANGHAI
from common.downloads import download as named_download
from common.identity import GATEWAY
from common.schema import BaseSchema, PageQuery
from common.web import current_identity, roles, uow
from services.documents.domain.notices import (
    DISTRICT_NOTICE,
    GRASSROOTS_NOTICE,
    INSTANT_DISTRICT_NOTICE,
    INSTANT_NOTICE,
    KIND_TITLES,
)
from services.documents.domain.statistics import STATISTICS
from services.documents.handlers import certificates, library, notices, workbooks

blp = Blueprint("documents", __name__, description="文书：参保告知书（PDF）的版本与下载")

KINDS = (GRASSROOTS_NOTICE, INSTANT_NOTICE, DISTRICT_NOTICE, INSTANT_DISTRICT_NOTICE, STATISTICS)


def _shanghai(doc, moment=None) -> str:
    """Stored as naive UTC; shown in Asia/Shanghai with its offset."""
    return (moment or doc.created_at).replace(tzinfo=UTC).astimezone(SHANGHAI).isoformat()


class DocumentOut(BaseSchema):
    id = fields.Integer()
    kind = fields.String(
        metadata={
            "description": "grassroots_notice 基层集中参保告知书 / instant_notice 基层即时参保告知书 / "
            "district_notice 区局集中参保告知书（CB 批次） / instant_district_notice "
            "区局即时参保告知书（JB 批次） / statistics 集中参保统计表"
        }
    )
    title = fields.Function(lambda d: KIND_TITLES.get(d.kind, d.kind))
    version = fields.Integer()
    subject = fields.String(metadata={"description": "what caused it, e.g. submission:12 or batch:3"})
    union_id = fields.Integer(allow_none=True)
    district_id = fields.Integer(allow_none=True)
    cover_year = fields.Integer()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = fields.Function(_shanghai, metadata={"description": "ISO 8601, Asia/Shanghai"})
    download = fields.Function(
        lambda d: f"/documents/documents/{d.id}/file",
        metadata={"description": "the file's path under the gateway's /api/v1"},
    )
    withdrawn_at = fields.Function(
        lambda d: _shanghai(d, d.withdrawn_at) if d.withdrawn_at else None,
        allow_none=True,
        metadata={"description": "作废时间 (ISO 8601, Asia/Shanghai): its submission was returned; null: counts"},
    )
    withdrawn_reason = fields.String(allow_none=True, metadata={"description": "作废原因"})


class DocumentDetail(DocumentOut):
    versions = fields.List(fields.Nested(DocumentOut))


class DocumentQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(KINDS))
    union_id = fields.Integer()
    district_id = fields.Integer()
    cover_year = fields.Integer()
    all_versions = fields.Boolean(
        load_default=False, metadata={"description": "true: every version, not only the latest"}
    )


class DocumentPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(DocumentOut))


class VersionQuery(BaseSchema):
    version = fields.Integer(validate=validate.Range(min=1), metadata={"description": "default: the latest"})


def download(doc):
    """The stored bytes, unchanged; the ETag is their sha256."""
    response = named_download(doc.content, doc.filename, doc.media_type, etag=doc.sha256, max_age=0)
    response.headers["X-Document-Version"] = str(doc.version)
    if doc.withdrawn_at is not None:  # an earlier version asked for by number: kept, but void
        response.headers["X-Document-Withdrawn"] = "true"
    return response


@blp.route("/documents")
class Documents(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(DocumentQuery, location="query")
    @blp.response(200, DocumentPage)
    def get(self, query):
        """文书列表 (scoped: centre all, district its own, grassroots its own union's); latest versions."""
        with uow() as work:
            total, items = library.list_documents(work, current_identity(), **query)
            return {"total": total, "items": items}


@blp.route("/documents/<int:document_id>")
class DocumentItem(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.response(200, DocumentDetail)
    def get(self, document_id):
        """一份文书及其全部版本."""
        with uow() as work:
            doc, versions = library.get_document(work, current_identity(), document_id)
            doc.versions = versions  # not a column: only for the response
            return doc


@blp.route("/documents/<int:document_id>/file")
class DocumentFile(MethodView):
    @roles("centre", "district", "grassroots")
    @downloads(PDF, XLSX, revalidated=True)
    def get(self, document_id):
        """下载该版本文书（与首次生成的字节完全相同）."""
        with uow() as work:
            return download(library.document_file(work, current_identity(), document_id))


@blp.route("/grassroots-notices/<int:union_id>/<int:cover_year>/file")
class GrassrootsNoticeFile(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(VersionQuery, location="query")
    @downloads(PDF, revalidated=True)
    def get(self, query, union_id, cover_year):
        """下载基层工会参保告知书：默认现行（最新未作废）版本，?version=n 为历史版本（含已作废）."""
        with uow() as work:
            return download(
                notices.grassroots_notice_file(work, current_identity(), union_id, cover_year, query.get("version"))
            )


@blp.route("/instant-notices/<int:submission_id>/file")
class InstantNoticeFile(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(VersionQuery, location="query")
    @downloads(PDF, revalidated=True)
    def get(self, query, submission_id):
        """下载基层工会即时参保告知书（每次即时参保提交一份）."""
        with uow() as work:
            return download(notices.instant_notice_file(work, current_identity(), submission_id, query.get("version")))


@blp.route("/district-notices/<int:batch_id>/file")
class DistrictNoticeFile(MethodView):
    @roles("centre", "district")
    @blp.arguments(VersionQuery, location="query")
    @downloads(PDF, revalidated=True)
    def get(self, query, batch_id):
        """下载区局（产业）工会参保告知书（参保批次：CB 集中参保或 JB 即时参保）."""
        with uow() as work:
            return download(notices.district_notice_file(work, current_identity(), batch_id, query.get("version")))


@blp.route("/statistics/<int:district_id>/<int:cover_year>/file")
class StatisticsFile(MethodView):
    @roles("centre", "district")
    @downloads(XLSX, revalidated=True)
    def get(self, district_id, cover_year):
        """下载集中参保统计表（.xlsx，按基层工会与保障类型）；数据未变时每次下载字节相同."""
        with uow() as work:
            return download(workbooks.statistics_file(work, current_identity(), district_id, cover_year))


@blp.route("/certificates/<int:member_id>/<int:cover_year>/file")
class CertificateFile(MethodView):
    @roles("centre", "district", "grassroots")
    @downloads(PDF)
    @answers(409)
    def get(self, member_id, cover_year):
        """下载参保凭证（PDF，一人一年度）：含核验码与二维码，任何人可在 /verify/{核验码} 核验其当日是否有效。
        每次下载出具一份新凭证（新的核验码），此前出具的凭证仍随保障状态有效。范围外或无参保：404；
        该年度参保已失效或已退回：409."""
        with uow() as work:
            content, filename = certificates.issue(work, current_identity(), member_id, cover_year)
        response = named_download(content, filename, PDF, max_age=0)
        response.headers["Cache-Control"] = "no-store"  # each answer is a new certificate
        return response


@blp.route("/certificates/mine/<int:cover_year>/file")
class MyCertificateFile(MethodView):
    @roles("member")
    @downloads(PDF)
    @answers(409)
    def get(self, cover_year):
        """下载本人的参保凭证（个人登录；PDF）：只出具登录者本人的，会员编号取自登录身份而非请求（决定 0041、0042）。
        无参保：404；该年度参保已失效或已退回：409."""
        who = current_identity()
        with uow() as work:
            content, filename = certificates.issue(work, who, who.member_id or 0, cover_year, member_of=who.member_id)
        response = named_download(content, filename, PDF, max_age=0)
        response.headers["Cache-Control"] = "no-store"  # each answer is a new certificate
        return response


class VerificationOut(BaseSchema):
    found = fields.Boolean()
    message = fields.String()
    name = fields.String(metadata={"description": "姓名（遮盖，如 张*）"})
    cover_year = fields.Integer()
    type_name = fields.String(metadata={"description": "保障类型名称"})
    type_pays = fields.String(metadata={"description": "保障内容（该类型保什么）"})
    mode_name = fields.String()
    cover_start = fields.Date()
    cover_end = fields.Date()
    state = fields.String(metadata={"description": "保障中 / 未生效 / 已到期 / 已失效 / 已撤销"})
    valid = fields.Boolean(metadata={"description": "true 仅当今日保障中"})
    revoked = fields.Boolean(metadata={"description": "true：参保已失效或已被退回"})
    code_hint = fields.String(metadata={"description": "核验码末四位（审计用）"})


@blp.route("/certificates/verification/<string:code>")
class CertificateVerification(MethodView):
    @roles(GATEWAY)
    @blp.response(200, VerificationOut)
    def get(self, code):
        """核验参保凭证（仅网关调用；公众经网关的 /verify/{核验码} 页面核验，按地址限频并记录）."""
        with uow() as work:
            return certificates.verify(work, code)
