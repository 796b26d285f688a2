/* The 个人参保申请 part of member_card.html (decision 0045): the member's own requests and their
   states (已申请 → 单位已提交 → 已参保, or 单位未受理 with the union's reason), and the ask.
   A static file: the pages' CSP allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("cover-requests");
  const ask = document.getElementById("ask-cover");
  if (!list || !ask) return;
  const show = items => {
    list.innerHTML = items.length ? items.map(r => `
      <article class="cover-request" aria-label="${U.esc(r.cover_year)}年度参保申请">
        <h3>${U.esc(r.cover_year)}年度参保申请 · <span class="request-state">${U.esc(r.state_text)}</span></h3>
        <dl class="facts">
          <dt>所在工会</dt><dd>${U.esc(r.union_name || "—")}</dd>
          <dt>申请时间</dt><dd>${U.esc(U.time(r.asked_at))}</dd>
          ${r.reason ? `<dt>未受理原因</dt><dd>${U.esc(r.reason)}</dd>` : ""}
        </dl>
      </article>`).join("") : `<p class="empty">暂无参保申请。</p>`;
    ask.hidden = items.some(r => r.state === "asked" || r.state === "submitted");
  };
  const load = async () => {
    try { show((await U.api("GET", "/enrollment/me/cover-requests")).items); }
    catch (err) { U.flash(err.message, "error"); }
  };
  ask.addEventListener("click", async () => {
    ask.disabled = true;
    try {
      const made = await U.api("POST", "/enrollment/me/cover-requests", {});
      U.flash(`已提交${made.cover_year}年度参保申请，请等待所在工会办理`, "ok");
      await load();
    } catch (err) { U.flash(err.message, "error"); }
    ask.disabled = false;
  });
  load();
});
