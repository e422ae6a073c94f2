//! `ddbsse check` against AWS itself, or any endpoint split by service: where each service is,
//! who the caller is, what a run creates, and the cleanup of it.
//!
//! - Where: per service, `--<service>-endpoint` > `AWS_ENDPOINT_URL_<SERVICE>` > `--endpoint` >
//!   `AWS_ENDPOINT_URL` > the regional endpoint `https://<service>.<region>.amazonaws.com`, which
//!   needs `--aws`. Without `--aws`, any endpoint whose host ends in `amazonaws.com` is refused.
//! - Who: `--access-key`/`--secret-key` (or `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`) and
//!   `--session-token` (`AWS_SESSION_TOKEN`); with `--aws` or `AWS_PROFILE` and no access key given,
//!   the AWS SDK for Rust's standard chain (`aws-config`: environment, shared config and
//!   credentials files, `AWS_PROFILE`, `credential_process`, web identity, IMDS, ECS; not SSO) when
//!   built with the
//!   `aws-credentials` feature (the `ddbsse` binary is). The caller's identity is asked of STS
//!   `GetCallerIdentity` and printed.
//! - What: every table and alias is named with the run id (`--run-id`, by default
//!   `ddbsse<hex>-`); the tables, keys and aliases the run creates are tracked from the answers
//!   and, when the target is dropped (success or failure) or on Ctrl-C, tables and aliases are
//!   deleted and keys scheduled for deletion with the shortest window, 7 days.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use ddbsse_client::{Client, Credentials};
use ddbsse_wire::Service;
use ddbsse_wire::time::Timestamp;
use serde_json::{Value, json};

use crate::target::http::{AccessKey, HttpConfig, HttpTarget};
use crate::target::{
    AtRest, Capabilities, Connection, RawResponse, ResponseHeaders, Target, TargetError,
};

/// A secret given on the command line or in the environment; `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// The `ddbsse check` arguments for AWS and split endpoints (flattened into `CheckArgs`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AwsArgs {
    /// Allow endpoints on amazonaws.com (real AWS: the run creates tables and KMS keys, which
    /// cost money; see docs/check.md). Without an endpoint, the regional ones are used.
    #[arg(long)]
    pub aws: bool,
    /// DynamoDB's endpoint (default: --endpoint, AWS_ENDPOINT_URL, or the regional one).
    #[arg(long, env = "AWS_ENDPOINT_URL_DYNAMODB")]
    pub dynamodb_endpoint: Option<String>,
    /// KMS's endpoint (default: --endpoint, AWS_ENDPOINT_URL, or the regional one).
    #[arg(long, env = "AWS_ENDPOINT_URL_KMS")]
    pub kms_endpoint: Option<String>,
    /// CloudTrail's endpoint (default: --endpoint, AWS_ENDPOINT_URL, or the regional one).
    #[arg(long, env = "AWS_ENDPOINT_URL_CLOUDTRAIL")]
    pub cloudtrail_endpoint: Option<String>,
    /// STS's endpoint, asked for the caller's identity (default as the others).
    #[arg(long, env = "AWS_ENDPOINT_URL_STS")]
    pub sts_endpoint: Option<String>,
    /// Session token of temporary credentials, sent as X-Amz-Security-Token.
    #[arg(long, env = "AWS_SESSION_TOKEN", hide_env_values = true)]
    pub session_token: Option<Secret>,
    /// Named profile of the shared config/credentials files (needs no access key flag).
    #[arg(long, env = "AWS_PROFILE")]
    pub aws_profile: Option<String>,
    /// Prefix of every table and alias name of the run (default: ddbsse<hex>-, from the time).
    #[arg(long)]
    pub run_id: Option<String>,
    /// Write every exchange (secrets redacted) to DIR/exchanges.jsonl.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// The folder the target delivers its CloudTrail log files to (`ddbsse serve --trail-dir`),
    /// read by the trail/delivery cases; without it they are skipped.
    #[arg(long, value_name = "DIR")]
    pub delivery_dir: Option<PathBuf>,
}

