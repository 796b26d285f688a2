/* The page union_profile.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const unionId = Number(document.body.dataset.unionId);
  const form = document.getElementById("contact");
  async function load() {
    const u = await U.api("GET", `/members/unions/${unionId}`);
    document.getElementById("profile").innerHTML = [["单位名称", u.name], ["统一社会信用代码", u.credit_code],
      ["联系人", u.contact_person], ["联系电话", u.phone]].map(([k, v]) => `<dt>${k}</dt><dd>${U.esc(v)}</dd>`).join("");
    form.contact_person.value = u.contact_person; form.phone.value = u.phone;
  }
  U.onSubmit(form, async v => { await U.api("PATCH", `/members/unions/${unionId}`, v); U.flash("已保存"); await load(); });
  load().catch(e => U.flash(e.message, "error"));
  // 申请变更登记信息 (组织审核, docs/decisions/0040-clerk-handover.md)
  const changeForm = document.getElementById("fact-change-form");
  async function changes() {
    const items = await U.api("GET", "/members/fact-changes");
    document.getElementById("fact-changes").innerHTML = U.table([
      { key: "number", title: "变更编号" },
      { title: "变更内容", wrap: true, render: c => [c.new_name && `名称：${c.new_name}`, c.new_credit_code && `代码：${c.new_credit_code}`,
        c.to_district_name && `转入：${c.to_district_name}`].filter(Boolean).join("；") },
      { title: "提交时间", render: c => U.time(c.submitted_at) },
      { title: "状态", wrap: true, render: c => c.state_name + (c.reason ? `：${c.reason}` : "") }], items, "暂无变更申请");
  }
  U.api("GET", "/registrations/districts").then(list => {
    document.getElementById("move-to").insertAdjacentHTML("beforeend",
      list.map(d => `<option value="${d.id}">${U.esc(d.name)}</option>`).join(""));
  }).catch(e => U.flash(e.message, "error"));
  U.onSubmit(changeForm, async v => {
    const c = await U.api("POST", `/members/unions/${unionId}/fact-changes`, v);
    U.flash(`变更申请已提交（${c.number}），待${c.from_district_name}审核`);
    changeForm.reset();
    await changes();
  });
  changes().catch(e => U.flash(e.message, "error"));
  // 现任与历任代办员 (代办员变更, docs/decisions/0040-clerk-handover.md)
  U.api("GET", `/unions/${unionId}/clerks`).then(h => {
    document.getElementById("clerk-terms").innerHTML = U.table([
      { key: "display_name", title: "代办员" }, { title: "用户名", html: t => `<span translate="no">${U.esc(t.username)}</span>` },
      { title: "任职起", render: t => U.time(t.since) }, { title: "任职止", render: t => (t.until ? U.time(t.until) : "至今") },
      { title: "由谁变更为该代办员", wrap: true, html: t => (t.named_by ? `<span translate="no">${U.esc(t.named_by)}</span>` : "首任") },
      { title: "离任办理", wrap: true, html: t => (t.ended_by ? `<span translate="no">${U.esc(t.ended_by)}</span>` : "—") }], h.terms, "暂无代办员记录");
  }).catch(e => U.flash(e.message, "error"));
});
