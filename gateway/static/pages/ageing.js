/* The page ageing.html (账龄与催缴): its data from /api/v1/billing/ageing (see app.js); a static file,
   as the pages' strict Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const yuan = f => f == null ? "—" : (f / 100).toFixed(2);
  const tile = (label, value, note) => `<div class="tile" data-bucket="${U.esc(label)}"><span>${U.esc(label)}</span><strong>${U.esc(value)}</strong><small class="muted">${U.esc(note)}</small></div>`;
  let query = {}, names = {};
  const loads = U.newest();  // a filter sent again: only the newest answer draws
  async function load() {
    const mine = loads.begin();
    const data = await U.api("GET", "/billing/ageing?" + new URLSearchParams(query));
    if (loads.stale(mine)) return;
    names = Object.fromEntries(data.buckets.map(b => [b.bucket, b.text]));
    document.getElementById("buckets").innerHTML = data.buckets.map(b => tile(b.text, `${yuan(b.short_fen)} 元`, `${b.count} 个批次未缴`)).join("");
    const districts = document.getElementById("districts");
    if (districts) districts.innerHTML = U.table([{ title: "区局（产业）工会", render: d => d.district_name || d.district_id, wrap: true },
      { key: "count", title: "批次数" }, { title: "应缴（元）", render: d => yuan(d.due_fen) }, { title: "已缴（元）", render: d => yuan(d.paid_fen) },
      { title: "未缴（元）", render: d => yuan(d.short_fen) },
      ...Object.keys(names).map(k => ({ title: `${names[k]}（元）`, render: d => yuan(d.short_by_bucket[k]), phone: false }))],
      data.districts, "没有未缴清的区局");
    document.getElementById("late").innerHTML = U.table([{ key: "batch_no", title: "批次编号" },
      { title: "区局（产业）工会", render: b => b.district_name || "", wrap: true }, { title: "缴费期限", render: b => b.pay_by || "—" },
      { title: "逾期天数", render: b => b.days_past ? `${b.days_past} 天` : "未到期" }, { key: "bucket_text", title: "账龄" },
      { title: "应缴（元）", render: b => yuan(b.due_fen) }, { title: "已缴（元）", render: b => yuan(b.paid_fen) }, { title: "未缴（元）", render: b => yuan(b.short_fen) },
      { key: "status_text", title: "缴费状态" },
      { title: "催缴记录", wrap: true, render: b => b.reminders.length
        ? b.reminders.map(r => `${r.step_text}（${U.time(r.at)}，${r.recipient}）`).join("；") : "尚未催缴" }],
      data.batches, "没有未缴清的批次");
  }
  U.onSubmit(document.getElementById("ageing-filter"), v => { query = v; return load(); });
  const remind = document.getElementById("remind");
  if (remind) remind.onclick = async () => {
    if (!(await U.confirm({ title: "立即催缴", ok: "催缴", text: "每个逾期未缴清的批次进行下一步催缴（通知区局、升级通知经办人或列入逾期名单），每一步只进行一次。" }))) return;
    try {
      const r = await U.api("POST", "/billing/jobs/payment-reminders", {});
      U.flash(r.reminded.length ? `已催缴 ${r.reminded.length} 个批次` : "没有需要催缴的批次"); await load();
    } catch (e) { U.flash(e.message, "error"); }
  };
  U.api("GET", "/enrollment/cover-years").then(years => {
    const list = Array.isArray(years) ? years : (years.items || []);
    document.getElementById("ageing-year").insertAdjacentHTML("beforeend", list.map(y => `<option value="${y.cover_year}">${y.cover_year}</option>`).join(""));
  }).catch(e => U.flash(e.message, "error"));
  load().catch(e => U.flash(e.message, "error"));
});
