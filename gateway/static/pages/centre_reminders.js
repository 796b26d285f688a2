/* The page centre_reminders.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const who = { union: "基层工会", district: "区局" };
  const year = document.getElementById("year");
  async function load() {
    if (!year.value) return;
    const data = await U.api("GET", `/notifications/reminders/${year.value}`);
    document.getElementById("days").value = data.days_before.join(", ");
    document.getElementById("deadlines").innerHTML = data.deadlines.map(d => `
      <article class="deadline" data-key="${d.key}">
        <h2>${U.esc(d.label)}：${U.esc(d.date)}（${d.days_left >= 0 ? `还有 ${d.days_left} 天` : "已过"}）</h2>
        <p>已提醒 <strong>${d.reminded}</strong> 个${who[d.audience]}；仍未办理 <strong class="not-acted">${d.not_acted_count}</strong> 个。
          ${d.days_left >= 0 && d.not_acted_count ? `<button type="button" class="small" data-send="${d.key}">立即提醒未办理的${who[d.audience]}</button>` : ""}</p>
        ${U.table([{ title: "提前天数", render: s => `${s.days_before} 天` }, { title: "发送方", render: s => s.sent_by === "job" ? "自动" : s.sent_by },
                   { key: "count", title: "单位数" }, { title: "时间", render: s => U.time(s.at) }], d.sent, "尚未提醒")}
        <details><summary>仍未办理的${who[d.audience]}（前 50 个）</summary>
        ${U.table([{ key: "id", title: "编号" }, { key: "name", title: "名称" }, { title: "最近提醒", render: p => U.time(p.last_reminded_at) }], d.not_acted, "无")}</details>
      </article>`).join("");
    document.querySelectorAll("[data-send]").forEach(b => b.onclick = async () => {
      if (!confirm("将向仍未办理的单位发送站内通知和邮件，确定吗？")) return;
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
