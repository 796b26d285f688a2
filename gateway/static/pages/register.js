/* The page register.html (组织注册, no account): the districts to choose from, then the
   application; the answer says the registration number and what happens next. A static file:
   the pages' CSP allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("register-form");
  U.api("GET", "/registrations/districts").then(list => {
    document.getElementById("district").insertAdjacentHTML("beforeend",
      list.map(d => `<option value="${d.id}">${U.esc(d.name)}</option>`).join(""));
  }).catch(e => U.flash(e.message, "error"));
  U.onSubmit(form, async v => {
    const answer = await U.api("POST", "/registrations", v);
    document.getElementById("done-number").textContent = answer.number;
    document.getElementById("done-state").textContent = answer.state_name;
    document.getElementById("done-district").textContent = answer.district_name;
    document.getElementById("done-email").textContent = answer.clerk_email;
    document.getElementById("done-message").textContent = answer.message;
    form.hidden = true;
    const done = document.getElementById("done");
    done.hidden = false;
    done.querySelector("h1").focus();  // the answer is said once, where the form was
  });
});
