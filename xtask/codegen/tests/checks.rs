//! Each rule of the pre-progenitor check on a small document, and generation on a valid one.

use dataplat_codegen::{Problem, check, generate};
use serde_json::{Value, json};

/// A minimal valid document with one operation; `patch` edits it per test.
fn doc(patch: impl FnOnce(&mut Value)) -> Value {
    let mut d = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things/{id}": {
                "get": {
                    "operationId": "getThing",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                        "404": {"description": "nf", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Oops"}}}}
                    }
                }
            }
        },
        "components": {"schemas": {
            "Thing": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Oops": {"type": "object", "properties": {"message": {"type": "string"}}}
        }}
    });
    patch(&mut d);
    d
}

fn only(problems: Vec<Problem>) -> Problem {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems.into_iter().next().unwrap()
}

#[test]
fn a_valid_document_passes_and_generates() {
    let d = doc(|_| {});
    assert!(check("t.json", &d).is_empty());
    let generated = generate("t.json", &d).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(generated.operations, 1);
    assert!(generated.code.contains("pub fn get_thing"));
}

#[test]
fn openapi_3_1_is_refused() {
    let p = only(check("t.json", &doc(|d| d["openapi"] = json!("3.1.0"))));
    assert_eq!(p.pointer, "/openapi");
    assert!(p.message.contains("3.1.0"), "{p}");
}

#[test]
fn missing_and_duplicate_operation_ids() {
    let p = only(check(
        "t.json",
        &doc(|d| {
            d["paths"]["/things/{id}"]["get"]
                .as_object_mut()
                .unwrap()
                .remove("operationId")
                .map(drop)
                .unwrap()
        }),
    ));
    assert_eq!(p.pointer, "/paths/~1things~1{id}/get");
    assert!(p.message.contains("no operationId"));

    let p = only(check(
        "t.json",
        &doc(|d| {
            let mut copy = d["paths"]["/things/{id}"]["get"].clone();
            copy["parameters"] = json!([]);
            d["paths"]["/things"] = json!({"get": copy});
        }),
    ));
    assert_eq!(p.operation.as_deref(), Some("getThing"));
    assert!(p.message.contains("duplicate operationId"), "{p}");
}

#[test]
fn path_parameters_must_match_the_template() {
    let p = only(check(
        "t.json",
        &doc(|d| d["paths"]["/things/{id}"]["get"]["parameters"] = json!([])),
    ));
    assert_eq!(p.operation.as_deref(), Some("getThing"));
    assert!(p.message.contains("`{id}`"), "{p}");

    let p = only(check(
        "t.json",
        &doc(|d| {
            d["paths"]["/things/{id}"]["get"]["parameters"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "extra", "in": "path", "required": true, "schema": {"type": "string"}}))
        }),
    ));
    assert_eq!(p.pointer, "/paths/~1things~1{id}/get/parameters/1");
    assert!(p.message.contains("`extra`"), "{p}");

    // Airflow 3's trigger_dag_run: `dag_id` with only a title would be sent as `"dag"`.
    let p = only(check(
        "t.json",
        &doc(|d| {
            d["paths"]["/things/{id}"]["get"]["parameters"][0]["schema"] = json!({"title": "Id"})
        }),
    ));
    assert_eq!(p.pointer, "/paths/~1things~1{id}/get/parameters/0/schema");
    assert!(p.message.contains("has no type"), "{p}");
}

#[test]
fn mixed_error_types_are_located() {
    let p = only(check(
        "t.json",
        &doc(
            |d| d["paths"]["/things/{id}"]["get"]["responses"]["401"] = json!({"description": "x", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}),
        ),
    ));
    assert_eq!(p.pointer, "/paths/~1things~1{id}/get/responses");
    assert!(
        p.message.contains("error responses have 2 different types"),
        "{p}"
    );
    assert!(
        p.message.contains("401 → Thing") && p.message.contains("404 → Oops"),
        "{p}"
    );
}

