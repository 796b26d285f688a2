"""The enrollment service (参保): cover years, centralised and instant enrolment, review, batches."""
from common.web import create_service_app
from services.enrollment.api import cover_years, covers, enrolment
from services.enrollment.bootstrap import runtime


def create_app():
    return create_service_app(runtime, [cover_years.blp, enrolment.blp, covers.blp], title="enrollment 参保",
                              description="保障年度、集中参保、即时参保、审核与批次")
