/* The page district_review.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const yuan = f => f == null ? "—" : (f / 100).toFixed(2);
  const modeName = m => m === "instant" ? "即时参保" : "集中参保";
  const pick = document.getElementById("pick");
  let filter = {}, toSubmit = null, pending = [];
  const years = await U.api("GET", "/enrollment/cover-years").catch(() => []);
  const list = Array.isArray(years) ? years : (years.items || []);
  U.yearOptions(document.getElementById("year"), list);
  const base = () => U.formValues(pick);
  const credits = await U.api("GET", "/billing/credits").catch(() => []);

  const picked = which => [...document.querySelectorAll(`#${which} input[data-pick]:checked`)].map(c => Number(c.value));
  function count(which) {
    const n = picked(which).length, all = document.querySelectorAll(`#${which} input[data-pick]`).length;
    document.querySelector(`[data-count="${which}"]`).textContent = `已选 ${n} 项`;
    const box = document.querySelector(`[data-all="${which}"]`);
    box.checked = all > 0 && n === all; box.indeterminate = n > 0 && n < all;
  }
  const pickBox = s => `<input type="checkbox" data-pick value="${s.id}" aria-label="选择 ${U.esc(s.union_name || "")}（${U.esc(s.type)} 类 ${s.headcount} 人）">`;
  const peopleButton = s => `<button class="small secondary" data-people="${s.id}" type="button" aria-label="查看人员：${U.esc(s.union_name || "")}">查看人员</button>`;

  // 本年度与上年度对比, per union: shown when the year before is configured too
  // (50 unions a page: a district of thousands of unions is counted, not listed, at once)
  const YOY_PER_PAGE = 50;
  let comparedYear = null, yoyPage = 1;
  async function yearOnYear(year, page = 1) {
    const box = document.getElementById("year-on-year");
    if (year === comparedYear && page === yoyPage) return;  // once per year shown, not after every review action
    comparedYear = year; yoyPage = page;
    if (!list.some(y => y.cover_year === year - 1)) { box.hidden = true; return; }
    const d = await U.api("GET", `/enrollment/year-on-year/${year}/unions?` + new URLSearchParams({ page, per_page: YOY_PER_PAGE }));
    if (year !== comparedYear || page !== yoyPage) return;  // another year or page was asked meanwhile
    const pages = Math.max(1, Math.ceil(d.total / YOY_PER_PAGE));
    document.getElementById("yoy-pager").hidden = pages <= 1;
    document.getElementById("yoy-page").textContent = ` 第 ${page} / ${pages} 页，共 ${d.total} 个基层工会 `;
    document.getElementById("yoy-prev").disabled = page <= 1;
    document.getElementById("yoy-next").disabled = page >= pages;
    const said = rs => rs.map(r => `${r.label} ${r.count}`).join("，") || "—";
    document.getElementById("yoy-title").textContent = `${d.cover_year} 年度与 ${d.from_year} 年度对比（按基层工会）`;
    document.getElementById("yoy-unions").innerHTML = U.table([{ key: "union_name", title: "单位名称", wrap: true },
      { key: "last_year", title: `${d.from_year} 年度参保` }, { key: "this_year", title: `${d.cover_year} 年度可参保` },
      { key: "again", title: "可再参保" }, { key: "new", title: "新增" }, { key: "gone", title: "不符合" },
      { title: "增减", render: r => (r.change > 0 ? "+" : "") + r.change },
      { title: "原因", wrap: true, render: r => `新增：${said(r.reasons.new)}；不符合：${said(r.reasons.gone)}` }], d.unions, "两年均无集中参保人员");
    box.hidden = false;
  }
  document.getElementById("yoy-prev").addEventListener("click", () => yearOnYear(comparedYear, yoyPage - 1).catch(e => U.flash(e.message, "error")));
  document.getElementById("yoy-next").addEventListener("click", () => yearOnYear(comparedYear, yoyPage + 1).catch(e => U.flash(e.message, "error")));
  const loads = U.newest();  // a change of year or mode, or a filter: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const shownYear = Number(base().cover_year);
    yearOnYear(shownYear, shownYear === comparedYear ? yoyPage : 1).catch(() => { document.getElementById("year-on-year").hidden = true; });
    const p = await U.api("GET", "/enrollment/submissions?" + new URLSearchParams({ ...base(), status: "submitted", per_page: 200, ...filter }));
    if (loads.stale(mine)) return;
    pending = p.items;
    const box = document.getElementById("pending");
    box.innerHTML = U.table([{ title: "选择", html: pickBox }, { key: "union_name", title: "单位名称", wrap: true }, { key: "credit_code", title: "组织机构代码" },
      { key: "type", title: "保障类型" }, { key: "headcount", title: "参保人数" },
      { title: "保障费用（元）", render: s => s.totals ? yuan(s.totals.premium_fen) : "计价中" },
      { title: "提交时间", render: s => U.time(s.submitted_at) },
      { title: "操作", html: s => `${peopleButton(s)} <button class="small" data-stage="${s.id}" type="button">添加至待提交</button> <button class="small secondary" data-return="${s.id}" type="button">退回</button>` }],
      p.items, "没有待审批的参保");
    count("pending");
    const t = await U.api("GET", "/enrollment/to-submit?" + new URLSearchParams(base()));
    if (loads.stale(mine)) return;
    toSubmit = t;
    const tot = t.totals;
    // the guide's one line, with billing's figures
    document.getElementById("totals").textContent = tot
      ? `合计参保人数：${t.headcount}人。保障费用：${yuan(tot.premium_fen)}元；市总统一划拨：${yuan(tot.city_subsidy_fen)}元；区局/各级工会缴费：${yuan(tot.district_share_fen)}元；基层单位缴费：${yuan(tot.grassroots_share_fen)}元。`
      : `合计参保人数：${t.headcount}人。保障费用：计价中，请稍候刷新。`;
    const year = base().cover_year;
    // where the credit comes from (billing's sources): one carried from an earlier year is said so
    const left = await U.api("GET", `/billing/credits/available/${year}`).then(a => a.sources).catch(() => null);
    if (loads.stale(mine)) return;
    const sources = left ? left.map(c => c.source_year)
      : (Array.isArray(credits) ? credits : []).filter(c => c.designated_year === year).map(c => c.source_year);
    const from = sources.length ? [...new Set(sources)].sort().join("、") : String(year - 2);
    const carried = (left || []).some(c => c.carried) ? `其中：${left.map(c => c.said).join("；")}。` : "";
    document.getElementById("credit").textContent = t.credit_available_fen
      ? `${from}年会员计划退回金额${yuan(t.credit_available_fen)}元，可用于抵扣${year}年集中参保费用。${carried}`
      : `没有可用于抵扣${year}年集中参保费用的会员计划退回金额。`;
    const staged = document.getElementById("staged");
    staged.innerHTML = U.table([{ title: "选择", html: pickBox }, { key: "union_name", title: "单位名称", wrap: true }, { key: "type", title: "保障类型" },
      { key: "headcount", title: "参保人数" }, { title: "保障费用（元）", render: s => s.totals ? yuan(s.totals.premium_fen) : "计价中" },
      { title: "参保类型", render: s => modeName(s.mode) },
      { title: "操作", html: s => `${peopleButton(s)} <button class="small secondary" data-unstage="${s.id}" type="button">移除</button>` }], t.items, "待提交列表为空");
    count("staged");
  }
  async function each(ids, action, done) {
    let ok = 0;
    try { for (const id of ids) { await U.api("POST", `/enrollment/submissions/${id}/${action}`, {}); ok++; } U.flash(done(ok)); }
    catch (e) { U.flash(`${ok ? done(ok) + "；" : ""}${e.message}`, "error"); }
    await load().catch(e => U.flash(e.message, "error"));
  }
  for (const which of ["pending", "staged"]) {
    document.getElementById(which).addEventListener("change", () => count(which));
    document.querySelector(`[data-all="${which}"]`).onchange = e => {
      document.querySelectorAll(`#${which} input[data-pick]`).forEach(c => c.checked = e.target.checked); count(which);
    };
  }
  document.getElementById("stage-picked").onclick = () => {
    const ids = picked("pending");
    if (!ids.length) { U.flash("请先在待审批参保列表中勾选", "error"); return; }
    each(ids, "stage", n => `已添加 ${n} 项至待提交列表`);
  };
  document.getElementById("unstage-picked").onclick = () => {
    const ids = picked("staged");
    if (!ids.length) { U.flash("请先在待提交参保列表中勾选", "error"); return; }
    each(ids, "unstage", n => `已移回待审批列表 ${n} 项`);
  };
  document.body.addEventListener("click", async ev => {
    const b = ev.target.closest("[data-stage],[data-unstage],[data-return],[data-people]");
    if (!b) return;
    if (b.dataset.stage) return each([b.dataset.stage], "stage", () => "已添加至待提交列表");
    if (b.dataset.unstage) return each([b.dataset.unstage], "unstage", () => "已移回待审批列表");
    if (b.dataset.people) return openPeople(Number(b.dataset.people));
    const s = pending.find(x => String(x.id) === b.dataset.return) || {};
    const reason = await U.ask({ title: `退回 ${s.union_name || ""} 的参保`, label: "退回原因", ok: "退回",
      hint: "基层工会将看到此原因，修改后可重新提交。",
      facts: [["单位名称", s.union_name], ["保障类型", s.type && `${s.type} 类`], ["参保人数", s.headcount != null && `${s.headcount} 人`],
        ["保障费用（元）", s.totals ? yuan(s.totals.premium_fen) : null], ["提交时间", s.submitted_at && U.time(s.submitted_at)]] });
    if (reason === null) return;
    try { await U.api("POST", `/enrollment/submissions/${b.dataset.return}/return`, { reason }); U.flash(`已退回 ${s.union_name || ""} 的参保`); await load(); }
    catch (e) { U.flash(e.message, "error"); }
  });

  // a submission opens to its people: paged, searchable by name or ID number
  const dialog = document.getElementById("people");
  let who = null, peoplePage = 1, search = "";
  const peopleLoads = U.newest();  // a search, then a page turned: only the newest answer draws
  async function loadPeople() {
    const mine = peopleLoads.begin();
    const d = await U.api("GET", `/enrollment/submissions/${who}?` + new URLSearchParams({ page: peoplePage, per_page: 20, ...(search ? { search } : {}) }));
    if (peopleLoads.stale(mine)) return;
    document.getElementById("people-title").textContent = `参保人员 · ${d.union_name || ""}`;
    document.getElementById("people-facts").textContent =
      `${d.type} 类 · ${modeName(d.mode)} · 共 ${d.headcount} 人 · 保障费用 ${d.totals ? yuan(d.totals.premium_fen) + " 元" : "计价中"} · 提交时间 ${U.time(d.submitted_at)}`;
    document.getElementById("people-list").innerHTML = U.table([{ key: "name", title: "姓名" },
      { title: "证件类型", render: m => m.id_type === "resident" ? "身份证" : "其他" },
      { title: "证件号码", html: m => `<span data-id-of="${m.member_id}">${U.esc(m.id_number)}</span>` + (m.member_id
        ? ` <button type="button" class="small secondary" data-reveal="${m.member_id}" aria-label="查看完整号码：${U.esc(m.name)}">查看完整号码</button>` : "") },
      { key: "card_number", title: "银行卡号" }, { key: "cover_start", title: "起保日期" }, { key: "cover_end", title: "终保日期" },
      { key: "half_or_full", title: "半年/全年" }], d.members, search ? "没有符合条件的人员" : "没有人员");
    const pages = Math.max(1, Math.ceil(d.members_total / 20));
    document.getElementById("people-page").textContent = ` 第 ${peoplePage} / ${pages} 页，${search ? "符合条件" : "共"} ${d.members_total} 人 `;
    document.getElementById("people-prev").disabled = peoplePage <= 1;
    document.getElementById("people-next").disabled = peoplePage >= pages;
  }
  async function openPeople(id) {
    who = id; peoplePage = 1; search = ""; document.getElementById("people-search").reset();
    try { await loadPeople(); dialog.showModal(); } catch (e) { U.flash(e.message, "error"); }
  }
  U.onSubmit(document.getElementById("people-search"), v => { search = v.search || ""; peoplePage = 1; return loadPeople(); });
  document.getElementById("people-prev").onclick = () => { peoplePage--; loadPeople(); };
  document.getElementById("people-next").onclick = () => { peoplePage++; loadPeople(); };
  document.getElementById("people-close").onclick = () => dialog.close();
  document.getElementById("people-list").addEventListener("click", async ev => {  // a full number, audited
    const b = ev.target.closest("[data-reveal]");
    if (!b) return;
    try {
      const m = await U.api("POST", `/members/members/${b.dataset.reveal}/id-number-reveals`);
      dialog.querySelector(`[data-id-of="${b.dataset.reveal}"]`).textContent = m.id_number;
      b.remove();
    } catch (e) { U.flash(e.message, "error"); }
  });

  pick.addEventListener("change", () => load().catch(e => U.flash(e.message, "error")));
  U.onSubmit(document.getElementById("filter"), v => { filter = v; return load(); });
  U.onSubmit(document.getElementById("submit"), async (v, f) => {
    const batch = await U.api("POST", "/enrollment/batches", { ...base(), handler: v });
    f.reset(); U.flash(`已提交，批次编号 ${batch.batch_no}。区局告知书正在生成，生成后自动下载。`); await load();
    if (batch.mode !== "centralised") return;
    const doc = await U.downloadWhenReady(`batch:${batch.id}`, "district_notice");
    U.flash(`已提交，批次编号 ${batch.batch_no}。${doc ? "区局告知书已下载，" : "告知书尚在生成，"}也可在“告知书下载”中下载。`);
  }, null, { confirm: v => {
    const t = toSubmit || { items: [], headcount: 0 }, tot = t.totals;
    if (!t.items.length) {  // nothing to ask about: say what to do first instead of a dialog of nothing
      U.flash("待提交列表是空的：请先在上方的参保中点“添加至待提交”，再提交至市职保中心。", "error");
      return false;
    }
    return { title: `提交 ${base().cover_year} 年度参保至市职保中心`, ok: "提交", danger: true,
      text: "提交后不可撤销，批次内容不能再修改。",
      facts: [["单位", `${t.items.length} 个基层工会：${t.items.map(s => s.union_name).slice(0, 5).join("、")}${t.items.length > 5 ? " 等" : ""}`],
        ["参保人数", `${t.headcount} 人`], ["保障费用（元）", tot ? yuan(tot.premium_fen) : "计价中"],
        ["区局/各级工会缴费（元）", tot ? yuan(tot.district_share_fen) : null], ["经办人", v.name]] };
  } });
  if (list.length) load().catch(e => U.flash(e.message, "error"));
  YearsSideBySide(document.getElementById("years-side")).catch(() => {});
});
