/* The page district_unions.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  async function load(query = {}) {
    const page = await U.api("GET", "/members/unions?" + new URLSearchParams({ per_page: 200, ...query }));
    document.getElementById("unions").innerHTML = `<p class="muted">共 ${page.total} 家</p>` + U.table([
      { key: "name", title: "单位名称" }, { key: "credit_code", title: "统一社会信用代码" },
      { key: "contact_person", title: "联系人" }, { key: "phone", title: "联系电话" }], page.items);
  }
  U.onSubmit(document.getElementById("search"), v => load(v));
  load().catch(e => U.flash(e.message, "error"));
});
