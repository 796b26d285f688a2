/* The page centre_audit.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  let page = 1, query = {};
  const outcome = { ok: "成功", refused: "被拒绝", error: "出错" };
  async function load() {
    const data = await U.api("GET", "/audit?" + new URLSearchParams({ page, per_page: 50, ...query }));
    document.getElementById("pageno").textContent = `${page} / ${Math.max(1, Math.ceil(data.total / 50))}`;
    document.getElementById("audit").innerHTML = U.table([
      { title: "时间", render: r => U.time(r.at) },
      { title: "用户", html: r => `<span translate="no">${U.esc(r.username || "—")}</span>` }, { title: "角色", render: r => ({ grassroots: "基层工会", district: "区局（产业）工会", centre: "市职保中心" }[r.role] || r.role || "—") }, { title: "请求", html: r => `<code translate="no">${U.esc(r.action)}</code>` }, { key: "detail", title: "说明" },
      { key: "status", title: "状态码" }, { title: "结果", render: r => outcome[r.outcome] || r.outcome }], data.items);
  }
  document.getElementById("prev").onclick = () => { if (page > 1) { page--; load(); } };
  document.getElementById("next").onclick = () => { page++; load(); };
  U.onSubmit(document.getElementById("search"), v => { query = v; page = 1; return load(); });
  load().catch(e => U.flash(e.message, "error"));

  // 证件号码查询量: members' count, per union per day (GET /members/id-lookups, centre only)
  let lookupPage = 1, lookupQuery = {};
  async function loadLookups() {
    const data = await U.api("GET", "/members/id-lookups?" + new URLSearchParams({ page: lookupPage, per_page: 50, ...lookupQuery }));
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
