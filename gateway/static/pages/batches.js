/* The page batches.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const yuan = f => f == null ? "—" : (f / 100).toFixed(2);
  const t = U.time;
  let current = null, query = {};
  // The payment status is billing's (its names, its filter); enrollment's list gives the rest.
  const statusFilter = document.getElementById("status-filter");
  U.api("GET", "/billing/payment-statuses").then(list => {
    statusFilter.insertAdjacentHTML("beforeend", list.map(s => `<option value="${U.esc(s.status)}">${U.esc(s.text)}</option>`).join(""));
  }).catch(e => U.flash(e.message, "error"));
  const loads = U.newest();  // a filter sent again: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const { status, ...rest } = query;
    const [data, paying] = await Promise.all([
      U.api("GET", "/enrollment/batches?" + new URLSearchParams({ per_page: 200, ...rest })),
      U.api("GET", "/billing/batches?" + new URLSearchParams(status ? { status } : {}))]);
    if (loads.stale(mine)) return;
    const pay = new Map(paying.map(b => [b.batch_id, b]));
    const items = (data.items || data).filter(b => !status || pay.has(b.id))
      .map(b => ({ ...b, payment: pay.get(b.id) }));
    const box = document.getElementById("batches");
    box.innerHTML = U.table([{ key: "batch_no", title: "批次编号" }, { key: "headcount", title: "参保人数" },
      { title: "提交时间", render: b => t(b.submitted_at) }, { title: "最后更新时间", render: b => t(b.updated_at) },
      { title: "缴费状态", render: b => b.payment ? b.payment.status_text : "—" },
      { title: "凭证上传时间", render: b => t(b.payment ? b.payment.voucher_uploaded_at : null) },
      { title: "职保中心反馈时间", render: b => t(b.feedback_at) }, { title: "职保中心核销时间", render: b => t(b.written_off_at) },
      { title: "操作", html: b => `<button class="small" data-open="${b.id}" type="button" aria-label="详情：批次 ${U.esc(b.batch_no)}">详情</button>` }], items,
      Object.keys(query).length ? "没有符合条件的批次" : "暂无批次");
    box.querySelectorAll("[data-open]").forEach(b => b.onclick = () => open(Number(b.dataset.open)));
    const stats = document.getElementById("stats");
    if (stats && items.length) stats.href = `/api/v1/documents/statistics/${items[0].district_id}/${items[0].cover_year}/file`;
  }
  // A batch's vouchers: every one kept; each shown here (an image, a PDF in a frame) or downloaded;
  // a district may withdraw one, with a reason, until the batch is written off.
  let vouchers = [];
  function showVoucher(v) {
    const file = `/api/v1/billing/batches/${current}/vouchers/${v.id}/file?inline=true`;
    const img = document.getElementById("voucher-image"), pdf = document.getElementById("voucher-pdf");
    const isPdf = v.media_type === "application/pdf";
    img.hidden = isPdf; pdf.hidden = !isPdf;
    if (isPdf) { pdf.src = file; img.removeAttribute("src"); } else { img.src = file; img.alt = `凭证：${v.filename}`; pdf.removeAttribute("src"); }
    document.getElementById("voucher-view-title").textContent = `${v.filename} · ${yuan(v.amount_fen)} 元 · ${v.paid_on}`;
    document.getElementById("voucher-view").hidden = false;
  }
  function renderVouchers(b) {
    const open = !b.written_off_at && canUpload;
    document.getElementById("voucher-sum").textContent = `已上传凭证金额（未撤回凭证之和）：${yuan(b.voucher_declared_fen)} 元，共 ${vouchers.filter(v => !v.withdrawn).length} 张`;
    document.getElementById("vouchers").innerHTML = U.table([{ key: "filename", title: "文件", wrap: true },
      { title: "缴费金额（元）", render: v => yuan(v.amount_fen) }, { key: "paid_on", title: "缴费日期" },
      { title: "上传人", html: v => `<span translate="no">${U.esc(v.uploaded_by)}</span>` }, { title: "上传时间", render: v => t(v.uploaded_at) },
      { title: "状态", render: v => v.withdrawn ? `已撤回（${v.withdraw_reason}，${t(v.withdrawn_at)}）` : "有效" },
      { title: "操作", html: v => `<button class="small secondary" type="button" data-show="${v.id}" aria-label="查看凭证：${U.esc(v.filename)}">查看</button>`
        + ` <a href="/api/v1/billing/batches/${current}/vouchers/${v.id}/file" download aria-label="下载凭证：${U.esc(v.filename)}">下载</a>`
        + (open && !v.withdrawn ? ` <button class="small danger" type="button" data-withdraw="${v.id}" aria-label="撤回凭证：${U.esc(v.filename)}">撤回</button>` : "") }],
      vouchers, "尚未上传缴费凭证");
    document.getElementById("voucher-view").hidden = true;
    const upload = document.getElementById("voucher-upload");
    if (upload) upload.hidden = !open;  // a written-off batch is read-only
  }
  const canUpload = document.body.dataset.role === "district";
  document.getElementById("vouchers").addEventListener("click", async ev => {
    const show = ev.target.closest("[data-show]"), back = ev.target.closest("[data-withdraw]");
    if (show) showVoucher(vouchers.find(v => v.id === Number(show.dataset.show)));
    if (!back) return;
    const v = vouchers.find(x => x.id === Number(back.dataset.withdraw));
    const reason = await U.ask({ title: "撤回缴费凭证", label: "撤回原因", ok: "撤回", maxlength: 200,
      hint: "撤回的凭证仍保留可查，但不再计入已上传凭证金额。",
      facts: [["文件", v.filename], ["缴费金额（元）", yuan(v.amount_fen)], ["缴费日期", v.paid_on]] });
    if (reason === null) return;
    try { await U.api("POST", `/billing/batches/${current}/vouchers/${v.id}/withdrawal`, { reason }); U.flash("凭证已撤回"); await open(current); await load(); }
    catch (e) { U.flash(e.message, "error"); }
  });
  async function open(id) {
    current = id;
    const b = await U.api("GET", `/billing/batches/${id}`);
    document.getElementById("detail-title").textContent = `批次 ${b.batch_no}`;
    const tile = (k, v) => `<div class="tile"><span>${k}</span><strong>${v}</strong></div>`;
    // the split of 工会承担 the review page and the notice show (billing's figures per type, summed)
    const split = x => {
      const types = Array.isArray(x.by_type) ? x.by_type : [];
      if (!types.length || types.some(v => v.district_share_fen == null || v.grassroots_share_fen == null)) return "";
      const sum = key => types.reduce((n, v) => n + v[key], 0);
      return tile("区局（产业）工会承担", yuan(sum("district_share_fen"))) + tile("基层单位承担", yuan(sum("grassroots_share_fen")));
    };
    document.getElementById("detail").innerHTML = tile("参保人数", b.headcount) +
      Object.entries(b.by_type || {}).map(([k, v]) => tile(`${(v && v.type) || k} 类`, (v && v.headcount) ?? v)).join("") +
      tile("保障费用", yuan(b.premium_fen)) + tile("市总统一划拨", yuan(b.city_subsidy_fen)) +
      tile("工会承担（保费−市总划拨）", yuan(b.union_share_fen)) + split(b) +
      tile("清算分配款抵扣", yuan(b.credit_applied_fen)) + tile("应缴金额", yuan(b.due_fen)) + tile("缴费截止", b.pay_by || "—") +
      tile("已上传凭证金额", yuan(b.voucher_declared_fen)) + tile("已缴（到账）", yuan(b.money_received_fen)) + tile("未缴", yuan(b.short_fen)) +
      (b.overpaid_text ? tile("多缴", b.overpaid_text) : "") + tile("缴费状态", b.status_text);
    document.getElementById("notice").href = `/api/v1/documents/district-notices/${id}/file`;
    vouchers = await U.api("GET", `/billing/batches/${id}/vouchers`);
    renderVouchers(b);
    // the batch's unions (enrollment's batch detail), each opening to its people
    const detail = await U.api("GET", `/enrollment/batches/${id}`);
    document.getElementById("batch-unions").innerHTML = U.table([{ key: "union_name", title: "单位名称", wrap: true },
      { key: "credit_code", title: "组织机构代码" }, { title: "保障类型", render: s => `${s.type} 类` },
      { title: "参保方式", render: s => s.mode === "instant" ? "即时参保" : "集中参保" }, { key: "headcount", title: "参保人数" },
      { title: "操作", html: s => `<button class="small secondary" type="button" data-people="${s.id}" aria-label="查看人员：${U.esc(s.union_name || "")}">查看人员</button>` }],
      detail.submissions || [], "批次内没有基层工会");
    const fb = await U.api("GET", `/billing/batches/${id}/feedback`);
    document.getElementById("feedback").innerHTML = U.table([{ title: "时间", render: f => t(f.at) }, { key: "message", title: "内容" }], fb.items || fb, "暂无反馈");
    document.getElementById("detail-card").hidden = false;
    document.getElementById("detail-card").scrollIntoView();
  }
  U.onSubmit(document.getElementById("filter"), v => { query = v; return load(); });

  // a union's people in the batch: paged, searchable; a district may reveal a full ID number (audited)
  const sheet = document.getElementById("people"), canReveal = document.body.dataset.role === "district";
  let who = null, peoplePage = 1, search = "";
  const peopleLoads = U.newest();  // a search, then a page turned: only the newest answer draws
  async function loadPeople() {
    const mine = peopleLoads.begin();
    const d = await U.api("GET", `/enrollment/submissions/${who}?` + new URLSearchParams({ page: peoplePage, per_page: 20, ...(search ? { search } : {}) }));
    if (peopleLoads.stale(mine)) return;
    document.getElementById("people-title").textContent = `参保人员 · ${d.union_name || ""}`;
    document.getElementById("people-facts").textContent = `${d.type} 类 · 共 ${d.headcount} 人`;
    document.getElementById("people-list").innerHTML = U.table([{ key: "name", title: "姓名" },
      { title: "证件类型", render: m => m.id_type === "resident" ? "身份证" : "其他" },
      { title: "证件号码", html: m => `<span data-id-of="${m.member_id}">${U.esc(m.id_number)}</span>` + (canReveal && m.member_id
        ? ` <button type="button" class="small secondary" data-reveal="${m.member_id}" aria-label="查看完整号码：${U.esc(m.name)}">查看完整号码</button>` : "") },
      { key: "card_number", title: "银行卡号" }, { key: "cover_start", title: "起保日期" }, { key: "cover_end", title: "终保日期" },
      { key: "half_or_full", title: "半年/全年" }], d.members, search ? "没有符合条件的人员" : "没有人员");
    const pages = Math.max(1, Math.ceil(d.members_total / 20));
    document.getElementById("people-page").textContent = ` 第 ${peoplePage} / ${pages} 页，${search ? "符合条件" : "共"} ${d.members_total} 人 `;
    document.getElementById("people-prev").disabled = peoplePage <= 1;
    document.getElementById("people-next").disabled = peoplePage >= pages;
  }
  document.getElementById("batch-unions").addEventListener("click", async ev => {
    const b = ev.target.closest("[data-people]");
    if (!b) return;
    who = Number(b.dataset.people); peoplePage = 1; search = ""; document.getElementById("people-search").reset();
    try { await loadPeople(); sheet.showModal(); } catch (e) { U.flash(e.message, "error"); }
  });
  document.getElementById("people-list").addEventListener("click", async ev => {
    const b = ev.target.closest("[data-reveal]");
    if (!b) return;
    try {
      const m = await U.api("POST", `/members/members/${b.dataset.reveal}/id-number-reveals`);
      sheet.querySelector(`[data-id-of="${b.dataset.reveal}"]`).textContent = m.id_number;
      b.remove();
    } catch (e) { U.flash(e.message, "error"); }
  });
  U.onSubmit(document.getElementById("people-search"), v => { search = v.search || ""; peoplePage = 1; return loadPeople(); });
  document.getElementById("people-prev").onclick = () => { peoplePage--; loadPeople(); };
  document.getElementById("people-next").onclick = () => { peoplePage++; loadPeople(); };
  document.getElementById("people-close").onclick = () => sheet.close();
  const voucher = document.getElementById("voucher");
  if (voucher) voucher.noValidate = true;
  if (voucher) voucher.addEventListener("submit", async ev => {
    ev.preventDefault();
    if (!U.validate(voucher)) return;
    const body = new FormData(voucher);
    try { await U.api("POST", `/billing/batches/${current}/voucher`, body); U.flash("凭证已上传"); voucher.reset(); await open(current); await load(); }
    catch (e) { if (e instanceof U.ApiError) U.showError(e, voucher); else U.flash(e.message, "error"); }
  });
  load().catch(e => U.flash(e.message, "error"));
});