/// Why the AWS part of a check cannot start.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// An endpoint is on AWS and `--aws` was not given.
    #[error(
        "{service} endpoint {url} is AWS itself: the run would create DynamoDB tables and KMS keys \
         in your account, which costs money (see docs/check.md); pass --aws to allow it"
    )]
    NeedsOptIn {
        /// The service.
        service: &'static str,
        /// Its endpoint.
        url: String,
    },
    /// The standard credential chain gave nothing.
    #[error("no credentials: {0}")]
    Credentials(String),
}

/// The endpoint of each service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// DynamoDB (and the conformance control routes).
    pub dynamodb: String,
    /// KMS.
    pub kms: String,
    /// CloudTrail.
    pub cloudtrail: String,
    /// STS.
    pub sts: String,
}

/// Whether `url`'s host is on AWS (`*.amazonaws.com`).
pub fn is_aws_host(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next().unwrap_or("");
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "amazonaws.com" || host.ends_with(".amazonaws.com")
}

/// Each service's endpoint, or `None` when none is named at all and `--aws` is not given (the
/// embedded engine is checked then). `general` is `--endpoint` or else `AWS_ENDPOINT_URL`.
pub fn resolve_endpoints(
    args: &AwsArgs,
    general: Option<&str>,
    region: &str,
) -> Result<Option<Endpoints>, AwsError> {
    let named = [
        &args.dynamodb_endpoint,
        &args.kms_endpoint,
        &args.cloudtrail_endpoint,
    ];
    if !args.aws && general.is_none() && named.iter().all(|e| e.is_none()) {
        return Ok(None);
    }
    let pick = |own: &Option<String>, service: &'static str| -> Result<String, AwsError> {
        let url = own
            .clone()
            .or_else(|| general.map(str::to_owned))
            .unwrap_or_else(|| format!("https://{service}.{region}.amazonaws.com"));
        if !args.aws && is_aws_host(&url) {
            return Err(AwsError::NeedsOptIn { service, url });
        }
        Ok(url)
    };
    Ok(Some(Endpoints {
        dynamodb: pick(&args.dynamodb_endpoint, "dynamodb")?,
        kms: pick(&args.kms_endpoint, "kms")?,
        cloudtrail: pick(&args.cloudtrail_endpoint, "cloudtrail")?,
        sts: pick(&args.sts_endpoint, "sts")?,
    }))
}

/// The run id: `--run-id`, or one made from the time, the same for the whole process.
pub fn run_id(args: &AwsArgs) -> String {
    static GENERATED: OnceLock<String> = OnceLock::new();
    if let Some(id) = &args.run_id {
        return id.clone();
    }
    GENERATED
        .get_or_init(|| {
            let micros = SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_micros());
            format!("ddbsse{:x}-", micros % 0xffff_ffff)
        })
        .clone()
}

/// Credentials of the first principal: the explicit ones, or the standard chain's.
pub fn credentials(
    explicit: Option<(&str, &str)>,
    args: &AwsArgs,
) -> Result<Credentials, AwsError> {
    if let Some((id, secret)) = explicit {
        return Ok(Credentials {
            session_token: args.session_token.as_ref().map(|t| t.0.clone()),
            ..Credentials::new(id, secret)
        });
    }
    chain(args.aws_profile.as_deref())
}

/// The AWS SDK for Rust's default credential chain, for `profile` when given.
#[cfg(feature = "aws-credentials")]
fn chain(profile: Option<&str>) -> Result<Credentials, AwsError> {
    use aws_credential_types::provider::ProvideCredentials;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AwsError::Credentials(format!("no tokio runtime: {e}")))?;
    let found = runtime.block_on(async {
        let mut builder =
            aws_config::default_provider::credentials::DefaultCredentialsChain::builder();
        if let Some(p) = profile {
            builder = builder.profile_name(p);
        }
        builder.build().await.provide_credentials().await
    });
    let found = found.map_err(|e| {
        AwsError::Credentials(format!(
            "the standard chain (environment, ~/.aws/credentials, ~/.aws/config{}) gave none: {}",
            profile
                .map(|p| format!(", profile {p}"))
                .unwrap_or_default(),
            aws_error_chain(&e)
        ))
    })?;
    Ok(Credentials {
        session_token: found.session_token().map(str::to_owned),
        ..Credentials::new(found.access_key_id(), found.secret_access_key())
    })
}

