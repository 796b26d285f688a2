/* The page centre_years.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const TYPES = ["A", "A+", "B", "B+"], CLASSES = { centralised: "集中参保（全年）", instant_first_half: "即时参保（上半年办卡）", instant_second_half: "即时参保（下半年办卡）" };
  const yuan = f => f == null ? "" : (f / 100).toFixed(2);
  const form = document.getElementById("year-form");
  let years = [];
  let carry = null;  // 开启下一年度 under review: {to, from}; its prices are copied until saved
  async function load() {
    const raw = await U.api("GET", "/enrollment/cover-years");
    years = Array.isArray(raw) ? raw : (raw.items || []);
    const w = p => p ? `${p[0]} 至 ${p[1]}` : "—";
    const box = document.getElementById("years");
    box.innerHTML = U.table([{ key: "cover_year", title: "年度" }, { title: "比例设置", render: y => w(y.split_window) },
      { title: "基层提交", render: y => w(y.grassroots_window) }, { title: "区局提交", render: y => w(y.district_submit_window) },
      { key: "card_cutoff", title: "办卡截止" }, { title: "保障期", render: y => `${y.cover_start} 至 ${y.cover_end}` }, { key: "payment_deadline", title: "缴费截止" },
      { title: "即时划款期限", render: y => `提交后 ${y.instant_payment_days} 日内` },
      { title: "", html: y => `<button class="small secondary" data-edit="${y.cover_year}" type="button">修改</button>` +
        (years.some(x => x.cover_year === y.cover_year + 1) ? "" : ` <button class="small" data-next="${y.cover_year}" type="button">开启下一年度</button>`) }], years, "尚未配置");
    box.querySelectorAll("[data-next]").forEach(b => b.onclick = () => propose(Number(b.dataset.next)).catch(e => U.flash(e.message, "error")));
    box.querySelectorAll("[data-edit]").forEach(b => b.onclick = () => {
      const y = years.find(x => String(x.cover_year) === b.dataset.edit);
      form.cover_year.value = y.cover_year;
      for (const el of form.elements) {
        if (!el.name || el.name === "cover_year") continue;
        const [k, i] = el.name.split("."); el.value = i === undefined ? (y[k] || "") : ((y[k] || [])[Number(i)] || "");
      }
      form.scrollIntoView();
    });
    const picker = document.getElementById("price-year");
    picker.innerHTML = years.map(y => `<option>${y.cover_year}</option>`).join("");
    if (carry && !years.some(y => y.cover_year === carry.to)) picker.insertAdjacentHTML("afterbegin", `<option>${carry.to}</option>`);
    if (carry) picker.value = String(carry.to);
    if (years.length) await loadPrices();
  }
  // 开启下一年度: the proposal fills the forms below; nothing is saved until the centre saves them
  async function propose(year) {
    const p = await U.api("GET", `/enrollment/cover-years/${year}/next`);
    carry = { to: p.cover_year, from: p.from_year };
    form.cover_year.value = p.cover_year;
    for (const el of form.elements) {
      if (!el.name || el.name === "cover_year") continue;
      const [k, i] = el.name.split("."); const v = p.timeline[k];
      el.value = v == null ? "" : String(i === undefined ? v : v[Number(i)]);
    }
    document.getElementById("next-title").textContent = `开启 ${p.cover_year} 年度：核对由 ${p.from_year} 年度推算的建议`;
    document.getElementById("next-dates").innerHTML = U.table([{ key: "label", title: "日期" },
      { key: "this_year", title: `${p.from_year} 年度` }, { title: `${p.cover_year} 年度建议`, render: d => `${d.proposed}（${d.weekday}）` },
      { key: "why", title: "来由", wrap: true }], p.dates);
    document.getElementById("next-checks").innerHTML = p.checks.map(c => `<li>${c.ok ? "符合" : "不符合，请核对"}：${U.esc(c.label)}</li>`).join("");
    document.getElementById("next-year").hidden = false;
    await load();
    document.getElementById("next-year").scrollIntoView();
  }
  form.noValidate = true;
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    if (!U.validate(form)) return;
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.name === "cover_year") continue;
      const [k, i] = el.name.split(".");
      if (el.type === "number") { if (el.value !== "") body[k] = Number(el.value); }  // empty: keep the year's
      else if (i === undefined) body[k] = el.value; else (body[k] = body[k] || [])[Number(i)] = el.value;
    }
    try {
      await U.api("PUT", `/enrollment/cover-years/${form.cover_year.value}`, body);
      U.flash(carry && String(carry.to) === form.cover_year.value ? `已保存 ${carry.to} 年度时间安排；请核对并保存该年度价格表` : "已保存");
      await load();
    }
    catch (e) { if (e instanceof U.ApiError) U.showError(e, form); else U.flash(e.message, "error"); }
  });
  const prices = document.getElementById("prices");
  const priceLoads = U.newest();  // a change of year: only the newest answer draws
  async function loadPrices() {
    const mine = priceLoads.begin();
    const year = document.getElementById("price-year").value;
    let table = await U.api("GET", `/billing/price-tables/${year}`).catch(() => null);
    if (priceLoads.stale(mine)) return;
    const note = document.getElementById("price-note");
    note.hidden = true;
    if (!table && carry && String(carry.to) === year) {  // the next year's prices: copied, shown as such
      table = await U.api("GET", `/billing/price-tables/${carry.from}`).catch(() => null);
      if (priceLoads.stale(mine)) return;
      if (table) {
        note.textContent = `以下价格及特殊行业市总补贴由 ${carry.from} 年度复制，尚未保存；请核对、修改后点“保存价格表”。`;
        note.hidden = false;
      }
    }
    table = table || { entries: [] };
    const get = (t, c) => (table.entries || []).find(e => e.type === t && e.price_class === c) || {};
    prices.innerHTML = `<div class="table-wrap"><table><thead><tr><th>类型</th><th>办理方式</th><th>保障费用（元）</th><th>市总统一划拨</th><th>特殊行业市总补贴</th></tr></thead><tbody>` +
      TYPES.flatMap(t => Object.entries(CLASSES).map(([c, n]) => { const e = get(t, c);
        return `<tr><td>${t}</td><td>${n}</td><td data-price="${t}|${c}|premium" data-name="${t} ${n} 保障费用" data-value="${yuan(e.premium_fen)}"></td>
          <td data-price="${t}|${c}|city_subsidy" data-name="${t} ${n} 市总统一划拨" data-value="${yuan(e.city_subsidy_fen)}"></td>
          <td data-price="${t}|${c}|special_city_subsidy" data-name="${t} ${n} 特殊行业补贴" data-value="${yuan(e.special_city_subsidy_fen)}"></td></tr>`; })).join("") +
      `</tbody></table></div><p><button type="submit">保存价格表</button> <span class="hint">区局设置比例后价格表不能再修改。</span></p>`;
    // each box from the page's <template>, which carries the amount pattern as an HTML attribute
    const model = document.getElementById("price-input").content.firstElementChild;
    for (const cell of prices.querySelectorAll("[data-price]")) {
      const input = model.cloneNode(true);
      input.name = cell.dataset.price;
      input.setAttribute("aria-label", cell.dataset.name);
      input.value = cell.dataset.value;
      cell.replaceChildren(input);
    }
  }
  prices.noValidate = true;
  prices.addEventListener("submit", async ev => {
    ev.preventDefault();
    if (!U.validate(prices)) return;
    const entries = {};
    for (const el of prices.querySelectorAll("input")) {
      const [t, c, f] = el.name.split("|"); (entries[t + "|" + c] = entries[t + "|" + c] || { type: t, price_class: c })[f] = el.value;
    }
    try {
      const year = document.getElementById("price-year").value;
      await U.api("PUT", `/billing/price-tables/${year}`, { entries: Object.values(entries) });
      U.flash("价格表已保存");
      if (carry && String(carry.to) === year) { document.getElementById("price-note").hidden = true; carry = null; }
    }
    catch (e) { U.showError(e, prices); }
  });
  document.getElementById("price-year").onchange = () => loadPrices();
  load().catch(e => U.flash(e.message, "error"));
  YearsSideBySide(document.getElementById("years-side")).catch(() => {});
});
