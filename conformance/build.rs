//! Embeds the git commit of the checkout the harness is built from (`DDBSSE_GIT_COMMIT`), for the
//! provenance every report records. Outside a git checkout (a source tarball, a vendored copy) or
//! without `git`, the commit is `unknown`; this script never fails the build.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=DDBSSE_GIT_COMMIT");
    let commit = std::env::var("DDBSSE_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=DDBSSE_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves: the worktree's HEAD file, and the branch it points to (loose or
    // packed). Paths that do not exist are not named, or cargo would rerun this on every build.
    let watch = |p: &Path| {
        if p.exists() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    };
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        watch(&Path::new(&dir).join("HEAD"));
    }
    if let (Some(common), Some(branch)) = (
        git(&["rev-parse", "--git-common-dir"]),
        git(&["symbolic-ref", "-q", "HEAD"]),
    ) {
        let common = std::fs::canonicalize(&common).unwrap_or_else(|_| common.clone().into());
        watch(&common.join(&branch));
        watch(&common.join("packed-refs"));
    }
}