#[cfg(feature = "aws-credentials")]
fn aws_error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Without the `aws-credentials` feature only the environment and flags give credentials.
#[cfg(not(feature = "aws-credentials"))]
fn chain(_profile: Option<&str>) -> Result<Credentials, AwsError> {
    Err(AwsError::Credentials(
        "give --access-key/--secret-key or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (this build \
         has no aws-credentials feature to read shared config files or AWS_PROFILE)"
            .to_owned(),
    ))
}

/// Who the caller is, as STS `GetCallerIdentity` says (`ddbsse_wire`'s type, which the model's
/// configuration takes).
pub use ddbsse_wire::caller::KnownIdentity as CallerIdentity;

fn xml_field(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(xml[start..end].trim().to_owned())
}

/// Asks `sts` (awsQuery `GetCallerIdentity`) who `credentials` are.
pub fn caller_identity(
    sts: &str,
    region: &str,
    credentials: &Credentials,
    timeout: Duration,
) -> Result<CallerIdentity, String> {
    let client = Client::new(sts, region, timeout).map_err(|e| e.to_string())?;
    let response = client
        .call_query(
            "sts",
            b"Action=GetCallerIdentity&Version=2011-06-15",
            Some(credentials),
            SystemTime::now(),
        )
        .map_err(|e| e.to_string())?;
    let xml = String::from_utf8_lossy(&response.body);
    if response.status != 200 {
        return Err(format!("STS answered {}: {xml}", response.status));
    }
    let field = |n| xml_field(&xml, n).ok_or_else(|| format!("no <{n}> in {xml}"));
    Ok(CallerIdentity {
        arn: field("Arn")?,
        account: field("Account")?,
        user_id: field("UserId")?,
    })
}

/// The caller STS named for this process's run, if it answered.
static CALLER: Mutex<Option<CallerIdentity>> = Mutex::new(None);

/// The caller STS named before the run, if it answered.
pub fn caller() -> Option<CallerIdentity> {
    CALLER.lock().ok().and_then(|c| c.clone())
}

/// The `--account` default: the account of the spec's examples (and of moto, `ddbsse serve`).
pub const DEFAULT_ACCOUNT: &str = "123456789012";

/// The account expected ARNs name: with `--aws` and `--account` left at its default, the
/// caller's account as STS said (AWS ARNs name the real account); `given` otherwise.
pub fn model_account(given: &str, args: &AwsArgs, caller: Option<&CallerIdentity>) -> String {
    match caller {
        Some(id) if args.aws && given == DEFAULT_ACCOUNT => id.account.clone(),
        _ => given.to_owned(),
    }
}

//= spec/conformance.md#principals
//# Against AWS (`--aws`), where a caller has a real IAM identity, the harness SHOULD expect in trail records the identity STS `GetCallerIdentity` names for the first principal (its ARN, its user id as `principalId`, its account and the identity type its ARN implies, such as `IAMUser` or `AssumedRole`) instead of the one `spec/trail.md#identities` builds from the access key id.
/// The IAM identities the model expects in trail records, by access key id: with `--aws`, the
/// caller STS named for the first principal (`first`), so that records name the caller's real
/// ARN and identity type (`spec/conformance.md#principals`); none otherwise (the identity is built
/// from the access key id, `spec/trail.md#identities`).
pub fn model_identities(
    args: &AwsArgs,
    caller: Option<&CallerIdentity>,
    first: Option<&str>,
) -> std::collections::BTreeMap<String, CallerIdentity> {
    let mut m = std::collections::BTreeMap::new();
    if let (true, Some(id), Some(key)) = (args.aws, caller, first) {
        m.insert(key.to_owned(), id.clone());
    }
    m
}

/// What a run created, as its answers said.
#[derive(Clone, Debug, Default)]
pub struct Created {
    /// Table names.
    pub tables: Vec<String>,
    /// Key ids.
    pub keys: Vec<String>,
    /// Alias names.
    pub aliases: Vec<String>,
}

/// What a cleanup did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CleanupSummary {
    /// Tables deleted (or already gone).
    pub tables: usize,
    /// Keys scheduled for deletion (or already pending).
    pub keys: usize,
    /// Aliases deleted.
    pub aliases: usize,
    /// What could not be cleaned, with the answer.
    pub failures: Vec<String>,
}

