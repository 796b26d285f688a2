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

  function flash(message, kind = "ok") {
    const el = document.getElementById("flash");
    el.className = kind === "ok" ? "notice" : "error";
    el.textContent = message;
    if (kind === "ok") setTimeout(() => { if (el.textContent === message) { el.textContent = ""; el.className = ""; } }, 6000);
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach(e => e.remove());
    form.querySelectorAll("[aria-invalid]").forEach(e => e.removeAttribute("aria-invalid"));
  }

  /* Field messages next to their inputs; row messages (uploads) as a table; the summary on top. */
  function showError(err, form, rowsEl) {
    if (form) clearErrors(form);
    let placed = 0;
    for (const [name, msgs] of Object.entries(err.fields || {})) {
      const input = form && form.querySelector(`[name="${name}"]`);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        const p = document.createElement("span");
        p.className = "field-error"; p.textContent = [].concat(msgs).join("；");
        input.insertAdjacentElement("afterend", p); placed++;
      }
    }
    const extra = Object.entries(err.fields || {}).filter(([n]) => !(form && form.querySelector(`[name="${n}"]`)))
      .map(([n, m]) => `${n}：${[].concat(m).join("；")}`);
    flash([err.message, ...extra].join(" "), "error");
    if (rowsEl) {
      rowsEl.innerHTML = err.rows && err.rows.length ? table([
        { key: "row", title: "行号" }, { key: "column", title: "列" }, { key: "message", title: "问题" }], err.rows) : "";
    }
  }

  function table(columns, rows, empty = "暂无数据") {
    if (!rows || !rows.length) return `<p class="empty">${esc(empty)}</p>`;
    const head = columns.map(c => `<th scope="col">${esc(c.title)}</th>`).join("");
    const body = rows.map(r => "<tr>" + columns.map(c => `<td>${c.html ? c.html(r) : esc(c.render ? c.render(r) : r[c.key])}</td>`).join("") + "</tr>").join("");
    return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
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

  /* Wire a form to an async action; errors land next to the fields. */
  function onSubmit(form, action, rowsEl) {
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      const confirmText = form.dataset.confirm;
      if (confirmText && !window.confirm(confirmText)) return;
      const button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      clearErrors(form);
      try { await action(formValues(form), form); }
      catch (err) { if (err instanceof ApiError) showError(err, form, rowsEl); else { flash("操作失败：" + err.message, "error"); } }
      finally { if (button) button.disabled = false; }
    });
  }

  /* A horizontal bar chart in SVG: [{label, value, max?}] */
  function bars(items, { unit = "", width = 520 } = {}) {
    if (!items.length) return `<p class="empty">暂无数据</p>`;
    const max = Math.max(1, ...items.map(i => i.max ?? i.value));
    const h = 26, lw = 150;
    const rows = items.map((it, i) => {
      const w = Math.round((width - lw - 90) * (it.value / max));
      const mw = it.max !== undefined ? Math.round((width - lw - 90) * (it.max / max)) : 0;
      return `<g transform="translate(0,${i * h})">
        <text x="0" y="17" class="bar-label">${esc(it.label)}</text>
        ${mw ? `<rect x="${lw}" y="4" width="${mw}" height="16" class="bar-bg"/>` : ""}
        <rect x="${lw}" y="4" width="${w}" height="16" class="bar"/>
        <text x="${lw + Math.max(w, mw) + 6}" y="17" class="bar-value">${esc(it.text ?? it.value + unit)}</text></g>`;
    }).join("");
    return `<svg role="img" viewBox="0 0 ${width} ${items.length * h}" class="chart">${rows}</svg>`;
  }

  /* billing's batch states, in words */
  const payState = s => ({ awaiting_payment: "待缴费", voucher_uploaded: "已上传凭证", written_off: "已核销", overdue: "逾期未缴" }[s] || s || "—");

  const mask = s => (s && s.length > 8 ? s.slice(0, 4) + "*".repeat(s.length - 8) + s.slice(-4) : s || "");

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

  return { api, ApiError, esc, flash, showError, table, formValues, onSubmit, bars, mask, payState, time };
})();
