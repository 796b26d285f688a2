"""Bank statements (银行流水): an import and its result, line by line; the Excel templates."""
from __future__ import annotations

import io

from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from common.schema import BaseSchema, Timestamp
from common.web import current_identity, roles, uow
from services.billing.api.schemas import file_from_request
from services.billing.handlers import bank_statements

blp = Blueprint("bank-statements", __name__, description="银行流水与模板")


class StatementLineOut(BaseSchema):
    row = fields.Integer()
    paid_on = fields.Date()
    payer = fields.String()
    amount_fen = fields.Integer()
    memo = fields.String()
    batch_id = fields.Integer(allow_none=True)
    batch_no = fields.String(allow_none=True, metadata={"description": "匹配批次"})
    matched = fields.Boolean()
    reason_code = fields.String()
    reason = fields.String()
    match_method = fields.String(allow_none=True, metadata={"description": "匹配方式（已匹配的行）"})
    unmatched_reason = fields.String(allow_none=True, metadata={"description": "未匹配原因（未匹配的行）"})


class StatementOut(BaseSchema):
    id = fields.Integer()
    filename = fields.String()
    uploaded_at = Timestamp()
    line_count = fields.Integer()
    matched_count = fields.Integer()
    unmatched_count = fields.Integer()
    total_fen = fields.Integer(metadata={"description": "流水合计金额（分）"})
    matched_fen = fields.Integer(metadata={"description": "已匹配金额（分）"})
    unmatched_fen = fields.Integer(metadata={"description": "未匹配金额（分）"})
    lines = fields.List(fields.Nested(StatementLineOut))


@blp.route("/bank-statements")
class BankStatements(MethodView):
    @roles("centre")
    @blp.response(201, StatementOut)
    def post(self):
        """导入银行流水 (centre; Excel columns 日期, 付款人, 金额, 摘要): each line matched or given a reason."""
        content, filename = file_from_request()
        with uow() as work:
            statement = bank_statements.import_bank_statement(work, current_identity(), content, filename)
            return bank_statements.statement_result(work, current_identity(), statement.id)


@blp.route("/templates/<any('bank-statement', credits):name>")
class Templates(MethodView):
    @roles("centre")
    @blp.response(200)
    def get(self, name):
        """Excel templates: 银行流水 (bank-statement) and 清算分配款 (credits)."""
        from common.excel import CONTENT_TYPE
        from services.billing.adapters.excel import template

        content, filename = template(name)
        return send_file(io.BytesIO(content), mimetype=CONTENT_TYPE, as_attachment=True, download_name=filename)


@blp.route("/bank-statements/<int(max=2147483647):statement_id>")
class BankStatementItem(MethodView):
    @roles("centre")
    @blp.response(200, StatementOut)
    def get(self, statement_id):
        """一次银行流水导入的结果."""
        with uow() as work:
            return bank_statements.statement_result(work, current_identity(), statement_id)
