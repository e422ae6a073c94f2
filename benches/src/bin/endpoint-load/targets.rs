//! The servers measured: `ddbsse serve` (started as a child process) and moto and dynalite
//! (started with `../shared/emulators/start-*.sh`, which install them on first use), and the
//! table setup they share. Everything listens on 127.0.0.1 only.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::wire::{Client, RequestTemplate};

/// A running server and how to stop it.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its process id (for `/proc/<pid>/status`).
    pub pid: u32,
    child: Option<Child>,
}

impl Running {
    /// Stops the server (SIGTERM by pid, then waits for a child).
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status();
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        } else {
            // Not our child (started by a script): wait until the pid is gone, at most 10 s.
            let deadline = Instant::now() + Duration::from_secs(10);
            while Path::new(&format!("/proc/{}", self.pid)).exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Starts `ddbsse serve --port 0` (in memory, on `clock`: `system` or `manual`) and reads its
/// listening line.
pub fn start_ddbsse(binary: &Path, log: &Path, clock: &str) -> Result<Running, String> {
    let log_file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let mut child = Command::new(binary)
        .args([
            "serve",
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
            "--clock",
            clock,
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("reading the listening line: {e}"))?;
    let addr = line
        .trim()
        .strip_prefix("ddbsse listening on http://")
        .and_then(|a| a.parse::<SocketAddr>().ok());
    match addr {
        Some(addr) => Ok(Running {
            addr,
            pid: child.id(),
            child: Some(child),
        }),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!(
                "ddbsse serve did not print its listening line (got {line:?}); see {}",
                log.display()
            ))
        }
    }
}

/// Starts an emulator with its start script on a free port. The error says why it was skipped.
pub fn start_emulator(name: &str, script: &Path, scratch: &Path) -> Result<Running, String> {
    if !script.exists() {
        return Err(format!("{} not found", script.display()));
    }
    let port = free_port().map_err(|e| format!("no free port: {e}"))?;
    let pidfile = scratch.join(format!("{name}.pid"));
    let logfile = scratch.join(format!("{name}.log"));
    let output = Command::new("bash")
        .arg(script)
        .arg(port.to_string())
        .arg(&pidfile)
        .arg(&logfile)
        // dynalite: tables ACTIVE at once (its default keeps them CREATING for 500 ms).
        .env("DYNALITE_ARGS", "--createTableMs 0 --deleteTableMs 0")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" / ");
        return Err(format!("{} failed: {last}", script.display()));
    }
    let pid = std::fs::read_to_string(&pidfile)
        .ok()
        .and_then(|p| p.trim().parse::<u32>().ok())
        .ok_or_else(|| format!("{} wrote no pid file", script.display()))?;
    Ok(Running {
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        pid,
        child: None,
    })
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// How a benchmark table is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// `SSESpecification {Enabled: true, SSEType: KMS}`: the AWS managed key.
    SseKms,
    /// No `SSESpecification`: the AWS owned key.
    Owned,
}

/// Creates table `name` (hash key `pk: S`, on-demand) and waits until it is ACTIVE.
pub fn create_table(addr: SocketAddr, name: &str, protection: Protection) -> Result<(), String> {
    let sse = match protection {
        Protection::SseKms => r#","SSESpecification":{"Enabled":true,"SSEType":"KMS"}"#,
        Protection::Owned => "",
    };
    let body = format!(
        r#"{{"TableName":"{name}","AttributeDefinitions":[{{"AttributeName":"pk","AttributeType":"S"}}],"KeySchema":[{{"AttributeName":"pk","KeyType":"HASH"}}],"BillingMode":"PAY_PER_REQUEST"{sse}}}"#
    );
    create_table_body(addr, name, &body)
}

/// Sends CreateTable with `body` (creating `name`) and waits until the table is ACTIVE.
pub fn create_table_body(addr: SocketAddr, name: &str, body: &str) -> Result<(), String> {
    let body = body.to_owned();
    let mut client = Client::new(addr);
    let mut create = RequestTemplate::dynamodb(addr, "CreateTable", &body);
    let answer = client
        .call(create.with_key(0))
        .map_err(|e| format!("CreateTable {name}: {e}"))?;
    if answer.status != 200 {
        return Err(format!(
            "CreateTable {name}: HTTP {}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ));
    }
    let mut describe = RequestTemplate::dynamodb(
        addr,
        "DescribeTable",
        &format!(r#"{{"TableName":"{name}"}}"#),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let answer = client
            .call(describe.with_key(0))
            .map_err(|e| format!("DescribeTable {name}: {e}"))?;
        let status = serde_json::from_slice::<serde_json::Value>(&answer.body)
            .ok()
            .and_then(|v| v["Table"]["TableStatus"].as_str().map(str::to_owned));
        if answer.status == 200 && status.as_deref() == Some("ACTIVE") {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("table {name} not ACTIVE within 30 s"))
}

/// Whether `needle` occurs in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `VmHWM` and `VmRSS` of a process, in kB.
pub fn memory_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// The default location of the emulator scripts: `../shared/emulators` next to the repository.
pub fn default_emulator_dir(repo_root: &Path) -> PathBuf {
    repo_root.join("../shared/emulators")
}
