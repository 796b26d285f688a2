"""The documents service: notices (告知书) as PDFs and every workbook."""
from common.web import create_service_app
from services.documents.bootstrap import runtime


def create_app():
    return create_service_app(runtime, [], title="documents 文书", description="告知书 PDF 与各类 Excel 工作簿")