/// The shortest waiting period KMS allows before deleting a key.
pub const PENDING_WINDOW_DAYS: u64 = 7;

/// Deletes the tables and aliases and schedules the keys of `created` for deletion, through a
/// fresh target on `config`, as principal 0.
pub fn clean_up(config: &HttpConfig, created: &Created) -> CleanupSummary {
    let mut summary = CleanupSummary::default();
    if created.tables.is_empty() && created.keys.is_empty() && created.aliases.is_empty() {
        return summary;
    }
    let mut target = match HttpTarget::new(config.clone()) {
        Ok(t) => t,
        Err(e) => {
            summary
                .failures
                .push(format!("cannot reach the target: {e}"));
            return summary;
        }
    };
    let mut call = |target_name: &str, body: Value, already_done: &[&str]| -> Result<(), String> {
        let r = target
            .call(Connection(0), 0, target_name, body.to_string().as_bytes())
            .map_err(|e| e.to_string())?;
        let code = r.body["__type"].as_str().unwrap_or("");
        let code = code.rsplit('#').next().unwrap_or(code);
        if r.status == 200 || already_done.contains(&code) {
            Ok(())
        } else {
            Err(format!("{} {}", r.status, r.body))
        }
    };
    for alias in &created.aliases {
        match call(
            "TrentService.DeleteAlias",
            json!({"AliasName": alias}),
            // An alias costs nothing; a target without DeleteAlias (ddbsse serve) keeps it.
            &["NotFoundException", "UnknownOperationException"],
        ) {
            Ok(()) => summary.aliases += 1,
            Err(e) => summary.failures.push(format!("alias {alias}: {e}")),
        }
    }
    for table in &created.tables {
        match call(
            "DynamoDB_20120810.DeleteTable",
            json!({"TableName": table}),
            &["ResourceNotFoundException"],
        ) {
            Ok(()) => summary.tables += 1,
            Err(e) => summary.failures.push(format!("table {table}: {e}")),
        }
    }
    for key in &created.keys {
        match call(
            "TrentService.ScheduleKeyDeletion",
            json!({"KeyId": key, "PendingWindowInDays": PENDING_WINDOW_DAYS}),
            &["KMSInvalidStateException", "NotFoundException"],
        ) {
            Ok(()) => summary.keys += 1,
            Err(e) => summary.failures.push(format!("key {key}: {e}")),
        }
    }
    summary
}

fn report_cleanup(summary: &CleanupSummary) {
    if summary == &CleanupSummary::default() {
        return;
    }
    eprintln!(
        "cleanup: {} table(s) deleted, {} alias(es) deleted, {} key(s) scheduled for deletion in {PENDING_WINDOW_DAYS} days",
        summary.tables, summary.aliases, summary.keys
    );
    for f in &summary.failures {
        eprintln!("cleanup FAILED: {f} (delete it by hand)");
    }
}

/// The resources of the run in progress, for the Ctrl-C handler.
static LIVE: Mutex<Option<(HttpConfig, Arc<Mutex<Created>>)>> = Mutex::new(None);

/// Set by the Ctrl-C handler: from then on tracked targets send nothing.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Held while a tracked target sends a request and notes what it created, so that the Ctrl-C
/// handler's snapshot includes what the request in flight creates.
static IN_FLIGHT: Mutex<()> = Mutex::new(());

/// On SIGINT: clean up the run in progress, then exit with 130. Installed once per process.
fn install_interrupt_handler() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("ddbsse-check-sigint".into())
            .spawn(|| {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                if runtime.block_on(tokio::signal::ctrl_c()).is_err() {
                    return;
                }
                eprintln!("interrupted: cleaning up what the run created");
                INTERRUPTED.store(true, Ordering::SeqCst);
                let _in_flight = IN_FLIGHT.lock();
                let live = LIVE.lock().map(|mut l| l.take()).unwrap_or(None);
                if let Some((config, created)) = live {
                    let created = created.lock().map(|c| c.clone()).unwrap_or_default();
                    report_cleanup(&clean_up(&config, &created));
                }
                std::process::exit(130);
            });
        if let Err(e) = spawned {
            eprintln!("ddbsse check: no Ctrl-C cleanup: {e}");
        }
    });
}

