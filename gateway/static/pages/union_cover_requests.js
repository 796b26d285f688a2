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
    const asked = shown.filter(r => r.state === "asked");
    const submit = document.getElementById("submit-requests");
    submit.hidden = !asked.length;
    submit.textContent = `为 ${asked.length} 位申请人提交即时参保`;
  };
  // a submission of the requests alone: 即时参保 · 有卡无保 naming just the members who asked
  document.getElementById("submit-requests").addEventListener("click", async () => {
    const v = U.formValues(pick);
    const asked = shown.filter(r => r.state === "asked");
    const type = document.getElementById("type").value;
    if (!asked.length) return;
    const names = asked.map(r => r.name);
    if (!(await U.confirm({ title: `以 ${type} 类为申请人提交即时参保`, ok: "提交",
      text: "仅提交下列会员本人的参保申请（有卡无保人员即时参保），提交后待区局审核。同一保障年度只能选择一个保障类型。",
      facts: [["保障年度", `${v.cover_year} 年度`], ["保障类型", `${type} 类`], ["参保人数", `${asked.length} 人`],
        ["申请人", names.length > 10 ? names.slice(0, 10).join("、") + ` 等 ${names.length} 人` : names.join("、")]] }))) return;
    let s;
    try {
      s = await U.api("POST", "/enrollment/submissions", { cover_year: v.cover_year, mode: "instant", kind: "no_cover", type,
        member_ids: asked.map(r => r.member_id) });
    } catch (e) { U.flash(e.message, "error"); return; }
    U.flash(`已为 ${s.headcount} 位申请人提交即时参保，待区局审核；申请人将收到短信通知。`);
    pick.dispatchEvent(new Event("change"));  // the page reloads its list, and this card follows it
  });
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
