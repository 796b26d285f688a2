/* The 我的联系方式 part of member_card.html (decision 0047): the member corrects their address and
   mobile; a new mobile is confirmed by a code sent to it (POST /me/mobile-codes), the correction
   then waits for the union (待单位确认 → 已更新, or 未通过 with the union's reason).
   A static file: the pages' CSP allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("details-form");
  const state = document.getElementById("detail-change");
  const getCode = document.getElementById("get-mobile-code");
  const codeLabel = document.getElementById("mobile-code");
  if (!form || !state || !getCode) return;
  const mobile = form.elements.mobile, code = form.elements.code;
  let wait = null;
  const countDown = seconds => {
    clearInterval(wait);
    let left = seconds;
    const tick = () => {
      if (left <= 0) { clearInterval(wait); getCode.disabled = false; getCode.textContent = "重新获取验证码"; return; }
      getCode.disabled = true; getCode.textContent = `${left} 秒后可重新获取`; left -= 1;
    };
    tick();
    wait = setInterval(tick, 1000);
  };
  const show = items => {
    const c = items.find(x => x.state !== "superseded");
    state.innerHTML = c ? `
      <article class="detail-change" aria-label="最近一次信息变更">
        <h3>最近一次信息变更 · <span class="detail-state">${U.esc(c.state_text)}</span></h3>
        <dl class="facts">
          ${c.new_address ? `<dt>联系地址</dt><dd>${U.esc(c.new_address)}</dd>` : ""}
          ${c.new_mobile ? `<dt>手机号码</dt><dd>${U.esc(c.new_mobile)}</dd>` : ""}
          <dt>提交时间</dt><dd>${U.esc(U.time(c.submitted_at))}</dd>
        </dl>
      </article>` : "";
  };
  const load = async () => {
    try {
      const me = await U.api("GET", "/members/me");
      if (!form.elements.address.value) form.elements.address.value = me.address || "";
      show((await U.api("GET", "/members/me/detail-changes")).items);
    } catch (err) { U.flash(err.message, "error"); }
  };
  // the code field is needed (and checked) only once a new mobile is typed
  const needCode = () => {
    const typed = mobile.value.trim() !== "";
    codeLabel.hidden = !typed;
    code.required = typed;
    code.disabled = !typed;
  };
  mobile.addEventListener("input", needCode);
  getCode.addEventListener("click", async () => {
    U.startAction();
    if (!mobile.value.trim() || !mobile.checkValidity()) {
      U.flash(mobile.value.trim() ? "请填写 11 位手机号码" : "请先填写新手机号码", "error");
      mobile.focus();
      return;
    }
    try {
      const answer = await U.api("POST", "/me/mobile-codes", { mobile: mobile.value.trim() });
      U.flash(answer.message, "ok");
      needCode();
      code.focus();
      countDown(answer.resend_after || 60);
    } catch (err) { if (err instanceof U.ApiError) U.showError(err, form); else U.flash(err.message, "error"); }
  });
  U.onSubmit(form, async v => {
    const body = { address: v.address };
    if (v.mobile) Object.assign(body, { mobile: v.mobile, code: v.code });
    await U.api("POST", "/me/detail-changes", body);
    U.flash("已提交信息变更，待所在工会确认", "ok");
    mobile.value = ""; code.value = "";
    clearInterval(wait); getCode.disabled = false; getCode.textContent = "获取验证码";
    needCode();
    await load();
  });
  needCode();
  load();
});
