"""Billing's use cases, one module per feature: prices, splits, quotes (a union's rates and the 试算
preview), pricing, settlement_credits,
batches (status, feedback, write-off), vouchers, overdue, payment_mail, bank_statements (the
import), statement_results (an import read back), allocations (a line split or allocated by hand,
a batch's arrivals), ageing (账龄 and the reminders that escalate), reports, read_models, split_proposals (last year's split proposed for
a new year), years (years side by side). Reads go
through adapters/queries.py (the price table and the rates a split gives: adapters/rates.py);
rows written behind through adapters/ledger.py.

A handler module imports another only through these named seams:
- `splits.republish_rates` (read_models, when a district's special-industry flag changes its city
  subsidy);
- `settlement_credits.publish_credit_available` — what a district's credit account can still pay, announced
  when a batch uses credit (pricing) or a new cover year opens (read_models); and
  `settlement_credits.add_credit` — an over-payment carried to the next year at 核销 (batches);
- `batches.get_batch`, `batches.not_written_off`, `batches.refresh_payment` — the batch in scope,
  still open, its figures after a voucher changed (vouchers; allocations uses `get_batch`), and
  `batches.restate` — a batch's payment status after money arrived (bank_statements);
- `bank_statements.allocate` — a line's parts on their batches: allocation rows, ledger lines,
  已缴 (allocations, for the centre's hand allocation)."""
