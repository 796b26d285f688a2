"""Members' use cases, one module per feature: directory (districts and unions), roster (add,
edit, read, search members), review (approve with a member number, or send back), removals
(人口办剔除, one by one or from a list), registrations (组织注册 and 组织审核), fact_changes (登记信息变更 in 组织审核), cards (会员服务卡, one or the bank's list), transfers (转出,
会员转出审核), transfer_lists (转入/转出 from a list), member_import (批量导入会员), sync (同步会员)
and sync_results (what a run found, its workbook), union_import (工会批量导入), uploads (a job's steps), upload_history (jobs
read back), upload_jobs (the worker's message), id_lookups (the daily lookup quota), member_self
(个人登录's check and a member's own card, decision 0041), member_texts (短信 to a member,
decision 0045), detail_changes (待确认变更: a member's own correction of address and mobile,
decision 0047), detail_decisions (the union accepts or declines one). Each handler
takes a unit of work (`uow: UoW`, entered by the caller) first, then the caller's identity, or the
event. Reads go through adapters/queries.py; rules are domain/'s (who is in scope:
domain/scope.py; a card: domain/cards.py; the sync categories: domain/roster_sync.py).

A handler module imports another only through these named seams (each importing module's
docstring names the ones it uses):
- `shared` — publishing member events with their district, and a lost unique race answered as
  the check before it would have (every feature that changes members);
- `id_lookups.count_lookups` / `count_lookups_now` — the daily ID lookup quota, counted on every
  path whose answer tells whether a number is registered (roster, cards, member_import,
  transfer_lists, sync);
- `roster.get_member` — a member in the caller's scope (cards); `roster.apply_fields` — checked
  details onto a member (member_import); `roster.current_values` — a member's
  editable details, a change is checked against (detail_decisions);
- `transfers.let_go`, `move_unattached`, `publish_requested` — the steps of a move (transfer_lists,
  sync);
- `uploads.*` — an upload job's steps: start, progress, outcome, and `rows_rejected`, the one
  refusal of a file for its rows (every list upload, sync, upload_jobs, upload_history);
- `upload_history.get_upload` — a job the caller may read (sync_results);
- `sync.run_sync` — the sync's work, run by upload_jobs on the worker's message;
- `union_import.run_union_import` — 工会批量导入's work, run by upload_jobs the same way
  (union_import itself uses the `uploads.*` steps and `shared.commit_or_conflict`).
- `directory.apply_union_facts` — a union's checked facts applied and announced, the centre's
  change and an approved 登记信息变更 alike (fact_changes)."""
