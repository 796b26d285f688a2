/* The page batches.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const yuan = f => f == null ? "—" : (f / 100).toFixed(2);
  const t = U.time;
  let current = null, query = {};
  async function load() {
    const data = await U.api("GET", "/enrollment/batches?" + new URLSearchParams({ per_page: 200, ...query }));
    const items = data.items || data;
    const box = document.getElementById("batches");
    box.innerHTML = U.table([{ key: "batch_no", title: "批次编号" }, { key: "headcount", title: "参保人数" },
      { title: "提交时间", render: b => t(b.submitted_at) }, { title: "最后更新时间", render: b => t(b.updated_at) },
      { key: "status_text", title: "状态" }, { title: "凭证上传时间", render: b => t(b.voucher_uploaded_at) },
      { title: "职保中心反馈时间", render: b => t(b.feedback_at) }, { title: "职保中心核销时间", render: b => t(b.written_off_at) },
      { title: "操作", html: b => `<button class="small" data-open="${b.id}" type="button" aria-label="详情：批次 ${U.esc(b.batch_no)}">详情</button>` }], items,
      Object.keys(query).length ? "没有符合条件的批次" : "暂无批次");
    box.querySelectorAll("[data-open]").forEach(b => b.onclick = () => open(Number(b.dataset.open)));
    const stats = document.getElementById("stats");
    if (stats && items.length) stats.href = `/api/v1/documents/statistics/${items[0].district_id}/${items[0].cover_year}/file`;
  }
  async function open(id) {
    current = id;
    const b = await U.api("GET", `/billing/batches/${id}`);
    document.getElementById("detail-title").textContent = `批次 ${b.batch_no}`;
    const tile = (k, v) => `<div class="tile"><span>${k}</span><strong>${v}</strong></div>`;
    document.getElementById("detail").innerHTML = tile("参保人数", b.headcount) +
      Object.entries(b.by_type || {}).map(([k, v]) => tile(`${(v && v.type) || k} 类`, (v && v.headcount) ?? v)).join("") +
      tile("保障费用", yuan(b.premium_fen)) + tile("工会承担（保费−市总划拨）", yuan(b.union_share_fen)) +
      tile("清算分配款抵扣", yuan(b.credit_applied_fen)) + tile("应缴金额", yuan(b.due_fen)) + tile("缴费截止", b.pay_by || "—") +
      tile("已上传凭证金额", yuan(b.voucher_declared_fen)) + tile("已缴（到账）", yuan(b.money_received_fen)) + tile("缴费状态", U.payState(b.status));
    document.getElementById("notice").href = `/api/v1/documents/district-notices/${id}/file`;
    const vf = document.getElementById("voucher-file");
    vf.hidden = !b.voucher_uploaded_at; vf.href = `/api/v1/billing/batches/${id}/voucher`;
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
  async function loadPeople() {
    const d = await U.api("GET", `/enrollment/submissions/${who}?` + new URLSearchParams({ page: peoplePage, per_page: 20, ...(search ? { search } : {}) }));
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
