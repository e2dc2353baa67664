//! `specs check` and `specs refresh` on scratch copies of the real Galaxy spec folder.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use xtask::check::check_api;
use xtask::layout::select;

/// A scratch repo root holding a copy of `specs/galaxy`.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let from = xtask::layout::repo_root().join("specs/galaxy");
    let to = tmp.path().join("specs/galaxy");
    copy_dir(&from, &to);
    let root = tmp.path().to_path_buf();
    (tmp, root)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn failures(root: &Path) -> Vec<String> {
    check_api(&select(root, Some("galaxy")).unwrap()[0]).failures
}

#[test]
fn the_vendored_galaxy_spec_passes() {
    let (_tmp, root) = scratch();
    let report = check_api(&select(&root, Some("galaxy")).unwrap()[0]);
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
    assert_eq!(report.operations, Some(109));
    assert!(report.patches > 0);
}

#[test]
fn a_corrupted_upstream_byte_fails_with_the_checksum() {
    let (_tmp, root) = scratch();
    let file = root.join("specs/galaxy/upstream/galaxy.json");
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.iter().position(|b| *b == b'B').unwrap(); // first "BETA" or similar
    bytes[at] = b'b';
    std::fs::write(&file, bytes).unwrap();

    let f = failures(&root);
    assert!(
        f.iter().any(
            |m| m.contains("specs/galaxy/upstream/galaxy.json: sha256 is")
                && m.contains("must not be edited")
        ),
        "{f:#?}"
    );
}

#[test]
fn a_hand_edited_effective_spec_fails() {
    let (_tmp, root) = scratch();
    let file = root.join("specs/galaxy/effective.json");
    let text = std::fs::read_to_string(&file).unwrap().replacen(
        "Starburst Galaxy Public API",
        "My Galaxy",
        1,
    );
    std::fs::write(&file, text).unwrap();

    let f = failures(&root);
    assert!(
        f.iter().any(
            |m| m.contains("is not what `cargo xtask specs normalize galaxy` produces")
                && m.contains("My Galaxy")
        ),
        "{f:#?}"
    );
}

#[test]
fn a_patch_that_no_longer_applies_is_named_with_its_reason() {
    let (_tmp, root) = scratch();
    let file = root.join("specs/galaxy/patches.json");
    let mut patches: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    patches[1]["path"] = serde_json::json!(
        "/paths/~1public~1api~1v1~1nowhere/get/responses/400/content/application~1json/schema"
    );
    std::fs::write(&file, serde_json::to_string_pretty(&patches).unwrap()).unwrap();

    let f = failures(&root);
    let msg = f
        .iter()
        .find(|m| m.contains("patch 1 in"))
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert!(msg.contains("no longer applies"), "{msg}");
    assert!(
        msg.contains("its reason: one error type per operation"),
        "{msg}"
    );
}

#[test]
fn a_spec_progenitor_would_reject_fails_with_pointer_and_operation() {
    let (_tmp, root) = scratch();
    // Drop the patch that unifies listCluster's 400 body: its error types are mixed again.
    let file = root.join("specs/galaxy/patches.json");
    let mut patches: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    patches.retain(|p| p["path"] != "/paths/~1public~1api~1v1~1cluster/get/responses/400/content/application~1json/schema");
    std::fs::write(&file, serde_json::to_string_pretty(&patches).unwrap()).unwrap();
    xtask::normalize::normalize(&select(&root, Some("galaxy")).unwrap()[0]).unwrap();

    let f = failures(&root);
    assert!(
        f.iter().any(|m| m.contains(
            "effective.json#/paths/~1public~1api~1v1~1cluster/get/responses (operation listCluster)"
        )),
        "{f:#?}"
    );
}

/// Serves `body` to every request on a loopback port; counts the requests.
fn serve(body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/public/openapi/v1/json",
        listener.local_addr().unwrap()
    );
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            counter.fetch_add(1, Ordering::SeqCst);
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    (url, hits)
}

fn galaxy_upstream(root: &Path) -> (PathBuf, serde_json::Value) {
    let upstream = root.join("specs/galaxy/upstream/galaxy.json");
    let doc = serde_json::from_slice(&std::fs::read(&upstream).unwrap()).unwrap();
    (upstream, doc)
}

#[test]
fn refresh_from_a_loopback_url_diffs_records_and_renormalises() {
    let (_tmp, root) = scratch();
    let (upstream, mut doc) = galaxy_upstream(&root);
    // Upstream changed: one new operation, one renamed.
    let paths = doc["paths"].as_object_mut().unwrap();
    paths.insert(
        "/public/api/v1/warehouse".into(),
        serde_json::json!({"get": {"operationId": "listWarehouse", "responses": {"200": {"description": "ok"}}}}),
    );
    paths["/public/api/v1/cluster"]["get"]["operationId"] = serde_json::json!("listClusters");
    let bytes = serde_json::to_vec_pretty(&doc).unwrap();
    let (url, hits) = serve(bytes.clone());

    let diff = xtask::refresh::run(&root, "galaxy", Some(&url)).unwrap();

    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(diff.added, ["listWarehouse (GET /public/api/v1/warehouse)"]);
    assert!(diff.removed.is_empty(), "{diff:?}");
    assert_eq!(
        diff.changed,
        ["GET /public/api/v1/cluster: operationId listCluster renamed to listClusters"]
    );
    assert_eq!(
        std::fs::read(&upstream).unwrap(),
        bytes,
        "vendored bytes are exactly what was served"
    );

    let record = select(&root, Some("galaxy")).unwrap()[0].record().unwrap();
    assert_eq!(record.upstream.sha256, xtask::normalize::sha256_hex(&bytes));
    assert_eq!(record.upstream.obtained_from, url);
    assert_eq!(
        record.effective.operations, 110,
        "expected count follows the refresh"
    );
    let f = failures(&root);
    assert!(f.is_empty(), "a refreshed folder checks clean: {f:#?}");
}

