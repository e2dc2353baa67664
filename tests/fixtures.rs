//! Real answers decode, and nothing the server sends is silently lost.
//!
//! `tests/fixtures/<api>/` holds answers that the live services sent, recorded by public peers
//! (cassettes, test fixtures, captures), and bodies written from the wire models of peers that
//! decode the live service, each with its provenance in `fixtures.toml`. Every one is decoded
//! with the type its operation documents for its status, and encoded back: the result must be
//! the same JSON, modulo number normalisation (`2` and `"2"`, `1` and `true` where the API sends
//! loose scalars; an absent member and `null`). A fixture marked `expect = "error"` must not
//! decode as a success. The test writes what it found to
//! `target/dataplat-fixtures/report.json`, which `cargo xtask specs audit` prints.
#![cfg(all(
    feature = "fixtures",
    feature = "airflow",
    feature = "astra",
    feature = "acm",
    feature = "galaxy",
    feature = "biganimal"
))]

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Manifest {
    fixture: Vec<Fixture>,
}

#[derive(Deserialize)]
struct Fixture {
    file: String,
    operation: String,
    status: u16,
    kind: String,
    #[serde(default)]
    expect: Option<String>,
}

type Decoder = fn(&str, u16, &[u8]) -> Option<Result<dataplat::core::fixtures::Decoded, String>>;

fn apis() -> Vec<(&'static str, Decoder)> {
    vec![
        ("astra", dataplat::astra::decode_table::decode),
        ("acm", dataplat::acm::decode_table::decode),
        ("galaxy", dataplat::galaxy::decode_table::decode),
        ("biganimal", dataplat::biganimal::decode_table::decode),
    ]
}

/// Whether two JSON values are the same answer: equal, or the same scalar in another form
/// (numbers and their strings, 0/1 and booleans, `1.0` and `1`), with an absent member the
/// same as `null`, `[]` or `{}` (a type's empty default, which it does not write back), an
/// empty object the same as `[]`, and an object the same as a string holding it as JSON.
fn same(a: &Value, b: &Value) -> bool {
    use Value::*;
    let empty = |v: &Value| match v {
        Null => true,
        Array(a) => a.is_empty(),
        Object(o) => o.is_empty(),
        String(s) => s.is_empty(),
        _ => false,
    };
    match (a, b) {
        (Object(x), Object(y)) => {
            let keys: std::collections::BTreeSet<&std::string::String> =
                x.keys().chain(y.keys()).collect();
            keys.into_iter().all(|k| match (x.get(k), y.get(k)) {
                (Some(a), Some(b)) => same(a, b),
                (Some(v), None) | (None, Some(v)) => empty(v),
                (None, None) => true,
            })
        }
        (String(s), Object(_)) | (Object(_), String(s)) if s.trim_start().starts_with('{') => {
            let parsed: Value = serde_json::from_str(s).unwrap_or(Null);
            let other = if matches!(a, String(_)) { b } else { a };
            same(&parsed, other)
        }
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Object(_), _) | (_, Object(_)) | (Array(_), _) | (_, Array(_)) => empty(a) && empty(b),
        _ => scalar(a).is_some() && scalar(a) == scalar(b),
    }
}

/// A scalar's canonical text: numbers without a trailing `.0`, booleans as `true`/`false`.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("null".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        Value::String(s) => Some(match s.as_str() {
            "true" | "false" => s.clone(),
            other => match other.parse::<f64>() {
                Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
                Ok(f) => f.to_string(),
                Err(_) => other.to_string(),
            },
        }),
        _ => None,
    }
}

/// `same`, where a loose boolean may come as 0/1 on one side.
fn same_loose(a: &Value, b: &Value) -> bool {
    fn canon(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), canon(v))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(canon).collect()),
            Value::Number(n) if n.as_f64() == Some(0.0) => Value::Bool(false),
            Value::Number(n) if n.as_f64() == Some(1.0) => Value::Bool(true),
            Value::String(s) if s == "0" => Value::Bool(false),
            Value::String(s) if s == "1" => Value::Bool(true),
            other => other.clone(),
        }
    }
    same(a, b) || same(&canon(a), &canon(b))
}

