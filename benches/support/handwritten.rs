//! The types a user would write by hand instead of using dataplat: plain serde structs for the
//! answers the overhead bench decodes, written once here and never generated, so the baseline
//! is what `reqwest` + `serde` cost without any of our codegen.
//!
//! Modelled on what the servers send (Airflow 2.11's `DAGCollectionSchema`, Galaxy's cluster
//! and tag answers): optional where the server may leave a member out or send null, dates as
//! `chrono` values, the schedule as the tagged union it is.

#![allow(dead_code)] // members are decoded to be paid for, not read

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One page of `GET /api/v1/dags`.
#[derive(Debug, Deserialize)]
pub struct DagCollection {
    pub dags: Vec<Dag>,
    pub total_entries: i64,
}

/// A DAG as Airflow 2.11 lists it.
#[derive(Debug, Deserialize)]
pub struct Dag {
    pub dag_id: String,
    pub dag_display_name: Option<String>,
    pub root_dag_id: Option<String>,
    pub is_paused: Option<bool>,
    pub is_active: Option<bool>,
    pub is_subdag: bool,
    pub last_parsed_time: Option<DateTime<Utc>>,
    pub last_pickled: Option<DateTime<Utc>>,
    pub last_expired: Option<DateTime<Utc>>,
    pub scheduler_lock: Option<bool>,
    pub pickle_id: Option<String>,
    pub default_view: Option<String>,
    pub fileloc: String,
    pub file_token: String,
    pub owners: Vec<String>,
    pub description: Option<String>,
    pub schedule_interval: Option<ScheduleInterval>,
    pub timetable_description: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub max_active_tasks: Option<i64>,
    pub max_active_runs: Option<i64>,
    pub max_consecutive_failed_dag_runs: Option<i64>,
    pub has_task_concurrency_limits: Option<bool>,
    pub has_import_errors: Option<bool>,
    pub next_dagrun: Option<DateTime<Utc>>,
    pub next_dagrun_data_interval_start: Option<DateTime<Utc>>,
    pub next_dagrun_data_interval_end: Option<DateTime<Utc>>,
    pub next_dagrun_create_after: Option<DateTime<Utc>>,
}

/// A DAG's schedule, tagged by `__type` as Airflow writes it.
#[derive(Debug, Deserialize)]
#[serde(tag = "__type")]
pub enum ScheduleInterval {
    TimeDelta {
        days: i64,
        seconds: i64,
        microseconds: i64,
    },
    RelativeDelta(RelativeDelta),
    CronExpression {
        value: String,
    },
}

/// dateutil's relativedelta: relative members always set, absolute ones null when unset.
#[derive(Debug, Deserialize)]
pub struct RelativeDelta {
    pub years: i64,
    pub months: i64,
    pub days: i64,
    pub leapdays: i64,
    pub hours: i64,
    pub minutes: i64,
    pub seconds: i64,
    pub microseconds: i64,
    pub year: Option<i64>,
    pub month: Option<i64>,
    pub day: Option<i64>,
    pub hour: Option<i64>,
    pub minute: Option<i64>,
    pub second: Option<i64>,
    pub microsecond: Option<i64>,
}

/// A DAG's tag.
#[derive(Debug, Deserialize)]
pub struct Tag {
    pub name: String,
}

/// `GET /api/v1/variables/{key}`.
#[derive(Debug, Deserialize)]
pub struct Variable {
    pub key: String,
    pub value: String,
    pub description: Option<String>,
}

/// `GET /public/api/v1/cluster/{id}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    pub sync_token: String,
    pub cluster_id: String,
    pub name: String,
    pub cloud_region_id: String,
    pub catalog_refs: Vec<String>,
    pub idle_stop_minutes: Option<i64>,
    pub batch_cluster: bool,
    pub warp_speed_cluster: bool,
    pub min_workers: i64,
    pub max_workers: i64,
    pub warp_resiliency_enabled: bool,
    pub cluster_state: String,
}

/// `POST /public/api/v1/tag`'s body.
#[derive(Debug, Serialize)]
pub struct NewTag {
    pub name: String,
    pub color: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Galaxy's tag.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GalaxyTag {
    pub sync_token: String,
    pub tag_id: String,
    pub name: String,
    pub color: String,
    pub description: Option<String>,
}
