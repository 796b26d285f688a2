/* The page notifications.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const loads = U.newest();  // 只看未读 ticked and unticked: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const unread = document.getElementById("unread-only").checked;
    const data = await U.api("GET", "/notifications/notifications?" + new URLSearchParams({ per_page: 100, unread }));
    if (loads.stale(mine)) return;
    const box = document.getElementById("notifications");
    box.innerHTML = data.items.length ? data.items.map(n => `
      <article class="notification${n.read ? "" : " unread"}" data-id="${n.id}">
        <h2 class="notification-title">${n.read ? "" : '<span class="badge">未读</span> '}${U.esc(n.title)}</h2>
        <p>${U.esc(n.body)}</p>
        <p class="hint">${U.time(n.created_at)} · <a href="${U.esc(n.link)}" data-open="${n.id}">查看</a>
          ${n.read ? "" : `· <button type="button" class="small secondary" data-read="${n.id}">标为已读</button>`}</p>
      </article>`).join("") : `<p class="empty">${unread ? "没有未读通知" : "暂无通知"}</p>`;
    box.querySelectorAll("[data-read]").forEach(b => b.onclick = () => mark([Number(b.dataset.read)]));
    box.querySelectorAll("[data-open]").forEach(a => a.onclick = async ev => {
      ev.preventDefault();
      await U.api("POST", "/notifications/notifications/read", { ids: [Number(a.dataset.open)] }).catch(() => {});
      location.href = a.getAttribute("href");
    });
    window.dispatchEvent(new Event("notifications:changed"));
  }
  async function mark(ids) {
    try { await U.api("POST", "/notifications/notifications/read", ids ? { ids } : {}); U.flash("已标为已读"); await load(); }
    catch (e) { U.flash(e.message, "error"); }
  }
  document.getElementById("unread-only").onchange = () => load();
  document.getElementById("read-all").onclick = () => mark(null);
  load().catch(e => U.flash(e.message, "error"));
});
