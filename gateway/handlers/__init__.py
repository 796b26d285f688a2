"""The gateway's own use cases, by feature: accounts (账号管理) and the audit trail (操作日志).
Each takes the gateway's database session first (the gateway has no outbox: it publishes no
events), then the caller's input."""
