"""The billing service (缴费): prices, premium splits, what is owed, vouchers, reconciliation."""

from common.web import create_service_app
from services.billing.api import (
    ageing,
    allocations,
    bank_statements,
    batches,
    jobs,
    prices,
    reconciliation,
    reports,
    settlement_credits,
)
from services.billing.bootstrap import runtime


def create_app():
    return create_service_app(
        runtime,
        [
            prices.blp,
            batches.blp,
            reconciliation.blp,
            settlement_credits.blp,
            bank_statements.blp,
            reports.blp,
            jobs.blp,
            allocations.blp,
            ageing.blp,
        ],
        title="billing 缴费",
        description="价格、保障金额分摊、应缴、凭证与核销",
    )
