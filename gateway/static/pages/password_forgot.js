/* The page password_forgot.html (找回密码): sends the user name or e-mail; the answer is the same
   whether or not the account exists. A static file: the pages' CSP allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("reset-form");
  U.onSubmit(form, async v => {
    const answer = await U.api("POST", "/auth/password-reset", { login: v.login });
    form.reset();
    U.flash(answer.message);
  });
});
