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
  // 现任与历任代办员 (代办员变更, docs/decisions/0040-clerk-handover.md)
  U.api("GET", `/unions/${unionId}/clerks`).then(h => {
    document.getElementById("clerk-terms").innerHTML = U.table([
      { key: "display_name", title: "代办员" }, { key: "username", title: "用户名" },
      { title: "任职起", render: t => U.time(t.since) }, { title: "任职止", render: t => (t.until ? U.time(t.until) : "至今") },
      { title: "由谁变更为该代办员", wrap: true, render: t => t.named_by || "首任" },
      { title: "离任办理", wrap: true, render: t => t.ended_by || "—" }], h.terms, "暂无代办员记录");
  }).catch(e => U.flash(e.message, "error"));
});
