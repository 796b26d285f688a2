"""The documents service: notices (告知书) as PDFs and the statistics workbook."""

from common.web import create_service_app
from services.documents.api import documents
from services.documents.bootstrap import runtime


def create_app():
    return create_service_app(
        runtime,
        [documents.blp],
        title="documents 文书",
        description="参保告知书 PDF（版本、哈希、按范围下载）与集中参保统计表",
    )
