//! `index.html`: one self-contained page per target (no scripts or files fetched), with the
//! counts, and a table of every case with its requirement and the requirement's evidence grades,
//! outcome, expected and observed values.

use super::{Report, Verdict};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The HTML page of `report`.
pub fn to_html(report: &Report) -> String {
    let p = &report.provenance;
    let mut rows = String::new();
    for c in &report.cases {
        let detail = match c.outcome {
            Verdict::Passed => String::new(),
            Verdict::Failed => format!(
                "<details><summary>expected vs observed</summary><p><b>expected</b></p><pre>{}</pre><p><b>observed</b></p><pre>{}</pre></details>",
                escape(c.expected.as_deref().unwrap_or("")),
                escape(c.observed.as_deref().unwrap_or(""))
            ),
            Verdict::Skipped | Verdict::Known | Verdict::NotApplicable => {
                let mut s = escape(c.reason.as_deref().unwrap_or(""));
                if c.expected.is_some() || c.observed.is_some() {
                    s.push_str(&format!(
                        "<details><summary>expected vs observed</summary><pre>{}</pre><pre>{}</pre></details>",
                        escape(c.expected.as_deref().unwrap_or("")),
                        escape(c.observed.as_deref().unwrap_or(""))
                    ));
                }
                s
            }
        };
        rows.push_str(&format!(
            "<tr class=\"{o}\"><td><code>{id}</code><br><small>{title}</small></td><td><code>{req}</code><br><small class=\"evidence\">evidence: {evidence}</small></td><td class=\"v\">{o}</td><td>{detail}</td><td>{ms}&nbsp;ms</td></tr>\n",
            o = c.outcome.as_str(),
            id = escape(&c.id),
            title = escape(&c.title),
            req = escape(&c.requirement),
            evidence = escape(&crate::grades::join(&c.evidence)),
            ms = c.duration_ms,
        ));
    }
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ddbsse conformance: {target}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; width: 100%; }}
table.provenance {{ width: auto; margin-bottom: 1em; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left; }}
tr.passed td.v {{ background: #d4f7d4; }}
tr.failed td.v {{ background: #f7d4d4; }}
tr.skipped td.v, tr.not-applicable td.v {{ background: #eee; }}
tr.known td.v {{ background: #f7ecd4; }}
pre {{ white-space: pre-wrap; max-width: 70em; }}
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
<table><thead><tr><th>case</th><th>requirement</th><th>outcome</th><th>details</th><th>time</th></tr></thead>
<tbody>
{rows}</tbody></table></body></html>
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
    )
}
