/* The page member_login.html (个人登录): asks for a code for the ID number and mobile (the
   answer is the same whether or not they are on record), then signs in with it and opens 我的会员卡与保障.
   A static file: the pages' CSP allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const codeForm = document.getElementById("code-form");
  const signIn = document.getElementById("sign-in-form");
  const button = document.getElementById("get-code");
  let idNumber = "";
  let wait = null;
  function countDown(seconds) {
    clearInterval(wait);
    let left = seconds;
    const tick = () => {
      if (left <= 0) { clearInterval(wait); button.disabled = false; button.textContent = "重新获取验证码"; return; }
      button.disabled = true; button.textContent = `${left} 秒后可重新获取`; left -= 1;
    };
    tick();
    wait = setInterval(tick, 1000);
  }
  U.onSubmit(codeForm, async v => {
    const answer = await U.api("POST", "/auth/member/code", { id_number: v.id_number, mobile: v.mobile });
    idNumber = v.id_number;
    signIn.hidden = false;
    U.flash(answer.message);
    signIn.querySelector("input[name=code]").focus();
    countDown(answer.resend_after || 60);
  });
  U.onSubmit(signIn, async v => {
    await U.api("POST", "/auth/member/sign-in", { id_number: idNumber, code: v.code, session: true });
    location.href = "/me";
  });
});
