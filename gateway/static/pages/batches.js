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
    const fb = await U.api("GET", `/billing/batches/${id}/feedback`);
    document.getElementById("feedback").innerHTML = U.table([{ title: "时间", render: f => t(f.at) }, { key: "message", title: "内容" }], fb.items || fb, "暂无反馈");
    document.getElementById("detail-card").hidden = false;
    document.getElementById("detail-card").scrollIntoView();
  }
  U.onSubmit(document.getElementById("filter"), v => { query = v; return load(); });
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
