/* The page member_card.html (我的会员卡与保障, a member signed in by code): the card from members,
   each cover year from enrollment; the full ID number only on request (a POST, audited).
   A static file: the pages' CSP allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const facts = document.getElementById("card-facts");
  const reveal = document.getElementById("reveal-id");
  const fact = (term, value, id) => `<dt>${U.esc(term)}</dt><dd${id ? ` id="${id}"` : ""}>${U.esc(value || "—")}</dd>`;
  try {
    const me = await U.api("GET", "/members/me");
    facts.innerHTML = fact("姓名", me.name) + fact("所属工会", me.union_name) + fact("会员编号", me.member_no) +
      fact("会员服务卡", me.card_number || "尚未办卡") + fact("办卡日期", me.card_issued_on) +
      fact("证件号码", me.id_number, "my-id-number") + fact("手机号码", me.mobile);
    reveal.hidden = false;
  } catch (err) { U.flash(err.message, "error"); }
  reveal.addEventListener("click", async () => {
    try {
      const answer = await U.api("POST", "/members/me/id-number-reveals");
      document.getElementById("my-id-number").textContent = answer.id_number;
      reveal.hidden = true;
    } catch (err) { U.flash(err.message, "error"); }
  });
  try {
    const mine = await U.api("GET", "/enrollment/me/covers");
    document.getElementById("claims-open").innerHTML =
      (mine.claims_open || []).map(c => `<p class="claims-open">${U.esc(c.message)}</p>`).join("");
    document.getElementById("covers").innerHTML = mine.covers.length ? mine.covers.map(c => `
      <article class="cover-year" aria-label="${U.esc(c.cover_year)}年度保障">
        <h3>${U.esc(c.cover_year)}年度 · ${U.esc(c.type_name)} · ${U.esc(c.state || c.payment_state)}</h3>
        <p>${U.esc(c.benefits)}</p>
        <dl class="facts">
          <dt>保障期间</dt><dd>${U.esc(c.cover_start)} 至 ${U.esc(c.cover_end)}</dd>
          <dt>参保方式</dt><dd>${U.esc(c.mode_name)}</dd>
          <dt>参保单位</dt><dd>${U.esc(c.union_name || "—")}</dd>
          <dt>保障状态</dt><dd>${U.esc(c.state || "—")}</dd>
          <dt>缴费状态</dt><dd>${U.esc(c.payment_state)}</dd>
          <dt>给付申请材料截止</dt><dd>${U.esc(c.claims_deadline || "—")}</dd>
        </dl>
        <button type="button" class="small" data-certificate="${U.esc(c.cover_year)}">下载${U.esc(c.cover_year)}年度参保凭证</button>
      </article>`).join("") : `<p class="empty">暂无参保记录。如需参保，请联系所在基层工会。</p>`;
  } catch (err) { U.flash(err.message, "error"); }
  document.getElementById("covers").addEventListener("click", ev => {  // 参保凭证, my own (decision 0042)
    const b = ev.target.closest("[data-certificate]");
    if (b) U.downloadCertificate(null, b.dataset.certificate);
  });
});
