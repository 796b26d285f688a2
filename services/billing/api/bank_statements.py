"""Bank statements (银行流水): an import and its result, line by line; the Excel templates."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from common.api_docs import XLSX, downloads, file_upload
from common.downloads import download
from common.schema import BaseSchema, Timestamp
from common.web import current_identity, roles, uow
from services.billing.api.schemas import file_from_request
from services.billing.handlers import bank_statements, statement_results

blp = Blueprint("bank-statements", __name__, description="银行流水与模板")


class StatementFirstSeen(BaseSchema):
    statement_id = fields.Integer()
    filename = fields.String()
    uploaded_at = Timestamp()
    row = fields.Integer()
    batch_no = fields.String(allow_none=True, metadata={"description": "当时匹配到的批次"})


class StatementLinePart(BaseSchema):
    batch_id = fields.Integer()
    batch_no = fields.String()
    amount_fen = fields.Integer(metadata={"description": "计入该批次的金额"})


class StatementLineOut(BaseSchema):
    line_id = fields.Integer(metadata={"description": "流水编号（手工分配用）"})
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
    serial = fields.String(allow_none=True, metadata={"description": "银行交易流水号（导出文件有此列时）"})
    already_imported = fields.Boolean(metadata={"description": "已导入过：此前的导入已有此笔流水，不再计入"})
    first_seen = fields.Nested(
        StatementFirstSeen, allow_none=True, metadata={"description": "此笔流水首次导入的那次导入（仅已导入过的行）"}
    )
    parts = fields.List(
        fields.Nested(StatementLinePart),
        metadata={"description": "到账分配：各批次及金额（拆分时多个，合计等于此笔金额）"},
    )


class StatementColumn(BaseSchema):
    role = fields.String(metadata={"description": "date, payer, credit, debit, amount, direction, memo, serial"})
    role_name = fields.String()
    headers = fields.List(fields.String(), metadata={"description": "文件中的列名（CAMT.053：元素路径）"})


class StatementLayout(BaseSchema):
    code = fields.String(
        metadata={"description": "credit_column, amount_with_direction, template, signed_amount, camt053"}
    )
    name = fields.String(metadata={"description": "识别出的格式"})
    file_kind = fields.String(metadata={"description": "xlsx, xls, csv, camt053"})
    header_row = fields.Integer(allow_none=True, metadata={"description": "表头所在行"})
    encoding = fields.String(metadata={"description": "CSV 的文字编码"})
    delimiter = fields.String(metadata={"description": "CSV 的分隔符"})
    sheet = fields.String(metadata={"description": "读取的工作表"})
    version = fields.String(metadata={"description": "CAMT.053 的版本"})
    accounts = fields.List(fields.String(), metadata={"description": "CAMT.053 对账单的账号"})
    columns = fields.List(fields.Nested(StatementColumn))


class StatementOut(BaseSchema):
    id = fields.Integer()
    filename = fields.String()
    uploaded_at = Timestamp()
    layout = fields.Nested(StatementLayout, metadata={"description": "识别出的格式与各列"})
    line_count = fields.Integer(metadata={"description": "收入（贷方）流水笔数"})
    matched_count = fields.Integer()
    unmatched_count = fields.Integer()
    duplicate_count = fields.Integer(metadata={"description": "已导入过的笔数（不再计入）"})
    skipped_count = fields.Integer(metadata={"description": "略过的支出（借方）行数"})
    skipped_rows = fields.List(fields.Integer(), metadata={"description": "略过的支出（借方）行"})
    total_fen = fields.Integer(metadata={"description": "流水合计金额（分）"})
    matched_fen = fields.Integer(metadata={"description": "已匹配金额（分）"})
    unmatched_fen = fields.Integer(metadata={"description": "未匹配金额（分）"})
    duplicate_fen = fields.Integer(metadata={"description": "已导入过的金额（分）"})
    lines = fields.List(fields.Nested(StatementLineOut))


@blp.route("/bank-statements")
class BankStatements(MethodView):
    @roles("centre")
    @file_upload("the bank's statement as exported (.xlsx, .xls, CSV in UTF-8 or GB18030, CAMT.053 XML)")
    @blp.response(201, StatementOut)
    def post(self):
        """导入银行流水 (centre): the file as the bank exported it (.xlsx, .xls, CSV in GBK/GB18030 or
        UTF-8, CAMT.053 XML) or the template (日期, 付款人, 金额, 摘要). The layout recognised is said;
        a layout it cannot read is refused (422 STATEMENT_LAYOUT_UNKNOWN) naming the columns needed.
        Only credit lines count; a line an earlier import brought is 已导入过 and never counted twice."""
        content, filename = file_from_request()
        with uow() as work:
            statement = bank_statements.import_bank_statement(work, current_identity(), content, filename)
            return statement_results.statement_result(work, current_identity(), statement.id)


@blp.route("/templates/<any('bank-statement', credits):name>")
class Templates(MethodView):
    @roles("centre")
    @downloads(XLSX)
    def get(self, name):
        """Excel templates: 银行流水 (bank-statement) and 清算分配款 (credits)."""
        from common.excel import CONTENT_TYPE
        from services.billing.adapters.excel import template

        content, filename = template(name)
        return download(content, filename, CONTENT_TYPE)


@blp.route("/bank-statements/<int(max=2147483647):statement_id>")
class BankStatementItem(MethodView):
    @roles("centre")
    @blp.response(200, StatementOut)
    def get(self, statement_id):
        """一次银行流水导入的结果."""
        with uow() as work:
            return statement_results.statement_result(work, current_identity(), statement_id)
