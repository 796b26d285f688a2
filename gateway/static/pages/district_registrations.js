/* The page district_registrations.html (组织审核): the district's 组织注册 applications from
   /api/v1/members/registrations, approved or returned with a reason, one at a time. A static
   file, as the pages' strict Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  let query = { state: "pending" };
  let shown = {};
  const loads = U.newest();  // a filter sent again: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
    const items = await U.api("GET", "/members/registrations?" + params);
    if (loads.stale(mine)) return;
    shown = Object.fromEntries(items.map(r => [r.id, r]));
    document.getElementById("registrations").innerHTML = `<p class="muted">共 ${items.length} 条</p>` + U.table([
      // six columns, each fact on its own line in its cell: the queue fits a 1280-px screen
      { title: "注册编号 · 提交时间", html: r => `${U.esc(r.number)}<br><span class="muted">${U.esc(U.time(r.submitted_at))}</span>` },
      { title: "工会（统一社会信用代码 · 地址）", wrap: true, html: r =>
        `${U.esc(r.name)}<br><span class="muted">${U.esc(r.credit_code)}<br>${U.esc(r.address)}</span>` },
      { title: "工会主席", wrap: true, html: r => `${U.esc(r.chair_name)}<br>${U.esc(r.chair_mobile)}<br>${U.esc(r.chair_email)}` },
      { title: "代办员（用户名）", wrap: true, html: r =>
        `${U.esc(r.clerk_name)}（<span translate="no">${U.esc(r.username)}</span>）<br>${U.esc(r.clerk_mobile)}<br>${U.esc(r.clerk_email)}` },
      { title: "状态", wrap: true, render: r => r.state_name + (r.reason ? `：${r.reason}` : "") },
      { title: "操作", html: r => r.state !== "pending" ? "—" :
        `<button type="button" class="small" data-approve="${r.id}" aria-label="通过：${U.esc(r.name)}">通过</button> ` +
        `<button type="button" class="small secondary" data-return="${r.id}" aria-label="退回：${U.esc(r.name)}">退回</button>` }],
      items, "没有符合条件的注册申请");
  }
  document.getElementById("registrations").addEventListener("click", async ev => {
    const approve = ev.target.closest("[data-approve]"), back = ev.target.closest("[data-return]");
    const r = approve ? shown[approve.dataset.approve] : back ? shown[back.dataset.return] : null;
    if (!r) return;
    U.startAction();
    const facts = [["工会名称", r.name], ["统一社会信用代码", r.credit_code], ["代办员", `${r.clerk_name}（${r.clerk_email}）`]];
    try {
      if (approve) {
        if (!(await U.confirm({ title: "审核通过该组织注册", facts, ok: "通过" }))) return;
        await U.api("POST", `/members/registrations/${r.id}/approve`);
        U.flash(`已通过：${r.name}。代办员账号的激活链接将发送至 ${r.clerk_email}`);
      } else {
        const reason = await U.ask({ title: "退回该组织注册", label: "退回原因", maxlength: 200, ok: "退回", facts,
          hint: "原因将发送至代办员邮箱。如：名称与营业执照不符，请核对后重新注册" });
        if (reason === null) return;
        await U.api("POST", `/members/registrations/${r.id}/return`, { reason });
        U.flash(`已退回：${r.name}。退回原因将发送至 ${r.clerk_email}`);
      }
      await load();
    } catch (e) { U.flash(e.message, "error"); }
  });
  // 登记信息变更: a union's name, code or district (docs/decisions/0040-clerk-handover.md)
  let changes = {};
  async function loadChanges() {
    const items = await U.api("GET", "/members/fact-changes");
    changes = Object.fromEntries(items.map(c => [c.id, c]));
    const what = c => [c.new_name && `名称：${c.old_name} → ${c.new_name}`, c.new_credit_code && `代码：${c.old_credit_code} → ${c.new_credit_code}`,
      c.to_district_name && `转区局：${c.from_district_name} → ${c.to_district_name}`].filter(Boolean).join("；");
    document.getElementById("fact-changes").innerHTML = U.table([
      { key: "number", title: "变更编号" },
      { key: "old_name", title: "工会", wrap: true },
      { title: "变更内容", wrap: true, render: what },
      { key: "note", title: "说明", wrap: true },
      { title: "提交时间", render: c => U.time(c.submitted_at) },
      { title: "状态", wrap: true, render: c => c.state_name + (c.reason ? `：${c.reason}` : "") },
      { title: "操作", html: c => !c.your_step ? "—" :
        `<button type="button" class="small" data-change-approve="${c.id}" aria-label="${c.state === "awaiting" ? "接收" : "通过"}：${U.esc(c.old_name)}">${c.state === "awaiting" ? "接收" : (c.to_district_id ? "放行" : "通过")}</button> ` +
        `<button type="button" class="small secondary" data-change-return="${c.id}" aria-label="退回：${U.esc(c.old_name)}">退回</button>` }],
      items, "没有登记信息变更申请");
  }
  document.getElementById("fact-changes").addEventListener("click", async ev => {
    const approve = ev.target.closest("[data-change-approve]"), back = ev.target.closest("[data-change-return]");
    const c = approve ? changes[approve.dataset.changeApprove] : back ? changes[back.dataset.changeReturn] : null;
    if (!c) return;
    U.startAction();
    const facts = [["工会", c.old_name], ["变更编号", c.number], ["新的名称", c.new_name], ["新的代码", c.new_credit_code],
      ["转入", c.to_district_name]];
    try {
      if (approve) {
        const step = c.state === "awaiting" ? "接收该工会转入本区局" : (c.to_district_id ? "放行该工会转出（待新区局接收）" : "审核通过该登记信息变更");
        if (!(await U.confirm({ title: step, facts, ok: "确定" }))) return;
        const done = await U.api("POST", `/members/fact-changes/${c.id}/approve`);
        U.flash(done.state === "awaiting" ? `已放行：${c.old_name}，待${done.to_district_name}接收` : `已通过：${c.old_name} 的登记信息已变更`);
      } else {
        const reason = await U.ask({ title: "退回该登记信息变更", label: "退回原因", maxlength: 200, ok: "退回", facts });
        if (reason === null) return;
        await U.api("POST", `/members/fact-changes/${c.id}/return`, { reason });
        U.flash(`已退回：${c.old_name}`);
      }
      await loadChanges();
    } catch (e) { U.flash(e.message, "error"); }
  });
  loadChanges().catch(e => U.flash(e.message, "error"));
  U.onSubmit(document.getElementById("filter"), v => { query = v; return load(); });
  load().catch(e => U.flash(e.message, "error"));
});
