//! `ddbsse trail query`: the rows of the blog's Athena queries, computed by streaming.
//!
//! Does: select the records a [`Filter`] matches, project them to Athena's `cloudtrail_logs`
//! columns ([`Column`], with CloudTrailSerde semantics: JSON-valued STRING columns hold the raw
//! JSON text, booleans become `"true"`/`"false"`, missing fields are null), and either keep the
//! first `limit` rows in input order (path order, then record order) or the first `limit` rows by
//! `eventtime` or by `ddbtbl` (ascending, nulls last like Trino; ties in input order) with a
//! bounded top-k.
//! Does not: format rows (see `output`) or find files (see `files`).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use serde_json::Value;

use crate::filter::{Filter, ddbtbl};
use crate::record::CheckedRecord;
use crate::scan::{Analysis, RecordOrigin};

/// A column of the Athena `cloudtrail_logs` table, plus the derived `ddbtbl`, `keyarn` and
/// `principal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// A STRING column read from a scalar field of the record (JSON name given).
    Scalar(&'static str, &'static str),
    /// A STRING column holding the raw JSON text of a field (JSON name given).
    JsonText(&'static str, &'static str),
    /// A STRUCT or ARRAY column kept as JSON (JSON name given).
    Nested(&'static str, &'static str),
    /// Partition `year`.
    Year,
    /// Partition `month`.
    Month,
    /// Partition `day`.
    Day,
    /// The blog's `ddbtbl`.
    Ddbtbl,
    /// `resources[1].arn`.
    KeyArn,
    /// The principal (see `record::IdentityView::principal`).
    Principal,
}

/// The blog's `CREATE EXTERNAL TABLE` columns in its order, then the partition columns.
pub const ATHENA_COLUMNS: [Column; 26] = [
    Column::Scalar("eventversion", "eventVersion"),
    Column::Nested("useridentity", "userIdentity"),
    Column::Scalar("eventtime", "eventTime"),
    Column::Scalar("eventsource", "eventSource"),
    Column::Scalar("eventname", "eventName"),
    Column::Scalar("awsregion", "awsRegion"),
    Column::Scalar("sourceipaddress", "sourceIPAddress"),
    Column::Scalar("useragent", "userAgent"),
    Column::Scalar("errorcode", "errorCode"),
    Column::Scalar("errormessage", "errorMessage"),
    Column::JsonText("requestparameters", "requestParameters"),
    Column::JsonText("responseelements", "responseElements"),
    Column::JsonText("additionaleventdata", "additionalEventData"),
    Column::Scalar("requestid", "requestID"),
    Column::Scalar("eventid", "eventID"),
    Column::Nested("resources", "resources"),
    Column::Scalar("eventtype", "eventType"),
    Column::Scalar("apiversion", "apiVersion"),
    Column::Scalar("readonly", "readOnly"),
    Column::Scalar("recipientaccountid", "recipientAccountId"),
    Column::JsonText("serviceeventdetails", "serviceEventDetails"),
    Column::Scalar("sharedeventid", "sharedEventID"),
    Column::Scalar("vpcendpointid", "vpcEndpointId"),
    Column::Year,
    Column::Month,
    Column::Day,
];

const EXTRA_COLUMNS: [Column; 4] = [
    Column::Scalar("eventcategory", "eventCategory"),
    Column::Ddbtbl,
    Column::KeyArn,
    Column::Principal,
];

impl Column {
    /// The column's (lower-case) name.
    pub fn name(self) -> &'static str {
        match self {
            Column::Scalar(n, _) | Column::JsonText(n, _) | Column::Nested(n, _) => n,
            Column::Year => "year",
            Column::Month => "month",
            Column::Day => "day",
            Column::Ddbtbl => "ddbtbl",
            Column::KeyArn => "keyarn",
            Column::Principal => "principal",
        }
    }

    /// Looks a column up by name (case-insensitive).
    pub fn by_name(name: &str) -> Option<Column> {
        let lower = name.to_ascii_lowercase();
        ATHENA_COLUMNS
            .iter()
            .chain(EXTRA_COLUMNS.iter())
            .copied()
            .find(|c| c.name() == lower)
    }

    /// Names accepted by [`Column::by_name`].
    pub fn all_names() -> Vec<&'static str> {
        ATHENA_COLUMNS
            .iter()
            .chain(EXTRA_COLUMNS.iter())
            .map(|c| c.name())
            .collect()
    }
}

/// The blog's columns of queries 2 and 3.
pub const BLOG_COLUMNS: [Column; 5] = [
    Column::Scalar("eventtime", "eventTime"),
    Column::Scalar("eventname", "eventName"),
    Column::Scalar("sourceipaddress", "sourceIPAddress"),
    Column::Nested("useridentity", "userIdentity"),
    Column::JsonText("requestparameters", "requestParameters"),
];

/// The blog's columns of query 4 (`ORDER BY ddbtbl`).
pub const BLOG_TABLE_COLUMNS: [Column; 3] = [
    Column::Scalar("eventtime", "eventTime"),
    Column::Scalar("eventname", "eventName"),
    Column::Ddbtbl,
];

/// Result ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Input order (path order, then record order); the blog's queries 1 and 2.
    #[default]
    Input,
    /// `ORDER BY eventtime` (query 3).
    Time,
    /// `ORDER BY ddbtbl` (query 4), nulls last.
    Table,
}

/// One output row: values in column order.
pub type Row = Vec<Value>;

/// A query: which records, which columns, which order, how many.
#[derive(Debug, Clone)]
pub struct Query {
    /// Which records.
    pub filter: Filter,
    /// Which columns.
    pub columns: Vec<Column>,
    /// Which order.
    pub order: Order,
    /// How many rows at most (`None`: all).
    pub limit: Option<usize>,
}

