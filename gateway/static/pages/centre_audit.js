/* The page centre_audit.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  let page = 1, query = {};
  // Each record in words, as the gateway says it (actor / what / result): who, did what to which
  // union, member or batch, and the outcome in Chinese — no path, no status code, no internal id.
  const loads = U.newest();  // a search, then a page turned: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const data = await U.api("GET", "/audit?" + new URLSearchParams({ page, per_page: 50, ...query }));
    if (loads.stale(mine)) return;
    document.getElementById("pageno").textContent = `${page} / ${Math.max(1, Math.ceil(data.total / 50))}`;
    document.getElementById("audit").innerHTML = U.table([
      { title: "时间", wrap: true, render: r => U.time(r.at) },
      { title: "操作人", wrap: true, html: r => `<span translate="no">${U.esc(r.actor)}</span>` },
      { key: "what", title: "操作内容", wrap: true },
      { key: "result", title: "结果", wrap: true }], data.items, "暂无操作记录");
  }
  document.getElementById("prev").onclick = () => { if (page > 1) { page--; load(); } };
  document.getElementById("next").onclick = () => { page++; load(); };
  U.onSubmit(document.getElementById("search"), v => { query = v; page = 1; return load(); });
  load().catch(e => U.flash(e.message, "error"));

  // 证件号码查询量: members' count, per union per day (GET /members/id-lookups, centre only)
  let lookupPage = 1, lookupQuery = {};
  const lookupLoads = U.newest();  // a search, then a page turned: only the newest answer draws
  async function loadLookups() {
    const mine = lookupLoads.begin();
    const data = await U.api("GET", "/members/id-lookups?" + new URLSearchParams({ page: lookupPage, per_page: 50, ...lookupQuery }));
    if (lookupLoads.stale(mine)) return;
    document.getElementById("lookup-pageno").textContent = `${lookupPage} / ${Math.max(1, Math.ceil(data.total / 50))}`;
    document.getElementById("lookups").innerHTML = U.table([
      { key: "day", title: "日期" }, { key: "union_name", title: "基层工会" }, { key: "district_name", title: "所属区局" },
      { key: "rows", title: "已查询（行）" }, { key: "allowance", title: "每日额度（行）" }, { key: "runs", title: "上传次数" },
      { key: "refusals", title: "被拒绝次数" }, { key: "refused_rows", title: "被拒绝行数" },
      { title: "最近一次", render: r => U.time(r.last_at) }], data.items, "暂无查询记录");
  }
  document.getElementById("lookup-prev").onclick = () => { if (lookupPage > 1) { lookupPage--; loadLookups(); } };
  document.getElementById("lookup-next").onclick = () => { lookupPage++; loadLookups(); };
  U.onSubmit(document.getElementById("lookup-search"), v => { lookupQuery = v; lookupPage = 1; return loadLookups(); });
  loadLookups().catch(e => U.flash(e.message, "error"));
});
