//! How each requirement is known: the evidence grades of the `Evidence:` line of its spec section
//! (`spec/README.md#sources`), read from the spec files embedded at build time. `aws-doc`: AWS
//! documentation or an AWS service model; `observed`: a public capture of live AWS behaviour;
//! `decided`: no AWS source, a choice of this project. A section may carry several grades
//! (`Evidence: aws-doc; decided (the 300 s boundary)`); words inside a parenthesis are not grades.
//!
//! Every report shows the grades of each case's requirement, and the terminal output counts the
//! failures by grade, so that a failure against AWS's documentation can be told from a failure
//! against a choice of this project.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::provenance::SPEC_FILES;

/// One evidence grade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grade {
    /// AWS documentation or an AWS service model, cited in the section's Source.
    AwsDoc,
    /// A public capture of AWS behaviour, cited in the section's Source.
    Observed,
    /// No AWS source: decided by this project, with the reason in the section.
    Decided,
}

impl Grade {
    /// Every grade, in the order reports list them.
    pub const ALL: [Grade; 3] = [Grade::AwsDoc, Grade::Observed, Grade::Decided];

    /// `aws-doc`, `observed` or `decided`.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::AwsDoc => "aws-doc",
            Grade::Observed => "observed",
            Grade::Decided => "decided",
        }
    }

    fn parse(word: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.as_str() == word)
    }
}

/// The grades of an `Evidence:` line's text (after the colon), in [`Grade::ALL`] order, or
/// `None` when an item is not a grade.
pub fn parse_line(text: &str) -> Option<Vec<Grade>> {
    let mut outside = String::new();
    let mut depth = 0usize;
    for ch in text.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside.push(ch),
            _ => {}
        }
    }
    let mut grades = Vec::new();
    for item in outside.split(';') {
        grades.push(Grade::parse(item.trim())?);
    }
    grades.sort();
    grades.dedup();
    Some(grades)
}

/// `spec/<file>.md#<anchor>` to the grades of that section, for every section with an
/// `Evidence:` line (fenced blocks skipped).
fn table() -> &'static HashMap<String, Vec<Grade>> {
    static TABLE: OnceLock<HashMap<String, Vec<Grade>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        for (file, text) in SPEC_FILES {
            let mut anchor: Option<&str> = None;
            let mut fenced = false;
            for line in text.lines() {
                if line.starts_with("```") {
                    fenced = !fenced;
                    continue;
                }
                if fenced {
                    continue;
                }
                if line.starts_with('#') {
                    anchor = line
                        .rsplit_once("{#")
                        .and_then(|(_, rest)| rest.trim_end().strip_suffix('}'));
                } else if let (Some(a), Some(rest)) = (anchor, line.strip_prefix("Evidence:"))
                    && let Some(grades) = parse_line(rest)
                {
                    map.insert(format!("spec/{file}#{a}"), grades);
                }
            }
        }
        map
    })
}

/// The grades of `requirement` (`spec/<file>.md#<anchor>`); empty when its section has no valid
/// `Evidence:` line (`scripts/traceability.sh` fails on such a section).
pub fn of(requirement: &str) -> Vec<Grade> {
    table().get(requirement).cloned().unwrap_or_default()
}

/// `aws-doc, decided`, or `none` for no grade.
pub fn join(grades: &[Grade]) -> String {
    if grades.is_empty() {
        return "none".to_owned();
    }
    grades
        .iter()
        .map(|g| g.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sections_have_their_grades() {
        assert_eq!(
            of("spec/cache.md#boundary"),
            [Grade::AwsDoc, Grade::Decided]
        );
        assert_eq!(of("spec/tables.md#sse-resolve-once"), [Grade::Observed]);
        assert_eq!(of("spec/conformance.md#outcomes"), [Grade::Decided]);
        assert_eq!(
            of("spec/errors.md#crc32"),
            [Grade::AwsDoc, Grade::Observed, Grade::Decided]
        );
        assert_eq!(of("spec/trail.md#record"), [Grade::AwsDoc, Grade::Decided]);
        assert_eq!(of("spec/kms.md#update-key-description"), [Grade::AwsDoc]);
        assert!(of("spec/cache.md#no-such-section").is_empty());
    }

    #[test]
    fn words_in_a_parenthesis_are_not_grades() {
        assert_eq!(
            parse_line(" aws-doc (five minutes); decided (observed 400, not aws-doc)"),
            Some(vec![Grade::AwsDoc, Grade::Decided])
        );
        assert_eq!(parse_line(" observed; guessed"), None);
        assert_eq!(parse_line(" "), None);
    }

    #[test]
    fn every_case_requirement_has_a_grade() {
        for case in crate::cases::all() {
            assert!(
                !of(&case.requirement()).is_empty(),
                "{}: {} has no Evidence grade",
                case.id,
                case.requirement()
            );
        }
    }
}
