/* The pages' small toolkit: call the API with the session cookie and CSRF token, show errors
   next to fields and rows, render tables and simple SVG charts. No build step. */
"use strict";
const U = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  class ApiError extends Error {
    constructor(status, body) {
      const e = (body && body.error) || {};
      super(e.message || `请求失败（${status}）`);
      this.status = status; this.code = e.code; this.fields = e.fields || {}; this.rows = e.rows || []; this.detail = e;
    }
  }

  async function api(method, path, body, opts = {}) {
    const init = { method, headers: { "X-CSRF-Token": csrf(), "Accept": "application/json" }, credentials: "same-origin" };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
    const res = await fetch("/api/v1" + path, init);
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); throw new ApiError(401, {}); }
    if (opts.raw) { if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({}))); return res; }
    const data = res.status === 204 ? null : await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  function esc(v) {
    return String(v ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  /* The page message: announced (aria-live; an error assertively) and brought into view — the
     flash is sticky at the top of the viewport, and scrolled to when it is above the page. */
  function flash(message, kind = "ok") {
    const el = document.getElementById("flash");
    el.className = kind === "ok" ? "notice" : "error";
    el.setAttribute("aria-live", kind === "ok" ? "polite" : "assertive");
    el.textContent = message;
    if (message) {
      const r = el.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) el.scrollIntoView({ block: "nearest" });
    }
    if (kind === "ok") setTimeout(() => { if (el.textContent === message) { el.textContent = ""; el.className = ""; } }, 6000);
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach(e => e.remove());
    form.querySelectorAll("[aria-invalid]").forEach(e => e.removeAttribute("aria-invalid"));
    form.querySelectorAll('[aria-describedby*="-error-"]').forEach(e => e.removeAttribute("aria-describedby"));
  }

  /* A field's human name: its label's own text (without the messages inside it). */
  function labelOf(input) {
    const label = input.closest("label") || (input.id && document.querySelector(`label[for="${input.id}"]`));
    if (!label) return input.getAttribute("aria-label") || "";
    let text = "";
    label.childNodes.forEach(n => { if (n.nodeType === 3) text += n.textContent; });
    return text.trim() || input.getAttribute("aria-label") || "";
  }

  /* The input a server field path names: "handler.email" is the form's "email" (or data-field). */
  function fieldInput(form, path) {
    if (!form) return null;
    const parts = String(path).split(".");
    for (let i = 0; i < parts.length; i++) {  // "types.A.district_share" → "A.district_share" → "district_share"
      const name = parts.slice(i).join(".").replace(/"/g, "");
      const found = form.querySelector(`[data-field="${name}"]`) || form.querySelector(`[name="${name}"]`);
      if (found) return found;
    }
    return null;
  }

  /* The first wrong field in the middle of the screen (its message under it too), focused. */
  function focusField(input) {
    input.scrollIntoView({ block: "center" });
    input.focus({ preventScroll: true });
  }

  function markField(input, message) {
    input.setAttribute("aria-invalid", "true");
    const p = document.createElement("span");
    p.className = "field-error"; p.textContent = message;
    p.id = (input.name || "f") + "-error-" + Math.random().toString(36).slice(2, 7);
    input.setAttribute("aria-describedby", p.id);
    input.insertAdjacentElement("afterend", p);
  }

  /* A field's messages as text: a list field's are keyed by item ({"0": ["…"]}), never "[object Object]". */
  function messagesOf(msgs) {
    if (msgs && typeof msgs === "object") return Object.values(msgs).flatMap(messagesOf);
    return msgs == null || msgs === "" ? [] : [String(msgs)];
  }

  /* Field messages next to their inputs (focus on the first); row messages (uploads) as a
     table; the summary as the page message, with any field that has no input named by label. */
  function showError(err, form, rowsEl) {
    if (form) clearErrors(form);
    const extra = [];
    let first = null;
    for (const [name, msgs] of Object.entries(err.fields || {})) {
      const text = messagesOf(msgs).join("；");
      const input = fieldInput(form, name);
      if (input) { markField(input, text); first = first || input; }
      else if (text && text !== err.message && !extra.includes(text)) extra.push(text);  // said once
    }
    flash([err.message, ...extra].join(" "), "error");
    if (first) focusField(first);
    if (rowsEl) {
      rowsEl.innerHTML = err.rows && err.rows.length ? table([
        { key: "row", title: "行号" }, { key: "column", title: "列" }, { key: "message", title: "问题" }], err.rows) : "";
    }
  }

  /* A table in a scrollable, focusable region. A column titled 操作 stays at the right edge when
     the table scrolls; `wrap: true` lets a long text wrap; `head` is HTML for the header cell
     (e.g. a 全选 box). On a phone each row is a card, every cell under its column's title
     (data-label, site.css), so nothing hides behind a sideways scroll; `phone: false` leaves a
     secondary column out of the card (a row's detail has it). */
  function table(columns, rows, empty = "暂无数据") {
    if (!rows || !rows.length) return `<p class="empty">${esc(empty)}</p>`;
    const cls = c => [c.title === "操作" ? "actions" : "", c.wrap ? "wrap" : "", c.phone === false ? "wide-only" : ""].filter(Boolean).join(" ");
    const attr = c => cls(c) ? ` class="${cls(c)}"` : "";
    const head = columns.map(c => `<th scope="col"${attr(c)}>${c.head || esc(c.title)}</th>`).join("");
    const body = rows.map(r => "<tr>" + columns.map(c => `<td${attr(c)} data-label="${esc(c.title)}"><span class="cell">${c.html ? c.html(r) : esc(c.render ? c.render(r) : r[c.key])}</span></td>`).join("") + "</tr>").join("");
    return `<div class="table-wrap cards" tabindex="0" role="region" aria-label="表格"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
  }

  function formValues(form) {
    const out = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.type === "submit" || el.name === "csrf_token") continue;
      if (el.type === "checkbox") { out[el.name] = el.checked; continue; }
      if (el.value === "" && !el.required) continue;
      out[el.name] = el.dataset.type === "int" ? Number(el.value) : el.value;
    }
    return out;
  }

  /* Formats no HTML attribute states (a date typed as text): the one place they are checked, with
     regular expression literals — a pattern built inside a JavaScript string loses its backslashes. */
  const DATE = /^\d{4}-\d{2}-\d{2}$/;
  /* A format check answers "" when the value is right, else what is wrong with it. */
  function dateProblem(v, el) {
    if (!DATE.test(v)) return el.dataset.msg || "格式不正确";
    const [y, m, d] = v.split("-").map(Number);
    const day = new Date(Date.UTC(y, m - 1, d));  // 2020-02-30 rolls over to March: no such day
    const real = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
    return real ? "" : `日历上没有 ${v} 这一天，请核对月份和日期`;
  }
  /* GB 32100-2015's check character (members' domain/directory.py holds the same rule): the shape
     is the pattern's to judge; a well-shaped code with a wrong last character is named here. */
  const CREDIT = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  function creditCodeProblem(v) {
    const code = v.toUpperCase();
    if (code.length !== 18 || [...code].some(c => !CREDIT.includes(c))) return "";
    const total = CREDIT_WEIGHTS.reduce((sum, w, i) => sum + CREDIT.indexOf(code[i]) * w, 0);
    return code[17] === CREDIT[(31 - total % 31) % 31] ? "" : "统一社会信用代码校验位不正确（最后一位），请核对";
  }
  const FORMATS = { date: dateProblem, credit_code: creditCodeProblem };
  function checkFormats(form) {
    for (const el of form.querySelectorAll("[data-format]")) {
      const check = FORMATS[el.dataset.format], v = el.value.trim();
      el.setCustomValidity(v === "" || !check ? "" : check(v, el));
    }
  }

  /* What the browser knows is wrong with a field, in our words. */
  function problemOf(el) {
    const v = el.validity;
    if (!v || v.valid) return "";
    if (v.valueMissing) return el.type === "file" ? "请选择文件" : (el.tagName === "SELECT" ? "请选择" : "此项必填");
    if (v.customError) return el.validationMessage;
    if (el.dataset.msg) return el.dataset.msg;
    if (v.typeMismatch && el.type === "email") return "电子邮箱格式不正确，如 name@example.com";
    if (v.patternMismatch && el.inputMode === "tel") return "请填写 11 位手机号码或带区号的电话";
    if (v.patternMismatch && el.title) return el.title;
    if (v.tooShort) return `不能少于 ${el.minLength} 位`;
    if (v.tooLong) return `不能超过 ${el.maxLength} 个字`;
    if (v.rangeUnderflow) return `不能小于 ${el.min}`;
    if (v.rangeOverflow) return `不能大于 ${el.max}`;
    if (v.badInput && el.type === "date") return "请按 YYYY-MM-DD 填写日期";
    return "格式不正确";
  }

  /* Check the form before anything else (before any confirmation): every problem beside its
     field, focus on the first, the page message says how many. True when the form is right. */
  function validate(form) {
    clearErrors(form);
    checkFormats(form);
    const bad = [...form.elements].filter(el => el.name && !el.disabled && el.willValidate && !el.validity.valid);
    bad.forEach(el => markField(el, problemOf(el)));
    if (bad.length) { flash(`有 ${bad.length} 项需要修改：${bad.map(labelOf).filter(Boolean).join("、")}`, "error"); focusField(bad[0]); }
    return !bad.length;
  }

  /* Wire a form to an async action; the form is checked first, then confirmed, and errors land
     next to the fields. `confirm(values, form)` answers the dialog's options (what is about to
     happen, named), null for no confirmation or false to stop; a form's data-confirm is a fixed question. */
  function onSubmit(form, action, rowsEl, { confirm: ask = null } = {}) {
    form.noValidate = true;  // our messages, beside the field, instead of the browser's bubble
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      startAction();
      if (!validate(form)) return;
      const values = formValues(form);
      // the confirmation may find there is nothing to do (false: it said so already)
      const question = ask ? await ask(values, form) : (form.dataset.confirm ? { title: form.dataset.confirm } : null);
      if (question === false || (question && !(await confirmAction(question)))) return;
      const button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      clearErrors(form);
      try { await action(values, form); }
      catch (err) { if (err instanceof ApiError) showError(err, form, rowsEl); else { flash("操作失败：" + err.message, "error"); } }
      finally { if (button) button.disabled = false; }
    });
  }

  /* A new action begins: the page message (and passing message) of the last one is no longer true. */
  function startAction() {
    const el = document.getElementById("flash");
    if (el) { el.textContent = ""; el.className = ""; }
    const passing = document.getElementById("toast");
    if (passing) { passing.textContent = ""; passing.hidden = true; }
  }

  /* A passing message at the bottom of the screen (announced, gone after a while): an answer that
     is not a fault, such as "not found" for a look-up. */
  function toast(message, ms = 5000) {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { if (box.textContent === message) { box.textContent = ""; box.hidden = true; } }, ms);
  }

  /* The one dialog of the pages (never confirm() or prompt()): modal, named by its title, what is
     about to happen in `facts` ([label, value] pairs: the union, batch or members, the amount or
     headcount); focus stays inside (Tab cycles), Esc or 取消 cancels. With `reason` ({label,
     maxlength}) it asks for a required text and resolves to it (null when cancelled); without,
     it resolves to true or false. */
  let dialogs = 0;
  function dialog({ title, text = "", facts = [], ok = "确定", danger = false, reason = null }) {
    return new Promise(resolve => {
      const id = `dialog-${++dialogs}`;
      const opener = document.activeElement;
      const d = document.createElement("dialog");
      d.className = "ask";
      d.setAttribute("aria-labelledby", `${id}-title`);
      if (text || facts.length) d.setAttribute("aria-describedby", `${id}-body`);
      const rows = facts.filter(f => f && f[1] !== undefined && f[1] !== null && f[1] !== "")
        .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("");
      d.innerHTML = `<form method="dialog" class="grid"><h2 id="${id}-title">${esc(title)}</h2>
        <div id="${id}-body" class="dialog-body">${text ? `<p class="hint">${esc(text)}</p>` : ""}${rows ? `<dl class="facts">${rows}</dl>` : ""}</div>
        ${reason ? `<label>${esc(reason.label)}<textarea name="reason" rows="3" required maxlength="${reason.maxlength || 500}"></textarea></label>` : ""}
        <p class="actions"><button type="submit" value="ok"${danger ? ' class="danger"' : ""}>${esc(ok)}</button>
        <button type="button" class="secondary" value="cancel">取消</button></p></form>`;
      document.body.append(d);
      const form = d.querySelector("form"), area = d.querySelector("textarea");
      form.noValidate = true;
      if (area) area.addEventListener("input", () => clearErrors(form));  // the message goes once they type
      const done = value => {
        d.close(); d.remove();
        if (opener && opener.isConnected) opener.focus({ preventScroll: true });
        resolve(value);
      };
      const cancelled = reason ? null : false;
      d.querySelector("[value=cancel]").addEventListener("click", () => done(cancelled));
      d.addEventListener("cancel", ev => { ev.preventDefault(); done(cancelled); });  // Esc
      d.addEventListener("keydown", ev => {  // Tab and Shift+Tab go round the dialog's own controls
        if (ev.key !== "Tab") return;
        const items = [...d.querySelectorAll("button, textarea, input, select, a[href]")].filter(e => !e.disabled);
        const first = items[0], last = items[items.length - 1];
        if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
        else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
      });
      form.addEventListener("submit", ev => {
        ev.preventDefault();
        if (!reason) { done(true); return; }
        clearErrors(form);
        if (!area.value.trim()) { markField(area, `请填写${reason.label}`); area.focus(); return; }
        done(area.value.trim());
      });
      d.showModal();
      (area || d.querySelector("[value=ok]")).focus();
    });
  }
  const confirmAction = options => dialog(options);
  /* A reason asked for (instead of prompt()): the text, or null when cancelled. */
  const ask = ({ title, label = "原因", hint = "", ok = "确定", maxlength = 500, facts = [] }) =>
    dialog({ title, text: hint, facts, ok, reason: { label, maxlength } });

  /* A horizontal bar chart in SVG: [{label, value, max?}] */
  function bars(items, { unit = "", width = 520 } = {}) {
    if (!items.length) return `<p class="empty">暂无数据</p>`;
    const max = Math.max(1, ...items.map(i => i.max ?? i.value));
    const h = 26, lw = 150;
    // room on the right for the longest value text, so that "504.00 / 504.00" is never clipped
    const room = Math.max(90, 12 + Math.max(...items.map(it => String(it.text ?? it.value + unit).length)) * 8);
    const rows = items.map((it, i) => {
      const w = Math.round((width - lw - room) * (it.value / max));
      const mw = it.max !== undefined ? Math.round((width - lw - room) * (it.max / max)) : 0;
      return `<g transform="translate(0,${i * h})">
        <text x="0" y="17" class="bar-label">${esc(it.label)}</text>
        ${mw ? `<rect x="${lw}" y="4" width="${mw}" height="16" class="bar-bg"/>` : ""}
        <rect x="${lw}" y="4" width="${w}" height="16" class="bar"/>
        <text x="${lw + Math.max(w, mw) + 6}" y="17" class="bar-value">${esc(it.text ?? it.value + unit)}</text></g>`;
    }).join("");
    const said = items.map(it => `${it.label}：${it.text ?? it.value + unit}`).join("；");
    return `<svg role="img" aria-label="${esc(said)}" viewBox="0 0 ${width} ${items.length * h}" class="chart">${rows}</svg>`;
  }

  /* Loads a person starts one after another (a select changed, a page turned, a search sent): only
     the newest may draw, or an older answer arriving last shows a list for options no longer chosen.
     `const loads = U.newest();` once per list; in its load `const t = loads.begin();` first, then
     `if (loads.stale(t)) return;` after every await that comes before drawing. */
  function newest() {
    let latest = 0;
    return { begin: () => ++latest, stale: ticket => ticket !== latest };
  }

  const mask = s => (s && s.length > 8 ? s.slice(0, 4) + "*".repeat(s.length - 8) + s.slice(-4) : s || "");

  // A cover-year picker: every configured year, the one in season by the system's clock chosen.
  function yearOptions(select, years) {
    select.innerHTML = years.map(y => `<option value="${y.cover_year}">${y.cover_year} 年度</option>`).join("");
    const current = years.find(y => y.active) || years.find(y => y.started) || years[0];
    if (current) select.value = String(current.cover_year);
  }

  // Every moment on every page: Asia/Shanghai, "YYYY-MM-DD HH:mm". The API answers ISO 8601 with an
  // offset; a value without one is read as UTC (never as the browser's own zone).
  const shanghai = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function time(iso) {
    if (!iso) return "—";
    const hasZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(iso);
    const d = new Date(hasZone ? iso : iso + "Z");
    if (isNaN(d)) return String(iso);
    const p = Object.fromEntries(shanghai.formatToParts(d).map(x => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }

  /* A document (a notice) once the documents service has made it: wait for the one made for
     `subject` ("submission:12", "batch:3"), then download it as the guide's screens do. */
  async function downloadWhenReady(subject, kind, { timeout = 60000 } = {}) {
    const until = Date.now() + timeout;
    while (Date.now() < until) {
      const data = await api("GET", "/documents/documents?" + new URLSearchParams({ kind, per_page: 50 })).catch(() => null);
      const doc = data && data.items.find(d => d.subject === subject);
      if (doc) {
        const a = document.createElement("a");
        a.href = "/api/v1" + doc.download; a.download = doc.filename; a.hidden = true;
        document.body.append(a); a.click(); a.remove();
        return doc;
      }
      await new Promise(r => setTimeout(r, 1000));
    }
    return null;
  }

  /* Dates typed as YYYY-MM-DD whatever the browser's language, with a calendar beside them;
     file inputs that say 选择文件 / 未选择文件 whatever the browser's language. */
  function enhance(root = document) {
    root.querySelectorAll('input[type="date"]').forEach(input => {
      const picker = document.createElement("input");
      picker.type = "date"; picker.tabIndex = -1; picker.className = "date-native";
      picker.setAttribute("aria-hidden", "true");
      input.type = "text"; input.inputMode = "numeric"; input.placeholder = "YYYY-MM-DD"; input.autocomplete = "off";
      input.maxLength = 10;
      input.dataset.msg = input.dataset.msg || "请按 YYYY-MM-DD 填写日期，如 2020-01-10";
      input.dataset.format = "date";  // checked by checkFormats (a regular expression literal, no pattern string)
      const button = document.createElement("button");
      button.type = "button"; button.className = "date-button small secondary"; button.textContent = "日历";
      button.setAttribute("aria-label", "打开日历");
      const box = document.createElement("span"); box.className = "date-field";
      input.replaceWith(box); box.append(input, button, picker);
      button.onclick = () => { picker.value = DATE.test(input.value) ? input.value : ""; try { picker.showPicker(); } catch (e) { picker.focus(); } };
      picker.onchange = () => { input.value = picker.value; input.dispatchEvent(new Event("change", { bubbles: true })); input.focus(); };
    });
    root.querySelectorAll('input[type="file"]:not(.file-native)').forEach(input => {
      input.classList.add("file-native");
      const ui = document.createElement("span");
      ui.className = "file-ui"; ui.setAttribute("aria-hidden", "true");
      ui.innerHTML = '<span class="file-button">选择文件</span><span class="file-name">未选择文件</span>';
      input.after(ui);
      const name = ui.querySelector(".file-name");
      const show = () => { name.textContent = input.files && input.files.length ? [...input.files].map(f => f.name).join("、") : "未选择文件"; };
      input.addEventListener("change", show);
      if (input.form) input.form.addEventListener("reset", () => setTimeout(show));
    });
  }
  // on a phone the menu folds behind 菜单 (site.css): the header stays two rows
  const menuToggle = document.querySelector(".menu-toggle");
  if (menuToggle) menuToggle.addEventListener("click", () => {
    const open = menuToggle.getAttribute("aria-expanded") !== "true";
    menuToggle.setAttribute("aria-expanded", String(open));
    document.querySelector(".top").classList.toggle("menu-open", open);
  });
  // a deferred script runs once the page is parsed, before the pages' own DOMContentLoaded code
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => enhance()); else enhance();

  // a table wider than its card says so (class "scrolls": the hint above it), whatever the width
  const markScrolling = () => document.querySelectorAll(".table-wrap").forEach(w =>
    w.classList.toggle("scrolls", w.scrollWidth > w.clientWidth + 1));
  new MutationObserver(() => requestAnimationFrame(markScrolling)).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", markScrolling);

  /* 参保凭证 (docs/decisions/0042): a new certificate of a member's cover for a year, downloaded;
     a year without a cover that holds is said in the page message, nothing downloaded. */
  async function downloadCertificate(memberId, year) {  // memberId null: the member's own (个人登录)
    startAction();
    try {
      const path = memberId === null ? `/documents/certificates/mine/${year}/file` : `/documents/certificates/${memberId}/${year}/file`;
      const res = await api("GET", path, undefined, { raw: true });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(await res.blob()); link.download = `参保凭证_${year}年度.pdf`;
      document.body.appendChild(link); link.click(); link.remove();
      flash(`已生成${year}年度参保凭证`);
    } catch (err) { flash(err instanceof ApiError ? err.message : "操作失败：" + err.message, "error"); }
  }

  return { api, ApiError, esc, flash, showError, table, formValues, onSubmit, validate, ask, confirm: confirmAction,
    startAction, toast, bars, mask, time, newest,
    yearOptions, downloadWhenReady, enhance, downloadCertificate };
})();
