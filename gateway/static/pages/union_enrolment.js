/* The page union_enrolment.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const yuan = f => f == null ? "—" : (f / 100).toFixed(2);
  const form = document.getElementById("pick");
  let page = 1;
  const last = { c: null, q: null };  // what the page shows now: named in the submission's confirmation
  let union = null;
  const unionName = async () => {
    if (union === null) union = await U.api("GET", `/members/unions/${document.body.dataset.unionId}`).then(u => u.name).catch(() => "");
    return union;
  };
  const years = await U.api("GET", "/enrollment/cover-years").catch(e => { U.flash(e.message, "error"); return []; });
  const list = Array.isArray(years) ? years : (years.items || []);
  U.yearOptions(document.getElementById("year"), list);
  const params = () => {
    const v = U.formValues(form);
    if (v.mode !== "instant") delete v.kind;
    return v;
  };
  // 本年度与上年度对比: shown when the year before is configured too
  async function yearOnYear(year) {
    const box = document.getElementById("year-on-year");
    if (!list.some(y => y.cover_year === year - 1)) { box.hidden = true; return; }
    const d = await U.api("GET", `/enrollment/year-on-year/${year}`);
    if (Number(params().cover_year) !== year) return;  // another year was chosen meanwhile: its own call draws
    const tile = (k, val) => `<div class="tile"><span>${k}</span><strong>${val}</strong></div>`;
    document.getElementById("yoy-title").textContent = `${d.cover_year} 年度与 ${d.from_year} 年度对比`;
    document.getElementById("yoy-tiles").innerHTML = tile(`${d.from_year} 年度在本会参保`, d.last_year) + tile(`${d.cover_year} 年度可参保`, d.this_year) +
      tile("可再参保", d.again) + tile("本年度新增", d.new) + tile("本年度不符合条件", d.gone) + tile("增减", (d.change > 0 ? "+" : "") + d.change);
    const said = rs => rs.map(r => `${r.label} ${r.count} 人`).join("，") || "无";
    document.getElementById("yoy-reasons").innerHTML = `<p>新增原因：${U.esc(said(d.reasons.new))}</p><p>不符合原因：${U.esc(said(d.reasons.gone))}</p>`;
    const CAT = { new: "本年度新增", gone: "上年度参保、本年度不符合条件" };
    document.getElementById("yoy-people").innerHTML = U.table([{ key: "name", title: "姓名" }, { key: "id_masked", title: "证件号码" },
      { title: "对比结果", render: p => CAT[p.category] }, { key: "reason", title: "原因" }], d.people, "两年名单相同");
    document.getElementById("yoy-workbook").href = `/api/v1/enrollment/year-on-year/${year}/workbook`;
    box.hidden = false;
  }
  // Choosing year, mode and kind one after another starts a load each; only the newest may draw
  // (an older answer arriving last would show another list under the chosen options).
  const loads = U.newest();
  async function load() {
    const mine = loads.begin();
    const v = params();
    yearOnYear(Number(v.cover_year)).catch(() => { document.getElementById("year-on-year").hidden = true; });
    document.getElementById("kind-field").hidden = v.mode !== "instant";
    const c = await U.api("GET", "/enrollment/confirmation?" + new URLSearchParams({ ...v, page, per_page: 50 }));
    if (loads.stale(mine)) return;
    last.c = c; last.q = null;
    // enrollment's copy of the member list is still taking changes from members: say so, rather
    // than silently listing fewer people (issue 16)
    document.getElementById("syncing").hidden = c.members_behind !== true;
    const typeSel = document.getElementById("type");
    if (c.chosen_type) { typeSel.value = c.chosen_type; typeSel.disabled = true; document.getElementById("type-hint").textContent = `本年度已选择 ${c.chosen_type} 类，不能更改。`; }
    else typeSel.disabled = false;
    const w = c.window || {};
    document.getElementById("window").innerHTML = `<p class="${w.open ? "notice" : "error"}">办理时间：${w.start || "—"} 至 ${w.end || "—"}${w.open ? "（正在办理期内）" : "（当前不在办理期内）"}；保障期：${c.cover_start || "—"} 至 ${c.cover_end || "—"}${c.pay_by ? `；基层划款至区局截止：${c.pay_by}` : ""}${c.instant_payment_days ? `；提交后 ${c.instant_payment_days} 日内划款至区局` : ""}</p>`;
    const tile = (k, val) => `<div class="tile"><span>${k}</span><strong>${val}</strong></div>`;
    // Amounts are billing's: its quote prices these counts exactly as the submission will be priced.
    const shownType = c.chosen_type || typeSel.value;
    let money = tile("保障费用", "—");
    if (c.headcount) {
      try {
        const q = await U.api("POST", `/billing/quotes/${c.cover_year}`, { type: shownType, counts: c.counts });
        last.q = q;
        money = tile(`保障费用（${shownType} 类，元）`, yuan(q.premium_fen)) + tile("市总统一划拨", yuan(q.city_subsidy_fen)) +
          tile("区局/各级工会缴费", yuan(q.district_share_fen)) + tile("基层单位缴费（你会承担）", yuan(q.grassroots_share_fen));
      } catch (e) { money = tile("保障费用", e.status === 404 ? "价格尚未公布" : "暂不能计算"); }
    }
    if (loads.stale(mine)) return;
    document.getElementById("totals").innerHTML = tile("保障年度", c.cover_year) + tile("参保人数", c.headcount) + money;
    const totalsBox = document.getElementById("totals");
    // what this union has already submitted this year (and mode): the tiles never seem to vanish
    const done = await U.api("GET", "/enrollment/submissions?" + new URLSearchParams({ cover_year: v.cover_year, mode: v.mode, per_page: 100 }));
    if (loads.stale(mine)) return;
    const sum = st => done.items.filter(x => st.includes(x.status)).reduce((n, x) => n + x.headcount, 0);
    const waiting = sum(["submitted"]), reviewed = sum(["staged"]), sent = sum(["in_batch", "paid"]);
    const said = [waiting && `已提交 ${waiting} 人，待区局审核`, reviewed && `${reviewed} 人已通过区局审核，待区局提交市职保中心`,
      sent && `${sent} 人已由区局提交市职保中心`].filter(Boolean);
    const note = document.getElementById("waiting");
    note.hidden = !said.length; note.textContent = said.join("；") + (said.length ? "。" : "");
    if (said.length) {  // after a submission: what was submitted first, then what may still be submitted
      totalsBox.innerHTML = tile("保障年度", c.cover_year) + tile("已提交人数", waiting + reviewed + sent) +
        tile("尚可提交人数", c.headcount) + (c.headcount ? money : "");
    }
    document.getElementById("list").innerHTML = U.table([{ key: "name", title: "姓名" }, { title: "证件类型", render: m => m.id_type === "resident" ? "身份证" : "其他" },
      { key: "id_number", title: "证件号码" }, { key: "card_number", title: "银行卡号" }, { key: "cover_start", title: "起保日期" },
      { key: "cover_end", title: "终保日期" }, { key: "half_or_full", title: "半年/全年" },
      // 个人参保申请: who asked themselves (the column only when someone on the page did)
      ...(c.items.some(m => m.asked_at) ? [{ title: "本人申请", render: m => m.asked_at ? `已申请 ${U.time(m.asked_at)}` : "" }] : [])], c.items,
      said.length ? "本会符合条件的会员均已提交；新办卡或新审核通过的会员会出现在这里" : "目前没有可参保的会员");
    document.getElementById("pageno").textContent = ` 第 ${page} 页 `;
    document.getElementById("submit").disabled = !w.open || !c.headcount;
    await loadSubmissions(v.cover_year);
  }
  let history = {};
  const submissionLoads = U.newest();  // the history filter and a change of year: only the newest answer draws
  async function loadSubmissions(year) {
    const mine = submissionLoads.begin();
    const s = await U.api("GET", "/enrollment/submissions?" + new URLSearchParams({ cover_year: year, per_page: 100, ...history }));
    if (submissionLoads.stale(mine)) return;
    document.getElementById("submissions").innerHTML = U.table([{ key: "sequence", title: "第几次" },
      { title: "批次编号", render: x => x.batch_no || "—" },
      { title: "参保类型", render: x => x.mode === "instant" ? "即时参保" : "集中参保" }, { key: "type", title: "保障类型" }, { key: "headcount", title: "参保人数" },
      { title: "保障费用（元）", render: x => x.totals ? yuan(x.totals.premium_fen) : "计价中" },
      { title: "你会承担（元）", render: x => x.totals ? yuan(x.totals.grassroots_share_fen) : "计价中" },
      { title: "划款截止", render: x => x.pay_by || "—" },
      { title: "提交时间", render: x => U.time(x.submitted_at) }, { key: "status_text", title: "状态" },
      { title: "退回原因", wrap: true, render: x => x.return_reason || "" }], s.items, Object.keys(history).length ? "没有符合条件的提交记录" : "尚未提交");
  }
  U.onSubmit(document.getElementById("history-filter"), v => { history = v; return loadSubmissions(params().cover_year); });
  form.addEventListener("change", () => { page = 1; load().catch(e => U.flash(e.message, "error")); });
  document.getElementById("prev").onclick = () => { if (page > 1) { page--; load(); } };
  document.getElementById("next").onclick = () => { page++; load(); };
  document.getElementById("submit").onclick = async () => {
    const v = params(); v.type = document.getElementById("type").value;
    const facts = [["工会", await unionName()], ["保障年度", `${v.cover_year} 年度`], ["保障类型", `${v.type} 类`],
      ["参保方式", v.mode === "instant" ? "即时参保" : "集中参保"], ["参保人数", last.c ? `${last.c.headcount} 人` : null],
      ["保障费用（元）", last.q ? yuan(last.q.premium_fen) : null], ["基层单位缴费（元）", last.q ? yuan(last.q.grassroots_share_fen) : null]];
    if (!(await U.confirm({ title: `以 ${v.type} 类提交至区局审核`, ok: "提交", facts,
      text: "同一保障年度只能选择一个保障类型。" }))) return;
    let s;
    try { s = await U.api("POST", "/enrollment/submissions", v); } catch (e) { U.flash(e.message, "error"); return; }
    const notice = v.mode !== "instant";  // the guide's notice is the centralised one
    U.flash(`已提交 ${s.headcount} 人，待区局审核。${notice ? "参保告知书正在生成，生成后自动下载。" : ""}`);
    await load().catch(e => U.flash(e.message, "error"));
    if (!notice) return;
    const doc = await U.downloadWhenReady(`submission:${s.id}`, "grassroots_notice");
    await loadSubmissions(v.cover_year).catch(() => {});  // priced by now: billing's amounts in the list
    U.flash(doc ? `已提交 ${s.headcount} 人，待区局审核。参保告知书已下载，也可在“告知书下载”中再次下载。`
      : `已提交 ${s.headcount} 人，待区局审核。告知书尚在生成，请稍后在“告知书下载”中获取。`);
  };
  if (list.length) load().catch(e => U.flash(e.message, "error")); else U.flash("尚未配置保障年度", "error");
});
