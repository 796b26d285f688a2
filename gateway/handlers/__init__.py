"""The gateway's own use cases, by feature: accounts (账号管理), the audit trail (操作日志), a
person's login sessions and password (登录设备、修改密码), one-time links to set a password
(activation, 找回密码: account_links), and the addresses the notifications service mails to. Each takes the gateway's unit of work first (common.db.UoW), then who asks
(the centre's identity, or for one's own sessions the authenticated `gateway.auth.Caller`), then
the input; reads go through `gateway/adapters/queries.py`.

Seams (the only imports between handler modules): `accounts` → `account_links.issue` (a new
account made without a password is sent its activation link); `district_unions` →
`account_links.NO_PASSWORD` (the 基层工会 page tells an account awaiting activation)."""
