//! `index.html`: one self-contained page per run (no file, font or script fetched; a little inline
//! JavaScript). It shows the counts and provenance, a summary matrix (spec file by outcome), the
//! cases grouped by spec file with each requirement's sentences and evidence grades beside the
//! case, the expected and observed values and, for failed cases and known deviations, every
//! exchange with the target (secrets redacted; [`crate::exchange`]). Each requirement links to
//! its section at the end of the page (same anchor names as in `spec/`), which lists the
//! section's sentences and the cases that check it. Checkboxes filter the cases by outcome.
//!
//! The script builds the summary matrix from the case rows (`id="summary-matrix"`, with a static
//! copy inside `<noscript>`), applies the filters and opens the exchanges of failed cases;
//! `scripts/report-browser-check.sh` checks in headless Chromium that it ran.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{CaseReport, Report, Verdict};

/// The outcomes in the order the matrix and the filters list them.
const OUTCOMES: [Verdict; 5] = [
    Verdict::Failed,
    Verdict::Known,
    Verdict::Passed,
    Verdict::Skipped,
    Verdict::NotApplicable,
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The spec file a case belongs to (`cache.md`).
fn spec_file(c: &CaseReport) -> String {
    c.requirement
        .trim_start_matches("spec/")
        .split('#')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// The in-page id of a requirement's section: `spec/cache.md#boundary` -> `req-cache-boundary`.
fn requirement_id(requirement: &str) -> String {
    let r = requirement.trim_start_matches("spec/").replace(".md#", "-");
    format!(
        "req-{}",
        r.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-")
    )
}

fn file_id(file: &str) -> String {
    format!("file-{}", file.trim_end_matches(".md"))
}

fn exchanges_html(c: &CaseReport) -> String {
    if c.exchanges.is_empty() {
        return String::new();
    }
    let synthesized = c.exchanges.iter().any(|e| e.synthesized);
    let mut s = format!(
        "<details class=\"exchanges\"><summary>{} exchange(s) with the target{}{}</summary>",
        c.exchanges.len(),
        if c.exchanges_dropped > 0 {
            format!(" (the last ones; {} earlier not kept)", c.exchanges_dropped)
        } else {
            String::new()
        },
        if synthesized {
            "; synthesised from the in-process engine's typed requests and answers (no HTTP)"
        } else {
            ""
        }
    );
    let first = c.exchanges_dropped;
    for (i, e) in c.exchanges.iter().enumerate() {
        let status = e
            .status
            .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
        let _ = write!(
            s,
            "<details class=\"exchange\"><summary>{}. {} &rarr; {}</summary><pre class=\"exchange\">{}</pre></details>",
            first + i + 1,
            escape(&e.label()),
            escape(&status),
            escape(&e.text())
        );
    }
    s.push_str("</details>");
    s
}

fn detail_html(c: &CaseReport) -> String {
    let expected_observed = |open: bool| {
        format!(
            "<details class=\"eo\"{}><summary>expected vs observed</summary><p><b>expected</b></p><pre>{}</pre><p><b>observed</b></p><pre>{}</pre></details>",
            if open { " open" } else { "" },
            escape(c.expected.as_deref().unwrap_or("")),
            escape(c.observed.as_deref().unwrap_or(""))
        )
    };
    match c.outcome {
        Verdict::Passed => escape(c.reason.as_deref().unwrap_or("")),
        Verdict::Failed => format!("{}{}", expected_observed(true), exchanges_html(c)),
        Verdict::Known => format!(
            "{}{}{}",
            escape(c.reason.as_deref().unwrap_or("")),
            expected_observed(false),
            exchanges_html(c)
        ),
        Verdict::Skipped | Verdict::NotApplicable => escape(c.reason.as_deref().unwrap_or("")),
    }
}

fn requirement_html(c: &CaseReport) -> String {
    let section = crate::requirements::section(&c.requirement);
    let mut s = format!(
        "<a class=\"req\" href=\"#{}\"><code>{}</code></a>",
        requirement_id(&c.requirement),
        escape(&c.requirement)
    );
    if let Some(sec) = section {
        let _ = write!(s, " <small>{}</small>", escape(&sec.title));
        s.push_str("<div class=\"req-text\">");
        for line in &sec.sentences {
            let _ = write!(s, "<p>{}</p>", escape(line));
        }
        s.push_str("</div>");
    }
    let _ = write!(
        s,
        "<small class=\"evidence\">evidence: {}</small>",
        escape(&crate::grades::join(&c.evidence))
    );
    s
}

fn case_row(c: &CaseReport) -> String {
    format!(
        "<tr class=\"case {o}\" id=\"case-{anchor}\" data-outcome=\"{o}\" data-file=\"{file}\"><td><code>{id}</code><br><small>{title}</small></td><td>{req}</td><td class=\"v\">{o}</td><td>{detail}</td><td>{ms}&nbsp;ms</td></tr>\n",
        o = c.outcome.as_str(),
        anchor = escape(&c.id.replace('/', "-")),
        file = escape(&spec_file(c)),
        id = escape(&c.id),
        title = escape(&c.title),
        req = requirement_html(c),
        detail = detail_html(c),
        ms = c.duration_ms,
    )
}

/// The matrix as static HTML (inside `<noscript>`; the script builds the same from the rows).
fn static_matrix(by_file: &BTreeMap<String, Vec<&CaseReport>>) -> String {
    let mut s = String::from(
        "<table class=\"matrix\" id=\"summary-matrix-static\"><thead><tr><th>spec file</th>",
    );
    for o in OUTCOMES {
        let _ = write!(s, "<th>{}</th>", o.as_str());
    }
    s.push_str("<th>total</th></tr></thead><tbody>");
    for (file, cases) in by_file {
        let _ = write!(s, "<tr><th>{}</th>", escape(file));
        for o in OUTCOMES {
            let n = cases.iter().filter(|c| c.outcome == o).count();
            let _ = write!(s, "<td class=\"{}\">{n}</td>", o.as_str());
        }
        let _ = write!(s, "<td>{}</td></tr>", cases.len());
    }
    s.push_str("</tbody></table>");
    s
}

const SCRIPT: &str = r#"(function () {
  var outcomes = OUTCOMES_JSON;
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.case'));
  var files = [];
  rows.forEach(function (r) { if (files.indexOf(r.dataset.file) < 0) files.push(r.dataset.file); });
  var table = document.createElement('table');
  table.id = 'summary-matrix';
  table.className = 'matrix';
  table.setAttribute('data-built', 'js');
  var head = '<thead><tr><th>spec file</th>';
  outcomes.forEach(function (o) { head += '<th>' + o + '</th>'; });
  table.innerHTML = head + '<th>total</th></tr></thead>';
  var body = document.createElement('tbody');
  var totals = {};
  files.concat(['all']).forEach(function (f) {
    var mine = f === 'all' ? rows : rows.filter(function (r) { return r.dataset.file === f; });
    var tr = document.createElement('tr');
    var th = document.createElement('th');
    if (f === 'all') { th.textContent = 'all'; } else {
      var a = document.createElement('a');
      a.href = '#file-' + f.replace(/\.md$/, '');
      a.textContent = 'spec/' + f;
      th.appendChild(a);
    }
    tr.appendChild(th);
    outcomes.forEach(function (o) {
      var td = document.createElement('td');
      var n = mine.filter(function (r) { return r.dataset.outcome === o; }).length;
      td.textContent = n;
      if (n > 0) td.className = o;
      td.setAttribute('data-outcome', o);
      tr.appendChild(td);
    });
    var total = document.createElement('td');
    total.textContent = mine.length;
    tr.appendChild(total);
    body.appendChild(tr);
  });
  table.appendChild(body);
  document.getElementById('matrix').appendChild(table);

  var boxes = Array.prototype.slice.call(document.querySelectorAll('input.filter'));
  function apply() {
    var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    rows.forEach(function (r) { r.hidden = on.indexOf(r.dataset.outcome) < 0; });
    Array.prototype.forEach.call(document.querySelectorAll('section.spec-file'), function (s) {
      var any = Array.prototype.some.call(s.querySelectorAll('tr.case'), function (r) { return !r.hidden; });
      s.hidden = !any;
    });
    var shown = rows.filter(function (r) { return !r.hidden; }).length;
    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' cases shown';
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  document.getElementById('only-failed').addEventListener('click', function () {
    boxes.forEach(function (b) { b.checked = b.value === 'failed'; });
    apply();
  });
  document.getElementById('show-all').addEventListener('click', function () {
    boxes.forEach(function (b) { b.checked = true; });
    apply();
  });
  Array.prototype.forEach.call(document.querySelectorAll('tr.case.failed details.exchanges'), function (d) { d.open = true; });
  apply();
})();"#;

/// The HTML page of `report`.
pub fn to_html(report: &Report) -> String {
    let p = &report.provenance;
    let mut by_file: BTreeMap<String, Vec<&CaseReport>> = BTreeMap::new();
    for c in &report.cases {
        by_file.entry(spec_file(c)).or_default().push(c);
    }
    let mut sections = String::new();
    for (file, cases) in &by_file {
        let _ = write!(
            sections,
            "<section class=\"spec-file\" id=\"{id}\"><h2>spec/{f}</h2>\n<table class=\"cases\"><thead><tr><th>case</th><th>requirement</th><th>outcome</th><th>details</th><th>time</th></tr></thead>\n<tbody>\n",
            id = escape(&file_id(file)),
            f = escape(file)
        );
        for c in cases {
            sections.push_str(&case_row(c));
        }
        sections.push_str("</tbody></table></section>\n");
    }
    // The requirements checked, each under its spec anchor, with the cases that check it.
    let mut checked: BTreeMap<&str, Vec<&CaseReport>> = BTreeMap::new();
    for c in &report.cases {
        checked.entry(c.requirement.as_str()).or_default().push(c);
    }
    let mut appendix = String::new();
    for (req, cases) in &checked {
        let section = crate::requirements::section(req);
        let _ = write!(
            appendix,
            "<section class=\"requirement\" id=\"{}\"><h3><code>{}</code> {}</h3>",
            requirement_id(req),
            escape(req),
            escape(section.map_or("", |s| s.title.as_str()))
        );
        for line in section.map(|s| s.sentences.as_slice()).unwrap_or_default() {
            let _ = write!(appendix, "<p>{}</p>", escape(line));
        }
        appendix.push_str("<p>Checked by: ");
        let links: Vec<String> = cases
            .iter()
            .map(|c| {
                format!(
                    "<a href=\"#case-{}\"><code>{}</code></a> ({})",
                    escape(&c.id.replace('/', "-")),
                    escape(&c.id),
                    c.outcome.as_str()
                )
            })
            .collect();
        appendix.push_str(&links.join(", "));
        appendix.push_str("</p></section>\n");
    }
    let mut filters = String::new();
    for o in OUTCOMES {
        let _ = write!(
            filters,
            "<label class=\"{o}\"><input type=\"checkbox\" class=\"filter\" value=\"{o}\" checked> {o} ({n})</label> ",
            o = o.as_str(),
            n = report.count(o)
        );
    }
    let outcomes_json =
        serde_json::to_string(&OUTCOMES.iter().map(|o| o.as_str()).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".to_owned());
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ddbsse conformance: {target}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
table.cases {{ width: 100%; }}
table.provenance {{ margin-bottom: 1em; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left; }}
tr.passed td.v, td.passed {{ background: #d4f7d4; }}
tr.failed td.v, td.failed {{ background: #f7d4d4; }}
tr.skipped td.v, tr.not-applicable td.v, td.skipped, td.not-applicable {{ background: #eee; }}
tr.known td.v, td.known {{ background: #f7ecd4; }}
.req-text p {{ margin: 0.3em 0; font-size: 0.85em; max-width: 50em; }}
.filters label {{ margin-right: 1em; }}
pre {{ white-space: pre-wrap; max-width: 90em; }}
pre.exchange {{ background: #f6f6f6; padding: 0.5em; font-size: 0.85em; }}
[hidden] {{ display: none !important; }}
</style></head><body>
<h1>ddbsse conformance: {target}</h1>
<p>{summary}; {n} cases in {secs:.1} s.</p>
<p>{evidence_line}.</p>
<p>Capabilities: <code>{caps}</code></p>
<table class="provenance"><tbody>
<tr><th>ddbsse</th><td>{version} (commit <code>{commit}</code>)</td></tr>
<tr><th>spec</th><td>{specs}</td></tr>
<tr><th>target</th><td><code>{ptarget}</code></td></tr>
<tr><th>seed</th><td>{seed}</td></tr>
<tr><th>date (UTC)</th><td>{date}</td></tr>
<tr><th>options</th><td><code>{options}</code></td></tr>
</tbody></table>
<h2>Summary by spec file</h2>
<div id="matrix"><noscript>{static_matrix}</noscript></div>
<p class="filters">Show: {filters}<button type="button" id="only-failed">only failed</button> <button type="button" id="show-all">all</button> <span id="shown"></span></p>
{sections}<h2>Requirements checked</h2>
{appendix}<script>
{script}
</script></body></html>
"#,
        target = escape(&report.target),
        summary = escape(&report.summary_line()),
        evidence_line = escape(&report.evidence_breakdown_line()),
        n = report.cases.len(),
        secs = report.duration_ms as f64 / 1000.0,
        caps = escape(&report.capabilities.to_string()),
        version = escape(&p.ddbsse_version),
        commit = escape(&p.git_commit),
        specs = escape(
            &p.spec_versions
                .iter()
                .map(|(f, v)| format!("{f} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ptarget = escape(&p.target),
        seed = p.seed,
        date = escape(&p.date),
        options = escape(&serde_json::to_string(&p.options).unwrap_or_default()),
        static_matrix = static_matrix(&by_file),
        script = SCRIPT.replace("OUTCOMES_JSON", &outcomes_json),
    )
}
