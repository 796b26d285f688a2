/* The page documents.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const loads = U.newest();  // 全部版本 ticked and unticked: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const all = document.getElementById("all").checked;
    const data = await U.api("GET", "/documents/documents?" + new URLSearchParams({ per_page: 200, all_versions: all }));
    if (loads.stale(mine)) return;
    document.getElementById("docs").innerHTML = U.table([{ key: "title", title: "文书" }, { key: "cover_year", title: "保障年度" },
      { title: "版本", render: d => `第 ${d.version} 版` }, { title: "生成时间", render: d => U.time(d.created_at) },
      // a withdrawn notice (its submission returned, decision 0034) is kept but no longer counts
      { title: "状态", render: d => d.withdrawn_at ? `已作废（${d.withdrawn_reason || "未说明原因"}，${U.time(d.withdrawn_at)}）` : "有效", wrap: true },
      { title: "下载", html: d => `<a href="/api/v1${d.download}">${U.esc(d.filename)}</a>` }], data.items, "暂无文书，提交参保后生成");
  }
  document.getElementById("all").onchange = () => load();
  load().catch(e => U.flash(e.message, "error"));
});
