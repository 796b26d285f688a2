"""Notifications' use cases by feature: `notify` (events → notifications), `read_models` (what
the messages need to know of batches and cover years), `inbox_page` (an account's 通知),
`mail` (delivery by e-mail), `reminders` (deadline reminders). Each takes a unit of work first."""
