/* The page centre_directory.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  let districts = [];
  const name = id => (districts.find(d => d.id === id) || {}).name || id;
  async function loadDistricts() {
    districts = await U.api("GET", "/members/districts");
    document.getElementById("districts").innerHTML = U.table([
      { key: "name", title: "名称" }, { title: "类别", render: d => d.kind === "industry" ? "产业工会" : "区局工会" },
      { title: "特殊行业", render: d => d.special_industry ? "是" : "否" }], districts);
    const options = districts.map(d => `<option value="${d.id}">${U.esc(d.name)}</option>`).join("");
    document.getElementById("district-select").innerHTML = options;
    document.getElementById("district-filter").innerHTML = '<option value="">全部</option>' + options;
  }
  const unionLoads = U.newest();  // a search, then a registration: only the newest answer draws
  async function loadUnions(query = {}) {
    const mine = unionLoads.begin();
    const qs = new URLSearchParams({ per_page: 100, ...query }).toString();
    const page = await U.api("GET", "/members/unions?" + qs);
    if (unionLoads.stale(mine)) return;
    document.getElementById("unions").innerHTML = `<p class="muted">共 ${page.total} 家</p>` + U.table([
      { key: "id", title: "编号" }, { key: "name", title: "单位名称" }, { key: "credit_code", title: "统一社会信用代码" },
      { title: "所属区局", render: u => name(u.district_id) }, { key: "contact_person", title: "联系人" },
      { key: "phone", title: "联系电话" }], page.items);
  }
  U.onSubmit(document.getElementById("district-form"), async (v, f) => {
    await U.api("POST", "/members/districts", v); f.reset(); U.flash("已登记"); await loadDistricts();
  });
  U.onSubmit(document.getElementById("union-form"), async (v, f) => {
    await U.api("POST", "/members/unions", v); f.reset(); U.flash("已登记"); await loadUnions();
  });
  U.onSubmit(document.getElementById("search"), async v => loadUnions(v));
  loadDistricts().then(() => loadUnions()).catch(e => U.flash(e.message, "error"));
});
