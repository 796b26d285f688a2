/* The page centre_reminders.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const who = { union: "基层工会", district: "区局" };
  const year = document.getElementById("year");
  const loads = U.newest();  // a change of year: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    if (!year.value) return;
    const data = await U.api("GET", `/notifications/reminders/${year.value}`);
    if (loads.stale(mine)) return;
    document.getElementById("days").value = data.days_before.join(", ");
    // a deadline listed only (the split window's end): its date, no reminder to send or count
    const listed = d => `
      <article class="deadline" data-key="${d.key}">
        <h2>${U.esc(d.label)}：${U.esc(d.date)}（${d.days_left >= 0 ? `还有 ${d.days_left} 天` : "已过"}）</h2>
        <p class="hint">由各${who[d.audience]}在“参保金额比例设置”中办理；此项暂不自动提醒。</p>
      </article>`;
    document.getElementById("deadlines").innerHTML = data.deadlines.map(d => d.remindable === false ? listed(d) : `
      <article class="deadline" data-key="${d.key}">
        <h2>${U.esc(d.label)}：${U.esc(d.date)}（${d.days_left >= 0 ? `还有 ${d.days_left} 天` : "已过"}）</h2>
        <p>已提醒 <strong>${d.reminded}</strong> 个${who[d.audience]}；仍未办理 <strong class="not-acted">${d.not_acted_count}</strong> 个。</p>
        ${!d.not_acted_count ? `<p class="notice all-acted">${who[d.audience]}均已办理，无需提醒。</p>`
          : d.days_left < 0 ? `<p class="muted">已过截止日，不再提醒。</p>`
          : `<p><button type="button" class="small" data-send="${d.key}">立即提醒未办理的${who[d.audience]}</button></p>`}
        ${U.table([{ title: "提前天数", render: s => `${s.days_before} 天` }, { title: "发送方", html: s => s.sent_by === "job" ? "自动" : `手动（<span translate="no">${U.esc(s.sent_by)}</span>）` },
                   { key: "count", title: "单位数" }, { title: "时间", render: s => U.time(s.at) }], d.sent, "尚未提醒")}
        ${d.not_acted_count ? `<details><summary>仍未办理的${who[d.audience]}（前 50 个）</summary>
        ${U.table([{ key: "id", title: "编号" }, { key: "name", title: "名称" }, { title: "最近提醒", render: p => U.time(p.last_reminded_at) }], d.not_acted, "无")}</details>` : ""}
      </article>`).join("");
    document.querySelectorAll("[data-send]").forEach(b => b.onclick = async () => {
      const d = data.deadlines.find(x => x.key === b.dataset.send) || {};
      if (!(await U.confirm({ title: `提醒未办理的${who[d.audience] || "单位"}`, ok: "发送提醒",
        text: "将向仍未办理的单位发送站内通知和邮件。",
        facts: [["截止事项", `${d.label}：${d.date}`], ["仍未办理", `${d.not_acted_count} 个${who[d.audience] || "单位"}`]] }))) return;
      try {
        const r = await U.api("POST", `/notifications/reminders/${year.value}/${b.dataset.send}/send`, {});
        U.flash(`已提醒 ${r.reminded} 个单位`); await load();
      } catch (e) { U.flash(e.message, "error"); }
    });
  }
  U.onSubmit(document.getElementById("days-form"), async values => {
    const days = String(values.days_before || "").split(/[,，\s]+/).filter(Boolean).map(Number);
    await U.api("PUT", `/notifications/reminders/${year.value}/days-before`, { days_before: days });
    U.flash("已保存"); await load();
  });
  year.onchange = () => load().catch(e => U.flash(e.message, "error"));
  U.api("GET", "/enrollment/cover-years").then(years => {
    year.innerHTML = years.map(y => `<option value="${y.cover_year}">${y.cover_year}</option>`).join("");
    return load();
  }).catch(e => U.flash(e.message, "error"));
});
