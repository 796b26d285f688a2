/* The page union_profile.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const unionId = Number(document.body.dataset.unionId);
  const form = document.getElementById("contact");
  async function load() {
    const u = await U.api("GET", `/members/unions/${unionId}`);
    document.getElementById("profile").innerHTML = [["单位名称", u.name], ["统一社会信用代码", u.credit_code],
      ["联系人", u.contact_person], ["联系电话", u.phone]].map(([k, v]) => `<dt>${k}</dt><dd>${U.esc(v)}</dd>`).join("");
    form.contact_person.value = u.contact_person; form.phone.value = u.phone;
  }
  U.onSubmit(form, async v => { await U.api("PATCH", `/members/unions/${unionId}`, v); U.flash("已保存"); await load(); });
  load().catch(e => U.flash(e.message, "error"));
});
