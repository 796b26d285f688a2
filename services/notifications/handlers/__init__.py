"""Notifications' use cases by feature: `notify` (events → notifications), `read_models` (what
the messages need to know of batches and cover years), `inbox_page` (an account's 通知),
`mail` (delivery by e-mail), `reminders` (deadline reminders, by the job or by hand),
`reminder_report` (the centre's view of them). Each takes a unit of work first
(`uow: UoW`); reads several features share go through adapters/queries.py.

A handler module imports another only through these named seams, each also named in the
importing module's docstring:
- `shared.deliver` — write a notification once per cause and audience, with its mail waiting
  (notify uses it; reminders write theirs set-based through adapters/reminder_rows.py);
- `read_models.record_batch`, `read_models.batch_facts` — a batch's district and unions as
  enrollment told them (notify addresses billing's batch events with them)."""
