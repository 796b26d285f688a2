/* The page dashboard.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const role = document.body.dataset.role;
  const yuan = f => f == null ? "—" : (f / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2 });
  const tile = (label, value, note = "") => `<div class="tile"><span>${U.esc(label)}</span><strong>${U.esc(value)}</strong>${note ? `<small class="muted">${U.esc(note)}</small>` : ""}</div>`;
  // Days left are the system clock's (the cover year answers them), never the browser's own date.
  const dueText = n => n == null ? "—" : n > 0 ? `还有 ${n} 天` : n === 0 ? "今天截止" : `已过 ${-n} 天`;
  const safe = p => p.catch(() => null);
  try {
    const yearsRaw = await safe(U.api("GET", "/enrollment/cover-years")) || [];
    const years = Array.isArray(yearsRaw) ? yearsRaw : (yearsRaw.items || []);
    // The year in season by the system's clock: newest active, else newest begun, else newest.
    const year = (years.find(y => y.active) || years.find(y => y.started) || years[0] || {}).cover_year;
    const cy = years.find(y => y.cover_year === year) || {};
    if (year) document.getElementById("year-label").textContent = `· ${year} 保障年度`;
    // Each deadline under the cover year's own name for it (one list, the cover year's).
    const dl = (cy.deadlines || []).filter(d => d.roles.includes(role));
    document.getElementById("deadlines").innerHTML = dl.map(d => tile(d.label, dueText(d.days_left), d.date)).join("") || tile("保障年度", "尚未配置");
    const unions = await U.api("GET", "/members/unions?per_page=500");
    const subs = year ? (await safe(U.api("GET", "/enrollment/submissions?" + new URLSearchParams({ cover_year: year, per_page: 500 }))) || { items: [] }) : { items: [] };
    const money = year ? await safe(U.api("GET", `/billing/dashboard/${year}`)) : null;
    const submittedUnions = new Set(subs.items.filter(s => s.status !== "returned").map(s => s.union_id));
    const headcount = subs.items.filter(s => s.status !== "returned" && s.status !== "failed").reduce((a, s) => a + s.headcount, 0);
    const ov = document.getElementById("overview");
    const show = (title, html, title2 = "", html2 = "") => {
      document.getElementById("chart-title").textContent = title; document.getElementById("chart").innerHTML = html;
      document.getElementById("chart2-title").textContent = title2; document.getElementById("chart2").innerHTML = html2;
      document.getElementById("chart-card").hidden = false;
    };
    if (role === "grassroots") {
      const owed = money && money.unions && money.unions[0];
      const chosen = subs.items.find(s => s.mode === "centralised");
      ov.innerHTML = tile("已选保障类型", chosen ? chosen.type : "未选择") + tile("已提交参保人数", headcount) +
        tile("应划入区局（元）", owed ? yuan(owed.grassroots_owes_fen) : "—") + tile("最近一次提交状态", subs.items.length ? subs.items[subs.items.length - 1].status_text : "未提交");
    } else if (role === "district") {
      const d = money && money.districts && money.districts[0] || {};
      ov.innerHTML = tile("基层工会", unions.total) + tile("已提交", submittedUnions.size) + tile("未提交", unions.total - submittedUnions.size) +
        tile("参保人数", headcount) + tile("应缴（元）", yuan(d.due_fen)) + tile("已缴（到账，元）", yuan(d.paid_fen)) +
        tile("已上传凭证金额（元）", yuan(d.voucher_declared_fen)) + tile("未缴（元）", yuan(d.outstanding_fen));
      show("基层工会提交进度", U.bars([{ label: "已提交", value: submittedUnions.size, max: unions.total, text: `${submittedUnions.size} / ${unions.total}` },
        { label: "未提交", value: unions.total - submittedUnions.size, max: unions.total }]),
        "缴费进度（元）", U.bars([{ label: "应缴", value: (d.due_fen || 0) / 100, text: yuan(d.due_fen) }, { label: "已缴", value: (d.paid_fen || 0) / 100, text: yuan(d.paid_fen) }]));
    } else {
      const districts = await U.api("GET", "/members/districts");
      const rows = (money && money.districts) || [];
      const due = rows.reduce((a, r) => a + r.due_fen, 0), paid = rows.reduce((a, r) => a + r.paid_fen, 0);
      const declared = rows.reduce((a, r) => a + (r.voucher_declared_fen || 0), 0);
      ov.innerHTML = tile("区局（产业）工会", districts.length) + tile("基层工会", unions.total) + tile("已提交的基层工会", submittedUnions.size) +
        tile("参保人数", headcount) + tile("应缴（元）", yuan(due)) + tile("已缴（到账，元）", yuan(paid)) +
        tile("已上传凭证金额（元）", yuan(declared)) + tile("逾期批次", rows.reduce((a, r) => a + r.overdue_batches, 0));
      show("各区局基层工会提交情况", U.bars(districts.map(d => {
          const total = unions.items.filter(u => u.district_id === d.id).length;
          const done = unions.items.filter(u => u.district_id === d.id && submittedUnions.has(u.id)).length;
          return { label: d.name, value: done, max: total, text: `${done} / ${total}` }; })),
        "各区局缴费（应缴 / 已缴，元）", U.bars(rows.map(r => ({ label: r.district_name || r.district_id, value: r.paid_fen / 100, max: r.due_fen / 100, text: `${yuan(r.paid_fen)} / ${yuan(r.due_fen)}` }))));
    }
  } catch (err) { U.flash(err.message, "error"); }
});
