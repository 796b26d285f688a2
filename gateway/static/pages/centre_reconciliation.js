/* The page centre_reconciliation.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const yuan = f => f == null ? "—" : (f / 100).toFixed(2);
  let current = null, rows = [];
  const currentRow = () => rows.find(r => String(r.batch_id) === String(current)) || {};
  let query = {};
  // the statuses are billing's: the filter offers exactly them, in their names
  const statusFilter = document.getElementById("status-filter");
  U.api("GET", "/billing/payment-statuses").then(list => {
    statusFilter.insertAdjacentHTML("beforeend", list.map(s => `<option value="${U.esc(s.status)}">${U.esc(s.text)}</option>`).join(""));
  }).catch(e => U.flash(e.message, "error"));
  U.onSubmit(document.getElementById("filter"), v => { query = v; return load(); });
  // a batch's vouchers, every one: shown here (an image, a PDF in a frame) or downloaded
  let vouchers = [];
  async function showVouchers() {
    vouchers = await U.api("GET", `/billing/batches/${current}/vouchers`);
    document.getElementById("vouchers").innerHTML = U.table([{ key: "filename", title: "文件", wrap: true },
      { title: "缴费金额（元）", render: v => yuan(v.amount_fen) }, { key: "paid_on", title: "缴费日期" },
      { title: "上传人", html: v => `<span translate="no">${U.esc(v.uploaded_by)}</span>` }, { title: "上传时间", render: v => U.time(v.uploaded_at) },
      { title: "状态", render: v => v.withdrawn ? `已撤回（${v.withdraw_reason}）` : "有效" },
      { title: "操作", html: v => `<button class="small secondary" type="button" data-show="${v.id}" aria-label="查看凭证：${U.esc(v.filename)}">查看</button>`
        + ` <a href="/api/v1/billing/batches/${current}/vouchers/${v.id}/file" download aria-label="下载凭证：${U.esc(v.filename)}">下载</a>` }],
      vouchers, "尚未上传缴费凭证");
    document.getElementById("voucher-view").hidden = true;
  }
  document.getElementById("vouchers").addEventListener("click", ev => {
    const b = ev.target.closest("[data-show]");
    if (!b) return;
    const v = vouchers.find(x => x.id === Number(b.dataset.show));
    const file = `/api/v1/billing/batches/${current}/vouchers/${v.id}/file?inline=true`;
    const img = document.getElementById("voucher-image"), pdf = document.getElementById("voucher-pdf");
    const isPdf = v.media_type === "application/pdf";
    img.hidden = isPdf; pdf.hidden = !isPdf;
    if (isPdf) { pdf.src = file; img.removeAttribute("src"); } else { img.src = file; img.alt = `凭证：${v.filename}`; pdf.removeAttribute("src"); }
    document.getElementById("voucher-view-title").textContent = `${v.filename} · ${yuan(v.amount_fen)} 元 · ${v.paid_on}`;
    document.getElementById("voucher-view").hidden = false;
  });
  // what arrived on the batch, line by line (a part of a split line, or allocated by hand)
  async function showArrivals() {
    const list = await U.api("GET", `/billing/batches/${current}/arrivals`);
    document.getElementById("arrivals").innerHTML = U.table([{ key: "paid_on", title: "到账日期" }, { key: "payer", title: "付款人", wrap: true },
      { title: "计入本批次（元）", render: a => yuan(a.amount_fen) }, { title: "流水金额（元）", render: a => yuan(a.line_amount_fen) },
      { key: "method_text", title: "方式", wrap: true }, { key: "memo", title: "摘要", wrap: true }], list, "尚无银行流水到账");
  }
  // 多缴: at 核销 the centre must choose its fate — the district's credit for next year, or refunded
  const wf = document.getElementById("writeoff");
  function overChoice() {
    const r = currentRow(), typed = Math.round(parseFloat(wf.amount.value) * 100);
    const over = Number.isFinite(typed) ? typed - r.due_fen : (r.overpaid_fen || 0);
    const show = over > 0;
    document.getElementById("over-note").hidden = !show;
    document.getElementById("over-note").textContent = show ? `到账金额超出应缴：多缴 ${yuan(over)} 元。请选择转为下一年度抵扣款，或登记为已退还。` : "";
    document.getElementById("over-choice").hidden = !show;
    wf.overpayment.disabled = !show; wf.overpayment.required = show;
    const refund = show && wf.overpayment.value === "refund";
    document.getElementById("refund-note").hidden = !refund; wf.refund_note.disabled = !refund;
  }
  wf.amount.addEventListener("input", overChoice);
  wf.overpayment.addEventListener("change", overChoice);
  // the open batch's header, from the list's row: one status, the same as the list's after every action
  function showStatus(row) {
    document.getElementById("act-status").textContent = `缴费状态：${row.status_text} · 应缴 ${yuan(row.due_fen)} 元 · 已缴 ${yuan(row.paid_fen)} 元 · 已上传凭证金额 ${yuan(row.voucher_declared_fen)} 元` + (row.overpaid_text ? ` · ${row.overpaid_text}` : "");
  }
  const loads = U.newest();  // a filter sent again: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const data = await U.api("GET", "/billing/reconciliation?" + new URLSearchParams({ per_page: 200, ...query }));
    if (loads.stale(mine)) return;
    const box = document.getElementById("list");
    box.innerHTML = U.table([{ key: "batch_no", title: "批次编号" }, { key: "district_name", title: "区局（产业）工会" },
      { title: "应缴", render: r => yuan(r.due_fen) }, { title: "已上传凭证金额", render: r => yuan(r.voucher_declared_fen) }, { title: "已缴（到账）", render: r => yuan(r.paid_fen) },
      { title: "未缴", render: r => yuan(r.short_fen) }, { title: "多缴", render: r => r.overpaid_text || "—" }, { title: "缴费状态", render: r => r.status_text },
      { title: "操作", html: r => `<button class="small" data-open="${r.batch_id}" data-no="${U.esc(r.batch_no)}" type="button">处理</button>` }],
      data.items || data, "暂无待对账批次");
    rows = data.items || data;
    box.querySelectorAll("[data-open]").forEach(b => b.onclick = () => {
      current = b.dataset.open; document.getElementById("act-title").textContent = `批次 ${b.dataset.no}`;
      // 核销 prefilled from the bank-statement line matched to this batch: nothing to retype.
      const pre = (rows.find(r => String(r.batch_id) === current) || {}).write_off_prefill;
      wf.amount.value = pre ? (pre.amount_fen / 100).toFixed(2) : "";
      wf.received_on.value = pre ? pre.received_on : "";
      wf.bank_reference.value = pre ? pre.bank_reference : "";
      document.getElementById("prefill-note").hidden = !pre;
      wf.overpayment.value = ""; wf.refund_note.value = "";
      const row = currentRow(), closed = row.status === "written_off";
      showStatus(row);
      overChoice();
      document.getElementById("actions").hidden = closed;  // a written-off batch is read-only
      document.getElementById("read-only").hidden = !closed;
      showVouchers().catch(e => U.flash(e.message, "error"));
      showArrivals().catch(e => U.flash(e.message, "error"));
      document.getElementById("act-card").hidden = false; document.getElementById("act-card").scrollIntoView();
    });
    // after 核销 or 反馈 the open batch's card follows the list
    if (current && !rows.some(r => String(r.batch_id) === String(current))) document.getElementById("act-card").hidden = true;
    else if (current) {
      showStatus(currentRow());
      if (currentRow().status === "written_off") {
        document.getElementById("actions").hidden = true; document.getElementById("read-only").hidden = false;
      }
    }
  }
  U.onSubmit(document.getElementById("feedback"), async (v, f) => { await U.api("POST", `/billing/batches/${current}/feedback`, v); f.reset(); U.flash("反馈已发送"); await load(); });
  const FATE = { credit: "转为下一年度抵扣款", refund: "已退还区局" };
  U.onSubmit(document.getElementById("writeoff"), async (v, f) => { await U.api("POST", `/billing/batches/${current}/write-off`, v); f.reset(); overChoice(); U.flash(`批次 ${currentRow().batch_no} 已核销`); await load(); },
    null, { confirm: v => {
      const r = currentRow();
      return { title: `核销批次 ${r.batch_no || ""}`, ok: "核销", danger: true, text: "核销后该批次不能再做任何修改。",
        facts: [["区局（产业）工会", r.district_name], ["应缴（元）", yuan(r.due_fen)], ["到账金额（元）", v.amount],
          ["到账日期", v.received_on], ["银行流水号", v.bank_reference], ...(v.overpayment ? [["多缴处理", FATE[v.overpayment]]] : [])] };
    } });
  const st = document.getElementById("statement");
  st.noValidate = true;
  st.addEventListener("submit", async ev => {
    ev.preventDefault();
    if (!U.validate(st)) return;
    try {
      const r = await U.api("POST", "/billing/bank-statements", new FormData(st));
      await load();  // the list (and its 核销 prefills) first: the summary says the import is done
      const lines = r.lines || [];
      const summary = `<p class="notice" role="status">共 ${r.line_count} 行，合计 ${yuan(r.total_fen)} 元；已匹配 ${r.matched_count} 行 ${yuan(r.matched_fen)} 元；未匹配 ${r.unmatched_count} 行 ${yuan(r.unmatched_fen)} 元。</p>`;
      document.getElementById("statement-result").innerHTML = summary + U.table([{ key: "row", title: "行号" }, { key: "paid_on", title: "日期" }, { key: "payer", title: "付款人" },
        { title: "金额", render: l => yuan(l.amount_fen) }, { key: "memo", title: "摘要" }, { title: "匹配批次", render: l => (l.parts || []).length > 1 ? l.parts.map(p => `${p.batch_no}：${yuan(p.amount_fen)}`).join("；") : (l.batch_no || "—") },
        { title: "匹配方式", render: l => l.match_method || "—" }, { title: "未匹配原因", render: l => l.unmatched_reason || "—" }], lines);
      U.flash("银行流水已导入");
      await loadWaiting();
    } catch (e) { if (e instanceof U.ApiError) U.showError(e, st, document.getElementById("statement-result")); else U.flash(e.message, "error"); }
  });
  // 待分配流水: a line no rule could place, put by hand on one or more open batches
  let waiting = [];
  async function loadWaiting() {
    waiting = await U.api("GET", "/billing/bank-statements/waiting-lines");
    document.getElementById("waiting").innerHTML = U.table([{ key: "paid_on", title: "日期" }, { key: "payer", title: "付款人", wrap: true },
      { title: "金额（元）", render: l => yuan(l.amount_fen) }, { key: "memo", title: "摘要", wrap: true }, { key: "reason", title: "未匹配原因", wrap: true },
      { title: "操作", html: l => `<button class="small" type="button" data-line="${l.line_id}" aria-label="分配流水：${U.esc(l.payer)} ${yuan(l.amount_fen)} 元">分配</button>` }],
      waiting, "没有待分配的流水");
  }
  document.getElementById("waiting").addEventListener("click", ev => {
    const b = ev.target.closest("[data-line]");
    if (!b) return;
    const line = waiting.find(l => l.line_id === Number(b.dataset.line));
    const open = rows.filter(r => r.status !== "written_off");
    const options = `<option value="">请选择</option>` + open.map(r => `<option value="${r.batch_id}">${U.esc(r.batch_no)}（${U.esc(r.district_name || "")}，未缴 ${yuan(r.short_fen)}）</option>`).join("");
    const part = i => `<label>批次 ${i}<select name="batch_${i}"${i === 1 ? " required" : ""}>${options}</select></label>
      <label>金额（元）${i}<input name="amount_${i}" inputmode="decimal"${i === 1 ? " required" : ""} pattern="\\s*\\d+(\\.\\d{1,2})?\\s*" data-msg="请填写金额，最多两位小数，如 139.00"></label>`;
    const box = document.getElementById("allocate-box");
    box.innerHTML = `<h3>分配流水：${U.esc(line.paid_on)} ${U.esc(line.payer)} ${yuan(line.amount_fen)} 元</h3>
      <form id="allocate" class="grid">${part(1)}${part(2)}${part(3)}<button type="submit">分配</button></form>`;
    box.querySelector("[name=amount_1]").value = yuan(line.amount_fen);
    U.onSubmit(document.getElementById("allocate"), async values => {
      const parts = [1, 2, 3].filter(i => values[`batch_${i}`]).map(i => ({ batch_id: Number(values[`batch_${i}`]), amount: values[`amount_${i}`] || "" }));
      await U.api("POST", `/billing/bank-statements/lines/${line.line_id}/allocation`, { parts });
      box.innerHTML = ""; U.flash("流水已分配"); await load(); await loadWaiting();
    });
    box.scrollIntoView();
  });
  load().catch(e => U.flash(e.message, "error"));
  loadWaiting().catch(e => U.flash(e.message, "error"));
});
