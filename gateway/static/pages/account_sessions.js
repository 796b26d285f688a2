/* The page account_sessions.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const kinds = { cookie: "浏览器", bearer: "接口令牌" };
  // the browser and system in a few words; the whole User-Agent is the title
  function client(ua) {
    if (!ua) return "未知";
    const app = /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Firefox\//.test(ua) ? "Firefox"
      : /Safari\//.test(ua) ? "Safari" : ua.split(/[\s/]/)[0].slice(0, 30);
    const os = /Windows/.test(ua) ? "Windows" : /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS"
      : /Mac OS/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
    return os ? `${app}（${os}）` : app;
  }
  const when = U.time;
  async function load() {
    const rows = await U.api("GET", "/auth/sessions");
    const box = document.getElementById("sessions");
    box.innerHTML = U.table([
      { title: "类型", html: s => U.esc(kinds[s.kind] || s.kind) + (s.current ? ' · <strong class="current-session">当前会话</strong>' : "") },
      { title: "客户端", html: s => `<span lang="en" translate="no" title="${U.esc(s.user_agent || "")}">${U.esc(client(s.user_agent))}</span>` },
      { key: "ip", title: "地址" },
      { title: "登录时间", render: s => when(s.created_at) },
      { title: "最近活动", render: s => when(s.last_seen_at) },
      { title: "操作", html: s => `<button class="small" data-end="${U.esc(s.id)}" data-current="${s.current}">结束</button>` }],
      rows, "没有有效的会话");
    box.querySelectorAll("[data-end]").forEach(b => b.addEventListener("click", async () => {
      const current = b.dataset.current === "true";
      const s = rows.find(r => String(r.id) === b.dataset.end) || {};
      if (!(await U.confirm({ title: current ? "结束当前会话" : "结束该会话", ok: "结束",
        text: current ? "结束当前会话将退出登录。" : "该设备需要重新登录。",
        facts: [["客户端", client(s.user_agent)], ["地址", s.ip], ["最近活动", s.last_seen_at && when(s.last_seen_at)]] }))) return;
      try {
        await U.api("DELETE", `/auth/sessions/${b.dataset.end}`);
        if (current) { location.href = "/login"; return; }
        U.flash("已结束该会话"); await load();
      } catch (e) { U.flash(e.message, "error"); }
    }));
  }
  document.getElementById("end-others").addEventListener("click", async () => {
    if (!(await U.confirm({ title: "结束其他所有会话", ok: "结束", text: "除当前会话以外的所有设备都需要重新登录。" }))) return;
    try { const r = await U.api("POST", "/auth/sessions/end-others"); U.flash(`已结束 ${r.ended} 个会话`); await load(); }
    catch (e) { U.flash(e.message, "error"); }
  });
  U.onSubmit(document.getElementById("password-form"), async v => {
    await U.api("POST", "/auth/password", v);
    location.href = "/login";
  }, null, { confirm: () => ({ title: "修改密码", ok: "修改", text: "修改密码后所有设备（包括本设备）都需要重新登录。" }) });
  load().catch(e => U.flash(e.message, "error"));
});