#[test]
fn every_fixture_decodes_into_its_operation_type_and_back_without_loss() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let mut report = serde_json::Map::new();
    for (api, decode) in apis() {
        let dir = root.join("tests/fixtures").join(api);
        let manifest: Manifest =
            toml::from_str(&std::fs::read_to_string(dir.join("fixtures.toml")).unwrap()).unwrap();
        let mut rows = Vec::new();
        let (mut typed, mut complete, mut errors_held) = (0, 0, 0);
        let mut operations = std::collections::BTreeSet::new();
        for f in &manifest.fixture {
            operations.insert(f.operation.clone());
            let body = std::fs::read(dir.join(&f.file)).unwrap();
            let original: Value = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("{api}/{}: not JSON: {e}", f.file));
            let outcome = decode(&f.operation, f.status, &body);
            let expect_error = f.expect.as_deref() == Some("error");
            let success_status = (200..300).contains(&f.status);
            let (state, unknown) = match (&outcome, expect_error) {
                (None, true) | (Some(Err(_)), true) => {
                    errors_held += 1;
                    ("error, as expected".to_string(), Vec::new())
                }
                // An error status decoded into the operation's error type is the error, typed.
                (Some(Ok(_)), true) if !success_status => {
                    errors_held += 1;
                    ("error, typed".to_string(), Vec::new())
                }
                (Some(Ok(_)), true) => {
                    failures.push(format!(
                        "{api}/{}: decoded as a success, but the service meant an error",
                        f.file
                    ));
                    ("decoded (should not)".into(), Vec::new())
                }
                (None, false) => {
                    failures.push(format!(
                        "{api}/{}: {} has no typed body for HTTP {}",
                        f.file, f.operation, f.status
                    ));
                    ("no type".into(), Vec::new())
                }
                (Some(Err(e)), false) => {
                    failures.push(format!("{api}/{}: does not decode: {e}", f.file));
                    (format!("fails: {e}"), Vec::new())
                }
                (Some(Ok(d)), false) => {
                    typed += 1;
                    if !same_loose(&original, &d.value) {
                        failures.push(format!(
                            "{api}/{}: re-encodes differently:\n  sent:    {}\n  decoded: {}",
                            f.file, original, d.value
                        ));
                    }
                    if d.unknown.is_empty() {
                        complete += 1;
                        ("typed and complete".into(), Vec::new())
                    } else {
                        ("typed; some members kept untyped".into(), d.unknown.clone())
                    }
                }
            };
            rows.push(serde_json::json!({
                "file": f.file, "operation": f.operation, "status": f.status, "kind": f.kind,
                "state": state, "untyped_members": unknown,
            }));
        }
        println!(
            "{api:<10} {:>3} fixtures over {:>3} operations: {typed} decode typed ({complete} complete), {errors_held} errors reported as errors",
            manifest.fixture.len(),
            operations.len()
        );
        report.insert(
            api.to_string(),
            serde_json::json!({
                "fixtures": manifest.fixture.len(),
                "operations": operations.len(),
                "typed": typed,
                "complete": complete,
                "expected_errors": errors_held,
                "rows": rows,
            }),
        );
    }
    let out = root.join("target/dataplat-fixtures");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&Value::Object(report)).unwrap(),
    )
    .unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// By construction, not by fixture: a value an enum does not list, and a member no schema
/// names, come back as they were sent.
#[test]
fn unknown_enum_values_and_members_are_kept() {
    use serde_json::json;
    let sent = json!({"dag_run_id": "r-1", "dag_id": "etl", "state": "deferred_in_2030", "brand_new": {"x": [1, 2]}});
    let body = serde_json::to_vec(&sent).unwrap();
    let decoded = dataplat::airflow::decode_table::decode("get_dag_run", 200, &body)
        .expect("get_dag_run has a typed answer")
        .unwrap();
    assert!(same(&sent, &decoded.value), "{}", decoded.value);
    assert_eq!(decoded.unknown, ["DagRun.brand_new"]);
    let run: dataplat::airflow::types::DagRun = serde_json::from_value(sent).unwrap();
    assert_eq!(
        run.state.map(|s| s.to_string()).as_deref(),
        Some("deferred_in_2030")
    );
    assert_eq!(run.extra["brand_new"], json!({"x": [1, 2]}));
}

/// A discriminated union decodes by its tag in one pass, wherever the tag sits in the object,
/// and encodes back the same.
#[test]
fn discriminated_unions_decode_by_their_tag() {
    use dataplat::airflow::types::ScheduleInterval;
    use serde_json::json;
    for (text, cron) in [
        (
            r#"{"__type": "CronExpression", "value": "0 0 * * *"}"#,
            true,
        ),
        (
            r#"{"value": "0 0 * * *", "__type": "CronExpression"}"#,
            true,
        ),
        (
            r#"{"__type": "TimeDelta", "days": 1, "seconds": 0, "microseconds": 0}"#,
            false,
        ),
        (
            r#"{"days": 1, "seconds": 0, "__type": "TimeDelta", "microseconds": 0}"#,
            false,
        ),
        // As Airflow 2.11 sends relativedelta(months=1, day=1): unset absolute members null
        // (ScheduleIntervalSchema().dump, and tests/live_airflow2.rs against the server).
        (
            r#"{"__type": "RelativeDelta", "years": 0, "months": 1, "days": 0, "leapdays": 0, "hours": 0, "minutes": 0, "seconds": 0, "microseconds": 0, "year": null, "month": null, "day": 1, "hour": null, "minute": null, "second": null, "microsecond": null}"#,
            false,
        ),
    ] {
        let decoded: ScheduleInterval = serde_json::from_str(text).unwrap();
        assert_eq!(
            matches!(decoded, ScheduleInterval::CronExpression(_)),
            cron,
            "{text}"
        );
        let sent: serde_json::Value = serde_json::from_str(text).unwrap();
        assert!(
            same(&sent, &serde_json::to_value(&decoded).unwrap()),
            "{text}"
        );
        // From a JSON value too, not only from text.
        let from_value: ScheduleInterval = serde_json::from_value(sent).unwrap();
        assert_eq!(from_value, decoded);
    }
    let err = serde_json::from_value::<ScheduleInterval>(json!({"__type": "Solar", "x": 1}))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Solar") && err.contains("CronExpression"),
        "{err}"
    );
}

#[test]
fn loose_comparison_is_not_too_loose() {
    use serde_json::json;
    assert!(same(&json!({"a": 1, "b": null}), &json!({"a": "1"})));
    assert!(!same(&json!({"a": 1}), &json!({"a": 2})));
    assert!(!same(&json!({"a": [1]}), &json!({"a": []})));
    assert!(!same(&json!({"a": "x"}), &json!({})));
    assert!(same_loose(&json!({"on": 1}), &json!({"on": true})));
}