fn field<'v>(record: &'v Value, json_name: &str) -> Option<&'v Value> {
    let object = record.as_object()?;
    object.get(json_name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(json_name))
            .map(|(_, v)| v)
    })
}

fn scalar_text(v: Option<&Value>) -> Value {
    match v {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) => Value::String(s.clone()),
        Some(other) => Value::String(other.to_string()),
    }
}

/// Projects a record to `columns`.
pub fn project(
    columns: &[Column],
    record: &CheckedRecord<'_>,
    raw: &str,
    origin: RecordOrigin,
) -> Row {
    let tree: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
    let day = origin
        .day
        .unwrap_or_else(|| ddbsse_wire::time::Day::from_millis(record.time_millis));
    columns
        .iter()
        .map(|c| match *c {
            Column::Scalar(_, j) | Column::JsonText(_, j) => scalar_text(field(&tree, j)),
            Column::Nested(_, j) => field(&tree, j).cloned().unwrap_or(Value::Null),
            Column::Year => Value::String(format!("{:04}", day.year)),
            Column::Month => Value::String(format!("{:02}", day.month)),
            Column::Day => Value::String(format!("{:02}", day.day)),
            Column::Ddbtbl => ddbtbl(record).map_or(Value::Null, Value::String),
            Column::KeyArn => record
                .key_arn()
                .map_or(Value::Null, |s| Value::String(s.to_owned())),
            Column::Principal => record
                .principal()
                .map_or(Value::Null, |s| Value::String(s.to_owned())),
        })
        .collect()
}

/// Sort key of the ordered queries: the value (nulls last), then input position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    is_null: bool,
    value: String,
    unit: usize,
    index: usize,
}

#[derive(Debug)]
struct Ranked {
    key: SortKey,
    row: Row,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// The `limit` smallest rows by sort key (a max-heap that drops the largest).
#[derive(Debug, Default)]
pub struct TopRows {
    heap: BinaryHeap<Ranked>,
    limit: Option<usize>,
}

impl TopRows {
    fn push(&mut self, r: Ranked) {
        if let Some(limit) = self.limit {
            if limit == 0 {
                return;
            }
            if self.heap.len() >= limit {
                match self.heap.peek() {
                    Some(top) if r.key < top.key => {
                        self.heap.pop();
                    }
                    _ => return,
                }
            }
        }
        self.heap.push(r);
    }

    /// Merges another partial top-k into this one.
    pub fn merge(&mut self, other: TopRows) {
        for r in other.heap {
            self.push(r);
        }
    }

    /// The rows in order.
    pub fn into_rows(self) -> Vec<Row> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.row)
            .collect()
    }
}

/// Per-unit partial result of a query.
#[derive(Debug)]
pub enum QueryPartial {
    /// Matching rows in input order (at most `limit`).
    InOrder(Vec<Row>),
    /// The unit's best rows by the sort key.
    Ranked(TopRows),
}

impl Analysis for Query {
    type Partial = QueryPartial;

    fn partial(&self) -> QueryPartial {
        match self.order {
            Order::Input => QueryPartial::InOrder(Vec::new()),
            _ => QueryPartial::Ranked(TopRows {
                heap: BinaryHeap::new(),
                limit: self.limit,
            }),
        }
    }

    fn visit(
        &self,
        partial: &mut QueryPartial,
        record: &CheckedRecord<'_>,
        raw: &str,
        origin: RecordOrigin,
    ) {
        if !self.filter.matches(record, origin.day) {
            return;
        }
        match partial {
            QueryPartial::InOrder(rows) => {
                if self.limit.is_none_or(|l| rows.len() < l) {
                    rows.push(project(&self.columns, record, raw, origin));
                }
            }
            QueryPartial::Ranked(top) => {
                let value = match self.order {
                    Order::Table => ddbtbl(record),
                    _ => record.view.event_time.get().map(str::to_owned),
                };
                top.push(Ranked {
                    key: SortKey {
                        is_null: value.is_none(),
                        value: value.unwrap_or_default(),
                        unit: origin.unit,
                        index: origin.index,
                    },
                    row: project(&self.columns, record, raw, origin),
                });
            }
        }
    }
}

/// Collects a query's partial results into its final rows, streaming in-order rows to `emit`.
#[derive(Debug)]
pub struct QueryCollector {
    limit: Option<usize>,
    emitted: usize,
    top: TopRows,
}

impl QueryCollector {
    /// A collector for `query`.
    pub fn new(query: &Query) -> Self {
        QueryCollector {
            limit: query.limit,
            emitted: 0,
            top: TopRows {
                heap: BinaryHeap::new(),
                limit: query.limit,
            },
        }
    }

    /// Takes one unit's partial result; in-order rows go to `emit` at once. Returns `Break` once
    /// the limit is reached (input order only).
    pub fn take(
        &mut self,
        partial: QueryPartial,
        emit: &mut dyn FnMut(Row),
    ) -> std::ops::ControlFlow<()> {
        match partial {
            QueryPartial::InOrder(rows) => {
                for row in rows {
                    if self.limit.is_some_and(|l| self.emitted >= l) {
                        break;
                    }
                    self.emitted += 1;
                    emit(row);
                }
                if self.limit.is_some_and(|l| self.emitted >= l) {
                    return std::ops::ControlFlow::Break(());
                }
            }
            QueryPartial::Ranked(top) => self.top.merge(top),
        }
        std::ops::ControlFlow::Continue(())
    }

    /// Emits the ordered rows (nothing for input order, already emitted). Returns the row count.
    pub fn finish(self, emit: &mut dyn FnMut(Row)) -> usize {
        let mut n = self.emitted;
        for row in self.top.into_rows() {
            n += 1;
            emit(row);
        }
        n
    }
}
