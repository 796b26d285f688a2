/* The page centre_removals.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const cols = act => [{ key: "name", title: "姓名" }, { key: "id_number", title: "证件号码" }, { title: "剔除", render: m => m.removed ? "是" : "否" },
    { title: "操作", html: m => `<button class="small" data-id="${m.id}" data-removed="${m.removed}" type="button">${m.removed ? "取消剔除" : "剔除"}</button>` }];
  function wire(box) {
    box.querySelectorAll("[data-id]").forEach(b => b.onclick = async () => {
      const removed = b.dataset.removed !== "true";
      const row = b.closest("tr"), cells = row ? [...row.cells].map(c => c.textContent) : [];
      if (removed && !(await U.confirm({ title: `将 ${cells[0] || "该人员"} 标记为人口办剔除`, ok: "剔除", danger: true,
        facts: [["姓名", cells[0]], ["证件号码", cells[1]]] }))) return;
      try { await U.api("POST", "/members/members/removals", { member_ids: [Number(b.dataset.id)], removed }); U.flash("已更新"); await loadRemoved(); document.getElementById("found").innerHTML = ""; }
      catch (e) { U.flash(e.message, "error"); }
    });
  }
  async function loadRemoved() {
    const data = await U.api("GET", "/members/members?removed=true&per_page=200");
    const box = document.getElementById("removed"); box.innerHTML = U.table(cols(), data.items, "暂无"); wire(box);
  }
  U.onSubmit(document.getElementById("search"), async v => {
    const data = await U.api("GET", "/members/members?" + new URLSearchParams({ id_number: v.id_number, per_page: 10 }));
    const box = document.getElementById("found"); box.innerHTML = U.table(cols(), data.items, "未查到该证件号码"); wire(box);
  });
  loadRemoved().catch(e => U.flash(e.message, "error"));
});
