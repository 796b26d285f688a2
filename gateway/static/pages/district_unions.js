/* The page district_unions.html (基层工会): the district's unions from /api/v1/district-unions (see
   app.js) — registration, clerk, last login, this year's enrolment and money — filtered by state,
   sorted, paged on the server, and the same list as a workbook. A static file, as the pages'
   strict Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const STATES = [
    ["", "全部", "all"], ["not_submitted", "未提交", "not_submitted"], ["returned", "已退回", "returned"],
    ["owing", "欠费", "owing"], ["inactive", "未激活", "inactive"], ["never_logged_in", "从未登录", "never_logged_in"]];
  const PER_PAGE = 50;
  const yuan = f => f == null ? "—" : (f / 100).toFixed(2);
  const form = document.getElementById("search");
  const yearSelect = document.getElementById("chase-year");
  let query = {}, show = "", page = 1;

  function params(extra = {}) {
    const { cover_year: _year, ...p } = { ...query, ...extra };
    if (show) p.show = show;
    return new URLSearchParams(Object.entries(p).filter(([, v]) => v !== "" && v != null));
  }

  function tiles(counts) {
    const box = document.getElementById("states");
    box.innerHTML = STATES.map(([key, label, count]) =>
      `<button type="button" class="tile" data-show="${key}" aria-pressed="${key === show}">` +
      `<span>${U.esc(label)}</span><strong>${U.esc(counts[count] ?? 0)}</strong></button>`).join("");
    box.querySelectorAll("button").forEach(b => b.onclick = () => {
      const before = [show, page];
      show = b.dataset.show; page = 1;
      load().catch(e => { [show, page] = before; fail(e); });  // a refused filter leaves the list as it was
    });
  }

  const enrolment = u => {
    if (!u.state) return "名录中未找到";
    const parts = [u.state_text];
    if (u.state === "submitted" && u.submission_status_text) parts.push(u.submission_status_text);
    if (u.state === "returned" && u.return_reason) parts.push(`退回原因：${u.return_reason}`);
    return parts.join("，");
  };

  const loads = U.newest();  // a state tile, a search, a page turned: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const data = await U.api("GET", `/district-unions/${encodeURIComponent(query.cover_year)}?` + params({ page, per_page: PER_PAGE }));
    if (loads.stale(mine)) return;
    tiles(data.counts);
    const label = (STATES.find(s => s[0] === show) || STATES[0])[1];
    document.getElementById("list-title").textContent = show ? `${label}的基层工会（${data.total} 家）` : `全部基层工会（${data.total} 家）`;
    document.getElementById("unions").innerHTML = U.table([
      { title: "单位名称", wrap: true, html: u => `${U.esc(u.name || "名录中未找到")}<br><small class="muted">${U.esc(u.credit_code || "")}</small>` },
      { title: "登记方式", render: u => u.registered_via_text + (u.registration_no ? `（${u.registration_no}）` : ""), phone: false },
      { key: "account_state_text", title: "账号状态" },
      { title: "代办员", html: u => `${U.esc(u.clerk_name || "—")}${u.username ? ` <small class="muted" translate="no">${U.esc(u.username)}</small>` : ""}<br><small>${U.esc(u.clerk_mobile || "")}</small>` },
      { title: "最近登录", render: u => u.last_login_at ? U.time(u.last_login_at) : "从未登录" },
      { title: "参保状态", wrap: true, render: enrolment },
      { title: "参保人数", render: u => u.headcount ?? "—" },
      { title: "应缴（元）", render: u => yuan(u.due_fen) },
      { title: "已缴（元）", render: u => yuan(u.paid_fen) },
      { title: "欠缴（元）", render: u => yuan(u.owing_fen) }],
      data.items, show ? `没有${label}的基层工会` : "本区局还没有基层工会");
    const pages = Math.max(1, Math.ceil(data.total / PER_PAGE));
    document.getElementById("pager").hidden = pages <= 1;
    document.getElementById("page-text").textContent = `第 ${page} / ${pages} 页`;
    document.getElementById("prev").disabled = page <= 1;
    document.getElementById("next").disabled = page >= pages;
    const sortBox = document.getElementById("chase-sort");
    sortBox.disabled = show === "inactive" || show === "never_logged_in";  // those list in the order accounts were made
    document.getElementById("export").href = `/api/v1/district-unions/${encodeURIComponent(query.cover_year)}/workbook.xlsx?` + params();
  }
  // a refusal beside its field (a name search with an account filter), anything else as the page message
  const fail = e => (e instanceof U.ApiError ? U.showError(e, form) : U.flash(e.message, "error"));

  document.getElementById("prev").onclick = () => { page -= 1; load().catch(fail); };
  document.getElementById("next").onclick = () => { page += 1; load().catch(fail); };
  U.onSubmit(form, v => { query = v; page = 1; return load(); });
  U.api("GET", "/enrollment/cover-years").then(years => {
    U.yearOptions(yearSelect, Array.isArray(years) ? years : (years.items || []));
    query = U.formValues(form);
    return load();
  }).catch(fail);
});
