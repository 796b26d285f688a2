/* The page district_approvals.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const unionName = {};
  let query = {};
  const picked = () => [...document.querySelectorAll("#pending input[data-pick]:checked")].map(c => Number(c.value));
  const count = () => {
    const n = picked().length, all = document.querySelectorAll("#pending input[data-pick]").length;
    document.getElementById("picked").textContent = `已选 ${n} 人`;
    const box = document.getElementById("all");
    box.checked = all > 0 && n === all; box.indeterminate = n > 0 && n < all;
  };
  async function loadUnions() {
    const unions = await U.api("GET", "/members/unions?per_page=500");
    for (const u of unions.items) unionName[u.id] = u.name;
    document.getElementById("union").insertAdjacentHTML("beforeend",
      unions.items.map(u => `<option value="${u.id}">${U.esc(u.name)}</option>`).join(""));
  }
  const loads = U.newest();  // a filter sent again: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const data = await U.api("GET", "/members/members?" + new URLSearchParams({ status: "pending", per_page: 500, ...query }));
    if (loads.stale(mine)) return;
    document.getElementById("pending").innerHTML = `<p class="muted">待审核 ${data.total ?? data.items.length} 人</p>` + U.table([
      { title: "选择", html: m => `<input type="checkbox" data-pick value="${m.id}" aria-label="选择 ${U.esc(m.name)}（${U.esc(unionName[m.union_id] || "")}）">` },
      { title: "基层工会", wrap: true, render: m => unionName[m.union_id] || "—" },
      { key: "name", title: "姓名" }, { key: "gender", title: "性别" },
      { title: "有效证件类型", render: m => m.id_type === "resident" ? "身份证" : "其他" },
      { title: "证件号码", html: m => `<span data-id-of="${m.id}">${U.esc(m.id_number)}</span> <button type="button" class="small secondary" data-reveal="${m.id}" aria-label="查看完整号码：${U.esc(m.name)}">查看完整号码</button>` },
      { key: "address", title: "联系地址", wrap: true }, { key: "mobile", title: "移动电话" }],
      data.items, "没有待审核的会员");
    count();
  }
  document.getElementById("pending").addEventListener("change", count);
  document.getElementById("pending").addEventListener("click", async ev => {
    const b = ev.target.closest("[data-reveal]");
    if (!b) return;
    try {
      const m = await U.api("POST", `/members/members/${b.dataset.reveal}/id-number-reveals`);
      document.querySelector(`[data-id-of="${m.id}"]`).textContent = m.id_number;
      b.remove();
    } catch (e) { U.flash(e.message, "error"); }
  });
  document.getElementById("all").onchange = e => { document.querySelectorAll("#pending input[data-pick]").forEach(c => c.checked = e.target.checked); count(); };
  document.getElementById("approve").onclick = async () => {
    const ids = picked();
    if (!ids.length) { U.flash("请先勾选会员", "error"); return; }
    try { await U.api("POST", "/members/members/approvals", { member_ids: ids }); U.flash(`已审核通过 ${ids.length} 人`); await load(); }
    catch (e) { U.flash(e.message, "error"); }
  };
  document.getElementById("reject").onclick = async () => {
    const ids = picked();
    if (!ids.length) { U.flash("请先勾选会员", "error"); return; }
    const names = [...document.querySelectorAll("#pending input[data-pick]:checked")]
      .map(c => (c.getAttribute("aria-label") || "").replace(/^选择 /, ""));
    const reason = await U.ask({ title: `驳回选中的 ${ids.length} 名会员`, label: "驳回原因", maxlength: 200,
      hint: "基层工会将看到此原因，修改后重新提交。如：证件号码与本人不符，请核对", ok: "驳回",
      facts: [["会员（基层工会）", names.slice(0, 10).join("、") + (names.length > 10 ? ` 等 ${names.length} 人` : "")]] });
    if (reason === null) return;
    try { await U.api("POST", "/members/members/rejections", { member_ids: ids, reason }); U.flash(`已驳回 ${ids.length} 人`); await load(); }
    catch (e) { U.flash(e.message, "error"); }
  };
  U.onSubmit(document.getElementById("filter"), v => { query = v; return load(); });
  loadUnions().then(load).catch(e => U.flash(e.message, "error"));
});
