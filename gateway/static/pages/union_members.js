/* The page union_members.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const opts = { "opt-education": ["小学及以下","初中","高中","中专","技校","大专","大学本科","硕士研究生","博士研究生"],
    "opt-skill": ["无","初级工","中级工","高级工","技师","高级技师"],
    "opt-post": ["工会会员","工会主席","工会副主席","工会委员","经审委员","女职工委员","工会小组长"] };
  for (const [cls, values] of Object.entries(opts))
    document.querySelectorAll("." + cls).forEach(s => s.innerHTML = values.map(v => `<option>${v}</option>`).join(""));
  const statusName = { pending: "待审核", rejected: "审核未通过", normal: "正常", left: "已转出" };
  let page = 1, query = {}, current = null, total = null, lastPage = true;
  const loads = U.newest();  // a search, then a page turned: only the newest answer draws
  async function load(recount = true) {
    const mine = loads.begin();
    // paging through the same search reuses its total: counting a 100,000-member union is the
    // dearest part of a list request
    const data = await U.api("GET", "/members/members?" + new URLSearchParams({ page, per_page: 50, ...query, with_total: recount || total === null }));
    if (loads.stale(mine)) return;
    if (data.total !== null && data.total !== undefined) total = data.total;
    // the last page is known by the total, or by a page that is not full: no empty page after it
    const pages = total != null ? Math.max(1, Math.ceil(total / 50)) : null;
    lastPage = pages != null ? page >= pages : data.items.length < 50;
    document.getElementById("pageno").textContent = ` 第 ${page}${pages ? ` / ${pages}` : ""} 页，共 ${total ?? "?"} 人 `;
    document.getElementById("prev").disabled = page <= 1;
    document.getElementById("next").disabled = lastPage;
    const box = document.getElementById("members");
    box.innerHTML = U.table([
      { title: "选择", html: m => ["normal", "rejected"].includes(m.status) ? `<input type="checkbox" aria-label="选择 ${U.esc(m.name)}" value="${m.id}">` : "" },
      { key: "member_no", title: "会员编号" }, { key: "name", title: "姓名" }, { key: "gender", title: "性别", phone: false },
      { title: "有效证件类型", phone: false, render: m => m.id_type === "resident" ? "身份证" : "其他" },
      { key: "id_number", title: "证件号码" }, { key: "address", title: "联系地址", wrap: true, phone: false }, { key: "mobile", title: "移动电话" },
      { title: "已办会员卡", phone: false, render: m => m.card_held ? "是" : "否" },
      { title: "用户状态", wrap: true, render: m => statusName[m.status] + (m.status === "rejected" ? `：${m.review_note}` : "") + (m.removed ? "（人口办剔除）" : "") },
      { title: "同步会员", phone: false, render: m => m.synced ? "是" : "否" },
      { title: "修改状态", phone: false, render: m => ({ pending: "待区局审核", rejected: "待修改后重新提交", normal: "已审核", left: "—" }[m.status] || "—") },
      { title: "办卡状态", render: m => m.card_held ? `已办卡${m.card_issued_on ? "（" + m.card_issued_on + "）" : ""}` : "未办卡" },
      { title: "操作", html: m => `<button class="small" data-open="${m.id}" type="button">详情</button>` }], data.items, "没有符合条件的会员");
    box.querySelectorAll("[data-open]").forEach(b => b.addEventListener("click", () => openMember(b.dataset.open)));
  }
  // a member's own correction accepted in 待确认变更 (union_detail_changes.js): the list shows it
  document.addEventListener("members:changed", () => load(false).catch(e => U.flash(e.message, "error")));
  // the district's note is current only while the member stands rejected; after a resubmission
  // it is the last rejection's reason, said so; once approved it is history (not shown)
  const reviewNote = m => !m.review_note ? []
    : m.status === "rejected" ? [["审核说明", `${m.review_note}（修改后点“保存”即重新提交审核）`]]
    : m.status === "pending" ? [["上次驳回原因", `${m.review_note}（已修改并重新提交，待区局审核）`]] : [];
  let certificateYears = null;
  document.getElementById("certificates").addEventListener("click", ev => {
    const year = ev.target.closest("[data-certificate]")?.dataset.certificate;
    if (year && current) U.downloadCertificate(current.id, year);
  });
  async function openMember(id) {
    const m = await U.api("GET", `/members/members/${id}`);
    current = m;
    document.getElementById("detail").innerHTML = [["姓名", m.name], ["证件号码", m.id_number], ["性别", m.gender], ["出生日期", m.birth_date],
      ["会员编号", m.member_no || "审核后生成"], ["用户状态", statusName[m.status]], ...reviewNote(m), ["会员服务卡", m.card_number ? `${m.card_number}（${m.card_issued_on}）` : "未办卡"]]
      .map(([k, v]) => `<dt>${k}</dt><dd>${U.esc(v ?? "")}</dd>`).join("");
    // the card already held, shown in the card form: saving there replaces it
    const card = document.getElementById("card");
    const held = document.getElementById("card-held");
    held.hidden = !m.card_number;
    held.textContent = m.card_number ? `已办卡：卡号 ${m.card_number}，办卡日期 ${m.card_issued_on || "—"}。如需更换，改为新卡信息后保存。` : "";
    card.card_number.value = m.card_number && !m.card_number.includes("*") ? m.card_number : "";
    card.issued_on.value = m.card_issued_on || "";
    card.querySelector("[type=submit]").textContent = m.card_number ? "更换卡信息" : "保存卡信息";
    const form = document.getElementById("edit");
    for (const k of ["name", "address", "mobile", "education", "household_type", "skill_grade", "union_post"]) form[k].value = m[k] ?? "";
    // a member sent back by the district may have a wrong ID number: it can be corrected (and is checked again)
    const fix = m.status === "rejected";
    document.getElementById("id-fix").hidden = !fix;
    form.id_number.disabled = !fix; form.id_number.value = fix ? m.id_number : "";
    // 参保凭证 of the member's cover, one button per cover year (decision 0042)
    if (certificateYears === null) {
      const years = await U.api("GET", "/enrollment/cover-years").catch(() => []);
      certificateYears = (Array.isArray(years) ? years : (years.items || [])).map(y => y.cover_year).sort((a, b) => b - a).slice(0, 3);
    }
    document.getElementById("certificates").innerHTML = m.status !== "normal" ? "" : certificateYears.map(y =>
      `<button class="small secondary" type="button" data-certificate="${y}">下载${y}年度参保凭证</button>`).join(" ");
    document.getElementById("detail-card").hidden = false;
    document.getElementById("detail-card").scrollIntoView();
  }
  document.getElementById("close-detail").onclick = () => document.getElementById("detail-card").hidden = true;
  U.onSubmit(document.getElementById("edit"), async v => { await U.api("PATCH", `/members/members/${current.id}`, v); U.flash(current.status === "rejected" ? "已保存并重新提交区局审核" : "已保存"); await openMember(current.id); await load(); });
  U.onSubmit(document.getElementById("card"), async v => { await U.api("PUT", `/members/members/${current.id}/card`, v); U.flash("会员服务卡已登记"); await openMember(current.id); await load(); });
  const add = document.getElementById("add");
  // the template's ID-number pattern is for a 身份证; another document's number is checked by the server
  const residentId = { pattern: add.id_number.getAttribute("pattern"), msg: add.id_number.dataset.msg };
  const idKind = () => {
    const resident = add.id_type.value === "resident";
    if (resident) { add.id_number.setAttribute("pattern", residentId.pattern); add.id_number.dataset.msg = residentId.msg; }
    else { add.id_number.removeAttribute("pattern"); delete add.id_number.dataset.msg; }
  };
  add.id_type.addEventListener("change", idKind);
  add.addEventListener("reset", () => setTimeout(idKind));
  U.onSubmit(add, async (v, f) => { await U.api("POST", "/members/members", v); f.reset(); U.flash("已提交，等待区局审核"); await load(); });
  U.onSubmit(document.getElementById("search"), v => { query = v; page = 1; return load(); });
  const chosen = () => [...document.querySelectorAll("#members input[type=checkbox]:checked")];
  U.onSubmit(document.getElementById("transfer-out"), async v => {
    const ids = chosen().map(c => Number(c.value));
    await U.api("POST", "/members/members/transfer-out", { member_ids: ids, reason: v.reason });
    U.flash(`已转出 ${ids.length} 人`); await load();
  }, null, { confirm: v => {
    const boxes = chosen();
    if (!boxes.length) { U.flash("请先勾选要转出的会员", "error"); return false; }
    const names = boxes.map(c => (c.getAttribute("aria-label") || "").replace(/^选择 /, ""));
    return { title: `转出 ${boxes.length} 名会员`, ok: "转出", danger: true, text: "转出后这些会员不再属于本会。",
      facts: [["会员", names.slice(0, 10).join("、") + (names.length > 10 ? ` 等 ${names.length} 人` : "")], ["转出原因", v.reason]] };
  } });
  document.getElementById("prev").onclick = () => { if (page > 1) { page--; load(false); } };
  document.getElementById("next").onclick = () => { if (!lastPage) { page++; load(false); } };
  load().catch(e => U.flash(e.message, "error"));
  // a notification's 查看 (a rejected member: /union/members?member=<id>) opens that member
  const asked = new URLSearchParams(location.search).get("member");
  if (asked && /^\d{1,10}$/.test(asked)) openMember(asked).catch(e => U.flash(e.message, "error"));
});
