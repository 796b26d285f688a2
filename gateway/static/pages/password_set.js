/* The page password_set.html: the one-time link's token is in the address's fragment (#t=…), which
   the browser never sends to a server; it is read here, taken out of the address bar, and sent
   only in request bodies. A static file: the pages' CSP allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("set-form");
  const facts = document.getElementById("link-facts");
  const token = new URLSearchParams(location.hash.slice(1)).get("t") || sessionStorage.getItem("link-token") || "";
  if (location.hash) {
    sessionStorage.setItem("link-token", token);  // a reload of this tab still works
    history.replaceState(null, "", location.pathname);
  }
  const pw = form.elements.new_password, again = form.elements.confirm_password;
  const same = () => again.setCustomValidity(again.value && again.value !== pw.value ? "两次输入的密码不一致" : "");
  pw.addEventListener("input", same); again.addEventListener("input", same);
  const refuse = message => {
    facts.textContent = message;
    facts.className = "error";
    form.querySelectorAll("input, button").forEach(el => { el.disabled = true; });
  };
  try {
    const link = await U.api("POST", "/auth/link", { token });
    const until = link.expires_at.slice(0, 16).replace("T", " ");
    document.getElementById("set-title").textContent = link.purpose === "activate" ? "激活账号并设置密码" : "重设密码";
    facts.textContent = `账号：${link.display_name}（用户名 ${link.username}），链接有效期至 ${until}。`;
  } catch (e) {
    refuse(e.message);
    return;
  }
  U.onSubmit(form, async v => {
    same();
    const done = await U.api("POST", "/auth/link/password", { token, new_password: v.new_password });
    sessionStorage.removeItem("link-token");
    form.querySelectorAll("input, button").forEach(el => { el.disabled = true; });
    facts.textContent = `密码已设置。请用用户名 ${done.username} 和新密码登录。`;
    facts.className = "notice";
    U.flash("密码已设置，请登录");
  });
});
