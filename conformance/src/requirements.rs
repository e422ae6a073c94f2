//! The text of each requirement: the MUST/SHOULD/MAY lines of a spec section and its title, read
//! from the spec files embedded at build time, for reports that show a case's requirement beside
//! it (the HTML report, `--reproduce`). It does not grade or trace requirements
//! ([`crate::grades`] reads the grades; `scripts/traceability.sh` checks the citations).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::provenance::SPEC_FILES;

/// One section of a spec file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Section {
    /// The heading without its anchor (`2. Scope of an entry`).
    pub title: String,
    /// Its requirement lines (those with an RFC 2119 key word in capitals), in order.
    pub sentences: Vec<String>,
}

const KEY_WORDS: &[&str] = &["MUST", "SHOULD", "SHALL", "REQUIRED", "MAY", "RECOMMENDED"];

fn has_key_word(line: &str) -> bool {
    line.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| KEY_WORDS.contains(&w))
}

fn table() -> &'static HashMap<String, Section> {
    static TABLE: OnceLock<HashMap<String, Section>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map: HashMap<String, Section> = HashMap::new();
        for (file, text) in SPEC_FILES {
            let mut current: Option<String> = None;
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
                    current = line.rsplit_once("{#").and_then(|(head, rest)| {
                        let anchor = rest.trim_end().strip_suffix('}')?;
                        let key = format!("spec/{file}#{anchor}");
                        map.entry(key.clone()).or_default().title =
                            head.trim_start_matches('#').trim().to_owned();
                        Some(key)
                    });
                } else if let Some(key) = &current
                    && has_key_word(line)
                    && !line.starts_with("The key words")
                    && let Some(section) = map.get_mut(key)
                {
                    section.sentences.push(line.trim().to_owned());
                }
            }
        }
        map
    })
}

/// The section `requirement` (`spec/<file>.md#<anchor>`) names, if it exists.
pub fn section(requirement: &str) -> Option<&'static Section> {
    table().get(requirement)
}

/// The requirement lines of `requirement`'s section (empty when there is none).
pub fn sentences(requirement: &str) -> Vec<String> {
    section(requirement)
        .map(|s| s.sentences.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_gives_its_title_and_its_requirement_lines() {
        let s = section("spec/conformance.md#reports").expect("section exists");
        assert!(s.title.contains("Reports"), "{}", s.title);
        assert!(
            s.sentences
                .iter()
                .any(|l| l.starts_with("The terminal report MUST end with the line")),
            "{:?}",
            s.sentences
        );
        assert!(s.sentences.iter().all(|l| has_key_word(l)));
        assert!(sentences("spec/nothing.md#none").is_empty());
    }
}
