/* The page cover_lookup.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const result = document.getElementById("result");
  U.onSubmit(document.getElementById("lookup-form"), async values => {
    result.innerHTML = "";
    let person;
    try { person = await U.api("POST", "/enrollment/covers/lookup", values); }
    catch (e) {  // not covered is an answer, not a fault: said in passing, nothing left on the page
      if (e instanceof U.ApiError && e.status === 404) { U.toast(e.message || "未查到该人员的参保信息"); return; }
      throw e;
    }
    // an earlier year's claims deadline stays in sight until it passes (issue 28 item 6)
    const open = (person.claims_open || []).map(c => `<p class="claims-open">${U.esc(c.message)}</p>`).join("");
    result.innerHTML = `<h2>${U.esc(person.name)}（${U.esc(person.id_number)}）</h2>` + open + U.table([
      { key: "cover_year", title: "保障年度" }, { key: "type_name", title: "保障类型" },
      { key: "cover_start", title: "起保日期" }, { key: "cover_end", title: "终保日期" },
      { key: "mode_name", title: "参保方式" }, { key: "union_name", title: "参保单位" },
      { key: "state", title: "保障状态" }, { key: "payment_state", title: "缴费状态" },
      { key: "claims_deadline", title: "给付申请材料截止" },
      // 参保凭证 (decision 0042): for a cover that holds, a new certificate each time
      { title: "参保凭证", html: c => c.state === "已失效" || !c.member_id ? "—"
        : `<button class="small secondary" type="button" data-certificate="${c.member_id}:${c.cover_year}">下载</button>` }], person.covers);
  });
  result.addEventListener("click", ev => {
    const which = ev.target.closest("[data-certificate]")?.dataset.certificate;
    if (which) { const [member, year] = which.split(":"); U.downloadCertificate(member, year); }
  });
  const bulk = document.getElementById("bulk-form");
  U.onSubmit(bulk, async (_values, form) => {
    const body = new FormData(form);
    const res = await U.api("POST", "/enrollment/covers/bulk-lookup", body, { raw: true });
    const blob = await res.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob); link.download = "职工保障查询结果.xlsx";
    document.body.appendChild(link); link.click(); link.remove();
    U.flash("已生成查询结果");
  });
});
