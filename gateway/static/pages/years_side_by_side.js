/* 历年对比 (years side by side), shared by the centre's 年度 page and the district's 参保审核 page:
   billing's GET /billing/years as a table (each year's headcount, premium and money received per
   type, with the change from the year before) and a bar chart of the headcount. */
"use strict";
window.YearsSideBySide = async function (box, query = "") {
  const d = await U.api("GET", "/billing/years" + query);
  const yuan = f => (f / 100).toFixed(2);
  const change = (c, money) => c.change == null ? "—"
    : `${c.change > 0 ? "+" : ""}${money ? yuan(c.change) : c.change}${c.change_percent == null ? "" : `（${c.change_percent > 0 ? "+" : ""}${c.change_percent}%）`}`;
  const rows = d.years.flatMap(y => [
    { year: `${y.cover_year} 年度`, type: "合计", headcount: y.headcount, hc: change(y.headcount_change), premium: yuan(y.premium_fen),
      pc: change(y.premium_fen_change, true), received: yuan(y.received_fen), rc: change(y.received_fen_change, true) },
    ...y.types.filter(t => t.headcount || (t.headcount_change.change || 0) !== 0).map(t => ({ year: "", type: `${t.type} 类`, headcount: t.headcount,
      hc: change(t.headcount_change), premium: yuan(t.premium_fen), pc: change(t.premium_fen_change, true), received: "", rc: "" })),
  ]);
  box.innerHTML = U.bars(d.years.map(y => ({ label: `${y.cover_year} 年度参保人数`, value: y.headcount, text: `${y.headcount} 人` }))) +
    U.table([{ key: "year", title: "年度" }, { key: "type", title: "保障类型" }, { key: "headcount", title: "参保人数" }, { key: "hc", title: "人数增减" },
      { key: "premium", title: "保障费用（元）" }, { key: "pc", title: "费用增减" }, { key: "received", title: "已缴（元）" }, { key: "rc", title: "已缴增减" }],
    rows, "尚无参保批次");
};