#[test]
fn default_counts_on_both_sides() {
    let problems = check(
        "t.json",
        &doc(|d| {
            d["paths"]["/things/{id}"]["get"]["responses"]["default"] =
                json!({"description": "no body"})
        }),
    );
    let sides: Vec<&str> = problems
        .iter()
        .map(|p| p.message.split(' ').next().unwrap())
        .collect();
    assert_eq!(sides, ["success", "error"], "{problems:#?}");
}

#[test]
fn unsupported_body_media_types() {
    let scim = doc(|d| {
        d["paths"]["/things/{id}"]["put"] = json!({
            "operationId": "putThing",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/scim+json": {"schema": {"type": "object"}}}},
            "responses": {"204": {"description": "ok"}}
        })
    });
    let p = only(check("t.json", &scim));
    assert_eq!(
        p.pointer,
        "/paths/~1things~1{id}/put/requestBody/content/application~1scim+json"
    );
    assert_eq!(p.operation.as_deref(), Some("putThing"));

    let two = doc(|d| {
        d["paths"]["/things/{id}"]["put"] = json!({
            "operationId": "putThing",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {}}, "text/plain": {"schema": {"type": "string"}}}},
            "responses": {"204": {"description": "ok"}}
        })
    });
    assert!(
        only(check("t.json", &two))
            .message
            .contains("2 media types")
    );
}

#[test]
fn dangling_and_path_level_references() {
    let p = only(check(
        "t.json",
        &doc(|d| {
            d["components"]["schemas"]["Thing"]["properties"]["q"] =
                json!({"$ref": "#/components/schemas/Nope"})
        }),
    ));
    assert_eq!(p.pointer, "/components/schemas/Thing/properties/q/$ref");
    assert!(p.message.contains("dangling"), "{p}");

    let p = only(check(
        "t.json",
        &doc(|d| d["paths"]["/alias"] = json!({"$ref": "#/paths/~1things~1{id}"})),
    ));
    assert_eq!(p.pointer, "/paths/~1alias/$ref");
}

#[test]
fn schema_shapes_that_compile_wrongly() {
    let p = only(check(
        "t.json",
        &doc(|d| d["components"]["schemas"]["Thing"]["required"] = json!(["ID"])),
    ));
    assert!(p.message.contains("two fields"), "{p}");

    let p = only(check(
        "t.json",
        &doc(
            |d| d["components"]["schemas"]["Either"] = json!({"nullable": true, "anyOf": [{"$ref": "#/components/schemas/Thing"}, {"$ref": "#/components/schemas/Oops"}]}),
        ),
    ));
    assert_eq!(p.pointer, "/components/schemas/Either");
}

#[test]
fn missing_responses() {
    let p = only(check(
        "t.json",
        &doc(|d| d["paths"]["/things/{id}"]["get"]["responses"] = json!({})),
    ));
    assert!(p.message.contains("no responses"), "{p}");
}

#[test]
fn generate_refuses_with_problems_instead_of_panicking() {
    let d = doc(
        |d| d["paths"]["/things/{id}"]["get"]["responses"]["401"] = json!({"description": "x", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}),
    );
    let problems = generate("t.json", &d).err().expect("must refuse");
    assert!(
        problems[0]
            .to_string()
            .starts_with("t.json#/paths/~1things~1{id}/get/responses (operation getThing): ")
    );
}

#[test]
fn documents_openapiv3_cannot_read_are_located() {
    let d =
        doc(|d| d["components"]["schemas"]["Thing"]["properties"]["id"]["required"] = json!(false));
    let p = only(generate("t.json", &d).err().expect("must refuse"));
    assert!(p.pointer.starts_with("/components/schemas/Thing"), "{p}");
    assert!(
        p.message.contains("not a valid OpenAPI 3.0 document"),
        "{p}"
    );
}
