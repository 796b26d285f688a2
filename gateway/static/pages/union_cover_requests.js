/* The 个人参保申请 part of union_enrolment.html (decision 0045): the union's own members' requests
   for the year chosen in #pick, shown with 即时参保; 不受理 asks for the reason in the page's dialog.
   A static file: the pages' CSP allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const pick = document.getElementById("pick");
  const card = document.getElementById("cover-requests-card");
  const box = document.getElementById("cover-requests");
  if (!pick || !card || !box) return;
  let shown = [];
  const load = async () => {
    const v = U.formValues(pick);
    if (v.mode !== "instant" || !v.cover_year) { card.hidden = true; return; }
    const d = await U.api("GET", "/enrollment/cover-requests?" + new URLSearchParams({ cover_year: v.cover_year }));
    shown = d.items;
    card.hidden = false;
    box.innerHTML = U.table([{ key: "name", title: "姓名" }, { title: "申请时间", render: r => U.time(r.asked_at) },
      { key: "state_text", title: "状态" }, { title: "未受理原因", wrap: true, render: r => r.reason || "" },
      { title: "操作", html: r => r.state === "asked" ? `<button type="button" class="small secondary" data-decline="${U.esc(r.id)}">不受理</button>` : "" }],
      shown, "暂无会员本人的参保申请");
  };
  box.addEventListener("click", async ev => {
    const b = ev.target.closest("[data-decline]");
    if (!b) return;
    const r = shown.find(x => String(x.id) === b.dataset.decline);
    const reason = await U.ask({ title: `不受理 ${r ? r.name : ""} 的参保申请`, label: "不受理原因", ok: "不受理", maxlength: 200,
      facts: [["会员", r ? r.name : ""], ["保障年度", r ? `${r.cover_year} 年度` : ""]] });
    if (reason == null) return;
    try {
      await U.api("POST", `/enrollment/cover-requests/${b.dataset.decline}/declines`, { reason });
      U.flash("已不受理该申请，会员将收到短信通知");
    } catch (e) { U.flash(e.message, "error"); }
    load().catch(e => U.flash(e.message, "error"));
  });
  // the list above is redrawn whenever the page loads the year's people (a change of year or mode,
  // a submission): the requests follow it, a submission having moved some to 单位已提交
  let timer = null;
  new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(() => load().catch(e => U.flash(e.message, "error")), 100); })
    .observe(document.getElementById("list"), { childList: true });
});
