/* The pages union_clerk.html (代办员变更, the union's clerk) and district_clerks.html (代办员管理,
   the district): a union's clerks now and before from /api/v1/unions/{id}/clerks, 代办员变更 by
   POST …/clerks/handover, and for the district 重发激活链接. A static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const district = document.body.dataset.role === "district";
  const form = document.getElementById("handover-form");
  const outcome = document.getElementById("outcome");
  const picker = document.getElementById("union");
  let unionId = district ? null : Number(document.body.dataset.unionId);
  const unionName = () => (picker && picker.selectedOptions[0] ? picker.selectedOptions[0].textContent : "本会");
  let clerksNow = [];

  const historyLoads = U.newest();  // another union picked: only the newest answer draws
  async function history() {
    const mine = historyLoads.begin();
    const el = document.getElementById("terms");
    if (!unionId) { el.innerHTML = '<p class="empty">请先选择基层工会</p>'; clerksNow = []; return; }
    const h = await U.api("GET", `/unions/${unionId}/clerks`);
    if (historyLoads.stale(mine)) return;
    clerksNow = h.clerks;
    el.innerHTML = (h.clerks.length ? "" : '<p class="notice">该工会尚无代办员账号，可在下方指定首任代办员。</p>') + U.table([
      { key: "display_name", title: "代办员" },
      { title: "用户名", html: t => `<span translate="no">${U.esc(t.username)}</span>` },
      { title: "任职起", render: t => U.time(t.since) },
      { title: "任职止", render: t => (t.until ? U.time(t.until) : "至今") },
      { title: "由谁变更为该代办员", wrap: true, html: t => (t.named_by ? `<span translate="no">${U.esc(t.named_by)}</span>` : "首任") },
      { title: "离任办理", wrap: true, html: t => (t.ended_by ? `<span translate="no">${U.esc(t.ended_by)}</span>` : "—") },
      { title: "手机", render: t => t.mobile || "—" },
      { title: "电子邮箱", render: t => t.email || "—" }], h.terms, "暂无代办员记录");
  }

  async function accounts() {
    const el = document.getElementById("accounts");
    if (!el) return;
    // only the accounts awaiting activation, a page of them (a district has thousands of clerks)
    const res = await U.api("GET", "/clerks?awaiting=true&per_page=200", undefined, { raw: true });
    const waiting = await res.json(), total = Number(res.headers.get("X-Total-Count") || waiting.length);
    el.innerHTML = (total > waiting.length ? `<p class="muted">共 ${total} 个待激活账号，列出前 ${waiting.length} 个</p>` : "") + U.table([
      { key: "display_name", title: "代办员" },
      { title: "用户名", html: t => `<span translate="no">${U.esc(t.username)}</span>` },
      { key: "email", title: "电子邮箱" },
      { title: "操作", html: a => `<button type="button" class="small" data-resend="${a.id}" aria-label="重发激活链接：${U.esc(a.username)}">重发激活链接</button>` }],
      waiting, "没有待激活的代办员账号");
  }

  U.onSubmit(form, async v => {
    if (!unionId) { U.flash("请先选择基层工会", "error"); return; }
    const done = await U.api("POST", `/unions/${unionId}/clerks/handover`, v);
    outcome.className = "notice";
    outcome.textContent = done.message;
    U.flash(done.message);
    form.reset();
    if (district) { await history(); await accounts(); return; }
    // the union's own clerk: this account has just ended, so the page asks nothing more
    form.querySelectorAll("input, button").forEach(e => { e.disabled = true; });
    outcome.insertAdjacentHTML("beforeend", ' <a href="/login">返回登录页</a>');
  }, null, {
    confirm: v => ({
      title: "变更代办员",
      text: district ? "原代办员账号将停用，其所有登录随即结束。" : "提交后您的账号将立即停用，所有登录随即结束，不能再办理本会业务。",
      facts: [["基层工会", unionName()], ["原代办员", clerksNow.map(c => `${c.display_name}（${c.username}）`).join("、") || "无"],
        ["新代办员", `${v.display_name}（${v.username}）`], ["激活链接发送至", v.email]],
      ok: "变更",
    }),
  });

  if (picker) {
    picker.addEventListener("change", () => {
      U.startAction();
      unionId = Number(picker.value) || null;
      outcome.textContent = ""; outcome.className = "";
      history().catch(e => U.flash(e.message, "error"));
    });
    U.api("GET", "/members/unions?" + new URLSearchParams({ per_page: 200 })).then(page => {
      picker.insertAdjacentHTML("beforeend", page.items.map(u => `<option value="${u.id}">${U.esc(u.name)}</option>`).join(""));
    }).catch(e => U.flash(e.message, "error"));
    document.getElementById("accounts").addEventListener("click", async ev => {
      const button = ev.target.closest("[data-resend]");
      if (!button) return;
      U.startAction();
      try {
        const a = await U.api("POST", `/accounts/${button.dataset.resend}/activation-link`);
        U.flash(`已重发激活链接至 ${a.email}（${a.display_name}），原链接已作废`);
        await accounts();
      } catch (e) { U.flash(e.message, "error"); }
    });
  }
  Promise.all([history(), accounts()]).catch(e => U.flash(e.message, "error"));
});
