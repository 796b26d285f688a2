/* The unread count beside 通知 in the menu (every page of a signed-in account). */
"use strict";
(() => {
  async function refresh() {
    const link = document.querySelector('nav.menu a[href="/notifications"]');
    if (!link) return;
    try {
      const res = await fetch("/api/v1/notifications/notifications/unread-count", { credentials: "same-origin",
                                                                                   headers: { Accept: "application/json" } });
      if (!res.ok) return;
      const { unread } = await res.json();
      let badge = link.querySelector(".badge");
      if (!badge) { badge = document.createElement("span"); badge.className = "badge"; link.append(" ", badge); }
      badge.textContent = unread > 99 ? "99+" : String(unread);
      badge.hidden = unread === 0;
      badge.setAttribute("aria-label", `${unread} 条未读`);
      const toggle = document.querySelector(".menu-toggle");  // the folded menu (a phone) says it too
      if (toggle) toggle.textContent = unread ? `菜单（${unread > 99 ? "99+" : unread} 条未读）` : "菜单";
    } catch (_) { /* the count is a convenience: never break a page */ }
  }
  document.addEventListener("DOMContentLoaded", refresh);
  window.addEventListener("notifications:changed", refresh);
})();
