/* The page uploads.html: its data from /api/v1 (see app.js); a static file, as the pages' strict
   Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const role = document.body.dataset.role;
  // The kinds of upload and the sync categories are the members service's (GET /uploads/kinds).
  const kindSel = document.getElementById("kind");
  let KINDS = {}, titles = {}, catNames = {};
  const keyOf = k => k.kind.replace(/_/g, "-") + (k.dry_run ? "-dry" : "");
  function syncKind() {
    const k = KINDS[kindSel.value];
    if (!k) return;
    document.getElementById("kind-hint").textContent = k.hint;
    document.getElementById("template").href = `/api/v1/members${k.template_path}`;
  }
  async function loadKinds() {
    const data = await U.api("GET", "/members/uploads/kinds");
    const mine = data.kinds.filter(k => k.roles.includes(role));
    KINDS = Object.fromEntries(mine.map(k => [keyOf(k), k]));
    titles = Object.fromEntries(data.kinds.filter(k => !k.dry_run).map(k => [k.kind, k.title]));
    catNames = Object.fromEntries([...data.categories.map(c => [c.code, `${c.code} ${c.short_name}`]),
                                   ...(data.counts || []).map(c => [c.key, c.label])]);
    kindSel.innerHTML = mine.map(k => `<option value="${U.esc(keyOf(k))}">${U.esc(k.title)}</option>`).join("");
    syncKind();
  }
  kindSel.addEventListener("change", () => {  // another task: the last task's result is not about it
    syncKind(); U.startAction();
    document.getElementById("outcome").innerHTML = ""; showErrors([], 0, null);
  });
  function showCounts(counts) {
    if (!counts) return "";
    return "<ul>" + Object.entries(counts).map(([k, v]) => `<li>${U.esc(catNames[k] || k)}：<strong>${U.esc(v)}</strong></li>`).join("") + "</ul>";
  }
  async function poll(job) {
    const prog = document.getElementById("progress");
    prog.hidden = false;
    while (job.state === "running") {
      const pct = job.total ? Math.round(100 * job.done / job.total) : 0;
      document.getElementById("bar").value = pct;
      document.getElementById("progress-text").textContent = job.done ? `正在处理 ${job.done} / ${job.total} 行` :
        `已接收 ${job.total} 行，等待处理（0 / ${job.total}）`;
      await new Promise(r => setTimeout(r, 700));
      job = await U.api("GET", `/members/uploads/${job.id}`);
    }
    prog.hidden = true;
    return job;
  }
  // Errors come a page at a time (≤100, GET /uploads/{id}/errors); all of them as a workbook.
  // The cell once, as the clerk typed it (their own file): the 证件号码 column only helps find a
  // row whose error is in another column, never repeats the cell.
  const ERROR_COLUMNS = [{ key: "row", title: "行号" }, { key: "column", title: "列" }, { key: "value", title: "单元格内容" },
    { key: "message", title: "问题（请按此修改）" }, { key: "name", title: "姓名" },
    { title: "证件号码", render: e => e.column === "证件号码" ? "" : e.id_number }];
  let errorPaging = null;
  function showErrors(first, count, jobId) {
    const pager = document.getElementById("rows-pager");
    // no errors: no error table at all (an empty one read 暂无数据 under a good result)
    document.getElementById("rows").innerHTML = first && first.length ? U.table(ERROR_COLUMNS, first) : "";
    if (!jobId || !count) { pager.hidden = true; return; }
    errorPaging = { jobId, page: 1, pages: Math.max(1, Math.ceil(count / 100)), count };
    document.getElementById("errors-download").href = `/api/v1/members/uploads/${jobId}/errors.xlsx`;
    pager.hidden = false; pageText();
  }
  function pageText() {
    const p = errorPaging;
    document.getElementById("page-text").textContent = `共 ${p.count} 条错误，第 ${p.page} / ${p.pages} 页`;
    document.getElementById("prev-page").disabled = p.page <= 1;
    document.getElementById("next-page").disabled = p.page >= p.pages;
  }
  const errorLoads = U.newest();  // pages turned quickly: only the newest answer draws
  async function turn(by) {
    const mine = errorLoads.begin();
    const p = errorPaging;
    if (!p) return;
    const page = Math.min(p.pages, Math.max(1, p.page + by));
    const data = await U.api("GET", `/members/uploads/${p.jobId}/errors?page=${page}&per_page=100`);
    if (errorLoads.stale(mine)) return;
    p.page = page; pageText();
    document.getElementById("rows").innerHTML = U.table(ERROR_COLUMNS, data.items);
  }
  document.getElementById("prev-page").addEventListener("click", () => turn(-1).catch(e => U.flash(e.message, "error")));
  document.getElementById("next-page").addEventListener("click", () => turn(1).catch(e => U.flash(e.message, "error")));
  // A sync run's C and D people, paged from the run's stored result (GET /uploads/{id}/people) —
  // the same people its 导出结果 workbook lists, for a 预检 as for a real sync.
  const PEOPLE_NAMES = { C: "在其他单位（同步时申请转入）", D: "本会有而名单中没有（同步后标记未同步）" };
  const PEOPLE_COLUMNS = [{ key: "name", title: "姓名" }, { key: "id_number", title: "证件号码" },
    { key: "member_no", title: "会员编号" }, { key: "union_name", title: "所在工会", wrap: true }, { key: "district_name", title: "所属区局" }];
  let people = null;
  const peopleLoads = U.newest();  // C/D and pages turned quickly: only the newest answer draws
  async function showPeople(job, category = "C", page = 1) {
    const mine = peopleLoads.begin();
    const box = document.getElementById("people");
    if (!job || !job.people_path) { box.hidden = true; people = null; return; }
    const data = await U.api("GET", `/members${job.people_path}?` + new URLSearchParams({ category, page, per_page: 50 }));
    if (peopleLoads.stale(mine)) return;
    people = { job, category, page, pages: Math.max(1, Math.ceil(data.total / 50)) };
    box.hidden = false;
    document.getElementById("people-title").textContent =
      `${job.dry_run ? "预检" : "同步"}名单（${U.time(job.created_at)}）：${category} ${PEOPLE_NAMES[category]}，共 ${data.total} 人`;
    for (const c of ["C", "D"]) {
      const b = document.getElementById(`people-${c.toLowerCase()}`);
      b.setAttribute("aria-pressed", String(c === category)); b.classList.toggle("secondary", c !== category);
    }
    document.getElementById("people-download").href = `/api/v1/members${job.result_path}`;
    document.getElementById("people-table").innerHTML = U.table(PEOPLE_COLUMNS, data.items, "无");
    document.getElementById("people-page").textContent = `第 ${page} / ${people.pages} 页`;
    document.getElementById("people-prev").disabled = page <= 1;
    document.getElementById("people-next").disabled = page >= people.pages;
  }
  const turnPeople = (category, page) => people && showPeople(people.job, category, page).catch(e => U.flash(e.message, "error"));
  document.getElementById("people-c").addEventListener("click", () => turnPeople("C", 1));
  document.getElementById("people-d").addEventListener("click", () => turnPeople("D", 1));
  document.getElementById("people-prev").addEventListener("click", () => people && turnPeople(people.category, people.page - 1));
  document.getElementById("people-next").addEventListener("click", () => people && turnPeople(people.category, people.page + 1));
  function showJob(job) {
    const out = document.getElementById("outcome");
    if (job.state === "succeeded") {
      out.innerHTML = `<p class="notice">${job.dry_run ? "预检完成（未做任何修改）" : "处理完成"}</p>` + showCounts(job.counts) +
        (job.result_path ? `<p><a href="/api/v1/members${job.result_path}">导出结果</a></p>` : "");
      showErrors([], 0, null);
      showPeople(job).catch(e => U.flash(e.message, "error"));
    } else {
      out.innerHTML = `<p class="error">${U.esc(job.message || "导入信息有以下错误,请重新修改后导入")}` +
        (job.error_count ? `（共 ${U.esc(job.error_count)} 条，未做任何修改）` : "") + "</p>" + showCounts(job.counts);
      showErrors(job.errors, job.error_count, job.id);
    }
  }
  async function history() {
    const data = await U.api("GET", "/members/uploads?per_page=20");
    const state = { running: "处理中", succeeded: "成功", failed: "未通过" };
    document.getElementById("history").innerHTML = U.table([
      { title: "时间", render: j => U.time(j.created_at) },
      { title: "类型", render: j => (titles[j.kind] || j.kind) + (j.dry_run ? "（预检）" : "") }, { key: "filename", title: "文件" },
      { title: "结果", render: j => state[j.state] || j.state }, { title: "行数", render: j => j.total },
      { title: "导出", html: j => (j.result_path ? `<a href="/api/v1/members${j.result_path}">导出结果</a> ` : "") +
        (j.people_path ? `<button type="button" class="small secondary" data-people="${U.esc(j.id)}">查看 C/D 名单</button> ` : "") +
        (j.errors_download_path ? `<a href="/api/v1/members${j.errors_download_path}">错误清单（${U.esc(j.error_count)} 条）</a>` : "") }],
      data.items, "暂无记录");
    const jobs = Object.fromEntries(data.items.map(j => [String(j.id), j]));
    document.querySelectorAll("[data-people]").forEach(b => b.addEventListener("click", () =>
      showPeople(jobs[b.dataset.people]).then(() => document.getElementById("people").scrollIntoView())
        .catch(e => U.flash(e.message, "error"))));
  }
  let union = null;  // the clerk's own union, named in the sync's confirmation
  const unionName = async () => {
    if (union === null && document.body.dataset.unionId) {
      union = await U.api("GET", `/members/unions/${document.body.dataset.unionId}`).then(u => u.name).catch(() => "");
    }
    return union || "";
  };
  U.onSubmit(document.getElementById("upload"), async (v, form) => {
    const kind = KINDS[kindSel.value], file = document.getElementById("file").files[0];
    const body = new FormData(); body.append("file", file);
    document.getElementById("outcome").innerHTML = ""; showErrors([], 0, null); showPeople(null);
    const path = `/members${kind.upload_path}`;
    if (kind.dry_run) body.append("dry_run", "true");
    if (kind.kind === "sync" && !kind.dry_run && !(await U.confirm({ title: "同步会员", ok: "开始同步",
      text: "同步将按名单修改本会会员；名单有错误行时不做任何修改。",
      facts: [["工会", await unionName()], ["名单文件", file && file.name]] }))) return;
    try {
      const res = await U.api("POST", path, body);
      if (res && res.state) showJob(await poll(res));
      else {
        document.getElementById("outcome").innerHTML = `<p class="notice">处理完成</p>` +
          (res.notice ? `<p class="hint">${U.esc(res.notice)}</p>` : "") +
          showCounts(Object.fromEntries(Object.entries(res).filter(([k]) => k !== "job_id" && k !== "notice")));
      }
      // clear the file, keep the task the clerk chose (after a real sync it stays 同步会员)
      const chosen = kindSel.value; form.reset(); kindSel.value = chosen; syncKind();
    } catch (err) {
      if (!(err instanceof U.ApiError)) throw err;
      U.showError(err, form, document.getElementById("rows"));
      if (err.rows && err.rows.length) {
        const d = err.detail || {};
        showErrors(err.rows, d.error_count || err.rows.length, d.job_id);
        if (d.error_count) document.getElementById("outcome").innerHTML =
          `<p class="error">${U.esc(err.message)}（共 ${U.esc(d.error_count)} 条，未做任何修改）</p>`;
      }
    } finally { history(); }
  });
  loadKinds().then(history).catch(e => U.flash(e.message, "error"));
});
