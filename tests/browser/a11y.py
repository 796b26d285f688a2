"""What a page must be for a clerk, checked in the page itself: axe-core's accessibility rules
(vendored, tests/browser/vendor, no network at test time) with no serious or critical violation,
and not one English word of our own text on screen."""
from __future__ import annotations

import re
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.10.3"

# Latin letters a clerk may meet on screen: the cover types, file kinds, the date format the
# date fields ask for, batch numbers, and data the people typed themselves (checked apart).
ALLOWED = re.compile(r"^(A\+?|B\+?|Excel|PDF|JPG|PNG|XLSX|YYYY|MM|DD|CB\d*|JB\d*)$")


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it is now; the violations of the given impacts."""
    if not page.evaluate("() => !!window.axe"):
        # evaluated by the browser's debugging protocol, not as an inline <script>: the pages' strict
        # Content-Security-Policy refuses inline scripts (and reports each refusal)
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + n.failureSummary) }));
    }""")
    return [v for v in result if v["impact"] in impacts]


def english_words(page) -> list[str]:
    """Latin words in what the page shows (text, placeholders, button names, accessible names),
    leaving out the allowed ones, anything with a digit, an @ or a dot (data: e-mail addresses,
    references, file names) and what is marked as another language (`lang="en"`: a User-Agent) or
    not to be translated (`translate="no"`: a username, a request line in the audit trail)."""
    texts = page.evaluate("""() => {
        const out = [];
        // what is marked as in another language is data (a browser's User-Agent), not our text
        // and so is what is marked not to be translated (a username, a request line)
        const foreign = el => { const l = el.closest("[lang]"); return (l && !/^zh/i.test(l.lang)) || !!el.closest("[translate=no]"); };
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const n = walker.currentNode, el = n.parentElement;
          if (!el || el.closest("script,style,[hidden],[aria-hidden=true]") || foreign(el)) continue;
          if (!el.getClientRects().length) continue;
          out.push(n.textContent);
        }
        document.querySelectorAll("[placeholder],[aria-label],[title]").forEach(el => {
          if (!el.getClientRects().length || foreign(el)) return;
          for (const a of ["placeholder", "aria-label", "title"]) if (el.getAttribute(a)) out.push(el.getAttribute(a));
        });
        document.querySelectorAll("input").forEach(el => {  // data typed by people is theirs
          if (["submit", "button"].includes(el.type) && el.value) out.push(el.value);
        });
        return out;
    }""")
    words = set()
    for text in texts:
        for token in re.split(r"[\s，。；：、（）()/“”\"'·,:;|\[\]<>—–-]+", text):
            if not re.search(r"[A-Za-z]", token) or re.search(r"[\d@._]", token) or ALLOWED.match(token):
                continue
            words.add(token)
    return sorted(words)