/// An HTTP target that tracks what the run creates and cleans it up when dropped.
#[derive(Debug)]
pub struct TrackedTarget {
    inner: HttpTarget,
    config: HttpConfig,
    created: Arc<Mutex<Created>>,
}

impl TrackedTarget {
    /// Wraps `inner` (reached through `config`); with `interrupt`, Ctrl-C cleans up too.
    pub fn new(inner: HttpTarget, config: HttpConfig, interrupt: bool) -> Self {
        let created = Arc::new(Mutex::new(Created::default()));
        if interrupt {
            if let Ok(mut live) = LIVE.lock() {
                *live = Some((config.clone(), Arc::clone(&created)));
            }
            install_interrupt_handler();
        }
        Self {
            inner,
            config,
            created,
        }
    }

    /// What the run created so far.
    pub fn created(&self) -> Created {
        self.created.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn track(&self, target: &str, body: &[u8], response: &RawResponse) {
        if response.status != 200 {
            return;
        }
        let Ok(mut created) = self.created.lock() else {
            return;
        };
        let b = &response.body;
        match target {
            "DynamoDB_20120810.CreateTable" => {
                if let Some(n) = b["TableDescription"]["TableName"].as_str() {
                    created.tables.push(n.to_owned());
                }
            }
            "TrentService.CreateKey" => {
                if let Some(k) = b["KeyMetadata"]["KeyId"].as_str() {
                    created.keys.push(k.to_owned());
                }
            }
            "TrentService.CreateAlias" => {
                let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                if let Some(a) = request["AliasName"].as_str() {
                    created.aliases.push(a.to_owned());
                }
            }
            _ => {}
        }
    }
}

impl Drop for TrackedTarget {
    fn drop(&mut self) {
        let created = self.created();
        if let Ok(mut live) = LIVE.lock()
            && live
                .as_ref()
                .is_some_and(|(_, c)| Arc::ptr_eq(c, &self.created))
        {
            *live = None;
        }
        report_cleanup(&clean_up(&self.config, &created));
    }
}

fn refuse_when_interrupted() -> Result<(), TargetError> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(TargetError::Refused("interrupted (Ctrl-C)".to_owned()));
    }
    Ok(())
}

