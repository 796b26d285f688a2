/* The 待确认变更 part of union_members.html (decision 0047): the union's members' own corrections
   of address and mobile, old → new (mobiles masked; 查看完整号码 is an audited request), with
   确认变更 and 不予变更 (the reason asked in the page's dialog). A static file: the pages' CSP
   allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const card = document.getElementById("detail-changes-card");
  const box = document.getElementById("detail-changes");
  const note = document.getElementById("detail-changes-note");
  if (!card || !box || !note) return;
  let shown = [];
  const change = (old, now) => now == null ? `${old || "—"}（不变）` : `${old || "—"} → ${now}`;
  const load = async () => {
    const d = await U.api("GET", "/members/detail-changes?" + new URLSearchParams({ state: "pending", per_page: 200 }));
    shown = d.items;
    document.getElementById("detail-changes-count").textContent = d.total;
    note.hidden = card.hidden = d.total === 0;
    box.innerHTML = U.table([
      { key: "name", title: "姓名" }, { key: "member_no", title: "会员编号", phone: false },
      { title: "联系地址", wrap: true, render: c => change(c.old_address, c.new_address) },
      { title: "手机号码", html: c => `<span data-mobile-of="${U.esc(c.id)}">${U.esc(change(c.old_mobile, c.new_mobile))}</span>` +
        (c.new_mobile ? ` <button type="button" class="small secondary" data-reveal="${U.esc(c.id)}">查看完整号码</button>` : "") },
      { title: "提交时间", render: c => U.time(c.submitted_at) },
      { title: "操作", html: c => `<button type="button" class="small" data-accept="${U.esc(c.id)}">确认变更</button>
        <button type="button" class="small secondary" data-decline="${U.esc(c.id)}">不予变更</button>` }],
      shown, "暂无待确认变更");
  };
  const facts = c => [["会员", c.name], ["联系地址", change(c.old_address, c.new_address)], ["手机号码", change(c.old_mobile, c.new_mobile)]];
  box.addEventListener("click", async ev => {
    const b = ev.target.closest("[data-accept], [data-decline], [data-reveal]");
    if (!b) return;
    const id = b.dataset.accept || b.dataset.decline || b.dataset.reveal;
    const c = shown.find(x => String(x.id) === id);
    if (!c) return;
    U.startAction();
    try {
      if (b.dataset.reveal) {
        const answer = await U.api("POST", `/members/detail-changes/${id}/mobile-reveals`);
        box.querySelector(`[data-mobile-of="${CSS.escape(id)}"]`).textContent = change(c.old_mobile, answer.new_mobile);
        b.remove();
        return;
      }
      if (b.dataset.accept) {
        if (!(await U.confirm({ title: `确认 ${c.name} 的信息变更`, facts: facts(c), ok: "确认变更" }))) return;
        await U.api("POST", `/members/detail-changes/${id}/accept`);
        U.flash(`已更新 ${c.name} 的联系方式，会员将收到短信通知`, "ok");
        document.dispatchEvent(new Event("members:changed"));  // the member list above shows the new values
      } else {
        const reason = await U.ask({ title: `不予变更 ${c.name} 的信息`, label: "不予变更原因", ok: "不予变更", maxlength: 200, facts: facts(c) });
        if (reason == null) return;
        await U.api("POST", `/members/detail-changes/${id}/decline`, { reason });
        U.flash(`已不予变更，会员将收到短信通知`, "ok");
      }
    } catch (err) { U.flash(err.message, "error"); }
    load().catch(err => U.flash(err.message, "error"));
  });
  load().catch(err => U.flash(err.message, "error"));
});
