/* The page district_splits.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const yuan = f => f == null ? "" : (f / 100).toFixed(2);
  const TYPES = ["A", "A+", "B", "B+"];
  const years = await U.api("GET", "/enrollment/cover-years").catch(() => []);
  const list = Array.isArray(years) ? years : (years.items || []);
  U.yearOptions(document.getElementById("year"), list);
  const unions = await U.api("GET", "/members/unions?per_page=500");
  document.getElementById("unions").innerHTML = unions.items.map(u => `<option value="${u.id}">${U.esc(u.name)}</option>`).join("");
  const year = () => document.getElementById("year").value;
  const loads = U.newest();  // a change of year: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const y = list.find(x => String(x.cover_year) === year()) || {};
    const w = y.split_window || [];
    document.getElementById("window").innerHTML = `<p class="muted">设置时间：${w[0] || "—"} 至 ${w[1] || "—"}</p>`;
    const data = await U.api("GET", `/billing/splits/${year()}`);
    if (loads.stale(mine)) return;
    const rows = data;
    const byType = Object.fromEntries(rows.filter(r => r.union_id == null).map(r => [r.type, r]));
    // the form is the template's (its patterns are HTML attributes); here only its values and facts
    const split = document.getElementById("split");
    for (const t of TYPES) {
      const r = byType[t] || {}, box = split.querySelector(`fieldset[data-cover-type="${t}"]`);
      box.querySelector('[data-fact="premium"]').textContent = yuan(r.premium_fen) || "—";
      box.querySelector('[data-fact="subsidy"]').textContent = yuan(r.city_subsidy_fen) || "—";
      box.querySelector('[data-fact="start"]').textContent = `${y.cover_start || "—"} 00:00`;
      box.querySelector('[data-fact="end"]').textContent = `${y.cover_end || "—"} 23:59`;
      split.elements[`${t}.district_share`].value = yuan(r.district_share_fen);
      split.elements[`${t}.grassroots_share`].value = yuan(r.grassroots_share_fen);
    }
    await carried(rows);
    if (loads.stale(mine)) return;
    document.getElementById("overrides").innerHTML = U.table([{ title: "基层工会", render: r => (unions.items.find(u => u.id === r.union_id) || {}).name || r.union_id },
      { key: "type", title: "类型" }, { title: "区局缴纳", render: r => yuan(r.district_share_fen) }, { title: "基层缴纳", render: r => yuan(r.grassroots_share_fen) }],
      rows.filter(r => r.union_id != null), "暂无单独设置");
  }
  // last year's split as this year's proposal: prefilled where this year has nothing saved, said so
  const proposalLoads = U.newest();  // called by load alone: the newest call is the newest load's
  async function carried(rows) {
    const mine = proposalLoads.begin();
    const note = document.getElementById("carried"), box = document.getElementById("carried-overrides");
    note.hidden = true; box.hidden = true;
    const p = await U.api("GET", `/billing/splits/${year()}/proposal`).catch(() => null);
    if (proposalLoads.stale(mine)) return;
    if (!p || !p.proposals.length) return;
    const split = document.getElementById("split"), said = [];
    for (const r of p.proposals.filter(r => r.union_id == null && !r.saved_this_year)) {
      split.elements[`${r.type}.district_share`].value = yuan(r.district_share_fen);
      split.elements[`${r.type}.grassroots_share`].value = yuan(r.grassroots_share_fen);
      said.push(`${r.type} 类：${r.why}`);
    }
    if (said.length) {
      note.textContent = `以下 ${said.map(s => s.split("：")[0]).join("、")} 按 ${p.from_year} 年度设置预填，尚未保存；核对或修改后点“保存设置”。` +
        said.filter(s => !s.endsWith("沿用")).join("；");
      note.hidden = false;
    }
    const unionRows = p.proposals.filter(r => r.union_id != null && !r.saved_this_year);
    if (!unionRows.length) return;
    const name = id => (unions.items.find(u => u.id === id) || {}).name || String(id);
    document.getElementById("carried-list").innerHTML = U.table([{ title: "基层工会", render: r => name(r.union_id) },
      { key: "type", title: "类型" }, { title: `${p.from_year} 年度 区局/基层`, render: r => `${yuan(r.last_district_share_fen)} / ${yuan(r.last_grassroots_share_fen)}` },
      { title: "建议 区局/基层", render: r => `${yuan(r.district_share_fen)} / ${yuan(r.grassroots_share_fen)}` },
      { key: "why", title: "来由", wrap: true },
      { title: "操作", html: r => `<button class="small" type="button" data-carry="${r.union_id}|${r.type}">按建议保存</button>` }], unionRows);
    box.querySelectorAll("[data-carry]").forEach(b => b.onclick = async () => {
      const r = unionRows.find(x => `${x.union_id}|${x.type}` === b.dataset.carry);
      try {
        await U.api("PUT", `/billing/splits/${year()}/unions/${r.union_id}`,
          { types: { [r.type]: { district_share: yuan(r.district_share_fen), grassroots_share: yuan(r.grassroots_share_fen) } } });
        U.flash("已保存"); await load();
      } catch (e) { U.flash(e.message, "error"); }
    });
    box.hidden = false;
  }
  const split = document.getElementById("split");
  split.noValidate = true;
  split.addEventListener("submit", async ev => {
    ev.preventDefault();
    if (!U.validate(split)) return;
    const types = {};
    for (const t of TYPES) {
      const d = split.elements[`${t}.district_share`].value, g = split.elements[`${t}.grassroots_share`].value;
      if (d !== "" || g !== "") types[t] = { district_share: d, grassroots_share: g };
    }
    try { await U.api("PUT", `/billing/splits/${year()}`, { types }); U.flash("已保存"); await load(); }
    catch (e) { if (e instanceof U.ApiError) U.showError(e, split); else U.flash(e.message, "error"); }
  });
  U.onSubmit(document.getElementById("override"), async v => {
    await U.api("PUT", `/billing/splits/${year()}/unions/${v.union_id}`, { types: { [v.type]: { district_share: v.district_share, grassroots_share: v.grassroots_share } } });
    U.flash("已保存"); await load();
  });
  document.getElementById("year").onchange = () => load();
  if (list.length) load().catch(e => U.flash(e.message, "error"));
});
