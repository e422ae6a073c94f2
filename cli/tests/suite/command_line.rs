//! The command line as a user meets it: every `ddbsse serve` flag has its `DDBSSE_*` variable
//! and the variables reach a running server; `GET /_health` answers once it listens; completions
//! and the man page are generated from the same clap definition.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use clap::Args;

use super::trail_export::ddbsse_output;

#[test]
fn every_serve_flag_has_its_environment_variable() {
    let command = ddbsse_server::cli::ServeArgs::augment_args(clap::Command::new("serve"));
    let mut flags = 0;
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if long == "help" {
            continue;
        }
        flags += 1;
        let expected = format!("DDBSSE_{}", long.replace('-', "_").to_uppercase());
        assert_eq!(
            arg.get_env().and_then(|e| e.to_str()),
            Some(expected.as_str()),
            "--{long} has no environment variable {expected}"
        );
    }
    assert!(flags >= 12, "only {flags} flags found");
}

/// A `ddbsse serve` child that is killed when dropped.
struct Serving {
    child: Child,
    addr: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `ddbsse serve` configured only through the environment and waits for its line.
fn serve_from_environment(vars: &[(&str, &str)]) -> Serving {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ddbsse"));
    command
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in vars {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("ddbsse serve starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("ddbsse serve prints its address");
    let addr = line
        .trim()
        .strip_prefix("ddbsse listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Serving { child, addr }
}

/// One HTTP/1.1 request on a fresh connection; returns (status, body).
fn request(addr: &str, head: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout set");
    let text = format!(
        "{head}\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(text.as_bytes()).expect("request sent");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("reply read");
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = reply.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[test]
fn serve_takes_its_flags_from_the_environment_and_answers_health() {
    let server = serve_from_environment(&[
        ("DDBSSE_PORT", "0"),
        ("DDBSSE_REGION", "eu-west-3"),
        ("DDBSSE_ACCOUNT", "210987654321"),
    ]);
    let (status, body) = request(&server.addr, "GET /_health HTTP/1.1", "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"ok\""), "{body}");
    let (status, body) = request(
        &server.addr,
        "POST / HTTP/1.1\r\nX-Amz-Target: TrentService.CreateKey\r\nContent-Type: application/x-amz-json-1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDENV/20190311/eu-west-3/kms/aws4_request, SignedHeaders=host, Signature=0",
        "{}",
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("arn:aws:kms:eu-west-3:210987654321:key/"),
        "the key ARN names the region and account from the environment: {body}"
    );
}

#[test]
fn completions_and_man_page_come_from_the_command_definition() {
    let (ok, bash, stderr) = ddbsse_output(&["completions", "bash"]);
    assert!(ok, "{stderr}");
    for word in ["serve", "check", "trail", "--data-dir", "--trail-dir"] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    let (ok, zsh, stderr) = ddbsse_output(&["completions", "zsh"]);
    assert!(ok, "{stderr}");
    assert!(
        zsh.starts_with("#compdef ddbsse"),
        "{}",
        &zsh[..40.min(zsh.len())]
    );
    let (ok, man, stderr) = ddbsse_output(&["man"]);
    assert!(ok, "{stderr}");
    for page in [
        ".TH ddbsse 1",
        ".TH ddbsse-serve 1",
        ".TH ddbsse-check 1",
        ".TH ddbsse-trail 1",
    ] {
        assert!(man.contains(page), "man page lacks {page}");
    }
    assert!(
        man.contains("request\\-timeout"),
        "the serve page lists its flags"
    );
}

#[test]
fn check_refuses_aws_endpoints_without_the_opt_in() {
    let out = Command::new(env!("CARGO_BIN_EXE_ddbsse"))
        .args([
            "check",
            "--endpoint",
            "https://dynamodb.us-east-1.amazonaws.com",
        ])
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("ddbsse check runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pass --aws"), "{stderr}");
}

#[test]
fn check_takes_a_profile_of_the_shared_credentials_file_and_names_the_caller() {
    let server = serve_from_environment(&[("DDBSSE_PORT", "0"), ("DDBSSE_CLOCK", "manual")]);
    let dir = tempfile::tempdir().expect("temp dir");
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        "[sandbox]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = s\n\
         aws_session_token = TOKENFROMPROFILE\n",
    )
    .expect("credentials file");
    let out = Command::new(env!("CARGO_BIN_EXE_ddbsse"))
        .args([
            "check",
            "--endpoint",
            &format!("http://{}", server.addr),
            "--case",
            "tables/sse-owned-key/absent",
        ])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .env("AWS_CONFIG_FILE", dir.path().join("no-config"))
        .env("AWS_PROFILE", "sandbox")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("ddbsse check runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("caller: arn:aws:iam::123456789012:user/AKIDFROMPROFILE (IAMUser"),
        "{stdout}"
    );
    assert!(!stdout.contains("TOKENFROMPROFILE"), "{stdout}");
}

#[test]
fn check_reproduce_prints_only_a_script_and_replay_compares_with_a_recording() {
    // --reproduce against an HTTP endpoint: the endpoint and caller lines go to stderr, so
    // stdout is the script alone.
    let server = serve_from_environment(&[("DDBSSE_PORT", "0"), ("DDBSSE_CLOCK", "manual")]);
    let out = Command::new(env!("CARGO_BIN_EXE_ddbsse"))
        .args([
            "check",
            "--endpoint",
            &format!("http://{}", server.addr),
            "--reproduce",
            "tables/sse-customer-key/key-id",
        ])
        .output()
        .expect("ddbsse check runs");
    let script = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{script}");
    assert!(script.starts_with("#!/usr/bin/env bash\n"), "{script}");
    assert!(script.contains("call ") && script.contains("TrentService.CreateKey"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("endpoints: dynamodb"));
    let unknown = Command::new(env!("CARGO_BIN_EXE_ddbsse"))
        .args(["check", "--reproduce", "no/such/case"])
        .output()
        .expect("ddbsse check runs");
    assert_eq!(unknown.status.code(), Some(2));

    // --record on the embedded engine, then --replay against it: no difference, exit 0.
    let dir = tempfile::tempdir().expect("temp dir");
    let rec = dir.path().join("rec");
    let rec = rec.to_str().expect("utf-8");
    let recorded = Command::new(env!("CARGO_BIN_EXE_ddbsse"))
        .args(["check", "--case", "cache/boundary/", "--record", rec])
        .output()
        .expect("ddbsse check runs");
    assert!(recorded.status.success());
    let replayed = Command::new(env!("CARGO_BIN_EXE_ddbsse"))
        .args(["check", "--replay", rec])
        .output()
        .expect("ddbsse check runs");
    let stdout = String::from_utf8_lossy(&replayed.stdout);
    assert!(replayed.status.success(), "{stdout}");
    assert!(
        stdout.contains("replay: 5 cases,") && stdout.contains(", 0 differ"),
        "{stdout}"
    );
    // The same recording against an engine with a cache that never expires differs.
    let faulted = Command::new(env!("CARGO_BIN_EXE_ddbsse"))
        .args(["check", "--replay", rec, "--fault", "cache-never-expires"])
        .output()
        .expect("ddbsse check runs");
    let stdout = String::from_utf8_lossy(&faulted.stdout);
    assert_eq!(faulted.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("DIFFERS cache/boundary/300s"), "{stdout}");
}

#[test]
fn a_truncated_database_is_refused_with_one_message_and_no_panic_line() {
    // A folder with data, closed, then cut to a third: redb's header now promises more file
    // than there is, which redb 2 meets with an assertion rather than an error.
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (store, _root) =
            ddbsse_server::storage::data_dir::open(dir.path()).expect("a new folder opens");
        use ddbsse_server::storage::{Space, Store, WriteOp};
        let rows = (0..2000u32)
            .map(|i| WriteOp::Put(Space::Items, format!("row{i}").into_bytes(), vec![7u8; 300]))
            .collect();
        store.commit(rows).expect("rows written");
    }
    let db = dir.path().join(ddbsse_server::storage::redb::DB_FILE);
    let len = std::fs::metadata(&db).expect("database").len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .expect("database opens for writing");
    file.set_len(len / 3).expect("truncated");
    drop(file);
    let out = Command::new(env!("CARGO_BIN_EXE_ddbsse"))
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("ddbsse serve runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a truncated folder was served");
    assert!(
        stderr.contains("ddbsse.redb cannot be opened") && stderr.contains("restore ddbsse.redb"),
        "the refusal names the file and what to do: {stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "no panic line before the refusal: {stderr}"
    );
}
