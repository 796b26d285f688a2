"""The gateway's own use cases, by feature: accounts (账号管理), the audit trail (操作日志), a
person's login sessions and password (登录设备、修改密码), one-time links to set a password
(activation, 找回密码: account_links), 个人登录 by a one-time code (member_sign_in, decision 0041),
my details (member_details: a new mobile confirmed by code, the correction handed to members, 0047),
the clerks' accounts of a bulk load (provisioning), 代办员变更 and 重发激活链接 (handover), and the
addresses the notifications service mails to. Each takes the gateway's unit of work first (common.db.UoW), then who asks
(the centre's identity, or for one's own sessions the authenticated `gateway.auth.Caller`), then
the input; reads go through `gateway/adapters/queries.py`.

Seams (the only imports between handler modules): `accounts` → `account_links.issue` (a new
account made without a password is sent its activation link); `provisioning` →
`account_links.NO_PASSWORD` (what a password-less account holds); `handover` →
`account_links.issue`, `account_links.NO_PASSWORD`, `account_links.awaiting_activation` (the new
clerk's activation link, a resent one); `district_unions` → `account_links.NO_PASSWORD` (the
基层工会 page tells an account awaiting activation); `member_details` →
`member_sign_in.send_code_later`, `member_sign_in.newest_code`, `member_sign_in.code_failed`,
`member_sign_in.CodeThrottled`,
`member_sign_in.CodeInvalid` (a new mobile confirmed by the sign-in code's machinery, decision 0047)."""
