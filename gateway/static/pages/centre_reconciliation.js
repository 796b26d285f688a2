/* The page centre_reconciliation.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const yuan = f => f == null ? "—" : (f / 100).toFixed(2);
  let current = null, rows = [];
  const currentRow = () => rows.find(r => String(r.batch_id) === String(current)) || {};
  async function load() {
    const data = await U.api("GET", "/billing/reconciliation?per_page=200");
    const box = document.getElementById("list");
    box.innerHTML = U.table([{ key: "batch_no", title: "批次编号" }, { key: "district_name", title: "区局（产业）工会" },
      { title: "应缴", render: r => yuan(r.due_fen) }, { title: "已上传凭证金额", render: r => yuan(r.voucher_declared_fen) }, { title: "银行到账", render: r => yuan(r.bank_matched_fen) },
      { title: "差额", render: r => yuan(r.difference_fen) }, { title: "状态", render: r => U.payState(r.status) },
      { title: "操作", html: r => `<button class="small" data-open="${r.batch_id}" data-no="${U.esc(r.batch_no)}" type="button">处理</button>` }],
      data.items || data, "暂无待对账批次");
    rows = data.items || data;
    box.querySelectorAll("[data-open]").forEach(b => b.onclick = () => {
      current = b.dataset.open; document.getElementById("act-title").textContent = `批次 ${b.dataset.no}`;
      // 核销 prefilled from the bank-statement line matched to this batch: nothing to retype.
      const pre = (rows.find(r => String(r.batch_id) === current) || {}).write_off_prefill;
      const wf = document.getElementById("writeoff");
      wf.amount.value = pre ? (pre.amount_fen / 100).toFixed(2) : "";
      wf.received_on.value = pre ? pre.received_on : "";
      wf.bank_reference.value = pre ? pre.bank_reference : "";
      document.getElementById("prefill-note").hidden = !pre;
      document.getElementById("voucher-file").href = `/api/v1/billing/batches/${current}/voucher`;
      document.getElementById("act-card").hidden = false; document.getElementById("act-card").scrollIntoView();
    });
  }
  U.onSubmit(document.getElementById("feedback"), async (v, f) => { await U.api("POST", `/billing/batches/${current}/feedback`, v); f.reset(); U.flash("反馈已发送"); await load(); });
  U.onSubmit(document.getElementById("writeoff"), async (v, f) => { await U.api("POST", `/billing/batches/${current}/write-off`, v); f.reset(); U.flash(`批次 ${currentRow().batch_no} 已核销`); await load(); },
    null, { confirm: v => {
      const r = currentRow();
      return { title: `核销批次 ${r.batch_no || ""}`, ok: "核销", danger: true, text: "核销后该批次不能再做任何修改。",
        facts: [["区局（产业）工会", r.district_name], ["应缴（元）", yuan(r.due_fen)], ["到账金额（元）", v.amount],
          ["到账日期", v.received_on], ["银行流水号", v.bank_reference]] };
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
        { title: "金额", render: l => yuan(l.amount_fen) }, { key: "memo", title: "摘要" }, { title: "匹配批次", render: l => l.batch_no || "—" },
        { title: "匹配方式", render: l => l.match_method || "—" }, { title: "未匹配原因", render: l => l.unmatched_reason || "—" }], lines);
      U.flash("银行流水已导入");
    } catch (e) { if (e instanceof U.ApiError) U.showError(e, st, document.getElementById("statement-result")); else U.flash(e.message, "error"); }
  });
  load().catch(e => U.flash(e.message, "error"));
});
