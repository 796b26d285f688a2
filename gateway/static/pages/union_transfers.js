/* The page union_transfers.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const state = { pending: "待审核", approved: "已同意", rejected: "已拒绝", cancelled: "已撤销" };
  let requests = [];
  async function load() {
    const incoming = await U.api("GET", "/members/transfer-requests?direction=out&status=pending&per_page=200");
    requests = incoming.items;
    const box = document.getElementById("incoming");
    box.innerHTML = U.table([{ key: "name", title: "姓名" }, { key: "id_number", title: "证件号码" },
      { key: "other_union", title: "申请转入单位" }, { title: "申请时间", render: r => U.time(r.requested_at) },
      { title: "操作", html: r => `<button class="small" data-ok="${r.id}" type="button">同意</button> <button class="small secondary" data-no="${r.id}" type="button">拒绝</button>` }],
      incoming.items, "没有待审核的转出申请");
    box.querySelectorAll("[data-ok]").forEach(b => b.onclick = () => decide(b.dataset.ok, true));
    box.querySelectorAll("[data-no]").forEach(b => b.onclick = () => decide(b.dataset.no, false));
    const outgoing = await U.api("GET", "/members/transfer-requests?direction=in&status=all&per_page=200");
    document.getElementById("outgoing").innerHTML = U.table([{ key: "name", title: "姓名" }, { key: "id_number", title: "证件号码" },
      { key: "other_union", title: "原所属单位" }, { title: "状态", render: r => state[r.status] || r.status }, { key: "reason", title: "审核说明" }],
      outgoing.items, "暂无");
  }
  async function decide(id, approve) {
    let reason = null;
    const r = requests.find(x => String(x.id) === String(id)) || {};
    const facts = [["会员", r.name], ["证件号码", r.id_number], ["申请转入单位", r.other_union]];
    if (!approve) {
      reason = await U.ask({ title: `拒绝 ${r.name || ""} 转出`, label: "拒绝原因", ok: "拒绝", facts, maxlength: 200 });
      if (reason === null) return;
    } else if (!(await U.confirm({ title: `同意 ${r.name || ""} 转入 ${r.other_union || "对方工会"}`, ok: "同意",
      text: "同意后该会员将转入对方工会。", facts }))) return;
    try { await U.api("POST", `/members/transfer-requests/${id}/decision`, { approve, reason }); U.flash(approve ? "已同意" : "已拒绝"); await load(); }
    catch (e) { U.flash(e.message, "error"); }
  }
  load().catch(e => U.flash(e.message, "error"));
});
