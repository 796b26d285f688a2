"""The enrollment service (参保): cover years, centralised and instant enrolment, review, batches."""

from common.web import create_service_app
from services.enrollment.api import (
    batches,
    confirmation,
    cover_requests,
    cover_years,
    covers,
    district_unions,
    review,
    submissions,
    year_on_year,
)
from services.enrollment.bootstrap import runtime


def create_app():
    return create_service_app(
        runtime,
        [
            cover_years.blp,
            confirmation.blp,
            submissions.blp,
            review.blp,
            batches.blp,
            covers.blp,
            year_on_year.blp,
            district_unions.blp,
            cover_requests.blp,
        ],
        title="enrollment 参保",
        description="保障年度、集中参保、即时参保、审核与批次",
    )