impl Target for TrackedTarget {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn principals(&self) -> Vec<String> {
        self.inner.principals()
    }
    fn open_connection(&mut self) -> Result<Connection, TargetError> {
        self.inner.open_connection()
    }
    fn close_connection(&mut self, connection: Connection) -> Result<(), TargetError> {
        self.inner.close_connection(connection)
    }
    fn call(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<RawResponse, TargetError> {
        let _in_flight = IN_FLIGHT.lock();
        refuse_when_interrupted()?;
        let r = self.inner.call(connection, principal, target, body)?;
        self.track(target, body, &r);
        Ok(r)
    }
    fn call_with_headers(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<(RawResponse, Option<ResponseHeaders>), TargetError> {
        let _in_flight = IN_FLIGHT.lock();
        refuse_when_interrupted()?;
        let (r, headers) = self
            .inner
            .call_with_headers(connection, principal, target, body)?;
        self.track(target, body, &r);
        Ok((r, headers))
    }
    fn call_unsigned(
        &mut self,
        connection: Connection,
        target: &str,
        body: &[u8],
    ) -> Result<RawResponse, TargetError> {
        let _in_flight = IN_FLIGHT.lock();
        refuse_when_interrupted()?;
        let r = self.inner.call_unsigned(connection, target, body)?;
        self.track(target, body, &r);
        Ok(r)
    }
    fn call_badly_signed(
        &mut self,
        connection: Connection,
        target: &str,
        body: &[u8],
        bad: crate::target::BadSignature,
    ) -> Result<RawResponse, TargetError> {
        let _in_flight = IN_FLIGHT.lock();
        refuse_when_interrupted()?;
        self.inner.call_badly_signed(connection, target, body, bad)
    }
    fn now(&mut self) -> Result<Timestamp, TargetError> {
        self.inner.now()
    }
    fn advance_clock(&mut self, ms: u64) -> Result<(), TargetError> {
        self.inner.advance_clock(ms)
    }
    fn at_rest(&self) -> Option<&dyn AtRest> {
        None
    }
    fn delivery_files(&mut self) -> Result<Vec<crate::target::DeliveryFile>, TargetError> {
        self.inner.delivery_files()
    }
}

/// Everything `ddbsse check` needs to build an HTTP target, from its arguments.
#[derive(Clone, Debug)]
pub struct HttpChoice<'a> {
    /// The AWS arguments.
    pub aws: &'a AwsArgs,
    /// `--endpoint`.
    pub endpoint: Option<&'a str>,
    /// `--region`.
    pub region: &'a str,
    /// The first principal's key, unless it is the built-in default (`testing`).
    pub access_key: Option<(&'a str, &'a str)>,
    /// The second principal's key.
    pub second: Option<(&'a str, &'a str)>,
    /// `--real-time`.
    pub real_time: bool,
    /// `--timeout`.
    pub timeout: Duration,
    /// Print what the run will do (endpoints, caller, what it creates) on standard error rather
    /// than standard output, which then carries something else (`--reproduce`'s script).
    pub announce_on_stderr: bool,
}

/// The HTTP target of `choice`, or `None` when no endpoint is named (the embedded engine then).
/// Prints where each service is, who the caller is and, with `--aws`, what the run creates.
pub fn http_target(choice: &HttpChoice<'_>) -> Result<Option<Box<dyn Target>>, TargetError> {
    let general = choice.endpoint.map(str::to_owned).or_else(|| {
        std::env::var("AWS_ENDPOINT_URL")
            .ok()
            .filter(|v| !v.is_empty())
    });
    let aws = choice.aws;
    let announce = |line: String| {
        if choice.announce_on_stderr {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    let Some(endpoints) = resolve_endpoints(aws, general.as_deref(), choice.region)
        .map_err(|e| TargetError::Refused(e.to_string()))?
    else {
        return Ok(None);
    };
    // The standard chain is consulted only for AWS or a named profile; otherwise the built-in
    // `testing` key signs, as local endpoints expect.
    let explicit = choice
        .access_key
        .or_else(|| (!aws.aws && aws.aws_profile.is_none()).then_some(("testing", "testing")));
    let first = credentials(explicit, aws).map_err(|e| TargetError::Refused(e.to_string()))?;
    let mut principals = vec![AccessKey {
        id: first.access_key_id.clone(),
        secret: first.secret_access_key.clone(),
    }];
    if let Some((id, secret)) = choice.second {
        principals.push(AccessKey {
            id: id.to_owned(),
            secret: secret.to_owned(),
        });
    }
    let config = HttpConfig {
        endpoint: endpoints.dynamodb.clone(),
        kms_endpoint: Some(endpoints.kms.clone()),
        cloudtrail_endpoint: Some(endpoints.cloudtrail.clone()),
        region: choice.region.to_owned(),
        principals,
        session_token: first.session_token.clone(),
        real_time: choice.real_time,
        timeout: choice.timeout,
        record: aws.record.clone(),
        delivery_dir: aws.delivery_dir.clone(),
    };
    announce(format!(
        "endpoints: dynamodb {}, kms {}, cloudtrail {}, sts {}",
        endpoints.dynamodb, endpoints.kms, endpoints.cloudtrail, endpoints.sts
    ));
    match caller_identity(&endpoints.sts, choice.region, &first, choice.timeout) {
        Ok(id) => {
            announce(format!(
                "caller: {} ({}, account {})",
                id.arn,
                id.identity_type(),
                id.account
            ));
            if let Ok(mut c) = CALLER.lock() {
                *c = Some(id);
            }
        }
        Err(e) => announce(format!("caller: unknown (STS GetCallerIdentity: {e})")),
    }
    let run = run_id(aws);
    if aws.aws {
        announce(format!(
            "--aws: this run creates, in region {}, DynamoDB on-demand tables named {run}*, \
             customer managed KMS keys (and aliases alias/{run}*), and reads CloudTrail \
             LookupEvents; at the end (or on Ctrl-C) it deletes the tables and aliases and \
             schedules the keys for deletion with the shortest window, {PENDING_WINDOW_DAYS} days \
             (see docs/check.md for the cost)",
            choice.region
        ));
    }
    if let Some(dir) = &aws.record {
        announce(format!(
            "recording exchanges to {}",
            dir.join("exchanges.jsonl").display()
        ));
    }
    // The runner records each case's exchanges (`Options::record`); the target itself records
    // only the cleanup, which belongs to no case.
    let inner = HttpTarget::new(HttpConfig {
        record: None,
        ..config.clone()
    })?;
    Ok(Some(Box::new(TrackedTarget::new(inner, config, true))))
}

/// Which service an `X-Amz-Target` belongs to (DynamoDB for anything unknown).
pub fn service_of(target: &str) -> Service {
    Service::from_target(target).unwrap_or(Service::DynamoDb)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> AwsArgs {
        AwsArgs::default()
    }

    #[test]
    fn aws_hosts_are_recognised() {
        assert!(is_aws_host("https://dynamodb.us-east-1.amazonaws.com"));
        assert!(is_aws_host("https://KMS.eu-west-1.AMAZONAWS.com.:443/"));
        assert!(!is_aws_host("http://127.0.0.1:8000"));
        assert!(!is_aws_host("http://amazonaws.com.evil.example"));
        assert!(!is_aws_host("http://notamazonaws.com"));
    }

    #[test]
    fn without_any_endpoint_the_embedded_engine_is_checked() {
        assert_eq!(
            resolve_endpoints(&args(), None, "us-east-1").ok(),
            Some(None)
        );
    }

    #[test]
    fn an_aws_endpoint_needs_the_opt_in() {
        let err = resolve_endpoints(
            &args(),
            Some("https://dynamodb.us-east-1.amazonaws.com"),
            "us-east-1",
        );
        assert!(matches!(err, Err(AwsError::NeedsOptIn { .. })), "{err:?}");
        let kms_only = AwsArgs {
            kms_endpoint: Some("https://kms.eu-west-1.amazonaws.com".into()),
            ..args()
        };
        assert!(resolve_endpoints(&kms_only, Some("http://127.0.0.1:1"), "eu-west-1").is_err());
        let opted = AwsArgs {
            aws: true,
            ..args()
        };
        let e = resolve_endpoints(&opted, None, "eu-west-1")
            .expect("allowed")
            .expect("endpoints");
        assert_eq!(e.dynamodb, "https://dynamodb.eu-west-1.amazonaws.com");
        assert_eq!(e.kms, "https://kms.eu-west-1.amazonaws.com");
        assert_eq!(e.cloudtrail, "https://cloudtrail.eu-west-1.amazonaws.com");
        assert_eq!(e.sts, "https://sts.eu-west-1.amazonaws.com");
    }

    #[test]
    fn a_service_endpoint_beats_the_general_one() {
        let a = AwsArgs {
            kms_endpoint: Some("http://127.0.0.1:2".into()),
            ..args()
        };
        let e = resolve_endpoints(&a, Some("http://127.0.0.1:1"), "us-east-1")
            .expect("ok")
            .expect("some");
        assert_eq!(e.dynamodb, "http://127.0.0.1:1");
        assert_eq!(e.kms, "http://127.0.0.1:2");
        assert_eq!(e.cloudtrail, "http://127.0.0.1:1");
        assert_eq!(e.sts, "http://127.0.0.1:1");
    }

    #[test]
    fn with_aws_the_default_account_becomes_the_callers() {
        let id = CallerIdentity {
            arn: "arn:aws:iam::210987654321:user/alice".into(),
            account: "210987654321".into(),
            user_id: "AIDA".into(),
        };
        let aws = AwsArgs {
            aws: true,
            ..args()
        };
        assert_eq!(
            model_account(DEFAULT_ACCOUNT, &aws, Some(&id)),
            "210987654321"
        );
        assert_eq!(
            model_account("111111111111", &aws, Some(&id)),
            "111111111111"
        );
        assert_eq!(
            model_account(DEFAULT_ACCOUNT, &args(), Some(&id)),
            DEFAULT_ACCOUNT
        );
        assert_eq!(model_account(DEFAULT_ACCOUNT, &aws, None), DEFAULT_ACCOUNT);
    }

    //= spec/conformance.md#principals
    //= type=test
    //# Against AWS (`--aws`), where a caller has a real IAM identity, the harness SHOULD expect in trail records the identity STS `GetCallerIdentity` names for the first principal (its ARN, its user id as `principalId`, its account and the identity type its ARN implies, such as `IAMUser` or `AssumedRole`) instead of the one `spec/trail.md#identities` builds from the access key id.
    #[test]
    fn with_aws_the_model_expects_the_identity_sts_named() {
        let role = CallerIdentity {
            arn: "arn:aws:sts::210987654321:assumed-role/ci/run-42".into(),
            account: "210987654321".into(),
            user_id: "AROAEXAMPLE:run-42".into(),
        };
        let aws = AwsArgs {
            aws: true,
            ..args()
        };
        let m = model_identities(&aws, Some(&role), Some("ASIAKEY"));
        assert_eq!(m.get("ASIAKEY"), Some(&role));
        assert!(model_identities(&args(), Some(&role), Some("ASIAKEY")).is_empty());
        // The model then records that identity for the caller's direct and DynamoDB-made calls.
        let config = ddbsse_model::ModelConfig {
            account: role.account.clone(),
            identities: m,
            ..ddbsse_model::ModelConfig::default()
        };
        let mut target = crate::target::model::ModelTarget::oracle(
            config,
            vec!["ASIAKEY".to_owned()],
            ddbsse_wire::time::MANUAL_CLOCK_START,
        );
        let c = target.open_connection().expect("connection");
        let created = target
            .call(c, 0, "TrentService.CreateKey", b"{}")
            .expect("CreateKey");
        assert_eq!(created.status, 200);
        let events = target
            .call(
                c,
                0,
                "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
                b"{}",
            )
            .expect("LookupEvents");
        let record: Value = serde_json::from_str(
            events.body["Events"][0]["CloudTrailEvent"]
                .as_str()
                .expect("a record"),
        )
        .expect("JSON");
        let who = &record["userIdentity"];
        assert_eq!(who["type"], "AssumedRole", "{who}");
        assert_eq!(who["arn"], role.arn.as_str());
        assert_eq!(who["principalId"], "AROAEXAMPLE:run-42");
        assert_eq!(who["accountId"], "210987654321");
        assert_eq!(who["accessKeyId"], "ASIAKEY");
        assert!(who.get("userName").is_none(), "{who}");
    }

    #[test]
    fn the_identity_type_follows_the_arn() {
        let id = |arn: &str| CallerIdentity {
            arn: arn.into(),
            account: "1".into(),
            user_id: "u".into(),
        };
        assert_eq!(id("arn:aws:iam::1:user/alice").identity_type(), "IAMUser");
        assert_eq!(
            id("arn:aws:sts::1:assumed-role/r/session").identity_type(),
            "AssumedRole"
        );
        assert_eq!(id("arn:aws:iam::1:root").identity_type(), "Root");
    }

    #[test]
    fn explicit_keys_carry_the_session_token_and_hide_it() {
        let a = AwsArgs {
            session_token: Some(Secret("TOKEN-XYZ".into())),
            ..args()
        };
        let c = credentials(Some(("AKID", "secret")), &a).expect("explicit");
        assert_eq!(c.session_token.as_deref(), Some("TOKEN-XYZ"));
        assert!(!format!("{a:?}").contains("TOKEN-XYZ"));
    }

    #[test]
    fn redaction_keeps_the_scope_and_drops_key_signature_and_token() {
        use crate::target::http::redact_header;
        let auth = "AWS4-HMAC-SHA256 Credential=AKIDSECRETISH/20260101/us-east-1/kms/aws4_request, \
                    SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abcdef0123";
        let r = redact_header("Authorization", auth);
        assert!(
            !r.contains("AKIDSECRETISH") && !r.contains("abcdef0123"),
            "{r}"
        );
        assert!(r.contains("20260101/us-east-1/kms/aws4_request"), "{r}");
        assert!(r.contains("SignedHeaders=content-type;host"), "{r}");
        assert_eq!(redact_header("X-Amz-Security-Token", "tok"), "<redacted>");
        assert_eq!(
            redact_header("x-amz-target", "TrentService.ListKeys"),
            "TrentService.ListKeys"
        );
    }
}