#[test]
fn refresh_that_removes_a_patched_operation_names_the_stale_patch() {
    let (_tmp, root) = scratch();
    let (upstream, mut doc) = galaxy_upstream(&root);
    doc["paths"]["/public/api/v1/tag/{tagId}"]
        .as_object_mut()
        .unwrap()
        .remove("patch");
    let old = doc.clone();
    let bytes = serde_json::to_vec_pretty(&doc).unwrap();
    let (url, _) = serve(bytes.clone());

    let err = xtask::refresh::run(&root, "galaxy", Some(&url)).unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("patches need attention") && text.contains("no longer applies"),
        "{text}"
    );
    assert!(text.contains("~1tag~1{tagId}/patch/responses"), "{text}");
    // The new upstream is recorded all the same, so the maintainer fixes patches, not bytes.
    assert_eq!(std::fs::read(&upstream).unwrap(), bytes);

    let before = galaxy_upstream(&xtask::layout::repo_root()).1;
    let diff = xtask::refresh::diff(&before, &old);
    assert_eq!(
        diff.removed,
        ["patchUpdateTag (PATCH /public/api/v1/tag/{tagId})"]
    );
}

#[test]
fn refresh_from_a_local_file_with_no_changes() {
    let (_tmp, root) = scratch();
    let same = root.join("copy.json");
    std::fs::copy(root.join("specs/galaxy/upstream/galaxy.json"), &same).unwrap();
    let diff = xtask::refresh::run(&root, "galaxy", Some(same.to_str().unwrap())).unwrap();
    assert!(diff.is_empty());
    assert!(failures(&root).is_empty());
}

#[test]
fn the_openapi_validator_names_the_pointer_of_an_invalid_member() {
    let (_tmp, root) = scratch();
    let apis = select(&root, Some("galaxy")).unwrap();
    let file = apis[0].effective_path();
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // A 3.0 security scheme type that does not exist.
    doc["components"]["securitySchemes"]["accessToken"]["type"] = "cookie-jar".into();
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();

    let mut reports = vec![xtask::check::ApiReport {
        api: "galaxy".into(),
        ..Default::default()
    }];
    xtask::lint::lint_reports(&apis, &mut reports).unwrap();
    assert_eq!(reports[0].lint, Some(false));
    assert!(
        reports[0].failures.iter().any(|f| f
            .starts_with("specs/galaxy/effective.json#/components/securitySchemes/accessToken: OpenAPI validator:")),
        "{:#?}",
        reports[0].failures
    );
}

#[test]
fn the_authored_biganimal_document_counts_its_confirmed_operations() {
    let report = check_api(&select(&xtask::layout::repo_root(), Some("biganimal")).unwrap()[0]);
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
    assert_eq!(report.operations, Some(44));
}

/// A loopback mirror: `/<api>` answers `docs[api]`.
fn mirror(docs: Vec<(&'static str, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            let body = docs
                .iter()
                .find(|(api, _)| path == format!("/{api}"))
                .map(|(_, b)| b.clone());
            let (status, body) = match body {
                Some(b) => ("200 OK", b),
                None => ("404 Not Found", Vec::new()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    url
}

#[test]
fn refresh_all_check_reports_drift_from_a_loopback_mirror_and_writes_nothing() {
    let (_tmp, root) = scratch();
    copy_dir(
        &xtask::layout::repo_root().join("specs/airflow"),
        &root.join("specs/airflow"),
    );
    let (upstream, mut doc) = galaxy_upstream(&root);
    let before = std::fs::read(&upstream).unwrap();
    // Galaxy drops one operation and gains another; Airflow is unchanged.
    let paths = doc["paths"].as_object_mut().unwrap();
    paths.remove("/public/api/v1/tag/{tagId}");
    paths.insert(
        "/public/api/v1/widget".into(),
        serde_json::json!({"get": {"operationId": "listWidget", "responses": {"200": {"description": "ok"}}}}),
    );
    let airflow = std::fs::read(root.join("specs/airflow/upstream/v1.yaml")).unwrap();
    let url = mirror(vec![
        ("galaxy", serde_json::to_vec_pretty(&doc).unwrap()),
        ("airflow", airflow),
    ]);
    let report = root.join("drift.md");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["specs", "refresh", "--all", "--check", "--report"])
        .arg(&report)
        .env("DATAPLAT_REPO_ROOT", &root)
        .env("DATAPLAT_SPEC_MIRROR", &url)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "drift is an error under --check");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("| airflow | unchanged"), "{text}");
    assert!(text.contains("| galaxy | **changed** | 1 | 3 |"), "{text}");
    assert!(
        text.contains("listWidget (GET /public/api/v1/widget)"),
        "{text}"
    );
    assert!(text.contains("Patches that no longer apply"), "{text}");
    assert_eq!(
        std::fs::read(&upstream).unwrap(),
        before,
        "--check writes nothing"
    );

    // Unchanged everywhere: exit 0.
    let airflow_only = mirror(vec![
        (
            "airflow",
            std::fs::read(root.join("specs/airflow/upstream/v1.yaml")).unwrap(),
        ),
        ("galaxy", before.clone()),
    ]);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["specs", "refresh", "--all", "--check"])
        .env("DATAPLAT_REPO_ROOT", &root)
        .env("DATAPLAT_SPEC_MIRROR", &airflow_only)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}
