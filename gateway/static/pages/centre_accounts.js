/* The page centre_accounts.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const roleNames = { grassroots: "基层工会", district: "区局（产业）工会", centre: "市职保中心" };
  const roleSel = document.getElementById("role");
  function syncRole() {
    const r = roleSel.value;
    document.getElementById("union-field").hidden = r !== "grassroots";
    document.querySelector('[name="union_id"]').disabled = r !== "grassroots";
    document.getElementById("district-field").hidden = r !== "district";
    document.getElementById("districts").disabled = r !== "district";
  }
  roleSel.addEventListener("change", syncRole); syncRole();
  const districts = await U.api("GET", "/members/districts");
  document.getElementById("districts").innerHTML = districts.map(d => `<option value="${d.id}">${U.esc(d.name)}</option>`).join("");
  const districtName = Object.fromEntries(districts.map(d => [d.id, d.name]));
  // a page at a time (a city has ~100,000 clerks' accounts), newest first, searchable
  const PER_PAGE = 50;
  let filter = {}, page = 1;
  async function unionNames(ids) {  // the unions bound to this page's accounts, by name
    if (!ids.length) return {};
    const found = await U.api("GET", "/members/unions?" + new URLSearchParams({ ids: ids.join(","), per_page: ids.length }));
    return Object.fromEntries(found.items.map(u => [u.id, u.name]));
  }
  const loads = U.newest();  // a search, then a page turned: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const res = await U.api("GET", "/accounts?" + new URLSearchParams({ ...filter, page, per_page: PER_PAGE }), undefined, { raw: true });
    if (loads.stale(mine)) return;
    const rows = await res.json(), total = Number(res.headers.get("X-Total-Count") || rows.length);
    if (loads.stale(mine)) return;
    const unions = await unionNames([...new Set(rows.filter(a => a.union_id).map(a => a.union_id))]).catch(() => ({}));
    if (loads.stale(mine)) return;
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    document.getElementById("accounts-page").textContent = ` 第 ${page} / ${pages} 页，${filter.q || filter.role ? "符合条件" : "共"} ${total} 个账号 `;
    document.getElementById("accounts-prev").disabled = page <= 1;
    document.getElementById("accounts-next").disabled = page >= pages;
    const bound = a => a.union_id ? `基层工会：${unions[a.union_id] || `编号 ${a.union_id}`}`
      : (a.district_id ? `区局：${districtName[a.district_id] || `编号 ${a.district_id}`}` : "—");
    const box = document.getElementById("accounts");
    box.innerHTML = U.table([
      { title: "用户名", html: a => `<span translate="no">${U.esc(a.username)}</span>` }, { key: "display_name", title: "名称" },
      { title: "角色", render: a => roleNames[a.role] }, { title: "绑定", render: bound, wrap: true },
      { title: "状态", render: a => a.active ? "启用" : (a.awaiting_activation ? "待激活" : "停用") },
      // 待激活: only its owner's link (or a password set here) activates it, so no 启用 button
      { title: "操作", html: a => a.awaiting_activation ? `<button class="small" data-resend="${a.id}" aria-label="重发激活链接：${U.esc(a.display_name)}">重发激活链接</button>` : `<button class="small" data-toggle="${a.id}" data-active="${a.active}">${a.active ? "停用" : "启用"}</button>` }], rows);
    // 重发激活链接 (docs/decisions/0040-clerk-handover.md): a fresh link, the old one void
    box.querySelectorAll("[data-resend]").forEach(b => b.addEventListener("click", async () => {
      U.startAction();
      try {
        const a = await U.api("POST", `/accounts/${b.dataset.resend}/activation-link`);
        U.flash(`已重发激活链接至 ${a.email}，原链接已作废`);
      } catch (e) { U.flash(e.message, "error"); }
    }));
    box.querySelectorAll("[data-toggle]").forEach(b => b.addEventListener("click", async () => {
      const active = b.dataset.active === "true";
      const a = rows.find(r => String(r.id) === b.dataset.toggle) || {};
      if (active && !(await U.confirm({ title: `停用账号 ${a.username || ""}`, ok: "停用", danger: true,
        text: "停用后该账号将无法登录。", facts: [["名称", a.display_name], ["角色", roleNames[a.role]]] }))) return;
      try { await U.api("PATCH", `/accounts/${b.dataset.toggle}`, { active: !active }); U.flash("已更新"); await load(); }
      catch (e) { U.flash(e.message, "error"); }
    }));
  }
  U.onSubmit(document.getElementById("account-search"), v => {
    filter = Object.fromEntries(Object.entries(v).filter(([, x]) => x)); page = 1; return load();
  });
  document.getElementById("accounts-prev").onclick = () => { page--; load().catch(e => U.flash(e.message, "error")); };
  document.getElementById("accounts-next").onclick = () => { page++; load().catch(e => U.flash(e.message, "error")); };
  U.onSubmit(document.getElementById("account-form"), async (v, f) => {
    const made = await U.api("POST", "/accounts", v); f.reset(); syncRole();
    U.flash(made.active ? "账号已创建" : "账号已创建，激活链接已发送至其电子邮箱（72 小时内有效）"); await load();
  });
  load().catch(e => U.flash(e.message, "error"));
});
