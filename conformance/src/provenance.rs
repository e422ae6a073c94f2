//! Where a report comes from: the ddbsse version and git commit the harness was built from, the
//! version line of every spec file it was built with, the lockstep seed, the target, its
//! capabilities, the date (UTC) and the options of the run. Every report format records it, so
//! that two reports can be told apart and a result traced back to the text it checked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The spec files, embedded at build time (their first lines carry `Version: x.y (date)`).
pub(crate) const SPEC_FILES: &[(&str, &str)] = &[
    ("README.md", include_str!("../../spec/README.md")),
    ("cache.md", include_str!("../../spec/cache.md")),
    ("conformance.md", include_str!("../../spec/conformance.md")),
    (
        "control-plane.md",
        include_str!("../../spec/control-plane.md"),
    ),
    ("errors.md", include_str!("../../spec/errors.md")),
    ("expressions.md", include_str!("../../spec/expressions.md")),
    ("items.md", include_str!("../../spec/items.md")),
    (
        "key-hierarchy.md",
        include_str!("../../spec/key-hierarchy.md"),
    ),
    ("kms.md", include_str!("../../spec/kms.md")),
    ("tables.md", include_str!("../../spec/tables.md")),
    ("trail.md", include_str!("../../spec/trail.md")),
];

/// The ddbsse version the harness was built as.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit the harness was built from (`git rev-parse HEAD` at build time), or `unknown`.
pub const GIT_COMMIT: &str = env!("DDBSSE_GIT_COMMIT");

/// `x.y (date)` of the `Version:` line of each spec file, by file name (`unknown` without one).
pub fn spec_versions() -> BTreeMap<String, String> {
    SPEC_FILES
        .iter()
        .map(|(name, text)| {
            let version = text
                .lines()
                .take(10)
                .find_map(|l| l.strip_prefix("Version:"))
                .map_or_else(|| "unknown".to_owned(), |v| v.trim().to_owned());
            ((*name).to_owned(), version)
        })
        .collect()
}

//= spec/conformance.md#reports
//# Every report (`report.json`, `junit.xml`, `index.html` and the terminal output) MUST record its provenance: the ddbsse version, the git commit the harness was built from (`unknown` outside a git checkout), the version line of every spec file, the lockstep seed, the target, its capabilities, the date in UTC and the options of the run.
/// The provenance of one report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The ddbsse version.
    pub ddbsse_version: String,
    /// The git commit of the build, or `unknown`.
    pub git_commit: String,
    /// Version line of each spec file, by file name.
    pub spec_versions: BTreeMap<String, String>,
    /// The seed of the lockstep case.
    pub seed: u64,
    /// What was checked: the endpoint URL, `embedded` or `model`.
    pub target: String,
    /// The target's capabilities as the harness saw them.
    pub capabilities: serde_json::Value,
    /// When the run started, UTC (`2026-12-06T20:20:00Z`).
    pub date: String,
    /// The options of the run (never a secret key).
    pub options: BTreeMap<String, serde_json::Value>,
}

impl Provenance {
    /// The provenance of a run starting now; `options` says how it was run.
    pub fn now(
        seed: u64,
        target: String,
        capabilities: serde_json::Value,
        options: BTreeMap<String, serde_json::Value>,
    ) -> Self {
        Self {
            ddbsse_version: VERSION.to_owned(),
            git_commit: GIT_COMMIT.to_owned(),
            spec_versions: spec_versions(),
            seed,
            target,
            capabilities,
            date: utc_now(),
            options,
        }
    }

    /// One line for the terminal: version, commit, seed, target, date.
    pub fn line(&self) -> String {
        format!(
            "provenance: ddbsse {} (commit {}), seed {}, target {}, {}",
            self.ddbsse_version,
            short_commit(&self.git_commit),
            self.seed,
            self.target,
            self.date
        )
    }

    /// The spec versions in one line, `cache.md 1.0 (2026-11-27), ...`.
    pub fn spec_line(&self) -> String {
        let parts: Vec<String> = self
            .spec_versions
            .iter()
            .map(|(f, v)| format!("{f} {v}"))
            .collect();
        format!("spec: {}", parts.join(", "))
    }

    /// The options in one line, `--case cache/ --seed 1 ...` order by name.
    pub fn options_line(&self) -> String {
        let parts: Vec<String> = self
            .options
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect();
        format!("options: {}", parts.join(" "))
    }

    /// Name and value pairs, for formats with flat properties (JUnit).
    pub fn properties(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("ddbsse.version".to_owned(), self.ddbsse_version.clone()),
            ("ddbsse.git_commit".to_owned(), self.git_commit.clone()),
            ("seed".to_owned(), self.seed.to_string()),
            ("target".to_owned(), self.target.clone()),
            ("capabilities".to_owned(), self.capabilities.to_string()),
            ("date".to_owned(), self.date.clone()),
        ];
        for (f, v) in &self.spec_versions {
            out.push((format!("spec.{f}"), v.clone()));
        }
        for (k, v) in &self.options {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push((format!("option.{k}"), v));
        }
        out
    }
}

fn short_commit(c: &str) -> &str {
    c.get(..12).unwrap_or(c)
}

/// The current UTC time, `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_now() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    ddbsse_wire::time::Timestamp(ms).event_time()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_file_has_a_version_line() {
        let v = spec_versions();
        assert_eq!(v.len(), SPEC_FILES.len());
        for (file, version) in &v {
            assert_ne!(version, "unknown", "{file} has no Version: line");
            assert!(version.contains('('), "{file}: {version}");
        }
        assert!(!GIT_COMMIT.is_empty());
    }
}
